{{! admin/refund_confirm.tpl: the second confirmation of a batch approval or rejection. }}
{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
<h1 class="page-head__title">确认批量{{VERB}}</h1>
</div>
<form method="post" action="{{ACTION}}">
<input type="hidden" name="_csrf" value="{{CSRF}}">
<input type="hidden" name="confirm" value="1">
<input type="hidden" name="min_confidence" value="{{MIN_CONFIDENCE}}">
<input type="hidden" name="reason" value="{{REASON}}">
{{#ID}}<input type="hidden" name="ids" value="{{V}}">
{{/ID}}
<p>将{{VERB}}所选的 {{COUNT}} 条退款提议。{{#APPROVE}}只处理匹配度不低于 {{MIN_CONFIDENCE}} 的提议，较低的需逐条审核；通过后立即向微信提交退款。{{/APPROVE}}</p>
{{#APPROVE}}<p class="alert alert-warning" role="status">将向 {{MEMBERS}} 名会员退款共 <span class="money">¥{{TOTAL}}</span>。</p>{{/APPROVE}}
<button class="btn btn-primary" type="submit">确认{{VERB}}</button>
<a class="btn btn-outline-secondary" href="/admin/refunds/pending">返回</a>
</form>
