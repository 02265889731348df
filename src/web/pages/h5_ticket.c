/* h5_ticket.c: the ticket (group QR), progress, my camps, and pay-now-bind-later. */
#include "pages.h"
#include "camp.h"
#include "camps.h"
#include "clock.h"
#include "db.h"
#include "enroll.h"
#include "log.h"
#include "notices.h"
#include "page.h"
#include "session.h"

#include <stdlib.h>
#include <string.h>

int h5_ticket_tokens(struct req *r, const char ***out)
{
	const char *list = req_cookie(r, TICKETS_COOKIE);
	size_t max = list ? strlen(list) / 2 + 1 : 1;
	const char **v = arena_alloc(r->a, sizeof(*v) * max);
	int n = 0;
	for (const char *s = list ? list : ""; *s && (size_t)n < max;) {
		size_t k = strcspn(s, ".");
		if (k > 0)
			v[n++] = arena_strndup(r->a, s, k);
		s += k;
		if (*s == '.')
			s++;
	}
	*out = v;
	return n;
}

/* Adds token to this browser's ticket list (the /h5/mine of this browser):
 * newest first, only tokens that still open something, at most
 * H5_TICKETS_MAX of them, so the cookie stays under 1 KB. */
void h5_remember_ticket(struct req *r, struct resp *w, const char *token)
{
	const char **have;
	int n = h5_ticket_tokens(r, &have);
	for (int i = 0; i < n; i++)
		if (!strcmp(have[i], token))
			return;
	const char **list = arena_alloc(r->a, sizeof(*list) * (size_t)(n + 1));
	int *live = arena_alloc(r->a, sizeof(*live) * (size_t)(n + 1));
	list[0] = token;
	memcpy(list + 1, have, sizeof(*list) * (size_t)n);
	if (ticket_live_set(r->db, r->a, list, n + 1, camp_now(), live) != CAMP_OK)
		for (int i = 0; i <= n; i++)
			live[i] = 1;        /* cannot tell: keep the newest */
	live[0] = 1;                /* just issued or just opened */
	struct buf b = BUF_INIT;
	for (int i = 0, kept = 0; i <= n && kept < H5_TICKETS_MAX; i++) {
		if (!live[i])
			continue;
		buf_printf(&b, "%s%s", kept++ ? "." : "", list[i]);
	}
	resp_cookie(r, w, TICKETS_COOKIE, arena_strdup(r->a, b.s), H5_COOKIE_MAX_AGE);
	buf_free(&b);
}

static int load_ticket(struct req *r, struct resp *w, struct ticket *t, struct camp *c)
{
	int rc = ticket_get(r->db, r->a, r->cap[0], camp_now(), t);
	if (rc == CAMP_OK)
		rc = camp_get(r->db, r->a, t->camp_id, c);
	if (rc == CAMP_ENOTFOUND)
		resp_error(r, w, 404, "票据无效或已过期，可在“我的训练营”中找回");
	else if (rc != CAMP_OK)
		resp_unavailable(r, w);
	return rc;
}

/* issue #16: the notices the official account could not deliver, shown here instead */
static void notices_fill(struct req *r, tpl_dict *b, long long member_id)
{
	struct member_notice *ns;
	int n = 0;
	if (notice_member_list(r->db, r->a, member_id, 1, &ns, &n) != CAMP_OK || n == 0)
		return;
	tpl_dict *box = tpl_add_section(b, "NOTICES");
	for (int i = 0; i < n; i++) {
		tpl_dict *d = tpl_add_section(box, "NOTICE");
		tpl_set(d, "TITLE", ns[i].title);
		tpl_set(d, "CONTENT", ns[i].content);
		tpl_set(d, "TIME", ns[i].created);
	}
}

void page_h5_ticket(struct req *r, struct resp *w)
{
	struct ticket t;
	struct camp c;
	if (load_ticket(r, w, &t, &c) != CAMP_OK)
		return;
	if (!t.paid) {
		resp_redirect(w, arena_printf(r->a, "/h5/orders/%s", t.order_no));
		return;
	}
	h5_remember_ticket(r, w, r->cap[0]);
	struct page *p = page_new(r, "报名成功", "h5/ticket.tpl");
	tpl_dict *b = p->body;
	tpl_set(b, "CAMP_NAME", c.name);
	tpl_set(b, "GROUP_QR_URL", c.group_qrcode_sha256
	        ? arena_printf(r->a, "/media/%s", c.group_qrcode_sha256) : "");
	tpl_set(b, "PLANET_NICKNAME", t.planet_nickname ? t.planet_nickname : "未填写");
	tpl_set(b, "PLANET_USER_ID", t.planet_user_id ? t.planet_user_id : "未填写");
	tpl_set(b, "WECHAT_NICKNAME", t.wechat_nickname);
	tpl_set(b, "ORDER_NO", t.order_no);
	tpl_set(b, "PROGRESS_URL", arena_printf(r->a, "/h5/t/%s/progress", r->cap[0]));
	if (!strcmp(t.bind_status, "pending")) {
		tpl_dict *bn = tpl_add_section(b, "BIND_BANNER");
		tpl_set(bn, "DEADLINE", t.bind_deadline);
		tpl_set(bn, "ORDER_NO", t.order_no);
	}
	notices_fill(r, b, t.member_id);
	page_h5(r, w, p);
}

