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

void page_pay_notify(struct req *r, struct resp *w)
{
	struct wxpay_cfg cfg;
	const char *plain = wxpay_notify_open(r, w, &cfg, "NOTIFY", "TRANSACTION.SUCCESS", "transaction");
	if (plain == NULL)
		return;
	struct wx_txn t;
	if (wx_txn_parse(r->a, plain, &t) != CAMP_OK) {
		wxpay_notify_audit(r, 0, "NOTIFY_REJECTED", "交易数据无效", "malformed transaction");
		metrics_callback(CB_REJECTED);
		wxpay_notify_fail(w, 400, "malformed transaction", r->a);
		return;
	}
	enum apply_outcome out;
	const char *reason;
	/* issue #18: the applied callback's audit row is written with the payment, in one statement */
	struct pay_audit applied = { .action = "NOTIFY_APPLIED", .detail = t.out_trade_no,
	                             .ip = r->remote_addr, .user_agent = r->user_agent,
	                             .request_json = (const char *)r->body };
	int audited = 0;
	int rc = payment_apply_audited(r->db, r->a, &cfg, &t, "notify", &applied, &audited, &out, &reason);
	if (rc != CAMP_OK) {
		/* our side failed (database): 5xx makes WeChat deliver it again */
		wxpay_notify_audit(r, 0, "NOTIFY_ERROR", t.out_trade_no, "apply failed");
		metrics_callback(CB_ERROR);
		wxpay_notify_fail(w, 500, "temporary failure", r->a);
		return;
	}
	static const char *const names[] = { "NOTIFY_APPLIED", "NOTIFY_DUPLICATE",
	                                      "NOTIFY_EXCEPTION", "NOTIFY_NOT_PAID" };
	if (!audited)
		wxpay_notify_audit(r, 0, names[out], t.out_trade_no, reason);
	metrics_callback(out == APPLY_PAID ? CB_APPLIED : out == APPLY_EXCEPTION ? CB_EXCEPTION : CB_DUPLICATE);
	resp_body(w, 204, "text/plain", "", 0);
}
