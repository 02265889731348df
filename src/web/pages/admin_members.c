/* admin_members.c: 会员列表 and 会员详情 (coaches and volunteers: their camps only, in SQL). */
#include "pages.h"
#include "camp.h"
#include "camps.h"
#include "export.h"
#include "members.h"
#include "refunds.h"
#include "router.h"
#include "notices.h"
#include "page.h"
#include "parse.h"

#include <stdint.h>
#include <string.h>

#define PER_PAGE 50

static struct binding_actor actor_of(const struct req *r)
{
	struct binding_actor who = { r->user->id,
	                             (r->user->role & (ROLE_ADMIN | ROLE_MANAGER)) != 0 };
	return who;
}

static const char *const bind_states[] = { "completed", "pending", "manual_review", "expired", "closed" };

/* Manual binding and 标记进群 are for admins and managers (R_BINDING). */
static int may_bind(const struct req *r)
{
	return (r->user->role & R_BINDING) != 0;
}

static void fill_member(arena *a, tpl_dict *d, const struct member_row *m, int may_act)
{
	tpl_set_int(d, "ID", m->id);
	tpl_set(d, "PLANET_NICKNAME", m->planet_nickname ? m->planet_nickname : "—");
	tpl_set(d, "PLANET_USER_ID", m->planet_user_id ? m->planet_user_id : "—");
	tpl_set(d, "WECHAT_NICKNAME", m->wechat_nickname ? m->wechat_nickname : "—");
	tpl_set(d, "CAMP_NAME", m->camp_name);
	tpl_set_int(d, "CAMP_ID", m->camp_id);
	if (m->amount >= 0)
		tpl_set_money(d, "AMOUNT", m->amount);
	else
		tpl_set(d, "AMOUNT", "—");
	tpl_set(d, "PAY_TIME", m->pay_time ? m->pay_time : "—");
	tpl_set(d, "BIND_STATUS", m->bind_status ? m->bind_status : "none");
	tpl_set(d, "BIND_LABEL", member_bind_status_label(m->bind_status));
	tpl_set(d, "BIND_METHOD", member_bind_method_label(m->bind_method));
	tpl_set(d, "JOINED_LABEL", m->joined ? "已进群" : "未进群");
	if (!m->joined && may_act)
		tpl_show(d, "NOT_JOINED");
	tpl_set_int(d, "CONFIDENCE", m->confidence);
	tpl_set_int(d, "CHECKIN_COUNT", m->checkin_count);
	tpl_set(d, "ELIGIBLE", m->eligible ? "是" : "否");
	if (m->flags)
		tpl_set(tpl_add_section(d, "FLAGS"), "TEXT", m->flags);
	(void)a;
}

static const struct xcol member_cols[] = {
	{ "会员ID", XC_INT, 8 }, { "星球昵称", XC_TEXT, 16 }, { "星球ID", XC_TEXT, 18 },
	{ "微信昵称", XC_TEXT, 16 }, { "训练营", XC_TEXT, 20 }, { "支付金额", XC_MONEY, 10 },
	{ "支付时间", XC_TEXT, 17 }, { "绑定状态", XC_TEXT, 10 }, { "绑定方式", XC_TEXT, 10 },
	{ "进群状态", XC_TEXT, 8 }, { "匹配度", XC_INT, 8 }, { "打卡天数", XC_INT, 8 },
	{ "符合退款", XC_TEXT, 8 },
};

static void export_rows(struct req *r, struct resp *w, enum export_format fmt,
                        const struct member_row *rows, int n)
{
	struct xtable *t = xtable_new(r->a, "会员", member_cols, (int)CAMP_ARRAY_LEN(member_cols));
	for (int i = 0; i < n; i++) {
		const struct member_row *m = &rows[i];
		xtable_int(t, m->id);
		xtable_text(t, m->planet_nickname);
		xtable_text(t, m->planet_user_id);
		xtable_text(t, m->wechat_nickname);
		xtable_text(t, m->camp_name);
		if (m->amount >= 0)
			xtable_money(t, m->amount);
		else
			xtable_text(t, NULL);
		xtable_text(t, m->pay_time);
		xtable_text(t, member_bind_status_label(m->bind_status));
		xtable_text(t, member_bind_method_label(m->bind_method));
		xtable_text(t, m->joined ? "已进群" : "未进群");
		xtable_int(t, m->confidence);
		xtable_int(t, m->checkin_count);
		xtable_text(t, m->eligible ? "是" : "否");
	}
	export_send(r, w, t, fmt, "members");
}

