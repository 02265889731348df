{{! error.tpl: error page body for the admin console (status code, message, way back), inside layout_admin.tpl. }}
{{%AUTOESCAPE context="HTML"}}
<section class="error-page">
<p class="error-page__code">{{STATUS}}</p>
<h1 class="h3">{{MESSAGE}}</h1>
{{#DETAIL}}<p class="text-muted">{{TEXT}}</p>
{{/DETAIL}}
<p><a class="btn btn-primary" href="/admin/">返回工作台</a></p>
{{#REQUEST_ID}}<p class="small text-muted">错误编号：<code>{{ID}}</code></p>
{{/REQUEST_ID}}
</section>
