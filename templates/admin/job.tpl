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
<p class="job__note" id="job-note" aria-live="polite">{{NOTE}}</p>
{{/PROGRESS}}
{{#LIVE}}<p class="text-muted" id="job-live">任务进行中，本页会自动刷新；关闭页面不影响任务执行。</p>
{{/LIVE}}
{{#ERROR}}<div class="alert alert-danger" role="alert">失败原因：{{TEXT}}</div>
{{/ERROR}}
{{#SUMMARY}}<div class="alert alert-success job__summary" role="status">{{TEXT}}</div>
{{/SUMMARY}}
{{#DONE}}<div class="alert alert-success job__summary" role="status">任务已完成。</div>
{{/DONE}}
{{#BACK}}<p><a class="btn btn-outline-primary" href="{{URL}}">返回</a></p>
{{/BACK}}
{{#RESULT}}<details class="job__details"><summary>技术详情</summary>
<pre class="job__result">{{JSON}}</pre>
</details>
{{/RESULT}}
</section>
