{{! h5/ticket.tpl: 支付成功 = 入群票据 (H5 step 4a): the group QR large, member info; notices the official account could not deliver (issue #16). }}
{{%AUTOESCAPE context="HTML"}}
<div class="ticket">
<div class="ticket__ok" aria-hidden="true">✓</div>
<h1 class="ticket__title">报名成功</h1>
<p class="ticket__camp">{{CAMP_NAME}}</p>
{{#NOTICES}}<section class="member-notices" aria-label="给你的提醒">
<h2 class="member-notices__title">给你的提醒</h2>
{{#NOTICE}}<div class="notice member-notice" role="status"><strong>{{TITLE}}</strong> <span class="member-notice__time">{{TIME}}</span><br>{{CONTENT}}</div>
{{/NOTICE}}</section>{{/NOTICES}}
{{#BIND_BANNER}}<div class="notice notice_warn bind-banner" role="status">请在 7 天内完成星球绑定（截止 {{DEADLINE}}），否则将转人工核实。
<a class="weui-btn weui-btn_mini weui-btn_primary" href="/h5/bind?order_no={{ORDER_NO}}">去绑定</a></div>{{/BIND_BANNER}}
<figure class="ticket__qr">
<img src="{{GROUP_QR_URL}}" alt="训练营群二维码" width="280" height="280">
<figcaption>请扫码进群开始学习（长按图片可保存）</figcaption>
</figure>
<div class="weui-cells">
<div class="weui-cell"><div class="weui-cell__bd">星球昵称</div><div class="weui-cell__ft">{{PLANET_NICKNAME}}</div></div>
<div class="weui-cell"><div class="weui-cell__bd">星球ID</div><div class="weui-cell__ft">{{PLANET_USER_ID}}</div></div>
<div class="weui-cell"><div class="weui-cell__bd">微信昵称</div><div class="weui-cell__ft">{{WECHAT_NICKNAME}}</div></div>
<div class="weui-cell"><div class="weui-cell__bd">订单号</div><div class="weui-cell__ft order-no">{{ORDER_NO}}</div></div>
</div>
<div class="weui-btn-area"><a class="weui-btn weui-btn_primary" href="{{PROGRESS_URL}}">查看我的打卡进度</a></div>
<p class="foot-links">请收藏本页。换了手机也可以在 <a href="/h5/mine">我的训练营</a> 找回。</p>
</div>
