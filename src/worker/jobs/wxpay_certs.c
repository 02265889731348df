/* wxpay_certs.c: job wxpay-certs — download, decrypt, verify and keep the WeChat Pay platform
 * certificates (daily, on demand, after payment settings change, after an unknown serial),
 * and warn staff before the last one expires. */
#include "jobfns.h"
#include "worker.h"
#include "camp.h"
#include "clock.h"
#include "payments.h"
#include "wechatpay.h"
#include "wxpay_certs.h"

#include <json-c/json.h>

int job_wxpay_certs(struct job_ctx *c)
{
	struct json_object *d = c->detail;
	time_t now = camp_now();
	struct wxpay_cfg cfg;
	int rc = wxpay_cfg_load(c->db, c->a, &cfg);
	struct wxpay_certs_result r = { 0 };
	if (rc == CAMP_OK)
		rc = wxpay_certs_refresh(c->db, c->a, &cfg, now, &r);
	else if (rc == CAMP_ENOTFOUND)
		json_object_object_add(d, "note", json_object_new_string("WeChat Pay is not configured"));
	json_object_object_add(d, "fetched", json_object_new_int(r.fetched));
	json_object_object_add(d, "added", json_object_new_int(r.added));
	json_object_object_add(d, "pruned", json_object_new_int(r.pruned));
	/* the warning reads what is held, whether or not today's download worked */
	long alerted = 0;
	if (wxpay_certs_check_expiry(c->db, c->a, now, &alerted) != CAMP_OK) {
		job_fail(c, "数据库不可用");
		return CAMP_EDB;
	}
	json_object_object_add(d, "alerted", json_object_new_int64(alerted));
	if (rc == CAMP_ENOTFOUND)
		return CAMP_OK;
	json_object_object_add(d, "held", json_object_new_int((int)cfg.ncerts));
	if (rc != CAMP_OK) {
		job_fail(c, "微信支付平台证书下载失败：%s", r.error ? r.error : "数据库不可用");
		return rc;
	}
	return CAMP_OK;
}
