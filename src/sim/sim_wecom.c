/* sim_wecom.c: WeCom: gettoken, app messages, group robots, external-pay bills. */
#include "sim.h"
#include "buf.h"
#include "camp.h"
#include "crypto.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN_LIFE_S 7200
#define ROBOT_PER_MIN 20

static void errcode(struct sim_ctx *c, int code, const char *msg)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "errcode", json_object_new_int(code));
	json_object_object_add(o, "errmsg", json_object_new_string(msg));
	sim_json_reply(c, 200, o);
}

static void gettoken(struct sim_ctx *c)
{
	const char *corp = req_param(c->r, "corpid"), *secret = req_param(c->r, "corpsecret");
	if (corp == NULL || strcmp(corp, sim.k.corp_id)) {
		errcode(c, 40013, "invalid corpid");
		return;
	}
	int ext = secret && !strcmp(secret, sim.k.externalpay_secret);
	if (!ext && (secret == NULL || strcmp(secret, sim.k.corp_secret))) {
		errcode(c, 40001, "invalid credential");
		return;
	}
	struct sim_token *t = SIM_PUSH(&sim.tokens);
	crypto_random_alnum(t->token, 64);
	t->externalpay = ext;
	t->expires = time(NULL) + TOKEN_LIFE_S;
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "errcode", json_object_new_int(0));
	json_object_object_add(o, "errmsg", json_object_new_string("ok"));
	json_object_object_add(o, "access_token", json_object_new_string(t->token));
	json_object_object_add(o, "expires_in", json_object_new_int(TOKEN_LIFE_S));
	sim_json_reply(c, 200, o);
}

/* NULL after answering the error itself. */
static struct sim_token *token(struct sim_ctx *c)
{
	const char *tok = req_param(c->r, "access_token");
	if (tok == NULL || !*tok) {
		errcode(c, 41001, "access_token missing");
		return NULL;
	}
	for (size_t i = 0; i < sim.tokens.n; i++) {
		struct sim_token *t = &sim.tokens.v[i];
		if (strcmp(t->token, tok))
			continue;
		if (time(NULL) >= t->expires) {
			errcode(c, 42001, "access_token expired");
			return NULL;
		}
		return t;
	}
	errcode(c, 40014, "invalid access_token");
	return NULL;
}

static void record(const char *kind, const char *to, const char *content)
{
	struct sim_msg *m = SIM_PUSH(&sim.msgs);
	snprintf(m->kind, sizeof(m->kind), "%s", kind);
	m->to = sim_strdup(to);
	m->content = sim_strdup(content);
	m->at = time(NULL);
}

static int listed(const void *vec, const char *user);

static void message_send(struct sim_ctx *c)
{
	if (token(c) == NULL)
		return;
	struct json_object *o = sim_body_json(c), *text;
	const char *to = sim_jstr(o, "touser");
	int64_t agent = 0;
	if (o == NULL || to == NULL || !*to) {
		errcode(c, 40035, "invalid parameter: touser");
		return;
	}
	if (sim_jint(o, "agentid", &agent) != CAMP_OK ||
	    agent != (int64_t)strtoll(sim.k.agent_id, NULL, 10)) {
		errcode(c, 40056, "invalid agentid");
		return;
	}
	const char *content = json_object_object_get_ex(o, "text", &text) ?
	                      sim_jstr(text, "content") : NULL;
	if (content == NULL || !*content) {
		errcode(c, 44004, "empty content");
		return;
	}
	if (strlen(content) > 2048) {
		errcode(c, 45002, "content size out of limit");
		return;
	}
	/* PROTOCOLS §3: recipients WeCom does not know (invaliduser) or that
	 * have no license (unlicenseduser) get nothing — with errcode 0 unless
	 * nobody is left (81013) */
	struct buf bad = BUF_INIT, unlicensed = BUF_INIT, good = BUF_INIT;
	char *list = sim_strdup(to), *save = NULL;
	for (char *u = strtok_r(list, "|", &save); u; u = strtok_r(NULL, "|", &save)) {
		struct buf *b = listed(&sim.invalid_users, u) ? &bad
		                : listed(&sim.unlicensed_users, u) ? &unlicensed : &good;
		buf_printf(b, "%s%s", b->len ? "|" : "", u);
	}
	free(list);
	struct json_object *r = json_object_new_object();
	int none = good.len == 0 && unlicensed.len == 0;
	json_object_object_add(r, "errcode", json_object_new_int(none ? 81013 : 0));
	json_object_object_add(r, "errmsg", json_object_new_string(none ? "user & party & tag all invalid" : "ok"));
	json_object_object_add(r, "invaliduser", json_object_new_string(bad.len ? bad.s : ""));
	if (unlicensed.len)
		json_object_object_add(r, "unlicenseduser", json_object_new_string(unlicensed.s));
	if (!none) {
		char id[33];
		crypto_random_alnum(id, 32);
		json_object_object_add(r, "msgid", json_object_new_string(id));
	}
	if (good.len)
		record("app", good.s, content);
	buf_free(&bad);
	buf_free(&unlicensed);
	buf_free(&good);
	sim_json_reply(c, 200, r);
}

