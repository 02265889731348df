{{! admin/refunds_pending.tpl: 待审核 — refund proposals awaiting a decision, plus members not proposed. }}
{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
<h1 class="page-head__title">待审核退款</h1>
<p class="page-head__desc">训练营结束后按打卡结果生成的退款提议。单条通过可不限匹配度；批量通过只处理不低于“最低匹配度”的提议。</p>
</div>
<form class="filter-bar row g-2 align-items-end" method="get" action="/admin/refunds/pending">
<div class="col-auto"><label class="form-label" for="f-camp">训练营ID</label>
<input class="form-control" id="f-camp" name="camp_id" inputmode="numeric" value="{{CAMP_ID}}"></div>
<div class="col-auto"><label class="form-label" for="f-bind">绑定状态</label>
<select class="form-select" id="f-bind" name="bind_status">
{{#BIND_OPTION}}<option value="{{VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{LABEL}}</option>
{{/BIND_OPTION}}
</select></div>
<div class="col-auto"><button class="btn btn-outline-primary" type="submit">筛选</button></div>
</form>
{{#EMPTY}}<div class="alert alert-light" role="status">没有待审核的退款。</div>
{{/EMPTY}}
<form id="batch" method="post" action="/admin/refunds/approve">
<input type="hidden" name="_csrf" value="{{CSRF}}">
<div class="table-responsive">
<table class="table table-sm align-middle">
<thead><tr><th scope="col">选择</th><th scope="col">会员（星球昵称 / 星球ID / 微信昵称）</th><th scope="col">训练营</th><th scope="col" class="text-end">支付金额</th><th scope="col">打卡</th><th scope="col">绑定状态 / 方式</th><th scope="col">匹配度</th><th scope="col">自动判断</th><th scope="col">操作</th></tr></thead>
<tbody>
{{#ROW}}<tr id="refund-{{ID}}">
<td><input class="form-check-input" type="checkbox" name="ids" value="{{ID}}" aria-label="选择退款 {{ID}}"></td>
<td>{{MEMBER}}</td><td>{{CAMP}}</td><td class="text-end money">¥{{AMOUNT}}</td>
<td>{{DAYS}}/{{REQUIRED}}天</td><td>{{BIND}} <small class="text-muted">{{BIND_METHOD}}</small></td>
<td>{{CONFIDENCE}}</td><td>{{JUDGE}}</td>
<td class="text-nowrap">
<button class="btn btn-sm btn-success" type="submit" form="approve-{{ID}}">通过</button>
<button class="btn btn-sm btn-outline-danger" type="submit" form="reject-{{ID}}">拒绝</button>
</td>
</tr>
{{/ROW}}
</tbody>
</table>
</div>
<div class="row g-2 align-items-end">
<div class="col-auto"><label class="form-label" for="b-conf">最低匹配度</label>
<input class="form-control" id="b-conf" name="min_confidence" inputmode="numeric" value="100"></div>
<div class="col-auto"><label class="form-label" for="b-reason">原因（批量拒绝必填）</label>
<input class="form-control" id="b-reason" name="reason" maxlength="200"></div>
<div class="col-auto"><button class="btn btn-primary" type="submit">批量通过</button>
<button class="btn btn-outline-danger" type="submit" formaction="/admin/refunds/reject">批量拒绝</button></div>
</div>
<p class="text-muted">共 {{COUNT}} 条，合计 ¥{{SUM}}</p>
</form>
{{#ROW}}<form id="approve-{{ID}}" method="post" action="/admin/refunds/approve" data-confirm="{{CONFIRM}}" data-confirm-button="通过">
<input type="hidden" name="_csrf" value="{{CSRF}}"><input type="hidden" name="ids" value="{{ID}}"></form>
<form id="reject-{{ID}}" method="post" action="/admin/refunds/reject" class="mt-1">
<input type="hidden" name="_csrf" value="{{CSRF}}"><input type="hidden" name="ids" value="{{ID}}">
<label class="form-label" for="reason-{{ID}}">退款 #{{ID}} 拒绝原因（必填）</label>
<input class="form-control form-control-sm" id="reason-{{ID}}" name="reason" required maxlength="200"></form>
{{/ROW}}
{{#HAS_UNMATCHED}}<h2 class="h5 mt-4">需人工绑定</h2>
<p class="text-muted">符合退款条件，但身份未确认（星球ID与昵称未同时匹配，且未人工绑定），需先人工绑定才会生成退款提议。</p>
<table class="table table-sm"><thead><tr><th scope="col">会员</th><th scope="col">训练营</th><th scope="col">打卡</th><th scope="col">绑定状态</th><th scope="col" class="text-end">匹配度</th><th scope="col"></th></tr></thead><tbody>
{{#UNMATCHED}}<tr class="unmatched"><td>{{MEMBER}}</td><td>{{CAMP}}</td><td>{{DAYS}}/{{REQUIRED}}天</td><td>{{BIND}}</td><td class="text-end num">{{CONFIDENCE}}</td><td><a href="/admin/members/{{MEMBER_ID}}#bind">去绑定</a></td></tr>
{{/UNMATCHED}}</tbody></table>
{{/HAS_UNMATCHED}}
{{#HAS_NEAR}}<h2 class="h5 mt-4">临界（差 1–2 天，默认不退）</h2>
<table class="table table-sm"><thead><tr><th scope="col">会员</th><th scope="col">训练营</th><th scope="col">打卡</th><th scope="col">自动判断</th></tr></thead><tbody>
{{#NEAR}}<tr class="near-miss"><td>{{MEMBER}}</td><td>{{CAMP}}</td><td>{{DAYS}}/{{REQUIRED}}天</td><td>{{JUDGE}}</td></tr>
{{/NEAR}}</tbody></table>
{{/HAS_NEAR}}
