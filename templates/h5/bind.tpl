{{! h5/bind.tpl: 绑定 (pay-later, H5 step 6): the order or transaction number and the planet info. }}
{{%AUTOESCAPE context="HTML"}}
<header class="page-hd"><h1 class="page-hd__title">补填星球信息</h1>
<p class="page-hd__desc">支付后 7 天内完成绑定，超时将转人工核实。</p></header>
{{#MESSAGE}}<div class="notice notice_warn" role="alert">{{TEXT}}</div>{{/MESSAGE}}
<form method="post" action="/h5/bind" novalidate>
<input type="hidden" name="_csrf" value="{{CSRF}}">
<div class="weui-cells weui-cells_form">
<div class="weui-cell"><div class="weui-cell__hd"><label class="weui-label" for="order_no">订单号</label></div>
<div class="weui-cell__bd"><input class="weui-input" id="order_no" name="order_no" value="{{ORDER_NO}}" maxlength="64" placeholder="商户单号或交易单号"></div></div>
{{#ERR_ORDER_NO}}<p class="field-error">{{MSG}}</p>{{/ERR_ORDER_NO}}
<div class="weui-cell"><div class="weui-cell__hd"><label class="weui-label" for="planet_nickname">星球昵称</label></div>
<div class="weui-cell__bd"><input class="weui-input" id="planet_nickname" name="planet_nickname" value="{{PLANET_NICKNAME}}" maxlength="50"></div></div>
{{#ERR_PLANET_NICKNAME}}<p class="field-error">{{MSG}}</p>{{/ERR_PLANET_NICKNAME}}
<div class="weui-cell"><div class="weui-cell__hd"><label class="weui-label" for="planet_user_id">星球ID</label></div>
<div class="weui-cell__bd"><input class="weui-input" id="planet_user_id" name="planet_user_id" value="{{PLANET_USER_ID}}" inputmode="numeric" maxlength="20"></div></div>
{{#ERR_PLANET_USER_ID}}<p class="field-error">{{MSG}}</p>{{/ERR_PLANET_USER_ID}}
<div class="weui-cell"><div class="weui-cell__hd"><label class="weui-label" for="wechat_nickname">微信昵称</label></div>
<div class="weui-cell__bd"><input class="weui-input" id="wechat_nickname" name="wechat_nickname" value="{{WECHAT_NICKNAME}}" maxlength="50"></div></div>
{{#ERR_WECHAT_NICKNAME}}<p class="field-error">{{MSG}}</p>{{/ERR_WECHAT_NICKNAME}}
</div>
<p class="pay-page__hint">单号在微信“支付凭证”中：商户单号或交易单号均可。</p>
<div class="weui-btn-area"><button class="weui-btn weui-btn_primary" type="submit">确认绑定</button></div>
</form>
