/* http.h: the request and response of one FastCGI exchange, as handlers see them. */
#ifndef CAMP_HTTP_H
#define CAMP_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "buf.h"
#include "parse.h"

struct db;
struct route;
struct json_object;

enum role {
	ROLE_NONE = 0,
	ROLE_ADMIN = 1 << 0,      /* 超级管理员 */
	ROLE_MANAGER = 1 << 1,    /* 管理员 */
	ROLE_COACH = 1 << 2,      /* 教练 */
	ROLE_VOLUNTEER = 1 << 3,  /* 志愿者 */
};
#define ROLE_STAFF (ROLE_ADMIN | ROLE_MANAGER | ROLE_COACH | ROLE_VOLUNTEER)

/* The signed-in admin console user (NULL on anonymous requests). */
struct session_user {
	long long id;
	const char *username;
	enum role role;
	int epoch;
};

enum method { M_GET = 1, M_POST = 2, M_HEAD = 4 };

struct req {
	arena *a;
	struct db *db;
	enum method method;
	const char *method_name;
	const char *path;          /* decoded path (nginx $document_uri) */
	const char *query;         /* raw query string, "" when none */
	const char *content_type;
	const char *user_agent;
	const char *remote_addr;
	const char *request_id;
	const char *origin;        /* Origin header or NULL */
	const char *host;
	const char *server_port;   /* the port nginx received the request on */
	const char *accept;
	int https;
	const unsigned char *body;
	size_t body_len;
	struct kvlist q;           /* query parameters */
	struct kvlist form;        /* urlencoded or multipart text fields */
	struct uploads files;
	struct kvlist cookies;
	struct json_object *json;  /* JSON body, when the route takes JSON */
	const char *cap[4];        /* the {…} segments captured by the route, in order */
	int ncap;
	const struct route *route;
	struct session_user *user;
	const char *csrf_token;    /* the token forms carry: csrf_token(r), computed on first use */
	char **envp;               /* every FastCGI parameter (req_header reads it) */
	/* --- issue #18: the CSRF cookie is minted only for a response that carries a form --- */
	const char *csrf_cookie;   /* the browser's valid CSRF cookie, or the one minted for it */
	int csrf_minted;           /* 1: csrf_cookie is new; serve() sends it with Set-Cookie */
};

struct header {
	const char *name;
	const char *value;
};

enum cache_policy {
	CACHE_NONE = 0,    /* no-store: every dynamic page (may hold private data) */
	CACHE_IMMUTABLE,   /* content-addressed: /media/{sha256} */
	CACHE_SHORT,       /* public lists, 60 s */
};

#define RESP_MAX_HEADERS 16

struct resp {
	int status;
	const char *content_type;
	struct header h[RESP_MAX_HEADERS];
	int nh;
	enum cache_policy cache;
	const char *body;          /* arena or static memory */
	size_t len;
	int json;                  /* errors become JSON */
};

/* ---- request helpers --------------------------------------------------- */
const char *req_param(const struct req *r, const char *name);  /* query string */
const char *req_form(const struct req *r, const char *name);   /* body field */
const char *req_cookie(const struct req *r, const char *name);
/* A request header by its CGI name ("HTTP_WECHATPAY_SERIAL"), or NULL. */
const char *req_header(const struct req *r, const char *cgi_name);
const struct upload *req_file(const struct req *r, const char *field);
/* The capture {id} as a positive integer, or 0 when not one. */
long long req_cap_id(const struct req *r, int i);
int req_wants_json(const struct req *r);
int req_is_wechat(const struct req *r);   /* MicroMessenger and not wxwork */
/* issue #16: a phone or tablet browser (WeChat Pay H5 outside WeChat; desktops scan a Native QR) */
int req_is_mobile(const struct req *r);

/* ---- response helpers -------------------------------------------------- */
void resp_header(struct resp *w, const char *name, const char *value);
void resp_body(struct resp *w, int status, const char *ctype, const char *body, size_t len);
void resp_json(struct resp *w, int status, struct json_object *o, arena *a);
void resp_json_text(struct resp *w, int status, const char *json);
void resp_redirect(struct resp *w, const char *location);    /* 303 See Other */
/* Sets a cookie: Path=/, HttpOnly, SameSite=Lax; Secure over HTTPS.
 * max_age < 0 = session cookie, 0 = delete. */
void resp_cookie(struct req *r, struct resp *w, const char *name,
                 const char *value, long max_age);
/* A one-shot message shown on the next page ("已保存"). kind: success|danger|warning|info */
void resp_flash(struct req *r, struct resp *w, const char *kind, const char *text);

/* The one error page: HTML in the H5 or admin chrome, or JSON for JSON
 * routes and clients that ask for it.  message is Chinese and for people. */
void resp_error(struct req *r, struct resp *w, int status, const char *message);

#endif
