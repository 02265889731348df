{{! h5/records.tpl: 打卡记录 under the calendar of h5/progress.tpl (PRD 4.1.4): date, time, state per camp day, newest first. }}
{{%AUTOESCAPE context="HTML"}}
<section class="records" aria-label="打卡记录">
<h2 class="records__title">打卡记录</h2>
{{#NOT_STARTED}}<p class="records__empty">训练营尚未开始，开营后每天的打卡会列在这里。</p>{{/NOT_STARTED}}
<table class="records__table">
<thead><tr><th scope="col">日期</th><th scope="col">打卡时间</th><th scope="col">状态</th></tr></thead>
<tbody>
{{#DAY}}<tr class="records__row records__row_{{STATE}}" data-date="{{DATE}}"><td>{{DATE}}</td><td>{{TIME}}</td><td>{{LABEL}}</td></tr>
{{/DAY}}
</tbody>
</table>
</section>
