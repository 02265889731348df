/* notify.c: every minute, send the notification_message outbox (WeCom app messages, group robots). */
#include "jobfns.h"
#include "worker.h"
#include "buf.h"
#include "camp.h"
#include "clock.h"
#include "config.h"
#include "db.h"
#include "env.h"
#include "log.h"
#include "secret.h"
#include "users.h"
#include "wecom.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOTIFY_BATCH 200
#define NOTIFY_MAX_TRIES 5
#define NOTIFY_ROBOT_PER_MIN 20

/* Due rows with what sending needs: the admin's wecom_userid, the camp's sealed robot key.
 * Other channel/recipient pairs are left for whoever sends them. */
static const struct db_stmt q_due = DB_STMT(
	"SELECT n.id, n.channel, n.recipient_type, n.recipient_id, n.title, n.content, n.retry_count,"
	"       u.wecom_userid, c.robot_webhook_key"
	"  FROM notification_message n"
	"  LEFT JOIN system_user u ON n.recipient_type = 'admin' AND u.id = n.recipient_id"
	"                          AND u.deleted_at IS NULL AND u.status = 'active'"
	"  LEFT JOIN training_camp c ON n.recipient_type = 'robot' AND c.id = n.recipient_id"
	" WHERE n.send_status = 'pending'"
	"   AND ((n.channel = 'wechat' AND n.recipient_type = 'admin')"
	"        OR (n.channel = 'robot' AND n.recipient_type = 'robot'))"
	"   AND (n.next_retry_at IS NULL OR n.next_retry_at <= $1::timestamptz)"
	" ORDER BY n.next_retry_at NULLS FIRST, n.id LIMIT 200");
static const struct db_stmt q_sent = DB_STMT(
	"UPDATE notification_message SET send_status = 'sent', send_time = $2::timestamptz,"
	" error_message = NULL, updated_at = $2::timestamptz WHERE id = $1");
/* a failure: retry later with backoff, or give up after the last try */
static const struct db_stmt q_retry = DB_STMT(
	"UPDATE notification_message"
	"   SET retry_count = retry_count + 1, error_message = $3, updated_at = $2::timestamptz,"
	"       send_status = CASE WHEN retry_count + 1 >= $4::int OR $5::boolean THEN 'failed' ELSE 'pending' END,"
	"       next_retry_at = $2::timestamptz + make_interval(secs => 60 * power(2, retry_count))"
	" WHERE id = $1");
/* the robot's 20/min: not a failure, just later */
static const struct db_stmt q_defer = DB_STMT(
	"UPDATE notification_message SET next_retry_at = $2::timestamptz + interval '60 seconds',"
	" updated_at = $2::timestamptz WHERE id = $1");
static const struct db_stmt q_robot_recent = DB_STMT(
	"SELECT count(*) AS n FROM notification_message"
	" WHERE channel = 'robot' AND recipient_id = $1 AND send_status = 'sent'"
	"   AND send_time > $2::timestamptz - interval '60 seconds'");

struct tally {
	long sent, retried, failed, deferred, refused;
};

static void mark(struct job_ctx *c, const char *id, int rc, const char *error, int retry_count,
                 struct tally *t)
{
	char now[40];
	clock_now_param(now, sizeof(now));
	if (rc == CAMP_OK) {
		const char *p[] = { id, now };
		if (db_q(c->db, c->a, &q_sent, 2, p) != NULL)
			t->sent++;
		return;
	}
	if (rc == CAMP_EBUSY) {
		const char *p[] = { id, now };
		if (db_q(c->db, c->a, &q_defer, 2, p) != NULL)
			t->deferred++;
		return;
	}
	int final = rc == CAMP_EINVAL;     /* WeCom refused the message itself */
	const char *p[] = { id, now, error, arena_i64(c->a, NOTIFY_MAX_TRIES), final ? "t" : "f" };
	if (db_q(c->db, c->a, &q_retry, 5, p) == NULL)
		return;
	if (final || retry_count + 1 >= NOTIFY_MAX_TRIES)
		t->failed++;
	else
		t->retried++;
}

#define NOTIFY_GROUP_MAX 100   /* recipients of one message/send (WeCom takes 1000) */

/* Marks one row of an app message from WeCom's answer about its recipient:
 * errcode 0 does not mean this userid got it (PROTOCOLS §3), and 81013 means
 * nobody did.  A refused userid is recorded on the user for the 系统配置 page. */
static void mark_recipient(struct job_ctx *c, const PGresult *res, int i, int rc,
                           const struct wecom_result *r, struct tally *t)
{
	const char *uid = db_get(res, i, "wecom_userid");
	long long user = db_get_ll(res, i, "recipient_id", 0);
	const char *why = rc == CAMP_OK || (rc == CAMP_EINVAL && r->errcode == 81013)
	                  ? wecom_refused(r, uid) : NULL;
	if (why == NULL && rc == CAMP_EINVAL && r->errcode == 81013)
		why = "invaliduser";      /* 81013: every recipient invalid, listed or not */
	const char *error = r->error;
	if (why != NULL) {
		rc = CAMP_EINVAL;
		error = arena_printf(c->a, "企业微信拒收：%s（%s）", uid, user_wecom_refusal_label(why));
		t->refused++;
	}
	if (why != NULL || rc == CAMP_OK)
		user_wecom_mark(c->db, c->a, user, uid, why);
	if (rc != CAMP_OK && rc != CAMP_EBUSY)
		log_warn("notify: message %s: %s", db_get(res, i, "id"), error);
	mark(c, db_get(res, i, "id"), rc, error, (int)db_get_ll(res, i, "retry_count", 0), t);
}

