/* admin_checkins.c: 打卡记录 (filters, CSV/XLSX) and 打卡进度 with the ✅/❌ calendar; the calendar also fills the camp tab. */
#include "pages.h"
#include "camp.h"
#include "checkins.h"
#include "clock.h"
#include "dates.h"
#include "export.h"
#include "members.h"
#include "notices.h"
#include "page.h"
#include "parse.h"

#include <stdint.h>
#include <string.h>

#define PER_PAGE 50
#define CALENDAR_MAX_DAYS 120

static struct binding_actor actor_of(const struct req *r)
{
	struct binding_actor who = { r->user->id,
	                             (r->user->role & (ROLE_ADMIN | ROLE_MANAGER)) != 0 };
	return who;
}

/* The calendar: one column per camp day up to today, ✅/❌ per member. */
void progress_fill(struct req *r, tpl_dict *b, const struct camp_progress *pg)
{
	tpl_dict *d = tpl_include(b, "PROGRESS", "admin/progress.tpl");
	cday start, end, today = cday_of(camp_now());
	if (cday_parse(pg->start_date, &start) != CAMP_OK || cday_parse(pg->end_date, &end) != CAMP_OK)
		return;
	if (end > today)
		end = today;
	if (end - start + 1 > CALENDAR_MAX_DAYS)
		start = end - CALENDAR_MAX_DAYS + 1;
	tpl_set(d, "CAMP_NAME", pg->camp_name);
	tpl_set_int(d, "TOTAL", pg->total_members);
	tpl_set(d, "AVG_RATE", pg->avg_rate);
	tpl_set_int(d, "ELIGIBLE", pg->eligible_members);
	tpl_set_int(d, "REQUIRED", pg->required_days);
	for (cday x = start; x <= end; x++) {
		char buf[12];
		cday_format(x, buf, sizeof(buf));
		tpl_set(tpl_add_section(d, "DAY"), "LABEL", buf + 5);
	}
	if (pg->n == 0)
		tpl_show(d, "NO_MEMBERS");
	for (int i = 0; i < pg->n; i++) {
		const struct progress_member *m = &pg->members[i];
		tpl_dict *row = tpl_add_section(d, "MEMBER");
		tpl_set_int(row, "ID", m->id);
		tpl_set(row, "NAME", m->name);
		tpl_set_int(row, "DAYS", m->days);
		tpl_set(row, "RATE", m->rate);
		tpl_set(row, "ELIGIBLE", m->eligible ? "是" : "否");
		tpl_set(row, "ELIGIBLE_STATE", m->eligible ? "yes" : "no");
		tpl_set(row, "LAST_TIME", m->last_time ? m->last_time : "—");
		for (cday x = start; x <= end; x++) {
			char buf[12];
			cday_format(x, buf, sizeof(buf));
			int hit = strstr(m->dates, buf) != NULL;
			tpl_dict *cell = tpl_add_section(row, "CELL");
			tpl_set(cell, "MARK", hit ? "✅" : "❌");
			tpl_set(cell, "STATE", hit ? "yes" : "no");
			tpl_set(cell, "DATE", arena_strdup(r->a, buf));
		}
	}
}

static const struct xcol checkin_cols[] = {
	{ "会员", XC_TEXT, 16 }, { "星球昵称", XC_TEXT, 16 }, { "星球ID", XC_TEXT, 18 },
	{ "训练营", XC_TEXT, 20 }, { "打卡日期", XC_TEXT, 12 }, { "打卡时间", XC_TEXT, 10 },
	{ "累计打卡天数", XC_INT, 12 }, { "完成率(%)", XC_TEXT, 10 }, { "满足退款条件", XC_TEXT, 12 },
};

static void export_rows(struct req *r, struct resp *w, enum export_format fmt,
                        const struct checkin_row *rows, int n)
{
	struct xtable *t = xtable_new(r->a, "打卡记录", checkin_cols, (int)CAMP_ARRAY_LEN(checkin_cols));
	for (int i = 0; i < n; i++) {
		const struct checkin_row *x = &rows[i];
		xtable_text(t, x->member_name ? x->member_name : "未匹配");
		xtable_text(t, x->planet_nickname);
		xtable_text(t, x->planet_user_id);
		xtable_text(t, x->camp_name);
		xtable_text(t, x->date);
		xtable_text(t, x->time);
		xtable_int(t, x->checkin_count);
		xtable_text(t, x->rate);
		xtable_text(t, x->eligible ? "是" : "否");
	}
	export_send(r, w, t, fmt, "checkins");
}

