/* admin_refunds.c: 待审核 and 退款记录 — audit decisions, batches, follow-ups, exports, and 生成退款名单. */
#include "pages.h"
#include "audit_req.h"
#include "camp.h"
#include "dates.h"
#include "export.h"
#include "jobs.h"
#include "members.h"
#include "money.h"
#include "page.h"
#include "refunds.h"
#include "router.h"

#include <json-c/json.h>
#include <string.h>

#define MAX_IDS 5000

/* coaches decide only for the camps they are assigned to (enforced in SQL) */
static long long scope_of(const struct req *r)
{
	return (r->user->role & (ROLE_ADMIN | ROLE_MANAGER)) ? 0 : r->user->id;
}

static long long param_id(const char *v)
{
	long long id = 0;
	if (v && *v && parse_i64(v, 1, 1LL << 53, &id) != CAMP_OK)
		id = 0;
	return id;
}

static const char *member_label(arena *a, const struct refund_row *x)
{
	return arena_printf(a, "%s / %s / %s", x->planet_nickname ? x->planet_nickname : "—",
	                    x->planet_user_id ? x->planet_user_id : "—",
	                    x->wechat_nickname ? x->wechat_nickname : "—");
}

static const char *bind_label(const char *s)
{
	static const char *const l[][2] = {
		{ "pending", "待绑定" }, { "completed", "已绑定" }, { "expired", "已过期" },
		{ "manual_review", "待人工处理" }, { "closed", "已关闭" },
	};
	for (size_t i = 0; s && i < CAMP_ARRAY_LEN(l); i++)
		if (!strcmp(l[i][0], s))
			return l[i][1];
	return s ? s : "";
}

static void fill_member(arena *a, tpl_dict *row, const struct refund_row *x)
{
	tpl_set_int(row, "ID", x->id);
	tpl_set_int(row, "MEMBER_ID", x->member_id);
	tpl_set(row, "MEMBER", member_label(a, x));
	tpl_set(row, "CAMP", x->camp_name);
	tpl_set_money(row, "AMOUNT", x->fen);
	tpl_set_int(row, "FEN", x->fen);
	tpl_set_int(row, "DAYS", x->checkin_count);
	tpl_set_int(row, "REQUIRED", x->required_days);
	tpl_set(row, "BIND", bind_label(x->bind_status));
	tpl_set(row, "BIND_METHOD", x->bind_method ? x->bind_method : "");
	tpl_set_int(row, "CONFIDENCE", x->confidence);
	tpl_set(row, "JUDGE", x->eligible ? "✅符合" : "❌不符合");
	if (x->proposer) {   /* 人工提议 / 重新提议: who and why, in every list */
		tpl_dict *m = tpl_add_section(row, "MANUAL");
		tpl_set(m, "BY", x->proposer);
		tpl_set(m, "REASON", x->proposal_reason);
	}
}

/* One row of any refund list: the member, the money, the decision and its state. */
void refund_row_fill(struct req *r, tpl_dict *row, const struct refund_row *x)
{
	fill_member(r->a, row, x);
	tpl_set(row, "AUDIT_TIME", x->audit_time);
	tpl_set(row, "AUDITOR", x->auditor);
	tpl_set(row, "STATUS", x->status);
	tpl_set(row, "STATUS_LABEL", refund_status_label(x->status));
	tpl_set(row, "AUDIT_LABEL", !strcmp(x->audit_status, "approved") ? "已通过" :
	        !strcmp(x->audit_status, "rejected") ? "已拒绝" : "待审核");
	tpl_set(row, "REASON", x->failure_reason ? x->failure_reason : x->audit_comment);
	tpl_set(row, "OUT_REFUND_NO", x->out_refund_no);
	tpl_set(row, "UPDATED", x->updated);
	tpl_set_int(row, "ATTEMPT", x->attempt);
	if (!strcmp(x->status, "rejected") && (r->user->role & R_REFUND_LIFE))
		tpl_show(row, "REOPEN");
}

static int may_manage(const struct req *r)
{
	return (r->user->role & R_REFUND_LIFE) != 0;
}

