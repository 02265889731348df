{{! h5/index.tpl: 训练营列表 (H5 step 1), the body of layout_h5.tpl. }}
{{%AUTOESCAPE context="HTML"}}
<header class="page-hd">
<h1 class="page-hd__title">训练营</h1>
<p class="page-hd__desc">交押金报名，结营时完成打卡要求即全额退还</p>
</header>
{{#MINE_LINK}}<a class="mine-link" href="/h5/mine">
<span class="mine-link__text">我的训练营</span>
<span class="mine-link__desc">查看入群二维码和打卡进度</span>
</a>
{{/MINE_LINK}}
{{#EMPTY}}<section class="empty">
<h2 class="empty__title">暂时没有可报名的训练营</h2>
<p class="empty__desc">新一期训练营开放报名后会显示在这里，开营前请留意星球里的通知。</p>
</section>
{{/EMPTY}}
<ul class="camp-list">
{{#CAMP}}<li class="camp-card">
<a class="camp-card__link" href="/h5/camps/{{ID}}">
<img class="camp-card__poster" src="{{POSTER_URL}}" alt="{{NAME}} 海报" width="640" height="360" loading="lazy">
<div class="camp-card__body">
<div class="camp-card__head">
<h2 class="camp-card__name">{{NAME}}</h2>
<span class="camp-status camp-status_{{STATUS_CLASS}}">{{STATUS_LABEL}}</span>
</div>
<p class="camp-card__deposit"><span class="camp-card__label">押金</span> <span class="money">¥{{DEPOSIT}}</span></p>
<dl class="camp-card__facts">
<dt>日期</dt><dd>{{START_DATE}} 至 {{END_DATE}}</dd>
<dt>打卡要求</dt><dd>{{RULE}}</dd>
<dt>报名人数</dt><dd>已报名 {{MEMBER_COUNT}} 人{{#SEATS_LEFT}}<span class="camp-card__seats">剩余名额 {{N}}</span>{{/SEATS_LEFT}}</dd>
</dl>
<span class="camp-card__cta">{{#ENROLL_OPEN}}立即报名{{/ENROLL_OPEN}}{{#ENROLL_CLOSED}}查看详情{{/ENROLL_CLOSED}}</span>
</div>
</a>
</li>
{{/CAMP}}
</ul>
