/* page.c: layouts, the role-filtered menu, flash messages and error pages. */
#include "page.h"
#include "camp.h"
#include "camps.h"
#include "log.h"
#include "money.h"
#include "router.h"
#include "session.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

static void free_dict(void *p)
{
	tpl_dict_free(p);
}

struct page *page_new(struct req *r, const char *title, const char *body_tpl)
{
	struct page *p = arena_alloc(r->a, sizeof(*p));
	p->root = tpl_dict_new();
	if (p->root == NULL)
		abort();
	arena_defer(r->a, free_dict, p->root);
	p->body = tpl_include(p->root, "BODY", body_tpl);
	p->title = title;
	tpl_set(p->root, "TITLE", title);
	/* issue #18: only a page with a form costs a token (and a new browser a cookie) */
	if (tpl_mentions(body_tpl, "CSRF"))
		tpl_set(p->body, "CSRF", csrf_token(r));
	return p;
}

void page_script(struct page *p, const char *src)
{
	tpl_dict *s = tpl_add_section(p->root, "SCRIPT");
	tpl_set(s, "SRC", src);
}

void tpl_set_money(tpl_dict *d, const char *key, long long fen)
{
	char buf[32];
	tpl_set(d, key, money_format(fen, buf, sizeof(buf)));
}

void page_pager(tpl_dict *b, long long page, long long total, long per_page)
{
	long long npages = per_page > 0 ? (total + per_page - 1) / per_page : 1;
	if (npages <= 1)
		return;
	tpl_dict *pg = tpl_add_section(b, "PAGES");
	tpl_set_int(pg, "PAGE", page);
	tpl_set_int(pg, "NPAGES", npages);
	if (page > 1)
		tpl_set_int(tpl_add_section(pg, "PREV"), "N", page - 1);
	if (page < npages)
		tpl_set_int(tpl_add_section(pg, "NEXT"), "N", page + 1);
}

/* The flash cookie holds "kind\ntext", percent-encoded by resp_flash. */
static void show_flash(struct req *r, struct resp *w, tpl_dict *root)
{
	const char *v = req_cookie(r, "camp_flash");
	if (v == NULL || *v == '\0')
		return;
	struct kvlist l;
	char *q = arena_printf(r->a, "f=%s", v);
	if (parse_urlencoded(r->a, q, strlen(q), NULL, &l) == CAMP_OK && l.n == 1) {
		const char *text = strchr(l.v[0].value, '\n');
		const char *kind = arena_strndup(r->a, l.v[0].value,
		                                 text ? (size_t)(text - l.v[0].value) : 0);
		static const char *kinds[] = { "success", "danger", "warning", "info" };
		int known = 0;
		for (size_t i = 0; i < CAMP_ARRAY_LEN(kinds); i++)
			known |= !strcmp(kind, kinds[i]);
		if (text && known) {
			tpl_dict *f = tpl_add_section(root, "FLASH");
			tpl_set(f, "KIND", kind);
			tpl_set(f, "TEXT", text + 1);
		}
	}
	resp_cookie(r, w, "camp_flash", "", 0);
}

static void render(struct req *r, struct resp *w, struct page *p, const char *layout)
{
	size_t len = 0;
	char *html = tpl_render(layout, p->root, &len);
	if (html == NULL) {
		log_err("page: cannot render %s", layout);
		resp_body(w, 500, "text/plain; charset=utf-8", "内部错误\n", strlen("内部错误\n"));
		return;
	}
	arena_defer(r->a, free, html);
	resp_body(w, w->status ? w->status : 200, "text/html; charset=utf-8", html, len);
}

static const struct {
	const char *section;
	const char *pattern;
	int system;        /* listed under 系统管理 */
} nav[] = {
	{ "NAV_DASHBOARD", "/admin/", 0 },
	{ "NAV_CAMPS", "/admin/camps", 0 },
	{ "NAV_MEMBERS", "/admin/members", 0 },
	{ "NAV_CHECKINS", "/admin/checkins", 0 },
	{ "NAV_REFUNDS_PENDING", "/admin/refunds/pending", 0 },
	{ "NAV_REFUNDS", "/admin/refunds", 0 },
	{ "NAV_PAYMENT_EXCEPTIONS", "/admin/payments/exceptions", 0 },
	{ "NAV_REPORTS", "/admin/reports", 0 },
	{ "NAV_USERS", "/admin/users", 1 },
	{ "NAV_SETTINGS", "/admin/settings", 1 },
	{ "NAV_LOGS", "/admin/logs", 1 },
	/* issue #14 (books) */
	{ "NAV_BOOKS", "/admin/books", 0 },
};

