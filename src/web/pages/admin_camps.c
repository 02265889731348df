/* admin_camps.c: 训练营管理 — list, create, edit, delete, detail, enrollment QR. */
#include "pages.h"
#include "audit_req.h"
#include "camp.h"
#include "camps.h"
#include "clock.h"
#include "db.h"
#include "jobs.h"
#include "env.h"
#include "export.h"
#include "log.h"
#include "media.h"
#include "money.h"
#include "page.h"
#include "qrpng.h"
#include "router.h"

#include <stdlib.h>
#include <string.h>

#define PER_PAGE 20

static const char *enroll_url(struct req *r, long long id)
{
	return arena_printf(r->a, "%s/h5/camps/%lld", camp_env()->base_url, id);
}

static const char *poster_url(struct req *r, const char *sha)
{
	return sha ? arena_printf(r->a, "/media/%s", sha) : "/static/img/poster-default.svg";
}

/* ---- list --------------------------------------------------------------- */

/* 本月 / 上月 → a date window; custom from/to are taken as typed (validated). */
static void month_window(struct req *r, const char *when, const char **from, const char **to)
{
	int back = when && !strcmp(when, "this_month") ? 0 : when && !strcmp(when, "last_month") ? 1 : -1;
	if (back < 0)
		return;
	cday first, last;
	cday_month(cday_of(camp_now()), back, &first, &last);
	char *b1 = arena_alloc(r->a, 12), *b2 = arena_alloc(r->a, 12);
	*from = cday_format(first, b1, 12);
	*to = cday_format(last, b2, 12);
}

static void fill_row(struct req *r, tpl_dict *row, const struct camp *c)
{
	char b1[12], b2[12];
	tpl_set_int(row, "ID", c->id);
	tpl_set(row, "NAME", c->name);
	tpl_set(row, "POSTER_URL", poster_url(r, c->poster_sha256));
	tpl_set_money(row, "DEPOSIT", c->deposit_fen);
	tpl_set(row, "START_DATE", cday_format(c->start_date, b1, sizeof(b1)));
	tpl_set(row, "END_DATE", cday_format(c->end_date, b2, sizeof(b2)));
	tpl_set(row, "RULE", arena_printf(r->a, "总天数%d天，要求%d天", c->total_days, c->required_days));
	tpl_set_int(row, "PAID_MEMBERS", c->paid_members);
	tpl_set(row, "STATUS", c->cancelled ? "cancelled" : c->status);
	tpl_set(row, "STATUS_LABEL", c->cancelled ? "已取消" : camp_status_label(c->status));
	tpl_show(row, c->archived ? "ARCHIVED" : "WRITABLE");   /* issue #17 */
}

static const struct xcol camp_cols[] = {
	{ "ID", XC_INT, 6 }, { "训练营名称", XC_TEXT, 24 }, { "押金", XC_MONEY, 10 },
	{ "开始日期", XC_TEXT, 12 }, { "结束日期", XC_TEXT, 12 }, { "总天数", XC_INT, 8 },
	{ "要求天数", XC_INT, 8 }, { "报名人数", XC_INT, 8 }, { "状态", XC_TEXT, 8 },
};

static void export_rows(struct req *r, struct resp *w, enum export_format fmt,
                        const struct camp *camps, int n)
{
	struct xtable *t = xtable_new(r->a, "训练营", camp_cols, (int)CAMP_ARRAY_LEN(camp_cols));
	for (int i = 0; i < n; i++) {
		const struct camp *c = &camps[i];
		char b1[12], b2[12];
		xtable_int(t, c->id);
		xtable_text(t, c->name);
		xtable_money(t, c->deposit_fen);
		xtable_text(t, cday_format(c->start_date, b1, sizeof(b1)));
		xtable_text(t, cday_format(c->end_date, b2, sizeof(b2)));
		xtable_int(t, c->total_days);
		xtable_int(t, c->required_days);
		xtable_int(t, c->paid_members);
		xtable_text(t, camp_status_label(c->status));
	}
	export_send(r, w, t, fmt, "camps");
}

