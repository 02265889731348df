/* admin_camp_cancel.c: 取消训练营 — close pending orders, propose full refunds, hide the camp (issue #14). */
#include "pages.h"
#include "audit_req.h"
#include "camp.h"
#include "camps.h"
#include "db.h"
#include "jobs.h"
#include "log.h"
#include "money.h"
#include "page.h"
#include "session.h"

#include <string.h>

void camp_cancel_fill(struct req *r, tpl_dict *b, const struct camp *c)
{
	struct camp_money m;
	if (camp_money(r->db, r->a, c->id, &m) != CAMP_OK) {
		log_err("camp %lld: money not read", c->id);
		return;
	}
	/* PRD §9.4: only a camp that has not started; and never one that holds
	 * money, which deleting would strand (no refund path, tickets 404) */
	if (!strcmp(c->status, "not_started") && !c->cancelled && m.pending_orders == 0 && m.paid_orders == 0)
		tpl_show(b, "CAN_DELETE");
	if (c->cancelled) {
		tpl_show(b, "CANCELLED");
		return;
	}
	if (!(r->user->role & ROLE_ADMIN) || !strcmp(c->status, "finished"))
		return;
	tpl_dict *d = tpl_add_section(b, "CAN_CANCEL");
	char yuan[32];
	tpl_set(d, "CONSEQUENCE", arena_printf(r->a,
	        "将关闭 %lld 笔待支付订单，并为 %lld 名已支付会员发起全额退款（共 ¥%s），退款经审核后原路退回；"
	        "训练营将从报名页下线，不能再报名，也不能撤销。",
	        m.pending_orders, m.proposable, money_format_grouped(m.proposable_fen, yuan, sizeof(yuan))));
}

void page_admin_camp_cancel(struct req *r, struct resp *w)
{
	long long id = req_cap_id(r, 0);
	const char *back = arena_printf(r->a, "/admin/camps/%lld", id);
	int ok = 0;
	if (session_reauth(r, req_form(r, "confirm_password"), &ok) != CAMP_OK) {
		resp_unavailable(r, w);
		return;
	}
	if (!ok) {
		resp_flash(r, w, "danger", "登录密码不正确：取消训练营需要再次输入你的登录密码");
		resp_redirect(w, arena_printf(r->a, "%s#cancel", back));
		return;
	}
	if (db_begin(r->db) != CAMP_OK) {
		resp_unavailable(r, w);
		return;
	}
	struct camp_money m;
	const char *why = NULL;
	int rc = camp_cancel(r->db, r->a, id, r->user->id, &m, &why);
	struct audit e;
	audit_from_req(r, &e, "CANCEL_CAMP");
	e.target_type = "camp";
	e.target_id = id;
	e.desc = arena_printf(r->a, "取消训练营：%lld 名已支付会员全额退款待审核，%lld 笔待支付订单关闭",
	                      m.proposable, m.pending_orders);
	/* the orders are closed at WeChat by camp-worker, never by a page */
	if (rc == CAMP_OK && (audit_log(r->db, r->a, &e) != CAMP_OK ||
	                      job_enqueue(r->db, r->a, "reconcile-payments",
	                                  arena_printf(r->a, "{\"camp_id\":%lld}", id), r->user->id) == 0))
		rc = CAMP_EDB;
	if (rc != CAMP_OK || db_commit(r->db) != CAMP_OK) {
		db_rollback(r->db);
		if (rc == CAMP_ENOTFOUND)
			resp_error(r, w, 404, "训练营不存在");
		else if (rc == CAMP_ECONFLICT)
			resp_error(r, w, 409, why);
		else
			resp_unavailable(r, w);
		return;
	}
	resp_flash(r, w, "success", arena_printf(r->a, "训练营已取消：已为 %lld 名已支付会员生成全额退款提议（待审核），"
	                                         "%lld 笔待支付订单正在关闭", m.proposable, m.pending_orders));
	resp_redirect(w, back);
}
