/* session.c: JWT sessions with a per-user epoch, and double-submit CSRF tokens. */
#include "session.h"
#include "camp.h"
#include "clock.h"
#include "crypto.h"
#include "db.h"
#include "log.h"
#include "password.h"
#include "secret.h"
#include "users.h"

#include <jwt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static unsigned char jwt_key[32];
static unsigned char csrf_key[32];
static unsigned char h5_key[32];
static int keys_ready;

int session_init(void)
{
	if (secret_derive("camp-jwt-v1", jwt_key) != CAMP_OK ||
	    secret_derive("camp-csrf-v1", csrf_key) != CAMP_OK ||
	    secret_derive("camp-h5-cookie-v1", h5_key) != CAMP_OK)
		return CAMP_ECRYPTO;
	keys_ready = 1;
	return CAMP_OK;
}

static const struct {
	enum role role;
	const char *name;
	const char *label;
} roles[] = {
	{ ROLE_ADMIN, "admin", "超级管理员" },
	{ ROLE_MANAGER, "manager", "管理员" },
	{ ROLE_COACH, "coach", "教练" },
	{ ROLE_VOLUNTEER, "volunteer", "志愿者" },
};

const char *role_name(enum role role)
{
	for (size_t i = 0; i < CAMP_ARRAY_LEN(roles); i++)
		if (roles[i].role == role)
			return roles[i].name;
	return "";
}

const char *role_label(enum role role)
{
	for (size_t i = 0; i < CAMP_ARRAY_LEN(roles); i++)
		if (roles[i].role == role)
			return roles[i].label;
	return "";
}

enum role role_parse(const char *name)
{
	for (size_t i = 0; name && i < CAMP_ARRAY_LEN(roles); i++)
		if (strcmp(roles[i].name, name) == 0)
			return roles[i].role;
	return ROLE_NONE;
}

static const struct db_stmt q_session_user = DB_STMT(
	"SELECT id, username, role, session_epoch FROM system_user"
	" WHERE id = $1 AND status = 'active' AND deleted_at IS NULL");

void session_load(struct req *r)
{
	r->user = NULL;
	const char *tok = req_cookie(r, SESSION_COOKIE);
	if (tok == NULL || *tok == '\0' || !keys_ready)
		return;
	jwt_t *jwt = NULL;
	const char *why = NULL;
	if (jwt_decode(&jwt, tok, jwt_key, sizeof(jwt_key)) != 0 || jwt == NULL) {
		why = "bad signature or malformed";
		goto out;
	}
	/* libjwt 1.10 has no validator: the algorithm and expiry are ours to check */
	if (jwt_get_alg(jwt) != JWT_ALG_HS256) {
		why = "unexpected alg";
		goto out;
	}
	long exp = jwt_get_grant_int(jwt, "exp");
	long uid = jwt_get_grant_int(jwt, "uid");
	long epoch = jwt_get_grant_int(jwt, "epoch");
	if (exp <= 0 || (time_t)exp <= camp_now()) {
		why = "expired";
		goto out;
	}
	if (uid <= 0) {
		why = "no user";
		goto out;
	}
	const char *p[] = { arena_i64(r->a, uid) };
	PGresult *res = db_q(r->db, r->a, &q_session_user, 1, p);
	if (res == NULL || PQntuples(res) != 1) {
		why = "user gone or disabled";
		goto out;
	}
	if (db_get_ll(res, 0, "session_epoch", -1) != epoch) {
		why = "revoked (epoch changed)";
		goto out;
	}
	struct session_user *u = arena_alloc(r->a, sizeof(*u));
	u->id = uid;
	u->username = arena_strdup(r->a, db_get(res, 0, "username"));
	u->role = role_parse(db_get(res, 0, "role"));
	u->epoch = (int)epoch;
	if (u->role != ROLE_NONE)
		r->user = u;
out:
	if (why != NULL)
		log_warn("session: token refused: %s", why);
	jwt_free(jwt);
}

int session_issue(struct req *r, struct resp *w, long long user_id, int epoch)
{
	jwt_t *jwt = NULL;
	char *tok = NULL;
	int rc = CAMP_ERR;
	time_t now = camp_now();
	if (!keys_ready || jwt_new(&jwt) != 0)
		goto out;
	if (jwt_add_grant_int(jwt, "uid", (long)user_id) != 0 ||
	    jwt_add_grant_int(jwt, "epoch", epoch) != 0 ||
	    jwt_add_grant_int(jwt, "iat", (long)now) != 0 ||
	    jwt_add_grant_int(jwt, "exp", (long)(now + SESSION_TTL)) != 0 ||
	    jwt_set_alg(jwt, JWT_ALG_HS256, jwt_key, sizeof(jwt_key)) != 0)
		goto out;
	tok = jwt_encode_str(jwt);
	if (tok == NULL)
		goto out;
	resp_cookie(r, w, SESSION_COOKIE, arena_strdup(r->a, tok), SESSION_TTL);
	rc = CAMP_OK;
out:
	free(tok);
	jwt_free(jwt);
	return rc;
}

void session_clear(struct req *r, struct resp *w)
{
	resp_cookie(r, w, SESSION_COOKIE, "", 0);
}

