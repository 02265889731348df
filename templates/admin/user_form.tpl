{{! admin/user_form.tpl: 添加用户 / 编辑用户 — the account form with errors under each field, the body of layout_admin.tpl. }}
{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
<h1 class="page-head__title">{{HEADING}}</h1>
<p class="page-head__desc"><a href="/admin/users">返回用户列表</a></p>
</div>
{{#SUMMARY}}<div class="alert alert-danger" role="alert">
<p class="mb-1">请修改以下 {{COUNT}} 处后再保存：</p>
<ul class="mb-0">
{{#ITEM}}<li>{{TEXT}}</li>
{{/ITEM}}
</ul>
</div>
{{/SUMMARY}}
<form class="admin-form" method="post" action="{{ACTION}}" novalidate>
<input type="hidden" name="_csrf" value="{{CSRF}}">
{{#CREATE}}<div class="mb-3">
<label class="form-label" for="username">用户名 <span class="text-danger" aria-hidden="true">*</span></label>
<input class="form-control{{#USERNAME_ERR}} is-invalid{{/USERNAME_ERR}}" type="text" id="username" name="username" value="{{USERNAME}}" maxlength="50" autocomplete="off" spellcheck="false" required>
<div class="form-text">3–50 位字母、数字、下划线、点或连字符，不区分大小写</div>
{{#USERNAME_ERR}}<div class="invalid-feedback d-block">{{TEXT}}</div>
{{/USERNAME_ERR}}
</div>
<div class="mb-3">
<label class="form-label" for="password">初始密码 <span class="text-danger" aria-hidden="true">*</span></label>
<input class="form-control{{#PASSWORD_ERR}} is-invalid{{/PASSWORD_ERR}}" type="password" id="password" name="password" maxlength="256" autocomplete="new-password" required>
<div class="form-text">至少 10 位</div>
{{#PASSWORD_ERR}}<div class="invalid-feedback d-block">{{TEXT}}</div>
{{/PASSWORD_ERR}}
</div>
{{/CREATE}}
{{#EDIT}}<div class="mb-3">
<p class="form-label mb-1">用户名</p>
<p class="fw-semibold">{{USERNAME}}</p>
</div>
{{/EDIT}}
<div class="mb-3">
<label class="form-label" for="real_name">姓名</label>
<input class="form-control{{#REAL_NAME_ERR}} is-invalid{{/REAL_NAME_ERR}}" type="text" id="real_name" name="real_name" value="{{REAL_NAME}}" maxlength="50">
{{#REAL_NAME_ERR}}<div class="invalid-feedback d-block">{{TEXT}}</div>
{{/REAL_NAME_ERR}}
</div>
<div class="mb-3">
<label class="form-label" for="role">角色 <span class="text-danger" aria-hidden="true">*</span></label>
<select class="form-select{{#ROLE_ERR}} is-invalid{{/ROLE_ERR}}" id="role" name="role">
{{#ROLE}}<option value="{{VALUE}}"{{#SEL}} selected{{/SEL}}>{{LABEL}}</option>
{{/ROLE}}
</select>
{{#ROLE_ERR}}<div class="invalid-feedback d-block">{{TEXT}}</div>
{{/ROLE_ERR}}
</div>
<div class="mb-3">
<label class="form-label" for="status">状态 <span class="text-danger" aria-hidden="true">*</span></label>
<select class="form-select{{#STATUS_ERR}} is-invalid{{/STATUS_ERR}}" id="status" name="status">
{{#STATUS}}<option value="{{VALUE}}"{{#SEL}} selected{{/SEL}}>{{LABEL}}</option>
{{/STATUS}}
</select>
{{#STATUS_ERR}}<div class="invalid-feedback d-block">{{TEXT}}</div>
{{/STATUS_ERR}}
</div>
<div class="mb-4">
<label class="form-label" for="wecom_userid">企业微信 UserID</label>
<input class="form-control{{#WECOM_USERID_ERR}} is-invalid{{/WECOM_USERID_ERR}}" type="text" id="wecom_userid" name="wecom_userid" value="{{WECOM_USERID}}" maxlength="64" spellcheck="false">
<div class="form-text">用于接收企业微信应用消息，可留空</div>
{{#WECOM_USERID_ERR}}<div class="invalid-feedback d-block">{{TEXT}}</div>
{{/WECOM_USERID_ERR}}
</div>
<button class="btn btn-primary" type="submit">保存</button>
<a class="btn btn-link" href="/admin/users">取消</a>
</form>