void page_admin_camps(struct req *r, struct resp *w)
{
	struct camp_filter f = { 0 };
	f.status = req_param(r, "status");
	if (f.status && strcmp(f.status, "not_started") && strcmp(f.status, "ongoing") &&
	    strcmp(f.status, "finished") && strcmp(f.status, "archived"))
		f.status = "";
	const char *when = req_param(r, "when");
	f.from = req_param(r, "from");
	f.to = req_param(r, "to");
	cday tmp;
	if (f.from && *f.from && cday_parse(f.from, &tmp) != CAMP_OK)
		f.from = "";
	if (f.to && *f.to && cday_parse(f.to, &tmp) != CAMP_OK)
		f.to = "";
	month_window(r, when, &f.from, &f.to);
	f.q = req_param(r, "q");
	long long page = 1;
	const char *ps = req_param(r, "page");
	if (ps && parse_i64(ps, 1, 100000, &page) != CAMP_OK)
		page = 1;
	enum export_format fmt = export_requested(r);
	f.page = (int)page;
	f.per_page = fmt ? 0 : PER_PAGE;

	struct camp *camps;
	int n;
	long long total;
	if (camp_list_admin(r->db, r->a, &f, &camps, &n, &total) != CAMP_OK) {
		resp_unavailable(r, w);
		return;
	}
	if (fmt) {
		export_rows(r, w, fmt, camps, n);
		return;
	}
	struct page *p = page_new(r, "训练营", "admin/camps.tpl");
	tpl_set(p->body, "Q", f.q);
	tpl_set(p->body, "FROM", req_param(r, "from"));
	tpl_set(p->body, "TO", req_param(r, "to"));
	static const char *statuses[][2] = {
		{ "", "全部" }, { "not_started", "未开始" }, { "ongoing", "进行中" }, { "finished", "已结束" },
		{ "archived", "已归档" },   /* issue #17: hidden from the other choices */
	};
	for (size_t i = 0; i < CAMP_ARRAY_LEN(statuses); i++) {
		tpl_dict *o = tpl_add_section(p->body, "STATUS_OPTION");
		tpl_set(o, "VALUE", statuses[i][0]);
		tpl_set(o, "LABEL", statuses[i][1]);
		if (!strcmp(f.status ? f.status : "", statuses[i][0]))
			tpl_show(o, "SELECTED");
	}
	static const char *whens[][2] = {
		{ "", "全部时间" }, { "this_month", "本月" }, { "last_month", "上月" }, { "custom", "自定义" }
	};
	for (size_t i = 0; i < CAMP_ARRAY_LEN(whens); i++) {
		tpl_dict *o = tpl_add_section(p->body, "WHEN_OPTION");
		tpl_set(o, "VALUE", whens[i][0]);
		tpl_set(o, "LABEL", whens[i][1]);
		if (!strcmp(when ? when : "", whens[i][0]))
			tpl_show(o, "SELECTED");
	}
	page_script(p, "/static/js/qr-dialog.js");
	for (int i = 0; i < n; i++) {
		tpl_dict *row = tpl_add_section(p->body, "CAMP");
		fill_row(r, row, &camps[i]);
		tpl_set(row, "ENROLL_URL", enroll_url(r, camps[i].id));
	}
	if (n == 0)
		tpl_show(p->body, "EMPTY");
	tpl_set_int(p->body, "TOTAL", total);
	long long pages = (total + PER_PAGE - 1) / PER_PAGE;
	tpl_set_int(p->body, "PAGE", page);
	tpl_set_int(p->body, "PAGES", pages ? pages : 1);
	tpl_set(p->body, "STATUS", f.status);
	tpl_set(p->body, "WHEN", when);
	if (page > 1)
		tpl_set_int(tpl_add_section(p->body, "PREV"), "N", page - 1);
	if (page < pages)
		tpl_set_int(tpl_add_section(p->body, "NEXT"), "N", page + 1);
	page_admin(r, w, p, "/admin/camps");
}

/* One operation_log row, inside the action's transaction. */
static int log_camp(struct req *r, const char *type, long long id, const char *name,
                    const char *desc)
{
	struct audit a;
	audit_from_req(r, &a, type);
	a.target_type = "camp";
	a.target_id = id;
	a.target_name = name;
	a.desc = desc;
	return audit_log(r->db, r->a, &a);
}

/* 保存并发布知识星球: after the camp is saved, its ZSXQ project is created by
 * a queued job (a slow outside call never holds a page); the admin watches
 * the job's progress, and a failure leaves the camp saved. */
