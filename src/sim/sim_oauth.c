/* sim_oauth.c: WeChat web authorization (snsapi_base): authorize redirect and code exchange. */
#include "sim.h"
#include "camp.h"
#include "crypto.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#define CODE_LIFE_S 300

static void authorize(struct sim_ctx *c)
{
	const char *appid = req_param(c->r, "appid"), *uri = req_param(c->r, "redirect_uri");
	const char *state = req_param(c->r, "state"), *openid = req_param(c->r, "sim_openid");
	if (appid == NULL || strcmp(appid, sim.k.appid) != 0 || uri == NULL ||
	    (strncmp(uri, "https://", 8) && strncmp(uri, "http://", 7)) || strpbrk(uri, "\r\n#")) {
		resp_body(c->w, 400, "text/plain; charset=utf-8", "redirect_uri 参数错误",
		          strlen("redirect_uri 参数错误"));
		return;
	}
	if (openid == NULL || !*openid)
		openid = req_cookie(c->r, "sim_openid");
	if (openid == NULL || strlen(openid) > 32 || !*openid) {
		char r[28];
		crypto_random_alnum(r, 27);
		openid = arena_printf(c->r->a, "o%s", r);
	}
	resp_cookie(c->r, c->w, "sim_openid", openid, 365L * 86400);
	struct sim_code *k = SIM_PUSH(&sim.codes);
	crypto_random_alnum(k->code, 32);
	snprintf(k->openid, sizeof(k->openid), "%s", openid);
	k->created = time(NULL);
	/* sim_snapshot=1 (query, or a cookie of the simulator's for browsers): the page
	 * was opened as a 朋友圈 snapshot (PROTOCOLS §2) */
	const char *snap = req_param(c->r, "sim_snapshot");
	if (snap == NULL)
		snap = req_cookie(c->r, "sim_snapshot");
	k->snapshot = snap != NULL && !strcmp(snap, "1");
	const char *loc = arena_printf(c->r->a, "%s%scode=%s&state=%s", uri,
	                               strchr(uri, '?') ? "&" : "?", k->code, state ? state : "");
	c->w->status = 302;
	resp_header(c->w, "Location", loc);
}

static void access_token(struct sim_ctx *c)
{
	const char *appid = req_param(c->r, "appid"), *secret = req_param(c->r, "secret");
	const char *code = req_param(c->r, "code"), *grant = req_param(c->r, "grant_type");
	if (appid == NULL || strcmp(appid, sim.k.appid)) {
		resp_json_text(c->w, 200, "{\"errcode\":40013,\"errmsg\":\"invalid appid\"}");
		return;
	}
	if (secret == NULL || strcmp(secret, sim.k.app_secret)) {
		resp_json_text(c->w, 200, "{\"errcode\":40125,\"errmsg\":\"invalid appsecret\"}");
		return;
	}
	if (grant == NULL || strcmp(grant, "authorization_code")) {
		resp_json_text(c->w, 200, "{\"errcode\":40002,\"errmsg\":\"invalid grant_type\"}");
		return;
	}
	struct sim_code *k = NULL;
	for (size_t i = 0; code && i < sim.codes.n; i++)
		if (!strcmp(sim.codes.v[i].code, code))
			k = &sim.codes.v[i];
	if (k == NULL || k->used || time(NULL) - k->created > CODE_LIFE_S) {
		resp_json_text(c->w, 200, "{\"errcode\":40029,\"errmsg\":\"invalid code\"}");
		return;
	}
	k->used = 1;
	char at[65], rt[65];
	crypto_random_alnum(at, 64);
	crypto_random_alnum(rt, 64);
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "access_token", json_object_new_string(at));
	json_object_object_add(o, "expires_in", json_object_new_int(7200));
	json_object_object_add(o, "refresh_token", json_object_new_string(rt));
	if (k->snapshot) {
		/* a virtual openid, the same for every snapshot viewer */
		json_object_object_add(o, "openid", json_object_new_string("o6_bmasdasdsad6_2sgVt7hMZOPfL"));
		json_object_object_add(o, "is_snapshotuser", json_object_new_int(1));
	} else {
		json_object_object_add(o, "openid", json_object_new_string(k->openid));
	}
	json_object_object_add(o, "scope", json_object_new_string("snsapi_base"));
	sim_json_reply(c, 200, o);
}

void sim_oauth_handle(struct sim_ctx *c)
{
	if (!strcmp(c->r->path, "/connect/oauth2/authorize"))
		authorize(c);
	else if (!strcmp(c->r->path, "/sns/oauth2/access_token"))
		access_token(c);
	else
		resp_json_text(c->w, 404, "{\"errcode\":-1,\"errmsg\":\"not found\"}");
}
