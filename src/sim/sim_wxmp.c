/* sim_wxmp.c: the official account on api.weixin.qq.com: /cgi-bin/token and template messages (issue #16). */
#include "sim.h"
#include "camp.h"
#include "buf.h"
#include "crypto.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN_LIFE_S 7200

static void answer(struct sim_ctx *c, int code, const char *msg)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "errcode", json_object_new_int(code));
	json_object_object_add(o, "errmsg", json_object_new_string(msg));
	sim_json_reply(c, 200, o);
}

/* GET /cgi-bin/token?grant_type=client_credential&appid=…&secret=… (no errcode on success) */
static void token(struct sim_ctx *c)
{
	const char *grant = req_param(c->r, "grant_type"), *appid = req_param(c->r, "appid");
	const char *secret = req_param(c->r, "secret");
	if (grant == NULL || strcmp(grant, "client_credential")) {
		answer(c, 40002, "invalid grant_type");
		return;
	}
	if (appid == NULL || strcmp(appid, sim.k.appid)) {
		answer(c, 40013, "invalid appid");
		return;
	}
	if (secret == NULL || strcmp(secret, sim.k.app_secret)) {
		answer(c, 40125, "invalid appsecret");
		return;
	}
	struct sim_token *t = SIM_PUSH(&sim.tokens);
	crypto_random_alnum(t->token, 64);
	t->mp = 1;
	t->expires = time(NULL) + TOKEN_LIFE_S;
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "access_token", json_object_new_string(t->token));
	json_object_object_add(o, "expires_in", json_object_new_int(TOKEN_LIFE_S));
	sim_json_reply(c, 200, o);
}

static int openid_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > 64)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') || s[i] == '_' || s[i] == '-'))
			return 0;
	return 1;
}

/* What the sim UI shows of a template message: the template and its values. */
static char *summary(const char *template_id, struct json_object *data)
{
	struct buf b = BUF_INIT;
	buf_printf(&b, "[%s]", template_id);
	json_object_object_foreach(data, key, v) {
		const char *value = sim_jstr(v, "value");
		buf_printf(&b, " %s=%s", key, value ? value : "");
	}
	return buf_detach(&b, NULL);
}

/* The errcode a fault mode answers a template send with (0: none). */
static int fault_code(enum sim_fault f, const char **msg)
{
	switch (f) {
	case FAULT_500: *msg = "system error"; return -1;
	case FAULT_EXPIRED_COOKIE: *msg = "access_token expired"; return 42001;
	case FAULT_RATE_LIMIT: *msg = "reach max api daily quota limit"; return 45009;
	case FAULT_NOT_FOLLOWING: *msg = "require subscribe"; return 43004;
	case FAULT_INVALID_OPENID: *msg = "invalid openid"; return 40003;
	case FAULT_BAD_TEMPLATE: *msg = "invalid template_id"; return 40037;
	default: return 0;
	}
}

/* POST /cgi-bin/message/template/send?access_token=… {touser, template_id, url?, data} */
static void template_send(struct sim_ctx *c)
{
	const char *tok = req_param(c->r, "access_token");
	struct sim_token *t = NULL;
	for (size_t i = 0; tok && i < sim.tokens.n; i++)
		if (sim.tokens.v[i].mp && !strcmp(sim.tokens.v[i].token, tok))
			t = &sim.tokens.v[i];
	if (t == NULL) {
		answer(c, tok && *tok ? 40001 : 41001, tok && *tok ? "invalid credential, access_token is invalid"
		                                                  : "access_token missing");
		return;
	}
	if (time(NULL) >= t->expires) {
		answer(c, 42001, "access_token expired");
		return;
	}
	const char *msg;
	int code = fault_code(sim_fault_take(SVC_WXMP), &msg);
	if (code != 0) {
		answer(c, code, msg);
		return;
	}
	struct json_object *o = sim_body_json(c), *data;
	const char *to = sim_jstr(o, "touser"), *tpl = sim_jstr(o, "template_id");
	const char *url = sim_jstr(o, "url");
	if (o == NULL || !openid_ok(to)) {
		answer(c, 40003, "invalid openid");
		return;
	}
	if (tpl == NULL || !*tpl || strlen(tpl) > 64) {
		answer(c, 40037, "invalid template_id");
		return;
	}
	if (!json_object_object_get_ex(o, "data", &data) || !json_object_is_type(data, json_type_object)) {
		answer(c, 47001, "data format error");
		return;
	}
	if (url && *url && strncmp(url, "http://", 7) && strncmp(url, "https://", 8)) {
		answer(c, 40039, "invalid url");
		return;
	}
	struct sim_msg *m = SIM_PUSH(&sim.msgs);
	snprintf(m->kind, sizeof(m->kind), "template");
	m->to = sim_strdup(to);
	m->content = summary(tpl, data);
	m->at = time(NULL);
	char id[20];
	sim_digits(id, 16);
	struct json_object *r = json_object_new_object();
	json_object_object_add(r, "errcode", json_object_new_int(0));
	json_object_object_add(r, "errmsg", json_object_new_string("ok"));
	json_object_object_add(r, "msgid", json_object_new_int64(strtoll(id, NULL, 10)));
	sim_json_reply(c, 200, r);
}

void sim_wxmp_handle(struct sim_ctx *c)
{
	const char *p = c->r->path;
	if (c->r->method == M_GET && !strcmp(p, "/cgi-bin/token"))
		token(c);
	else if (c->r->method == M_POST && !strcmp(p, "/cgi-bin/message/template/send"))
		template_send(c);
	else
		answer(c, 404, "not found");
}