/* token = hex(HMAC(csrf_key, cookie)): a page from another origin can
 * neither read the cookie nor compute the token. */
static const char *csrf_token_for(arena *a, const char *cookie)
{
	unsigned char mac[32];
	if (crypto_hmac_sha256(csrf_key, sizeof(csrf_key), cookie, strlen(cookie), mac) != CAMP_OK)
		return NULL;
	char *hex = arena_alloc(a, 65);
	crypto_hex(mac, 32, hex);
	return hex;
}

static int valid_csrf_cookie(const char *c)
{
	if (c == NULL || strlen(c) != 32)
		return 0;
	for (const char *p = c; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return 0;
	return 1;
}

void csrf_prepare(struct req *r)
{
	const char *c = req_cookie(r, CSRF_COOKIE);
	r->csrf_cookie = valid_csrf_cookie(c) ? c : NULL;
	r->csrf_token = NULL;
	r->csrf_minted = 0;
}

const char *csrf_token(struct req *r)
{
	if (r->csrf_token != NULL || !keys_ready)
		return r->csrf_token;
	if (r->csrf_cookie == NULL) {
		unsigned char raw[16];
		char *hex = arena_alloc(r->a, 33);
		if (crypto_random(raw, sizeof(raw)) != CAMP_OK)
			return NULL;
		crypto_hex(raw, sizeof(raw), hex);
		r->csrf_cookie = hex;
		r->csrf_minted = 1;
	}
	r->csrf_token = csrf_token_for(r->a, r->csrf_cookie);
	return r->csrf_token;
}

/* Origin "scheme://host[:port]" against the request's own host and the
 * port it arrived on (nginx passes SERVER_PORT; Host may lack the port). */
static int same_origin(const struct req *r)
{
	if (r->origin == NULL || *r->origin == '\0')
		return 1;   /* Referrer-Policy same-origin: browsers send it; tools may not */
	const char *o = r->origin;
	int https;
	if (strncmp(o, "https://", 8) == 0) {
		https = 1;
		o += 8;
	} else if (strncmp(o, "http://", 7) == 0) {
		https = 0;
		o += 7;
	} else {
		return 0;        /* "null" and anything odd */
	}
	if (r->host == NULL || r->server_port == NULL)
		return 0;
	size_t ohost = strcspn(o, ":/");
	const char *oport = o[ohost] == ':' ? o + ohost + 1 : (https ? "443" : "80");
	size_t hhost = strcspn(r->host, ":");
	if (ohost != hhost || strncasecmp(o, r->host, ohost) != 0)
		return 0;
	if (strcspn(oport, "/") != strlen(r->server_port) ||
	    strncmp(oport, r->server_port, strlen(r->server_port)) != 0)
		return 0;
	return https == r->https;
}

int csrf_check(const struct req *r)
{
	const char *c = req_cookie(r, CSRF_COOKIE);
	const char *sent = req_form(r, "_csrf");
	if (!valid_csrf_cookie(c) || sent == NULL || strlen(sent) != 64 || !keys_ready)
		return CAMP_ECONFLICT;
	const char *want = csrf_token_for(r->a, c);
	if (want == NULL || !crypto_equal(want, sent, 64))
		return CAMP_ECONFLICT;
	if (!same_origin(r)) {
		log_warn("csrf: origin %s is not this site (host %s, port %s)", r->origin,
		         r->host ? r->host : "(none)", r->server_port ? r->server_port : "(none)");
		return CAMP_ECONFLICT;
	}
	return CAMP_OK;
}

static const char *h5_mac(arena *a, const char *name, const char *value)
{
	const char *msg = arena_printf(a, "%s:%s", name, value);
	unsigned char mac[32];
	if (crypto_hmac_sha256(h5_key, sizeof(h5_key), msg, strlen(msg), mac) != CAMP_OK)
		return NULL;
	char *hex = arena_alloc(a, 65);
	crypto_hex(mac, 32, hex);
	return hex;
}

const char *h5_cookie_seal(arena *a, const char *name, const char *value)
{
	const char *mac = keys_ready ? h5_mac(a, name, value) : NULL;
	return mac ? arena_printf(a, "%s.%s", value, mac) : NULL;
}

const char *h5_cookie_open(const struct req *r, const char *name)
{
	const char *c = req_cookie(r, name);
	const char *dot = c ? strrchr(c, '.') : NULL;
	if (dot == NULL || strlen(dot + 1) != 64 || !keys_ready)
		return NULL;
	const char *value = arena_strndup(r->a, c, (size_t)(dot - c));
	const char *want = h5_mac(r->a, name, value);
	if (want == NULL || !crypto_equal(want, dot + 1, 64))
		return NULL;
	return value;
}

int session_reauth(struct req *r, const char *password, int *ok)
{
	*ok = 0;
	if (r->user == NULL || password == NULL || *password == '\0')
		return CAMP_OK;
	struct user u;
	int rc = user_find_login(r->db, r->a, r->user->username, &u);
	if (rc != CAMP_OK && rc != CAMP_ENOTFOUND)
		return CAMP_EDB;
	/* an unknown user still costs one hash, like a wrong password */
	*ok = password_verify(password, rc == CAMP_OK ? u.password_hash : NULL);
	return CAMP_OK;
}
