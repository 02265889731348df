/* admin_login.c: 登录 — the admin sign-in page. */
#include "pages.h"
#include "page.h"

void page_admin_login(struct req *r, struct resp *w)
{
	if (r->user != NULL) {
		resp_redirect(w, "/admin/");
		return;
	}
	struct page *p = page_new(r, "登录", "admin/login.tpl");
	page_admin_bare(r, w, p);
}