static int listed(const void *vec, const char *user)
{
	const struct { char **v; size_t n, cap; } *l = vec;
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], user))
			return 1;
	return 0;
}

static int set_list(void *vec, struct json_object *o, const char *key)
{
	struct { char **v; size_t n, cap; } *l = vec;
	struct json_object *arr;
	if (!json_object_object_get_ex(o, key, &arr))
		return CAMP_OK;            /* not given: unchanged */
	if (!json_object_is_type(arr, json_type_array))
		return CAMP_EINVAL;
	for (size_t i = 0; i < json_object_array_length(arr); i++)
		if (!json_object_is_type(json_object_array_get_idx(arr, i), json_type_string))
			return CAMP_EINVAL;
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	l->n = 0;
	for (size_t i = 0; i < json_object_array_length(arr); i++)
		*(char **)sim_vec_push(l, sizeof(char *)) =
			sim_strdup(json_object_get_string(json_object_array_get_idx(arr, i)));
	return CAMP_OK;
}

/* POST /sim/wecom/users {"invaliduser": [...], "unlicenseduser": [...]}: which
 * userids message/send refuses from now on (each list replaced when given). */
void sim_wecom_users(struct sim_ctx *c)
{
	struct json_object *o = sim_body_json(c);
	if (o == NULL || set_list(&sim.invalid_users, o, "invaliduser") != CAMP_OK ||
	    set_list(&sim.unlicensed_users, o, "unlicenseduser") != CAMP_OK) {
		resp_json_text(c->w, 400, "{\"error\":\"invaliduser and unlicenseduser: arrays of userids\"}");
		return;
	}
	resp_json_text(c->w, 200, "{\"ok\":true}");
}

static void webhook_send(struct sim_ctx *c)
{
	const char *key = req_param(c->r, "key");
	struct json_object *o = sim_body_json(c), *body;
	if (key == NULL || !*key) {
		errcode(c, 93000, "invalid webhook url");
		return;
	}
	const char *type = sim_jstr(o, "msgtype");
	const char *content = type && json_object_object_get_ex(o, type, &body) ?
	                      sim_jstr(body, "content") : NULL;
	if (content == NULL || (strcmp(type, "text") && strcmp(type, "markdown"))) {
		errcode(c, 40008, "invalid message type");
		return;
	}
	if (strlen(content) > (strcmp(type, "text") ? 4096u : 2048u)) {
		errcode(c, 45002, "content size out of limit");
		return;
	}
	time_t now = time(NULL);
	int recent = 0;
	for (size_t i = 0; i < sim.webhook_keys.n; i++)
		if (!strcmp(sim.webhook_keys.v[i], key) && now - sim.webhook_times.v[i] < 60)
			recent++;
	if (recent >= ROBOT_PER_MIN) {
		errcode(c, 45009, "api freq out of limit");
		return;
	}
	*SIM_PUSH(&sim.webhook_keys) = sim_strdup(key);
	*SIM_PUSH(&sim.webhook_times) = now;
	record("webhook", key, content);
	errcode(c, 0, "ok");
}

