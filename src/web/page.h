/* page.h: page composition — a body template inside the H5 or admin layout. */
#ifndef CAMP_PAGE_H
#define CAMP_PAGE_H

#include "http.h"
#include "tpl.h"

struct page {
	tpl_dict *root;   /* the layout's dictionary (freed with the request) */
	tpl_dict *body;   /* what the handler fills */
	const char *title;
};

/* A page whose body is body_tpl ("admin/camps.tpl"); the body dictionary
 * already carries CSRF (the token forms need). */
struct page *page_new(struct req *r, const char *title, const char *body_tpl);
/* Renders p in the admin layout; nav = the active menu entry's pattern. */
void page_admin(struct req *r, struct resp *w, struct page *p, const char *nav);
/* Renders p in the admin layout without sidebar (sign-in). */
void page_admin_bare(struct req *r, struct resp *w, struct page *p);
void page_h5(struct req *r, struct resp *w, struct page *p);
/* Adds <script src> to the page (static/js only: CSP allows no inline script). */
void page_script(struct page *p, const char *src);

/* The friendly 503 page (database down). */
void resp_unavailable(struct req *r, struct resp *w);

/* --- issue #17 --- A 409 page when the camp (or the member's camp) is
 * archived, a 503 when the database is down; 1 when it answered (stop). */
int page_refuse_archived(struct req *r, struct resp *w, long long camp_id, long long member_id);

/* Sets KEY to the amount in yuan with two decimals ("99.00"). */
void tpl_set_money(tpl_dict *d, const char *key, long long fen);

/* The pager of a list: section PAGES {PAGE, NPAGES, PREV {N}, NEXT {N}} when
 * total rows need more than one page (issue #15). */
void page_pager(tpl_dict *b, long long page, long long total, long per_page);

#endif
