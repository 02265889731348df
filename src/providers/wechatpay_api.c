/* wechatpay_api.c: signed v3 requests over httpc, verified responses. */
#include "wechatpay_api.h"
#include "camp.h"
#include "clock.h"
#include "crypto.h"
#include "httpc.h"
#include "jsonget.h"
#include "log.h"
#include "text.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *header(arena *a, const struct httpc_response *rs, const char *name)
{
	char v[1024];
	return httpc_header(rs, name, v, sizeof(v)) == CAMP_OK ? arena_strdup(a, v) : NULL;
}

void wxpay_error_parse(arena *a, const char *text, const char **code, const char **message)
{
	*code = *message = NULL;
	struct json_object *o = text ? json_tokener_parse(text) : NULL;
	if (o == NULL)
		return;
	arena_json(a, o);
	if (!json_object_is_type(o, json_type_object))
		return;
	*code = jget_strdup(a, o, "code");
	*message = jget_strdup(a, o, "message");
}

/* The request, signed; the answer unverified (body on the arena, signature
 * headers in *sig).  CAMP_OK when an answer arrived. */
static int call_unverified(const struct wxpay_cfg *c, arena *a, const char *method,
                           const char *path, const char *body, time_t now,
                           struct wxpay_result *out, struct wxpay_sig *sig, size_t *len)
{
	memset(out, 0, sizeof(*out));
	memset(sig, 0, sizeof(*sig));
	*len = 0;
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
		arena_printf(a, "Wechatpay-Serial: %s", c->pub_key_id ? c->pub_key_id :
		             c->ncerts ? c->certs[c->ncerts - 1].serial : ""),
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
	out->body = rs.body.s ? arena_strndup(a, rs.body.s, rs.body.len) : "";
	*len = rs.body.len;
	sig->timestamp = header(a, &rs, "Wechatpay-Timestamp");
	sig->nonce = header(a, &rs, "Wechatpay-Nonce");
	sig->signature = header(a, &rs, "Wechatpay-Signature");
	sig->serial = header(a, &rs, "Wechatpay-Serial");
	sig->signature_type = header(a, &rs, "Wechatpay-Signature-Type");
	httpc_response_free(&rs);
	if (out->status >= 400) {
		wxpay_error_parse(a, out->body, &out->code, &out->message);
		log_warn("wechatpay: %s %s: %ld %s %s", method, path, out->status,
		         out->code ? out->code : "", out->message ? out->message : "");
	}
	return CAMP_OK;
}

/* Verifies an answer; a certificate serial we do not hold gets one refresh. */
static int verify_answer(const struct wxpay_cfg *c, const struct wxpay_sig *sig,
                         const char *body, size_t len, time_t now, const char **why)
{
	int rc = wxpay_verify(c, sig, body, len, now, why);
	if (rc != CAMP_ENOTFOUND || c->refresh_certs == NULL || wxpay_is_pub_key_id(sig->serial))
		return rc;
	struct wxpay_cfg again = *c;
	if (c->refresh_certs(c->refresh_ud, sig->serial, &again.certs, &again.ncerts) != CAMP_OK)
		return rc;
	return wxpay_verify(&again, sig, body, len, now, why);
}

int wxpay_call(const struct wxpay_cfg *c, arena *a, const char *method, const char *path,
               const char *body, time_t now, struct wxpay_result *out)
{
	struct wxpay_sig sig;
	size_t len;
	int rc = call_unverified(c, a, method, path, body, now, out, &sig, &len);
	if (rc != CAMP_OK)
		return rc;
	if (out->status >= 200 && out->status < 300 && len > 0) {
		const char *why;
		if (verify_answer(c, &sig, out->body, len, now, &why) != CAMP_OK) {
			/* an answer we cannot trust is treated as no answer */
			log_err("wechatpay: %s %s: response not verifiable (%s, serial %s)", method, path,
			        why, sig.serial ? sig.serial : "none");
			out->status = 0;
			out->body = NULL;
			return CAMP_EPROVIDER;
		}
	} else if (out->status >= 300 || len == 0) {
		out->body = NULL;
	}
	return CAMP_OK;
}

/* ---- platform certificates (PROTOCOLS §1.7) ------------------------------- */

static int parse_time(struct json_object *o, const char *key, time_t *out)
{
	struct json_object *v;
	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string) &&
	       clock_parse_rfc3339(json_object_get_string(v), out) == 0 ? CAMP_OK : CAMP_EINVAL;
}

