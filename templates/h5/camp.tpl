{{! h5/camp.tpl: 详情 + 报名 (H5 step 2): poster, deposit, rule, the enrollment form. }}
{{%AUTOESCAPE context="HTML"}}
<article class="camp-detail">
<img class="camp-detail__poster" src="{{POSTER_URL}}" alt="{{NAME}} 海报" width="640" height="360">
<header class="camp-detail__hd">
<h1 class="camp-detail__name">{{NAME}}</h1>
<p class="camp-detail__deposit"><span class="camp-detail__label">押金</span> <span class="money money_big">¥{{DEPOSIT}}</span></p>
</header>
<div class="weui-cells">
<div class="weui-cell"><div class="weui-cell__bd">日期</div><div class="weui-cell__ft">{{START_DATE}} 至 {{END_DATE}}</div></div>
<div class="weui-cell"><div class="weui-cell__bd">打卡要求</div><div class="weui-cell__ft">{{RULE}}</div></div>
<div class="weui-cell"><div class="weui-cell__bd">已报名</div><div class="weui-cell__ft">{{MEMBER_COUNT}} 人{{#SEATS_LEFT}}，剩余名额 {{N}}{{/SEATS_LEFT}}</div></div>
</div>
<section class="refund-rule">
<h2 class="refund-rule__title">退款规则</h2>
<p>{{REFUND_RULE}}。每天 23:59 前在知识星球打卡计为当天，数据每天 01:00 后更新。</p>
</section>
<section class="camp-detail__desc">
<h2 class="camp-detail__title">项目介绍</h2>
<div class="md">{{DESCRIPTION:x-markdown}}</div>
</section>
</article>
{{#CLOSED}}<div class="notice notice_warn" role="status">本期训练营已截止报名（最后报名日 {{LAST_ENROLL_DATE}}），请关注下一期。</div>
{{/CLOSED}}
{{#FULL}}<div class="notice notice_warn" role="status">名额已满，请关注下一期。</div>
{{/FULL}}
{{#FORM}}<form class="enroll-form" method="post" action="/h5/camps/{{ID}}/enroll" novalidate>
<input type="hidden" name="_csrf" value="{{CSRF}}">
<div class="weui-cells__title">填写报名信息</div>
<div class="weui-cells weui-cells_form">
<div class="weui-cell"><div class="weui-cell__hd"><label class="weui-label" for="planet_nickname">星球昵称</label></div>
<div class="weui-cell__bd"><input class="weui-input" id="planet_nickname" name="planet_nickname" value="{{PLANET_NICKNAME}}" maxlength="50" placeholder="知识星球里显示的昵称"></div></div>
{{#ERR_PLANET_NICKNAME}}<p class="field-error">{{MSG}}</p>{{/ERR_PLANET_NICKNAME}}
<div class="weui-cell"><div class="weui-cell__hd"><label class="weui-label" for="planet_user_id">星球ID</label></div>
<div class="weui-cell__bd"><input class="weui-input" id="planet_user_id" name="planet_user_id" value="{{PLANET_USER_ID}}" inputmode="numeric" maxlength="20" placeholder="一串数字"></div></div>
{{#ERR_PLANET_USER_ID}}<p class="field-error">{{MSG}}</p>{{/ERR_PLANET_USER_ID}}
<div class="weui-cell"><div class="weui-cell__hd"><label class="weui-label" for="wechat_nickname">微信昵称</label></div>
<div class="weui-cell__bd"><input class="weui-input" id="wechat_nickname" name="wechat_nickname" value="{{WECHAT_NICKNAME}}" maxlength="50" placeholder="你的微信昵称"></div></div>
{{#ERR_WECHAT_NICKNAME}}<p class="field-error">{{MSG}}</p>{{/ERR_WECHAT_NICKNAME}}
</div>
<details class="help-sheet">
<summary>如何获取星球ID？</summary>
<ol><li>打开知识星球 App，进入“我的”。</li><li>点击头像进入个人主页，复制页面链接。</li><li>链接中 users/ 后面的一串数字就是星球ID（通常 14–16 位）。</li></ol>
</details>
<label class="agree" for="agree"><input type="checkbox" id="agree" name="agree" value="1"{{#AGREED}} checked{{/AGREED}}> 我已阅读押金规则：完成打卡要求后押金原路退回，未完成不退。</label>
{{#ERR_AGREE}}<p class="field-error">{{MSG}}</p>{{/ERR_AGREE}}
<label class="later" for="later"><input type="checkbox" id="later" name="later" value="1"{{#LATER_CHOSEN}} checked{{/LATER_CHOSEN}}> 暂不填写星球信息，先支付（7 天内补填）</label>
<div class="weui-btn-area"><button class="weui-btn weui-btn_primary" type="submit">确认报名并支付 ¥{{DEPOSIT}}</button></div>
</form>
{{/FORM}}
<p class="foot-links"><a href="/h5/">返回训练营列表</a> · <a href="/h5/mine">我的训练营</a></p>
