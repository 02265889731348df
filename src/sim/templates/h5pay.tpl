{{%AUTOESCAPE context="HTML"}}<!doctype html>
{{! h5pay.tpl: camp-sim's stand-in for WeChat Pay's H5 cashier (the page behind h5_url) and its result page. }}
<html lang="zh-CN">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
{{#REFRESH}}<meta http-equiv="refresh" content="1;url={{REDIRECT_URL}}">{{/REFRESH}}
<link rel="icon" href="data:,"><title>微信支付</title></head>
<body>
<h1>微信支付</h1>
<p>camp-sim 模拟收银台（WeChat Pay H5）</p>
{{#ORDER}}<p id="sim-h5-desc">{{DESCRIPTION}}</p>
<p id="sim-h5-amount">¥{{AMOUNT}}</p>
<p>商户订单号 {{OUT_TRADE_NO}}</p>
<form method="post" action="/sim/h5pay/pay">
<input type="hidden" name="prepay_id" value="{{PREPAY_ID}}">
<input type="hidden" name="redirect_url" value="{{REDIRECT_URL}}">
<input type="hidden" name="openid" value="oSimH5Payer0000000000000000">
<button type="submit" id="sim-h5-pay">确认支付</button>
</form>
{{/ORDER}}
{{#PAID}}<p id="sim-h5-paid">支付成功（{{OUT_TRADE_NO}}）</p>
{{#BACK}}<p><a id="sim-h5-back" href="{{REDIRECT_URL}}">返回商家</a></p>{{/BACK}}{{/PAID}}
{{#ERROR}}<p id="sim-h5-error">{{TEXT}}</p>{{/ERROR}}
</body>
</html>
