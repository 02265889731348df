/* watchdog.c: the dead-man figures, their alerts once a day, and the last findings for readers. */
#include "watchdog.h"
#include "alerts.h"
#include "camp.h"
#include "clock.h"
#include "dates.h"
#include "db.h"
#include "log.h"

#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>

#define WD_MAX_FINDINGS 64
#define REFUND_STUCK_S (3 * 86400L)
#define ORDER_UNCLOSED_S (2 * 3600L)
#define OUTBOX_FAILING_S 3600L
#define BACKUP_MAX_AGE_S (26 * 3600L)
#define VOLUME_FRESH_S 3600L
#define DISK_MIN_FREE_PERMILLE 100

/* ---- reading the figures ------------------------------------------------ */

/* Per job: the last success at or before now, and when the job first ran.
 * Rows "in the future" of now (a test clock moved back) do not count. */
static const struct db_stmt q_jobs = DB_STMT(
	"SELECT job,"
	" extract(epoch FROM max(finished_at) FILTER (WHERE outcome = 'success'"
	"         AND finished_at <= $1::timestamptz))::bigint AS last_ok,"
	" to_char(max(finished_at) FILTER (WHERE outcome = 'success' AND finished_at <= $1::timestamptz)"
	"         AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') AS last_ok_text"
	" FROM job_run GROUP BY job");
/* Since when jobs have been running at all: a job that never succeeded is
 * stale only once the worker has been around for two of its periods. */
static const struct db_stmt q_first_run = DB_STMT(
	"SELECT extract(epoch FROM min(started_at))::bigint AS first"
	" FROM job_run WHERE started_at <= $1::timestamptz");
static const struct db_stmt q_refunds = DB_STMT(
	"SELECT count(*) AS n FROM refund_record"
	" WHERE refund_status = 'processing' AND deleted_at IS NULL"
	"   AND COALESCE(execute_time, updated_at) <= $1::timestamptz - make_interval(secs => $2::int)");
static const struct db_stmt q_orders = DB_STMT(
	"SELECT count(*) AS n FROM payment_record"
	" WHERE pay_status = 'pending' AND deleted_at IS NULL"
	"   AND time_expire <= $1::timestamptz - make_interval(secs => $2::int)");
/* Undelivered after at least one error, queued more than an hour ago (and
 * within the last day, so one failure is not reported for ever).  A member
 * the official account cannot reach (not following, no openid: failed for
 * good) is no outbox failure: their pages and the camp's member tab show it
 * (issue #16). */
static const struct db_stmt q_outbox = DB_STMT(
	"SELECT count(*) AS n FROM notification_message"
	" WHERE send_status IN ('pending', 'failed') AND retry_count > 0"
	"   AND NOT (recipient_type = 'member' AND send_status = 'failed')"
	"   AND created_at <= $1::timestamptz - make_interval(secs => $2::int)"
	"   AND created_at > $1::timestamptz - interval '1 day'");
static const struct db_stmt q_backup = DB_STMT(
	"SELECT"
	" (SELECT extract(epoch FROM max(finished_at))::bigint FROM backup_run"
	"   WHERE outcome = 'verified' AND finished_at <= $1::timestamptz) AS last_ok,"
	" (SELECT to_char(max(finished_at) AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI')"
	"   FROM backup_run WHERE outcome = 'verified' AND finished_at <= $1::timestamptz) AS last_ok_text,"
	" l.outcome, l.offsite, l.error"
	" FROM (SELECT 1) one LEFT JOIN LATERAL (SELECT outcome, offsite, error FROM backup_run"
	"   WHERE finished_at <= $1::timestamptz ORDER BY finished_at DESC, id DESC LIMIT 1) l ON true");
static const struct db_stmt q_volume = DB_STMT(
	"SELECT host, path, free_bytes, total_bytes FROM db_volume"
	" WHERE measured_at <= $1::timestamptz"
	"   AND measured_at > $1::timestamptz - make_interval(secs => $2::int)"
	" ORDER BY free_bytes::numeric / total_bytes, host LIMIT 1");

static struct wd_finding *add(struct wd_report *r, const char *condition, const char *subject,
                              int ok, long long value, const char *message)
{
	if (r->n >= WD_MAX_FINDINGS)
		return NULL;
	struct wd_finding *f = &r->f[r->n++];
	f->condition = condition;
	f->subject = subject ? subject : "";
	f->ok = ok;
	f->value = value;
	f->message = message;
	r->problems += !ok;
	return f;
}

