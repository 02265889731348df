/* request.c: turns one FastCGI request into a struct req (bounded, validated). */
#include "request.h"
#include "camp.h"
#include "crypto.h"
#include "log.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* nginx allows 5 MiB (two 2 MiB images plus fields); we refuse more ourselves. */
#define MAX_BODY (5 * 1024 * 1024 + 64 * 1024)

static const char *param(FCGX_Request *f, const char *name)
{
	return FCGX_GetParam(name, f->envp);
}

static enum method parse_method(const char *m)
{
	if (m == NULL)
		return 0;
	if (!strcmp(m, "GET"))
		return M_GET;
	if (!strcmp(m, "POST"))
		return M_POST;
	if (!strcmp(m, "HEAD"))
		return M_HEAD;
	return 0;
}

static int read_body(struct req *r, FCGX_Request *f, int *status)
{
	const char *cl = param(f, "CONTENT_LENGTH");
	long long n = 0;
	if (cl != NULL && *cl != '\0' && parse_i64(cl, 0, (long long)1 << 40, &n) != CAMP_OK) {
		*status = 400;
		return CAMP_EINVAL;
	}
	if (n > MAX_BODY) {
		*status = 413;
		return CAMP_ETOOBIG;
	}
	unsigned char *body = arena_alloc(r->a, (size_t)n + 1);
	size_t got = 0;
	while (got < (size_t)n) {
		int k = FCGX_GetStr((char *)body + got, (int)((size_t)n - got), f->in);
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	if (got != (size_t)n) {
		*status = 400;
		return CAMP_EINVAL;
	}
	body[n] = '\0';
	r->body = body;
	r->body_len = (size_t)n;
	return CAMP_OK;
}

static int starts_ci(const char *s, const char *prefix)
{
	return s != NULL && strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* --- issue #17: every log line of a request carries an id ---
 * nginx passes $request_id; a request that reached the socket another way
 * gets one of ours ("c" + 32 alphanumerics), shown and logged the same way. */
static const char *request_id_of(FCGX_Request *f, arena *a)
{
	const char *id = param(f, "HTTP_X_REQUEST_ID");
	if (id != NULL && *id != '\0')
		return id;
	char *own = arena_alloc(a, 34);
	own[0] = 'c';
	if (crypto_random_alnum(own + 1, 32) != CAMP_OK)
		return NULL;
	return own;
}

int request_build(struct req *r, FCGX_Request *f, int *status)
{
	*status = 400;
	r->envp = f->envp;
	r->request_id = request_id_of(f, r->a);
	log_set_request(r->request_id, 0);
	r->method_name = param(f, "REQUEST_METHOD");
	r->method = parse_method(r->method_name);
	if (r->method == 0) {
		*status = 405;
		return CAMP_EINVAL;
	}
	if (r->method_name == NULL)
		r->method_name = "";
	r->path = param(f, "DOCUMENT_URI");
	if (r->path == NULL || r->path[0] != '/' || !utf8_valid(r->path, strlen(r->path)))
		return CAMP_EINVAL;
	r->query = param(f, "QUERY_STRING");
	if (r->query == NULL)
		r->query = "";
	r->content_type = param(f, "CONTENT_TYPE");
	r->user_agent = param(f, "HTTP_USER_AGENT");
	r->remote_addr = param(f, "REMOTE_ADDR");
	r->origin = param(f, "HTTP_ORIGIN");
	r->host = param(f, "HTTP_HOST");
	r->server_port = param(f, "SERVER_PORT");
	r->accept = param(f, "HTTP_ACCEPT");
	const char *https = param(f, "HTTPS");
	r->https = https != NULL && (!strcasecmp(https, "on") || !strcmp(https, "1"));
	if (r->user_agent == NULL)
		r->user_agent = "";

	int rc = parse_urlencoded(r->a, r->query, strlen(r->query), NULL, &r->q);
	if (rc != CAMP_OK)
		return rc;
	const char *cookie = param(f, "HTTP_COOKIE");
	if (cookie != NULL)
		parse_cookies(r->a, cookie, &r->cookies);   /* junk cookies are skipped */

	if (r->method != M_POST)
		return CAMP_OK;
	rc = read_body(r, f, status);
	if (rc != CAMP_OK)
		return rc;
	*status = 400;
	if (r->body_len == 0)
		return CAMP_OK;
	if (starts_ci(r->content_type, "application/x-www-form-urlencoded")) {
		rc = parse_urlencoded(r->a, (const char *)r->body, r->body_len, NULL, &r->form);
	} else if (starts_ci(r->content_type, "multipart/form-data")) {
		/* files up to 4 MiB get through, so the page can say "不能超过 2MB"
		 * next to the field instead of failing the whole request */
		struct parse_limits lim = parse_default_limits;
		lim.max_file_size = 4 * 1024 * 1024;
		rc = parse_multipart(r->a, r->content_type, r->body, r->body_len, &lim,
		                     &r->form, &r->files);
	} else {
		/* JSON and other bodies stay raw here: the router parses JSON for
		 * routes that take it, and WeChat Pay callbacks are verified over
		 * their exact bytes before anything reads them */
		rc = CAMP_OK;
	}
	if (rc == CAMP_ETOOBIG)
		*status = 413;
	return rc;
}

const char *req_param(const struct req *r, const char *name)
{
	return kv_get(&r->q, name);
}

const char *req_form(const struct req *r, const char *name)
{
	return kv_get(&r->form, name);
}

const char *req_cookie(const struct req *r, const char *name)
{
	return kv_get(&r->cookies, name);
}

const char *req_header(const struct req *r, const char *cgi_name)
{
	return r->envp ? FCGX_GetParam(cgi_name, r->envp) : NULL;
}

const struct upload *req_file(const struct req *r, const char *field)
{
	for (size_t i = 0; i < r->files.n; i++)
		if (!strcmp(r->files.v[i].field, field))
			return &r->files.v[i];
	return NULL;
}

long long req_cap_id(const struct req *r, int i)
{
	long long v;
	if (i >= r->ncap || parse_i64(r->cap[i], 1, (1LL << 53), &v) != CAMP_OK)
		return 0;
	return v;
}

int req_wants_json(const struct req *r)
{
	return r->accept != NULL && strstr(r->accept, "application/json") != NULL &&
	       strstr(r->accept, "text/html") == NULL;
}

int req_is_wechat(const struct req *r)
{
	/* WeCom's browser says MicroMessenger too: test wxwork first */
	if (strstr(r->user_agent, "wxwork") != NULL)
		return 0;
	return strstr(r->user_agent, "MicroMessenger") != NULL;
}

int req_is_mobile(const struct req *r)
{
	static const char *const marks[] = { "Mobile", "Android", "iPhone", "iPad", "iPod",
	                                     "HarmonyOS", "Windows Phone" };
	for (size_t i = 0; i < CAMP_ARRAY_LEN(marks); i++)
		if (strstr(r->user_agent, marks[i]) != NULL)
			return 1;
	return 0;
}
