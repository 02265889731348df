{{! admin/camp_refunds_tab.tpl: a camp's 退款情况 tab — totals by state, 生成退款名单, every refund with its reviewer, closed bindings. }}
{{%AUTOESCAPE context="HTML"}}
<section class="mb-3 d-flex flex-wrap align-items-center gap-2">
{{#CAN_GENERATE}}<form method="post" action="/admin/camps/{{CAMP_ID}}/refund-list" data-confirm="按当前打卡与绑定结果生成退款名单？已审核的退款不会改变，人工提议的退款不会撤回。" data-confirm-button="生成">
<input type="hidden" name="_csrf" value="{{CSRF}}">
<button class="btn btn-primary" type="submit" id="generate-refund-list">生成退款名单</button>
</form>
<span class="text-muted">可重复生成：为此后完成绑定的会员新增提议，不改变已审核的退款。</span>{{/CAN_GENERATE}}
{{#NOT_FINISHED}}<p class="text-muted mb-0">训练营结束后可生成退款名单。</p>{{/NOT_FINISHED}}
<a class="ms-auto" href="/admin/refunds/pending?camp_id={{CAMP_ID}}">待审核（含临界与需人工绑定）</a>
<a href="/admin/refunds?camp_id={{CAMP_ID}}">退款记录</a>
</section>
<section class="stat-grid mb-3" aria-label="退款合计">
{{#TOTAL}}<div class="stat"><p class="stat__label">{{LABEL}}</p><p class="stat__value"><span class="num">{{COUNT}}</span> 笔 · <span class="money">¥{{AMOUNT}}</span></p></div>
{{/TOTAL}}
</section>
{{#EMPTY}}<div class="alert alert-light" role="status">还没有退款记录。训练营结束并生成退款名单后，符合条件的会员会出现在这里。</div>
{{/EMPTY}}
<div class="table-responsive">
<table class="table table-sm align-middle camp-refunds">
<thead><tr><th scope="col">#</th><th scope="col">会员（星球昵称 / 星球ID / 微信昵称）</th><th scope="col">打卡完成</th><th scope="col" class="text-end">退款金额</th><th scope="col">审核状态</th><th scope="col">退款状态</th><th scope="col">审核人</th><th scope="col">操作时间</th><th scope="col">备注</th></tr></thead>
<tbody>
{{#ROW}}<tr id="refund-{{ID}}" data-status="{{STATUS}}">
<td>{{ID}}</td>
<td><a href="/admin/members/{{MEMBER_ID}}">{{MEMBER}}</a>{{#MANUAL}}<br><span class="badge text-bg-info manual-badge">人工提议 · {{BY}}</span> <small class="text-muted">{{REASON}}</small>{{/MANUAL}}</td>
<td class="num">{{DAYS}}/{{REQUIRED}} 天</td>
<td class="text-end money">¥{{AMOUNT}}</td>
<td>{{AUDIT_LABEL}}</td><td>{{STATUS_LABEL}}</td><td>{{AUDITOR}}</td><td class="text-nowrap">{{UPDATED}}</td><td>{{REASON}}
{{#REOPEN}}<form class="d-flex gap-1 mt-1" method="post" action="/admin/refunds/{{ID}}/reopen">
<input type="hidden" name="_csrf" value="{{CSRF}}"><input type="hidden" name="back" value="/admin/camps/{{CAMP_ID}}?tab=refunds">
<label class="visually-hidden" for="reopen-{{ID}}">重新提议原因</label>
<input class="form-control form-control-sm" id="reopen-{{ID}}" name="reason" maxlength="200" required placeholder="重新提议原因">
<button class="btn btn-sm btn-outline-primary" type="submit">重新提议</button></form>{{/REOPEN}}</td>
</tr>
{{/ROW}}
</tbody>
</table>
</div>
{{#CLOSED}}<h2 class="h5 mt-4">已关闭绑定（{{COUNT}} 人，不退款）</h2>
<table class="table table-sm closed-bindings"><thead><tr><th scope="col">会员</th><th scope="col">订单号</th><th scope="col">原因</th><th scope="col">关闭时间</th><th scope="col">操作人</th></tr></thead>
<tbody>{{#MEMBER}}<tr data-member-id="{{ID}}"><td><a href="/admin/members/{{ID}}">{{NAME}}</a></td><td class="num">{{ORDER_NO}}</td><td>{{REASON}}</td><td>{{AT}}</td><td>{{BY}}</td></tr>
{{/MEMBER}}</tbody></table>
{{/CLOSED}}