/* "2 分钟", "3 小时", "2 天" for a period or an age. */
static const char *span(arena *a, long long s)
{
	if (s >= 86400 && s % 86400 == 0)
		return arena_printf(a, "%lld 天", s / 86400);
	if (s >= 3600)
		return arena_printf(a, "%lld 小时", s / 3600);
	return arena_printf(a, "%lld 分钟", s / 60 > 0 ? s / 60 : 1);
}

static long long count_of(struct db *d, arena *a, const struct db_stmt *st, const char *now, long secs)
{
	const char *p[] = { now, arena_i64(a, secs) };
	PGresult *res = db_q(d, a, st, 2, p);
	return res ? db_get_ll(res, 0, "n", 0) : -1;
}

static int eval_jobs(struct db *d, arena *a, time_t now, const char *nowp, long long since,
                     const struct wd_job *jobs, size_t njobs, struct wd_report *r)
{
	const char *p[] = { nowp };
	PGresult *res = db_q(d, a, &q_jobs, 1, p);
	if (res == NULL)
		return CAMP_EDB;
	for (size_t i = 0; i < njobs; i++) {
		const struct wd_job *j = &jobs[i];
		long long last = 0;
		const char *last_text = NULL;
		for (int k = 0; k < PQntuples(res); k++)
			if (!strcmp(db_get(res, k, "job"), j->name)) {
				last = db_get_ll(res, k, "last_ok", 0);
				last_text = db_get(res, k, "last_ok_text");
			}
		long long limit = 2LL * j->period_s;
		int ok;
		const char *msg;
		if (last > 0) {
			ok = (long long)now - last <= limit;
			msg = arena_printf(a, "「%s」最近一次成功在 %s，%s超过 %s（每 %s 运行一次）",
			                   j->label, last_text, ok ? "未" : "已", span(a, limit),
			                   span(a, j->period_s));
		} else {
			ok = since == 0 || (long long)now - since <= limit;
			msg = arena_printf(a, "「%s」从未成功运行%s", j->label,
			                   ok ? "（监控刚开始，尚在等待）" : "");
		}
		add(r, WD_JOB_STALE, j->name, ok, last > 0 ? (long long)now - last : -1, msg);
	}
	return CAMP_OK;
}

static int eval_counts(struct db *d, arena *a, const char *nowp, struct wd_report *r)
{
	long long n = count_of(d, a, &q_refunds, nowp, REFUND_STUCK_S);
	if (n < 0)
		return CAMP_EDB;
	add(r, WD_REFUND_STUCK, "", n == 0, n,
	    n ? arena_printf(a, "%lld 笔退款处于“退款中”超过 3 天", n) : "没有超过 3 天的退款中记录");
	n = count_of(d, a, &q_orders, nowp, ORDER_UNCLOSED_S);
	if (n < 0)
		return CAMP_EDB;
	add(r, WD_ORDER_UNCLOSED, "", n == 0, n,
	    n ? arena_printf(a, "%lld 笔待支付订单过期超过 2 小时仍未关闭", n) : "过期订单均已关闭");
	n = count_of(d, a, &q_outbox, nowp, OUTBOX_FAILING_S);
	if (n < 0)
		return CAMP_EDB;
	add(r, WD_OUTBOX_FAILING, "", n == 0, n,
	    n ? arena_printf(a, "%lld 条通知发送失败已超过 1 小时", n) : "通知发送正常");
	return CAMP_OK;
}

