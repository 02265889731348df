{{! admin/payment_exceptions.tpl: 支付异常 — callbacks that were verified but could not be applied. }}
{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
<h1 class="page-head__title">支付异常</h1>
<p class="page-head__desc">已确认到账、但无法计入报名的付款（金额不符、未知订单、订单已关闭、星球ID重复、训练营已取消）。这些款项需要全额退回；微信拒绝退款 3 次的记为“退款失败”，请核实后标记“已处理”或“已线下退款”。</p>
</div>
<form class="filter-bar row g-2 align-items-end" method="get" action="/admin/payments/exceptions">
<input type="hidden" name="camp_id" value="{{CAMP_ID}}">
<div class="col-auto"><label class="form-label" for="f-status">状态</label>
<select class="form-select" id="f-status" name="status">
{{#STATUS_OPTION}}<option value="{{VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{LABEL}}</option>
{{/STATUS_OPTION}}
</select></div>
<div class="col-auto"><button class="btn btn-outline-primary" type="submit">筛选</button>
<button class="btn btn-outline-secondary" type="submit" name="format" value="csv">导出 CSV</button>
<button class="btn btn-outline-secondary" type="submit" name="format" value="xlsx">导出 Excel</button></div>
</form>
{{#EMPTY}}<div class="alert alert-light" role="status">没有支付异常。微信支付回调无法计入报名时会出现在这里。</div>
{{/EMPTY}}
<div class="table-responsive">
<table class="table table-sm align-middle">
<thead><tr><th scope="col">时间</th><th scope="col">训练营</th><th scope="col">商户单号 / 交易单号</th><th scope="col" class="text-end">金额</th><th scope="col">付款人</th><th scope="col">原因</th><th scope="col">状态</th><th scope="col" class="text-end">操作</th></tr></thead>
<tbody>
{{#ROW}}<tr data-exception-id="{{ID}}">
<td class="text-nowrap">{{TIME}}</td><td>{{CAMP}}</td>
<td><code>{{ORDER_NO}}</code><br><code class="text-muted">{{TRANSACTION_ID}}</code></td>
<td class="text-end money">¥{{AMOUNT}}</td><td><code>{{PAYER}}</code></td>
<td>{{REASON}}<br><small class="text-muted">{{DETAIL}}</small></td><td>{{STATUS}}</td>
<td class="text-end">{{#ACTIONS}}
{{#CAN_REFUND}}<form method="post" action="/admin/payments/exceptions/{{ID}}/refund" data-confirm="将向付款人原路全额退款 ¥{{AMOUNT}}，确定吗？" data-confirm-button="全额退款"><input type="hidden" name="_csrf" value="{{CSRF}}"><button class="btn btn-sm btn-outline-danger" type="submit">全额退款</button></form>{{/CAN_REFUND}}
<form class="d-flex gap-1 mt-1" method="post" action="/admin/payments/exceptions/{{ID}}/resolve"><input type="hidden" name="_csrf" value="{{CSRF}}"><label class="visually-hidden" for="reason-{{ID}}">处理说明</label><input class="form-control form-control-sm" id="reason-{{ID}}" name="reason" maxlength="200" placeholder="处理说明" required><button class="btn btn-sm btn-outline-secondary" type="submit">已处理</button></form>
{{#CAN_OFFLINE}}<form class="d-flex gap-1 mt-1" method="post" action="/admin/payments/exceptions/{{ID}}/resolve" data-confirm="确认已在系统外把 ¥{{AMOUNT}} 退给付款人？此操作会把该笔款项记为已退款。" data-confirm-button="已线下退款"><input type="hidden" name="_csrf" value="{{CSRF}}"><input type="hidden" name="outcome" value="offline"><label class="visually-hidden" for="offline-{{ID}}">线下退款说明</label><input class="form-control form-control-sm" id="offline-{{ID}}" name="reason" maxlength="200" placeholder="如何退回的" required><button class="btn btn-sm btn-outline-danger" type="submit">已线下退款</button></form>{{/CAN_OFFLINE}}
{{/ACTIONS}}</td>
</tr>
{{/ROW}}
</tbody>
</table>
</div>
<form class="pager d-flex align-items-center gap-2" method="get" action="/admin/payments/exceptions">
<input type="hidden" name="status" value="{{STATUS}}">
<input type="hidden" name="camp_id" value="{{CAMP_ID}}">
<span class="text-muted">共 {{TOTAL}} 条，第 {{PAGE}} 页</span>
{{#PREV}}<button class="btn btn-sm btn-outline-secondary" type="submit" name="page" value="{{N}}">上一页</button>{{/PREV}}
{{#NEXT}}<button class="btn btn-sm btn-outline-secondary" type="submit" name="page" value="{{N}}">下一页</button>{{/NEXT}}
</form>
