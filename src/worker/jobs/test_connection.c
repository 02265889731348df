/* test_connection.c: job test-connection — 测试连接 for ZSXQ, WeCom and WeChat Pay from the settings page. */
#include "jobfns.h"
#include "worker.h"
#include "camp.h"
#include "checkins.h"
#include "clock.h"
#include "config.h"
#include "env.h"
#include "log.h"
#include "payments.h"
#include "planet_token.h"
#include "wechatpay.h"
#include "wechatpay_api.h"
#include "wecom.h"
#include "zsxq.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_zsxq(struct job_ctx *c)
{
	struct zsxq_client z;
	if (checkin_zsxq_client(c->db, c->a, &z) != CAMP_OK) {
		job_fail(c, "知识星球未配置：请填写 Token 和星球 ID");
		return CAMP_EINVAL;
	}
	z.min_interval_ms = 0;
	long ongoing = 0;
	int rc = zsxq_check(&z, c->a, &ongoing);
	if (planet_token_note(c->db, c->a, &z, rc) != CAMP_OK)
		log_err("test-connection: cannot record the ZSXQ token's life");
	if (rc == CAMP_EEXPIRED)
		job_fail(c, "%s：请重新复制登录后的 Token", z.error);
	else if (rc != CAMP_OK)
		job_fail(c, "%s", z.error);
	else
		json_object_object_add(c->detail, "ongoing_projects", json_object_new_int64(ongoing));
	return rc;
}

static int check_wecom(struct job_ctx *c)
{
	char *corp = config_get(c->db, "wechat.corp_id");
	char *secret = config_get(c->db, "wechat.app_secret");
	struct wecom_cfg w = { camp_env()->wecom_base, arena_strdup(c->a, corp),
	                       arena_strdup(c->a, secret), 0 };
	free(corp);
	free(secret);
	if (w.corp_id == NULL || w.secret == NULL) {
		job_fail(c, "企业微信未配置：请填写企业 ID 和应用 Secret");
		return CAMP_EINVAL;
	}
	struct wecom_result r;
	int rc = wecom_check(&w, &r);
	if (rc != CAMP_OK)
		job_fail(c, "企业微信拒绝了企业 ID 或 Secret（errcode %d）：%s", r.errcode, r.error);
	return rc;
}

static int check_wechatpay(struct job_ctx *c)
{
	struct wxpay_cfg cfg;
	if (wxpay_cfg_load(c->db, c->a, &cfg) != CAMP_OK) {
		job_fail(c, "微信支付未配置完整：商户号、AppID 和 APIv3 密钥都需要填写");
		return CAMP_EINVAL;
	}
	/* a signed request whose signed answer verifies proves both key pairs */
	struct wxpay_result r;
	int rc = wxpay_call(&cfg, c->a, "GET", "/v3/certificates", NULL, camp_now(), &r);
	if (rc != CAMP_OK) {
		job_fail(c, "微信支付无应答，或应答的签名无法用所填的微信支付公钥或已下载的平台证书验证");
		return CAMP_EPROVIDER;
	}
	if (r.status != 200) {
		job_fail(c, "微信支付拒绝了请求（HTTP %ld %s）：%s", r.status, r.code ? r.code : "",
		         r.message ? r.message : "请检查商户号、证书序列号和商户私钥");
		return CAMP_EPROVIDER;
	}
	return CAMP_OK;
}

int job_test_connection(struct job_ctx *c)
{
	struct json_object *args = json_tokener_parse(c->args ? c->args : "{}"), *v;
	char provider[16] = "";
	if (args && json_object_object_get_ex(args, "provider", &v) && json_object_is_type(v, json_type_string))
		snprintf(provider, sizeof(provider), "%s", json_object_get_string(v));
	json_object_put(args);
	int rc;
	if (!strcmp(provider, "zsxq"))
		rc = check_zsxq(c);
	else if (!strcmp(provider, "wecom"))
		rc = check_wecom(c);
	else if (!strcmp(provider, "wechatpay"))
		rc = check_wechatpay(c);
	else {
		job_fail(c, "未知的服务：%s", provider);
		return CAMP_EINVAL;
	}
	json_object_object_add(c->detail, "provider", json_object_new_string(provider));
	if (rc == CAMP_OK)
		json_object_object_add(c->detail, "message", json_object_new_string("连接正常"));
	return rc;
}
