{{! admin/dashboard.tpl: 工作台, today's to-dos by role, the body of layout_admin.tpl. }}
{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
<h1 class="page-head__title">工作台</h1>
<p class="page-head__desc">{{USER_NAME}}，你好！{{#TODAY}}今天是 {{DATE}}，{{/TODAY}}以下是需要你处理的事项。</p>
</div>
{{#ALL_CLEAR}}<div class="alert alert-success" role="status">暂时没有待办事项。新的退款申请、待绑定会员和同步结果会出现在这里。</div>
{{/ALL_CLEAR}}
<div class="todo-grid">
{{#REFUNDS_TO_AUDIT}}<section class="todo-card">
<h2 class="todo-card__title">待审核退款</h2>
<p class="todo-card__count">{{COUNT}}</p>
<p class="todo-card__hint">名会员的退款等待审核{{#AMOUNT}}，共 <span class="money">¥{{TOTAL}}</span>{{/AMOUNT}}</p>
<a class="todo-card__link" href="/admin/refunds/pending">去审核</a>
</section>
{{/REFUNDS_TO_AUDIT}}
{{#CAMPS_ENDING}}<section class="todo-card">
<h2 class="todo-card__title">3 天内结束的训练营</h2>
<p class="todo-card__count">{{COUNT}}</p>
<ul class="todo-card__list">
{{#CAMP}}<li><a href="/admin/camps/{{ID}}">{{NAME}}</a> <span class="todo-card__date">{{END_DATE}} 结束</span></li>
{{/CAMP}}
</ul>
<a class="todo-card__link" href="/admin/camps?status=ongoing">查看进行中的训练营</a>
</section>
{{/CAMPS_ENDING}}
{{#MANUAL_BINDS}}<section class="todo-card">
<h2 class="todo-card__title">待人工绑定</h2>
<p class="todo-card__count">{{COUNT}}</p>
<p class="todo-card__hint">名会员超过 7 天未完成星球绑定</p>
<a class="todo-card__link" href="/admin/members?bind_status=manual_review">去绑定</a>
</section>
{{/MANUAL_BINDS}}
{{#FAILED_REFUNDS}}<section class="todo-card todo-card_warn">
<h2 class="todo-card__title">退款失败</h2>
<p class="todo-card__count">{{COUNT}}</p>
<p class="todo-card__hint">笔退款未成功，需要重试或线下处理</p>
<a class="todo-card__link" href="/admin/refunds?status=failed">去处理</a>
</section>
{{/FAILED_REFUNDS}}
{{#OPEN_EXCEPTIONS}}<section class="todo-card todo-card_warn">
<h2 class="todo-card__title">支付异常</h2>
<p class="todo-card__count">{{COUNT}}</p>
<p class="todo-card__hint">笔已到账但无法计入报名的付款待处理</p>
<a class="todo-card__link" href="/admin/payments/exceptions?status=open">去处理</a>
</section>
{{/OPEN_EXCEPTIONS}}
{{#NO_REFUND_LIST}}<section class="todo-card">
<h2 class="todo-card__title">待生成退款名单</h2>
<p class="todo-card__count">{{COUNT}}</p>
<ul class="todo-card__list">
{{#CAMP}}<li><a href="/admin/camps/{{ID}}?tab=refunds">{{NAME}}</a> <span class="todo-card__date">{{END_DATE}} 已结束</span></li>
{{/CAMP}}
</ul>
<p class="todo-card__hint">已结束的训练营还没有生成退款名单</p>
</section>
{{/NO_REFUND_LIST}}
{{#LAST_SYNC}}<section class="todo-card">
<h2 class="todo-card__title">打卡同步</h2>
<p class="todo-card__status status-dot status-dot_{{RESULT_CLASS}}">{{RESULT_LABEL}}</p>
<p class="todo-card__hint">上次同步：{{TIME}}</p>
{{#SYNC_ERROR}}<p class="todo-card__error">{{TEXT}}</p>
{{/SYNC_ERROR}}
{{#TOKEN_EXPIRED}}<p class="todo-card__error">知识星球 Token 已失效，打卡数据无法同步。<a href="/admin/settings">去系统配置更新</a></p>
{{/TOKEN_EXPIRED}}
<a class="todo-card__link" href="/admin/checkins">查看打卡记录</a>
</section>
{{/LAST_SYNC}}
{{#BOOKS}}<section class="todo-card{{CARD_CLASS}}">
<h2 class="todo-card__title">对账</h2>
<p class="todo-card__status status-dot status-dot_{{RESULT_CLASS}}">{{RESULT_LABEL}}</p>
<p class="todo-card__hint">账单日 {{DATE}}，微信账单：{{BILL_STATUS}}</p>
{{#BOOKS_DIFFS}}<p class="todo-card__error">发现 {{COUNT}} 处差异，请核对。</p>
{{/BOOKS_DIFFS}}
<a class="todo-card__link" href="/admin/books?date={{DATE}}">查看对账</a>
</section>
{{/BOOKS}}
{{! issue #17: 运行监控 — the watchdog's findings (admins) }}
{{#WATCHDOG}}<section class="todo-card todo-card_warn">
<h2 class="todo-card__title">运行监控</h2>
<p class="todo-card__count">{{COUNT}}</p>
<p class="todo-card__hint">项异常，检查于 {{TIME}}</p>
<ul class="todo-card__list">
{{#PROBLEM}}<li>{{TEXT}}</li>
{{/PROBLEM}}
</ul>
{{#LATE}}<p class="todo-card__error">运行监控已超过 30 分钟未更新，camp-worker 可能已停止。</p>
{{/LATE}}
<a class="todo-card__link" href="/admin/settings">告警接收人与开关</a>
</section>
{{/WATCHDOG}}
{{#TOKEN}}<section class="todo-card{{#WARN}} todo-card_warn{{/WARN}}">
<h2 class="todo-card__title">知识星球 Token</h2>
<p class="todo-card__status status-dot status-dot_{{CLASS}}">{{TEXT}}</p>
{{#WARN}}<p class="todo-card__hint">Token 过期后打卡同步会停止，请在知识星球重新登录后更新。</p>
{{/WARN}}
{{#SETTINGS}}<a class="todo-card__link" href="/admin/settings">去系统配置</a>
{{/SETTINGS}}
</section>
{{/TOKEN}}
</div>
