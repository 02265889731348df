{{! admin/progress.tpl: 打卡进度 — summary cards and the ✅/❌ calendar per member, included by 打卡记录 and the camp's 打卡情况 tab. }}
{{%AUTOESCAPE context="HTML"}}
<section class="mb-4 progress-calendar">
<h2 class="h5">打卡进度 · {{CAMP_NAME}}</h2>
<div class="d-flex gap-4 mb-2">
<div>总人数 <span class="num" data-stat="total">{{TOTAL}}</span></div>
<div>平均打卡率 <span class="num" data-stat="avg">{{AVG_RATE}}%</span></div>
<div>满足退款条件 <span class="num" data-stat="eligible">{{ELIGIBLE}}</span></div>
</div>
{{#NO_MEMBERS}}<p class="text-muted">暂无已支付会员。</p>{{/NO_MEMBERS}}
<div class="table-responsive">
<table class="table table-sm table-bordered text-center">
<thead><tr><th scope="col" class="text-start">会员</th>{{#DAY}}<th scope="col">{{LABEL}}</th>{{/DAY}}<th scope="col">已打卡 / 要求</th><th scope="col">完成率</th><th scope="col">是否满足退款条件</th><th scope="col">最后打卡时间</th></tr></thead>
<tbody>
{{#MEMBER}}<tr data-progress-member="{{ID}}"><td class="text-start"><a href="/admin/members/{{ID}}">{{NAME}}</a></td>{{#CELL}}<td class="cal-{{STATE}}" title="{{DATE}}">{{MARK}}</td>{{/CELL}}<td class="num">{{DAYS}} / {{REQUIRED}}</td><td class="num">{{RATE}}%</td><td class="elig-{{ELIGIBLE_STATE}}">{{ELIGIBLE}}</td><td class="text-nowrap">{{LAST_TIME}}</td></tr>
{{/MEMBER}}
</tbody>
</table>
</div>
</section>