static int publish_after_save(struct req *r, struct resp *w, long long id)
{
	if (req_form(r, "publish") == NULL)
		return 0;
	const char *args = arena_printf(r->a, "{\"camp_id\":%lld,\"user_id\":%lld}", id, r->user->id);
	long long jid = job_enqueue(r->db, r->a, "zsxq-publish", args, r->user->id);
	if (jid == 0) {
		resp_flash(r, w, "warning", "训练营已保存，但发布到知识星球的任务未能排队，请稍后在编辑页重试");
		resp_redirect(w, arena_printf(r->a, "/admin/camps/%lld", id));
		return 1;
	}
	resp_flash(r, w, "success", "训练营已保存，正在发布到知识星球");
	resp_redirect(w, arena_printf(r->a, "/admin/jobs/%lld", jid));
	return 1;
}

/* ---- create / edit -------------------------------------------------------- */

/* Stores a freshly uploaded image right away (content-addressed, so a
 * failed form keeps it and the admin need not upload it again). */
static const char *take_upload(struct req *r, const char *field, const char *kept,
                               struct form_errors *e)
{
	const struct upload *u = req_file(r, field);
	if (u == NULL || u->len == 0)
		return kept && *kept ? kept : NULL;
	struct media_info info;
	int rc = media_sniff(u->data, u->len, &info);
	if (rc == CAMP_ETOOBIG) {
		form_error(e, field, "图片不能超过 2MB");
		return kept && *kept ? kept : NULL;
	}
	if (rc != CAMP_OK) {
		form_error(e, field, "只支持 jpg 或 png 图片");
		return kept && *kept ? kept : NULL;
	}
	char *sha = arena_alloc(r->a, 65);
	if (media_store(r->db, r->a, u->data, u->len, sha) != CAMP_OK) {
		form_error(e, field, "图片保存失败，请重试");
		return NULL;
	}
	return sha;
}

static void read_form(struct req *r, struct camp_form *f, struct form_errors *e)
{
	memset(f, 0, sizeof(*f));
	f->name = req_form(r, "name");
	f->deposit = req_form(r, "deposit");
	f->start_date = req_form(r, "start_date");
	f->end_date = req_form(r, "end_date");
	f->total_days = req_form(r, "total_days");
	f->required_days = req_form(r, "required_days");
	f->description = req_form(r, "description");
	f->planet_project_id = req_form(r, "planet_project_id");
	f->wechat_pay_code_id = req_form(r, "wechat_pay_code_id");
	f->capacity = req_form(r, "capacity");
	f->robot_webhook_key = req_form(r, "robot_webhook_key");
	f->ncoaches = kv_get_all(&r->form, "coach_ids", f->coach_ids, CAMP_MAX_STAFF);
	f->nvolunteers = kv_get_all(&r->form, "volunteer_ids", f->volunteer_ids, CAMP_MAX_STAFF);
	if (f->ncoaches > CAMP_MAX_STAFF) {
		f->ncoaches = CAMP_MAX_STAFF;
		form_error(e, "coach_ids", "教练最多选择 32 名");
	}
	if (f->nvolunteers > CAMP_MAX_STAFF) {
		f->nvolunteers = CAMP_MAX_STAFF;
		form_error(e, "volunteer_ids", "志愿者最多选择 32 名");
	}
	f->poster_sha256 = take_upload(r, "poster", req_form(r, "poster_sha256"), e);
	f->group_qrcode_sha256 = take_upload(r, "group_qrcode", req_form(r, "group_qrcode_sha256"), e);
}

static int chosen(const char *const *ids, size_t n, long long id)
{
	for (size_t i = 0; i < n; i++) {
		long long v;
		if (parse_i64(ids[i], 1, 1LL << 53, &v) == CAMP_OK && v == id)
			return 1;
	}
	return 0;
}

static void fill_staff_options(struct req *r, tpl_dict *body, const char *role,
                               const char *section, const char *const *ids, size_t n)
{
	struct camp_staff *s;
	int k;
	if (camp_staff_choices(r->db, r->a, role, &s, &k) != CAMP_OK)
		return;
	for (int i = 0; i < k; i++) {
		tpl_dict *o = tpl_add_section(body, section);
		tpl_set_int(o, "ID", s[i].id);
		tpl_set(o, "NAME", s[i].username);
		if (chosen(ids, n, s[i].id))
			tpl_show(o, "SELECTED");
	}
	if (k == 0)
		tpl_show(body, arena_printf(r->a, "NO_%s", section));
}

static const char *const form_fields[] = {
	"name", "poster", "deposit", "start_date", "end_date", "total_days", "required_days",
	"group_qrcode", "description", "coach_ids", "volunteer_ids", "planet_project_id",
	"wechat_pay_code_id", "capacity", "robot_webhook_key",
};

