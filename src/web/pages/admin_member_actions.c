/* admin_member_actions.c: POST /admin/members/{id}/bind (手动绑定) and /joined (标记进群); admin and manager. */
#include "pages.h"
#include "audit_req.h"
#include "binding.h"
#include "camp.h"
#include "clock.h"
#include "db.h"
#include "page.h"
#include "text.h"

#include <ctype.h>
#include <string.h>

static struct binding_actor actor_of(const struct req *r)
{
	struct binding_actor who = { r->user->id,
	                             (r->user->role & (ROLE_ADMIN | ROLE_MANAGER)) != 0 };
	return who;
}

static int log_member(struct req *r, const char *type, long long id, const char *desc)
{
	struct audit e;
	audit_from_req(r, &e, type);
	e.target_type = "member";
	e.target_id = id;
	e.desc = desc;
	return audit_log(r->db, r->a, &e);
}

/* A ZSXQ user_id: digits only (spaces around are forgiven). */
static const char *clean_planet_id(arena *a, const char *s)
{
	if (s == NULL)
		return NULL;
	while (*s == ' ')
		s++;
	size_t n = strlen(s);
	while (n > 0 && s[n - 1] == ' ')
		n--;
	if (n == 0 || n > 30)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return NULL;
	return arena_strndup(a, s, n);
}

void page_admin_member_bind(struct req *r, struct resp *w)
{
	long long id = req_cap_id(r, 0);
	const char *back = arena_printf(r->a, "/admin/members/%lld", id);
	if (page_refuse_archived(r, w, 0, id))   /* issue #17 */
		return;
	const char *pid = clean_planet_id(r->a, req_form(r, "planet_user_id"));
	if (pid == NULL) {
		resp_flash(r, w, "danger", "星球ID 应为纯数字（知识星球用户ID）");
		resp_redirect(w, back);
		return;
	}
	const char *reason = text_trim(r->a, req_form(r, "reason"));
	if (text_chars(reason) > 200 || text_has_control(reason, 0)) {
		resp_flash(r, w, "danger", "修改原因最多 200 字，且不能包含控制字符");
		resp_redirect(w, back);
		return;
	}
	if (db_begin(r->db) != CAMP_OK) {
		resp_unavailable(r, w);
		return;
	}
	struct binding_actor who = actor_of(r);
	const char *why = NULL, *was = NULL;
	int rc = binding_manual(r->db, r->a, &who, id, pid, reason, camp_now(), &was, &why);
	if (rc == CAMP_OK)
		rc = log_member(r, "MANUAL_BIND", id, *reason
		                ? arena_printf(r->a, "修改绑定：星球ID %s → %s，原因：%s", was ? was : "无", pid, reason)
		                : arena_printf(r->a, "手动绑定星球ID %s", pid));
	if (rc != CAMP_OK || db_commit(r->db) != CAMP_OK) {
		db_rollback(r->db);
		if (rc == CAMP_ENOTFOUND) {
			resp_error(r, w, 404, "会员不存在");
		} else if (rc == CAMP_EINVAL || rc == CAMP_ECONFLICT) {
			resp_flash(r, w, "danger", why ? why : "无法绑定");
			resp_redirect(w, back);
		} else {
			resp_error(r, w, 500, "绑定失败，请重试");
		}
		return;
	}
	resp_flash(r, w, "success", "已手动绑定");
	resp_redirect(w, back);
}

void page_admin_member_joined(struct req *r, struct resp *w)
{
	long long id = req_cap_id(r, 0);
	if (page_refuse_archived(r, w, 0, id))   /* issue #17 */
		return;
	if (db_begin(r->db) != CAMP_OK) {
		resp_unavailable(r, w);
		return;
	}
	struct binding_actor who = actor_of(r);
	int changed = 0;
	int rc = binding_mark_joined(r->db, r->a, &who, id, camp_now(), &changed);
	if (rc == CAMP_OK && changed)
		rc = log_member(r, "MARK_JOINED", id, "标记进群");
	if (rc != CAMP_OK || db_commit(r->db) != CAMP_OK) {
		db_rollback(r->db);
		if (rc == CAMP_ENOTFOUND)
			resp_error(r, w, 404, "会员不存在");
		else
			resp_error(r, w, 500, "操作失败，请重试");
		return;
	}
	resp_flash(r, w, "success", changed ? "已标记进群" : "该会员已标记进群");
	resp_redirect(w, form_back(r, arena_printf(r->a, "/admin/members/%lld", id)));   /* issue #15 */
}