/* The camp selector of a filter bar: the camps this user may see. */
static int fill_camp_options(struct req *r, tpl_dict *b, long long camp_id)
{
	struct binding_actor who = { r->user->id, (r->user->role & (ROLE_ADMIN | ROLE_MANAGER)) != 0 };
	struct camp_choice *camps;
	int n = 0;
	if (member_camp_choices(r->db, r->a, &who, &camps, &n) != CAMP_OK)
		return CAMP_EDB;
	for (int i = 0; i < n; i++) {
		tpl_dict *o = tpl_add_section(b, "CAMP_OPTION");
		tpl_set_int(o, "ID", camps[i].id);
		tpl_set(o, "NAME", camps[i].name);
		if (camps[i].id == camp_id)
			tpl_show(o, "SELECTED");
	}
	if (camp_id > 0)
		tpl_set_int(b, "CAMP_ID", camp_id);
	return CAMP_OK;
}

static long long page_of(const struct req *r)
{
	long long page = 1;
	const char *v = req_param(r, "page");
	if (v == NULL || parse_i64(v, 1, 1000000, &page) != CAMP_OK)
		page = 1;
	return page;
}

static const struct xcol pending_cols[] = {
	{ "退款ID", XC_INT, 8 }, { "星球昵称", XC_TEXT, 16 }, { "星球ID", XC_TEXT, 18 },
	{ "微信昵称", XC_TEXT, 16 }, { "训练营", XC_TEXT, 20 }, { "支付金额", XC_MONEY, 10 },
	{ "打卡天数", XC_INT, 8 }, { "要求天数", XC_INT, 8 }, { "绑定状态", XC_TEXT, 10 },
	{ "绑定方式", XC_TEXT, 12 }, { "匹配度", XC_INT, 8 }, { "自动判断", XC_TEXT, 10 },
	{ "提议方式", XC_TEXT, 30 },
};

static const char *proposal_text(arena *a, const struct refund_row *x)
{
	return x->proposer ? arena_printf(a, "人工提议（%s）：%s", x->proposer,
	                                  x->proposal_reason ? x->proposal_reason : "")
	                   : "自动";
}

static void export_pending(struct req *r, struct resp *w, enum export_format fmt,
                           const struct refund_row *rows, int n)
{
	struct xtable *t = xtable_new(r->a, "待审核退款", pending_cols, (int)CAMP_ARRAY_LEN(pending_cols));
	for (int i = 0; i < n; i++) {
		const struct refund_row *x = &rows[i];
		xtable_int(t, x->id);
		xtable_text(t, x->planet_nickname);
		xtable_text(t, x->planet_user_id);
		xtable_text(t, x->wechat_nickname);
		xtable_text(t, x->camp_name);
		xtable_money(t, x->fen);
		xtable_int(t, x->checkin_count);
		xtable_int(t, x->required_days);
		xtable_text(t, bind_label(x->bind_status));
		xtable_text(t, x->bind_method);
		xtable_int(t, x->confidence);
		xtable_text(t, x->eligible ? "符合" : "不符合");
		xtable_text(t, proposal_text(r->a, x));
	}
	export_send(r, w, t, fmt, "refunds-pending");
}

#define PENDING_PER_PAGE 100
#define UNPROPOSED_SHOWN 500   /* per list below; the count says when there are more */

static void fill_unproposed(struct req *r, tpl_dict *b, const char *section, const char *has,
                            const struct refund_row *rows, int n, const struct refund_totals *t)
{
	if (n == 0)
		return;
	tpl_dict *h = tpl_add_section(b, has);
	tpl_set_int(h, "COUNT", t->rows);
	if (t->rows > n)
		tpl_set_int(tpl_add_section(h, "MORE"), "SHOWN", n);
	for (int i = 0; i < n; i++) {
		tpl_dict *row = tpl_add_section(h, section);
		fill_member(r->a, row, &rows[i]);
		if (may_manage(r))
			tpl_show(row, "CAN_MANAGE");
		if (rows[i].bind_status && !strcmp(rows[i].bind_status, "manual_review") && may_manage(r))
			tpl_show(row, "CAN_CLOSE");
	}
}

