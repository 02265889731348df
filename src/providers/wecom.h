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
};

/* Sends a text app message to touser ("u1|u2").  The access token is cached
 * per secret (in this process) and refreshed once on 40014/42001; -1 (busy)
 * is retried up to 3 times.  CAMP_OK when errcode is 0; CAMP_EINVAL when
 * WeCom refused the message itself (bad recipient 81013/40035, size) — do
 * not retry; CAMP_EPROVIDER otherwise (retry later). */
int wecom_send_text(const struct wecom_cfg *cfg, const char *touser, const char *content,
                    struct wecom_result *out);

/* Posts a text message to a group robot.  CAMP_OK; CAMP_EBUSY on 45009 (the
 * robot's 20/min limit); CAMP_EINVAL for a bad key or content; CAMP_EPROVIDER
 * otherwise. */
int wecom_robot_send(const char *base_url, const char *key, const char *content,
                     struct wecom_result *out);

/* Forgets cached tokens (tests, a changed secret). */
void wecom_token_reset(void);

#endif
