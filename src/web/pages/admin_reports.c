/* admin_reports.c: 统计报表 — cards, the table per camp, two charts and the export (issue #15). */
#include "pages.h"
#include "camp.h"
#include "camps.h"
#include "clock.h"
#include "dates.h"
#include "export.h"
#include "members.h"
#include "money.h"
#include "page.h"
#include "reports.h"

#include <json-c/json.h>
#include <string.h>

#define CHART_CAMPS 30   /* bars of the check-in rate chart; the table has every camp */

static const struct xcol report_cols[] = {
	{ "训练营ID", XC_INT, 8 }, { "训练营名称", XC_TEXT, 24 }, { "状态", XC_TEXT, 8 },
	{ "开始日期", XC_TEXT, 12 }, { "结束日期", XC_TEXT, 12 }, { "报名人数", XC_INT, 8 },
	{ "参与人数", XC_INT, 8 }, { "参与率(%)", XC_TEXT, 10 }, { "满足退款条件人数", XC_INT, 10 },
	{ "完成率(%)", XC_TEXT, 10 }, { "平均打卡率(%)", XC_TEXT, 12 }, { "押金收入", XC_MONEY, 12 },
	{ "退款金额", XC_MONEY, 12 }, { "净收入", XC_MONEY, 12 },
};

static void export_rows(struct req *r, struct resp *w, enum export_format fmt,
                        const struct report *rep)
{
	struct xtable *t = xtable_new(r->a, "训练营报表", report_cols, (int)CAMP_ARRAY_LEN(report_cols));
	for (int i = 0; i < rep->nrows; i++) {
		const struct report_camp *c = &rep->rows[i];
		xtable_int(t, c->id);
		xtable_text(t, c->name);
		xtable_text(t, camp_status_label(c->status));
		xtable_text(t, c->start_date);
		xtable_text(t, c->end_date);
		xtable_int(t, c->members);
		xtable_int(t, c->participants);
		xtable_text(t, c->participation);
		xtable_int(t, c->eligible);
		xtable_text(t, c->completion);
		xtable_text(t, c->avg_rate);
		xtable_money(t, c->paid_fen);
		xtable_money(t, c->refunded_fen);
		xtable_money(t, c->net_fen);
	}
	export_send(r, w, t, fmt, "report");
}

/* A date filter as typed, or "" with *err set when it is not a date. */
static const char *date_param(struct req *r, const char *name, cday *d, const char **err)
{
	const char *v = req_param(r, name);
	if (v == NULL || *v == '\0')
		return "";
	if (cday_parse(v, d) != CAMP_OK) {
		*err = "请输入有效日期（YYYY-MM-DD）";
		return "";
	}
	return v;
}

/* 本月 / 上月: links that fill from and to (the custom range is the two date boxes). */
static void fill_shortcuts(struct req *r, tpl_dict *b, const struct report_filter *f)
{
	static const char *const labels[] = { "本月", "上月" };
	for (int back = 0; back < 2; back++) {
		cday first, last;
		char b1[12], b2[12];
		cday_month(cday_of(camp_now()), back, &first, &last);
		tpl_dict *s = tpl_add_section(b, "SHORTCUT");
		tpl_set(s, "LABEL", labels[back]);
		cday_format(first, b1, sizeof(b1));
		cday_format(last, b2, sizeof(b2));
		tpl_set(s, "URL", f->camp_id > 0
		        ? arena_printf(r->a, "/admin/reports?from=%s&to=%s&camp_id=%lld", b1, b2, f->camp_id)
		        : arena_printf(r->a, "/admin/reports?from=%s&to=%s", b1, b2));
		if (!strcmp(f->from, b1) && !strcmp(f->to, b2))
			tpl_set(s, "CURRENT", "page");
	}
}

static const char *yuan(arena *a, int64_t fen)
{
	char buf[32];
	return arena_strdup(a, money_format(fen, buf, sizeof(buf)));
}

/* The charts' numbers, for static/js/reports.js (CSP allows no inline script):
 * amounts in yuan as text, rates in percent as text. */
