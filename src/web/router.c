/* router.c: matching, and the checks no handler may skip (role, CSRF, origin). */
#include "router.h"
#include "camp.h"
#include "clock.h"
#include "db.h"
#include "page.h"
#include "log.h"
#include "session.h"

#include <string.h>

/* Matches one pattern against a path; captures go to r->cap. */
static int match(const char *pat, const char *path, struct req *r)
{
	int ncap = 0;
	const char *caps[4];
	size_t caplen[4];
	while (*pat && *path) {
		if (*pat == '{') {
			const char *end = strchr(pat, '}');
			if (end == NULL)
				return 0;
			size_t n = strcspn(path, "/");
			if (n == 0 || ncap == 4)
				return 0;
			caps[ncap] = path;
			caplen[ncap++] = n;
			pat = end + 1;
			path += n;
			continue;
		}
		if (*pat != *path)
			return 0;
		pat++;
		path++;
	}
	if (*pat != '\0' || *path != '\0')
		return 0;
	for (int i = 0; i < ncap; i++)
		r->cap[i] = arena_strndup(r->a, caps[i], caplen[i]);
	r->ncap = ncap;
	return 1;
}

const struct route *router_match(struct req *r, int *status, unsigned *allowed)
{
	*allowed = 0;
	unsigned m = r->method == M_HEAD ? M_GET : r->method;
	for (size_t i = 0; i < nroutes; i++) {
		if (!match(routes[i].pattern, r->path, r))
			continue;
		*allowed |= routes[i].methods;
		if (routes[i].methods & m)
			return &routes[i];
	}
	*status = *allowed ? 405 : 404;
	return NULL;
}

size_t router_index(const struct route *rt)
{
	return rt ? (size_t)(rt - routes) : nroutes;
}

static int is_loopback(const char *addr)
{
	return addr && (strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0);
}

static void allow_header(struct resp *w, unsigned allowed, arena *a)
{
	resp_header(w, "Allow", arena_printf(a, "%s%s%s",
	            allowed & M_GET ? "GET, HEAD" : "",
	            (allowed & M_GET) && (allowed & M_POST) ? ", " : "",
	            allowed & M_POST ? "POST" : ""));
}

void router_dispatch(struct req *r, struct resp *w)
{
	int status = 404;
	unsigned allowed;
	w->json = req_wants_json(r);
	const struct route *rt = router_match(r, &status, &allowed);
	if (rt == NULL) {
		if (status == 405)
			allow_header(w, allowed, r->a);
		resp_error(r, w, status, status == 405 ? "不支持该请求方法" : "页面不存在");
		return;
	}
	r->route = rt;
	w->json = (rt->flags & RF_JSON) != 0 || req_wants_json(r);
	if ((rt->flags & RF_LOOPBACK) && !is_loopback(r->remote_addr)) {
		resp_error(r, w, 403, "禁止访问");
		return;
	}
	if (!(rt->flags & RF_NO_DB)) {
		if (db_ensure(r->db) != CAMP_OK) {
			resp_unavailable(r, w);
			return;
		}
		clock_refresh(r->db);
		csrf_prepare(r);
		session_load(r);
		log_set_request(r->request_id, r->user ? r->user->id : 0);
	}
	if ((rt->flags & RF_JSON_BODY) && r->method == M_POST &&
	    parse_json_object(r->a, (const char *)r->body, r->body_len, &r->json) != CAMP_OK) {
		resp_error(r, w, 400, "请求体必须是 JSON 对象");
		return;
	}
	if (r->files.n > 0 && !(rt->flags & RF_UPLOAD)) {
		resp_error(r, w, 400, "此处不接受文件上传");
		return;
	}
	if (rt->roles != 0) {
		if (r->user == NULL) {
			if (w->json || r->method != M_GET) {
				resp_error(r, w, 401, "请先登录");
			} else {
				resp_redirect(w, "/admin/login");
			}
			return;
		}
		if ((rt->roles & r->user->role) == 0) {
			log_warn("forbidden: %s %s for role %d", r->method_name, r->path,
			         (int)r->user->role);
			resp_error(r, w, 403, "您的角色无权访问此页面");
			return;
		}
	}
	if ((rt->flags & RF_CSRF) && r->method == M_POST &&
	    csrf_check(r) != CAMP_OK) {
		log_warn("csrf: refused %s %s", r->method_name, r->path);
		resp_error(r, w, 403, "页面已过期或请求来源无效，请刷新页面后重试");
		return;
	}
	rt->fn(r, w);
}

const struct route *router_find_page(const char *pattern)
{
	for (size_t i = 0; i < nroutes; i++)
		if ((routes[i].methods & M_GET) && strcmp(routes[i].pattern, pattern) == 0)
			return &routes[i];
	return NULL;
}
