/* wechatpay_api.c: signed v3 requests over httpc, verified responses. */
#include "wechatpay_api.h"
#include "camp.h"
#include "clock.h"
#include "crypto.h"
#include "httpc.h"
#include "log.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put(void *p)
{
	json_object_put(p);
}

static const char *jstr(arena *a, struct json_object *o, const char *key)
{
	struct json_object *v;
	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return arena_strdup(a, json_object_get_string(v));
}

static const char *header(arena *a, const struct httpc_response *rs, const char *name)
{
	char v[1024];
	return httpc_header(rs, name, v, sizeof(v)) == CAMP_OK ? arena_strdup(a, v) : NULL;
}

int wxpay_call(const struct wxpay_cfg *c, arena *a, const char *method, const char *path,
               const char *body, time_t now, struct wxpay_result *out)
{
	memset(out, 0, sizeof(*out));
	out->request_body = body;
	char nonce[33];
	if (crypto_random_alnum(nonce, 32) != CAMP_OK)
		return CAMP_ECRYPTO;
	char *auth = wxpay_authorization(c, method, path, body ? body : "", now, nonce);
	if (auth == NULL)
		return CAMP_ECRYPTO;
	const char *headers[] = {
		arena_printf(a, "Authorization: %s", auth),
		"Accept: application/json",
		"Content-Type: application/json",
		"User-Agent: camp-deposit/1.0",
		arena_printf(a, "Wechatpay-Serial: %s", c->pub_key_id ? c->pub_key_id : ""),
		NULL,
	};
	free(auth);
	struct httpc_request rq = {
		.method = method, .url = arena_printf(a, "%s%s", c->base_url, path),
		.headers = headers, .body = body, .body_len = body ? strlen(body) : 0,
	};
	struct httpc_response rs = HTTPC_RESPONSE_INIT;
	int rc = httpc_do(&rq, &rs);
	if (rc != CAMP_OK) {
		log_warn("wechatpay: %s %s: no answer (%s)", method, path, rs.error);
		httpc_response_free(&rs);
		return CAMP_EPROVIDER;
	}
	out->status = rs.status;
	out->request_id = header(a, &rs, "Request-ID");
	const char *text = rs.body.s ? arena_strndup(a, rs.body.s, rs.body.len) : "";
	if (rs.status >= 200 && rs.status < 300 && rs.body.len > 0) {
		struct wxpay_sig sig = {
			header(a, &rs, "Wechatpay-Timestamp"), header(a, &rs, "Wechatpay-Nonce"),
			header(a, &rs, "Wechatpay-Signature"), header(a, &rs, "Wechatpay-Serial"),
			header(a, &rs, "Wechatpay-Signature-Type"),
		};
		const char *why;
		if (wxpay_verify(c, &sig, text, rs.body.len, now, &why) != CAMP_OK) {
			/* an answer we cannot trust is treated as no answer */
			log_err("wechatpay: %s %s: response not verifiable: %s", method, path, why);
			httpc_response_free(&rs);
			out->status = 0;
			return CAMP_EPROVIDER;
		}
		out->body = text;
	} else if (rs.status >= 400) {
		struct json_object *o = json_tokener_parse(text);
		if (o != NULL) {
			arena_defer(a, put, o);
			out->code = jstr(a, o, "code");
			out->message = jstr(a, o, "message");
		}
		out->body = NULL;
		log_warn("wechatpay: %s %s: %ld %s %s", method, path, rs.status,
		         out->code ? out->code : "", out->message ? out->message : "");
	}
	httpc_response_free(&rs);
	return CAMP_OK;
}

