{{! h5/calendar.tpl: the member's check-in days month by month (✅ done, ❌ missed), included by h5/progress.tpl. }}
{{%AUTOESCAPE context="HTML"}}
<section class="cal" aria-label="打卡日历">
{{#MONTH}}<h2 class="cal__title">{{TITLE}}</h2>
<table class="cal__grid">
<thead><tr><th scope="col">一</th><th scope="col">二</th><th scope="col">三</th><th scope="col">四</th><th scope="col">五</th><th scope="col">六</th><th scope="col">日</th></tr></thead>
<tbody>
{{#WEEK}}<tr>{{#DAY}}<td class="cal__day cal__day_{{STATE}}" data-date="{{DATE}}">{{N}}<span class="cal__mark">{{MARK}}</span></td>{{/DAY}}</tr>
{{/WEEK}}
</tbody>
</table>
{{/MONTH}}
</section>
