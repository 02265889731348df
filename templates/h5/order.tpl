{{! h5/order.tpl: 支付中 (H5 step 3): JSAPI inside WeChat, WeChat Pay H5 in other phone browsers, a QR code on desktops; polls the status. }}
{{%AUTOESCAPE context="HTML"}}
<div class="pay-page" id="pay" data-status-url="{{STATUS_URL}}" data-expires-in="{{EXPIRES_IN}}">
<h1 class="pay-page__title">支付押金</h1>
<p class="pay-page__camp">{{CAMP_NAME}}</p>
<p class="money money_big">¥{{AMOUNT}}</p>
<div class="weui-cells">
<div class="weui-cell"><div class="weui-cell__bd">订单号</div><div class="weui-cell__ft order-no">{{ORDER_NO}}</div></div>
</div>
{{#PENDING}}{{#JSAPI}}<div class="weui-btn-area"><button class="weui-btn weui-btn_primary" type="button" id="jsapi-pay" data-appid="{{APPID}}" data-timestamp="{{TIMESTAMP}}" data-nonce="{{NONCE}}" data-package="{{PACKAGE}}" data-paysign="{{PAYSIGN}}">微信支付 ¥{{AMOUNT}}</button></div>{{/JSAPI}}
{{#H5}}<div class="weui-btn-area"><a class="weui-btn weui-btn_primary" id="h5-pay" href="{{PAY_URL}}"{{#AUTO}} data-auto="1"{{/AUTO}}>前往微信支付 ¥{{AMOUNT}}</a></div>
{{#BACK}}<p class="pay-page__hint">如已在微信中完成支付，请稍候，页面确认到账后会自动跳转；未完成可点击上方按钮继续支付。</p>{{/BACK}}{{/H5}}
{{#NATIVE}}<div class="native-pay"><img class="native-pay__qr" src="{{QR_URL}}" alt="微信支付二维码" width="220" height="220"><p>请使用微信“扫一扫”扫码支付</p></div>{{/NATIVE}}
<p class="pay-page__hint" id="pay-state" role="status">支付完成后页面会自动跳转到入群二维码。订单 30 分钟内有效。</p>
<p class="pay-page__hint">支付遇到问题？可关闭后回到训练营页面重新支付；若已扣款，页面会在确认到账后自动更新，请勿重复支付。</p>
{{/PENDING}}
{{#EXPIRED}}<div class="notice notice_warn" role="status">订单已超时关闭，未扣款。</div>
<div class="weui-btn-area"><a class="weui-btn weui-btn_primary" href="/h5/camps/{{CAMP_ID}}">重新支付</a></div>{{/EXPIRED}}
{{#EXCEPTION}}<div class="notice notice_warn" role="status">已收到你的付款，但该星球ID已有成功报名。款项将由管理员全额原路退回，如有疑问请联系管理员。</div>{{/EXCEPTION}}
<p class="foot-links"><a href="/h5/camps/{{CAMP_ID}}">返回训练营</a></p>
</div>