void page_admin_checkins(struct req *r, struct resp *w)
{
	struct binding_actor who = actor_of(r);
	struct checkin_filter f = { 0, NULL, NULL, NULL, PER_PAGE, 0 };
	long long page = 1, camp = 0;
	const char *cs = req_param(r, "camp_id"), *q = req_param(r, "q"), *pgs = req_param(r, "page");
	const char *from = req_param(r, "from"), *to = req_param(r, "to");
	const char *from_err = NULL, *to_err = NULL;
	cday a = 0, b2 = 0;
	if (cs && *cs && parse_i64(cs, 1, INT64_MAX, &camp) == CAMP_OK)
		f.camp_id = camp;
	if (q && *q && strlen(q) <= 100)
		f.q = q;
	if (from && *from && cday_parse(from, &a) != CAMP_OK)
		from_err = "请输入有效日期（YYYY-MM-DD）";
	else if (from && *from)
		f.from = from;
	if (to && *to && cday_parse(to, &b2) != CAMP_OK)
		to_err = "请输入有效日期（YYYY-MM-DD）";
	else if (to && *to)
		f.to = to;
	if (f.from && f.to && b2 < a) {
		to_err = "结束日期不能早于开始日期";
		f.to = NULL;
	}
	if (pgs == NULL || parse_i64(pgs, 1, 100000, &page) != CAMP_OK)
		page = 1;
	enum export_format fmt = export_requested(r);
	if (fmt)
		f.limit = 0;
	f.offset = fmt ? 0 : (page - 1) * PER_PAGE;
	struct checkin_row *rows;
	int n = 0;
	long long total = 0;
	if (checkin_list(r->db, r->a, &who, &f, &rows, &n, &total) != CAMP_OK) {
		resp_unavailable(r, w);
		return;
	}
	if (fmt) {
		export_rows(r, w, fmt, rows, n);
		return;
	}
	struct camp_choice *camps;
	int nc = 0;
	if (member_camp_choices(r->db, r->a, &who, &camps, &nc) != CAMP_OK) {
		resp_unavailable(r, w);
		return;
	}
	struct page *p = page_new(r, "打卡记录", "admin/checkins.tpl");
	tpl_dict *bd = p->body;
	for (int i = 0; i < nc; i++) {
		tpl_dict *o = tpl_add_section(bd, "CAMP");
		tpl_set_int(o, "ID", camps[i].id);
		tpl_set(o, "NAME", camps[i].name);
		if (camps[i].id == f.camp_id)
			tpl_show(o, "SEL");
	}
	tpl_set(bd, "CAMP_ID", f.camp_id ? arena_i64(r->a, f.camp_id) : "");
	tpl_set(bd, "Q", f.q ? f.q : "");
	tpl_set(bd, "FROM", from ? from : "");
	tpl_set(bd, "TO", to ? to : "");
	if (from_err)
		tpl_set(tpl_add_section(bd, "FROM_ERR"), "TEXT", from_err);
	if (to_err)
		tpl_set(tpl_add_section(bd, "TO_ERR"), "TEXT", to_err);
	tpl_set_int(bd, "TOTAL", total);
	if (n == 0)
		tpl_show(bd, "EMPTY");
	tpl_dict *t = n > 0 ? tpl_add_section(bd, "TABLE") : NULL;
	for (int i = 0; i < n; i++) {
		tpl_dict *d = tpl_add_section(t, "ROW");
		const struct checkin_row *x = &rows[i];
		tpl_set(d, "MEMBER", x->member_name ? x->member_name : "未匹配");
		if (x->member_id)
			tpl_set_int(tpl_add_section(d, "LINK"), "ID", x->member_id);
		tpl_set(d, "PLANET", x->planet_nickname);
		tpl_set(d, "PLANET_USER_ID", x->planet_user_id);
		tpl_set(d, "CAMP", x->camp_name);
		tpl_set(d, "DATE", x->date);
		tpl_set(d, "TIME", x->time);
		tpl_set_int(d, "COUNT", x->checkin_count);
		tpl_set(d, "RATE", x->rate);
		tpl_set(d, "ELIGIBLE", x->eligible ? "是" : "否");
	}
	page_pager(bd, page, total, PER_PAGE);
	if (f.camp_id) {
		struct camp_progress pg;
		int rc = checkin_progress(r->db, r->a, &who, f.camp_id, &pg);
		if (rc == CAMP_OK)
			progress_fill(r, bd, &pg);
	}
	page_admin(r, w, p, "/admin/checkins");
}