/* The form, refilled with what was typed and each error under its field. */
static void render_form(struct req *r, struct resp *w, const struct camp_form *f,
                        const struct form_errors *e, const struct camp *existing)
{
	struct page *p = page_new(r, existing ? "编辑训练营" : "创建训练营", "admin/camp_form.tpl");
	tpl_dict *b = p->body;
	tpl_set(b, "ACTION", existing ? arena_printf(r->a, "/admin/camps/%lld/edit", existing->id)
	                              : "/admin/camps/new");
	tpl_set(b, "HEADING", existing ? "编辑训练营" : "创建训练营");
	tpl_set(b, "NAME", f->name);
	tpl_set(b, "DEPOSIT", f->deposit);
	tpl_set(b, "START_DATE", f->start_date);
	tpl_set(b, "END_DATE", f->end_date);
	tpl_set(b, "TOTAL_DAYS", f->total_days);
	tpl_set(b, "REQUIRED_DAYS", f->required_days);
	tpl_set(b, "DESCRIPTION", f->description);
	tpl_set(b, "PLANET_PROJECT_ID", f->planet_project_id);
	tpl_set(b, "WECHAT_PAY_CODE_ID", f->wechat_pay_code_id);
	tpl_set(b, "CAPACITY", f->capacity);
	tpl_show(b, existing == NULL ? "CREATING" : "EDITING");
	if (existing == NULL || existing->planet_project_id == NULL)
		tpl_show(b, "UNPUBLISHED");
	if (existing && strcmp(existing->status, "not_started") != 0)
		tpl_show(b, "LOCKED");
	else
		tpl_show(b, "UNLOCKED");
	if (f->poster_sha256) {
		tpl_dict *i = tpl_add_section(b, "POSTER_KEPT");
		tpl_set(i, "SHA", f->poster_sha256);
	}
	if (f->group_qrcode_sha256) {
		tpl_dict *i = tpl_add_section(b, "QR_KEPT");
		tpl_set(i, "SHA", f->group_qrcode_sha256);
	}
	fill_staff_options(r, b, "coach", "COACH", f->coach_ids, f->ncoaches);
	fill_staff_options(r, b, "volunteer", "VOLUNTEER", f->volunteer_ids, f->nvolunteers);
	for (size_t i = 0; i < CAMP_ARRAY_LEN(form_fields); i++) {
		const char *msg = form_error_for(e, form_fields[i]);
		char key[40];
		snprintf(key, sizeof(key), "ERR_%s", form_fields[i]);
		for (char *k = key; *k; k++)
			if (*k >= 'a' && *k <= 'z')
				*k = (char)(*k - 'a' + 'A');
		if (msg) {
			tpl_dict *d = tpl_add_section(b, key);
			tpl_set(d, "MSG", msg);
			tpl_set(b, arena_printf(r->a, "%s_INVALID", key), "is-invalid");
		}
	}
	if (e->n > 0) {
		w->status = 422;
		tpl_dict *s = tpl_add_section(b, "ERRORS");
		tpl_set_int(s, "COUNT", e->n);
	}
	page_admin(r, w, p, "/admin/camps");
}

void page_admin_camp_new(struct req *r, struct resp *w)
{
	struct camp_form f;
	struct form_errors e = { 0 };
	memset(&f, 0, sizeof(f));
	render_form(r, w, &f, &e, NULL);
}

void page_admin_camp_create(struct req *r, struct resp *w)
{
	struct camp_form f;
	struct form_errors e = { 0 };
	read_form(r, &f, &e);
	struct camp_values v;
	int rc = camp_validate(r->db, r->a, &f, NULL, cday_of(camp_now()), &v, &e);
	if (rc == CAMP_EDB) {
		resp_unavailable(r, w);
		return;
	}
	if (rc != CAMP_OK || e.n > 0) {
		render_form(r, w, &f, &e, NULL);
		return;
	}
	long long id = 0;
	if (db_begin(r->db) != CAMP_OK ||
	    camp_insert(r->db, r->a, &v, r->user->id, &id) != CAMP_OK ||
	    log_camp(r, "CREATE_CAMP", id, v.name, "创建训练营") != CAMP_OK ||
	    db_commit(r->db) != CAMP_OK) {
		db_rollback(r->db);
		resp_error(r, w, 500, "保存失败，请重试");
		return;
	}
	log_info("camp %lld created", id);
	if (publish_after_save(r, w, id))
		return;
	resp_flash(r, w, "success", "训练营已创建");
	resp_redirect(w, arena_printf(r->a, "/admin/camps/%lld", id));
}

