{{! admin/camps.tpl: 训练营列表 — filters, table, pagination (PRD 4.2.1.1). }}
{{%AUTOESCAPE context="HTML"}}
<div class="page-head page-head_actions">
<h1 class="page-head__title">训练营</h1>
<a class="btn btn-primary" href="/admin/camps/new">+ 创建训练营</a>
</div>
<form class="filter-bar row g-2 align-items-end" method="get" action="/admin/camps">
<div class="col-auto">
<label class="form-label" for="f-status">状态</label>
<select class="form-select" id="f-status" name="status">
{{#STATUS_OPTION}}<option value="{{VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{LABEL}}</option>
{{/STATUS_OPTION}}
</select>
</div>
<div class="col-auto">
<label class="form-label" for="f-when">时间</label>
<select class="form-select" id="f-when" name="when">
{{#WHEN_OPTION}}<option value="{{VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{LABEL}}</option>
{{/WHEN_OPTION}}
</select>
</div>
<div class="col-auto">
<label class="form-label" for="f-from">从</label>
<input class="form-control" type="date" id="f-from" name="from" value="{{FROM}}">
</div>
<div class="col-auto">
<label class="form-label" for="f-to">到</label>
<input class="form-control" type="date" id="f-to" name="to" value="{{TO}}">
</div>
<div class="col-auto">
<label class="form-label" for="f-q">名称</label>
<input class="form-control" type="search" id="f-q" name="q" value="{{Q}}" placeholder="搜索训练营名称" maxlength="50">
</div>
<div class="col-auto"><button class="btn btn-outline-primary" type="submit">筛选</button>
<button class="btn btn-outline-secondary" type="submit" name="format" value="csv">导出 CSV</button>
<button class="btn btn-outline-secondary" type="submit" name="format" value="xlsx">导出 Excel</button></div>
</form>
{{#EMPTY}}<div class="alert alert-light" role="status">没有符合条件的训练营。点击“创建训练营”开始第一期。</div>
{{/EMPTY}}
<div class="table-responsive">
<table class="table table-hover align-middle camp-table">
<thead><tr><th scope="col">海报</th><th scope="col">训练营名称</th><th scope="col" class="text-end">押金</th><th scope="col">开始日期 | 结束日期</th><th scope="col">打卡要求</th><th scope="col" class="text-end">报名人数</th><th scope="col">状态</th><th scope="col" class="text-end">操作</th></tr></thead>
<tbody>
{{#CAMP}}<tr data-camp-id="{{ID}}">
<td><img class="camp-thumb" src="{{POSTER_URL}}" alt="{{NAME}} 海报" width="64" height="36" loading="lazy"></td>
<td><a href="/admin/camps/{{ID}}">{{NAME}}</a></td>
<td class="text-end money">¥{{DEPOSIT}}</td>
<td>{{START_DATE}} | {{END_DATE}}</td>
<td>{{RULE}}</td>
<td class="text-end">{{PAID_MEMBERS}}</td>
<td><span class="badge camp-badge camp-badge_{{STATUS}}">{{STATUS_LABEL}}</span>{{#ARCHIVED}} <span class="badge text-bg-secondary">已归档</span>{{/ARCHIVED}}</td>
<td class="text-end text-nowrap">
<a class="btn btn-sm btn-link" href="/admin/camps/{{ID}}">查看</a>
<a class="btn btn-sm btn-link" href="/admin/camps/{{ID}}/edit">编辑</a>
<a class="btn btn-sm btn-link qr-open" href="/admin/camps/{{ID}}#qrcode" data-qr-src="/admin/camps/{{ID}}/qrcode.png" data-qr-url="{{ENROLL_URL}}" data-qr-name="{{NAME}}" data-qr-file="camp-{{ID}}-qrcode.png">生成二维码</a>
</td>
</tr>
{{/CAMP}}
</tbody>
</table>
</div>
<form class="pager d-flex align-items-center gap-2" method="get" action="/admin/camps">
<input type="hidden" name="status" value="{{STATUS}}">
<input type="hidden" name="when" value="{{WHEN}}">
<input type="hidden" name="from" value="{{FROM}}">
<input type="hidden" name="to" value="{{TO}}">
<input type="hidden" name="q" value="{{Q}}">
<span class="text-muted">共 {{TOTAL}} 个训练营，第 {{PAGE}} / {{PAGES}} 页</span>
{{#PREV}}<button class="btn btn-sm btn-outline-secondary" type="submit" name="page" value="{{N}}">上一页</button>{{/PREV}}
{{#NEXT}}<button class="btn btn-sm btn-outline-secondary" type="submit" name="page" value="{{N}}">下一页</button>{{/NEXT}}
</form>
