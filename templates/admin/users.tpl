{{! admin/users.tpl: 用户管理 — the list of console accounts with row actions, the body of layout_admin.tpl. }}
{{%AUTOESCAPE context="HTML"}}
<div class="page-head d-flex justify-content-between align-items-start">
<div>
<h1 class="page-head__title">用户管理</h1>
<p class="page-head__desc">管理后台账号与角色。禁用、删除或重置密码会让该用户立即退出所有已登录的设备。</p>
</div>
<div class="d-flex gap-2">
<a class="btn btn-outline-secondary" href="/admin/users?format=csv">导出 CSV</a>
<a class="btn btn-outline-secondary" href="/admin/users?format=xlsx">导出 Excel</a>
<a class="btn btn-primary" href="/admin/users/new">+ 添加用户</a>
</div>
</div>
<div class="table-responsive">
<table class="table table-hover align-middle">
<thead>
<tr><th scope="col">用户名</th><th scope="col">姓名</th><th scope="col">角色</th><th scope="col">创建时间</th><th scope="col">最后登录时间</th><th scope="col">状态</th><th scope="col" class="text-end">操作</th></tr>
</thead>
<tbody>
{{#USER}}<tr data-user-id="{{ID}}">
<td>{{USERNAME}}{{#SELF}} <span class="badge text-bg-secondary">我</span>{{/SELF}}</td>
<td>{{REAL_NAME}}</td>
<td>{{ROLE_LABEL}}</td>
<td>{{CREATED}}</td>
<td>{{LAST_LOGIN}}</td>
<td><span class="badge {{#ACTIVE}}text-bg-success{{/ACTIVE}}{{#DISABLED}}text-bg-secondary{{/DISABLED}}">{{STATUS_LABEL}}</span></td>
<td>
<div class="row-actions">
<a class="btn btn-sm btn-outline-primary" href="/admin/users/{{ID}}/edit">编辑</a>
<form method="post" action="/admin/users/{{ID}}/reset-password" data-confirm="将为 {{USERNAME}} 生成新密码，旧密码立即失效，该用户在所有设备上被退出登录。确定重置？" data-confirm-button="重置密码">
<input type="hidden" name="_csrf" value="{{CSRF}}">
<button class="btn btn-sm btn-outline-warning" type="submit">重置密码</button>
</form>
{{#CAN_DELETE}}<form method="post" action="/admin/users/{{ID}}/delete" data-confirm="将删除用户 {{USERNAME}}：该账号无法再登录，并在所有设备上被退出。操作日志中的记录会保留。确定删除？" data-confirm-button="删除">
<input type="hidden" name="_csrf" value="{{CSRF}}">
<button class="btn btn-sm btn-outline-danger" type="submit">删除</button>
</form>
{{/CAN_DELETE}}
</div>
</td>
</tr>
{{/USER}}
</tbody>
</table>
</div>
