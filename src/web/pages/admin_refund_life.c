/* admin_refund_life.c: 手动提议退款, 重新提议, 关闭绑定, and a camp's 退款情况 tab (issue #15). */
#include "pages.h"
#include "audit_req.h"
#include "camp.h"
#include "camps.h"
#include "money.h"
#include "page.h"
#include "refund_life.h"
#include "refunds.h"
#include "router.h"
#include "text.h"

#include <string.h>

const char *form_back(struct req *r, const char *dflt)
{
	const char *b = req_form(r, "back");
	if (b == NULL || strncmp(b, "/admin/", 7) != 0 || strstr(b, "//") != NULL || strlen(b) > 300)
		return dflt;
	for (const char *p = b; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f || *p == '\\')
			return dflt;
	return b;
}

/* A required reason: trimmed, 1–200 characters, one line. */
static const char *reason_of(struct req *r)
{
	const char *s = text_trim(r->a, req_form(r, "reason"));
	if (*s == '\0' || text_chars(s) > REFUND_REASON_MAX || text_has_control(s, 0))
		return NULL;
	return s;
}

/* Every outcome of these forms: a flash message and back to the page they came from. */
static void answer(struct req *r, struct resp *w, int rc, const char *why, const char *ok,
                   const char *back)
{
	if (rc == CAMP_EDB) {
		resp_unavailable(r, w);
		return;
	}
	if (rc == CAMP_ENOTFOUND) {
		resp_error(r, w, 404, why ? why : "记录不存在");
		return;
	}
	resp_flash(r, w, rc == CAMP_OK ? "success" : "danger", rc == CAMP_OK ? ok : why);
	resp_redirect(w, back);
}

/* The operator of an action, from the request. */
static struct audit who_of(const struct req *r)
{
	struct audit who;
	audit_from_req(r, &who, NULL);
	return who;
}

/* POST /admin/refunds/propose (member_id, reason) */
void page_admin_refund_propose(struct req *r, struct resp *w)
{
	const char *back = form_back(r, "/admin/refunds/pending");
	long long member = 0;
	const char *m = req_form(r, "member_id");
	const char *reason = reason_of(r);
	if (m == NULL || parse_i64(m, 1, 1LL << 53, &member) != CAMP_OK) {
		answer(r, w, CAMP_EINVAL, "会员编号无效", NULL, back);
		return;
	}
	if (reason == NULL) {
		answer(r, w, CAMP_EINVAL, "请填写提议退款的原因（最多 200 字）", NULL, back);
		return;
	}
	struct audit who = who_of(r);
	long long id = 0;
	const char *why = NULL;
	int rc = refund_propose_manual(r->db, r->a, member, reason, &who, &id, &why);
	answer(r, w, rc, rc == CAMP_ENOTFOUND ? "会员不存在或尚未支付" : why,
	       arena_printf(r->a, "已手动提议退款 #%lld，等待审核", id), back);
}

/* POST /admin/refunds/{id}/reopen (reason) */
void page_admin_refund_reopen(struct req *r, struct resp *w)
{
	const char *back = form_back(r, "/admin/refunds");
	const char *reason = reason_of(r);
	long long id = req_cap_id(r, 0);
	if (reason == NULL) {
		answer(r, w, CAMP_EINVAL, "请填写重新提议的原因（最多 200 字）", NULL, back);
		return;
	}
	struct audit who = who_of(r);
	const char *why = NULL;
	int rc = id > 0 ? refund_reopen(r->db, r->a, id, reason, &who, &why) : CAMP_ENOTFOUND;
	answer(r, w, rc, rc == CAMP_ENOTFOUND ? "该退款不存在" : why,
	       arena_printf(r->a, "退款 #%lld 已重新提议，回到待审核列表", id), back);
}

