{{! layout_h5.tpl: page chrome of the member H5 pages (WeUI, mobile first); the page body comes in as the BODY include. }}
{{%AUTOESCAPE context="HTML"}}
<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1,viewport-fit=cover">
<meta name="format-detection" content="telephone=no">
<title>{{TITLE}} - 训练营押金</title>
<link rel="stylesheet" href="/static/vendor/weui/weui.min.css">
<link rel="stylesheet" href="/static/css/h5.css">
<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">
{{#SCRIPT}}<script src="{{SRC}}" defer></script>
{{/SCRIPT}}
</head>
<body class="h5">
<main class="page" id="main">
{{#FLASH}}<div class="flash flash-{{KIND}}" role="status">{{TEXT}}</div>
{{/FLASH}}
{{>BODY}}
</main>
</body>
</html>
