{{! admin/camp_tab_empty.tpl: nothing more below the 打卡情况 tab's calendar. }}
{{%AUTOESCAPE context="HTML"}}
<p class="text-muted"><a href="/admin/checkins">查看全部打卡记录</a></p>
