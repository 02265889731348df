/* refund_notify.c: POST /pay/wechat/refund-notify — WeChat Pay's refund callback, verified and decrypted like payment callbacks. */
#include "pages.h"
#include "camp.h"
#include "clock.h"
#include "db.h"
#include "log.h"
#include "pay_exceptions.h"
#include "payments.h"
#include "refunds.h"
#include "wechatpay.h"
#include "wechatpay_api.h"

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

static void audit(struct req *r, const char *action, const char *detail, const char *error)
{
	struct json_object *o = NULL;
	int json = r->body_len > 0 &&
	           parse_json_object(r->a, (const char *)r->body, r->body_len, &o) == CAMP_OK;
	struct pay_audit e = {
		.action = action, .detail = detail, .ip = r->remote_addr, .user_agent = r->user_agent,
		.request_json = json ? (const char *)r->body : NULL, .error = error,
	};
	if (payment_audit(r->db, r->a, &e) != CAMP_OK)
		log_err("refund-notify: cannot write the payment audit log");
}

static const char *str_of(struct json_object *o, const char *key)
{
	struct json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

void page_refund_notify(struct req *r, struct resp *w)
{
	struct wxpay_cfg cfg;
	if (wxpay_cfg_load(r->db, r->a, &cfg) != CAMP_OK) {
		audit(r, "REFUND_NOTIFY_REJECTED", "商户未配置", "merchant settings missing");
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
		log_warn("refund-notify: refused: %s", why);
		audit(r, "REFUND_NOTIFY_REJECTED", "回调验签失败", why);
		fail(w, 401, "signature verification failed", r->a);
		return;
	}
	struct json_object *env = NULL, *res;
	if (parse_json_object(r->a, (const char *)r->body, r->body_len, &env) != CAMP_OK) {
		audit(r, "REFUND_NOTIFY_REJECTED", "回调不是 JSON", "malformed envelope");
		fail(w, 400, "malformed body", r->a);
		return;
	}
	const char *event = str_of(env, "event_type");
	if (event == NULL || strncmp(event, "REFUND.", 7) != 0 ||
	    !json_object_object_get_ex(env, "resource", &res)) {
		audit(r, "REFUND_NOTIFY_IGNORED", event ? event : "无事件类型", NULL);
		resp_body(w, 204, "text/plain", "", 0);
		return;
	}
	const char *otype = str_of(res, "original_type");
	char *plain = NULL;
	size_t plen;
	if ((otype && strcmp(otype, "refund") != 0) ||
	    wxpay_decrypt_resource(&cfg, res, &plain, &plen) != CAMP_OK) {
		audit(r, "REFUND_NOTIFY_REJECTED", "回调解密失败", "decryption failed");
		fail(w, 400, "decryption failed", r->a);
		return;
	}
	arena_defer(r->a, free, plain);
	struct wx_refund rf;
	if (wx_refund_parse(r->a, plain, &rf) != CAMP_OK ||
	    (rf.mchid && strcmp(rf.mchid, cfg.mchid) != 0)) {
		audit(r, "REFUND_NOTIFY_REJECTED", "退款数据无效", "malformed refund or foreign merchant");
		fail(w, 400, "malformed refund", r->a);
		return;
	}
	int changed = 0;
	int rc = refund_apply(r->db, r->a, &rf, "notify", &changed);
	if (rc == CAMP_ENOTFOUND) {
		rc = exception_refund_apply(r->db, r->a, &rf);
		changed = rc == CAMP_OK;
	}
	if (rc == CAMP_EDB) {
		audit(r, "REFUND_NOTIFY_ERROR", rf.out_refund_no, "apply failed");
		fail(w, 500, "temporary failure", r->a);
		return;
	}
	/* an unknown out_refund_no is acknowledged: retries would not help */
	audit(r, rc == CAMP_ENOTFOUND ? "REFUND_NOTIFY_UNKNOWN" :
	         changed ? "REFUND_NOTIFY_APPLIED" : "REFUND_NOTIFY_DUPLICATE",
	      rf.out_refund_no, NULL);
	resp_body(w, 204, "text/plain", "", 0);
}
