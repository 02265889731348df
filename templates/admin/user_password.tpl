{{! admin/user_password.tpl: the new password after a reset, shown once, the body of layout_admin.tpl. }}
{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
<h1 class="page-head__title">密码已重置</h1>
<p class="page-head__desc">用户 <strong>{{USERNAME}}</strong> 的旧密码已失效，并已在所有设备上退出登录。</p>
</div>
<div class="alert alert-warning" role="status">
<p class="mb-2">新密码只显示这一次，请立即通过安全渠道告知该用户：</p>
<p class="mb-0"><code class="once-password" id="new-password">{{PASSWORD}}</code></p>
</div>
<p><a class="btn btn-primary" href="/admin/users">返回用户列表</a></p>
