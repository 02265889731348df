{{! admin/camp_members_tab.tpl: the camp's 报名列表 tab — paid members with amount, binding, group and check-in days; 手动匹配 and 标记进群; members the official account could not reach (issue #16). }}
{{%AUTOESCAPE context="HTML"}}
<p class="text-muted">已支付 <span class="num">{{TOTAL}}</span> 人 · <a href="/admin/members?camp_id={{CAMP_ID}}">在会员列表中筛选</a> · <a href="/admin/members?camp_id={{CAMP_ID}}&amp;format=xlsx">导出 Excel</a></p>
{{#EMPTY}}<div class="alert alert-info" role="status">还没有已支付的报名。</div>
{{/EMPTY}}
<div class="table-responsive">
<table class="table table-sm align-middle camp-members">
<thead><tr><th scope="col">星球昵称</th><th scope="col">星球ID</th><th scope="col">微信昵称</th><th scope="col">支付时间</th><th scope="col" class="text-end">支付金额</th><th scope="col">绑定状态</th><th scope="col">进群</th><th scope="col">匹配度</th><th scope="col">打卡天数</th><th scope="col">操作</th></tr></thead>
<tbody>
{{#ROW}}<tr data-member-id="{{ID}}"><td><a href="/admin/members/{{ID}}">{{PLANET_NICKNAME}}</a></td><td class="num">{{PLANET_USER_ID}}</td><td>{{WECHAT_NICKNAME}}</td><td>{{PAY_TIME}}</td><td class="text-end money">¥{{AMOUNT}}</td><td>{{BIND_LABEL}}</td><td>{{JOINED}}</td><td class="num">{{CONFIDENCE}}</td><td class="num">{{DAYS}}</td>
<td class="text-nowrap">{{#CAN_MATCH}}<a class="btn btn-sm btn-link" href="/admin/members/{{ID}}#bind">手动匹配</a>{{/CAN_MATCH}}
{{#CAN_JOIN}}<form class="d-inline" method="post" action="/admin/members/{{ID}}/joined"><input type="hidden" name="_csrf" value="{{CSRF}}"><input type="hidden" name="back" value="/admin/camps/{{CAMP_ID}}?tab=members"><button class="btn btn-sm btn-link" type="submit">标记进群</button></form>{{/CAN_JOIN}}</td></tr>
{{/ROW}}
</tbody>
</table>
</div>
{{#UNREACHABLE}}<section class="mt-4" id="unreachable">
<h2 class="h6">公众号通知未触达的会员（<span class="num">{{N}}</span> 人）</h2>
<p class="text-muted small">这些会员收不到公众号提醒（未在微信内支付、未关注公众号或发送失败），提醒已显示在他们的入群票据和打卡进度页面上；必要时请人工联系。</p>
<table class="table table-sm"><thead><tr><th scope="col">会员</th><th scope="col">通知</th><th scope="col">时间</th><th scope="col">原因</th></tr></thead>
<tbody>{{#UNREACHED}}<tr data-unreached-id="{{ID}}"><td><a href="/admin/members/{{ID}}#notices">{{NICKNAME}}</a></td><td>{{LABEL}}</td><td>{{TIME}}</td><td class="small">{{WHY}}</td></tr>
{{/UNREACHED}}</tbody></table>
</section>{{/UNREACHABLE}}
