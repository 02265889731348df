{{! admin/logs.tpl: 操作日志 — filters, one page of rows, pagination and CSV export, the body of layout_admin.tpl. }}
{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
<h1 class="page-head__title">操作日志</h1>
<p class="page-head__desc">登录、用户与配置变更，以及训练营、会员和退款的敏感操作。</p>
</div>
<form class="filter-bar" method="get" action="/admin/logs">
<div>
<label class="form-label" for="operator">操作人</label>
<select class="form-select" id="operator" name="operator">
<option value="">全部</option>
{{#OPERATOR}}<option value="{{ID}}"{{#SEL}} selected{{/SEL}}>{{NAME}}</option>
{{/OPERATOR}}
</select>
</div>
<div>
<label class="form-label" for="operation_type">操作类型</label>
<select class="form-select" id="operation_type" name="operation_type">
<option value="">全部</option>
{{#TYPE}}<option value="{{VALUE}}"{{#SEL}} selected{{/SEL}}>{{LABEL}}</option>
{{/TYPE}}
</select>
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
<p class="text-muted">共 <span class="num">{{TOTAL}}</span> 条{{#PAGES}}，第 {{PAGE}} / {{NPAGES}} 页{{/PAGES}}</p>
{{#EMPTY}}<div class="alert alert-info" role="status">没有符合条件的操作记录。</div>
{{/EMPTY}}
{{#TABLE}}<div class="table-responsive">
<table class="table table-sm align-middle">
<thead>
<tr><th scope="col">时间</th><th scope="col">操作人</th><th scope="col">操作类型</th><th scope="col">操作对象</th><th scope="col">操作详情</th><th scope="col">IP 地址</th><th scope="col">结果</th></tr>
</thead>
<tbody>
{{#ROW}}<tr>
<td class="text-nowrap">{{TIME}}</td>
<td>{{OPERATOR}}</td>
<td>{{TYPE_LABEL}}</td>
<td>{{TARGET}}</td>
<td>{{DESC}}</td>
<td>{{IP}}</td>
<td>{{#OK}}成功{{/OK}}{{#FAILED}}<span class="text-danger">失败</span>{{/FAILED}}</td>
</tr>
{{/ROW}}
</tbody>
</table>
</div>
{{/TABLE}}
{{#PAGES}}<nav class="d-flex gap-2" aria-label="分页">
{{#PREV}}<form method="get" action="/admin/logs">
<input type="hidden" name="operator" value="{{OPERATOR_ID}}"><input type="hidden" name="operation_type" value="{{TYPE_VALUE}}"><input type="hidden" name="from" value="{{FROM}}"><input type="hidden" name="to" value="{{TO}}">
<button class="btn btn-outline-secondary btn-sm" type="submit" name="page" value="{{N}}">上一页</button>
</form>
{{/PREV}}
{{#NEXT}}<form method="get" action="/admin/logs">
<input type="hidden" name="operator" value="{{OPERATOR_ID}}"><input type="hidden" name="operation_type" value="{{TYPE_VALUE}}"><input type="hidden" name="from" value="{{FROM}}"><input type="hidden" name="to" value="{{TO}}">
<button class="btn btn-outline-secondary btn-sm" type="submit" name="page" value="{{N}}">下一页</button>
</form>
{{/NEXT}}
</nav>
{{/PAGES}}
