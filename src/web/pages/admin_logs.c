/* admin_logs.c: 操作日志 — filtered, paginated, and exported (CSV, XLSX). */
#include "pages.h"
#include "audit.h"
#include "camp.h"
#include "dates.h"
#include "export.h"
#include "page.h"
#include "users.h"

#include <stdint.h>
#include <string.h>

#define PER_PAGE 50

struct filters {
	struct audit_filter f;
	long long page;
	const char *operator_text;
	const char *from_err, *to_err;
};

static void read_filters(struct req *r, struct filters *fl)
{
	memset(fl, 0, sizeof(*fl));
	const char *op = req_param(r, "operator");
	if (op && *op && parse_i64(op, 1, INT64_MAX, &fl->f.operator_id) != CAMP_OK)
		fl->f.operator_id = -1;   /* matches nobody */
	const char *t = req_param(r, "operation_type");
	fl->f.type = t && *t && strlen(t) <= 50 ? t : NULL;
	cday a = 0, b = 0;
	const char *from = req_param(r, "from"), *to = req_param(r, "to");
	if (from && *from && cday_parse(from, &a) != CAMP_OK)
		fl->from_err = "请输入有效日期（YYYY-MM-DD）";
	else if (from && *from)
		fl->f.from = from;
	if (to && *to && cday_parse(to, &b) != CAMP_OK)
		fl->to_err = "请输入有效日期（YYYY-MM-DD）";
	else if (to && *to)
		fl->f.to = to;
	if (fl->f.from && fl->f.to && b < a) {
		fl->to_err = "结束日期不能早于开始日期";
		fl->f.to = NULL;
	}
	const char *pg = req_param(r, "page");
	if (pg == NULL || parse_i64(pg, 1, 1000000, &fl->page) != CAMP_OK)
		fl->page = 1;
}

static const struct xcol log_cols[] = {
	{ "时间", XC_TEXT, 20 }, { "操作人", XC_TEXT, 14 }, { "操作类型", XC_TEXT, 16 },
	{ "对象类型", XC_TEXT, 10 }, { "对象ID", XC_INT, 10 }, { "操作对象", XC_TEXT, 20 },
	{ "操作详情", XC_TEXT, 40 }, { "IP地址", XC_TEXT, 16 }, { "User Agent", XC_TEXT, 30 },
	{ "请求ID", XC_TEXT, 20 }, { "结果", XC_TEXT, 8 },
};

static void export_rows(struct req *r, struct resp *w, enum export_format fmt,
                        const struct audit_row *rows, int n)
{
	struct xtable *t = xtable_new(r->a, "操作日志", log_cols, (int)CAMP_ARRAY_LEN(log_cols));
	for (int i = 0; i < n; i++) {
		const struct audit_row *x = &rows[i];
		xtable_text(t, x->time);
		xtable_text(t, x->operator_name);
		xtable_text(t, audit_type_label(x->type));
		xtable_text(t, x->target_type);
		if (x->target_id)
			xtable_int(t, x->target_id);
		else
			xtable_text(t, NULL);
		xtable_text(t, x->target_name);
		xtable_text(t, x->desc);
		xtable_text(t, x->ip);
		xtable_text(t, x->user_agent);
		xtable_text(t, x->request_id);
		xtable_text(t, x->success ? "成功" : "失败");
	}
	export_send(r, w, t, fmt, "operation-log");
}

static void fill_filters(struct req *r, tpl_dict *b, const struct filters *fl)
{
	struct user *users;
	int nu = 0;
	if (user_list(r->db, r->a, &users, &nu) == CAMP_OK)
		for (int i = 0; i < nu; i++) {
			tpl_dict *o = tpl_add_section(b, "OPERATOR");
			tpl_set_int(o, "ID", users[i].id);
			tpl_set(o, "NAME", users[i].username);
			if (users[i].id == fl->f.operator_id)
				tpl_show(o, "SEL");
		}
	const char **types;
	int nt = 0;
	if (audit_types(r->db, r->a, &types, &nt) == CAMP_OK)
		for (int i = 0; i < nt; i++) {
			tpl_dict *o = tpl_add_section(b, "TYPE");
			tpl_set(o, "VALUE", types[i]);
			tpl_set(o, "LABEL", audit_type_label(types[i]));
			if (fl->f.type && !strcmp(fl->f.type, types[i]))
				tpl_show(o, "SEL");
		}
	tpl_set(b, "FROM", req_param(r, "from"));
	tpl_set(b, "TO", req_param(r, "to"));
	tpl_set(b, "OPERATOR_ID", fl->f.operator_id > 0 ? arena_i64(r->a, fl->f.operator_id) : "");
	tpl_set(b, "TYPE_VALUE", fl->f.type);
	if (fl->from_err)
		tpl_set(tpl_add_section(b, "FROM_ERR"), "TEXT", fl->from_err);
	if (fl->to_err)
		tpl_set(tpl_add_section(b, "TO_ERR"), "TEXT", fl->to_err);
}

static void fill_rows(tpl_dict *b, arena *a, const struct audit_row *rows, int n)
{
	tpl_dict *t = n > 0 ? tpl_add_section(b, "TABLE") : NULL;
	if (t == NULL)
		tpl_show(b, "EMPTY");
	for (int i = 0; i < n; i++) {
		const struct audit_row *x = &rows[i];
		tpl_dict *d = tpl_add_section(t, "ROW");
		tpl_set(d, "TIME", x->time);
		tpl_set(d, "OPERATOR", x->operator_name);
		tpl_set(d, "TYPE_LABEL", audit_type_label(x->type));
		tpl_set(d, "TARGET", x->target_name ? x->target_name
		        : x->target_id ? arena_i64(a, x->target_id) : "");
		tpl_set(d, "DESC", x->desc);
		tpl_set(d, "IP", x->ip);
		tpl_show(d, x->success ? "OK" : "FAILED");
	}
}

void page_admin_logs(struct req *r, struct resp *w)
{
	struct filters fl;
	read_filters(r, &fl);
	enum export_format fmt = export_requested(r);
	fl.f.limit = fmt ? 0 : PER_PAGE;
	fl.f.offset = fmt ? 0 : (fl.page - 1) * PER_PAGE;
	struct audit_row *rows;
	int n;
	long long total;
	if (audit_list(r->db, r->a, &fl.f, &rows, &n, &total) != CAMP_OK) {
		resp_unavailable(r, w);
		return;
	}
	if (fmt) {
		export_rows(r, w, fmt, rows, n);
		return;
	}
	struct page *p = page_new(r, "操作日志", "admin/logs.tpl");
	fill_filters(r, p->body, &fl);
	tpl_set_int(p->body, "TOTAL", total);
	page_pager(p->body, fl.page, total, PER_PAGE);
	fill_rows(p->body, r->a, rows, n);
	page_admin(r, w, p, "/admin/logs");
}
