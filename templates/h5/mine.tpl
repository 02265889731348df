{{! h5/mine.tpl: 我的训练营 — tickets held by this browser, or found by WeChat openid. }}
{{%AUTOESCAPE context="HTML"}}
<header class="page-hd"><h1 class="page-hd__title">我的训练营</h1></header>
{{#EMPTY}}<section class="empty"><h2 class="empty__title">这里还没有你的训练营</h2>
<p class="empty__desc">支付成功后，入群二维码会保存在这里。请在微信中打开本页，或使用报名时的浏览器；也可以用支付凭证上的单号 <a href="/h5/bind">补填星球信息</a>。</p></section>{{/EMPTY}}
<div class="weui-cells">
{{#TICKET}}<a class="weui-cell weui-cell_access" href="{{URL}}"><div class="weui-cell__bd">{{NAME}}</div><div class="weui-cell__ft">{{STATUS_LABEL}}</div></a>
{{/TICKET}}
</div>
{{#BY_OPENID}}<form class="weui-cells mine-open" method="post" action="/h5/mine/{{PAYMENT_ID}}"><input type="hidden" name="_csrf" value="{{CSRF}}">
<button class="weui-cell weui-cell_access mine-open__btn" type="submit"><span class="weui-cell__bd">{{NAME}}</span><span class="weui-cell__ft">{{STATUS_LABEL}}</span></button></form>
{{/BY_OPENID}}
<p class="foot-links"><a href="/h5/">返回训练营列表</a></p>