static const char *refund_label(const struct progress *p)
{
	if (p->refund_status == NULL)
		return p->eligible ? "待审核" : "不符合条件";
	if (!strcmp(p->refund_status, "success") || !strcmp(p->refund_status, "refunded_offline"))
		return "已退款";
	if (!strcmp(p->refund_status, "rejected"))
		return "已拒绝";
	if (!strcmp(p->refund_status, "pending"))
		return "待审核";
	return "审核中";
}

void page_h5_progress(struct req *r, struct resp *w)
{
	struct ticket t;
	struct camp c;
	if (load_ticket(r, w, &t, &c) != CAMP_OK)
		return;
	struct progress pr;
	if (enroll_progress(r->db, r->a, t.member_id, camp_now(), &pr) != CAMP_OK) {
		resp_unavailable(r, w);
		return;
	}
	struct page *p = page_new(r, "打卡进度", "h5/progress.tpl");
	tpl_dict *b = p->body;
	tpl_set(b, "CAMP_NAME", pr.camp_name);
	tpl_set(b, "START_DATE", pr.start_date);
	tpl_set(b, "END_DATE", pr.end_date);
	int span = (int)cday_span(c.start_date, c.end_date);
	tpl_set_int(b, "ELAPSED", pr.elapsed_days);
	tpl_set_int(b, "SPAN", span);
	tpl_set_int(b, "TIME_PCT", span ? pr.elapsed_days * 100 / span : 0);
	tpl_set_int(b, "DONE", pr.checkin_count);
	tpl_set_int(b, "REQUIRED", pr.required_days);
	int pct = pr.required_days ? pr.checkin_count * 100 / pr.required_days : 0;
	tpl_set_int(b, "PCT", pct > 100 ? 100 : pct);
	tpl_show(b, pr.eligible ? "ELIGIBLE" : "NOT_ELIGIBLE");
	tpl_set(b, "REFUND_LABEL", refund_label(&pr));
	if (pr.refund_status && !strcmp(pr.refund_status, "rejected") && pr.audit_comment)
		tpl_set(tpl_add_section(b, "REJECT_REASON"), "TEXT", pr.audit_comment);
	if (pr.checkin_count == 0)
		tpl_show(b, "NO_CHECKINS");
	h5_calendar_fill(r, b, t.member_id, c.start_date, c.end_date);   /* issue #9 */
	h5_records_fill(r, b, t.member_id, c.start_date, c.end_date);    /* issue #15 */
	tpl_set(b, "TICKET_URL", arena_printf(r->a, "/h5/t/%s", r->cap[0]));
	notices_fill(r, b, t.member_id);
	page_h5(r, w, p);
}

/* ---- my camps ------------------------------------------------------------- */

void page_h5_mine(struct req *r, struct resp *w)
{
	/* inside WeChat the openid finds the member's camps (the reminders link here) */
	if (h5_need_openid(r, w, "m"))
		return;
	struct page *p = page_new(r, "我的训练营", "h5/mine.tpl");
	tpl_dict *b = p->body;
	int shown = 0;
	const char **tokens;
	int ntok = h5_ticket_tokens(r, &tokens);
	time_t now = camp_now();
	for (int i = 0; i < ntok && shown < 50; i++) {
		const char *tok = tokens[i];
		struct ticket t;
		struct camp c;
		if (ticket_get(r->db, r->a, tok, now, &t) == CAMP_OK && t.paid &&
		    camp_get(r->db, r->a, t.camp_id, &c) == CAMP_OK) {
			tpl_dict *e = tpl_add_section(b, "TICKET");
			tpl_set(e, "NAME", c.name);
			tpl_set(e, "STATUS_LABEL", camp_status_label(c.status));
			tpl_set(e, "URL", arena_printf(r->a, "/h5/t/%s", tok));
			shown++;
		}
	}
	const char *openid = h5_cookie_open(r, OPENID_COOKIE);
	struct my_enrollment *mine;
	int n = 0;
	if (openid && enroll_by_openid(r->db, r->a, openid, &mine, &n) == CAMP_OK) {
		for (int i = 0; i < n; i++) {
			tpl_dict *e = tpl_add_section(b, "BY_OPENID");
			tpl_set(e, "NAME", mine[i].camp_name);
			tpl_set(e, "STATUS_LABEL", camp_status_label(mine[i].status));
			tpl_set_int(e, "PAYMENT_ID", mine[i].payment_id);
		}
	}
	if (shown == 0 && n == 0)
		tpl_show(b, "EMPTY");
	page_h5(r, w, p);
}

