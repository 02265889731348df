{{! admin/job.tpl: 任务进度 — one queued job's state and progress, the body of layout_admin.tpl. }}
{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
<h1 class="page-head__title">任务进度 #{{ID}}</h1>
<p class="page-head__desc">任务 <code>{{KIND}}</code></p>
</div>
<section class="job" id="job" data-job-id="{{ID}}" data-state="{{STATE}}">
<dl class="row">
<dt class="col-sm-2">状态</dt><dd class="col-sm-10"><span class="job__state job__state_{{STATE}}" id="job-state">{{STATE_LABEL}}</span></dd>
<dt class="col-sm-2">提交时间</dt><dd class="col-sm-10">{{CREATED_AT}}</dd>
{{#STARTED}}<dt class="col-sm-2">开始时间</dt><dd class="col-sm-10">{{AT}}</dd>
{{/STARTED}}{{#FINISHED}}<dt class="col-sm-2">结束时间</dt><dd class="col-sm-10">{{AT}}</dd>
{{/FINISHED}}</dl>
{{#PROGRESS}}<p class="job__progress"><label for="job-progress">进度</label>
<progress id="job-progress" max="{{TOTAL}}" value="{{DONE}}">{{DONE}} / {{TOTAL}}</progress>
<span id="job-progress-text">{{DONE}} / {{TOTAL}}</span></p>
{{/PROGRESS}}
{{#LIVE}}<p class="text-muted" id="job-live">任务进行中，本页会自动刷新；关闭页面不影响任务执行。</p>
{{/LIVE}}
{{#ERROR}}<div class="alert alert-danger" role="alert">失败原因：{{TEXT}}</div>
{{/ERROR}}
{{#RESULT}}<h2 class="h5">结果</h2>
<pre class="job__result">{{JSON}}</pre>
{{/RESULT}}
</section>