void page_admin_members(struct req *r, struct resp *w)
{
	struct binding_actor who = actor_of(r);
	struct member_filter f = { 0, NULL, -1, NULL, PER_PAGE, 0 };
	long long page = 1, camp = 0;
	const char *cs = req_param(r, "camp_id"), *bs = req_param(r, "bind_status");
	const char *js = req_param(r, "joined"), *q = req_param(r, "q"), *pg = req_param(r, "page");
	if (cs && *cs && parse_i64(cs, 1, INT64_MAX, &camp) == CAMP_OK)
		f.camp_id = camp;
	for (size_t i = 0; bs && i < CAMP_ARRAY_LEN(bind_states); i++)
		if (!strcmp(bs, bind_states[i]))
			f.bind_status = bind_states[i];
	if (js && !strcmp(js, "1"))
		f.joined = 1;
	else if (js && !strcmp(js, "0"))
		f.joined = 0;
	if (q && *q && strlen(q) <= 100)
		f.q = q;
	if (pg == NULL || parse_i64(pg, 1, 100000, &page) != CAMP_OK)
		page = 1;
	enum export_format fmt = export_requested(r);
	f.limit = fmt ? 0 : PER_PAGE;
	f.offset = fmt ? 0 : (page - 1) * PER_PAGE;

	struct member_row *rows;
	int n = 0;
	long long total = 0;
	struct camp_choice *camps;
	int nc = 0;
	if (member_list(r->db, r->a, &who, &f, &rows, &n, &total) != CAMP_OK ||
	    member_camp_choices(r->db, r->a, &who, &camps, &nc) != CAMP_OK) {
		resp_unavailable(r, w);
		return;
	}
	if (fmt) {
		export_rows(r, w, fmt, rows, n);
		return;
	}
	struct page *p = page_new(r, "会员列表", "admin/members.tpl");
	tpl_dict *b = p->body;
	for (int i = 0; i < nc; i++) {
		tpl_dict *o = tpl_add_section(b, "CAMP");
		tpl_set_int(o, "ID", camps[i].id);
		tpl_set(o, "NAME", camps[i].name);
		if (camps[i].id == f.camp_id)
			tpl_show(o, "SEL");
	}
	for (size_t i = 0; i < 3; i++) {
		tpl_dict *o = tpl_add_section(b, "BIND");
		tpl_set(o, "VALUE", bind_states[i]);
		tpl_set(o, "LABEL", member_bind_status_label(bind_states[i]));
		if (f.bind_status && !strcmp(f.bind_status, bind_states[i]))
			tpl_show(o, "SEL");
	}
	if (f.joined == 1)
		tpl_show(b, "JOINED_1");
	else if (f.joined == 0)
		tpl_show(b, "JOINED_0");
	tpl_set(b, "Q", f.q ? f.q : "");
	tpl_set(b, "CAMP_ID", f.camp_id ? arena_i64(r->a, f.camp_id) : "");
	tpl_set(b, "BIND_VALUE", f.bind_status ? f.bind_status : "");
	tpl_set(b, "JOINED_VALUE", f.joined < 0 ? "" : f.joined ? "1" : "0");
	tpl_set_int(b, "TOTAL", total);
	if (n == 0)
		tpl_show(b, "EMPTY");
	tpl_dict *t = n > 0 ? tpl_add_section(b, "TABLE") : NULL;
	for (int i = 0; i < n; i++)
		fill_member(r->a, tpl_add_section(t, "ROW"), &rows[i], may_bind(r));
	page_pager(b, page, total, PER_PAGE);
	page_admin(r, w, p, "/admin/members");
}

static const char *pay_status_label(const char *s)
{
	return !strcmp(s, "success") ? "已支付" : !strcmp(s, "refunded") ? "已退款" :
	       !strcmp(s, "pending") ? "待支付" : !strcmp(s, "closed") ? "已关闭" : "失败";
}

/* issue #15: 关闭绑定 (manual_review) and 手动提议退款 (a finished camp, identity settled,
 * no refund yet) for admins and managers; the server checks every rule again. */
static void fill_refund_actions(struct req *r, tpl_dict *b, const struct member_row *m, int nrefunds)
{
	if ((r->user->role & R_REFUND_LIFE) == 0 || m->bind_status == NULL)
		return;
	if (!strcmp(m->bind_status, "manual_review"))
		tpl_show(b, "CAN_CLOSE");
	struct camp c;
	if (nrefunds == 0 && !strcmp(m->bind_status, "completed") &&
	    (m->confidence == 100 || (m->bind_method && !strcmp(m->bind_method, "manual"))) &&
	    camp_get(r->db, r->a, m->camp_id, &c) == CAMP_OK && !strcmp(c.status, "finished"))
		tpl_show(b, "CAN_PROPOSE");
}

