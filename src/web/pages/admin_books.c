/* admin_books.c: 对账 — each day's books (invariants + WeChat Pay's bill) and their differences, exported. */
#include "pages.h"
#include "books.h"
#include "camp.h"
#include "dates.h"
#include "export.h"
#include "page.h"

#include <string.h>

#define MAX_DAYS 120

struct filters {
	const char *date, *from, *to;        /* valid dates or NULL */
	const char *date_err, *from_err, *to_err;
};

static const char *valid_day(struct req *r, const char *name, const char **err)
{
	const char *v = req_param(r, name);
	cday d;
	if (v == NULL || *v == '\0')
		return NULL;
	if (cday_parse(v, &d) != CAMP_OK) {
		*err = "请输入有效日期（YYYY-MM-DD）";
		return NULL;
	}
	return v;
}

static void read_filters(struct req *r, struct filters *f)
{
	memset(f, 0, sizeof(*f));
	f->date = valid_day(r, "date", &f->date_err);
	f->from = valid_day(r, "from", &f->from_err);
	f->to = valid_day(r, "to", &f->to_err);
	cday a, b;
	if (f->from && f->to && cday_parse(f->from, &a) == CAMP_OK && cday_parse(f->to, &b) == CAMP_OK &&
	    b < a) {
		f->to_err = "结束日期不能早于开始日期";
		f->to = NULL;
	}
}

static const char *ref_text(arena *a, const struct books_diff *x)
{
	if (!strcmp(x->ref_kind, "camp"))
		return arena_printf(a, "训练营 #%s", x->ref_no);
	return x->ref_no;
}

static const char *result_label(const struct books_run *r, const char **cls)
{
	if (r->invariant_diffs + r->bill_diffs > 0) {
		*cls = "danger";
		return "有差异";
	}
	if (r->ok) {
		*cls = "success";
		return "账目一致";
	}
	*cls = "warning";
	return "账单未核对";
}

/* ---- export (issue #15: the one export, CSV or XLSX) ------------------------ */

static const struct xcol diff_cols[] = {
	{ "账单日", XC_TEXT, 12 }, { "检查项", XC_TEXT, 20 }, { "检查项代码", XC_TEXT, 18 },
	{ "单号", XC_TEXT, 26 }, { "训练营", XC_TEXT, 20 }, { "左值", XC_TEXT, 12 },
	{ "金额/数量", XC_TEXT, 12 }, { "右值", XC_TEXT, 12 }, { "金额/数量", XC_TEXT, 12 },
	{ "本系统状态", XC_TEXT, 12 }, { "应有/微信状态", XC_TEXT, 14 }, { "说明", XC_TEXT, 40 },
};

static void export_diffs(struct req *r, struct xtable *t, const struct books_run *run)
{
	struct books_diff *x;
	int n = 0;
	if (books_diffs(r->db, r->a, run->id, &x, &n) != CAMP_OK)
		return;
	for (int i = 0; i < n; i++) {
		const char *ll, *rl;
		books_value_labels(x[i].check, &ll, &rl);
		xtable_text(t, run->date);
		xtable_text(t, books_check_label(x[i].check));
		xtable_text(t, x[i].check);
		xtable_text(t, ref_text(r->a, &x[i]));
		xtable_text(t, x[i].camp_name);
		xtable_text(t, ll);
		xtable_text(t, books_value_text(r->a, x[i].has_left, x[i].left, x[i].unit, 1));
		xtable_text(t, rl);
		xtable_text(t, books_value_text(r->a, x[i].has_right, x[i].right, x[i].unit, 1));
		xtable_text(t, x[i].left_state);
		xtable_text(t, x[i].right_state);
		xtable_text(t, x[i].detail);
	}
}

static void export_rows(struct req *r, struct resp *w, enum export_format fmt,
                        const struct books_run *runs, int n)
{
	struct xtable *t = xtable_new(r->a, "对账差异", diff_cols, (int)CAMP_ARRAY_LEN(diff_cols));
	for (int i = 0; i < n; i++)
		export_diffs(r, t, &runs[i]);
	export_send(r, w, t, fmt, "books");
}

/* ---- the page --------------------------------------------------------------- */

