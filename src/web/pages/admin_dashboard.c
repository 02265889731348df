/* admin_dashboard.c: 工作台 — the to-dos each role may see (UI.md). */
#include "pages.h"
#include "books.h"
#include "camp.h"
#include "clock.h"
#include "dashboard.h"
#include "dates.h"
#include "page.h"
#include "router.h"
#include "watchdog.h"

#include <string.h>

static unsigned parts_for(enum role role)
{
	unsigned parts = DASH_SYNC;
	if (role & R_REFUNDS)
		parts |= DASH_REFUNDS;
	if (role & R_CAMPS)
		parts |= DASH_CAMPS;
	if (role & R_MEMBERS)
		parts |= DASH_BINDS;
	if (role & R_PAYMENTS)           /* issue #14 (books) */
		parts |= DASH_BOOKS;
	if (role & R_CAMPS)
		parts |= DASH_TOKEN;
	/* issue #15 */
	if (role & R_PAYMENTS)
		parts |= DASH_EXCEPTIONS;
	if (role & R_CAMPS)
		parts |= DASH_REFUND_LISTS;
	return parts;
}

static const char *sync_label(const char *outcome, const char **cls)
{
	*cls = "warning";
	if (!strcmp(outcome, "success")) {
		*cls = "success";
		return "同步成功";
	}
	if (!strcmp(outcome, "failed")) {
		*cls = "danger";
		return "同步失败";
	}
	return !strcmp(outcome, "running") ? "同步中" : "已跳过";
}

/* issue #15: open payment exceptions, camps without a refund list (stale jobs are the
 * watchdog's, issue #17). */
static int fill_console(tpl_dict *b, const struct dashboard *d, unsigned parts)
{
	int todo = 0;
	if ((parts & DASH_EXCEPTIONS) && d->open_exceptions > 0) {
		tpl_set_int(tpl_add_section(b, "OPEN_EXCEPTIONS"), "COUNT", d->open_exceptions);
		todo++;
	}
	if ((parts & DASH_REFUND_LISTS) && d->nno_list > 0) {
		tpl_dict *s = tpl_add_section(b, "NO_REFUND_LIST");
		tpl_set_int(s, "COUNT", d->nno_list);
		for (int i = 0; i < d->nno_list; i++) {
			tpl_dict *c = tpl_add_section(s, "CAMP");
			tpl_set_int(c, "ID", d->no_refund_list[i].id);
			tpl_set(c, "NAME", d->no_refund_list[i].name);
			tpl_set(c, "END_DATE", d->no_refund_list[i].end_date);
		}
		todo++;
	}
	return todo;
}