/* The menu is derived from the route table: an entry shows when its page
 * exists and the user's role may open it. */
static void fill_chrome(struct req *r, tpl_dict *root, const char *active)
{
	if (r->user == NULL)
		return;
	tpl_show(root, "CHROME");
	tpl_set(root, "USER_NAME", r->user->username);
	tpl_set(root, "ROLE_LABEL", role_label(r->user->role));
	tpl_set(root, "CSRF", csrf_token(r));
	int system = 0;
	for (size_t i = 0; i < CAMP_ARRAY_LEN(nav); i++) {
		const struct route *rt = router_find_page(nav[i].pattern);
		if (rt == NULL || (rt->roles & r->user->role) == 0)
			continue;
		tpl_show(root, nav[i].section);
		if (active && !strcmp(active, nav[i].pattern))
			tpl_set(root, arena_printf(r->a, "%s_ACTIVE", nav[i].section), "page");
		if (nav[i].system)
			system = 1;
	}
	if (system)
		tpl_show(root, "NAV_SYSTEM");
}

void page_admin(struct req *r, struct resp *w, struct page *p, const char *active)
{
	fill_chrome(r, p->root, active);
	show_flash(r, w, p->root);
	render(r, w, p, "layout_admin.tpl");
}

void page_admin_bare(struct req *r, struct resp *w, struct page *p)
{
	show_flash(r, w, p->root);
	render(r, w, p, "layout_admin.tpl");
}

void page_h5(struct req *r, struct resp *w, struct page *p)
{
	show_flash(r, w, p->root);
	render(r, w, p, "layout_h5.tpl");
}

static const char *status_text(int status)
{
	switch (status) {
	case 400: return "请求无效";
	case 401: return "需要登录";
	case 403: return "禁止访问";
	case 404: return "页面不存在";
	case 405: return "方法不允许";
	case 409: return "状态冲突";
	case 413: return "内容过大";
	case 429: return "请求过于频繁";
	case 503: return "服务暂不可用";
	default: return status >= 500 ? "服务器内部错误" : "出错了";
	}
}

void resp_error(struct req *r, struct resp *w, int status, const char *message)
{
	w->status = status;
	if (w->json) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "error", json_object_new_string(message));
		json_object_object_add(o, "status", json_object_new_int(status));
		resp_json(w, status, o, r->a);
		return;
	}
	int h5 = strncmp(r->path ? r->path : "", "/h5/", 4) == 0;
	struct page *p = page_new(r, status_text(status), h5 ? "h5/error.tpl" : "error.tpl");
	tpl_set_int(p->body, "STATUS", status);
	tpl_set(p->body, "TEXT", status_text(status));
	tpl_set(p->body, "MESSAGE", message);
	if (r->request_id) {
		tpl_dict *d = tpl_add_section(p->body, "REQUEST_ID");
		tpl_set(d, "ID", r->request_id);
	}
	if (h5)
		page_h5(r, w, p);
	else if (r->user)
		page_admin(r, w, p, NULL);
	else
		page_admin_bare(r, w, p);
	w->status = status;
}

void resp_unavailable(struct req *r, struct resp *w)
{
	w->status = 503;
	resp_header(w, "Retry-After", "30");
	if (w->json) {
		resp_json_text(w, 503, "{\"error\":\"服务暂不可用，请稍后再试\",\"status\":503}");
		return;
	}
	size_t len = 0;
	char *html = tpl_render("unavailable.tpl", NULL, &len);
	if (html == NULL) {
		static const char msg[] = "系统维护中，请稍后再试\n";
		resp_body(w, 503, "text/plain; charset=utf-8", msg, sizeof(msg) - 1);
		return;
	}
	arena_defer(r->a, free, html);
	resp_body(w, 503, "text/html; charset=utf-8", html, len);
}

/* --- issue #17: archived camps are read-only --- */
int page_refuse_archived(struct req *r, struct resp *w, long long camp_id, long long member_id)
{
	int archived = camp_archived(r->db, r->a, camp_id, member_id);
	if (archived == 0)
		return 0;
	if (archived < 0)
		resp_unavailable(r, w);
	else
		resp_error(r, w, 409, "该训练营已归档（结束超过 3 个月），只读，不能修改");
	return 1;
}
