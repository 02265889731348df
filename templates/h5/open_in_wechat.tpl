{{! h5/open_in_wechat.tpl: a 朋友圈 snapshot page (is_snapshotuser) cannot enroll or pay — ask for WeChat proper. }}
{{%AUTOESCAPE context="HTML"}}
<div class="msg-page">
<h1 class="msg-page__title">请在微信中打开本页面</h1>
<p class="msg-page__desc">你正在浏览朋友圈里的预览页面，这里无法报名和支付押金。</p>
<p class="msg-page__desc">请点击页面底部的「使用完整服务」，或把链接发到微信聊天中再点开，然后重新报名。</p>
<div class="weui-btn-area">{{#CAMP}}<a class="weui-btn weui-btn_primary" href="/h5/camps/{{ID}}">重新打开训练营页面</a>{{/CAMP}}
<a class="weui-btn weui-btn_default" href="/h5/">返回训练营列表</a></div>
</div>
