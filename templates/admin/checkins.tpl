{{! admin/checkins.tpl: 打卡记录 — filters, one page of check-in days, CSV export, and the chosen camp's progress calendar. }}
{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
<h1 class="page-head__title">打卡记录</h1>
<p class="page-head__desc">每人每天一条（北京时间）；选择训练营后显示打卡进度日历。</p>
</div>
<form class="filter-bar" method="get" action="/admin/checkins">
<div>
<label class="form-label" for="camp_id">训练营</label>
<select class="form-select" id="camp_id" name="camp_id">
<option value="">全部</option>
{{#CAMP}}<option value="{{ID}}"{{#SEL}} selected{{/SEL}}>{{NAME}}</option>
{{/CAMP}}
</select>
</div>
<div>
<label class="form-label" for="q">会员搜索</label>
<input class="form-control" type="search" id="q" name="q" value="{{Q}}" maxlength="100" placeholder="昵称或星球ID">
</div>
<div>
<label class="form-label" for="from">开始日期</label>
<input class="form-control{{#FROM_ERR}} is-invalid{{/FROM_ERR}}" type="date" id="from" name="from" value="{{FROM}}">
{{#FROM_ERR}}<div class="invalid-feedback d-block">{{TEXT}}</div>
{{/FROM_ERR}}
</div>
<div>
<label class="form-label" for="to">结束日期</label>
<input class="form-control{{#TO_ERR}} is-invalid{{/TO_ERR}}" type="date" id="to" name="to" value="{{TO}}">
{{#TO_ERR}}<div class="invalid-feedback d-block">{{TEXT}}</div>
{{/TO_ERR}}
</div>
<div>
<button class="btn btn-primary" type="submit">筛选</button>
<button class="btn btn-outline-secondary" type="submit" name="format" value="csv">导出 CSV</button>
<button class="btn btn-outline-secondary" type="submit" name="format" value="xlsx">导出 Excel</button>
</div>
</form>
{{>PROGRESS}}
<p class="text-muted">共 <span class="num">{{TOTAL}}</span> 条{{#PAGES}}，第 {{PAGE}} / {{NPAGES}} 页{{/PAGES}}</p>
{{#EMPTY}}<div class="alert alert-info" role="status">没有符合条件的打卡记录。</div>
{{/EMPTY}}
{{#TABLE}}<div class="table-responsive">
<table class="table table-sm align-middle">
<thead>
<tr><th scope="col">会员</th><th scope="col">星球昵称</th><th scope="col">训练营</th><th scope="col">打卡日期</th><th scope="col">打卡时间</th><th scope="col">累计天数</th><th scope="col">完成率</th><th scope="col">满足退款条件</th></tr>
</thead>
<tbody>
{{#ROW}}<tr>
<td>{{#LINK}}<a href="/admin/members/{{ID}}">{{/LINK}}{{MEMBER}}{{#LINK}}</a>{{/LINK}}</td>
<td>{{PLANET}} <span class="num text-muted">{{PLANET_USER_ID}}</span></td>
<td>{{CAMP}}</td>
<td class="checkin-date">{{DATE}}</td>
<td>{{TIME}}</td>
<td class="num">{{COUNT}}</td>
<td class="num">{{RATE}}%</td>
<td>{{ELIGIBLE}}</td>
</tr>
{{/ROW}}
</tbody>
</table>
</div>
{{/TABLE}}
{{#PAGES}}<nav class="d-flex gap-2" aria-label="分页">
{{#PREV}}<form method="get" action="/admin/checkins">
<input type="hidden" name="camp_id" value="{{CAMP_ID}}"><input type="hidden" name="q" value="{{Q}}"><input type="hidden" name="from" value="{{FROM}}"><input type="hidden" name="to" value="{{TO}}">
<button class="btn btn-outline-secondary btn-sm" type="submit" name="page" value="{{N}}">上一页</button>
</form>
{{/PREV}}
{{#NEXT}}<form method="get" action="/admin/checkins">
<input type="hidden" name="camp_id" value="{{CAMP_ID}}"><input type="hidden" name="q" value="{{Q}}"><input type="hidden" name="from" value="{{FROM}}"><input type="hidden" name="to" value="{{TO}}">
<button class="btn btn-outline-secondary btn-sm" type="submit" name="page" value="{{N}}">下一页</button>
</form>
{{/NEXT}}
</nav>
{{/PAGES}}