void page_admin_refunds_pending(struct req *r, struct resp *w)
{
	enum export_format fmt = export_requested(r);
	long long page = page_of(r);
	struct refund_filter f = { .camp_id = param_id(req_param(r, "camp_id")),
	                           .bind_status = req_param(r, "bind_status"),
	                           .scope_user = scope_of(r),
	                           .limit = fmt ? 0 : PENDING_PER_PAGE,
	                           .offset = (page - 1) * PENDING_PER_PAGE };
	static const char *const binds[] = { "", "pending", "completed", "expired", "manual_review", "closed" };
	int known = 0;
	for (size_t i = 0; i < CAMP_ARRAY_LEN(binds); i++)
		known |= f.bind_status && !strcmp(f.bind_status, binds[i]);
	if (!known)
		f.bind_status = "";
	struct refund_row *rows, *unmatched, *near;
	int n, nu = 0, nn = 0;
	struct refund_totals tp, tu, tn;
	if (refund_pending(r->db, r->a, &f, &rows, &n, &tp) != CAMP_OK) {
		resp_unavailable(r, w);
		return;
	}
	if (fmt) {
		export_pending(r, w, fmt, rows, n);
		return;
	}
	struct refund_filter fu = f;
	fu.limit = UNPROPOSED_SHOWN;
	struct page *p = page_new(r, "待审核退款", "admin/refunds_pending.tpl");
	tpl_dict *b = p->body;
	if (refund_unproposed(r->db, r->a, &fu, "unmatched", &unmatched, &nu, &tu) != CAMP_OK ||
	    refund_unproposed(r->db, r->a, &fu, "near", &near, &nn, &tn) != CAMP_OK ||
	    fill_camp_options(r, b, f.camp_id) != CAMP_OK) {
		resp_unavailable(r, w);
		return;
	}
	page_script(p, "/static/js/confirm.js");
	page_script(p, "/static/js/refund-select.js");
	for (size_t i = 0; i < CAMP_ARRAY_LEN(binds); i++) {
		tpl_dict *o = tpl_add_section(b, "BIND_OPTION");
		tpl_set(o, "VALUE", binds[i]);
		tpl_set(o, "LABEL", binds[i][0] ? bind_label(binds[i]) : "全部");
		if (!strcmp(f.bind_status, binds[i]))
			tpl_show(o, "SELECTED");
	}
	tpl_set(b, "BIND_STATUS", f.bind_status);
	for (int i = 0; i < n; i++) {
		tpl_dict *row = tpl_add_section(b, "ROW");
		fill_member(r->a, row, &rows[i]);
		char yuan[32];
		tpl_set(row, "CONFIRM", arena_printf(r->a, "确认通过并退款 ¥%s 给 %s？",
		                                     money_format(rows[i].fen, yuan, sizeof(yuan)),
		                                     member_label(r->a, &rows[i])));
	}
	if (n == 0)
		tpl_show(b, "EMPTY");
	tpl_set_int(b, "COUNT", tp.rows);
	char sum[32];
	tpl_set(b, "SUM", money_format_grouped(tp.fen, sum, sizeof(sum)));
	page_pager(b, page, tp.rows, PENDING_PER_PAGE);
	fill_unproposed(r, b, "UNMATCHED", "HAS_UNMATCHED", unmatched, nu, &tu);
	fill_unproposed(r, b, "NEAR", "HAS_NEAR", near, nn, &tn);
	page_admin(r, w, p, "/admin/refunds/pending");
}

/* The form's ids (repeatable); 0 when one is malformed. */
static int form_ids(struct req *r, long long **out)
{
	static const char *vals[MAX_IDS];
	size_t n = kv_get_all(&r->form, "ids", vals, MAX_IDS);
	if (n > MAX_IDS)
		return -1;
	*out = arena_alloc(r->a, sizeof(**out) * (n + 1));
	for (size_t i = 0; i < n; i++)
		if (parse_i64(vals[i], 1, 1LL << 53, &(*out)[i]) != CAMP_OK)
			return -1;
	return (int)n;
}

