/* admin_login.c: 登录 and 退出 — sign-in with throttling, sign-out revoking every session. */
#include "pages.h"
#include "audit_req.h"
#include "camp.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "page.h"
#include "password.h"
#include "session.h"
#include "users.h"

#include <ctype.h>
#include <string.h>

#define MSG_BAD_LOGIN "用户名或密码错误"
#define MSG_LOCKED "登录失败次数过多，请 15 分钟后再试"

/* Only a path inside the console: no scheme, no "//host", no backslash. */
static const char *safe_next(const char *next)
{
	if (next == NULL || strncmp(next, "/admin/", 7) != 0 || strstr(next, "//") != NULL ||
	    strchr(next, '\\') != NULL || strlen(next) > 500)
		return "/admin/";
	for (const unsigned char *p = (const unsigned char *)next; *p; p++)
		if (*p < 0x21 || *p == 0x7f)
			return "/admin/";
	return next;
}

static void show_form(struct req *r, struct resp *w, int status, const char *username,
                      const char *next, const char *error)
{
	struct page *p = page_new(r, "登录", "admin/login.tpl");
	tpl_set(p->body, "USERNAME", username);
	tpl_set(p->body, "NEXT", safe_next(next));
	if (error != NULL)
		tpl_set(tpl_add_section(p->body, "ERROR"), "MESSAGE", error);
	w->status = status;
	page_admin_bare(r, w, p);
}

void page_admin_login(struct req *r, struct resp *w)
{
	if (r->user != NULL) {
		resp_redirect(w, safe_next(req_param(r, "next")));
		return;
	}
	show_form(r, w, 200, "", req_param(r, "next"), NULL);
}

static char *lower_name(arena *a, const char *s)
{
	char *l = arena_strndup(a, s, strnlen(s, 50));
	for (char *p = l; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return l;
}

/* Runs inside the transaction; *ok set when the user may be signed in. */
static int attempt(struct req *r, const char *username, const char *pw,
                   struct user *u, int *ok, int *locked)
{
	const char *lname = lower_name(r->a, username);
	const char *ip = r->remote_addr ? r->remote_addr : "";
	long long ufails, ipfails;
	*ok = *locked = 0;
	if (login_failures(r->db, r->a, lname, ip, &ufails, &ipfails) != CAMP_OK)
		return CAMP_EDB;
	long long ulimit = config_get_ll(r->db, "security.login_user_limit", 5);
	long long iplimit = config_get_ll(r->db, "security.login_ip_limit", 20);
	*locked = ufails >= ulimit || ipfails >= iplimit;
	int rc = user_find_login(r->db, r->a, username, u);
	if (rc != CAMP_OK && rc != CAMP_ENOTFOUND)
		return rc;
	/* the same yescrypt work whether or not the user exists or is locked */
	int match = password_verify(pw, rc == CAMP_OK ? u->password_hash : NULL);
	*ok = match && !*locked;
	if (login_record(r->db, r->a, lname, ip, *ok) != CAMP_OK)
		return CAMP_EDB;
	if (!*ok)
		return CAMP_OK;
	if (user_mark_login(r->db, r->a, u->id, ip) != CAMP_OK)
		return CAMP_EDB;
	struct audit e;
	audit_from_req(r, &e, "LOGIN");
	e.operator_id = u->id;
	e.operator_name = u->username;
	e.desc = "登录管理后台";
	e.target_type = "user";
	e.target_id = u->id;
	e.target_name = u->username;
	return audit_log(r->db, r->a, &e);
}

void page_admin_login_post(struct req *r, struct resp *w)
{
	const char *username = req_form(r, "username");
	const char *pw = req_form(r, "password");
	const char *next = req_form(r, "next");
	if (username == NULL || *username == '\0' || pw == NULL || *pw == '\0') {
		show_form(r, w, 400, username ? username : "", next, "请输入用户名和密码");
		return;
	}
	if (strlen(username) > 64 || strlen(pw) > 256) {
		show_form(r, w, 400, "", next, MSG_BAD_LOGIN);
		return;
	}
	struct user u;
	int ok = 0, locked = 0;
	if (db_begin(r->db) != CAMP_OK ||
	    attempt(r, username, pw, &u, &ok, &locked) != CAMP_OK ||
	    db_commit(r->db) != CAMP_OK) {
		db_rollback(r->db);
		resp_unavailable(r, w);
		return;
	}
	if (locked) {
		log_warn("login: refused (throttled) for %s", username);
		show_form(r, w, 429, username, next, MSG_LOCKED);
		return;
	}
	if (!ok) {
		show_form(r, w, 401, username, next, MSG_BAD_LOGIN);
		return;
	}
	if (session_issue(r, w, u.id, u.epoch) != CAMP_OK) {
		resp_error(r, w, 500, "无法创建登录会话，请稍后再试");
		return;
	}
	resp_redirect(w, safe_next(next));
}

void page_admin_logout(struct req *r, struct resp *w)
{
	struct audit e;
	audit_from_req(r, &e, "LOGOUT");
	e.desc = "退出登录";
	e.target_type = "user";
	e.target_id = r->user->id;
	e.target_name = r->user->username;
	if (db_begin(r->db) != CAMP_OK ||
	    user_bump_epoch(r->db, r->a, r->user->id) != CAMP_OK ||
	    audit_log(r->db, r->a, &e) != CAMP_OK || db_commit(r->db) != CAMP_OK) {
		db_rollback(r->db);
		resp_unavailable(r, w);
		return;
	}
	session_clear(r, w);
	resp_flash(r, w, "success", "已退出登录");
	resp_redirect(w, "/admin/login");
}