/* issue #16: what the member was told, by whom, and whether it arrived */
static void notices_fill(struct req *r, tpl_dict *b, long long id)
{
	struct member_notice *ns;
	int n = 0;
	if (notice_member_list(r->db, r->a, id, 0, &ns, &n) != CAMP_OK)
		return;
	if (n == 0)
		tpl_show(b, "NO_NOTICES");
	for (int i = 0; i < n; i++) {
		tpl_dict *d = tpl_add_section(b, "NOTICE");
		tpl_set(d, "TIME", ns[i].created);
		tpl_set(d, "LABEL", ns[i].label);
		tpl_set(d, "CHANNEL", notice_channel_label(ns[i].channel));
		tpl_set(d, "RECIPIENT", ns[i].recipient);
		tpl_set(d, "STATUS", ns[i].status);
		tpl_set(d, "STATUS_LABEL", notice_status_label(ns[i].status));
		tpl_set(d, "DETAIL", !strcmp(ns[i].status, "sent") && ns[i].sent
		        ? arena_printf(r->a, "%s 送达", ns[i].sent) : ns[i].error ? ns[i].error : "");
		tpl_set(d, "CONTENT", ns[i].content);
	}
}

void page_admin_member_view(struct req *r, struct resp *w)
{
	struct binding_actor who = actor_of(r);
	long long id = req_cap_id(r, 0);
	struct member_row m;
	int rc = member_get(r->db, r->a, &who, id, &m);
	if (rc == CAMP_ENOTFOUND) {
		resp_error(r, w, 404, "会员不存在");
		return;
	}
	struct member_payment *pays;
	struct member_checkin *cks;
	struct member_refund *refs;
	struct member_suggestion *sugs;
	int np = 0, nk = 0, nr = 0, ns = 0;
	if (rc != CAMP_OK || member_payments(r->db, r->a, id, &pays, &np) != CAMP_OK ||
	    member_checkins(r->db, r->a, id, &cks, &nk) != CAMP_OK ||
	    member_refunds(r->db, r->a, id, &refs, &nr) != CAMP_OK ||
	    member_suggestions(r->db, r->a, id, 5, &sugs, &ns) != CAMP_OK) {
		resp_unavailable(r, w);
		return;
	}
	struct page *p = page_new(r, "会员详情", "admin/member_view.tpl");
	page_script(p, "/static/js/confirm.js");
	tpl_dict *b = p->body;
	fill_member(r->a, b, &m, may_bind(r));
	if (may_bind(r) && m.bind_status && strcmp(m.bind_status, "closed") != 0) {
		tpl_show(b, "CAN_BIND");
		if (!strcmp(m.bind_status, "completed"))
			tpl_show(b, "CHANGE");        /* changing a completed binding needs a reason */
	}
	fill_refund_actions(r, b, &m, nr);
	for (int i = 0; i < np; i++) {
		tpl_dict *d = tpl_add_section(b, "PAY");
		tpl_set(d, "TIME", pays[i].time);
		tpl_set(d, "CAMP", pays[i].camp_name);
		tpl_set_money(d, "AMOUNT", pays[i].amount < 0 ? 0 : pays[i].amount);
		tpl_set(d, "ORDER_NO", pays[i].order_no);
		tpl_set(d, "TXN", pays[i].transaction_id ? pays[i].transaction_id : "—");
		tpl_set(d, "STATUS", pay_status_label(pays[i].status));
	}
	if (nk == 0)
		tpl_show(b, "NO_CHECKINS");
	for (int i = 0; i < nk; i++) {
		tpl_dict *d = tpl_add_section(b, "CHECKIN");
		tpl_set(d, "DATE", cks[i].date);
		tpl_set(d, "TIME", cks[i].time);
		tpl_set(d, "CONTENT", cks[i].content);
	}
	if (nr == 0)
		tpl_show(b, "NO_REFUNDS");
	for (int i = 0; i < nr; i++) {
		tpl_dict *d = tpl_add_section(b, "REFUND");
		tpl_set(d, "TIME", refs[i].time);
		tpl_set_money(d, "AMOUNT", refs[i].amount < 0 ? 0 : refs[i].amount);
		tpl_set(d, "STATUS", refund_status_label(refs[i].status));
		tpl_set(d, "AUDIT", !strcmp(refs[i].audit_status, "approved") ? "已通过" :
		        !strcmp(refs[i].audit_status, "rejected") ? "已拒绝" : "待审核");
		tpl_set(d, "AUDITOR", refs[i].auditor ? refs[i].auditor : "—");
	}
	for (int i = 0; i < ns; i++) {
		tpl_dict *d = tpl_add_section(b, "SUGGESTION");
		tpl_set(d, "PLANET_USER_ID", sugs[i].planet_user_id);
		tpl_set(d, "NICKNAME", sugs[i].nickname);
		tpl_set_int(d, "DISTANCE", sugs[i].distance);
	}
	notices_fill(r, b, id);   /* issue #16 */
	page_admin(r, w, p, "/admin/members");
}
