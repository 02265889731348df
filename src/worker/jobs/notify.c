/* notify.c: every minute, send the notification_message outbox (WeCom app messages, group robots,
 * official-account template messages to members). */
#include "jobfns.h"
#include "worker.h"
#include "buf.h"
#include "camp.h"
#include "camps.h"
#include "clock.h"
#include "config.h"
#include "crypto.h"
#include "dates.h"
#include "buf.h"
#include "db.h"
#include "env.h"
#include "log.h"
#include "alerts.h"
#include "notices.h"
#include "paydata.h"
#include "secret.h"
#include "users.h"
#include "wecom.h"
#include "wxmp.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOTIFY_BATCH 200            /* rows a batch takes (q_due's LIMIT) */
#define NOTIFY_MAX_BATCHES 25       /* batches a run takes at most */
#define NOTIFY_MAX_TRIES 5
#define NOTIFY_ROBOT_PER_MIN 20

/* Due staff rows with what sending needs: the recipient's wecom_userid.  Group
 * robots and members have passes of their own (below); other channel/recipient
 * pairs are left for whoever sends them. */
static const struct db_stmt q_due = DB_STMT(
	"SELECT n.id, n.channel, n.recipient_type, n.recipient_id, n.title, n.content, n.retry_count,"
	"       u.wecom_userid"
	"  FROM notification_message n"
	"  LEFT JOIN system_user u ON n.recipient_type = 'admin' AND u.id = n.recipient_id"
	"                          AND u.deleted_at IS NULL AND u.status = 'active'"
	" WHERE n.send_status = 'pending' AND n.channel = 'wechat' AND n.recipient_type = 'admin'"
	"   AND (n.next_retry_at IS NULL OR n.next_retry_at <= $1::timestamptz)"
	" ORDER BY n.next_retry_at NULLS FIRST, n.id LIMIT 200");
/* $1 is a list of ids ("{1,2}"): a robot message carries many rows */
static const struct db_stmt q_sent = DB_STMT(
	"UPDATE notification_message SET send_status = 'sent', send_time = $2::timestamptz,"
	" error_message = NULL, updated_at = $2::timestamptz WHERE id = ANY ($1::bigint[])");
/* a failure: retry later with backoff, or give up after the last try */
static const struct db_stmt q_retry = DB_STMT(
	"UPDATE notification_message"
	"   SET retry_count = retry_count + 1, error_message = $3, updated_at = $2::timestamptz,"
	"       send_status = CASE WHEN retry_count + 1 >= $4::int OR $5::boolean THEN 'failed' ELSE 'pending' END,"
	"       next_retry_at = $2::timestamptz + make_interval(secs => 60 * power(2, retry_count))"
	" WHERE id = ANY ($1::bigint[])");
/* a limit (the robot's 20/min, the official account's daily quota): not a
 * failure, just later ($3) */
static const struct db_stmt q_defer = DB_STMT(
	"UPDATE notification_message SET next_retry_at = $3::timestamptz,"
	" updated_at = $2::timestamptz WHERE id = ANY ($1::bigint[])");
/* no longer due: the member left the camp or was refunded */
static const struct db_stmt q_cancel = DB_STMT(
	"UPDATE notification_message SET send_status = 'cancelled', error_message = $3,"
	" updated_at = $2::timestamptz WHERE id = ANY ($1::bigint[])");

struct tally {
	long sent, retried, failed, deferred, refused, cancelled;
};

/* Marks the rows of ids ("{1,2}", n rows) after one send: sent; deferred to
 * `later` (CAMP_EBUSY); failed for good (CAMP_EINVAL: the provider refused the
 * message itself); or retried with backoff. */
