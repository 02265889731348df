{{! unavailable.tpl: standalone 503 page shown while the database is unreachable; needs no values. }}
{{%AUTOESCAPE context="HTML"}}
<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1,viewport-fit=cover">
<meta name="robots" content="noindex">
<meta http-equiv="refresh" content="30">
<title>系统维护中 - 训练营押金</title>
<link rel="stylesheet" href="/static/css/h5.css">
</head>
<body class="h5 standalone">
<main class="page" id="main">
<section class="msg">
<div class="msg__icon" aria-hidden="true"></div>
<h1 class="msg__title">系统维护中</h1>
<p class="msg__desc">服务暂时不可用，请稍后再试。</p>
<p class="msg__desc">已支付的押金和打卡记录都不会受影响，无需重复支付。</p>
<p class="msg__ref">页面每 30 秒自动重试，服务恢复后即可继续使用。</p>
</section>
</main>
</body>
</html>
