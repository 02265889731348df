/* pay_notify.c: POST /pay/wechat/notify — WeChat Pay's payment callback.
 * Order matters: verify (serial, type, timestamp, signature) before reading
 * anything; decrypt; check merchant and app; apply once.  Unverifiable →
 * 4xx and only the audit log; verified but inapplicable → exception + 2xx. */
#include "pages.h"
#include "camp.h"
#include "clock.h"
#include "db.h"
#include "log.h"
#include "metrics.h"
#include "payments.h"
#include "wechatpay.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

static void fail(struct resp *w, int status, const char *message, arena *a)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "code", json_object_new_string("FAIL"));
	json_object_object_add(o, "message", json_object_new_string(message));
	resp_json(w, status, o, a);
}

/* The raw body as JSON text for the audit snapshot, or NULL when it is not JSON. */
static const char *json_or_null(struct req *r)
{
	struct json_object *o = NULL;
	if (r->body_len == 0 ||
	    parse_json_object(r->a, (const char *)r->body, r->body_len, &o) != CAMP_OK)
		return NULL;
	return (const char *)r->body;
}

static void audit(struct req *r, long long payment_id, const char *action,
                  const char *detail, const char *error)
{
	struct pay_audit e = {
		.payment_id = payment_id, .action = action, .detail = detail,
		.ip = r->remote_addr, .user_agent = r->user_agent,
		.request_json = json_or_null(r), .error = error,
	};
	if (payment_audit(r->db, r->a, &e) != CAMP_OK)
		log_err("notify: cannot write the payment audit log");
}

static const char *resource_type(struct json_object *env, const char *key)
{
	struct json_object *v;
	if (!json_object_object_get_ex(env, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

void page_pay_notify(struct req *r, struct resp *w)
{
	struct wxpay_cfg cfg;
	if (wxpay_cfg_load(r->db, r->a, &cfg) != CAMP_OK) {
		audit(r, 0, "NOTIFY_REJECTED", "商户未配置", "merchant settings missing");
		metrics_callback(CB_ERROR);
		fail(w, 500, "merchant not configured", r->a);
		return;
	}
	struct wxpay_sig sig = {
		.timestamp = req_header(r, "HTTP_WECHATPAY_TIMESTAMP"),
		.nonce = req_header(r, "HTTP_WECHATPAY_NONCE"),
		.signature = req_header(r, "HTTP_WECHATPAY_SIGNATURE"),
		.serial = req_header(r, "HTTP_WECHATPAY_SERIAL"),
		.signature_type = req_header(r, "HTTP_WECHATPAY_SIGNATURE_TYPE"),
	};
	const char *why;
	if (wxpay_verify(&cfg, &sig, (const char *)(r->body ? r->body : (const unsigned char *)""),
	                 r->body_len, camp_now(), &why) != CAMP_OK) {
		log_warn("notify: refused: %s", why);
		audit(r, 0, "NOTIFY_REJECTED", "回调验签失败", why);
		metrics_callback(CB_REJECTED);
		fail(w, 401, "signature verification failed", r->a);
		return;
	}
	struct json_object *env = NULL;
	if (parse_json_object(r->a, (const char *)r->body, r->body_len, &env) != CAMP_OK) {
		audit(r, 0, "NOTIFY_REJECTED", "回调不是 JSON", "malformed envelope");
		metrics_callback(CB_REJECTED);
		fail(w, 400, "malformed body", r->a);
		return;
	}
	const char *event = resource_type(env, "event_type");
	struct json_object *res;
	if (event == NULL || strcmp(event, "TRANSACTION.SUCCESS") != 0 ||
	    !json_object_object_get_ex(env, "resource", &res)) {
		/* a verified event we do not act on: acknowledged, recorded */
		audit(r, 0, "NOTIFY_IGNORED", event ? event : "无事件类型", NULL);
		metrics_callback(CB_DUPLICATE);
		resp_body(w, 204, "text/plain", "", 0);
		return;
	}
	char *plain = NULL;
	size_t plen;
	if (wxpay_decrypt_resource(&cfg, res, &plain, &plen) != CAMP_OK) {
		audit(r, 0, "NOTIFY_REJECTED", "回调解密失败", "decryption failed");
		metrics_callback(CB_REJECTED);
		fail(w, 400, "decryption failed", r->a);
		return;
	}
	arena_defer(r->a, free, plain);
	struct wx_txn t;
	if (wx_txn_parse(r->a, plain, &t) != CAMP_OK) {
		audit(r, 0, "NOTIFY_REJECTED", "交易数据无效", "malformed transaction");
		metrics_callback(CB_REJECTED);
		fail(w, 400, "malformed transaction", r->a);
		return;
	}
	enum apply_outcome out;
	const char *reason;
	int rc = payment_apply(r->db, r->a, &cfg, &t, "notify", &out, &reason);
	if (rc != CAMP_OK) {
		/* our side failed (database): 5xx makes WeChat deliver it again */
		audit(r, 0, "NOTIFY_ERROR", t.out_trade_no, "apply failed");
		metrics_callback(CB_ERROR);
		fail(w, 500, "temporary failure", r->a);
		return;
	}
	static const char *const names[] = { "NOTIFY_APPLIED", "NOTIFY_DUPLICATE",
	                                      "NOTIFY_EXCEPTION", "NOTIFY_NOT_PAID" };
	audit(r, 0, names[out], t.out_trade_no, reason);
	metrics_callback(out == APPLY_PAID ? CB_APPLIED : out == APPLY_EXCEPTION ? CB_EXCEPTION : CB_DUPLICATE);
	resp_body(w, 204, "text/plain", "", 0);
}