static struct json_object *bill_json(const struct sim_bill *b)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "transaction_id", json_object_new_string(b->transaction_id));
	if (!b->legacy)             /* the older revision has no bill_type */
		json_object_object_add(o, "bill_type", json_object_new_int(0));
	json_object_object_add(o, "trade_state", json_object_new_int(b->trade_state));
	json_object_object_add(o, "pay_time", json_object_new_int64(b->pay_time));
	json_object_object_add(o, "out_trade_no", json_object_new_string(b->transaction_id + 4));
	json_object_object_add(o, "external_userid", json_object_new_string(""));
	json_object_object_add(o, "total_fee", json_object_new_int64(b->total_fee));
	json_object_object_add(o, "payee_userid", json_object_new_string(b->payee_userid));
	json_object_object_add(o, "payment_type", json_object_new_int(0));
	json_object_object_add(o, "mch_id", json_object_new_string(sim.k.mchid));
	json_object_object_add(o, "remark", json_object_new_string(b->remark ? b->remark : ""));
	json_object_object_add(o, "commodity_list", json_object_new_array());
	json_object_object_add(o, "total_refund_fee", json_object_new_int64(b->total_refund_fee));
	struct json_object *refunds = json_object_new_array();
	if (b->total_refund_fee > 0) {
		struct json_object *r = json_object_new_object();
		json_object_object_add(r, "out_refund_no", json_object_new_string(b->transaction_id + 10));
		json_object_object_add(r, "refund_userid", json_object_new_string(b->payee_userid));
		json_object_object_add(r, "refund_comment", json_object_new_string("企业微信内退款"));
		json_object_object_add(r, "refund_reqtime", json_object_new_int64(b->pay_time + 3600));
		json_object_object_add(r, "refund_status", json_object_new_int(1));
		json_object_object_add(r, "refund_fee", json_object_new_int64(b->total_refund_fee));
		json_object_array_add(refunds, r);
	}
	json_object_object_add(o, "refund_list", refunds);
	return o;
}

static void bill_list(struct sim_ctx *c)
{
	struct sim_token *t = token(c);
	if (t == NULL)
		return;
	if (!t->externalpay) {
		errcode(c, 48002, "api forbidden");
		return;
	}
	struct json_object *o = sim_body_json(c);
	int64_t begin, end, limit = 1000, cursor = 0;
	const char *payee = sim_jstr(o, "payee_userid"), *cur = sim_jstr(o, "cursor");
	if (sim_jint(o, "begin_time", &begin) || sim_jint(o, "end_time", &end) || end < begin ||
	    end - begin > 31 * 86400 || sim_jint(o, "limit", &limit) == CAMP_EINVAL ||
	    limit < 1 || limit > 1000) {
		errcode(c, 40058, "invalid parameter: begin_time/end_time/limit");
		return;
	}
	long long cv;
	if (cur != NULL && *cur) {
		if (parse_i64(cur, 0, 1LL << 40, &cv) != CAMP_OK) {
			errcode(c, 40058, "invalid cursor");
			return;
		}
		cursor = cv;
	}
	struct json_object *r = json_object_new_object(), *arr = json_object_new_array();
	int64_t taken = 0;
	size_t i;
	for (i = (size_t)cursor; i < sim.bills.n && taken < limit; i++) {
		struct sim_bill *b = &sim.bills.v[i];
		if (b->pay_time < begin || b->pay_time > end || (payee && strcmp(payee, b->payee_userid)))
			continue;
		json_object_array_add(arr, bill_json(b));
		taken++;
	}
	json_object_object_add(r, "errcode", json_object_new_int(0));
	json_object_object_add(r, "errmsg", json_object_new_string("ok"));
	if (i < sim.bills.n) {
		char n[24];
		snprintf(n, sizeof(n), "%zu", i);
		json_object_object_add(r, "next_cursor", json_object_new_string(n));
	}
	json_object_object_add(r, "bill_list", arr);
	sim_json_reply(c, 200, r);
}

void sim_wecom_handle(struct sim_ctx *c)
{
	const char *p = c->r->path;
	int post = c->r->method == M_POST;
	if (!post && !strcmp(p, "/cgi-bin/gettoken"))
		gettoken(c);
	else if (post && !strcmp(p, "/cgi-bin/message/send"))
		message_send(c);
	else if (post && !strcmp(p, "/cgi-bin/webhook/send"))
		webhook_send(c);
	else if (post && !strcmp(p, "/cgi-bin/externalpay/get_bill_list"))
		bill_list(c);
	else
		errcode(c, 404, "not found");
}
