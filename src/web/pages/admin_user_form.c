/* admin_user_form.c: 添加用户 / 编辑用户 — validate, save, audit in one transaction. */
#include "pages.h"
#include "audit_req.h"
#include "camp.h"
#include "db.h"
#include "page.h"
#include "session.h"
#include "users.h"

#include <string.h>

static const char *const role_values[] = { "admin", "manager", "coach", "volunteer" };

static void fill_select(tpl_dict *b, const char *section, const char *const *values,
                        const char *const *labels, size_t n, const char *current)
{
	for (size_t i = 0; i < n; i++) {
		tpl_dict *o = tpl_add_section(b, section);
		tpl_set(o, "VALUE", values[i]);
		tpl_set(o, "LABEL", labels[i]);
		if (current && !strcmp(current, values[i]))
			tpl_show(o, "SEL");
	}
}

static void field_error(tpl_dict *b, tpl_dict *summary, const char *section, const char *msg)
{
	if (msg == NULL)
		return;
	tpl_set(tpl_add_section(b, section), "TEXT", msg);
	if (summary)
		tpl_set(tpl_add_section(summary, "ITEM"), "TEXT", msg);
}

static void show_form(struct req *r, struct resp *w, long long id,
                      const struct user_input *in, const struct user_errors *e)
{
	struct page *p = page_new(r, id ? "编辑用户" : "添加用户", "admin/user_form.tpl");
	tpl_dict *b = p->body;
	tpl_set(b, "HEADING", id ? "编辑用户" : "添加用户");
	tpl_set(b, "ACTION", id ? arena_printf(r->a, "/admin/users/%lld/edit", id)
	                        : "/admin/users/new");
	tpl_show(b, id ? "EDIT" : "CREATE");
	tpl_set(b, "USERNAME", in->username);
	tpl_set(b, "REAL_NAME", in->real_name);
	tpl_set(b, "WECOM_USERID", in->wecom_userid);
	const char *role_labels[] = { role_label(ROLE_ADMIN), role_label(ROLE_MANAGER),
	                              role_label(ROLE_COACH), role_label(ROLE_VOLUNTEER) };
	fill_select(b, "ROLE", role_values, role_labels, 4, in->role);
	const char *const sv[] = { "active", "disabled" }, *const sl[] = { "启用", "禁用" };
	fill_select(b, "STATUS", sv, sl, 2, in->status);
	if (e != NULL && e->n > 0) {
		tpl_dict *s = e->n > 1 ? tpl_add_section(b, "SUMMARY") : NULL;
		if (s)
			tpl_set_int(s, "COUNT", e->n);
		field_error(b, s, "USERNAME_ERR", e->username);
		field_error(b, s, "PASSWORD_ERR", e->password);
		field_error(b, s, "REAL_NAME_ERR", e->real_name);
		field_error(b, s, "ROLE_ERR", e->role);
		field_error(b, s, "STATUS_ERR", e->status);
		field_error(b, s, "WECOM_USERID_ERR", e->wecom_userid);
		w->status = 422;
	}
	page_admin(r, w, p, "/admin/users");
}

static void read_input(struct req *r, struct user_input *in)
{
	in->username = req_form(r, "username");
	in->password = req_form(r, "password");
	in->role = req_form(r, "role");
	in->status = req_form(r, "status");
	in->wecom_userid = req_form(r, "wecom_userid");
	in->real_name = req_form(r, "real_name");
}

/* Validates and writes in one transaction; CAMP_EINVAL leaves e filled. */
static int save(struct req *r, long long id, struct user_input *in, struct user_errors *e,
                long long *new_id)
{
	if (db_begin(r->db) != CAMP_OK)
		return CAMP_EDB;
	int rc = user_validate(r->db, r->a, id, r->user->id, in, e);
	if (rc == CAMP_OK)
		rc = id ? user_update(r->db, r->a, id, in) : user_create(r->db, r->a, in, new_id);
	if (rc == CAMP_ECONFLICT) {   /* a concurrent create took the name */
		memset(e, 0, sizeof(*e));
		e->username = "该用户名已被使用";
		e->n = 1;
		rc = CAMP_EINVAL;
	}
	if (rc == CAMP_OK) {
		struct audit a;
		audit_from_req(r, &a, id ? "UPDATE_USER" : "CREATE_USER");
		a.target_type = "user";
		a.target_id = id ? id : *new_id;
		a.target_name = in->username;
		a.desc = arena_printf(r->a, "%s用户（角色 %s，状态 %s）", id ? "修改" : "创建",
		                      role_label(role_parse(in->role)),
		                      user_status_label(in->status));
		rc = audit_log(r->db, r->a, &a);
	}
	if (rc != CAMP_OK || db_commit(r->db) != CAMP_OK) {
		db_rollback(r->db);
		return rc == CAMP_OK ? CAMP_EDB : rc;
	}
	return CAMP_OK;
}

static void handle(struct req *r, struct resp *w, long long id)
{
	struct user cur;
	if (id != 0) {
		int rc = user_get(r->db, r->a, id, &cur);
		if (rc != CAMP_OK) {
			if (rc == CAMP_ENOTFOUND)
				resp_error(r, w, 404, "用户不存在或已被删除");
			else
				resp_unavailable(r, w);
			return;
		}
	}
	struct user_input in = { 0 };
	if (r->method != M_POST) {
		if (id != 0) {
			in = (struct user_input){ cur.username, NULL, cur.role, cur.status,
			                          cur.wecom_userid, cur.real_name };
		} else {
			in.role = "volunteer";
			in.status = "active";
		}
		show_form(r, w, id, &in, NULL);
		return;
	}
	read_input(r, &in);
	if (id != 0)
		in.username = cur.username;
	struct user_errors e;
	long long new_id = 0;
	int rc = save(r, id, &in, &e, &new_id);
	if (rc == CAMP_EINVAL) {
		show_form(r, w, id, &in, &e);
		return;
	}
	if (rc == CAMP_ENOTFOUND) {
		resp_error(r, w, 404, "用户不存在或已被删除");
		return;
	}
	if (rc != CAMP_OK) {
		resp_unavailable(r, w);
		return;
	}
	resp_flash(r, w, "success", id ? "已保存" : "用户已创建");
	resp_redirect(w, "/admin/users");
}

void page_admin_user_new(struct req *r, struct resp *w)
{
	handle(r, w, 0);
}

void page_admin_user_edit(struct req *r, struct resp *w)
{
	long long id = req_cap_id(r, 0);
	if (id <= 0) {
		resp_error(r, w, 404, "用户不存在");
		return;
	}
	handle(r, w, id);
}