static void decide(struct req *r, struct resp *w, int approve)
{
	long long *ids;
	int n = form_ids(r, &ids);
	const char *reason = req_form(r, "reason");
	if (reason && !*reason)
		reason = NULL;
	if (n <= 0) {
		resp_error(r, w, 400, n < 0 ? "退款编号无效" : "请先选择要审核的退款");
		return;
	}
	if (!approve && reason == NULL) {
		resp_error(r, w, 400, "请填写拒绝原因");
		return;
	}
	if (reason && strlen(reason) > 500) {
		resp_error(r, w, 400, "原因不能超过 500 字节");
		return;
	}
	long long min_conf = 100;
	const char *mc = req_form(r, "min_confidence");
	if (mc && *mc && parse_i64(mc, 0, 100, &min_conf) != CAMP_OK) {
		resp_error(r, w, 400, "最低匹配度应为 0–100 的整数");
		return;
	}
	if (n == 1) {   /* an individual decision, at any confidence */
		struct audit who;
		audit_from_req(r, &who, NULL);
		int64_t fen = 0;
		int rc = refund_decide(r->db, r->a, ids[0], approve, reason, 0, scope_of(r), &who, &fen);
		if (rc == CAMP_ENOTFOUND) {
			resp_error(r, w, 404, "该退款不存在、已审核或不在您负责的训练营");
			return;
		}
		if (rc == CAMP_ECONFLICT) {
			resp_error(r, w, 409, "该笔付款已有进行中的退款");
			return;
		}
		if (rc != CAMP_OK) {
			resp_unavailable(r, w);
			return;
		}
		if (approve)   /* run it now rather than at the next minute */
			job_enqueue(r->db, r->a, "refunds", NULL, r->user->id);
		char yuan[32];
		resp_flash(r, w, "success", approve
		           ? arena_printf(r->a, "已通过退款 #%lld（¥%s），正在提交微信退款", ids[0],
		                          money_format(fen, yuan, sizeof(yuan)))
		           : arena_printf(r->a, "已拒绝退款 #%lld", ids[0]));
		resp_redirect(w, "/admin/refunds/pending");
		return;
	}
	const char *confirm = req_form(r, "confirm");
	if (confirm == NULL || strcmp(confirm, "1") != 0) {
		/* a batch needs a second confirmation */
		struct page *p = page_new(r, "确认批量审核", "admin/refund_confirm.tpl");
		tpl_dict *b = p->body;
		for (int i = 0; i < n; i++)
			tpl_set_int(tpl_add_section(b, "ID"), "V", ids[i]);
		tpl_set_int(b, "COUNT", n);
		tpl_set_int(b, "MIN_CONFIDENCE", min_conf);
		tpl_set(b, "REASON", reason);
		tpl_set(b, "ACTION", approve ? "/admin/refunds/approve" : "/admin/refunds/reject");
		tpl_set(b, "VERB", approve ? "通过" : "拒绝");
		int cnt = 0;
		int64_t fen = 0;
		if (approve && refund_batch_total(r->db, r->a, ids, n, (int)min_conf, scope_of(r), &cnt, &fen) == CAMP_OK) {
			/* the money is spelled out before anything moves (UI.md) */
			char total[32];
			tpl_dict *ap = tpl_add_section(b, "APPROVE");
			tpl_set_int(ap, "MEMBERS", cnt);
			tpl_set(ap, "TOTAL", money_format_grouped(fen, total, sizeof(total)));
		}
		page_admin(r, w, p, "/admin/refunds/pending");
		return;
	}
	struct json_object *args = json_object_new_object(), *list = json_object_new_array();
	for (int i = 0; i < n; i++)
		json_object_array_add(list, json_object_new_int64(ids[i]));
	json_object_object_add(args, "ids", list);
	json_object_object_add(args, "action", json_object_new_string(approve ? "approve" : "reject"));
	json_object_object_add(args, "min_confidence", json_object_new_int64(min_conf));
	if (reason)
		json_object_object_add(args, "reason", json_object_new_string(reason));
	json_object_object_add(args, "auditor", json_object_new_int64(r->user->id));
	json_object_object_add(args, "auditor_name", json_object_new_string(r->user->username));
	json_object_object_add(args, "scope_user", json_object_new_int64(scope_of(r)));
	if (r->remote_addr)
		json_object_object_add(args, "ip", json_object_new_string(r->remote_addr));
	const char *text = arena_strdup(r->a, json_object_to_json_string_ext(args, JSON_C_TO_STRING_PLAIN));
	json_object_put(args);
	long long job = job_enqueue(r->db, r->a, "refunds", text, r->user->id);
	if (job == 0) {
		resp_unavailable(r, w);
		return;
	}
	resp_redirect(w, arena_printf(r->a, "/admin/jobs/%lld", job));
}

