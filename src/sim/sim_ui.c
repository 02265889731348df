/* sim_ui.c: the simulator's page: orders (with 支付), refunds, messages, check-ins. */
#include "sim.h"
#include "camp.h"
#include "tpl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UI_TOPICS 200

static void money(tpl_dict *d, const char *key, int64_t fen)
{
	char s[32];
	snprintf(s, sizeof(s), "%lld.%02lld", (long long)(fen / 100), (long long)(fen % 100));
	tpl_set(d, key, s);
}

static void fill(tpl_dict *root)
{
	for (size_t i = 0; i < sim.orders.n; i++) {
		struct sim_order *o = &sim.orders.v[i];
		tpl_dict *d = tpl_add_section(root, "ORDER");
		tpl_set(d, "OUT_TRADE_NO", o->out_trade_no);
		tpl_set(d, "TYPE", o->trade_type);
		tpl_set(d, "DESCRIPTION", o->description);
		money(d, "AMOUNT", o->total);
		tpl_set(d, "STATE", o->state);
		if (!strcmp(o->state, "NOTPAY"))
			tpl_show(d, "PAYABLE");
	}
	for (size_t i = 0; i < sim.refunds.n; i++) {
		struct sim_refund *f = &sim.refunds.v[i];
		tpl_dict *d = tpl_add_section(root, "REFUND");
		tpl_set(d, "OUT_REFUND_NO", f->out_refund_no);
		tpl_set(d, "OUT_TRADE_NO", f->out_trade_no);
		money(d, "AMOUNT", f->refund);
		tpl_set(d, "STATUS", f->status);
	}
	for (size_t i = 0; i < sim.msgs.n; i++) {
		struct sim_msg *m = &sim.msgs.v[i];
		tpl_dict *d = tpl_add_section(root, "MSG");
		char at[32];
		sim_fmt_rfc3339(m->at, at, sizeof(at));
		tpl_set(d, "KIND", m->kind);
		tpl_set(d, "TO", m->to);
		tpl_set(d, "CONTENT", m->content);
		tpl_set(d, "AT", at);
	}
	/* the latest check-ins only: a benchmark leaves hundreds of thousands */
	for (size_t i = sim.topics.n > UI_TOPICS ? sim.topics.n - UI_TOPICS : 0; i < sim.topics.n; i++) {
		struct sim_topic *t = &sim.topics.v[i];
		tpl_dict *d = tpl_add_section(root, "CHECKIN");
		char ct[40];
		sim_fmt_zsxq(t->ms, ct, sizeof(ct));
		tpl_set_int(d, "CHECKIN_ID", t->checkin_id);
		tpl_set_int(d, "USER_ID", t->user_id);
		tpl_set(d, "NAME", t->name);
		tpl_set(d, "TIME", ct);
	}
	tpl_set(root, "GROUP_ID", sim.k.group_id);
	tpl_set(root, "MCHID", sim.k.mchid);
}

void sim_ui_handle(struct sim_ctx *c)
{
	if (c->r->method != M_GET && c->r->method != M_HEAD) {
		resp_json_text(c->w, 405, "{\"error\":\"method not allowed\"}");
		return;
	}
	tpl_dict *root = tpl_dict_new();
	if (root == NULL) {
		resp_json_text(c->w, 500, "{\"error\":\"out of memory\"}");
		return;
	}
	fill(root);
	size_t len;
	char *html = tpl_render("index.tpl", root, &len);
	tpl_dict_free(root);
	if (html == NULL) {
		resp_json_text(c->w, 500, "{\"error\":\"template missing (--templates)\"}");
		return;
	}
	char *copy = arena_strndup(c->r->a, html, len);
	free(html);
	resp_body(c->w, 200, "text/html; charset=utf-8", copy, len);
}
