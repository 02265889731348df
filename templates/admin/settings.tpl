{{! admin/settings.tpl: 系统配置 — every settings key by group, secrets never shown back, the body of layout_admin.tpl. }}
{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
<h1 class="page-head__title">系统配置</h1>
<p class="page-head__desc">每个分组单独保存，保存后数秒内在所有进程生效。加密项不会回显；留空表示保持原值。</p>
</div>
{{#SUMMARY}}<div class="alert alert-danger" role="alert">
<p class="mb-1">「{{GROUP}}」有 {{COUNT}} 处需要修改，未保存任何内容：</p>
<ul class="mb-0">
{{#ITEM}}<li>{{TEXT}}</li>
{{/ITEM}}
</ul>
</div>
{{/SUMMARY}}
{{#GROUP}}<section class="settings-group" id="group-{{INDEX}}" aria-labelledby="group-{{INDEX}}-title">
<h2 class="h5 mb-3" id="group-{{INDEX}}-title">{{NAME}}</h2>
<form class="admin-form" method="post" action="/admin/settings" novalidate>
<input type="hidden" name="_csrf" value="{{CSRF}}">
<input type="hidden" name="group" value="{{NAME}}">
{{#KEY}}<div class="mb-3">
<label class="form-label" for="{{FIELD_ID}}">{{LABEL}} <code class="small text-muted">{{FIELD}}</code></label>
{{#ALERTS}}<div class="alert-switches">
{{#TYPE}}<div class="form-check"><input class="form-check-input" type="checkbox" id="{{ID}}" name="alert_on" value="{{NAME}}"{{#ON}} checked{{/ON}}{{#ALWAYS}} checked disabled{{/ALWAYS}}>
<label class="form-check-label" for="{{ID}}">{{LABEL}}{{#ALWAYS}}（安全通知，始终开启）{{/ALWAYS}}</label></div>
{{/TYPE}}<input type="hidden" name="alerts_form" value="1">
<div class="form-text">勾选的告警以企业微信应用消息发送给下方的通知接收人。</div>
</div>
{{/ALERTS}}
{{#RECIPIENTS}}<select class="form-select{{#ERR}} is-invalid{{/ERR}}" id="{{FIELD_ID}}" name="admin_user_ids" multiple size="6">
{{#STAFF}}<option value="{{ID}}"{{#SELECTED}} selected{{/SELECTED}}>{{NAME}}</option>
{{/STAFF}}</select>
<input type="hidden" name="recipients_form" value="1">
<div class="form-text">按住 Ctrl（Mac 为 ⌘）可多选。不选则发送给所有启用的超级管理员；接收人需在用户管理中填写企业微信 userid。</div>
{{/RECIPIENTS}}
{{#LINE}}<input class="form-control{{#ERR}} is-invalid{{/ERR}}" type="{{TYPE}}" id="{{FIELD_ID}}" name="{{FIELD}}" value="{{VALUE}}" autocomplete="off" spellcheck="false">
{{/LINE}}
{{#AREA}}<textarea class="form-control font-monospace{{#ERR}} is-invalid{{/ERR}}" id="{{FIELD_ID}}" name="{{FIELD}}" rows="5" spellcheck="false">{{VALUE}}</textarea>
{{/AREA}}
{{#SECRET}}<p class="secret-state">{{STATE}}</p>
{{/SECRET}}
{{#ERR}}<div class="invalid-feedback d-block">{{TEXT}}</div>
{{/ERR}}
</div>
{{/KEY}}
{{#TOKEN_LIFE}}<p class="alert alert-{{CLASS}} py-2" role="status">知识星球 Token 有效期：{{TEXT}}</p>
{{/TOKEN_LIFE}}
{{#CALLBACKS}}<div class="mb-3">
<label class="form-label" for="notify-url">支付回调地址（只读，填入微信支付商户平台）</label>
<input class="form-control" type="text" id="notify-url" value="{{NOTIFY_URL}}" readonly>
</div>
<div class="mb-3">
<label class="form-label" for="refund-notify-url">退款回调地址（只读）</label>
<input class="form-control" type="text" id="refund-notify-url" value="{{REFUND_NOTIFY_URL}}" readonly>
</div>
<div class="mb-3">
<label class="form-label" for="confirm_password">你的登录密码 <span class="text-danger" aria-hidden="true">*</span></label>
<input class="form-control{{#CONFIRM_ERR}} is-invalid{{/CONFIRM_ERR}}" type="password" id="confirm_password" name="confirm_password" autocomplete="current-password">
<div class="form-text">修改任何微信支付配置都需要再次输入密码，并会通知所有超级管理员。</div>
{{#CONFIRM_ERR}}<div class="invalid-feedback d-block">{{TEXT}}</div>
{{/CONFIRM_ERR}}
</div>
{{/CALLBACKS}}
<button class="btn btn-primary" type="submit">保存「{{NAME}}」</button>
</form>
{{#VERIFY}}<div class="settings-status mt-4" id="wxpay-verify">
<h3 class="h6">验签方式（可同时启用，切换期间两者都会用到）</h3>
<ul class="list-unstyled mb-2">
<li>微信支付公钥：{{#PUBKEY_ON}}<span class="badge text-bg-success">已启用</span> <code>{{ID}}</code>{{/PUBKEY_ON}}{{#PUBKEY_OFF}}<span class="badge text-bg-secondary">未配置</span>{{/PUBKEY_OFF}}</li>
<li>平台证书：{{#CERTS_ON}}<span class="badge text-bg-success">已启用</span> 保存了 {{COUNT}} 张未过期的证书{{/CERTS_ON}}{{#CERTS_OFF}}<span class="badge text-bg-secondary">没有未过期的证书</span>{{/CERTS_OFF}}</li>
</ul>
{{#CERT_TABLE}}<div class="table-responsive">
<table class="table table-sm align-middle">
<thead><tr><th scope="col">证书序列号</th><th scope="col">生效时间</th><th scope="col">过期时间</th><th scope="col" class="text-end">剩余天数</th></tr></thead>
<tbody>
{{#CERT}}<tr><td><code>{{SERIAL}}</code></td><td>{{EFFECTIVE}}</td><td>{{EXPIRE}}{{#SOON}} <span class="badge text-bg-warning">即将过期</span>{{/SOON}}</td><td class="text-end">{{DAYS}}</td></tr>
{{/CERT}}</tbody>
</table>
</div>
{{/CERT_TABLE}}
{{#LAST_RUN}}<p class="small mb-1">最近一次下载平台证书：{{AT}} {{OUTCOME}}{{#ERROR}}（{{TEXT}}）{{/ERROR}}</p>
{{/LAST_RUN}}
<p class="small text-muted mb-0">平台证书每天 02:30 自动下载，保存微信支付配置后立即下载；回调里出现未知的证书序列号时也会下载（每分钟至多一次）。最后一张证书过期前 7 天起，每天提醒一次。</p>
</div>
{{/VERIFY}}
{{#WECOM_REFUSED}}<div class="settings-status mt-4" id="wecom-refused">
<h3 class="h6">企业微信 UserID 有误的员工（收不到告警）</h3>
<div class="table-responsive">
<table class="table table-sm align-middle">
<thead><tr><th scope="col">用户名</th><th scope="col">姓名</th><th scope="col">企业微信 UserID</th><th scope="col">原因</th><th scope="col">发现时间</th><th scope="col"><span class="visually-hidden">操作</span></th></tr></thead>
<tbody>
{{#USER}}<tr><td>{{USERNAME}}</td><td>{{REAL_NAME}}</td><td><code>{{WECOM_USERID}}</code></td><td>{{REASON}}</td><td>{{AT}}</td><td><a href="/admin/users/{{ID}}/edit">修改</a></td></tr>
{{/USER}}</tbody>
</table>
</div>
</div>
{{/WECOM_REFUSED}}
{{#TESTABLE}}<form class="mt-2" method="post" action="/admin/settings/test">
<input type="hidden" name="_csrf" value="{{CSRF}}">
<input type="hidden" name="provider" value="{{PROVIDER}}">
<button class="btn btn-outline-secondary" type="submit">测试连接（已保存的配置）</button>
</form>{{/TESTABLE}}
</section>
{{/GROUP}}
