{{! layout_admin.tpl: page chrome of the admin console (Bootstrap 5; sidebar and top bar inside CHROME); the page body comes in as the BODY include. }}
{{%AUTOESCAPE context="HTML"}}
<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex">
<title>{{TITLE}} - 训练营押金管理后台</title>
<link rel="stylesheet" href="/javascript/bootstrap5/css/bootstrap.min.css">
<link rel="stylesheet" href="/static/css/admin.css">
<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">
<script src="/javascript/bootstrap5/js/bootstrap.bundle.min.js" defer></script>
{{#SCRIPT}}<script src="{{SRC}}" defer></script>
{{/SCRIPT}}
</head>
<body class="admin">
<a class="skip-link" href="#main">跳到正文</a>
{{#CHROME}}<header class="admin-topbar navbar navbar-dark">
<div class="container-fluid">
<button class="admin-menu-btn btn btn-sm btn-outline-light d-lg-none" type="button" data-bs-toggle="offcanvas" data-bs-target="#sidebar" aria-controls="sidebar">菜单</button>
<a class="navbar-brand" href="/admin/">训练营押金 · 管理后台</a>
<div class="admin-user">
<span class="admin-user__name">{{USER_NAME}}</span>
<span class="admin-user__role">{{ROLE_LABEL}}</span>
<form class="admin-user__logout" method="post" action="/admin/logout"><input type="hidden" name="_csrf" value="{{CSRF}}"><button type="submit" class="btn btn-sm btn-outline-light">退出</button></form>
</div>
</div>
</header>
<div class="admin-shell">
<nav id="sidebar" class="admin-sidebar offcanvas-lg offcanvas-start" tabindex="-1" aria-label="主菜单">
<div class="offcanvas-header">
<p class="offcanvas-title h5">菜单</p>
<button type="button" class="btn-close" data-bs-dismiss="offcanvas" data-bs-target="#sidebar"><span class="visually-hidden">关闭菜单</span></button>
</div>
<div class="offcanvas-body">
<ul class="admin-nav">
{{#NAV_DASHBOARD}}<li><a class="admin-nav__link" href="/admin/" aria-current="{{NAV_DASHBOARD_ACTIVE}}">工作台</a></li>
{{/NAV_DASHBOARD}}
{{#NAV_CAMPS}}<li><a class="admin-nav__link" href="/admin/camps" aria-current="{{NAV_CAMPS_ACTIVE}}">训练营</a></li>
{{/NAV_CAMPS}}
{{#NAV_MEMBERS}}<li><a class="admin-nav__link" href="/admin/members" aria-current="{{NAV_MEMBERS_ACTIVE}}">会员</a></li>
{{/NAV_MEMBERS}}
{{#NAV_CHECKINS}}<li><a class="admin-nav__link" href="/admin/checkins" aria-current="{{NAV_CHECKINS_ACTIVE}}">打卡</a></li>
{{/NAV_CHECKINS}}
{{#NAV_REFUNDS_PENDING}}<li><a class="admin-nav__link" href="/admin/refunds/pending" aria-current="{{NAV_REFUNDS_PENDING_ACTIVE}}">退款审核</a></li>
{{/NAV_REFUNDS_PENDING}}
{{#NAV_REFUNDS}}<li><a class="admin-nav__link" href="/admin/refunds" aria-current="{{NAV_REFUNDS_ACTIVE}}">退款记录</a></li>
{{/NAV_REFUNDS}}
{{#NAV_PAYMENT_EXCEPTIONS}}<li><a class="admin-nav__link" href="/admin/payments/exceptions" aria-current="{{NAV_PAYMENT_EXCEPTIONS_ACTIVE}}">支付异常</a></li>
{{/NAV_PAYMENT_EXCEPTIONS}}
{{#NAV_BOOKS}}<li><a class="admin-nav__link" href="/admin/books" aria-current="{{NAV_BOOKS_ACTIVE}}">对账</a></li>
{{/NAV_BOOKS}}
{{#NAV_REPORTS}}<li><a class="admin-nav__link" href="/admin/reports" aria-current="{{NAV_REPORTS_ACTIVE}}">统计报表</a></li>
{{/NAV_REPORTS}}
{{#NAV_SYSTEM}}<li class="admin-nav__heading">系统管理</li>
{{/NAV_SYSTEM}}
{{#NAV_USERS}}<li><a class="admin-nav__link" href="/admin/users" aria-current="{{NAV_USERS_ACTIVE}}">用户</a></li>
{{/NAV_USERS}}
{{#NAV_SETTINGS}}<li><a class="admin-nav__link" href="/admin/settings" aria-current="{{NAV_SETTINGS_ACTIVE}}">配置</a></li>
{{/NAV_SETTINGS}}
{{#NAV_LOGS}}<li><a class="admin-nav__link" href="/admin/logs" aria-current="{{NAV_LOGS_ACTIVE}}">操作日志</a></li>
{{/NAV_LOGS}}
</ul>
</div>
</nav>
<div class="admin-main">
{{/CHROME}}
<main class="admin-content" id="main">
{{#FLASH}}<div class="alert alert-{{KIND}}" role="status">{{TEXT}}</div>
{{/FLASH}}
{{>BODY}}
</main>
{{#CHROME}}</div>
</div>
{{/CHROME}}
</body>
</html>
