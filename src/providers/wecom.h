/* wecom.h: WeCom (企业微信) app messages and group robots (PROTOCOLS §3). */
#ifndef CAMP_WECOM_H
#define CAMP_WECOM_H

#include <stddef.h>

struct wecom_cfg {
	const char *base_url;        /* CAMP_WECOM_BASE_URL */
	const char *corp_id;         /* wechat.corp_id */
	const char *secret;          /* wechat.app_secret */
	long agent_id;               /* wechat.agent_id */
};

struct wecom_result {
	int errcode;                 /* WeCom's errcode; -1000 when no answer came */
	char error[256];             /* for people and the outbox's error_message */
	/* message/send: recipients that got nothing ("u1|u2"), also with errcode 0 */
	char invaliduser[1024];      /* no such member */
	char unlicenseduser[1024];   /* a member without an interface license */
};

/* Sends a text app message to touser ("u1|u2").  The access token is cached
 * per secret (in this process) and refreshed once on 40014/42001; -1 (busy)
 * is retried up to 3 times.  CAMP_OK when errcode is 0 — which does not mean
 * everyone got it: ask wecom_refused() per recipient (PROTOCOLS §3);
 * CAMP_EINVAL when WeCom refused the message itself (81013: every
 * recipient invalid; 40035, size) — do not retry; CAMP_EPROVIDER otherwise
 * (retry later). */
int wecom_send_text(const struct wecom_cfg *cfg, const char *touser, const char *content,
                    struct wecom_result *out);
/* Why WeCom did not deliver a message/send to userid: "invaliduser",
 * "unlicenseduser", or NULL (delivered, as far as WeCom says). */
const char *wecom_refused(const struct wecom_result *r, const char *userid);

/* Posts a text message to a group robot.  CAMP_OK; CAMP_EBUSY on 45009 (the
 * robot's 20/min limit); CAMP_EINVAL for a bad key or content; CAMP_EPROVIDER
 * otherwise. */
int wecom_robot_send(const char *base_url, const char *key, const char *content,
                     struct wecom_result *out);
/* The same as a markdown message (≤ 4096 bytes instead of text's 2048; issue #16). */
int wecom_robot_markdown(const char *base_url, const char *key, const char *content,
                         struct wecom_result *out);

/* One external-pay bill (对外收款, PROTOCOLS §3): a payment to a WeCom collection code. */
struct wecom_bill {
	char transaction_id[128];
	char out_trade_no[128];
	char payee_userid[128];
	char remark[256];
	char payer_name[128];
	long long total_fee;         /* fen */
	long long total_refund_fee;  /* fen refunded in WeCom already (0 when absent) */
	long long pay_time;          /* Unix seconds */
	int bill_type;               /* 0 pay, 1 refund; absent (older revision) = 0 */
	int trade_state;             /* 1 done, 3 done with refund */
};

struct json_object;
/* One item of bill_list (PROTOCOLS §3), bill_type 0 when absent. */
void wecom_bill_from_json(struct json_object *item, struct wecom_bill *out);

/* One page of POST /cgi-bin/externalpay/get_bill_list for [begin, end] (≤ 1
 * month) and payee (may be NULL), from cursor ("" for the first page).
 * cfg->secret is the external-pay app's secret.  Fills up to max bills,
 * *n, and next_cursor ("" when this was the last page; ≥ 64 bytes).
 * CAMP_OK; CAMP_EINVAL on 48002 (no permission); CAMP_EPROVIDER otherwise. */
int wecom_bill_list(const struct wecom_cfg *cfg, long long begin, long long end,
                    const char *payee, const char *cursor, struct wecom_bill *bills,
                    size_t max, size_t *n, char *next_cursor, struct wecom_result *out);

/* Fetches a fresh access token for cfg (测试连接).  CAMP_OK or CAMP_EPROVIDER
 * with WeCom's errcode in out. */
int wecom_check(const struct wecom_cfg *cfg, struct wecom_result *out);

/* Forgets cached tokens (tests, a changed secret). */
void wecom_token_reset(void);

#endif
