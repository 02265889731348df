/* session.h: admin sessions (HS256 JWT in a cookie) and CSRF tokens. */
#ifndef CAMP_SESSION_H
#define CAMP_SESSION_H

#include "http.h"

#define SESSION_COOKIE "camp_session"
#define CSRF_COOKIE "camp_csrf"
#define SESSION_TTL (8 * 3600)

/* Derives the JWT and CSRF keys from the master key (once per process). */
int session_init(void);

/* Reads and checks the session cookie: signature, alg, exp, and the user's
 * current epoch, status and role from the database.  Sets r->user or leaves
 * it NULL (a refused token is logged with the reason). */
void session_load(struct req *r);

/* Issues a session cookie for a user who just signed in. */
int session_issue(struct req *r, struct resp *w, long long user_id, int epoch);
void session_clear(struct req *r, struct resp *w);

/* Reads the browser's CSRF cookie into r->csrf_cookie when it is valid; mints
 * nothing.  Called for every request before the handler. */
void csrf_prepare(struct req *r);
/* The value forms carry as _csrf (also left in r->csrf_token), computed on
 * first use.  A browser without a valid cookie gets a new one at that moment
 * (r->csrf_minted: camp-web sends it with the response), so a page without a
 * form sets no cookie and costs no HMAC (issue #18).  NULL without keys. */
const char *csrf_token(struct req *r);
/* CAMP_OK when the request's _csrf matches the cookie and its Origin (when
 * sent) is our own. */
int csrf_check(const struct req *r);
/* The signed-in user typed their password again (payment settings, 取消训练营):
 * *ok = 1 when it is theirs.  CAMP_OK, or CAMP_EDB. */
int session_reauth(struct req *r, const char *password, int *ok);

/* H5 cookies whose value must not be forged (the member's openid, the
 * OAuth state): value "." hex(HMAC(key, name ":" value)). */
const char *h5_cookie_seal(arena *a, const char *name, const char *value);
/* The value of a sealed cookie, or NULL when missing or forged. */
const char *h5_cookie_open(const struct req *r, const char *name);

const char *role_name(enum role role);    /* "admin" */
const char *role_label(enum role role);   /* "超级管理员" */
enum role role_parse(const char *name);   /* ROLE_NONE when unknown */

#endif
