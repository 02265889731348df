/* reminders.c: the five reminders of PRD §8.1 / issue #16, queued once per member and type. */
#include "reminders.h"
#include "alerts.h"
#include "buf.h"
#include "camp.h"
#include "clock.h"
#include "config.h"
#include "dates.h"
#include "db.h"
#include "env.h"
#include "log.h"
#include "money.h"
#include "notices.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REMIND_BATCH "5000"
#define COACH_LIST_MAX 1500          /* bytes of names in one WeCom message (≤ 2048 in all) */

/* the member's paid order (the latest, as the member pages show it) */
#define PAID_ORDER \
	" JOIN LATERAL (SELECT p.* FROM payment_record p WHERE p.member_id = m.id" \
	"                 AND p.pay_status = 'success' AND p.deleted_at IS NULL" \
	"               ORDER BY p.id DESC LIMIT 1) p ON true"
/* still in the camp: not left (deleted, binding closed), not refunded (nor on the way) */
#define STILL_IN \
	" m.deleted_at IS NULL AND m.paid AND t.deleted_at IS NULL AND p.refunded_amount = 0" \
	" AND p.bind_status <> 'closed'" \
	" AND NOT EXISTS (SELECT 1 FROM refund_record r WHERE r.member_id = m.id AND r.deleted_at IS NULL" \
	"                   AND r.refund_status IN ('approved', 'processing', 'success', 'refunded_offline'))"
#define NOT_YET(type) \
	" AND NOT EXISTS (SELECT 1 FROM notification_message n WHERE n.recipient_type = 'member'" \
	"                   AND n.recipient_id = m.id AND n.dedupe_key = '" type "')"
#define WHO \
	" m.id, m.camp_id, t.name AS camp_name," \
	" (m.openid_sealed IS NOT NULL OR p.openid_sealed IS NOT NULL) AS reachable," \
	" COALESCE(NULLIF(m.filled_planet_nickname, ''), NULLIF(m.filled_wechat_nickname, '')," \
	"          p.payer_wechat_name, '学员') AS nickname"

/* $1 now, $2 today (Shanghai); q_ending: $1 today */
static const struct db_stmt q_join = DB_STMT(
	"SELECT" WHO
	"  FROM camp_member m JOIN training_camp t ON t.id = m.camp_id" PAID_ORDER
	" WHERE" STILL_IN " AND NOT m.joined_group AND t.end_date >= $2::date"
	"   AND COALESCE(p.pay_time, m.paid_at) <= $1::timestamptz - interval '24 hours'" NOT_YET("join_remind")
	" ORDER BY m.camp_id, m.id LIMIT " REMIND_BATCH);
static const struct db_stmt q_ending = DB_STMT(
	"SELECT" WHO ", m.checkin_count, m.eligible_for_refund, t.required_days, t.end_date::text AS end_date"
	"  FROM camp_member m JOIN training_camp t ON t.id = m.camp_id" PAID_ORDER
	" WHERE" STILL_IN " AND t.end_date = $1::date + 1 AND t.start_date <= $1::date" NOT_YET("end_remind")
	" ORDER BY m.camp_id, m.id LIMIT " REMIND_BATCH);
static const struct db_stmt q_camp_counts = DB_STMT(
	"SELECT count(*) AS n, count(*) FILTER (WHERE m.eligible_for_refund) AS ok"
	"  FROM camp_member m JOIN training_camp t ON t.id = m.camp_id" PAID_ORDER
	" WHERE m.camp_id = $1 AND" STILL_IN);
static const struct db_stmt q_review = DB_STMT(
	"SELECT t.id, t.name, count(*) AS n, sum(r.refund_amount)::text AS total"
	"  FROM training_camp t JOIN refund_record r ON r.camp_id = t.id"
	" WHERE t.status = 'finished' AND t.deleted_at IS NULL AND r.deleted_at IS NULL"
	"   AND r.audit_status = 'pending' AND r.refund_status = 'pending'"
	"   AND NOT EXISTS (SELECT 1 FROM notification_message n WHERE n.camp_id = t.id"
	"                     AND n.message_type = 'refund_review')"
	" GROUP BY t.id, t.name ORDER BY t.id");