void page_admin_refunds_approve(struct req *r, struct resp *w)
{
	decide(r, w, 1);
}

void page_admin_refunds_reject(struct req *r, struct resp *w)
{
	decide(r, w, 0);
}

/* ---- 退款记录 ---------------------------------------------------------------- */

static const struct xcol record_cols[] = {
	{ "退款ID", XC_INT, 8 }, { "会员", XC_TEXT, 30 }, { "训练营", XC_TEXT, 20 },
	{ "退款金额", XC_MONEY, 10 }, { "审核时间", XC_TEXT, 17 }, { "审核人", XC_TEXT, 12 },
	{ "退款状态", XC_TEXT, 12 }, { "退款单号", XC_TEXT, 20 }, { "成功时间", XC_TEXT, 17 },
	{ "失败原因/备注", XC_TEXT, 30 }, { "提议方式", XC_TEXT, 30 },
};

static void export_records(struct req *r, struct resp *w, enum export_format fmt,
                           const struct refund_row *rows, int n)
{
	struct xtable *t = xtable_new(r->a, "退款记录", record_cols, (int)CAMP_ARRAY_LEN(record_cols));
	for (int i = 0; i < n; i++) {
		const struct refund_row *x = &rows[i];
		xtable_int(t, x->id);
		xtable_text(t, member_label(r->a, x));
		xtable_text(t, x->camp_name);
		xtable_money(t, x->fen);
		xtable_text(t, x->audit_time);
		xtable_text(t, x->auditor);
		xtable_text(t, refund_status_label(x->status));
		xtable_text(t, x->out_refund_no);
		xtable_text(t, x->success_time);
		xtable_text(t, x->failure_reason ? x->failure_reason : x->audit_comment);
		xtable_text(t, proposal_text(r->a, x));
	}
	export_send(r, w, t, fmt, "refunds");
}

static int valid_date(const char *s)
{
	cday d;
	return s && cday_parse(s, &d) == CAMP_OK;
}

#define RECORDS_PER_PAGE 100

