{{! admin/member_view.tpl: 会员详情 — identity, binding, payments, check-ins, refunds; 手动绑定 with suggestions and 标记进群; 通知记录 with delivery state. }}
{{%AUTOESCAPE context="HTML"}}
<div class="page-head page-head_actions">
<h1 class="page-head__title">{{PLANET_NICKNAME}} <span class="badge bind-badge bind-badge_{{BIND_STATUS}}">{{BIND_LABEL}}</span></h1>
<div class="d-flex gap-2">
{{#NOT_JOINED}}<form method="post" action="/admin/members/{{ID}}/joined">
<input type="hidden" name="_csrf" value="{{CSRF}}">
<button class="btn btn-outline-primary" type="submit">标记进群</button>
</form>{{/NOT_JOINED}}
<a class="btn btn-outline-secondary" href="/admin/members?camp_id={{CAMP_ID}}">返回列表</a>
</div>
</div>
<div class="row g-4">
<div class="col-lg-6">
<section class="card"><div class="card-body">
<h2 class="h5">基本信息</h2>
<dl class="row mb-0">
<dt class="col-sm-4">星球昵称</dt><dd class="col-sm-8">{{PLANET_NICKNAME}}</dd>
<dt class="col-sm-4">星球ID</dt><dd class="col-sm-8 num">{{PLANET_USER_ID}}</dd>
<dt class="col-sm-4">微信昵称</dt><dd class="col-sm-8">{{WECHAT_NICKNAME}}</dd>
<dt class="col-sm-4">训练营</dt><dd class="col-sm-8">{{CAMP_NAME}}</dd>
<dt class="col-sm-4">绑定</dt><dd class="col-sm-8">{{BIND_LABEL}} · {{BIND_METHOD}}</dd>
<dt class="col-sm-4">进群状态</dt><dd class="col-sm-8">{{JOINED_LABEL}}</dd>
<dt class="col-sm-4">匹配度</dt><dd class="col-sm-8 num">{{CONFIDENCE}}{{#FLAGS}} <span class="text-warning">{{TEXT}}</span>{{/FLAGS}}</dd>
<dt class="col-sm-4">打卡天数</dt><dd class="col-sm-8 num">{{CHECKIN_COUNT}}</dd>
<dt class="col-sm-4">符合退款</dt><dd class="col-sm-8">{{ELIGIBLE}}</dd>
</dl>
</div></section>
</div>
<div class="col-lg-6">
{{#CAN_CLOSE}}<section class="card mb-3" id="close-binding"><div class="card-body">
<h2 class="h5">关闭绑定</h2>
<p class="text-muted">确实无法匹配到星球账号或信息异常时关闭绑定：该会员离开待办列表，不会进入退款名单。</p>
<form class="d-flex gap-2 align-items-end" method="post" action="/admin/members/{{ID}}/close-binding" data-confirm="关闭绑定后该会员不会进入退款名单，确定吗？" data-confirm-button="关闭绑定">
<input type="hidden" name="_csrf" value="{{CSRF}}">
<div><label class="form-label" for="close-reason">原因</label>
<select class="form-select" id="close-reason" name="reason"><option value="无法匹配">无法匹配</option><option value="信息异常">信息异常</option></select></div>
<button class="btn btn-outline-danger" type="submit">关闭绑定</button>
</form>
</div></section>{{/CAN_CLOSE}}
{{#CAN_PROPOSE}}<section class="card mb-3" id="propose"><div class="card-body">
<h2 class="h5">手动提议退款</h2>
<p class="text-muted">训练营已结束但未进入退款名单（如差 1–2 天、有异议）：填写原因后提议，仍需审核通过才会退款。</p>
<form method="post" action="/admin/refunds/propose">
<input type="hidden" name="_csrf" value="{{CSRF}}"><input type="hidden" name="member_id" value="{{ID}}">
<input type="hidden" name="back" value="/admin/members/{{ID}}">
<label class="form-label" for="propose-reason">原因（必填）</label>
<input class="form-control" id="propose-reason" name="reason" maxlength="200" required>
<button class="btn btn-outline-primary mt-2" type="submit">手动提议退款</button>
</form>
</div></section>{{/CAN_PROPOSE}}
{{#CAN_BIND}}<section class="card" id="bind"><div class="card-body">
<h2 class="h5">手动绑定</h2>
<form method="post" action="/admin/members/{{ID}}/bind">
<input type="hidden" name="_csrf" value="{{CSRF}}">
<label class="form-label" for="planet_user_id">知识星球用户ID</label>
<input class="form-control" id="planet_user_id" name="planet_user_id" inputmode="numeric" maxlength="30" required>
<div class="form-text">填写打卡同步中出现过的星球用户ID；绑定后匹配度为 100。一个星球用户在同一训练营只能绑定一名已支付会员。</div>
{{#CHANGE}}<label class="form-label mt-2" for="bind-reason">修改原因（必填）</label>
<input class="form-control" id="bind-reason" name="reason" maxlength="200" required>
<div class="form-text">该会员已完成绑定；修改绑定会记录在操作日志中。</div>{{/CHANGE}}
<button class="btn btn-primary mt-2" type="submit">绑定</button>
</form>
{{#SUGGESTION}}<form class="d-flex gap-2 align-items-center mt-2 suggestion" method="post" action="/admin/members/{{ID}}/bind">
<input type="hidden" name="_csrf" value="{{CSRF}}">
<input type="hidden" name="planet_user_id" value="{{PLANET_USER_ID}}">{{#CHANGE}}
<label class="visually-hidden" for="reason-{{PLANET_USER_ID}}">修改原因</label><input class="form-control form-control-sm" id="reason-{{PLANET_USER_ID}}" name="reason" maxlength="200" placeholder="修改原因" required>{{/CHANGE}}
<span>{{NICKNAME}} <span class="num text-muted">{{PLANET_USER_ID}}</span> · 差异 {{DISTANCE}}</span>
<button class="btn btn-outline-primary btn-sm" type="submit">绑定此账号</button>
</form>
{{/SUGGESTION}}
</div></section>{{/CAN_BIND}}
</div>
</div>
<section class="mt-4">
<h2 class="h5">支付记录</h2>
<table class="table table-sm"><thead><tr><th scope="col">时间</th><th scope="col">训练营</th><th scope="col">金额</th><th scope="col">订单号</th><th scope="col">交易单号</th><th scope="col">状态</th></tr></thead>
<tbody>{{#PAY}}<tr><td>{{TIME}}</td><td>{{CAMP}}</td><td class="money">¥{{AMOUNT}}</td><td class="num">{{ORDER_NO}}</td><td class="num">{{TXN}}</td><td>{{STATUS}}</td></tr>
{{/PAY}}</tbody></table>
</section>
<section class="mt-4">
<h2 class="h5">打卡记录</h2>
{{#NO_CHECKINS}}<p class="text-muted">暂无打卡记录。</p>{{/NO_CHECKINS}}
<table class="table table-sm"><thead><tr><th scope="col">日期</th><th scope="col">时间</th><th scope="col">内容摘要</th></tr></thead>
<tbody>{{#CHECKIN}}<tr><td>{{DATE}}</td><td>{{TIME}}</td><td>{{CONTENT}}</td></tr>
{{/CHECKIN}}</tbody></table>
</section>
<section class="mt-4">
<h2 class="h5">退款记录</h2>
{{#NO_REFUNDS}}<p class="text-muted">暂无退款记录。</p>{{/NO_REFUNDS}}
<table class="table table-sm"><thead><tr><th scope="col">时间</th><th scope="col">金额</th><th scope="col">状态</th><th scope="col">审核</th><th scope="col">操作人</th></tr></thead>
<tbody>{{#REFUND}}<tr><td>{{TIME}}</td><td class="money">¥{{AMOUNT}}</td><td>{{STATUS}}</td><td>{{AUDIT}}</td><td>{{AUDITOR}}</td></tr>
{{/REFUND}}</tbody></table>
</section>
<section class="mt-4" id="notices">
<h2 class="h5">通知记录</h2>
{{#NO_NOTICES}}<p class="text-muted">暂无通知。</p>{{/NO_NOTICES}}
<table class="table table-sm"><thead><tr><th scope="col">时间</th><th scope="col">通知</th><th scope="col">渠道</th><th scope="col">接收人</th><th scope="col">送达状态</th><th scope="col">内容</th></tr></thead>
<tbody>{{#NOTICE}}<tr class="notice-row notice-row_{{STATUS}}"><td class="text-nowrap">{{TIME}}</td><td class="text-nowrap">{{LABEL}}</td><td class="text-nowrap">{{CHANNEL}}</td><td class="text-nowrap">{{RECIPIENT}}</td><td>{{STATUS_LABEL}} <span class="text-muted small">{{DETAIL}}</span></td><td class="small">{{CONTENT}}</td></tr>
{{/NOTICE}}</tbody></table>
</section>