static void mark_rows(struct job_ctx *c, const char *ids, long n, int rc, const char *error,
                      int retry_count, time_t later, struct tally *t)
{
	char now[40], at[40];
	clock_now_param(now, sizeof(now));
	if (rc == CAMP_OK) {
		const char *p[] = { ids, now };
		if (db_q(c->db, c->a, &q_sent, 2, p) != NULL)
			t->sent += n;
		return;
	}
	if (rc == CAMP_EBUSY) {
		const char *p[] = { ids, now, clock_rfc3339(later, at, sizeof(at)) };
		if (db_q(c->db, c->a, &q_defer, 3, p) != NULL)
			t->deferred += n;
		return;
	}
	int final = rc == CAMP_EINVAL;
	const char *p[] = { ids, now, error, arena_i64(c->a, NOTIFY_MAX_TRIES), final ? "t" : "f" };
	if (db_q(c->db, c->a, &q_retry, 5, p) == NULL)
		return;
	if (final || retry_count + 1 >= NOTIFY_MAX_TRIES)
		t->failed += n;
	else
		t->retried += n;
}

static void mark(struct job_ctx *c, const char *id, int rc, const char *error, int retry_count,
                 struct tally *t)
{
	mark_rows(c, arena_printf(c->a, "{%s}", id), 1, rc, error, retry_count, camp_now() + 60, t);
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

/* ---- group robots (issue #16): the notices of a camp packed into few messages,
 *      paced per robot key ------------------------------------------------------ */

#define ROBOT_SETTLE_S 60     /* a batch still growing: its last, partial message waits… */
#define ROBOT_HOLD_MAX_S 300  /* …but never longer than this */

/* camps with due robot notices; `settled` = no new notice for a minute, or
 * the oldest has waited long enough: a partial last message may go */
static const struct db_stmt q_robot_camps = DB_STMT(
	"SELECT n.recipient_id AS camp_id, c.robot_webhook_key,"
	"       max(n.created_at) <= $1::timestamptz - make_interval(secs => $2::int)"
	"       OR min(n.created_at) <= $1::timestamptz - make_interval(secs => $3::int) AS settled"
	"  FROM notification_message n LEFT JOIN training_camp c ON c.id = n.recipient_id"
	" WHERE n.send_status = 'pending' AND n.channel = 'robot' AND n.recipient_type = 'robot'"
	" GROUP BY n.recipient_id, c.robot_webhook_key"
	" HAVING bool_or(n.next_retry_at IS NULL OR n.next_retry_at <= $1::timestamptz)"
	" ORDER BY min(n.id) LIMIT 100");
static const struct db_stmt q_robot_rows = DB_STMT(
	"SELECT id, message_type, title, content, retry_count FROM notification_message"
	" WHERE send_status = 'pending' AND channel = 'robot' AND recipient_type = 'robot'"
	"   AND recipient_id = $1"
	" ORDER BY message_type, id LIMIT 5000");
static const struct db_stmt q_robot_recent = DB_STMT(
	"SELECT count(*) AS n FROM robot_send_log"
	" WHERE key_sha256 = $1 AND sent_at > $2::timestamptz - interval '60 seconds'");
static const struct db_stmt q_robot_log = DB_STMT(
	"INSERT INTO robot_send_log (key_sha256, camp_id, lines, bytes, sent_at)"
	" VALUES ($1, $2, $3, $4, $5::timestamptz)");
static const struct db_stmt q_robot_prune = DB_STMT(
	"DELETE FROM robot_send_log WHERE sent_at < $1::timestamptz - interval '1 day'");

/* The opening of a packed message; refund notices follow PRD §6.3.2. */
static const char *robot_header(arena *a, const char *type, const char *title)
{
	if (!strcmp(type, "refund_success"))
		return "**【退款通知】**\n恭喜以下学员完成训练营打卡，押金已退回！";
	return arena_printf(a, "**【%s】**", notice_robot_line(a, title));
}

/* "{id of row from, …, id of row from+k-1}" */
static const char *id_list(arena *a, const PGresult *res, int from, int k)
{
	struct buf b = BUF_INIT;
	buf_putc(&b, '{');
	for (int i = from; i < from + k; i++)
		buf_printf(&b, "%s%s", i > from ? "," : "", db_get(res, i, "id"));
	buf_putc(&b, '}');
	const char *s = arena_strdup(a, b.s);
	buf_free(&b);
	return s;
}
/* The due notices of one camp: packed per notice type into markdown messages
 * of at most 4096 bytes (text allows only 2048), at most 20 a minute per robot
 * key (camps may share one). */
static void robot_camp(struct job_ctx *c, const char *base, const char *camp_id,
                       const char *sealed, int settled, struct tally *t)
{
	char now[40];
	clock_now_param(now, sizeof(now));
	time_t later = camp_now() + 60;
	PGresult *rows = db_q(c->db, c->a, &q_robot_rows, 1, (const char *[]){ camp_id });
	int n = rows ? PQntuples(rows) : 0;
	if (n == 0)
		return;
	const char **lines = arena_alloc(c->a, (size_t)n * sizeof(*lines));
	for (int i = 0; i < n; i++)
		lines[i] = notice_robot_line(c->a, db_get(rows, i, "content"));
	char *key = sealed && *sealed ? secret_open(CAMP_ROBOT_KEY_NAME, sealed) : NULL;
	if (key == NULL) {
		mark_rows(c, id_list(c->a, rows, 0, n), n, CAMP_EINVAL, "训练营未设置群机器人", 0, later, t);
		return;
	}
	char hash[65];
	crypto_sha256_hex(key, strlen(key), hash);
	PGresult *recent = db_q(c->db, c->a, &q_robot_recent, 2, (const char *[]){ hash, now });
	long budget = recent ? NOTIFY_ROBOT_PER_MIN - db_get_ll(recent, 0, "n", 0) : 0;
	for (int from = 0, end; from < n && !job_stopping(c); from = end) {
		const char *type = db_get(rows, from, "message_type");
		for (end = from; end < n && !strcmp(db_get(rows, end, "message_type"), type); end++)
			;
		const char *header = robot_header(c->a, type, db_get(rows, from, "title"));
		for (int i = from, k; i < end; i += k) {
			k = notice_robot_fit(header, lines, i, end, NOTICE_ROBOT_MAX_BYTES);
			if (i + k >= end && !settled)
				break;          /* the batch may still grow: its last message waits */
			if (budget <= 0) {  /* the key's 20 a minute are spent: the rest goes later */
				mark_rows(c, id_list(c->a, rows, i, n - i), n - i, CAMP_EBUSY, NULL, 0, later, t);
				goto done;
			}
			char *text = notice_robot_text(header, lines, i, k, NOTICE_ROBOT_MAX_BYTES);
			struct wecom_result r;
			int rc = wecom_robot_markdown(base, key, text, &r);
			if (rc == CAMP_OK) {
				budget--;
				const char *lp[] = { hash, camp_id, arena_i64(c->a, k),
				                     arena_i64(c->a, (long long)strlen(text)), now };
				db_q(c->db, c->a, &q_robot_log, 5, lp);
			}
			free(text);
			if (rc == CAMP_EBUSY) {
				mark_rows(c, id_list(c->a, rows, i, n - i), n - i, CAMP_EBUSY, NULL, 0, later, t);
				goto done;
			}
			if (rc != CAMP_OK)
				log_warn("notify: robot message of camp %s: %s", camp_id, r.error);
			mark_rows(c, id_list(c->a, rows, i, k), k, rc, r.error,
			          (int)db_get_ll(rows, i, "retry_count", 0), later, t);
		}
	}
done:
	free(key);
}

static void send_robots(struct job_ctx *c, struct tally *t)
{
	char now[40];
	const char *p[] = { clock_now_param(now, sizeof(now)), arena_i64(c->a, ROBOT_SETTLE_S),
	                    arena_i64(c->a, ROBOT_HOLD_MAX_S) };
	PGresult *res = db_q(c->db, c->a, &q_robot_camps, 3, p);
	for (int i = 0; res && i < PQntuples(res) && !job_stopping(c); i++)
		robot_camp(c, camp_env()->wecom_base, db_get(res, i, "camp_id"),
		           db_get(res, i, "robot_webhook_key"), db_get_bool(res, i, "settled"), t);
	db_q(c->db, c->a, &q_robot_prune, 1, p);
}

/* ---- members (issue #16): official-account template messages ------------------ */

static const struct db_stmt q_member_due = DB_STMT(
	"SELECT n.id, n.message_type, n.title, n.content, n.retry_count, n.extra_data->>'url' AS url,"
	"       to_char(n.created_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') AS created,"
	"       m.id AS member_id, m.openid_sealed AS member_openid, p.id AS payment_id,"
	"       p.openid_sealed AS payment_openid, t.name AS camp_name,"
	"       (m.deleted_at IS NOT NULL OR p.id IS NULL OR p.refunded_amount > 0"
	"        OR p.bind_status = 'closed') AS gone"
	"  FROM notification_message n JOIN camp_member m ON m.id = n.recipient_id"
	"  JOIN training_camp t ON t.id = m.camp_id"
	"  LEFT JOIN LATERAL (SELECT p.* FROM payment_record p WHERE p.member_id = m.id"
	"                       AND p.pay_status IN ('success', 'refunded') AND p.deleted_at IS NULL"
	"                     ORDER BY p.id DESC LIMIT 1) p ON true"
	" WHERE n.send_status = 'pending' AND n.channel = 'mp' AND n.recipient_type = 'member'"
	"   AND (n.next_retry_at IS NULL OR n.next_retry_at <= $1::timestamptz)"
	" ORDER BY n.next_retry_at NULLS FIRST, n.id LIMIT 200");

/* The member's openid, sealed on the member or its payment (NULL: none, or it
 * does not open — the row then fails like a member without one, and the log
 * says why). */
static const char *member_openid(arena *a, const PGresult *res, int i)
{
	const char *o = pd_open(a, PD_MEMBER_OPENID, db_get(res, i, "member_id"),
	                        db_get(res, i, "member_openid"));
	if (o == NULL && db_get(res, i, "payment_id") != NULL)
		o = pd_open(a, PD_PAY_OPENID, db_get(res, i, "payment_id"), db_get(res, i, "payment_openid"));
	return o;
}

/* The template's data: first, keyword1 (camp), keyword2 (the notice), keyword3 (time), remark. */
static const char *template_data(arena *a, const PGresult *res, int i)
{
	struct json_object *d = json_object_new_object();
	const char *keys[][2] = {
		{ "first", db_get(res, i, "title") }, { "keyword1", db_get(res, i, "camp_name") },
		{ "keyword2", db_get(res, i, "content") }, { "keyword3", db_get(res, i, "created") },
		{ "remark", "点击查看详情" },
	};
	for (size_t k = 0; k < CAMP_ARRAY_LEN(keys); k++) {
		struct json_object *v = json_object_new_object();
		json_object_object_add(v, "value", json_object_new_string(keys[k][1] ? keys[k][1] : ""));
		json_object_object_add(d, keys[k][0], v);
	}
	const char *s = arena_strdup(a, json_object_to_json_string_ext(d, JSON_C_TO_STRING_PLAIN |
	                                                                  JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(d);
	return s;
}

/* A configuration problem of the official account: admins hear of it once a day. */
static void alert_member_channel(struct job_ctx *c, const char *why)
{
	char day[12];
	struct alert al = { "member_notice_failed", "会员通知发不出去", why, 0, 0,
	                    arena_printf(c->a, "member-notice:%s", cday_format(cday_of(camp_now()), day, sizeof(day))) };
	if (alert_staff(c->db, c->a, &al, NULL) != CAMP_OK)
		log_err("notify: cannot queue the member-channel alert");
}

/* One batch of due member notices; the rows it saw (0 when there is nothing
 * more to do now: the quiet hours, the day's quota used up). */
static int send_members(struct job_ctx *c, struct tally *t, long *held)
{
	time_t now = camp_now();
	char ts[40];
	if (notice_quiet(c->db, now, NULL)) {
		*held = 1;              /* quiet hours: due notices wait until the morning */
		return 0;
	}
	PGresult *res = db_q(c->db, c->a, &q_member_due, 1, (const char *[]){ clock_rfc3339(now, ts, sizeof(ts)) });
	int n = res ? PQntuples(res) : 0;
	if (n == 0)
		return 0;
	char *appid = config_get(c->db, "wechat.pay_appid"), *secret = config_get(c->db, "wechat.pay_app_secret");
	struct wxmp_cfg cfg = { camp_env()->wxapi_base, arena_strdup(c->a, appid), arena_strdup(c->a, secret) };
	free(appid);
	free(secret);
	int ready = cfg.base_url && *cfg.base_url && cfg.appid && *cfg.appid && cfg.secret && *cfg.secret;
	for (int i = 0; i < n && !job_stopping(c); i++) {
		const char *id = db_get(res, i, "id"), *openid = member_openid(c->a, res, i);
		const char *type = db_get(res, i, "message_type");
		const struct notice_type *nt = notice_type_find(type);
		char *tpl = nt ? config_get(c->db, nt->template_key) : NULL;
		struct wxmp_result r = { 0, "" };
		int rc;
		if (db_get_bool(res, i, "gone") && strcmp(type, "refund_success") != 0) {
			const char *p[] = { arena_printf(c->a, "{%s}", id), ts, "会员已退营或已退款，不再发送" };
			if (db_q(c->db, c->a, &q_cancel, 3, p) != NULL)
				t->cancelled++;
			free(tpl);
			continue;
		} else if (openid == NULL && (db_get(res, i, "member_openid") || db_get(res, i, "payment_openid"))) {
			/* sealed under a master key this process does not hold (a rotation
			 * it missed): not the member's fault, retried once restarted */
			rc = CAMP_EPROVIDER;
			snprintf(r.error, sizeof(r.error), "会员 openid 无法解密（本进程的主密钥不是数据库当前的主密钥，需重启服务）");
		} else if (openid == NULL || !*openid) {
			rc = CAMP_EINVAL;
			snprintf(r.error, sizeof(r.error), "会员没有在微信内支付（无 openid），无法推送；已显示在会员的页面上");
		} else if (tpl == NULL || !*tpl) {
			rc = CAMP_EINVAL;
			snprintf(r.error, sizeof(r.error), "未配置公众号模板消息 ID（系统配置 › 通知 › %s）；已显示在会员的页面上",
			         nt ? nt->label : type);
		} else if (!ready) {
			rc = CAMP_EPROVIDER;
			snprintf(r.error, sizeof(r.error), "公众号未配置（wechat.pay_appid / wechat.pay_app_secret）");
		} else {
			rc = wxmp_template_send(&cfg, openid, tpl, db_get(res, i, "url"), template_data(c->a, res, i), &r);
			if (rc == CAMP_EINVAL && r.errcode == WXMP_NOT_FOLLOWING)
				snprintf(r.error, sizeof(r.error), "会员未关注公众号（43004），无法推送；已显示在会员的页面上");
			else if (rc == CAMP_EINVAL && r.errcode == WXMP_BAD_OPENID)
				snprintf(r.error, sizeof(r.error), "会员的 openid 无效（40003）；已显示在会员的页面上");
			else if (rc == CAMP_EINVAL && r.errcode == WXMP_BAD_TEMPLATE)
				alert_member_channel(c, arena_printf(c->a, "「%s」的公众号模板 ID 无效（40037），会员收不到这类通知，请在系统配置 › 通知中更正。",
				                                     nt ? nt->label : type));
			else if (rc == CAMP_EINVAL) {
				/* the appid or secret was refused: every member is affected, retry */
				rc = CAMP_EPROVIDER;
				alert_member_channel(c, arena_printf(c->a, "公众号拒绝了 AppID / AppSecret（%s），会员通知暂时发不出去。", r.error));
			}
		}
		free(tpl);
		if (rc == CAMP_EBUSY) {
			/* 45009: the account's quota for today is used up; the rest goes tomorrow */
			const char *rest = id_list(c->a, res, i, n - i);
			mark_rows(c, rest, n - i, CAMP_EBUSY, NULL, 0, notice_next_morning(c->db, now), t);
			alert_member_channel(c, "公众号模板消息今日调用次数已用完（45009），其余会员通知将在明天早上发送。");
			return 0;
		}
		if (rc != CAMP_OK)
			log_warn("notify: member notice %s: %s", id, r.error);
		mark(c, id, rc, r.error, (int)db_get_ll(res, i, "retry_count", 0), t);
	}
	return n;
}

/* One batch of due staff rows (WeCom app messages); the rows it saw, -1
 * when the database is unavailable. */
static int send_staff(struct job_ctx *c, const struct wecom_cfg *cfg, int app_ready,
                      struct tally *t)
{
	char now[40];
	const char *p[] = { clock_now_param(now, sizeof(now)) };
	PGresult *res = db_q(c->db, c->a, &q_due, 1, p);
	if (res == NULL)
		return -1;
	int n = PQntuples(res);
	char *done = arena_alloc(c->a, (size_t)n + 1);
	memset(done, 0, (size_t)n + 1);
	for (int i = 0; i < n && !job_stopping(c); i++) {
		if (done[i])
			continue;
		const char *id = db_get(res, i, "id");
		int tries = (int)db_get_ll(res, i, "retry_count", 0);
		struct wecom_result r;
		memset(&r, 0, sizeof(r));
		int rc;
		const char *to = db_get(res, i, "wecom_userid");
		if (to == NULL || !*to) {
			rc = CAMP_EINVAL;
			snprintf(r.error, sizeof(r.error), "接收人未设置企业微信 userid");
		} else if (!app_ready) {
			rc = CAMP_EPROVIDER;
			snprintf(r.error, sizeof(r.error), "企业微信应用未配置（wechat.corp_id / agent_id / app_secret）");
		} else {
			send_app_group(c, res, i, done, cfg, t);
			job_progress(c, i + 1, n, NULL);
			continue;
		}
		log_warn("notify: message %s: %s", id, r.error);
		mark(c, id, rc, r.error, tries, t);
		job_progress(c, i + 1, n, NULL);
	}
	return n;
}

int job_notify(struct job_ctx *c)
{
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
	/* a burst (an alert to every admin, issue #16's reminders) drains in one
	 * run, batch after batch: a sent or failed row is no longer due */
	int n = 0;
	for (int batch = 0; batch < NOTIFY_MAX_BATCHES && !job_stopping(c); batch++) {
		int k = send_staff(c, &cfg, app_ready, &t);
		if (k < 0) {
			job_fail(c, "数据库不可用");
			return CAMP_EDB;
		}
		n += k;
		if (k < NOTIFY_BATCH)
			break;
	}
	long held = 0;
	if (!job_stopping(c))
		send_robots(c, &t);
	for (int batch = 0; batch < NOTIFY_MAX_BATCHES && !job_stopping(c); batch++)
		if (send_members(c, &t, &held) < NOTIFY_BATCH)
			break;
	c->interrupted = job_stopping(c);
	json_object_object_add(c->detail, "due", json_object_new_int(n));
	json_object_object_add(c->detail, "sent", json_object_new_int64(t.sent));
	json_object_object_add(c->detail, "retry", json_object_new_int64(t.retried));
	json_object_object_add(c->detail, "failed", json_object_new_int64(t.failed));
	json_object_object_add(c->detail, "deferred", json_object_new_int64(t.deferred));
	json_object_object_add(c->detail, "refused", json_object_new_int64(t.refused));
	json_object_object_add(c->detail, "cancelled", json_object_new_int64(t.cancelled));
	json_object_object_add(c->detail, "members_held", json_object_new_boolean(held != 0));
	return CAMP_OK;
}