void page_admin_refunds(struct req *r, struct resp *w)
{
	enum export_format fmt = export_requested(r);
	long long page = page_of(r);
	struct refund_filter f = { .camp_id = param_id(req_param(r, "camp_id")),
	                           .status = req_param(r, "status"),
	                           .from = req_param(r, "from"), .to = req_param(r, "to"),
	                           .scope_user = scope_of(r),
	                           .limit = fmt ? 0 : RECORDS_PER_PAGE,
	                           .offset = (page - 1) * RECORDS_PER_PAGE };
	static const char *const statuses[] = { "", "approved", "processing", "success", "failed",
	                                        "rejected", "closed", "abnormal", "refunded_offline" };
	int known = 0;
	for (size_t i = 0; i < CAMP_ARRAY_LEN(statuses); i++)
		known |= f.status && !strcmp(f.status, statuses[i]);
	if (!known)
		f.status = "";
	if (!valid_date(f.from))
		f.from = "";
	if (!valid_date(f.to))
		f.to = "";
	struct refund_row *rows;
	int n;
	struct refund_totals tr;
	if (refund_records(r->db, r->a, &f, &rows, &n, &tr) != CAMP_OK) {
		resp_unavailable(r, w);
		return;
	}
	if (fmt) {
		export_records(r, w, fmt, rows, n);
		return;
	}
	struct page *p = page_new(r, "退款记录", "admin/refunds.tpl");
	page_script(p, "/static/js/confirm.js");
	tpl_dict *b = p->body;
	if (fill_camp_options(r, b, f.camp_id) != CAMP_OK) {
		resp_unavailable(r, w);
		return;
	}
	for (size_t i = 0; i < CAMP_ARRAY_LEN(statuses); i++) {
		tpl_dict *o = tpl_add_section(b, "STATUS_OPTION");
		tpl_set(o, "VALUE", statuses[i]);
		tpl_set(o, "LABEL", statuses[i][0] ? refund_status_label(statuses[i]) : "全部");
		if (!strcmp(f.status, statuses[i]))
			tpl_show(o, "SELECTED");
	}
	tpl_set(b, "FROM", f.from);
	tpl_set(b, "TO", f.to);
	tpl_set(b, "STATUS", f.status);
	for (int i = 0; i < n; i++) {
		const struct refund_row *x = &rows[i];
		tpl_dict *row = tpl_add_section(b, "ROW");
		refund_row_fill(r, row, x);
		int ended = !strcmp(x->status, "closed") || !strcmp(x->status, "abnormal");
		if (!strcmp(x->status, "failed"))
			tpl_show(row, "RETRY");
		if (ended && !x->newer_attempt)
			tpl_show(row, "ATTEMPT_AGAIN");
		if ((ended && !x->newer_attempt) ||
		    (!strcmp(x->status, "approved") && x->source && !strcmp(x->source, "wecom_bill")))
			tpl_show(row, "OFFLINE");
	}
	if (n == 0)
		tpl_show(b, "EMPTY");
	tpl_set_int(b, "TOTAL", tr.rows);
	page_pager(b, page, tr.rows, RECORDS_PER_PAGE);
	page_admin(r, w, p, "/admin/refunds");
}

void page_admin_refund_retry(struct req *r, struct resp *w)
{
	long long id = req_cap_id(r, 0);
	const char *action = req_form(r, "action");
	if (action == NULL || !*action)
		action = "retry";
	if (strcmp(action, "retry") && strcmp(action, "attempt") && strcmp(action, "offline")) {
		resp_error(r, w, 400, "未知的操作");
		return;
	}
	struct audit who;
	audit_from_req(r, &who, NULL);
	int rc = id > 0 ? refund_followup(r->db, r->a, id, action, scope_of(r), &who) : CAMP_ENOTFOUND;
	if (rc == CAMP_ENOTFOUND) {
		resp_error(r, w, 404, "该退款不存在或不在您负责的训练营");
		return;
	}
	if (rc == CAMP_ECONFLICT) {
		resp_error(r, w, 409, "该退款当前状态不能执行此操作");
		return;
	}
	if (rc != CAMP_OK) {
		resp_unavailable(r, w);
		return;
	}
	if (strcmp(action, "offline") != 0)
		job_enqueue(r->db, r->a, "refunds", NULL, r->user->id);
	resp_flash(r, w, "success", !strcmp(action, "offline") ? "已标记为已线下退款" :
	           !strcmp(action, "attempt") ? "已发起新的退款尝试" : "已重新提交退款");
	resp_redirect(w, "/admin/refunds");
}

/* 生成退款名单 for one camp: a queued refund-list job */
void page_admin_camp_refund_list(struct req *r, struct resp *w)
{
	long long id = req_cap_id(r, 0);
	if (id <= 0) {
		resp_error(r, w, 404, "训练营不存在");
		return;
	}
	if (page_refuse_archived(r, w, id, 0))   /* issue #17 */
		return;
	long long job = job_enqueue(r->db, r->a, "refund-list",
	                            arena_printf(r->a, "{\"camp_id\":%lld}", id), r->user->id);
	if (job == 0) {
		resp_unavailable(r, w);
		return;
	}
	resp_redirect(w, arena_printf(r->a, "/admin/jobs/%lld", job));
}