static void fill_run(tpl_dict *d, const struct books_run *x)
{
	const char *cls;
	tpl_set(d, "DATE", x->date);
	tpl_set(d, "STARTED", x->started);
	tpl_set(d, "TRIGGER", !strcmp(x->trigger, "cli") ? "命令行" : "定时任务");
	tpl_set(d, "RESULT", result_label(x, &cls));
	tpl_set(d, "RESULT_CLASS", cls);
	tpl_set(d, "BILL_STATUS", books_bill_status_label(x->bill_status));
	tpl_set_int(d, "BILL_LINES", x->bill_lines);
	tpl_set_money(d, "BILL_PAID", x->bill_paid_fen);
	tpl_set_money(d, "BILL_REFUND", x->bill_refund_fen);
	tpl_set_int(d, "INVARIANT_DIFFS", x->invariant_diffs);
	tpl_set_int(d, "BILL_DIFFS", x->bill_diffs);
	if (x->bill_error)
		tpl_set(tpl_add_section(d, "BILL_ERROR"), "TEXT", x->bill_error);
}

static void fill_days(tpl_dict *b, const struct books_run *runs, int n)
{
	if (n == 0) {
		tpl_show(b, "NO_DAYS");
		return;
	}
	tpl_dict *t = tpl_add_section(b, "DAYS");
	for (int i = 0; i < n; i++)
		fill_run(tpl_add_section(t, "DAY"), &runs[i]);
}

static void fill_detail(struct req *r, tpl_dict *b, const char *date)
{
	tpl_dict *s = tpl_add_section(b, "DETAIL");
	tpl_set(s, "DATE", date);
	struct books_run run;
	int rc = books_day(r->db, r->a, date, &run);
	if (rc != CAMP_OK) {
		tpl_show(s, "NEVER");
		return;
	}
	fill_run(tpl_add_section(s, "RUN"), &run);
	struct books_diff *x;
	int n = 0;
	if (books_diffs(r->db, r->a, run.id, &x, &n) != CAMP_OK || n == 0) {
		tpl_show(s, run.ok ? "HOLDS" : "NO_DIFFS");
		return;
	}
	tpl_dict *t = tpl_add_section(s, "DIFFS");
	for (int i = 0; i < n; i++) {
		const char *ll, *rl;
		tpl_dict *d = tpl_add_section(t, "DIFF");
		books_value_labels(x[i].check, &ll, &rl);
		tpl_set(d, "CHECK", books_check_label(x[i].check));
		tpl_set(d, "CODE", x[i].check);
		tpl_set(d, "REF", ref_text(r->a, &x[i]));
		if (x[i].camp_id) {
			tpl_dict *c = tpl_add_section(d, "CAMP");
			tpl_set_int(c, "ID", x[i].camp_id);
			tpl_set(c, "NAME", x[i].camp_name ? x[i].camp_name : "");
		}
		tpl_set(d, "LEFT_LABEL", ll);
		tpl_set(d, "LEFT", books_value_text(r->a, x[i].has_left, x[i].left, x[i].unit, 1));
		tpl_set(d, "RIGHT_LABEL", rl);
		tpl_set(d, "RIGHT", books_value_text(r->a, x[i].has_right, x[i].right, x[i].unit, 1));
		if (x[i].left_state || x[i].right_state) {
			tpl_dict *st = tpl_add_section(d, "STATES");
			tpl_set(st, "LEFT", x[i].left_state ? x[i].left_state : "—");
			tpl_set(st, "RIGHT", x[i].right_state ? x[i].right_state : "—");
		}
		tpl_set(d, "TEXT", x[i].detail);
	}
}

static void fill_filters(struct req *r, tpl_dict *b, const struct filters *f)
{
	tpl_set(b, "FROM", f->from_err ? req_param(r, "from") : f->from);
	tpl_set(b, "TO", f->to_err ? req_param(r, "to") : f->to);
	if (f->from_err)
		tpl_set(tpl_add_section(b, "FROM_ERR"), "TEXT", f->from_err);
	if (f->to_err)
		tpl_set(tpl_add_section(b, "TO_ERR"), "TEXT", f->to_err);
	if (f->date_err)
		tpl_set(tpl_add_section(b, "DATE_ERR"), "TEXT", f->date_err);
}

void page_admin_books(struct req *r, struct resp *w)
{
	struct filters f;
	read_filters(r, &f);
	enum export_format fmt = export_requested(r);
	struct books_run *runs;
	int n = 0;
	int rc = f.date && fmt ? books_days(r->db, r->a, f.date, f.date, 1, &runs, &n)
	                       : books_days(r->db, r->a, f.from, f.to, MAX_DAYS, &runs, &n);
	if (rc != CAMP_OK) {
		resp_unavailable(r, w);
		return;
	}
	if (fmt) {
		export_rows(r, w, fmt, runs, n);
		return;
	}
	struct page *p = page_new(r, "对账", "admin/books.tpl");
	fill_filters(r, p->body, &f);
	if (f.date)
		fill_detail(r, p->body, f.date);
	fill_days(p->body, runs, n);
	page_admin(r, w, p, "/admin/books");
}
