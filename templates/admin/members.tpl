{{! admin/members.tpl: 会员列表 — filters by camp, binding, group and search; one page of paid members. }}
{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
<h1 class="page-head__title">会员列表</h1>
<p class="page-head__desc">已支付的报名；可按订单号或微信支付交易单号查找。</p>
</div>
<form class="filter-bar" method="get" action="/admin/members">
<div>
<label class="form-label" for="camp_id">训练营</label>
<select class="form-select" id="camp_id" name="camp_id">
<option value="">全部</option>
{{#CAMP}}<option value="{{ID}}"{{#SEL}} selected{{/SEL}}>{{NAME}}</option>
{{/CAMP}}
</select>
</div>
<div>
<label class="form-label" for="bind_status">绑定状态</label>
<select class="form-select" id="bind_status" name="bind_status">
<option value="">全部</option>
{{#BIND}}<option value="{{VALUE}}"{{#SEL}} selected{{/SEL}}>{{LABEL}}</option>
{{/BIND}}
</select>
</div>
<div>
<label class="form-label" for="joined">进群状态</label>
<select class="form-select" id="joined" name="joined">
<option value="">全部</option>
<option value="1"{{#JOINED_1}} selected{{/JOINED_1}}>已进群</option>
<option value="0"{{#JOINED_0}} selected{{/JOINED_0}}>未进群</option>
</select>
</div>
<div>
<label class="form-label" for="q">搜索</label>
<input class="form-control" type="search" id="q" name="q" value="{{Q}}" maxlength="100" placeholder="星球昵称/ID/微信昵称/订单号">
</div>
<div>
<button class="btn btn-primary" type="submit">筛选</button>
<button class="btn btn-outline-secondary" type="submit" name="format" value="csv">导出 CSV</button>
<button class="btn btn-outline-secondary" type="submit" name="format" value="xlsx">导出 Excel</button>
</div>
</form>
<p class="text-muted">共 <span class="num">{{TOTAL}}</span> 人{{#PAGES}}，第 {{PAGE}} / {{NPAGES}} 页{{/PAGES}}</p>
{{#EMPTY}}<div class="alert alert-info" role="status">没有符合条件的会员。</div>
{{/EMPTY}}
{{#TABLE}}<div class="table-responsive">
<table class="table table-sm align-middle">
<thead>
<tr><th scope="col">星球昵称</th><th scope="col">星球ID</th><th scope="col">微信昵称</th><th scope="col">训练营</th><th scope="col">支付金额</th><th scope="col">支付时间</th><th scope="col">绑定状态</th><th scope="col">绑定方式</th><th scope="col">进群状态</th><th scope="col">匹配度</th><th scope="col">操作</th></tr>
</thead>
<tbody>
{{#ROW}}<tr data-member-id="{{ID}}">
<td>{{PLANET_NICKNAME}}</td>
<td class="num">{{PLANET_USER_ID}}</td>
<td>{{WECHAT_NICKNAME}}</td>
<td>{{CAMP_NAME}}</td>
<td class="money">¥{{AMOUNT}}</td>
<td class="text-nowrap">{{PAY_TIME}}</td>
<td><span class="badge bind-badge bind-badge_{{BIND_STATUS}}">{{BIND_LABEL}}</span></td>
<td>{{BIND_METHOD}}</td>
<td>{{JOINED_LABEL}}</td>
<td class="num">{{CONFIDENCE}}{{#FLAGS}} <span class="text-warning">{{TEXT}}</span>{{/FLAGS}}</td>
<td class="text-nowrap"><a href="/admin/members/{{ID}}">查看详情</a> <a href="/admin/members/{{ID}}#bind">手动绑定</a>
{{#NOT_JOINED}}<form class="d-inline" method="post" action="/admin/members/{{ID}}/joined"><input type="hidden" name="_csrf" value="{{CSRF}}"><button class="btn btn-link btn-sm" type="submit">标记进群</button></form>{{/NOT_JOINED}}</td>
</tr>
{{/ROW}}
</tbody>
</table>
</div>
{{/TABLE}}
{{#PAGES}}<nav class="d-flex gap-2" aria-label="分页">
{{#PREV}}<form method="get" action="/admin/members">
<input type="hidden" name="camp_id" value="{{CAMP_ID}}"><input type="hidden" name="bind_status" value="{{BIND_VALUE}}"><input type="hidden" name="joined" value="{{JOINED_VALUE}}"><input type="hidden" name="q" value="{{Q}}">
<button class="btn btn-outline-secondary btn-sm" type="submit" name="page" value="{{N}}">上一页</button>
</form>
{{/PREV}}
{{#NEXT}}<form method="get" action="/admin/members">
<input type="hidden" name="camp_id" value="{{CAMP_ID}}"><input type="hidden" name="bind_status" value="{{BIND_VALUE}}"><input type="hidden" name="joined" value="{{JOINED_VALUE}}"><input type="hidden" name="q" value="{{Q}}">
<button class="btn btn-outline-secondary btn-sm" type="submit" name="page" value="{{N}}">下一页</button>
</form>
{{/NEXT}}
</nav>
{{/PAGES}}