/* Row i and every later due app-message row with the same title and content
 * (one staff alert to several admins) go out as one message/send. */
static void send_app_group(struct job_ctx *c, const PGresult *res, int i, char *done,
                           const struct wecom_cfg *cfg, struct tally *t)
{
	const char *title = db_get(res, i, "title"), *content = db_get(res, i, "content");
	int n = PQntuples(res), members[NOTIFY_GROUP_MAX], k = 0;
	struct buf to = BUF_INIT;
	for (int j = i; j < n && k < NOTIFY_GROUP_MAX; j++) {
		const char *uid = db_get(res, j, "wecom_userid");
		if (done[j] || strcmp(db_get(res, j, "channel"), "wechat") || uid == NULL || !*uid ||
		    strcmp(db_get(res, j, "title"), title) || strcmp(db_get(res, j, "content"), content))
			continue;
		done[j] = 1;
		members[k++] = j;
		buf_printf(&to, "%s%s", to.len ? "|" : "", uid);
	}
	struct wecom_result r;
	int rc = wecom_send_text(cfg, to.s, arena_printf(c->a, "【%s】\n%s", title, content), &r);
	buf_free(&to);
	for (int m = 0; m < k; m++)
		mark_recipient(c, res, members[m], rc, &r, t);
}

int job_notify(struct job_ctx *c)
{
	char now[40];
	const char *p[] = { clock_now_param(now, sizeof(now)) };
	PGresult *res = db_q(c->db, c->a, &q_due, 1, p);
	if (res == NULL) {
		job_fail(c, "数据库不可用");
		return CAMP_EDB;
	}
	char *corp = config_get(c->db, "wechat.corp_id");
	char *secret = config_get(c->db, "wechat.app_secret");
	long long agent = config_get_ll(c->db, "wechat.agent_id", 0);
	struct wecom_cfg cfg = { camp_env()->wecom_base, arena_strdup(c->a, corp),
	                         arena_strdup(c->a, secret), (long)agent };
	free(corp);
	free(secret);
	int app_ready = cfg.base_url && *cfg.base_url && cfg.corp_id && *cfg.corp_id &&
	                cfg.secret && *cfg.secret && agent > 0;
	struct tally t = { 0 };
	int n = PQntuples(res);
	char *done = arena_alloc(c->a, (size_t)n + 1);
	memset(done, 0, (size_t)n + 1);
	for (int i = 0; i < n && !job_stopping(c); i++) {
		if (done[i])
			continue;
		const char *id = db_get(res, i, "id"), *channel = db_get(res, i, "channel");
		const char *content = db_get(res, i, "content");
		int tries = (int)db_get_ll(res, i, "retry_count", 0);
		struct wecom_result r;
		memset(&r, 0, sizeof(r));
		int rc;
		if (!strcmp(channel, "wechat")) {
			const char *to = db_get(res, i, "wecom_userid");
			if (to == NULL || !*to) {
				rc = CAMP_EINVAL;
				snprintf(r.error, sizeof(r.error), "接收人未设置企业微信 userid");
			} else if (!app_ready) {
				rc = CAMP_EPROVIDER;
				snprintf(r.error, sizeof(r.error), "企业微信应用未配置（wechat.corp_id / agent_id / app_secret）");
			} else {
				send_app_group(c, res, i, done, &cfg, &t);
				job_progress(c, i + 1, n, NULL);
				continue;
			}
		} else {
			const char *sealed = db_get(res, i, "robot_webhook_key");
			char *key = sealed && *sealed ? secret_open("camp.robot_webhook_key", sealed) : NULL;
			const char *pr[] = { db_get(res, i, "recipient_id"), now };
			PGresult *recent = key ? db_q(c->db, c->a, &q_robot_recent, 2, pr) : NULL;
			if (key == NULL) {
				rc = CAMP_EINVAL;
				snprintf(r.error, sizeof(r.error), "训练营未设置群机器人");
			} else if (recent == NULL) {
				rc = CAMP_EPROVIDER;
				snprintf(r.error, sizeof(r.error), "数据库不可用");
			} else if (db_get_ll(recent, 0, "n", 0) >= NOTIFY_ROBOT_PER_MIN) {
				rc = CAMP_EBUSY;
			} else {
				rc = wecom_robot_send(cfg.base_url, key, content, &r);
			}
			free(key);
		}
		if (rc != CAMP_OK && rc != CAMP_EBUSY)
			log_warn("notify: message %s: %s", id, r.error);
		mark(c, id, rc, r.error, tries, &t);
		job_progress(c, i + 1, n, NULL);
	}
	c->interrupted = job_stopping(c);
	json_object_object_add(c->detail, "due", json_object_new_int(n));
	json_object_object_add(c->detail, "sent", json_object_new_int64(t.sent));
	json_object_object_add(c->detail, "retry", json_object_new_int64(t.retried));
	json_object_object_add(c->detail, "failed", json_object_new_int64(t.failed));
	json_object_object_add(c->detail, "deferred", json_object_new_int64(t.deferred));
	json_object_object_add(c->detail, "refused", json_object_new_int64(t.refused));
	return CAMP_OK;
}
