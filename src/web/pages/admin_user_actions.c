/* admin_user_actions.c: 删除用户 and 重置密码 — one transaction each, audited. */
#include "pages.h"
#include "audit_req.h"
#include "camp.h"
#include "db.h"
#include "page.h"
#include "password.h"
#include "session.h"
#include "users.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

static int load_target(struct req *r, struct resp *w, struct user *u)
{
	long long id = req_cap_id(r, 0);
	int rc = id > 0 ? user_get(r->db, r->a, id, u) : CAMP_ENOTFOUND;
	if (rc == CAMP_ENOTFOUND)
		resp_error(r, w, 404, "用户不存在或已被删除");
	else if (rc != CAMP_OK)
		resp_unavailable(r, w);
	return rc;
}

static int audit_user(struct req *r, const char *type, const struct user *u, const char *desc)
{
	struct audit a;
	audit_from_req(r, &a, type);
	a.target_type = "user";
	a.target_id = u->id;
	a.target_name = u->username;
	a.desc = desc;
	return audit_log(r->db, r->a, &a);
}

void page_admin_user_delete(struct req *r, struct resp *w)
{
	struct user u;
	if (load_target(r, w, &u) != CAMP_OK)
		return;
	const char *why = NULL;
	int rc = db_begin(r->db);
	if (rc == CAMP_OK)
		rc = user_delete_check(r->db, r->a, u.id, r->user->id, &why);
	if (rc == CAMP_OK && why == NULL) {
		rc = user_soft_delete(r->db, r->a, u.id);
		if (rc == CAMP_OK)
			rc = audit_user(r, "DELETE_USER", &u, "删除用户（软删除，会话全部失效）");
	}
	if (rc != CAMP_OK || why != NULL || db_commit(r->db) != CAMP_OK) {
		db_rollback(r->db);
		if (why != NULL) {
			resp_error(r, w, 409, why);
			return;
		}
		if (rc == CAMP_ENOTFOUND)
			resp_error(r, w, 404, "用户不存在或已被删除");
		else
			resp_unavailable(r, w);
		return;
	}
	resp_flash(r, w, "success", arena_printf(r->a, "已删除用户 %s", u.username));
	resp_redirect(w, "/admin/users");
}

static void free_secret(void *p)
{
	OPENSSL_cleanse(p, strlen(p));
}

void page_admin_user_reset_password(struct req *r, struct resp *w)
{
	struct user u;
	if (load_target(r, w, &u) != CAMP_OK)
		return;
	char *pw = arena_alloc(r->a, 32);
	arena_defer(r->a, free_secret, pw);
	char *hash = password_generate(pw, 32) == CAMP_OK ? password_hash(pw) : NULL;
	if (hash == NULL) {
		resp_error(r, w, 500, "无法生成新密码，请稍后再试");
		return;
	}
	int rc = db_begin(r->db);
	if (rc == CAMP_OK)
		rc = user_set_password(r->db, r->a, u.id, hash);
	free(hash);
	if (rc == CAMP_OK)
		rc = audit_user(r, "RESET_PASSWORD", &u, "重置密码（生成随机密码，会话全部失效）");
	if (rc != CAMP_OK || db_commit(r->db) != CAMP_OK) {
		db_rollback(r->db);
		if (rc == CAMP_ENOTFOUND)
			resp_error(r, w, 404, "用户不存在或已被删除");
		else
			resp_unavailable(r, w);
		return;
	}
	/* resetting one's own password keeps this browser signed in */
	if (u.id == r->user->id && user_get(r->db, r->a, u.id, &u) == CAMP_OK)
		session_issue(r, w, u.id, u.epoch);
	struct page *p = page_new(r, "密码已重置", "admin/user_password.tpl");
	tpl_set(p->body, "USERNAME", u.username);
	tpl_set(p->body, "PASSWORD", pw);
	page_admin(r, w, p, "/admin/users");
}