int wxpay_order_create(const struct wxpay_cfg *c, arena *a, const struct wxpay_order *o,
                       time_t now, struct wxpay_result *res, const char **prepay_or_code)
{
	*prepay_or_code = NULL;
	int jsapi = !strcmp(o->trade_type, "jsapi"), h5 = !strcmp(o->trade_type, "h5");
	char exp[40];
	struct json_object *b = json_object_new_object();
	json_object_object_add(b, "appid", json_object_new_string(c->appid));
	json_object_object_add(b, "mchid", json_object_new_string(c->mchid));
	json_object_object_add(b, "description", json_object_new_string(o->description));
	json_object_object_add(b, "out_trade_no", json_object_new_string(o->out_trade_no));
	json_object_object_add(b, "time_expire",
	                       json_object_new_string(clock_rfc3339(o->time_expire, exp, sizeof(exp))));
	json_object_object_add(b, "attach", json_object_new_string(o->attach));
	json_object_object_add(b, "notify_url", json_object_new_string(o->notify_url));
	struct json_object *amount = json_object_new_object();
	json_object_object_add(amount, "total", json_object_new_int64(o->total));
	json_object_object_add(amount, "currency", json_object_new_string("CNY"));
	json_object_object_add(b, "amount", amount);
	if (jsapi) {
		struct json_object *payer = json_object_new_object();
		json_object_object_add(payer, "openid", json_object_new_string(o->openid ? o->openid : ""));
		json_object_object_add(b, "payer", payer);
	}
	if (h5) {   /* PROTOCOLS §1.3: mobile browsers outside WeChat */
		struct json_object *scene = json_object_new_object(), *info = json_object_new_object();
		json_object_object_add(scene, "payer_client_ip",
		                       json_object_new_string(o->client_ip ? o->client_ip : ""));
		json_object_object_add(info, "type", json_object_new_string("Wap"));
		json_object_object_add(scene, "h5_info", info);
		json_object_object_add(b, "scene_info", scene);
	}
	const char *body = arena_strdup(a, json_object_to_json_string_ext(b,
	                                JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(b);
	int rc = wxpay_call(c, a, "POST", arena_printf(a, "/v3/pay/transactions/%s", o->trade_type),
	                    body, now, res);
	if (rc != CAMP_OK || res->status != 200 || res->body == NULL)
		return rc != CAMP_OK ? rc : CAMP_EPROVIDER;
	struct json_object *r = json_tokener_parse(res->body);
	if (r == NULL)
		return CAMP_EPROVIDER;
	arena_defer(a, put, r);
	*prepay_or_code = jstr(a, r, jsapi ? "prepay_id" : h5 ? "h5_url" : "code_url");
	return *prepay_or_code ? CAMP_OK : CAMP_EPROVIDER;
}

int wxpay_order_query(const struct wxpay_cfg *c, arena *a, const char *out_trade_no,
                      time_t now, struct wxpay_result *res)
{
	const char *path = arena_printf(a, "/v3/pay/transactions/out-trade-no/%s?mchid=%s",
	                                out_trade_no, c->mchid);
	return wxpay_call(c, a, "GET", path, NULL, now, res);
}

int wxpay_order_close(const struct wxpay_cfg *c, arena *a, const char *out_trade_no,
                      time_t now, struct wxpay_result *res)
{
	const char *path = arena_printf(a, "/v3/pay/transactions/out-trade-no/%s/close", out_trade_no);
	const char *body = arena_printf(a, "{\"mchid\":\"%s\"}", c->mchid);
	return wxpay_call(c, a, "POST", path, body, now, res);
}

/* ---- refunds ------------------------------------------------------------- */

static long long jint(struct json_object *o, const char *key)
{
	struct json_object *v;
	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_int))
		return -1;
	return json_object_get_int64(v);
}

int wx_refund_parse(arena *a, const char *json, struct wx_refund *out)
{
	memset(out, 0, sizeof(*out));
	struct json_object *o = json ? json_tokener_parse(json) : NULL;
	if (o == NULL || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return CAMP_EINVAL;
	}
	arena_defer(a, put, o);
	out->refund_id = jstr(a, o, "refund_id");
	out->out_refund_no = jstr(a, o, "out_refund_no");
	out->out_trade_no = jstr(a, o, "out_trade_no");
	out->transaction_id = jstr(a, o, "transaction_id");
	out->mchid = jstr(a, o, "mchid");
	out->status = jstr(a, o, "status");
	if (out->status == NULL)
		out->status = jstr(a, o, "refund_status");
	out->success_time = jstr(a, o, "success_time");
	out->user_received_account = jstr(a, o, "user_received_account");
	struct json_object *amt = NULL;
	json_object_object_get_ex(o, "amount", &amt);
	out->refund = jint(amt, "refund");
	out->total = jint(amt, "total");
	if (out->out_refund_no == NULL || out->status == NULL)
		return CAMP_EINVAL;
	return CAMP_OK;
}

int wxpay_refund_create(const struct wxpay_cfg *c, arena *a, const struct wxpay_refund_req *q,
                        time_t now, struct wxpay_result *res)
{
	struct json_object *b = json_object_new_object();
	if (q->transaction_id && *q->transaction_id)
		json_object_object_add(b, "transaction_id", json_object_new_string(q->transaction_id));
	else
		json_object_object_add(b, "out_trade_no", json_object_new_string(q->out_trade_no ? q->out_trade_no : ""));
	json_object_object_add(b, "out_refund_no", json_object_new_string(q->out_refund_no));
	if (q->reason)
		json_object_object_add(b, "reason", json_object_new_string(q->reason));
	if (q->notify_url)
		json_object_object_add(b, "notify_url", json_object_new_string(q->notify_url));
	struct json_object *amount = json_object_new_object();
	json_object_object_add(amount, "refund", json_object_new_int64(q->refund));
	json_object_object_add(amount, "total", json_object_new_int64(q->total));
	json_object_object_add(amount, "currency", json_object_new_string("CNY"));
	json_object_object_add(b, "amount", amount);
	const char *body = arena_strdup(a, json_object_to_json_string_ext(b,
	                                JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(b);
	return wxpay_call(c, a, "POST", "/v3/refund/domestic/refunds", body, now, res);
}

int wxpay_refund_query(const struct wxpay_cfg *c, arena *a, const char *out_refund_no,
                       time_t now, struct wxpay_result *res)
{
	const char *path = arena_printf(a, "/v3/refund/domestic/refunds/%s", out_refund_no);
	return wxpay_call(c, a, "GET", path, NULL, now, res);
}
