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

void page_refund_notify(struct req *r, struct resp *w)
{
	struct wxpay_cfg cfg;
	const char *plain = wxpay_notify_open(r, w, &cfg, "REFUND_NOTIFY", "REFUND.", "refund");
	if (plain == NULL)
		return;
	struct wx_refund rf;
	if (wx_refund_parse(r->a, plain, &rf) != CAMP_OK ||
	    (rf.mchid && strcmp(rf.mchid, cfg.mchid) != 0)) {
		wxpay_notify_audit(r, 0, "REFUND_NOTIFY_REJECTED", "退款数据无效", "malformed refund or foreign merchant");
		wxpay_notify_fail(w, 400, "malformed refund", r->a);
		return;
	}
	int changed = 0;
	int rc = refund_apply(r->db, r->a, &rf, "notify", &changed);
	if (rc == CAMP_ENOTFOUND) {
		rc = exception_refund_apply(r->db, r->a, &rf);
		changed = rc == CAMP_OK;
	}
	if (rc == CAMP_EDB) {
		wxpay_notify_audit(r, 0, "REFUND_NOTIFY_ERROR", rf.out_refund_no, "apply failed");
		wxpay_notify_fail(w, 500, "temporary failure", r->a);
		return;
	}
	/* an unknown out_refund_no is acknowledged: retries would not help */
	wxpay_notify_audit(r, 0, rc == CAMP_ENOTFOUND ? "REFUND_NOTIFY_UNKNOWN" :
	         changed ? "REFUND_NOTIFY_APPLIED" : "REFUND_NOTIFY_DUPLICATE",
	      rf.out_refund_no, NULL);
	resp_body(w, 204, "text/plain", "", 0);
}