static int load(struct req *r, struct resp *w, struct camp *c)
{
	long long id = req_cap_id(r, 0);
	int rc = id ? camp_get(r->db, r->a, id, c) : CAMP_ENOTFOUND;
	if (rc == CAMP_ENOTFOUND)
		resp_error(r, w, 404, "训练营不存在");
	else if (rc != CAMP_OK)
		resp_unavailable(r, w);
	return rc;
}

/* issue #17: the form of an archived camp is not even shown */
static int load_writable(struct req *r, struct resp *w, struct camp *c)
{
	int rc = load(r, w, c);
	if (rc == CAMP_OK && c->archived) {
		resp_error(r, w, 409, "该训练营已归档（结束超过 3 个月），只读，不能修改");
		return CAMP_ECONFLICT;
	}
	return rc;
}

void page_admin_camp_edit(struct req *r, struct resp *w)
{
	struct camp c;
	if (load_writable(r, w, &c) != CAMP_OK)
		return;
	struct camp_form f;
	struct form_errors e = { 0 };
	memset(&f, 0, sizeof(f));
	char b1[12], b2[12], dep[24];
	f.name = c.name;
	f.deposit = money_format(c.deposit_fen, dep, sizeof(dep));
	f.start_date = cday_format(c.start_date, b1, sizeof(b1));
	f.end_date = cday_format(c.end_date, b2, sizeof(b2));
	f.total_days = arena_i64(r->a, c.total_days);
	f.required_days = arena_i64(r->a, c.required_days);
	f.description = c.description;
	f.planet_project_id = c.planet_project_id;
	f.wechat_pay_code_id = c.wechat_pay_code_id;
	f.capacity = c.capacity ? arena_i64(r->a, c.capacity) : "";
	f.poster_sha256 = c.poster_sha256;
	f.group_qrcode_sha256 = c.group_qrcode_sha256;
	struct camp_staff *s;
	int n;
	if (camp_staff_list(r->db, r->a, c.id, &s, &n) == CAMP_OK) {
		for (int i = 0; i < n; i++) {
			int coach = !strcmp(s[i].role_type, "coach");
			if (coach && f.ncoaches < CAMP_MAX_STAFF)
				f.coach_ids[f.ncoaches++] = arena_i64(r->a, s[i].id);
			else if (!coach && f.nvolunteers < CAMP_MAX_STAFF)
				f.volunteer_ids[f.nvolunteers++] = arena_i64(r->a, s[i].id);
		}
	}
	render_form(r, w, &f, &e, &c);
}

void page_admin_camp_update(struct req *r, struct resp *w)
{
	struct camp c;
	if (load_writable(r, w, &c) != CAMP_OK)
		return;
	struct camp_form f;
	struct form_errors e = { 0 };
	read_form(r, &f, &e);
	struct camp_values v;
	int rc = camp_validate(r->db, r->a, &f, &c, cday_of(camp_now()), &v, &e);
	if (rc == CAMP_EDB) {
		resp_unavailable(r, w);
		return;
	}
	if (rc != CAMP_OK || e.n > 0) {
		render_form(r, w, &f, &e, &c);
		return;
	}
	int qr_changed = v.group_qrcode_sha256 && c.group_qrcode_sha256 &&
	                 strcmp(v.group_qrcode_sha256, c.group_qrcode_sha256) != 0;
	if (db_begin(r->db) != CAMP_OK ||
	    camp_update(r->db, r->a, c.id, &v, r->user->id) != CAMP_OK ||
	    log_camp(r, "UPDATE_CAMP", c.id, v.name,
	             qr_changed ? "修改训练营（更换群二维码）" : "修改训练营") != CAMP_OK ||
	    db_commit(r->db) != CAMP_OK) {
		db_rollback(r->db);
		resp_error(r, w, 500, "保存失败，请重试");
		return;
	}
	if (publish_after_save(r, w, c.id))
		return;
	resp_flash(r, w, "success", "已保存");
	resp_redirect(w, arena_printf(r->a, "/admin/camps/%lld", c.id));
}

