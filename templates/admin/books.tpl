{{! admin/books.tpl: 对账 — each day's books and, for one day, its differences; the body of layout_admin.tpl. }}
{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
<h1 class="page-head__title">对账</h1>
<p class="page-head__desc">每天 04:00 自动核对：资金不变量（每笔成功支付都有归属、报名人数与已支付会员一致、退款不超过实收、每笔支付至多一个有效退款、退款状态与退款记录一致、各训练营 收款 − 退款 = 结余），以及微信支付交易账单与本系统逐笔核对到分。微信在次日 10 点后才提供前一天的账单，所以 04:00 核对的是前天的账单；未能核对的日子会在之后几天自动重试。</p>
</div>
{{#DATE_ERR}}<div class="alert alert-warning" role="alert">{{TEXT}}</div>
{{/DATE_ERR}}
{{#DETAIL}}<section class="mb-4" aria-labelledby="detail-title">
<h2 class="h5" id="detail-title">账单日 {{DATE}}</h2>
{{#NEVER}}<div class="alert alert-info" role="status">这一天还没有对账记录。可在服务器上运行 <code>campctl books --date {{DATE}}</code>。</div>
{{/NEVER}}
{{#RUN}}<p><span class="badge text-bg-{{RESULT_CLASS}}">{{RESULT}}</span>
{{TRIGGER}}于 {{STARTED}} 核对；微信账单：{{BILL_STATUS}}（<span class="num">{{BILL_LINES}}</span> 行，收款 <span class="money">¥{{BILL_PAID}}</span>，退款 <span class="money">¥{{BILL_REFUND}}</span>）；资金核对差异 <span class="num">{{INVARIANT_DIFFS}}</span> 处，账单差异 <span class="num">{{BILL_DIFFS}}</span> 处。</p>
{{#BILL_ERROR}}<div class="alert alert-warning" role="status">微信账单未核对：{{TEXT}}</div>
{{/BILL_ERROR}}
{{/RUN}}
{{#HOLDS}}<div class="alert alert-success" role="status">这一天的账目全部一致。</div>
{{/HOLDS}}
{{#NO_DIFFS}}<div class="alert alert-info" role="status">资金核对没有差异，但微信账单尚未核对。</div>
{{/NO_DIFFS}}
{{#DIFFS}}<div class="table-responsive">
<table class="table table-sm align-middle">
<thead><tr><th scope="col">检查项</th><th scope="col">单号</th><th scope="col">训练营</th><th scope="col" class="text-end">左值</th><th scope="col" class="text-end">右值</th><th scope="col">状态</th><th scope="col">说明</th></tr></thead>
<tbody>
{{#DIFF}}<tr>
<td>{{CHECK}}<br><code class="text-muted">{{CODE}}</code></td>
<td><code>{{REF}}</code></td>
<td>{{#CAMP}}<a href="/admin/camps/{{ID}}">{{NAME}}</a>{{/CAMP}}</td>
<td class="text-end"><small class="text-muted">{{LEFT_LABEL}}</small><br><span class="money">{{LEFT}}</span></td>
<td class="text-end"><small class="text-muted">{{RIGHT_LABEL}}</small><br><span class="money">{{RIGHT}}</span></td>
<td>{{#STATES}}<code>{{LEFT}}</code> / <code>{{RIGHT}}</code>{{/STATES}}</td>
<td>{{TEXT}}</td>
</tr>
{{/DIFF}}
</tbody>
</table>
</div>
<form method="get" action="/admin/books"><input type="hidden" name="date" value="{{DATE}}"><button class="btn btn-outline-secondary btn-sm" type="submit" name="format" value="csv">导出这一天的差异（CSV）</button>
<button class="btn btn-outline-secondary btn-sm" type="submit" name="format" value="xlsx">（Excel）</button></form>
{{/DIFFS}}
</section>
{{/DETAIL}}
<form class="filter-bar" method="get" action="/admin/books">
<div>
<label class="form-label" for="from">开始日期</label>
<input class="form-control{{#FROM_ERR}} is-invalid{{/FROM_ERR}}" type="date" id="from" name="from" value="{{FROM}}">
{{#FROM_ERR}}<div class="invalid-feedback d-block">{{TEXT}}</div>
{{/FROM_ERR}}
</div>
<div>
<label class="form-label" for="to">结束日期</label>
<input class="form-control{{#TO_ERR}} is-invalid{{/TO_ERR}}" type="date" id="to" name="to" value="{{TO}}">
{{#TO_ERR}}<div class="invalid-feedback d-block">{{TEXT}}</div>
{{/TO_ERR}}
</div>
<div>
<button class="btn btn-primary" type="submit">筛选</button>
<button class="btn btn-outline-secondary" type="submit" name="format" value="csv">导出差异 CSV</button>
<button class="btn btn-outline-secondary" type="submit" name="format" value="xlsx">导出差异 Excel</button>
</div>
</form>
{{#NO_DAYS}}<div class="alert alert-info" role="status">还没有对账记录。对账任务每天 04:00 运行，也可以在服务器上运行 <code>campctl books</code>。</div>
{{/NO_DAYS}}
{{#DAYS}}<div class="table-responsive">
<table class="table table-sm align-middle">
<thead><tr><th scope="col">账单日</th><th scope="col">结果</th><th scope="col">微信账单</th><th scope="col" class="text-end">账单行数</th><th scope="col" class="text-end">资金核对差异</th><th scope="col" class="text-end">账单差异</th><th scope="col">核对时间</th><th scope="col" class="text-end">操作</th></tr></thead>
<tbody>
{{#DAY}}<tr>
<td class="text-nowrap">{{DATE}}</td>
<td><span class="badge text-bg-{{RESULT_CLASS}}">{{RESULT}}</span></td>
<td>{{BILL_STATUS}}{{#BILL_ERROR}}<br><small class="text-muted">{{TEXT}}</small>{{/BILL_ERROR}}</td>
<td class="text-end num">{{BILL_LINES}}</td>
<td class="text-end num">{{INVARIANT_DIFFS}}</td>
<td class="text-end num">{{BILL_DIFFS}}</td>
<td class="text-nowrap">{{STARTED}}（{{TRIGGER}}）</td>
<td class="text-end"><a href="/admin/books?date={{DATE}}">查看</a></td>
</tr>
{{/DAY}}
</tbody>
</table>
</div>
{{/DAYS}}