static int eval_backup(struct db *d, arena *a, time_t now, const char *nowp, long long since,
                       struct wd_report *r)
{
	const char *p[] = { nowp };
	PGresult *res = db_q(d, a, &q_backup, 1, p);
	if (res == NULL)
		return CAMP_EDB;
	long long last = db_get_ll(res, 0, "last_ok", 0);
	const char *outcome = db_get(res, 0, "outcome"), *offsite = db_get(res, 0, "offsite");
	const char *err = db_get(res, 0, "error");
	long long age = last > 0 ? (long long)now - last : -1;
	const char *msg;
	int ok = 1;
	if (outcome != NULL && !strcmp(outcome, "failed")) {
		ok = 0;
		msg = arena_printf(a, "最近一次备份失败：%s", err && *err ? err : "原因未知");
	} else if (last > 0 && age > BACKUP_MAX_AGE_S) {
		ok = 0;
		msg = arena_printf(a, "最近一次通过校验的备份在 %s，已超过 26 小时",
		                   db_get(res, 0, "last_ok_text"));
	} else if (last == 0) {
		/* a new installation has a day to make its first backup */
		ok = since == 0 || (long long)now - since <= BACKUP_MAX_AGE_S;
		msg = ok ? "尚无备份记录（系统运行未满 26 小时）" : "没有任何通过校验的备份记录";
	} else if (offsite != NULL && !strcmp(offsite, "failed")) {
		ok = 0;
		msg = arena_printf(a, "最近一次备份（%s）已校验，但复制到异地失败",
		                   db_get(res, 0, "last_ok_text"));
	} else {
		msg = arena_printf(a, "最近一次备份 %s，已校验%s", db_get(res, 0, "last_ok_text"),
		                   offsite && !strcmp(offsite, "copied") ? "并复制到异地" : "");
	}
	add(r, WD_BACKUP_STALE, "", ok, age, msg);
	return CAMP_OK;
}

static int eval_disk(struct db *d, arena *a, const char *nowp, struct wd_report *r)
{
	const char *p[] = { nowp, arena_i64(a, VOLUME_FRESH_S) };
	PGresult *res = db_q(d, a, &q_volume, 2, p);
	if (res == NULL)
		return CAMP_EDB;
	if (PQntuples(res) == 0) {
		add(r, WD_DISK_LOW, "", 1, -1,
		    "无法测量数据库磁盘：没有一台 camp-worker 能看到数据目录"
		    "（在数据库主机上运行 camp-worker，或设置 CAMP_DB_DATA_DIR）");
		return CAMP_OK;
	}
	long long free_b = db_get_ll(res, 0, "free_bytes", 0), total = db_get_ll(res, 0, "total_bytes", 1);
	long long permille = total > 0 ? free_b * 1000 / total : 0;
	add(r, WD_DISK_LOW, "", permille >= DISK_MIN_FREE_PERMILLE, permille,
	    arena_printf(a, "数据库磁盘（%s:%s）剩余 %lld.%lld%%（%lld MB / %lld MB）%s",
	                 db_get(res, 0, "host"), db_get(res, 0, "path"), permille / 10, permille % 10,
	                 free_b / (1024 * 1024), total / (1024 * 1024),
	                 permille >= DISK_MIN_FREE_PERMILLE ? "" : "，低于 10%"));
	return CAMP_OK;
}

int watchdog_evaluate(struct db *d, arena *a, time_t now, const struct wd_job *jobs,
                      size_t njobs, struct wd_report *out)
{
	memset(out, 0, sizeof(*out));
	out->f = arena_alloc(a, sizeof(struct wd_finding) * WD_MAX_FINDINGS);
	out->checked_epoch = (long long)now;
	char nowp[40];
	clock_rfc3339(now, nowp, sizeof(nowp));
	const char *p[] = { nowp };
	PGresult *first = db_q(d, a, &q_first_run, 1, p);
	if (first == NULL)
		return CAMP_EDB;
	long long since = db_get_ll(first, 0, "first", 0);
	if (eval_jobs(d, a, now, nowp, since, jobs, njobs, out) != CAMP_OK ||
	    eval_counts(d, a, nowp, out) != CAMP_OK ||
	    eval_backup(d, a, now, nowp, since, out) != CAMP_OK ||
	    eval_disk(d, a, nowp, out) != CAMP_OK)
		return CAMP_EDB;
	return CAMP_OK;
}

/* ---- saving, alerting, reading back ------------------------------------- */

static const struct db_stmt q_clear = DB_STMT("DELETE FROM watchdog_status");
static const struct db_stmt q_put = DB_STMT(
	"INSERT INTO watchdog_status (condition, subject, ok, value, message, checked_at)"
	" VALUES ($1, $2, $3::boolean, $4::bigint, $5, $6::timestamptz)");

int watchdog_save(struct db *d, arena *a, const struct wd_report *r, time_t now)
{
	char nowp[40];
	clock_rfc3339(now, nowp, sizeof(nowp));
	if (db_q(d, a, &q_clear, 0, NULL) == NULL)
		return CAMP_EDB;
	for (int i = 0; i < r->n; i++) {
		const struct wd_finding *f = &r->f[i];
		const char *p[] = { f->condition, f->subject, f->ok ? "t" : "f",
		                    f->value >= 0 ? arena_i64(a, f->value) : NULL, f->message, nowp };
		if (db_q(d, a, &q_put, 6, p) == NULL)
			return CAMP_EDB;
	}
	return CAMP_OK;
}

