{{! h5/error.tpl: error page body for members (status code, message, way back), inside layout_h5.tpl. }}
{{%AUTOESCAPE context="HTML"}}
<section class="msg">
<p class="msg__code">{{STATUS}}</p>
<h1 class="msg__title">{{MESSAGE}}</h1>
{{#DETAIL}}<p class="msg__desc">{{TEXT}}</p>
{{/DETAIL}}
<p class="msg__actions"><a class="weui-btn weui-btn_primary" href="/h5/">返回训练营列表</a></p>
{{#REQUEST_ID}}<p class="msg__ref">如需帮助，请把错误编号告诉助教：{{ID}}</p>
{{/REQUEST_ID}}
</section>
