{{! admin/refunds.tpl: 退款记录 — decided refunds (paged), filters, failure reasons, follow-ups, 重新提议 and exports. }}
{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
<h1 class="page-head__title">退款记录</h1>
</div>
<form class="filter-bar row g-2 align-items-end" method="get" action="/admin/refunds">
<div class="col-auto"><label class="form-label" for="f-camp">训练营</label>
<select class="form-select" id="f-camp" name="camp_id">
<option value="">全部训练营</option>
{{#CAMP_OPTION}}<option value="{{ID}}"{{#SELECTED}} selected{{/SELECTED}}>{{NAME}}</option>
{{/CAMP_OPTION}}
</select></div>
<div class="col-auto"><label class="form-label" for="f-status">退款状态</label>
<select class="form-select" id="f-status" name="status">
{{#STATUS_OPTION}}<option value="{{VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{LABEL}}</option>
{{/STATUS_OPTION}}
</select></div>
<div class="col-auto"><label class="form-label" for="f-from">从</label><input class="form-control" type="date" id="f-from" name="from" value="{{FROM}}"></div>
<div class="col-auto"><label class="form-label" for="f-to">到</label><input class="form-control" type="date" id="f-to" name="to" value="{{TO}}"></div>
<div class="col-auto"><button class="btn btn-outline-primary" type="submit">筛选</button>
<button class="btn btn-outline-secondary" type="submit" name="format" value="csv">导出 CSV</button>
<button class="btn btn-outline-secondary" type="submit" name="format" value="xlsx">导出 Excel</button></div>
</form>
<p class="text-muted">共 <span class="num">{{TOTAL}}</span> 条{{#PAGES}}，第 {{PAGE}} / {{NPAGES}} 页{{/PAGES}}</p>
{{#EMPTY}}<div class="alert alert-light" role="status">没有符合条件的退款记录。</div>
{{/EMPTY}}
<div class="table-responsive">
<table class="table table-sm align-middle refund-records">
<thead><tr><th scope="col">#</th><th scope="col">会员</th><th scope="col">训练营</th><th scope="col" class="text-end">退款金额</th><th scope="col">审核时间</th><th scope="col">审核人</th><th scope="col">退款状态</th><th scope="col">失败原因 / 备注</th><th scope="col">操作</th></tr></thead>
<tbody>
{{#ROW}}<tr id="refund-{{ID}}" data-status="{{STATUS}}">
<td>{{ID}}<br><small class="text-muted">第 {{ATTEMPT}} 次 <code>{{OUT_REFUND_NO}}</code></small></td>
<td>{{MEMBER}}{{#MANUAL}}<br><span class="badge text-bg-info manual-badge">人工提议 · {{BY}}</span> <small class="text-muted">{{REASON}}</small>{{/MANUAL}}</td><td>{{CAMP}}</td><td class="text-end money">¥{{AMOUNT}}</td>
<td class="text-nowrap">{{AUDIT_TIME}}</td><td>{{AUDITOR}}</td><td>{{STATUS_LABEL}}</td><td>{{REASON}}</td>
<td class="text-nowrap">
{{#RETRY}}<form method="post" action="/admin/refunds/{{ID}}/retry" data-confirm="重新提交这笔退款（同一退款单号）？"><input type="hidden" name="_csrf" value="{{CSRF}}"><input type="hidden" name="action" value="retry"><button class="btn btn-sm btn-primary" type="submit">重试</button></form>{{/RETRY}}
{{#ATTEMPT_AGAIN}}<form method="post" action="/admin/refunds/{{ID}}/retry" data-confirm="以新的退款单号重新发起退款 ¥{{AMOUNT}}？"><input type="hidden" name="_csrf" value="{{CSRF}}"><input type="hidden" name="action" value="attempt"><button class="btn btn-sm btn-primary" type="submit">重新发起</button></form>{{/ATTEMPT_AGAIN}}
{{#OFFLINE}}<form method="post" action="/admin/refunds/{{ID}}/retry" data-confirm="确认已线下退还 ¥{{AMOUNT}}？"><input type="hidden" name="_csrf" value="{{CSRF}}"><input type="hidden" name="action" value="offline"><button class="btn btn-sm btn-outline-secondary" type="submit">已线下退款</button></form>{{/OFFLINE}}
{{#REOPEN}}<form class="d-flex gap-1" method="post" action="/admin/refunds/{{ID}}/reopen">
<input type="hidden" name="_csrf" value="{{CSRF}}">
<label class="visually-hidden" for="reopen-{{ID}}">重新提议原因</label>
<input class="form-control form-control-sm" id="reopen-{{ID}}" name="reason" maxlength="200" required placeholder="重新提议原因">
<button class="btn btn-sm btn-outline-primary" type="submit">重新提议</button></form>{{/REOPEN}}
</td>
</tr>
{{/ROW}}
</tbody>
</table>
</div>
{{#PAGES}}<nav class="d-flex gap-2" aria-label="分页">
{{#PREV}}<form method="get" action="/admin/refunds"><input type="hidden" name="camp_id" value="{{CAMP_ID}}"><input type="hidden" name="status" value="{{STATUS}}"><input type="hidden" name="from" value="{{FROM}}"><input type="hidden" name="to" value="{{TO}}">
<button class="btn btn-outline-secondary btn-sm" type="submit" name="page" value="{{N}}">上一页</button></form>
{{/PREV}}
{{#NEXT}}<form method="get" action="/admin/refunds"><input type="hidden" name="camp_id" value="{{CAMP_ID}}"><input type="hidden" name="status" value="{{STATUS}}"><input type="hidden" name="from" value="{{FROM}}"><input type="hidden" name="to" value="{{TO}}">
<button class="btn btn-outline-secondary btn-sm" type="submit" name="page" value="{{N}}">下一页</button></form>
{{/NEXT}}
</nav>
{{/PAGES}}
