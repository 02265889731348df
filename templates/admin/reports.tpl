{{! admin/reports.tpl: 统计报表 (PRD 4.2.5.1) — period and camp filters, cards, two charts, the table per camp, exports. }}
{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
<h1 class="page-head__title">统计报表</h1>
<p class="page-head__desc">按日期与所选时间段重叠的训练营统计；金额与各训练营详情页一致（已收 = 成功支付，已退 = 退款成功或已线下退款）。</p>
</div>
<nav class="mb-2 d-flex gap-2" aria-label="时间段">
{{#SHORTCUT}}<a class="btn btn-sm btn-outline-primary report-shortcut" href="{{URL}}" aria-current="{{CURRENT}}">{{LABEL}}</a>
{{/SHORTCUT}}
<a class="btn btn-sm btn-outline-secondary" href="/admin/reports">全部时间</a>
</nav>
<form class="filter-bar row g-2 align-items-end" method="get" action="/admin/reports">
<div class="col-auto"><label class="form-label" for="f-from">自定义：从</label>
<input class="form-control{{#FROM_ERR}} is-invalid{{/FROM_ERR}}" type="date" id="f-from" name="from" value="{{FROM}}">
{{#FROM_ERR}}<div class="invalid-feedback d-block">{{TEXT}}</div>{{/FROM_ERR}}</div>
<div class="col-auto"><label class="form-label" for="f-to">到</label>
<input class="form-control{{#TO_ERR}} is-invalid{{/TO_ERR}}" type="date" id="f-to" name="to" value="{{TO}}">
{{#TO_ERR}}<div class="invalid-feedback d-block">{{TEXT}}</div>{{/TO_ERR}}</div>
<div class="col-auto"><label class="form-label" for="f-camp">训练营</label>
<select class="form-select" id="f-camp" name="camp_id">
<option value="">全部训练营</option>
{{#CAMP_OPTION}}<option value="{{ID}}"{{#SELECTED}} selected{{/SELECTED}}>{{NAME}}</option>
{{/CAMP_OPTION}}
</select></div>
<div class="col-auto"><button class="btn btn-outline-primary" type="submit">筛选</button>
<button class="btn btn-outline-secondary" type="submit" name="format" value="csv">导出 CSV</button>
<button class="btn btn-outline-secondary" type="submit" name="format" value="xlsx">导出 Excel</button></div>
</form>
<section class="stat-grid report-cards mb-4" aria-label="总体数据">
<div class="stat"><p class="stat__label">训练营</p><p class="stat__value" data-card="camps">{{CAMPS}}</p></div>
<div class="stat"><p class="stat__label">参与会员（已支付）</p><p class="stat__value" data-card="members">{{MEMBERS}}</p></div>
<div class="stat"><p class="stat__label">押金收入</p><p class="stat__value money" data-card="paid">¥{{PAID}}</p></div>
<div class="stat"><p class="stat__label">已退款</p><p class="stat__value money" data-card="refunded">¥{{REFUNDED}}</p></div>
<div class="stat"><p class="stat__label">当前持有押金（净收入）</p><p class="stat__value money" data-card="held">¥{{HELD}}</p></div>
<div class="stat"><p class="stat__label">退款率（按金额）</p><p class="stat__value" data-card="refund_rate">{{REFUND_RATE}}%</p></div>
<div class="stat"><p class="stat__label">平均打卡率</p><p class="stat__value" data-card="avg_rate">{{AVG_RATE}}%</p></div>
</section>
<div class="row g-4 mb-4" id="report-charts" data-chart="{{CHART_DATA}}">
<section class="col-lg-7"><h2 class="h6">押金收入与退款（按月）</h2>
<div class="chart-box"><canvas id="chart-money" role="img" aria-label="按月的押金收入与退款柱状图"></canvas></div></section>
<section class="col-lg-5"><h2 class="h6">各训练营平均打卡率{{#RATES_CAPPED}}（最近 {{N}} 个）{{/RATES_CAPPED}}</h2>
<div class="chart-box"><canvas id="chart-rates" role="img" aria-label="各训练营平均打卡率柱状图"></canvas></div></section>
</div>
<h2 class="h5">训练营明细</h2>
{{#EMPTY}}<div class="alert alert-light" role="status">所选时间段内没有训练营。</div>
{{/EMPTY}}
<div class="table-responsive">
<table class="table table-sm align-middle report-table">
<thead><tr><th scope="col">训练营名称</th><th scope="col">状态</th><th scope="col">日期</th><th scope="col" class="text-end">报名人数</th><th scope="col" class="text-end">参与率</th><th scope="col" class="text-end">完成率</th><th scope="col" class="text-end">平均打卡率</th><th scope="col" class="text-end">押金收入</th><th scope="col" class="text-end">退款金额</th><th scope="col" class="text-end">净收入</th></tr></thead>
<tbody>
{{#ROW}}<tr data-camp-id="{{ID}}">
<td><a href="/admin/camps/{{ID}}">{{NAME}}</a></td>
<td><span class="badge camp-badge camp-badge_{{STATUS}}">{{STATUS_LABEL}}</span></td>
<td class="text-nowrap">{{START_DATE}} 至 {{END_DATE}}</td>
<td class="text-end num" data-col="members">{{MEMBERS}}</td>
<td class="text-end num" data-col="participation" title="{{PARTICIPANTS}} 人有打卡">{{PARTICIPATION}}%</td>
<td class="text-end num" data-col="completion" title="{{ELIGIBLE}} 人满足退款条件">{{COMPLETION}}%</td>
<td class="text-end num" data-col="avg_rate">{{AVG_RATE}}%</td>
<td class="text-end money" data-col="paid">¥{{PAID}}</td>
<td class="text-end money" data-col="refunded">¥{{REFUNDED}}</td>
<td class="text-end money" data-col="net">¥{{NET}}</td>
</tr>
{{/ROW}}
</tbody>
</table>
</div>