/* successes of the last 3 days only: older ones predate the reminders */
static const struct db_stmt q_refunded = DB_STMT(
	"SELECT r.id AS refund_id, m.id, m.camp_id, t.name AS camp_name, r.refund_amount::text AS amount,"
	"       (m.openid_sealed IS NOT NULL OR p.openid_sealed IS NOT NULL) AS reachable,"
	"       to_char(r.success_time AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') AS at"
	"  FROM refund_record r JOIN camp_member m ON m.id = r.member_id"
	"  JOIN training_camp t ON t.id = r.camp_id JOIN payment_record p ON p.id = r.payment_id"
	" WHERE r.refund_status = 'success' AND NOT r.notified AND r.deleted_at IS NULL"
	"   AND r.success_time > $1::timestamptz - interval '3 days' AND r.success_time <= $1::timestamptz"
	" ORDER BY r.id LIMIT " REMIND_BATCH);
static const struct db_stmt q_notified = DB_STMT(
	"UPDATE refund_record SET notified = true, notify_time = $2::timestamptz WHERE id = $1");
static const struct db_stmt q_bind = DB_STMT(
	"SELECT" WHO ", p.order_no,"
	"       to_char(p.bind_deadline AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') AS deadline"
	"  FROM camp_member m JOIN training_camp t ON t.id = m.camp_id" PAID_ORDER
	" WHERE" STILL_IN " AND p.bind_status = 'pending' AND p.bind_deadline IS NOT NULL"
	"   AND p.bind_deadline > $1::timestamptz"
	"   AND p.bind_deadline <= $1::timestamptz + interval '2 days'" NOT_YET("bind_remind")
	" ORDER BY m.camp_id, m.id LIMIT " REMIND_BATCH);

static const char *url_of(arena *a, const char *path)
{
	return arena_printf(a, "%s%s", camp_env()->base_url ? camp_env()->base_url : "", path);
}

/* Queues one member notice; counts it. */
static int queue(struct db *d, arena *a, const PGresult *res, int i, const char *type,
                 const char *title, const char *content, const char *url, int *count,
                 struct reminder_tally *t)
{
	struct member_notice_in n = {
		type, db_get_ll(res, i, "id", 0), db_get_ll(res, i, "camp_id", 0), title, content, url,
		db_get_bool(res, i, "reachable"),
	};
	int queued = 0;
	if (notice_member_queue(d, a, &n, &queued) != CAMP_OK)
		return CAMP_EDB;
	*count += queued;
	if (queued && !n.reachable)
		t->unreachable++;
	return CAMP_OK;
}

/* Rows [from, to) of res belong to one camp: its first row index after from. */
static int camp_end(const PGresult *res, int from)
{
	int n = PQntuples(res);
	const char *cid = db_get(res, from, "camp_id");
	int i = from;
	while (i < n && !strcmp(db_get(res, i, "camp_id"), cid))
		i++;
	return i;
}

/* "小明、小红…等 N 人" within COACH_LIST_MAX bytes */
static const char *name_list(arena *a, const char *const *names, int n)
{
	struct buf b = BUF_INIT;
	int shown = 0;
	for (; shown < n; shown++) {
		if (b.len + strlen(names[shown]) + 3 > COACH_LIST_MAX)
			break;
		if (shown)
			buf_puts(&b, "、");
		buf_puts(&b, names[shown]);
	}
	if (shown < n)
		buf_printf(&b, "…等 %d 人", n);
	const char *s = arena_strdup(a, b.s ? b.s : "");
	buf_free(&b);
	return s;
}

