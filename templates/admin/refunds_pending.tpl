{{! admin/refunds_pending.tpl: 待审核 — refund proposals awaiting a decision (paged, selectable), plus members not proposed: 需人工绑定 and 临界. }}
{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
<h1 class="page-head__title">待审核退款</h1>
<p class="page-head__desc">训练营结束后按打卡结果生成的退款提议，以及人工提议的退款。单条通过可不限匹配度；批量通过只处理不低于“最低匹配度”的提议。</p>
</div>
<form class="filter-bar row g-2 align-items-end" method="get" action="/admin/refunds/pending">
<div class="col-auto"><label class="form-label" for="f-camp">训练营</label>
<select class="form-select" id="f-camp" name="camp_id">
<option value="">全部训练营</option>
{{#CAMP_OPTION}}<option value="{{ID}}"{{#SELECTED}} selected{{/SELECTED}}>{{NAME}}</option>
{{/CAMP_OPTION}}
</select></div>
<div class="col-auto"><label class="form-label" for="f-bind">绑定状态</label>
<select class="form-select" id="f-bind" name="bind_status">
{{#BIND_OPTION}}<option value="{{VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{LABEL}}</option>
{{/BIND_OPTION}}
</select></div>
<div class="col-auto"><button class="btn btn-outline-primary" type="submit">筛选</button>
<button class="btn btn-outline-secondary" type="submit" name="format" value="csv">导出 CSV</button>
<button class="btn btn-outline-secondary" type="submit" name="format" value="xlsx">导出 Excel</button></div>
</form>
<p class="text-muted">共 <span class="num" id="pending-count">{{COUNT}}</span> 条，合计 <span class="money" id="pending-sum">¥{{SUM}}</span>{{#PAGES}}，第 {{PAGE}} / {{NPAGES}} 页{{/PAGES}}</p>
{{#EMPTY}}<div class="alert alert-light" role="status">没有待审核的退款。</div>
{{/EMPTY}}
<form id="batch" method="post" action="/admin/refunds/approve">
<input type="hidden" name="_csrf" value="{{CSRF}}">
<div class="table-responsive">
<table class="table table-sm align-middle refunds-pending">
<thead><tr><th scope="col"><input class="form-check-input" type="checkbox" id="select-all" aria-label="选择本页全部"></th><th scope="col">会员（星球昵称 / 星球ID / 微信昵称）</th><th scope="col">训练营</th><th scope="col" class="text-end">支付金额</th><th scope="col">打卡</th><th scope="col">绑定状态 / 方式</th><th scope="col">匹配度</th><th scope="col">自动判断</th><th scope="col">操作</th></tr></thead>
<tbody>
{{#ROW}}<tr id="refund-{{ID}}">
<td><input class="form-check-input refund-pick" type="checkbox" name="ids" value="{{ID}}" data-fen="{{FEN}}" aria-label="选择退款 {{ID}}"></td>
<td>{{MEMBER}}{{#MANUAL}}<br><span class="badge text-bg-info manual-badge">人工提议 · {{BY}}</span> <small class="text-muted">{{REASON}}</small>{{/MANUAL}}</td><td>{{CAMP}}</td><td class="text-end money">¥{{AMOUNT}}</td>
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
<p class="selection" id="selection" aria-live="polite">已选 <strong id="sel-count">0</strong> 条，合计 <strong class="money" id="sel-sum">¥0.00</strong></p>
<div class="row g-2 align-items-end">
<div class="col-auto"><label class="form-label" for="b-conf">最低匹配度</label>
<input class="form-control" id="b-conf" name="min_confidence" inputmode="numeric" value="100"></div>
<div class="col-auto"><label class="form-label" for="b-reason">原因（批量拒绝必填）</label>
<input class="form-control" id="b-reason" name="reason" maxlength="200"></div>
<div class="col-auto"><button class="btn btn-primary" type="submit" id="batch-approve">批量通过</button>
<button class="btn btn-outline-danger" type="submit" formaction="/admin/refunds/reject">批量拒绝</button></div>
</div>
</form>
{{#PAGES}}<nav class="d-flex gap-2 mt-2" aria-label="分页">
{{#PREV}}<form method="get" action="/admin/refunds/pending"><input type="hidden" name="camp_id" value="{{CAMP_ID}}"><input type="hidden" name="bind_status" value="{{BIND_STATUS}}">
<button class="btn btn-outline-secondary btn-sm" type="submit" name="page" value="{{N}}">上一页</button></form>
{{/PREV}}
{{#NEXT}}<form method="get" action="/admin/refunds/pending"><input type="hidden" name="camp_id" value="{{CAMP_ID}}"><input type="hidden" name="bind_status" value="{{BIND_STATUS}}">
<button class="btn btn-outline-secondary btn-sm" type="submit" name="page" value="{{N}}">下一页</button></form>
{{/NEXT}}
</nav>
{{/PAGES}}
{{#ROW}}<form id="approve-{{ID}}" method="post" action="/admin/refunds/approve" data-confirm="{{CONFIRM}}" data-confirm-button="通过">
<input type="hidden" name="_csrf" value="{{CSRF}}"><input type="hidden" name="ids" value="{{ID}}"></form>
<form id="reject-{{ID}}" method="post" action="/admin/refunds/reject" class="mt-1">
<input type="hidden" name="_csrf" value="{{CSRF}}"><input type="hidden" name="ids" value="{{ID}}">
<label class="form-label" for="reason-{{ID}}">退款 #{{ID}} 拒绝原因（必填）</label>
<input class="form-control form-control-sm" id="reason-{{ID}}" name="reason" required maxlength="200"></form>
{{/ROW}}
{{#HAS_UNMATCHED}}<h2 class="h5 mt-4">需人工绑定（{{COUNT}} 人）</h2>
<p class="text-muted">符合退款条件，但身份未确认（星球ID与昵称未同时匹配，且未人工绑定），需先人工绑定才会生成退款提议；确实无法匹配或信息异常时可关闭绑定（不退款）。{{#MORE}}仅显示前 {{SHOWN}} 人，请按训练营筛选。{{/MORE}}</p>
<table class="table table-sm"><thead><tr><th scope="col">会员</th><th scope="col">训练营</th><th scope="col">打卡</th><th scope="col">绑定状态</th><th scope="col" class="text-end">匹配度</th><th scope="col">操作</th></tr></thead><tbody>
{{#UNMATCHED}}<tr class="unmatched" data-member-id="{{MEMBER_ID}}"><td>{{MEMBER}}</td><td>{{CAMP}}</td><td>{{DAYS}}/{{REQUIRED}}天</td><td>{{BIND}}</td><td class="text-end num">{{CONFIDENCE}}</td>
<td class="text-nowrap">{{#CAN_MANAGE}}<a class="btn btn-sm btn-link" href="/admin/members/{{MEMBER_ID}}#bind">去绑定</a>{{/CAN_MANAGE}}
{{#CAN_CLOSE}}<form class="d-inline-flex gap-1" method="post" action="/admin/members/{{MEMBER_ID}}/close-binding" data-confirm="关闭绑定后该会员不会进入退款名单，确定吗？" data-confirm-button="关闭绑定">
<input type="hidden" name="_csrf" value="{{CSRF}}"><input type="hidden" name="back" value="/admin/refunds/pending">
<label class="visually-hidden" for="close-{{MEMBER_ID}}">关闭原因</label>
<select class="form-select form-select-sm" id="close-{{MEMBER_ID}}" name="reason"><option value="无法匹配">无法匹配</option><option value="信息异常">信息异常</option></select>
<button class="btn btn-sm btn-outline-secondary" type="submit">关闭绑定</button></form>{{/CAN_CLOSE}}</td></tr>
{{/UNMATCHED}}</tbody></table>
{{/HAS_UNMATCHED}}
{{#HAS_NEAR}}<h2 class="h5 mt-4">临界（差 1–2 天，默认不退；{{COUNT}} 人）</h2>
<p class="text-muted">有异议时可手动提议退款（需填写原因），提议仍需审核。{{#MORE}}仅显示前 {{SHOWN}} 人，请按训练营筛选。{{/MORE}}</p>
<table class="table table-sm"><thead><tr><th scope="col">会员</th><th scope="col">训练营</th><th scope="col">打卡</th><th scope="col">自动判断</th><th scope="col">操作</th></tr></thead><tbody>
{{#NEAR}}<tr class="near-miss" data-member-id="{{MEMBER_ID}}"><td>{{MEMBER}}</td><td>{{CAMP}}</td><td>{{DAYS}}/{{REQUIRED}}天</td><td>{{JUDGE}}</td>
<td>{{#CAN_MANAGE}}<form class="d-flex gap-1" method="post" action="/admin/refunds/propose">
<input type="hidden" name="_csrf" value="{{CSRF}}"><input type="hidden" name="member_id" value="{{MEMBER_ID}}">
<label class="visually-hidden" for="propose-{{MEMBER_ID}}">提议原因</label>
<input class="form-control form-control-sm" id="propose-{{MEMBER_ID}}" name="reason" maxlength="200" required placeholder="提议原因（必填）">
<button class="btn btn-sm btn-outline-primary" type="submit">手动提议退款</button></form>{{/CAN_MANAGE}}</td></tr>
{{/NEAR}}</tbody></table>
{{/HAS_NEAR}}