/* POST /admin/members/{id}/close-binding (reason: 无法匹配 | 信息异常) */
void page_admin_member_close_binding(struct req *r, struct resp *w)
{
	long long id = req_cap_id(r, 0);
	const char *back = form_back(r, arena_printf(r->a, "/admin/members/%lld", id));
	const char *reason = req_form(r, "reason");
	if (!binding_close_reason_ok(reason)) {
		answer(r, w, CAMP_EINVAL, "请选择关闭原因：无法匹配或信息异常", NULL, back);
		return;
	}
	struct audit who = who_of(r);
	const char *why = NULL;
	int rc = id > 0 ? binding_close(r->db, r->a, id, reason, &who, &why) : CAMP_ENOTFOUND;
	answer(r, w, rc, rc == CAMP_ENOTFOUND ? "会员不存在或尚未支付" : why,
	       arena_printf(r->a, "已关闭绑定（%s）：该会员不会进入退款名单", reason), back);
}

/* ---- the camp's 退款情况 ------------------------------------------------------------ */

/* The states a camp's refunds add up to, in the order the tab shows them. */
static const struct {
	const char *label;
	const char *statuses;   /* space-separated */
} groups[] = {
	{ "待审核", "pending" },
	{ "已通过 / 退款中", "approved processing" },
	{ "已退款", "success refunded_offline" },
	{ "已拒绝", "rejected" },
	{ "失败 / 关闭 / 异常", "failed closed abnormal" },
};

static int in_group(const char *statuses, const char *s)
{
	size_t n = strlen(s);
	for (const char *p = strstr(statuses, s); p; p = strstr(p + 1, s))
		if ((p == statuses || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
			return 1;
	return 0;
}

static void fill_totals(tpl_dict *d, const struct refund_row *rows, int n)
{
	for (size_t g = 0; g < CAMP_ARRAY_LEN(groups); g++) {
		long long count = 0;
		int64_t fen = 0;
		for (int i = 0; i < n; i++)
			if (in_group(groups[g].statuses, rows[i].status)) {
				count++;
				fen += rows[i].fen;
			}
		tpl_dict *t = tpl_add_section(d, "TOTAL");
		tpl_set(t, "LABEL", groups[g].label);
		tpl_set_int(t, "COUNT", count);
		char buf[32];
		tpl_set(t, "AMOUNT", money_format_grouped(fen, buf, sizeof(buf)));
	}
}

static void fill_closed(struct req *r, tpl_dict *d, long long camp_id)
{
	struct closed_binding *c;
	int n = 0;
	if (binding_closed_list(r->db, r->a, camp_id, &c, &n) != CAMP_OK || n == 0)
		return;
	tpl_dict *s = tpl_add_section(d, "CLOSED");
	tpl_set_int(s, "COUNT", n);
	for (int i = 0; i < n; i++) {
		tpl_dict *x = tpl_add_section(s, "MEMBER");
		tpl_set_int(x, "ID", c[i].member_id);
		tpl_set(x, "NAME", arena_printf(r->a, "%s / %s / %s",
		        c[i].planet_nickname ? c[i].planet_nickname : "—",
		        c[i].planet_user_id ? c[i].planet_user_id : "—",
		        c[i].wechat_nickname ? c[i].wechat_nickname : "—"));
		tpl_set(x, "ORDER_NO", c[i].order_no);
		tpl_set(x, "REASON", c[i].reason ? c[i].reason : "—");
		tpl_set(x, "AT", c[i].closed_at ? c[i].closed_at : "—");
		tpl_set(x, "BY", c[i].operator ? c[i].operator : "—");
	}
}

int camp_refunds_tab_fill(struct req *r, tpl_dict *b, const struct camp *c)
{
	struct refund_filter f = { .camp_id = c->id, .status = "", .from = "", .to = "",
	                           .with_pending = 1 };
	struct refund_row *rows;
	int n = 0;
	if (refund_records(r->db, r->a, &f, &rows, &n, NULL) != CAMP_OK)
		return CAMP_EDB;
	tpl_dict *d = tpl_include(b, "TAB", "admin/camp_refunds_tab.tpl");
	tpl_set_int(d, "CAMP_ID", c->id);
	tpl_set(d, "CSRF", r->csrf_token);
	if (!strcmp(c->status, "finished"))
		tpl_show(d, "CAN_GENERATE");
	else
		tpl_show(d, "NOT_FINISHED");
	fill_totals(d, rows, n);
	if (n == 0)
		tpl_show(d, "EMPTY");
	for (int i = 0; i < n; i++)
		refund_row_fill(r, tpl_add_section(d, "ROW"), &rows[i]);
	fill_closed(r, d, c->id);
	return CAMP_OK;
}