/* Fills the cards; returns how many ask for action. */
static int fill(tpl_dict *b, const struct dashboard *d, unsigned parts)
{
	int todo = fill_console(b, d, parts);
	if ((parts & DASH_REFUNDS) && d->pending_refunds > 0) {
		tpl_dict *s = tpl_add_section(b, "REFUNDS_TO_AUDIT");
		tpl_set_int(s, "COUNT", d->pending_refunds);
		tpl_set_money(tpl_add_section(s, "AMOUNT"), "TOTAL", d->pending_fen);
		todo++;
	}
	if ((parts & DASH_REFUNDS) && d->failed_refunds > 0) {
		tpl_set_int(tpl_add_section(b, "FAILED_REFUNDS"), "COUNT", d->failed_refunds);
		todo++;
	}
	if ((parts & DASH_CAMPS) && d->nending > 0) {
		tpl_dict *s = tpl_add_section(b, "CAMPS_ENDING");
		tpl_set_int(s, "COUNT", d->nending);
		for (int i = 0; i < d->nending; i++) {
			tpl_dict *c = tpl_add_section(s, "CAMP");
			tpl_set_int(c, "ID", d->ending[i].id);
			tpl_set(c, "NAME", d->ending[i].name);
			tpl_set(c, "END_DATE", d->ending[i].end_date);
		}
		todo++;
	}
	if ((parts & DASH_BINDS) && d->manual_binds > 0) {
		tpl_set_int(tpl_add_section(b, "MANUAL_BINDS"), "COUNT", d->manual_binds);
		todo++;
	}
	if (d->has_sync) {
		const char *cls;
		tpl_dict *s = tpl_add_section(b, "LAST_SYNC");
		tpl_set(s, "RESULT_LABEL", sync_label(d->sync_outcome, &cls));
		tpl_set(s, "RESULT_CLASS", cls);
		tpl_set(s, "TIME", d->sync_time);
		if (d->sync_error != NULL && *d->sync_error != '\0')
			tpl_set(tpl_add_section(s, "SYNC_ERROR"), "TEXT", d->sync_error);
		if (d->sync_token_expired)
			tpl_show(s, "TOKEN_EXPIRED");
		todo += strcmp(d->sync_outcome, "failed") == 0;
	}
	/* issue #14 (books): 对账 */
	if ((parts & DASH_BOOKS) && d->has_books) {
		tpl_dict *s = tpl_add_section(b, "BOOKS");
		tpl_set(s, "DATE", d->books_date);
		tpl_set(s, "BILL_STATUS", books_bill_status_label(d->books_bill_status));
		if (d->books_diffs > 0) {
			tpl_set_int(tpl_add_section(s, "BOOKS_DIFFS"), "COUNT", d->books_diffs);
			tpl_set(s, "RESULT_CLASS", "danger");
			tpl_set(s, "RESULT_LABEL", "有差异");
		} else {
			tpl_set(s, "RESULT_CLASS", d->books_ok ? "success" : "warning");
			tpl_set(s, "RESULT_LABEL", d->books_ok ? "账目一致" : "账单未核对");
		}
		if (!d->books_ok) {
			tpl_set(s, "CARD_CLASS", " todo-card_warn");
			todo++;
		}
	}
	return todo;
}

/* --- issue #17: 运行监控 — what the watchdog found, for admins --- */
#define WATCHDOG_LATE_S (30 * 60)

static int fill_watchdog(struct req *r, tpl_dict *b)
{
	struct wd_report wd;
	if (watchdog_findings(r->db, r->a, &wd) != CAMP_OK || wd.n == 0)
		return 0;
	int late = (long long)camp_now() - wd.checked_epoch > WATCHDOG_LATE_S;
	if (wd.problems == 0 && !late)
		return 0;
	tpl_dict *s = tpl_add_section(b, "WATCHDOG");
	tpl_set_int(s, "COUNT", wd.problems);
	tpl_set(s, "TIME", wd.checked_at);
	for (int i = 0; i < wd.n; i++)
		if (!wd.f[i].ok)
			tpl_set(tpl_add_section(s, "PROBLEM"), "TEXT", wd.f[i].message);
	if (late)
		tpl_show(s, "LATE");
	return 1;
}
/* --- end issue #17 --- */

void page_admin_dashboard(struct req *r, struct resp *w)
{
	unsigned parts = parts_for(r->user->role);
	int scoped = (r->user->role & (ROLE_COACH | ROLE_VOLUNTEER)) != 0;
	struct dashboard d;
	if (dashboard_load(r->db, r->a, parts, r->user->id, scoped, &d) != CAMP_OK) {
		resp_unavailable(r, w);
		return;
	}
	struct page *p = page_new(r, "工作台", "admin/dashboard.tpl");
	tpl_set(p->body, "USER_NAME", r->user->username);
	char day[12];
	tpl_set(tpl_add_section(p->body, "TODAY"), "DATE",
	        cday_format(cday_of(camp_now()), day, sizeof(day)));
	int todo = fill(p->body, &d, parts);
	if (r->user->role & R_SYSTEM)
		todo += fill_watchdog(r, p->body);   /* issue #17 */
	if (parts & DASH_TOKEN) {
		tpl_dict *t = tpl_add_section(p->body, "TOKEN");
		tpl_set(t, "TEXT", d.token_text);
		tpl_set(t, "CLASS", d.token_warn ? "danger" : d.token_known ? "success" : "warning");
		if (d.token_warn) {
			tpl_show(t, "WARN");
			todo++;
		}
		if (r->user->role & R_SYSTEM)
			tpl_show(t, "SETTINGS");
	}
	if (todo == 0)
		tpl_show(p->body, "ALL_CLEAR");
	page_admin(r, w, p, "/admin/");
}
