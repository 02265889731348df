{{! admin/camp_form.tpl: 创建/编辑训练营 — every field of PRD 4.2.1.2 with its error. }}
{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
<h1 class="page-head__title">{{HEADING}}</h1>
<p class="page-head__desc">带 <span class="req">*</span> 的为必填项。{{#LOCKED}}训练营已开始：日期、押金和打卡要求已锁定，其余信息（包括群二维码）仍可修改。{{/LOCKED}}</p>
</div>
{{#ERRORS}}<div class="alert alert-danger" role="alert">表单有 {{COUNT}} 处需要修改，请查看下方标红的字段。</div>
{{/ERRORS}}
<form class="camp-form" method="post" action="{{ACTION}}" enctype="multipart/form-data" novalidate>
<input type="hidden" name="_csrf" value="{{CSRF}}">
{{#POSTER_KEPT}}<input type="hidden" name="poster_sha256" value="{{SHA}}">{{/POSTER_KEPT}}
{{#QR_KEPT}}<input type="hidden" name="group_qrcode_sha256" value="{{SHA}}">{{/QR_KEPT}}
<fieldset class="mb-4">
<legend class="h5">基本信息</legend>
<div class="mb-3">
<label class="form-label" for="name">训练营名称 <span class="req">*</span></label>
<input class="form-control {{ERR_NAME_INVALID}}" id="name" name="name" value="{{NAME}}" maxlength="50" required>
{{#ERR_NAME}}<div class="invalid-feedback d-block">{{MSG}}</div>{{/ERR_NAME}}
<div class="form-text">最多 50 字</div>
</div>
<div class="mb-3">
<label class="form-label" for="poster">项目海报 <span class="req">*</span></label>
{{#POSTER_KEPT}}<div class="kept-image"><img src="/media/{{SHA}}" alt="已上传的海报" width="160" height="90"> <span class="text-muted">已上传，重新选择文件可替换</span></div>{{/POSTER_KEPT}}
<input class="form-control {{ERR_POSTER_INVALID}}" type="file" id="poster" name="poster" accept="image/jpeg,image/png">
{{#ERR_POSTER}}<div class="invalid-feedback d-block">{{MSG}}</div>{{/ERR_POSTER}}
<div class="form-text">支持 jpg/png，最大 2MB</div>
</div>
<div class="mb-3">
<label class="form-label" for="description">项目介绍</label>
<textarea class="form-control {{ERR_DESCRIPTION_INVALID}}" id="description" name="description" rows="5" maxlength="500">{{DESCRIPTION}}</textarea>
{{#ERR_DESCRIPTION}}<div class="invalid-feedback d-block">{{MSG}}</div>{{/ERR_DESCRIPTION}}
<div class="form-text">最多 500 字；支持 Markdown：**加粗**、*斜体*、[链接](https://…)、“- ”开头的列表，换行即换行。不支持 HTML。</div>
</div>
</fieldset>
<fieldset class="mb-4">
<legend class="h5">押金与打卡要求</legend>
<div class="row g-3">
<div class="col-md-4">
<label class="form-label" for="deposit">押金金额（元） <span class="req">*</span></label>
<input class="form-control {{ERR_DEPOSIT_INVALID}}" id="deposit" name="deposit" value="{{DEPOSIT}}" inputmode="decimal" placeholder="99.00"{{#LOCKED}} readonly{{/LOCKED}}>
{{#ERR_DEPOSIT}}<div class="invalid-feedback d-block">{{MSG}}</div>{{/ERR_DEPOSIT}}
</div>
<div class="col-md-4">
<label class="form-label" for="start_date">开始日期 <span class="req">*</span></label>
<input class="form-control {{ERR_START_DATE_INVALID}}" type="date" id="start_date" name="start_date" value="{{START_DATE}}"{{#LOCKED}} readonly{{/LOCKED}}>
{{#ERR_START_DATE}}<div class="invalid-feedback d-block">{{MSG}}</div>{{/ERR_START_DATE}}
{{#CREATING}}<div class="form-text">不能早于今天</div>{{/CREATING}}
</div>
<div class="col-md-4">
<label class="form-label" for="end_date">结束日期 <span class="req">*</span></label>
<input class="form-control {{ERR_END_DATE_INVALID}}" type="date" id="end_date" name="end_date" value="{{END_DATE}}"{{#LOCKED}} readonly{{/LOCKED}}>
{{#ERR_END_DATE}}<div class="invalid-feedback d-block">{{MSG}}</div>{{/ERR_END_DATE}}
<div class="form-text">必须晚于开始日期</div>
</div>
<div class="col-md-4">
<label class="form-label" for="total_days">总天数 X</label>
<input class="form-control {{ERR_TOTAL_DAYS_INVALID}}" id="total_days" name="total_days" value="{{TOTAL_DAYS}}" inputmode="numeric"{{#LOCKED}} readonly{{/LOCKED}}>
{{#ERR_TOTAL_DAYS}}<div class="invalid-feedback d-block">{{MSG}}</div>{{/ERR_TOTAL_DAYS}}
<div class="form-text">留空则为开始到结束的天数</div>
</div>
<div class="col-md-4">
<label class="form-label" for="required_days">要求打卡天数 Y <span class="req">*</span></label>
<input class="form-control {{ERR_REQUIRED_DAYS_INVALID}}" id="required_days" name="required_days" value="{{REQUIRED_DAYS}}" inputmode="numeric"{{#LOCKED}} readonly{{/LOCKED}}>
{{#ERR_REQUIRED_DAYS}}<div class="invalid-feedback d-block">{{MSG}}</div>{{/ERR_REQUIRED_DAYS}}
<div class="form-text">“总天数 X 天，要求 Y 天”，Y ≤ X</div>
</div>
<div class="col-md-4">
<label class="form-label" for="capacity">人数上限</label>
<input class="form-control {{ERR_CAPACITY_INVALID}}" id="capacity" name="capacity" value="{{CAPACITY}}" inputmode="numeric" placeholder="不限">
{{#ERR_CAPACITY}}<div class="invalid-feedback d-block">{{MSG}}</div>{{/ERR_CAPACITY}}
</div>
</div>
</fieldset>
<fieldset class="mb-4">
<legend class="h5">群与人员</legend>
<div class="mb-3">
<label class="form-label" for="group_qrcode">群二维码 <span class="req">*</span></label>
{{#QR_KEPT}}<div class="kept-image"><img src="/media/{{SHA}}" alt="已上传的群二维码" width="90" height="90"> <span class="text-muted">已上传，重新选择文件可替换</span></div>{{/QR_KEPT}}
<input class="form-control {{ERR_GROUP_QRCODE_INVALID}}" type="file" id="group_qrcode" name="group_qrcode" accept="image/jpeg,image/png">
{{#ERR_GROUP_QRCODE}}<div class="invalid-feedback d-block">{{MSG}}</div>{{/ERR_GROUP_QRCODE}}
<div class="form-text">微信群二维码 7 天后失效，训练营进行中也可以随时更换；超过 200 人的训练营建议上传企业微信“客户群活码”。</div>
</div>
<div class="row g-3">
<div class="col-md-6">
<label class="form-label" for="coach_ids">项目教练 <span class="req">*</span></label>
<select class="form-select {{ERR_COACH_IDS_INVALID}}" id="coach_ids" name="coach_ids" multiple size="4">
{{#COACH}}<option value="{{ID}}"{{#SELECTED}} selected{{/SELECTED}}>{{NAME}}</option>
{{/COACH}}
</select>
{{#NO_COACH}}<div class="form-text">还没有教练账号，请先在“用户”中添加。</div>{{/NO_COACH}}
{{#ERR_COACH_IDS}}<div class="invalid-feedback d-block">{{MSG}}</div>{{/ERR_COACH_IDS}}
</div>
<div class="col-md-6">
<label class="form-label" for="volunteer_ids">志愿者</label>
<select class="form-select {{ERR_VOLUNTEER_IDS_INVALID}}" id="volunteer_ids" name="volunteer_ids" multiple size="4">
{{#VOLUNTEER}}<option value="{{ID}}"{{#SELECTED}} selected{{/SELECTED}}>{{NAME}}</option>
{{/VOLUNTEER}}
</select>
{{#ERR_VOLUNTEER_IDS}}<div class="invalid-feedback d-block">{{MSG}}</div>{{/ERR_VOLUNTEER_IDS}}
</div>
</div>
</fieldset>
<fieldset class="mb-4">
<legend class="h5">关联信息</legend>
<div class="row g-3">
<div class="col-md-4">
<label class="form-label" for="planet_project_id">知识星球项目ID</label>
<input class="form-control {{ERR_PLANET_PROJECT_ID_INVALID}}" id="planet_project_id" name="planet_project_id" value="{{PLANET_PROJECT_ID}}" inputmode="numeric">
{{#ERR_PLANET_PROJECT_ID}}<div class="invalid-feedback d-block">{{MSG}}</div>{{/ERR_PLANET_PROJECT_ID}}
<div class="form-text">开营前必须填写</div>
</div>
<div class="col-md-4">
<label class="form-label" for="wechat_pay_code_id">企业微信收款码ID</label>
<input class="form-control {{ERR_WECHAT_PAY_CODE_ID_INVALID}}" id="wechat_pay_code_id" name="wechat_pay_code_id" value="{{WECHAT_PAY_CODE_ID}}">
{{#ERR_WECHAT_PAY_CODE_ID}}<div class="invalid-feedback d-block">{{MSG}}</div>{{/ERR_WECHAT_PAY_CODE_ID}}
<div class="form-text">可选，用于导入企业微信收款记录</div>
</div>
<div class="col-md-4">
<label class="form-label" for="robot_webhook_key">群机器人 Webhook Key</label>
<input class="form-control {{ERR_ROBOT_WEBHOOK_KEY_INVALID}}" id="robot_webhook_key" name="robot_webhook_key" value="" autocomplete="off" placeholder="{{#CREATING}}可选{{/CREATING}}{{#EDITING}}留空则不修改{{/EDITING}}">
{{#ERR_ROBOT_WEBHOOK_KEY}}<div class="invalid-feedback d-block">{{MSG}}</div>{{/ERR_ROBOT_WEBHOOK_KEY}}
<div class="form-text">加密保存，不会回显</div>
</div>
</div>
</fieldset>
<div class="d-flex gap-2">
<button class="btn btn-primary" type="submit">保存</button>
{{#UNPUBLISHED}}<button class="btn btn-outline-primary" type="submit" name="publish" value="1">保存并发布知识星球</button>{{/UNPUBLISHED}}
<a class="btn btn-outline-secondary" href="/admin/camps">取消</a>
</div>
</form>
