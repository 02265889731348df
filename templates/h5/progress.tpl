{{! h5/progress.tpl: 打卡进度 (H5 step 5): time bar, days done / required, eligibility, refund state; notices the official account could not deliver (issue #16). }}
{{%AUTOESCAPE context="HTML"}}
<div class="progress-page">
<h1 class="progress-page__title">{{CAMP_NAME}}</h1>
<p class="progress-page__dates">{{START_DATE}} 至 {{END_DATE}}</p>
{{#NOTICES}}<section class="member-notices" aria-label="给你的提醒">
<h2 class="member-notices__title">给你的提醒</h2>
{{#NOTICE}}<div class="notice member-notice" role="status"><strong>{{TITLE}}</strong> <span class="member-notice__time">{{TIME}}</span><br>{{CONTENT}}</div>
{{/NOTICE}}</section>{{/NOTICES}}
<section class="pbar" aria-label="时间进度">
<p>已进行 {{ELAPSED}} 天 / 共 {{SPAN}} 天</p>
<progress max="100" value="{{TIME_PCT}}">{{TIME_PCT}}%</progress>
</section>
<section class="pbig" aria-label="打卡统计">
<p class="pbig__num">已打卡 <strong>{{DONE}}</strong> / 要求 {{REQUIRED}} 天</p>
<progress max="100" value="{{PCT}}">{{PCT}}%</progress>
{{#ELIGIBLE}}<p class="elig elig_yes">✅ 已满足退款条件</p>{{/ELIGIBLE}}
{{#NOT_ELIGIBLE}}<p class="elig elig_no">❌ 暂未满足退款条件</p>{{/NOT_ELIGIBLE}}
</section>
{{>CALENDAR}}
{{>RECORDS}}
{{#NO_CHECKINS}}<div class="notice" role="status">还没有同步到你的打卡记录。打卡数据每天 01:00 后从知识星球同步，请以次日数据为准。</div>{{/NO_CHECKINS}}
<div class="weui-cells">
<div class="weui-cell"><div class="weui-cell__bd">退款状态</div><div class="weui-cell__ft">{{REFUND_LABEL}}</div></div>
{{#REJECT_REASON}}<div class="weui-cell"><div class="weui-cell__bd">拒绝原因</div><div class="weui-cell__ft">{{TEXT}}</div></div>{{/REJECT_REASON}}
</div>
<p class="pay-page__hint">数据每天 01:00 后更新</p>
<p class="foot-links"><a href="{{TICKET_URL}}">返回入群二维码</a></p>
</div>