static int run_join(struct db *d, arena *a, const char *now, const char *today,
                    struct reminder_tally *t)
{
	PGresult *res = db_q(d, a, &q_join, 2, (const char *[]){ now, today });
	if (res == NULL)
		return CAMP_EDB;
	for (int from = 0, to; from < PQntuples(res); from = to) {
		to = camp_end(res, from);
		const char *camp = db_get(res, from, "camp_name");
		const char **names = arena_alloc(a, (size_t)(to - from) * sizeof(*names));
		int fresh = 0, rc = db_begin(d);
		for (int i = from; rc == CAMP_OK && i < to; i++) {
			int before = t->join;
			rc = queue(d, a, res, i, "join_remind", "请扫码进群",
			           arena_printf(a, "你已报名训练营「%s」，但还没有进群。请打开入群二维码，扫码进群开始打卡。", camp),
			           url_of(a, "/h5/mine"), &t->join, t);
			if (t->join > before)
				names[fresh++] = db_get(res, i, "nickname");
		}
		if (rc == CAMP_OK && fresh > 0) {
			struct alert al = {
				"join_overdue", "会员支付 24 小时未进群",
				arena_printf(a, "训练营「%s」有 %d 名会员支付已超过 24 小时，仍未标记进群，请提醒他们扫码进群：\n%s",
				             camp, fresh, name_list(a, names, fresh)),
				db_get_ll(res, from, "camp_id", 0), 0,
				arena_printf(a, "join_overdue:%s:%s", db_get(res, from, "camp_id"), db_get(res, to - 1, "id")),
			};
			rc = alert_staff(d, a, &al, NULL);
		}
		if (rc != CAMP_OK || db_commit(d) != CAMP_OK) {
			db_rollback(d);
			return CAMP_EDB;
		}
	}
	return CAMP_OK;
}

static int run_ending(struct db *d, arena *a, const char *today, struct reminder_tally *t)
{
	PGresult *res = db_q(d, a, &q_ending, 1, (const char *[]){ today });
	if (res == NULL)
		return CAMP_EDB;
	long long grace = config_get_ll(d, "refund.grace_days", 1);
	for (int from = 0, to; from < PQntuples(res); from = to) {
		to = camp_end(res, from);
		const char *camp = db_get(res, from, "camp_name"), *end = db_get(res, from, "end_date");
		const char *cid = db_get(res, from, "camp_id");
		int rc = db_begin(d);
		for (int i = from; rc == CAMP_OK && i < to; i++) {
			long long done = db_get_ll(res, i, "checkin_count", 0);
			long long need = db_get_ll(res, i, "required_days", 0);
			long long more = need - done - grace;
			const char *what = db_get_bool(res, i, "eligible_for_refund") || more <= 0
			                   ? "已达到退款要求，请继续保持。"
			                   : arena_printf(a, "还需打卡 %lld 天才能达到退款要求，请抓紧打卡。", more);
			rc = queue(d, a, res, i, "end_remind", "训练营明天结束",
			           arena_printf(a, "训练营「%s」将于明天（%s）结束。你已打卡 %lld/%lld 天，%s",
			                        camp, end, done, need, what),
			           url_of(a, "/h5/mine"), &t->ending, t);
		}
		PGresult *cnt = rc == CAMP_OK ? db_q(d, a, &q_camp_counts, 1, (const char *[]){ cid }) : NULL;
		if (cnt != NULL) {
			long long n = db_get_ll(cnt, 0, "n", 0), ok = db_get_ll(cnt, 0, "ok", 0);
			struct alert al = {
				"camp_ending", "训练营明天结束",
				arena_printf(a, "训练营「%s」将于明天（%s）结束：在营 %lld 人，已达到退款要求 %lld 人，未达到 %lld 人。",
				             camp, end, n, ok, n - ok),
				atoll(cid), 0, arena_printf(a, "camp_ending:%s", cid),
			};
			rc = alert_staff(d, a, &al, NULL);
		} else {
			rc = CAMP_EDB;
		}
		if (rc != CAMP_OK || db_commit(d) != CAMP_OK) {
			db_rollback(d);
			return CAMP_EDB;
		}
	}
	return CAMP_OK;
}

