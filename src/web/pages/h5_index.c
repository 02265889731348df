/* h5_index.c: 训练营列表, the member's first page (UI.md step 1). */
#include "pages.h"
#include "camp.h"
#include "camps.h"
#include "clock.h"
#include "page.h"
#include "pagecache.h"

#include <stdio.h>

static void fill_card(struct req *r, tpl_dict *c, const struct camp *k, cday today)
{
	tpl_set_int(c, "ID", k->id);
	tpl_set(c, "NAME", k->name);
	tpl_set(c, "POSTER_URL", k->poster_sha256
	        ? arena_printf(r->a, "/media/%s", k->poster_sha256)
	        : "/static/img/poster-default.svg");
	int ongoing = k->status[0] == 'o';
	int open = camp_enroll_open(k, today);
	tpl_set(c, "STATUS_LABEL", open ? "报名中" : ongoing ? "进行中" : "即将开始");
	tpl_set(c, "STATUS_CLASS", open ? "open" : "running");
	tpl_set_money(c, "DEPOSIT", k->deposit_fen);
	char b1[12], b2[12];
	tpl_set(c, "START_DATE", cday_format(k->start_date, b1, sizeof(b1)));
	tpl_set(c, "END_DATE", cday_format(k->end_date, b2, sizeof(b2)));
	tpl_set(c, "RULE", arena_printf(r->a, "%d天%d打卡", k->total_days, k->required_days));
	tpl_set_int(c, "MEMBER_COUNT", k->paid_members);
	if (k->capacity > 0) {
		long long left = k->capacity - k->paid_members - k->held_seats;
		tpl_set_int(tpl_add_section(c, "SEATS_LEFT"), "N", left > 0 ? left : 0);
	}
	tpl_show(c, open ? "ENROLL_OPEN" : "ENROLL_CLOSED");
}

void page_h5_index(struct req *r, struct resp *w)
{
	/* issue #18: the same page for everyone (with or without 我的训练营), kept until it changes */
	int mine = req_cookie(r, "camp_tickets") != NULL;
	const char *key = mine ? "h5_index mine" : "h5_index";
	unsigned long version;
	if (pagecache_serve(r, w, key, &version))
		return;
	struct camp *camps;
	int n;
	if (camp_list_public(r->db, r->a, &camps, &n) != CAMP_OK) {
		resp_unavailable(r, w);
		return;
	}
	struct page *p = page_new(r, "训练营", "h5/index.tpl");
	time_t now = camp_now();
	cday today = cday_of(now);
	time_t until = pagecache_day_end(now);
	for (int i = 0; i < n; i++) {
		fill_card(r, tpl_add_section(p->body, "CAMP"), &camps[i], today);
		if (camps[i].held_until > now && camps[i].held_until < until)
			until = camps[i].held_until;
	}
	if (n == 0)
		tpl_show(p->body, "EMPTY");
	if (mine)
		tpl_show(p->body, "MINE_LINK");
	page_h5(r, w, p);
	pagecache_store(r, w, key, version, until);
}