int watchdog_alert(struct db *d, arena *a, const struct wd_report *r, time_t now, long *queued)
{
	char day[12];
	cday_format(cday_of(now), day, sizeof(day));
	*queued = 0;
	for (int i = 0; i < r->n; i++) {
		const struct wd_finding *f = &r->f[i];
		if (f->ok)
			continue;
		const struct alert_type *t = alert_type_find(f->condition);
		struct alert al = {
			.type = f->condition,
			.title = t ? t->label : "运行监控告警",
			.content = f->message,
			.once_key = arena_printf(a, "watchdog:%s:%s:%s", f->condition, f->subject, day),
		};
		long n = 0;
		if (alert_staff(d, a, &al, &n) != CAMP_OK)
			return CAMP_EDB;
		*queued += n;
	}
	return CAMP_OK;
}

static const struct db_stmt q_findings = DB_STMT(
	"SELECT condition, subject, ok, COALESCE(value, -1) AS value, message,"
	" to_char(checked_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') AS checked,"
	" extract(epoch FROM checked_at)::bigint AS checked_epoch"
	" FROM watchdog_status ORDER BY ok, condition, subject");

int watchdog_findings(struct db *d, arena *a, struct wd_report *out)
{
	memset(out, 0, sizeof(*out));
	PGresult *res = db_q(d, a, &q_findings, 0, NULL);
	if (res == NULL)
		return CAMP_EDB;
	int n = PQntuples(res);
	out->f = arena_alloc(a, sizeof(struct wd_finding) * (size_t)(n + 1));
	for (int i = 0; i < n; i++) {
		struct wd_finding *f = &out->f[out->n++];
		f->condition = arena_strdup(a, db_get(res, i, "condition"));
		f->subject = arena_strdup(a, db_get(res, i, "subject"));
		f->ok = db_get_bool(res, i, "ok");
		f->value = db_get_ll(res, i, "value", -1);
		f->message = arena_strdup(a, db_get(res, i, "message"));
		out->problems += !f->ok;
		if (i == 0) {
			out->checked_at = arena_strdup(a, db_get(res, i, "checked"));
			out->checked_epoch = db_get_ll(res, i, "checked_epoch", 0);
		}
	}
	return CAMP_OK;
}

/* ---- the database volume ------------------------------------------------- */

static const struct db_stmt q_data_dir = DB_STMT(
	"SELECT s.setting FROM pg_settings s"
	" WHERE s.name = 'data_directory' AND inet_server_addr() IS NULL");
static const struct db_stmt q_volume_put = DB_STMT(
	"INSERT INTO db_volume (host, path, free_bytes, total_bytes, measured_at)"
	" VALUES ($1, $2, $3::bigint, $4::bigint, $5::timestamptz)"
	" ON CONFLICT (host) DO UPDATE SET path = EXCLUDED.path, free_bytes = EXCLUDED.free_bytes,"
	" total_bytes = EXCLUDED.total_bytes, measured_at = EXCLUDED.measured_at");

const char *watchdog_local_data_dir(struct db *d, arena *a)
{
	/* pg_settings leaves out what this role may not read */
	PGresult *res = db_q(d, a, &q_data_dir, 0, NULL);
	if (res == NULL || PQntuples(res) != 1)
		return NULL;
	return arena_strdup(a, db_get(res, 0, "setting"));
}

int watchdog_record_volume(struct db *d, arena *a, const char *host, const char *path, time_t now)
{
	struct statvfs sv;
	if (path == NULL || statvfs(path, &sv) != 0 || sv.f_blocks == 0)
		return CAMP_ERR;
	long long frsize = (long long)(sv.f_frsize ? sv.f_frsize : sv.f_bsize);
	long long total = (long long)sv.f_blocks * frsize;
	long long avail = (long long)sv.f_bavail * frsize;   /* what an unprivileged writer gets */
	char nowp[40];
	const char *p[] = { host, path, arena_i64(a, avail), arena_i64(a, total),
	                    clock_rfc3339(now, nowp, sizeof(nowp)) };
	return db_q(d, a, &q_volume_put, 5, p) ? CAMP_OK : CAMP_EDB;
}