void page_admin_camp_delete(struct req *r, struct resp *w)
{
	long long id = req_cap_id(r, 0);
	if (db_begin(r->db) != CAMP_OK) {
		resp_unavailable(r, w);
		return;
	}
	const char *why = NULL;
	int rc = camp_soft_delete(r->db, r->a, id, r->user->id, &why);
	if (rc == CAMP_OK)
		rc = log_camp(r, "DELETE_CAMP", id, NULL, "删除训练营");
	if (rc != CAMP_OK || db_commit(r->db) != CAMP_OK) {
		db_rollback(r->db);
		if (rc == CAMP_ENOTFOUND)
			resp_error(r, w, 404, "训练营不存在");
		else if (rc == CAMP_ECONFLICT)
			resp_error(r, w, 409, why);
		else
			resp_error(r, w, 500, "删除失败，请重试");
		return;
	}
	resp_flash(r, w, "success", "训练营已删除");
	resp_redirect(w, "/admin/camps");
}

/* ---- detail and QR -------------------------------------------------------- */

void page_admin_camp_view(struct req *r, struct resp *w)
{
	struct camp c;
	if (load(r, w, &c) != CAMP_OK)
		return;
	const char *tab = req_param(r, "tab");
	if (tab == NULL || (strcmp(tab, "members") && strcmp(tab, "checkins") && strcmp(tab, "refunds")))
		tab = "overview";
	struct page *p = page_new(r, c.name, "admin/camp_view.tpl");
	page_script(p, "/static/js/confirm.js");
	tpl_dict *b = p->body;
	fill_row(r, b, &c);
	tpl_set(b, "DESCRIPTION", c.description);
	tpl_set(b, "GROUP_QR_URL", poster_url(r, c.group_qrcode_sha256));
	tpl_set(b, "ENROLL_URL", enroll_url(r, c.id));
	tpl_set(b, "PLANET_PROJECT_ID", c.planet_project_id ? c.planet_project_id : "未填写");
	tpl_set(b, "CAPACITY", c.capacity ? arena_i64(r->a, c.capacity) : "不限");
	camp_cancel_fill(r, b, &c);    /* issue #14: 取消训练营, and delete only without money */
	tpl_set(b, arena_printf(r->a, "TAB_%s", !strcmp(tab, "overview") ? "OVERVIEW" :
	        !strcmp(tab, "members") ? "MEMBERS" : !strcmp(tab, "checkins") ? "CHECKINS" : "REFUNDS"),
	        "page");
	int tab_rc = CAMP_OK;
	if (!strcmp(tab, "overview"))
		tpl_show(b, "OVERVIEW");
	else if (!strcmp(tab, "refunds"))   /* issue #15: 退款情况 */
		tab_rc = camp_refunds_tab_fill(r, b, &c);
	else   /* issue #9: 报名列表, 打卡情况 */
		tab_rc = camp_tab_fill(r, b, c.id, tab);
	if (tab_rc != CAMP_OK)
		tpl_show(b, "LATER");
	struct camp_stats s;
	if (camp_statistics(r->db, r->a, c.id, &s) == CAMP_OK) {
		char buf[32];
		tpl_set_int(b, "STAT_MEMBERS", s.paid_members);
		tpl_set(b, "STAT_PAID", money_format_grouped(s.total_paid_fen, buf, sizeof(buf)));
		tpl_set(b, "STAT_REFUNDED", money_format_grouped(s.total_refunded_fen, buf, sizeof(buf)));
		tpl_set(b, "STAT_RATE", s.avg_checkin_rate);
		tpl_set(b, "STAT_REFUND_RATE", s.refund_completion_rate);
	}
	struct camp_staff *st;
	int n;
	if (camp_staff_list(r->db, r->a, c.id, &st, &n) == CAMP_OK)
		for (int i = 0; i < n; i++) {
			tpl_dict *d = tpl_add_section(b, !strcmp(st[i].role_type, "coach") ? "COACH" : "VOLUNTEER");
			tpl_set(d, "NAME", st[i].username);
		}
	page_admin(r, w, p, "/admin/camps");
}

static void free_png(void *p)
{
	free(p);
}

void page_admin_camp_qrcode(struct req *r, struct resp *w)
{
	struct camp c;
	if (load(r, w, &c) != CAMP_OK)
		return;
	size_t len;
	unsigned char *png = qrpng_encode(enroll_url(r, c.id), 8, &len, NULL);
	if (png == NULL) {
		resp_error(r, w, 500, "二维码生成失败");
		return;
	}
	arena_defer(r->a, free_png, png);
	resp_header(w, "Content-Disposition",
	            arena_printf(r->a, "inline; filename=\"camp-%lld-qrcode.png\"", c.id));
	resp_body(w, 200, "image/png", (const char *)png, len);
}