/* One item of data[]: decrypted, its PEM's serial and dates checked. */
static int one_certificate(const struct wxpay_cfg *c, arena *a, struct json_object *item,
                           struct wxpay_cert *out, const char **why)
{
	struct json_object *enc;
	const char *serial = jget_strdup(a, item, "serial_no");
	if (serial == NULL || *serial == '\0' || strlen(serial) > 64 ||
	    parse_time(item, "effective_time", &out->effective) != CAMP_OK ||
	    parse_time(item, "expire_time", &out->expire) != CAMP_OK ||
	    !json_object_object_get_ex(item, "encrypt_certificate", &enc)) {
		*why = "证书列表格式不对（缺少 serial_no、有效期或 encrypt_certificate）";
		return CAMP_EINVAL;
	}
	char *pem;
	size_t plen;
	if (wxpay_decrypt_resource(c, enc, &pem, &plen) != CAMP_OK) {
		*why = "证书无法用 APIv3 密钥解密（APIv3 密钥是否正确？）";
		return CAMP_ECRYPTO;
	}
	struct x509_info x;
	int rc = crypto_x509_info(pem, &x);
	out->pem = arena_strdup(a, pem);
	free(pem);
	if (rc != CAMP_OK || !wxpay_serial_eq(x.serial, serial)) {
		*why = "解密出的证书无效，或其序列号与 serial_no 不符";
		return CAMP_ECRYPTO;
	}
	out->serial = arena_strdup(a, serial);
	for (char *p = (char *)out->serial; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	if (x.not_before > out->effective)
		out->effective = x.not_before;
	if (x.not_after < out->expire)
		out->expire = x.not_after;
	return CAMP_OK;
}

int wxpay_certificates_fetch(const struct wxpay_cfg *c, arena *a, time_t now,
                             struct wxpay_cert **certs, size_t *n,
                             struct wxpay_result *res, const char **why)
{
	*certs = NULL;
	*n = 0;
	*why = NULL;
	struct wxpay_sig sig;
	size_t len;
	int rc = call_unverified(c, a, "GET", "/v3/certificates", NULL, now, res, &sig, &len);
	if (rc != CAMP_OK || res->status != 200) {
		*why = rc != CAMP_OK ? "微信支付无应答" : "微信支付拒绝了请求";
		res->body = NULL;
		return rc == CAMP_ECRYPTO ? CAMP_ECRYPTO : CAMP_EPROVIDER;
	}
	struct json_object *o = json_tokener_parse(res->body), *data;
	if (o != NULL)
		arena_json(a, o);
	if (o == NULL || !json_object_object_get_ex(o, "data", &data) ||
	    !json_object_is_type(data, json_type_array)) {
		*why = "证书列表不是预期的 JSON（{\"data\": [...]}）";
		return CAMP_EINVAL;
	}
	size_t count = json_object_array_length(data);
	struct wxpay_cert *list = arena_alloc(a, sizeof(*list) * (count + c->ncerts + 1));
	for (size_t i = 0; i < count; i++) {
		rc = one_certificate(c, a, json_object_array_get_idx(data, i), &list[i], why);
		if (rc != CAMP_OK)
			return rc;
	}
	/* the bootstrap: the new certificates (proven by decryption) may verify the answer */
	struct wxpay_cfg with = *c;
	memcpy(list + count, c->certs, sizeof(*list) * c->ncerts);
	with.certs = list;
	with.ncerts = count + c->ncerts;
	const char *vwhy;
	if (wxpay_verify(&with, &sig, res->body, len, now, &vwhy) != CAMP_OK) {
		log_err("wechatpay: /v3/certificates: answer not verifiable (%s, serial %s)", vwhy,
		        sig.serial ? sig.serial : "none");
		*why = "证书列表的应答签名无法验证";
		return CAMP_ECRYPTO;
	}
	*certs = list;
	*n = count;
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
	json_object_object_add(b, "description", json_object_new_string(
	                       text_cut(a, o->description, WXPAY_DESCRIPTION_MAX)));
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
	arena_json(a, r);
	*prepay_or_code = jget_strdup(a, r, jsapi ? "prepay_id" : h5 ? "h5_url" : "code_url");
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
	arena_json(a, o);
	out->refund_id = jget_strdup(a, o, "refund_id");
	out->out_refund_no = jget_strdup(a, o, "out_refund_no");
	out->out_trade_no = jget_strdup(a, o, "out_trade_no");
	out->transaction_id = jget_strdup(a, o, "transaction_id");
	out->mchid = jget_strdup(a, o, "mchid");
	out->status = jget_strdup(a, o, "status");
	if (out->status == NULL)
		out->status = jget_strdup(a, o, "refund_status");
	out->success_time = jget_strdup(a, o, "success_time");
	out->user_received_account = jget_strdup(a, o, "user_received_account");
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
