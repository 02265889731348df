{{! h5/duplicate.tpl: a planet ID already enrolled and paid — no group QR here. }}
{{%AUTOESCAPE context="HTML"}}
<div class="msg-page">
<h1 class="msg-page__title">该星球ID已报名</h1>
<p class="msg-page__desc">星球ID 已在「{{NAME}}」完成报名和支付，无需重复支付。</p>
{{#OTHER_PAYER}}<p class="msg-page__desc">如果这不是你本人的报名，请联系训练营管理员核实，我们已通知管理员。</p>{{/OTHER_PAYER}}
<div class="weui-btn-area"><a class="weui-btn weui-btn_primary" href="/h5/mine">去“我的训练营”找回入群二维码</a></div>
</div>
