{{%AUTOESCAPE context="HTML"}}<!doctype html>
{{! index.tpl: camp-sim's one page: orders, refunds, messages (WeCom, robots, official-account templates), check-ins }}
<html lang="zh-CN">
<head><meta charset="utf-8"><title>camp-sim 模拟器</title></head>
<body>
<h1>camp-sim（微信支付 / 公众号 / 企业微信 / 知识星球 模拟器）</h1>
<p>商户号 {{MCHID}} · 星球 {{GROUP_ID}}</p>
<h2>订单</h2>
<table border="1">
<tr><th>商户订单号</th><th>类型</th><th>描述</th><th>金额（元）</th><th>状态</th><th></th></tr>
{{#ORDER}}<tr><td>{{OUT_TRADE_NO}}</td><td>{{TYPE}}</td><td>{{DESCRIPTION}}</td><td>{{AMOUNT}}</td><td>{{STATE}}</td>
<td>{{#PAYABLE}}<form method="post" action="/sim/wechatpay/orders/{{OUT_TRADE_NO:url_query_escape}}/pay"><input type="hidden" name="ui" value="1"><input name="openid" placeholder="openid（可空）"><button type="submit">支付</button></form>{{/PAYABLE}}</td></tr>
{{/ORDER}}
</table>
<h2>退款</h2>
<table border="1">
<tr><th>退款单号</th><th>商户订单号</th><th>金额（元）</th><th>状态</th></tr>
{{#REFUND}}<tr><td>{{OUT_REFUND_NO}}</td><td>{{OUT_TRADE_NO}}</td><td>{{AMOUNT}}</td><td>{{STATUS}}</td></tr>
{{/REFUND}}
</table>
<h2>消息（企业微信应用消息 app、群机器人 webhook、公众号模板消息 template）</h2>
<table border="1">
<tr><th>时间</th><th>类型</th><th>接收</th><th>内容</th></tr>
{{#MSG}}<tr><td>{{AT}}</td><td>{{KIND}}</td><td>{{TO}}</td><td>{{CONTENT}}</td></tr>
{{/MSG}}
</table>
<h2>知识星球打卡</h2>
<form method="post" action="/sim/zsxq/checkins">
<label>打卡项目ID <input name="checkin_id" required></label>
<label>星球用户ID <input name="user_id" required></label>
<label>昵称 <input name="name"></label>
<label>日期 <input name="date" type="date" required></label>
<button type="submit">添加打卡</button>
</form>
<table border="1">
<tr><th>项目</th><th>用户</th><th>昵称</th><th>时间</th></tr>
{{#CHECKIN}}<tr><td>{{CHECKIN_ID}}</td><td>{{USER_ID}}</td><td>{{NAME}}</td><td>{{TIME}}</td></tr>
{{/CHECKIN}}
</table>
</body>
</html>
