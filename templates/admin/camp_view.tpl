{{! admin/camp_view.tpl: 训练营详情 with the tabs 概览 / 报名列表 / 打卡情况 / 退款情况 (PRD 4.2.1.3). }}
{{%AUTOESCAPE context="HTML"}}
<div class="page-head page-head_actions">
<h1 class="page-head__title">{{NAME}} <span class="badge camp-badge camp-badge_{{STATUS}}">{{STATUS_LABEL}}</span>{{#ARCHIVED}} <span class="badge text-bg-secondary" title="结束超过 3 个月，只读">已归档</span>{{/ARCHIVED}}</h1>
<div class="d-flex gap-2">
{{#WRITABLE}}<a class="btn btn-outline-primary" href="/admin/camps/{{ID}}/edit">编辑</a>
<form method="post" action="/admin/camps/{{ID}}/sync">
<input type="hidden" name="_csrf" value="{{CSRF}}">
<button class="btn btn-outline-secondary" type="submit">立即同步</button>
</form>{{/WRITABLE}}
{{#CAN_DELETE}}<form method="post" action="/admin/camps/{{ID}}/delete" data-confirm-button="删除" data-confirm="确定删除训练营“{{NAME}}”吗？删除后会员将无法报名。">
<input type="hidden" name="_csrf" value="{{CSRF}}">
<button class="btn btn-outline-danger" type="submit">删除</button>
</form>{{/CAN_DELETE}}
{{#CAN_CANCEL}}<a class="btn btn-outline-danger" href="#cancel">取消训练营</a>{{/CAN_CANCEL}}
</div>
</div>
<nav aria-label="训练营详情">
<ul class="nav nav-tabs mb-3">
<li class="nav-item"><a class="nav-link" href="/admin/camps/{{ID}}?tab=overview" aria-current="{{TAB_OVERVIEW}}">概览</a></li>
<li class="nav-item"><a class="nav-link" href="/admin/camps/{{ID}}?tab=members" aria-current="{{TAB_MEMBERS}}">报名列表</a></li>
<li class="nav-item"><a class="nav-link" href="/admin/camps/{{ID}}?tab=checkins" aria-current="{{TAB_CHECKINS}}">打卡情况</a></li>
<li class="nav-item"><a class="nav-link" href="/admin/camps/{{ID}}?tab=refunds" aria-current="{{TAB_REFUNDS}}">退款情况</a></li>
</ul>
</nav>
{{#CANCELLED}}<div class="alert alert-warning" role="status">该训练营已取消：已从报名页下线，待支付订单已关闭或正在关闭，已支付会员的全额退款在<a href="/admin/refunds/pending?camp_id={{ID}}">退款审核</a>中。</div>
{{/CANCELLED}}
{{#LATER}}<div class="alert alert-warning" role="status">此标签页的数据暂时无法读取，请稍后刷新。</div>
{{/LATER}}
{{>PROGRESS}}
{{>TAB}}
{{#OVERVIEW}}<div class="row g-4">
<div class="col-lg-7">
<section class="card">
<div class="card-body camp-card-admin">
<img class="camp-card-admin__poster" src="{{POSTER_URL}}" alt="{{NAME}} 海报" width="320" height="180">
<dl class="row mb-0">
<dt class="col-sm-3">押金</dt><dd class="col-sm-9 money">¥{{DEPOSIT}}</dd>
<dt class="col-sm-3">日期</dt><dd class="col-sm-9">{{START_DATE}} 至 {{END_DATE}}</dd>
<dt class="col-sm-3">打卡要求</dt><dd class="col-sm-9">{{RULE}}</dd>
<dt class="col-sm-3">人数上限</dt><dd class="col-sm-9">{{CAPACITY}}</dd>
<dt class="col-sm-3">知识星球项目ID</dt><dd class="col-sm-9">{{PLANET_PROJECT_ID}}</dd>
<dt class="col-sm-3">教练</dt><dd class="col-sm-9">{{#COACH}}<span class="staff-chip">{{NAME}}</span>{{/COACH}}</dd>
<dt class="col-sm-3">志愿者</dt><dd class="col-sm-9">{{#VOLUNTEER}}<span class="staff-chip">{{NAME}}</span>{{/VOLUNTEER}}</dd>
<dt class="col-sm-3">项目介绍</dt><dd class="col-sm-9 md">{{DESCRIPTION:x-markdown}}</dd>
</dl>
</div>
</section>
</div>
<div class="col-lg-5">
<section class="stat-grid mb-4" aria-label="数据统计">
<div class="stat"><p class="stat__label">报名人数</p><p class="stat__value">{{STAT_MEMBERS}}</p></div>
<div class="stat"><p class="stat__label">支付金额总计</p><p class="stat__value money">¥{{STAT_PAID}}</p></div>
<div class="stat"><p class="stat__label">平均打卡率</p><p class="stat__value">{{STAT_RATE}}%</p></div>
<div class="stat"><p class="stat__label">退款金额总计</p><p class="stat__value money">¥{{STAT_REFUNDED}}</p></div>
<div class="stat"><p class="stat__label">退款完成率</p><p class="stat__value">{{STAT_REFUND_RATE}}%</p></div>
</section>
<section class="card" id="qrcode">
<div class="card-body">
<h2 class="h6">H5 报名链接和二维码</h2>
<p><input class="form-control" readonly value="{{ENROLL_URL}}" aria-label="H5 报名链接"></p>
<img class="enroll-qr" src="/admin/camps/{{ID}}/qrcode.png" alt="报名二维码" width="200" height="200">
<p><a class="btn btn-sm btn-outline-primary" href="/admin/camps/{{ID}}/qrcode.png" download="camp-{{ID}}-qrcode.png">下载二维码</a></p>
<h2 class="h6 mt-3">群二维码</h2>
<img class="group-qr" src="{{GROUP_QR_URL}}" alt="群二维码" width="160" height="160">
</div>
</section>
</div>
</div>
{{#CAN_CANCEL}}<section class="card border-danger mt-4" id="cancel">
<div class="card-body">
<h2 class="h5 text-danger">取消训练营</h2>
<p>{{CONSEQUENCE}}</p>
<form method="post" action="/admin/camps/{{ID}}/cancel" data-confirm="{{CONSEQUENCE}}" data-confirm-button="确认取消训练营">
<input type="hidden" name="_csrf" value="{{CSRF}}">
<label class="form-label" for="cancel-password">你的登录密码（必填）</label>
<input class="form-control mb-2" id="cancel-password" name="confirm_password" type="password" autocomplete="current-password" required>
<button class="btn btn-danger" type="submit">取消训练营</button>
</form>
</div>
</section>{{/CAN_CANCEL}}
{{/OVERVIEW}}
