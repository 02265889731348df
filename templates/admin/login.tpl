{{! admin/login.tpl: the admin sign-in form, the body of layout_admin.tpl without CHROME. }}
{{%AUTOESCAPE context="HTML"}}
<div class="login">
<div class="login__card">
<h1 class="login__title">训练营押金管理后台</h1>
<p class="login__desc">请使用管理员为你开通的账号登录</p>
{{#ERROR}}<div class="alert alert-danger" role="alert">{{MESSAGE}}</div>
{{/ERROR}}
<form method="post" action="/admin/login">
<input type="hidden" name="_csrf" value="{{CSRF}}">
<input type="hidden" name="next" value="{{NEXT}}">
<div class="mb-3">
<label class="form-label" for="username">用户名</label>
<input class="form-control" type="text" id="username" name="username" value="{{USERNAME}}" autocomplete="username" spellcheck="false" maxlength="64" required>
</div>
<div class="mb-4">
<label class="form-label" for="password">密码</label>
<input class="form-control" type="password" id="password" name="password" autocomplete="current-password" maxlength="256" required>
</div>
<button class="btn btn-primary w-100 login__submit" type="submit">登录</button>
</form>
</div>
<p class="login__foot">忘记密码请联系超级管理员重置</p>
</div>
