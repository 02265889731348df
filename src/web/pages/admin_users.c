/* admin_users.c: 用户管理 — the account list. */
#include "pages.h"
#include "camp.h"
#include "page.h"
#include "session.h"
#include "users.h"

#include <string.h>

void page_admin_users(struct req *r, struct resp *w)
{
	struct user *users;
	int n;
	if (user_list(r->db, r->a, &users, &n) != CAMP_OK) {
		resp_unavailable(r, w);
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