/* POST /h5/mine/{payment_id}: a WeChat member opens one of their camps found
 * by openid; this browser gets a fresh ticket. */
void page_h5_mine_open(struct req *r, struct resp *w)
{
	long long pid = req_cap_id(r, 0);
	const char *openid = h5_cookie_open(r, OPENID_COOKIE);
	char token[40];
	if (pid == 0 || openid == NULL || !enroll_owned_by(r->db, r->a, pid, openid) ||
	    ticket_issue(r->db, r->a, pid, camp_now(), token) != CAMP_OK) {
		resp_error(r, w, 404, "找不到这笔报名");
		return;
	}
	h5_remember_ticket(r, w, token);
	resp_redirect(w, arena_printf(r->a, "/h5/t/%s", token));
}

/* ---- pay now, bind later ------------------------------------------------------ */

static void render_bind(struct req *r, struct resp *w, const char *order_no,
                        const struct enroll_form *f, const struct form_errors *e,
                        const char *message)
{
	struct page *p = page_new(r, "绑定星球信息", "h5/bind.tpl");
	tpl_dict *b = p->body;
	tpl_set(b, "ORDER_NO", order_no);
	if (f) {
		tpl_set(b, "PLANET_NICKNAME", f->planet_nickname);
		tpl_set(b, "PLANET_USER_ID", f->planet_user_id);
		tpl_set(b, "WECHAT_NICKNAME", f->wechat_nickname);
	}
	static const char *const fields[][2] = {
		{ "order_no", "ERR_ORDER_NO" }, { "planet_nickname", "ERR_PLANET_NICKNAME" },
		{ "planet_user_id", "ERR_PLANET_USER_ID" }, { "wechat_nickname", "ERR_WECHAT_NICKNAME" },
	};
	for (size_t i = 0; e && i < CAMP_ARRAY_LEN(fields); i++) {
		const char *msg = form_error_for(e, fields[i][0]);
		if (msg)
			tpl_set(tpl_add_section(b, fields[i][1]), "MSG", msg);
	}
	if (message)
		tpl_set(tpl_add_section(b, "MESSAGE"), "TEXT", message);
	if ((e && e->n) || message)
		w->status = 422;
	page_h5(r, w, p);
}

void page_h5_bind_form(struct req *r, struct resp *w)
{
	render_bind(r, w, req_param(r, "order_no"), NULL, NULL, NULL);
}

void page_h5_bind(struct req *r, struct resp *w)
{
	const char *order_no = req_form(r, "order_no");
	struct enroll_form f = {
		req_form(r, "planet_nickname"), req_form(r, "planet_user_id"),
		req_form(r, "wechat_nickname"), 1, 0,
	};
	struct form_errors e = { 0 };
	enroll_validate(r->a, &f, &e);
	size_t n = order_no ? strlen(order_no) : 0;
	int shape = n >= 6 && n <= 64;
	for (size_t i = 0; shape && i < n; i++)
		shape = (order_no[i] >= '0' && order_no[i] <= '9') || (order_no[i] >= 'a' && order_no[i] <= 'z') ||
		        (order_no[i] >= 'A' && order_no[i] <= 'Z') || strchr("_-|*", order_no[i]);
	if (!shape)
		form_error(&e, "order_no", "请填写支付凭证上的商户单号或交易单号");
	if (e.n) {
		render_bind(r, w, order_no, &f, &e, NULL);
		return;
	}
	long long pid = 0;
	const char *why;
	time_t now = camp_now();
	int rc = enroll_bind_later(r->db, r->a, order_no, &f, now, &pid, &why);
	if (rc == CAMP_ENOTFOUND) {
		form_error(&e, "order_no", "没有找到这笔已支付的订单，请核对单号");
		render_bind(r, w, order_no, &f, &e, NULL);
		return;
	}
	if (rc == CAMP_ECONFLICT) {
		render_bind(r, w, order_no, &f, NULL, why);
		return;
	}
	char token[40];
	if (rc != CAMP_OK || ticket_issue(r->db, r->a, pid, now, token) != CAMP_OK) {
		resp_error(r, w, 503, "绑定失败，请稍后再试");
		return;
	}
	h5_remember_ticket(r, w, token);
	resp_flash(r, w, "success", "星球信息已绑定");
	resp_redirect(w, arena_printf(r->a, "/h5/t/%s", token));
}
