/* wxmp.h: the official account of wechat.pay_appid — access token and template messages (PROTOCOLS §2.1). */
#ifndef CAMP_WXMP_H
#define CAMP_WXMP_H

struct wxmp_cfg {
	const char *base_url;        /* CAMP_WXAPI_BASE_URL (api.weixin.qq.com) */
	const char *appid;           /* wechat.pay_appid */
	const char *secret;          /* wechat.pay_app_secret */
};

struct wxmp_result {
	int errcode;                 /* WeChat's errcode; -1000 when no answer came */
	char error[256];             /* for people and the outbox's error_message */
};

/* The errcodes a template send can end with (PROTOCOLS §2.1). */
#define WXMP_NOT_FOLLOWING 43004     /* the member does not follow the account */
#define WXMP_BAD_OPENID 40003
#define WXMP_BAD_TEMPLATE 40037
#define WXMP_DAILY_LIMIT 45009

/* One template message: POST /cgi-bin/message/template/send {touser, template_id,
 * url, data:{key:{value}}}; data_json is the data object as JSON text.  The
 * access token (GET /cgi-bin/token?grant_type=client_credential) is cached per
 * appid and secret in this process and fetched again once when WeChat says it
 * went stale (40001, 42001).
 * CAMP_OK (errcode 0); CAMP_EINVAL when this message can never go (43004,
 * 40003, 40037, a refused appid/secret: out->errcode says which);
 * CAMP_EBUSY on 45009 (the day's quota is used up: try tomorrow);
 * CAMP_EPROVIDER otherwise (retry later). */
int wxmp_template_send(const struct wxmp_cfg *cfg, const char *openid, const char *template_id,
                       const char *url, const char *data_json, struct wxmp_result *out);

/* Forgets the cached token (tests, a changed secret). */
void wxmp_token_reset(void);

#endif
