/* admin_users.c: 用户管理 — the account list. */
#include "pages.h"
#include "camp.h"
#include "export.h"
#include "page.h"
#include "session.h"
#include "users.h"

#include <string.h>

static const struct xcol user_cols[] = {
	{ "ID", XC_INT, 6 }, { "用户名", XC_TEXT, 16 }, { "姓名", XC_TEXT, 12 }, { "角色", XC_TEXT, 12 },
	{ "企业微信 userid", XC_TEXT, 18 }, { "创建时间", XC_TEXT, 17 }, { "最后登录时间", XC_TEXT, 17 },
	{ "状态", XC_TEXT, 8 },
};

/* issue #15: every list exports */
static void export_rows(struct req *r, struct resp *w, enum export_format fmt,
                        const struct user *users, int n)
{
	struct xtable *t = xtable_new(r->a, "用户", user_cols, (int)CAMP_ARRAY_LEN(user_cols));
	for (int i = 0; i < n; i++) {
		xtable_int(t, users[i].id);
		xtable_text(t, users[i].username);
		xtable_text(t, users[i].real_name);
		xtable_text(t, role_label(role_parse(users[i].role)));
		xtable_text(t, users[i].wecom_userid);
		xtable_text(t, users[i].created);
		xtable_text(t, users[i].last_login);
		xtable_text(t, user_status_label(users[i].status));
	}
	export_send(r, w, t, fmt, "users");
}

void page_admin_users(struct req *r, struct resp *w)
{
	struct user *users;
	int n;
	if (user_list(r->db, r->a, &users, &n) != CAMP_OK) {
		resp_unavailable(r, w);
		return;
	}
	enum export_format fmt = export_requested(r);
	if (fmt) {
		export_rows(r, w, fmt, users, n);
		return;
	}
	struct page *p = page_new(r, "用户管理", "admin/users.tpl");
	page_script(p, "/static/js/confirm.js");
	for (int i = 0; i < n; i++) {
		const struct user *u = &users[i];
		tpl_dict *d = tpl_add_section(p->body, "USER");
		tpl_set_int(d, "ID", u->id);
		tpl_set(d, "USERNAME", u->username);
		tpl_set(d, "REAL_NAME", u->real_name);
		tpl_set(d, "ROLE_LABEL", role_label(role_parse(u->role)));
		tpl_set(d, "CREATED", u->created);
		tpl_set(d, "LAST_LOGIN", u->last_login ? u->last_login : "从未登录");
		tpl_set(d, "STATUS_LABEL", user_status_label(u->status));
		tpl_show(d, strcmp(u->status, "active") == 0 ? "ACTIVE" : "DISABLED");
		tpl_set(d, "CSRF", csrf_token(r));
		if (u->id == r->user->id)
			tpl_show(d, "SELF");
		else
			tpl_show(d, "CAN_DELETE");
	}
	page_admin(r, w, p, "/admin/users");
}