static int run_review(struct db *d, arena *a, struct reminder_tally *t)
{
	PGresult *res = db_q(d, a, &q_review, 0, NULL);
	if (res == NULL)
		return CAMP_EDB;
	for (int i = 0; i < PQntuples(res); i++) {
		int64_t fen = 0;
		char total[32];
		money_parse(db_get(res, i, "total"), &fen);
		struct alert al = {
			"refund_review", "请审核退款",
			arena_printf(a, "训练营「%s」已结束，退款名单已生成：待审核 %s 人，合计 ¥%s。请到「退款审核」页面审核退款。",
			             db_get(res, i, "name"), db_get(res, i, "n"),
			             money_format_grouped(fen, total, sizeof(total))),
			db_get_ll(res, i, "id", 0), 0, arena_printf(a, "refund_review:%s", db_get(res, i, "id")),
		};
		long queued = 0;
		if (alert_staff(d, a, &al, &queued) != CAMP_OK)
			return CAMP_EDB;
		t->review += queued > 0;
	}
	return CAMP_OK;
}

static int run_refunded(struct db *d, arena *a, const char *now, struct reminder_tally *t)
{
	PGresult *res = db_q(d, a, &q_refunded, 1, (const char *[]){ now });
	if (res == NULL)
		return CAMP_EDB;
	int rc = PQntuples(res) > 0 ? db_begin(d) : CAMP_OK;
	for (int i = 0; rc == CAMP_OK && i < PQntuples(res); i++) {
		int64_t fen = 0;
		char yuan[32];
		money_parse(db_get(res, i, "amount"), &fen);
		rc = queue(d, a, res, i, "refund_success", "押金已退回",
		           arena_printf(a, "你在训练营「%s」的押金 ¥%s 已于 %s 原路退回：微信零钱支付的即时到账，"
		                           "银行卡支付的 1–3 个工作日内到账。", db_get(res, i, "camp_name"),
		                        money_format(fen, yuan, sizeof(yuan)), db_get(res, i, "at")),
		           url_of(a, "/h5/mine"), &t->refund, t);
		if (rc == CAMP_OK &&
		    db_q(d, a, &q_notified, 2, (const char *[]){ db_get(res, i, "refund_id"), now }) == NULL)
			rc = CAMP_EDB;
	}
	if (PQntuples(res) > 0 && (rc != CAMP_OK || db_commit(d) != CAMP_OK)) {
		db_rollback(d);
		return CAMP_EDB;
	}
	return CAMP_OK;
}

static int run_bind(struct db *d, arena *a, const char *now, struct reminder_tally *t)
{
	PGresult *res = db_q(d, a, &q_bind, 1, (const char *[]){ now });
	if (res == NULL)
		return CAMP_EDB;
	int rc = PQntuples(res) > 0 ? db_begin(d) : CAMP_OK;
	for (int i = 0; rc == CAMP_OK && i < PQntuples(res); i++)
		rc = queue(d, a, res, i, "bind_remind", "请尽快绑定星球信息",
		           arena_printf(a, "你报名的训练营「%s」还没有绑定星球信息，请在 %s 前完成绑定，逾期将转人工核实。",
		                        db_get(res, i, "camp_name"), db_get(res, i, "deadline")),
		           url_of(a, arena_printf(a, "/h5/bind?order_no=%s", db_get(res, i, "order_no"))),
		           &t->bind, t);
	if (PQntuples(res) > 0 && (rc != CAMP_OK || db_commit(d) != CAMP_OK)) {
		db_rollback(d);
		return CAMP_EDB;
	}
	return CAMP_OK;
}

int reminders_run(struct db *d, arena *a, time_t now, struct reminder_tally *t)
{
	memset(t, 0, sizeof(*t));
	if (notice_quiet(d, now, NULL)) {
		t->quiet = 1;
		return CAMP_OK;
	}
	char ts[40], today[12];
	clock_rfc3339(now, ts, sizeof(ts));
	cday_format(cday_of(now), today, sizeof(today));
	if (run_join(d, a, ts, today, t) != CAMP_OK || run_ending(d, a, today, t) != CAMP_OK ||
	    run_review(d, a, t) != CAMP_OK || run_refunded(d, a, ts, t) != CAMP_OK ||
	    run_bind(d, a, ts, t) != CAMP_OK) {
		log_err("reminders: database error");
		return CAMP_EDB;
	}
	return CAMP_OK;
}