/* The camp page's 报名列表 and 打卡情况 tabs (the page itself is admin/manager only). */
int camp_tab_fill(struct req *r, tpl_dict *b, long long camp_id, const char *tab)
{
	struct binding_actor who = actor_of(r);
	if (!strcmp(tab, "checkins")) {
		struct camp_progress pg;
		if (checkin_progress(r->db, r->a, &who, camp_id, &pg) != CAMP_OK)
			return CAMP_EDB;
		progress_fill(r, b, &pg);
		tpl_include(b, "TAB", "admin/camp_tab_empty.tpl");
		return CAMP_OK;
	}
	if (strcmp(tab, "members") != 0)
		return CAMP_ENOTFOUND;
	struct member_filter f = { camp_id, NULL, -1, NULL, 0, 0 };   /* every paid member */
	struct member_row *rows;
	int n = 0;
	long long total = 0;
	if (member_list(r->db, r->a, &who, &f, &rows, &n, &total) != CAMP_OK)
		return CAMP_EDB;
	tpl_dict *d = tpl_include(b, "TAB", "admin/camp_members_tab.tpl");
	tpl_set_int(d, "CAMP_ID", camp_id);
	tpl_set_int(d, "TOTAL", total);
	tpl_set(d, "CSRF", r->csrf_token);
	if (n == 0)
		tpl_show(d, "EMPTY");
	for (int i = 0; i < n; i++) {
		tpl_dict *x = tpl_add_section(d, "ROW");
		tpl_set_int(x, "ID", rows[i].id);
		tpl_set(x, "PLANET_NICKNAME", rows[i].planet_nickname ? rows[i].planet_nickname : "—");
		tpl_set(x, "PLANET_USER_ID", rows[i].planet_user_id ? rows[i].planet_user_id : "—");
		tpl_set(x, "WECHAT_NICKNAME", rows[i].wechat_nickname ? rows[i].wechat_nickname : "—");
		tpl_set(x, "PAY_TIME", rows[i].pay_time ? rows[i].pay_time : "—");
		if (rows[i].amount >= 0)   /* issue #15: 支付金额, 手动匹配, 标记进群 */
			tpl_set_money(x, "AMOUNT", rows[i].amount);
		else
			tpl_set(x, "AMOUNT", "—");
		tpl_set(x, "BIND_LABEL", member_bind_status_label(rows[i].bind_status));
		tpl_set(x, "JOINED", rows[i].joined ? "已进群" : "未进群");
		const char *bs = rows[i].bind_status ? rows[i].bind_status : "";
		int settled = !strcmp(bs, "completed") && rows[i].confidence == 100;
		if (*bs && strcmp(bs, "closed") != 0 && !settled)
			tpl_show(x, "CAN_MATCH");
		if (!rows[i].joined)
			tpl_show(x, "CAN_JOIN");
		tpl_set_int(x, "CONFIDENCE", rows[i].confidence);
		tpl_set_int(x, "DAYS", rows[i].checkin_count);
	}
	/* issue #16: members the official account could not reach */
	struct notice_unreachable *un;
	int nu = 0;
	if (notice_unreachable_list(r->db, r->a, camp_id, &un, &nu) != CAMP_OK)
		return CAMP_EDB;
	tpl_dict *ud = nu > 0 ? tpl_add_section(d, "UNREACHABLE") : NULL;
	if (ud)
		tpl_set_int(ud, "N", nu);
	for (int i = 0; i < nu; i++) {
		tpl_dict *x = tpl_add_section(ud, "UNREACHED");
		tpl_set_int(x, "ID", un[i].member_id);
		tpl_set(x, "NICKNAME", un[i].nickname);
		tpl_set(x, "LABEL", un[i].label);
		tpl_set(x, "WHY", un[i].error ? un[i].error : "");
		tpl_set(x, "TIME", un[i].created);
	}
	return CAMP_OK;
}