static const char *chart_json(struct req *r, const struct report *rep)
{
	json_object *o = json_object_new_object(), *months = json_object_new_array(),
	            *income = json_object_new_array(), *refunds = json_object_new_array(),
	            *camps = json_object_new_array(), *rates = json_object_new_array();
	for (int i = 0; i < rep->nmonths; i++) {
		json_object_array_add(months, json_object_new_string(rep->months[i].month));
		json_object_array_add(income, json_object_new_string(yuan(r->a, rep->months[i].income_fen)));
		json_object_array_add(refunds, json_object_new_string(yuan(r->a, rep->months[i].refund_fen)));
	}
	int shown = rep->nrows < CHART_CAMPS ? rep->nrows : CHART_CAMPS;
	for (int i = shown - 1; i >= 0; i--) {   /* the latest camps, oldest first like the months */
		json_object_array_add(camps, json_object_new_string(rep->rows[i].name));
		json_object_array_add(rates, json_object_new_string(rep->rows[i].avg_rate));
	}
	json_object_object_add(o, "months", months);
	json_object_object_add(o, "income", income);
	json_object_object_add(o, "refunds", refunds);
	json_object_object_add(o, "camps", camps);
	json_object_object_add(o, "rates", rates);
	const char *text = arena_strdup(r->a, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return text;
}

static void fill_cards(tpl_dict *b, const struct report *rep)
{
	char buf[32];
	tpl_set_int(b, "CAMPS", rep->camps);
	tpl_set_int(b, "MEMBERS", rep->members);
	tpl_set(b, "PAID", money_format_grouped(rep->paid_fen, buf, sizeof(buf)));
	tpl_set(b, "REFUNDED", money_format_grouped(rep->refunded_fen, buf, sizeof(buf)));
	tpl_set(b, "HELD", money_format_grouped(rep->held_fen, buf, sizeof(buf)));
	tpl_set(b, "REFUND_RATE", rep->refund_rate);
	tpl_set(b, "AVG_RATE", rep->avg_rate);
}

static void fill_table(tpl_dict *b, const struct report *rep)
{
	if (rep->nrows == 0)
		tpl_show(b, "EMPTY");
	for (int i = 0; i < rep->nrows; i++) {
		const struct report_camp *c = &rep->rows[i];
		tpl_dict *d = tpl_add_section(b, "ROW");
		tpl_set_int(d, "ID", c->id);
		tpl_set(d, "NAME", c->name);
		tpl_set(d, "STATUS", c->status);
		tpl_set(d, "STATUS_LABEL", camp_status_label(c->status));
		tpl_set(d, "START_DATE", c->start_date);
		tpl_set(d, "END_DATE", c->end_date);
		tpl_set_int(d, "MEMBERS", c->members);
		tpl_set_int(d, "PARTICIPANTS", c->participants);
		tpl_set(d, "PARTICIPATION", c->participation);
		tpl_set_int(d, "ELIGIBLE", c->eligible);
		tpl_set(d, "COMPLETION", c->completion);
		tpl_set(d, "AVG_RATE", c->avg_rate);
		tpl_set_money(d, "PAID", c->paid_fen);
		tpl_set_money(d, "REFUNDED", c->refunded_fen);
		tpl_set_money(d, "NET", c->net_fen);
	}
}

void page_admin_reports(struct req *r, struct resp *w)
{
	const char *from_err = NULL, *to_err = NULL;
	cday a = 0, z = 0;
	struct report_filter f = { .from = date_param(r, "from", &a, &from_err),
	                           .to = date_param(r, "to", &z, &to_err) };
	if (*f.from && *f.to && z < a) {
		to_err = "结束日期不能早于开始日期";
		f.to = "";
	}
	const char *cs = req_param(r, "camp_id");
	if (cs && *cs && parse_i64(cs, 1, 1LL << 53, &f.camp_id) != CAMP_OK)
		f.camp_id = 0;
	int all = (r->user->role & (ROLE_ADMIN | ROLE_MANAGER)) != 0;
	f.scope_user = all ? 0 : r->user->id;   /* coaches: their own camps, in SQL */
	struct report rep;
	if (report_load(r->db, r->a, &f, &rep) != CAMP_OK) {
		resp_unavailable(r, w);
		return;
	}
	enum export_format fmt = export_requested(r);
	if (fmt) {
		export_rows(r, w, fmt, &rep);
		return;
	}
	struct binding_actor who = { r->user->id, all };
	struct camp_choice *camps;
	int nc = 0;
	if (member_camp_choices(r->db, r->a, &who, &camps, &nc) != CAMP_OK) {
		resp_unavailable(r, w);
		return;
	}
	struct page *p = page_new(r, "统计报表", "admin/reports.tpl");
	page_script(p, "/javascript/chart.js/chart.min.js");
	page_script(p, "/static/js/reports.js");
	tpl_dict *b = p->body;
	for (int i = 0; i < nc; i++) {
		tpl_dict *o = tpl_add_section(b, "CAMP_OPTION");
		tpl_set_int(o, "ID", camps[i].id);
		tpl_set(o, "NAME", camps[i].name);
		if (camps[i].id == f.camp_id)
			tpl_show(o, "SELECTED");
	}
	tpl_set(b, "FROM", f.from);
	tpl_set(b, "TO", f.to);
	if (from_err)
		tpl_set(tpl_add_section(b, "FROM_ERR"), "TEXT", from_err);
	if (to_err)
		tpl_set(tpl_add_section(b, "TO_ERR"), "TEXT", to_err);
	fill_shortcuts(r, b, &f);
	fill_cards(b, &rep);
	fill_table(b, &rep);
	tpl_set(b, "CHART_DATA", chart_json(r, &rep));
	if (rep.nrows > CHART_CAMPS)
		tpl_set_int(tpl_add_section(b, "RATES_CAPPED"), "N", CHART_CAMPS);
	page_admin(r, w, p, "/admin/reports");
}
