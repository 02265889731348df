/* wxpay_notify.c: the shared front half of WeChat Pay callbacks — verify first, then decrypt.
 * Both POST /pay/wechat/notify and /pay/wechat/refund-notify go through here, so the
 * order of checks (serial, type, time window, signature, envelope, event, AES-GCM) is
 * written once. */
#include "pages.h"
#include "camp.h"
#include "clock.h"
#include "crypto.h"
#include "log.h"
#include "metrics.h"
#include "payments.h"
#include "wechatpay.h"
#include "wxpay_certs.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void wxpay_notify_fail(struct resp *w, int status, const char *message, arena *a)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "code", json_object_new_string("FAIL"));
	json_object_object_add(o, "message", json_object_new_string(message));
	resp_json(w, status, o, a);
}

#define REFUSED_HEAD 512     /* bytes of a refused body kept for the audit log */

static int whole_text(const char *s, size_t n)
{
	return utf8_valid(s, n) && memchr(s, '\0', n) == NULL;
}

/* What is kept of a body we refused (anyone can send one, up to nginx's
 * limit): its SHA-256, its size and its first 512 bytes — as text when they
 * are whole UTF-8 characters, else in base64. */
static const char *refused_digest(struct req *r)
{
	const char *body = r->body ? (const char *)r->body : "";
	size_t n = r->body_len < REFUSED_HEAD ? r->body_len : REFUSED_HEAD, k = n;
	while (k > 0 && n - k < 3 && !whole_text(body, k))
		k--;       /* the 512th byte may fall inside a character */
	int text = n == 0 || (k > 0 && whole_text(body, k));
	char sha[65];
	crypto_sha256_hex(body, r->body_len, sha);
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "sha256", json_object_new_string(sha));
	json_object_object_add(o, "size", json_object_new_int64((int64_t)r->body_len));
	if (text) {
		json_object_object_add(o, "head", json_object_new_string_len(body, (int)k));
	} else {
		char *b64 = crypto_b64_encode(body, n);
		json_object_object_add(o, "head_base64", json_object_new_string(b64 ? b64 : ""));
		free(b64);
	}
	const char *s = arena_strdup(r->a, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return s;
}

void wxpay_notify_audit(struct req *r, long long payment_id, const char *action,
                        const char *detail, const char *error)
{
	/* a refused callback is unverified or unreadable: never store its body */
	size_t alen = strlen(action);
	int refused = alen > 9 && !strcmp(action + alen - 9, "_REJECTED");
	struct json_object *o = NULL;
	int json = !refused && r->body_len > 0 &&
	           parse_json_object(r->a, (const char *)r->body, r->body_len, &o) == CAMP_OK;
	struct pay_audit e = {
		.payment_id = payment_id, .action = action, .detail = detail,
		.ip = r->remote_addr, .user_agent = r->user_agent,
		.request_json = refused ? refused_digest(r) : json ? (const char *)r->body : NULL,
		.error = error,
	};
	if (payment_audit(r->db, r->a, &e) != CAMP_OK)
		log_err("%s: cannot write the payment audit log", action);
}

const char *wxpay_notify_open(struct req *r, struct resp *w, struct wxpay_cfg *cfg,
                              const char *prefix, const char *event_prefix,
                              const char *original_type)
{
	char act[48];
	snprintf(act, sizeof(act), "%s_REJECTED", prefix);
	const char *serial = req_header(r, "HTTP_WECHATPAY_SERIAL");
	/* issue #18: a callback signed with the public key needs no certificate (one query less) */
	int rc = serial != NULL && wxpay_is_pub_key_id(serial) ? wxpay_cfg_load_settings(r->db, r->a, cfg)
	                                                        : wxpay_cfg_load(r->db, r->a, cfg);
	if (rc != CAMP_OK) {
		wxpay_notify_audit(r, 0, act, rc == CAMP_EDB ? "数据库不可用" : "商户未配置",
		                   rc == CAMP_EDB ? "database unavailable" : "merchant settings missing");
		metrics_callback(CB_ERROR);
		wxpay_notify_fail(w, 500, "merchant not configured", r->a);
		return NULL;
	}
	struct wxpay_sig sig = {
		.timestamp = req_header(r, "HTTP_WECHATPAY_TIMESTAMP"),
		.nonce = req_header(r, "HTTP_WECHATPAY_NONCE"),
		.signature = req_header(r, "HTTP_WECHATPAY_SIGNATURE"),
		.serial = req_header(r, "HTTP_WECHATPAY_SERIAL"),
		.signature_type = req_header(r, "HTTP_WECHATPAY_SIGNATURE_TYPE"),
	};
	const char *why;
	time_t now = camp_now();
	rc = wxpay_verify(cfg, &sig, (const char *)(r->body ? r->body : (const unsigned char *)""),
	                  r->body_len, now, &why);
	if (rc != CAMP_OK) {
		/* A platform certificate we do not hold yet: refused now (WeChat
		 * delivers again in 15 s), the download queued for camp-worker —
		 * this pool never waits on an outside call. */
		int queued = 0;
		if (rc == CAMP_ENOTFOUND && !wxpay_is_pub_key_id(sig.serial))
			wxpay_certs_request_refresh(r->db, r->a, sig.serial, now, &queued);
		log_warn("%s: refused: %s%s", prefix, why, queued ? " (certificate refresh queued)" : "");
		wxpay_notify_audit(r, 0, act, queued ? "回调验签失败（未知证书序列号，已排队下载平台证书）"
		                                     : "回调验签失败", why);
		metrics_callback(CB_REJECTED);
		wxpay_notify_fail(w, 401, "signature verification failed", r->a);
		return NULL;
	}
	struct json_object *env = NULL, *res, *v;
	if (parse_json_object(r->a, (const char *)r->body, r->body_len, &env) != CAMP_OK) {
		wxpay_notify_audit(r, 0, act, "回调不是 JSON", "malformed envelope");
		metrics_callback(CB_REJECTED);
		wxpay_notify_fail(w, 400, "malformed body", r->a);
		return NULL;
	}
	const char *event = json_object_object_get_ex(env, "event_type", &v) &&
	                    json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
	if (event == NULL || strncmp(event, event_prefix, strlen(event_prefix)) != 0 ||
	    !json_object_object_get_ex(env, "resource", &res)) {
		/* a verified event we do not act on: acknowledged, recorded */
		snprintf(act, sizeof(act), "%s_IGNORED", prefix);
		wxpay_notify_audit(r, 0, act, event ? event : "无事件类型", NULL);
		metrics_callback(CB_DUPLICATE);
		resp_body(w, 204, "text/plain", "", 0);
		return NULL;
	}
	const char *otype = json_object_object_get_ex(res, "original_type", &v) &&
	                    json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
	char *plain = NULL;
	size_t plen;
	if ((otype && strcmp(otype, original_type) != 0) ||
	    wxpay_decrypt_resource(cfg, res, &plain, &plen) != CAMP_OK) {
		wxpay_notify_audit(r, 0, act, "回调解密失败", "decryption failed");
		metrics_callback(CB_REJECTED);
		wxpay_notify_fail(w, 400, "decryption failed", r->a);
		return NULL;
	}
	arena_defer(r->a, free, plain);
	return plain;
}
