/* binding.c: binding transitions with their log rows, and the staff actions on a member. */
#include "binding.h"
#include "alerts.h"
#include "camp.h"
#include "clock.h"
#include "db.h"

#include <string.h>

/* Both transitions happen at once (the deadline passed); each gets its row, in order. */
static const struct db_stmt q_expire = DB_STMT(
	"WITH moved AS ("
	"  UPDATE payment_record SET bind_status = 'manual_review'"
	"   WHERE bind_status = 'pending' AND pay_status = 'success' AND deleted_at IS NULL"
	"     AND bind_deadline IS NOT NULL AND bind_deadline <= $1::timestamptz"
	"  RETURNING id, camp_id, member_id, order_no),"
	" l1 AS (INSERT INTO payment_bind_log (payment_id, from_status, to_status, event, created_at)"
	"        SELECT id, 'pending', 'expired', 'EXPIRE', $1::timestamptz FROM moved"
	"        RETURNING payment_id),"
	" l2 AS (INSERT INTO payment_bind_log (payment_id, from_status, to_status, event, created_at)"
	"        SELECT payment_id, 'expired', 'manual_review', 'TO_MANUAL_REVIEW', $1::timestamptz"
	"          FROM l1)"   /* after l1's rows: the log reads in order */
	" SELECT m.camp_id, m.member_id, m.order_no, c.name AS camp_name"
	"   FROM moved m JOIN training_camp c ON c.id = m.camp_id ORDER BY m.id");

int binding_expire(struct db *d, arena *a, time_t now, long *moved)
{
	char ts[40];
	const char *p[] = { clock_rfc3339(now, ts, sizeof(ts)) };
	*moved = 0;
	if (db_begin(d) != CAMP_OK)
		return CAMP_EDB;
	PGresult *res = db_q(d, a, &q_expire, 1, p);
	int rc = res ? CAMP_OK : CAMP_EDB;
	for (int i = 0; rc == CAMP_OK && i < PQntuples(res); i++) {
		struct alert al = {
			"bind_manual_review", "待人工绑定",
			arena_printf(a, "订单 %s（训练营「%s」）超过绑定期限仍未绑定星球，已转人工处理。",
			             db_get(res, i, "order_no"), db_get(res, i, "camp_name")),
			db_get_ll(res, i, "camp_id", 0), db_get_ll(res, i, "member_id", 0), NULL
		};
		rc = alert_staff(d, a, &al, NULL);
	}
	if (rc != CAMP_OK) {
		db_rollback(d);
		return rc;
	}
	*moved = PQntuples(res);
	return db_commit(d);
}

/* The member, if this actor may see its camp. */
static const struct db_stmt q_member = DB_STMT(
	"SELECT cm.id, cm.camp_id, cm.paid, cm.joined_group"
	"  FROM camp_member cm"
	" WHERE cm.id = $1 AND cm.deleted_at IS NULL"
	"   AND ($3::boolean OR EXISTS (SELECT 1 FROM camp_member_relation r"
	"                               WHERE r.camp_id = cm.camp_id AND r.user_id = $2))"
	" FOR UPDATE OF cm");
static const struct db_stmt q_payment = DB_STMT(
	"SELECT p.id, p.bind_status, pu.planet_user_id AS was FROM payment_record p"
	"  JOIN camp_member m ON m.id = p.member_id LEFT JOIN planet_user pu ON pu.id = m.planet_user_id"
	" WHERE p.member_id = $1 AND p.pay_status = 'success' AND p.deleted_at IS NULL"
	" ORDER BY p.id DESC LIMIT 1 FOR UPDATE OF p");
/* Another paid member of the camp already bound to this ZSXQ user. */
static const struct db_stmt q_taken = DB_STMT(
	"SELECT o.id FROM camp_member o WHERE o.camp_id = $1 AND o.planet_user_id = $2"
	" AND o.id <> $3 AND o.paid AND o.deleted_at IS NULL AND o.match_confidence = 100 LIMIT 1");
static const struct db_stmt q_planet = DB_STMT(
	"SELECT id, planet_nickname FROM planet_user WHERE planet_user_id = $1 AND deleted_at IS NULL");
static const struct db_stmt q_bind_pay = DB_STMT(
	"UPDATE payment_record SET bind_status = 'completed', bind_method = 'manual',"
	" bound_at = $2::timestamptz WHERE id = $1");
static const struct db_stmt q_bind_log = DB_STMT(
	"INSERT INTO payment_bind_log (payment_id, from_status, to_status, event, operator_id,"
	"                              extra_data, created_at)"
	" VALUES ($1, $2, 'completed', 'MANUAL_BIND', $3,"
	"         jsonb_strip_nulls(jsonb_build_object('planet_user_id', $4::text, 'reason', $6::text,"
	"                                              'was', $7::text)),"
	"         $5::timestamptz)");
static const struct db_stmt q_bind_member = DB_STMT(
	"UPDATE camp_member SET planet_user_id = $2, match_confidence = 100, match_status = 'matched',"
	" match_flags = NULL, match_time = $3::timestamptz WHERE id = $1");
static const struct db_stmt q_link = DB_STMT(
	"UPDATE checkin_record SET member_id = $1 WHERE camp_id = $2 AND planet_user_id = $3");
static const struct db_stmt q_unlink = DB_STMT(
	"UPDATE checkin_record SET member_id = NULL WHERE member_id = $1 AND planet_user_id <> $2");
static const struct db_stmt q_stats = DB_STMT(
	"SELECT update_member_checkin_stats($1::bigint,"
	" COALESCE((SELECT config_value FROM system_config WHERE config_key = 'refund.grace_days'), '1')::int)");

static PGresult *member_for(struct db *d, arena *a, const struct binding_actor *who, long long id)
{
	const char *p[] = { arena_i64(a, id), arena_i64(a, who->user_id), who->all_camps ? "t" : "f" };
	return db_q(d, a, &q_member, 3, p);
}

int binding_manual(struct db *d, arena *a, const struct binding_actor *who, long long member_id,
                   const char *planet_user_id, const char *reason, time_t now,
                   const char **was, const char **why)
{
	*why = NULL;
	*was = NULL;
	char ts[40];
	clock_rfc3339(now, ts, sizeof(ts));
	PGresult *m = member_for(d, a, who, member_id);
	if (m == NULL)
		return CAMP_EDB;
	if (PQntuples(m) != 1)
		return CAMP_ENOTFOUND;
	const char *mid = db_get(m, 0, "id"), *camp = db_get(m, 0, "camp_id");
	if (!db_get_bool(m, 0, "paid")) {
		*why = "该会员尚未支付，不能绑定";
		return CAMP_ECONFLICT;
	}
	const char *pm[] = { mid };
	PGresult *pay = db_q(d, a, &q_payment, 1, pm);
	if (pay == NULL)
		return CAMP_EDB;
	if (PQntuples(pay) != 1) {
		*why = "未找到该会员的支付记录";
		return CAMP_ECONFLICT;
	}
	const char *from = db_get(pay, 0, "bind_status");
	if (!strcmp(from, "closed")) {
		*why = "该订单的绑定已关闭";
		return CAMP_ECONFLICT;
	}
	if (!strcmp(from, "completed") && (reason == NULL || *reason == '\0')) {
		*why = "该会员已完成绑定，修改绑定请填写修改原因";
		return CAMP_EINVAL;
	}
	*was = arena_strdup(a, db_get(pay, 0, "was"));
	const char *pp[] = { planet_user_id };
	PGresult *pu = db_q(d, a, &q_planet, 1, pp);
	if (pu == NULL)
		return CAMP_EDB;
	if (PQntuples(pu) != 1) {
		*why = "未找到该星球用户：请确认星球ID，或先同步打卡数据";
		return CAMP_EINVAL;
	}
	const char *puid = db_get(pu, 0, "id"), *payid = db_get(pay, 0, "id");
	PGresult *tk = db_q(d, a, &q_taken, 3, (const char *[]){ camp, puid, mid });
	if (tk == NULL)
		return CAMP_EDB;
	if (PQntuples(tk) > 0) {
		*why = arena_printf(a, "该星球用户已绑定本营的另一名会员（#%s），一个星球用户只能绑定一名会员，"
		                       "请先核实并修改那名会员的绑定", db_get(tk, 0, "id"));
		return CAMP_ECONFLICT;
	}
	const char *p1[] = { payid, ts };
	const char *p2[] = { payid, from, arena_i64(a, who->user_id), planet_user_id, ts,
	                     reason && *reason ? reason : NULL, *was };
	const char *p3[] = { mid, puid, ts };
	const char *p4[] = { mid, camp, puid };
	const char *p5[] = { mid, puid };
	const char *p6[] = { camp };
	if (db_q(d, a, &q_bind_pay, 2, p1) == NULL || db_q(d, a, &q_bind_log, 7, p2) == NULL)
		return CAMP_EDB;
	if (db_q(d, a, &q_bind_member, 3, p3) == NULL) {
		/* two staff binding two members to one ZSXQ user at once: the index decides */
		if (strcmp(db_sqlstate(d), "23505") != 0)
			return CAMP_EDB;
		*why = "该星球用户已绑定本营的另一名会员，一个星球用户只能绑定一名会员";
		return CAMP_ECONFLICT;
	}
	if (db_q(d, a, &q_unlink, 2, p5) == NULL || db_q(d, a, &q_link, 3, p4) == NULL ||
	    db_q(d, a, &q_stats, 1, p6) == NULL)
		return CAMP_EDB;
	return CAMP_OK;
}

static const struct db_stmt q_joined = DB_STMT(
	"UPDATE camp_member SET joined_group = true, joined_at = $2::timestamptz"
	" WHERE id = $1 AND NOT joined_group");
static const struct db_stmt q_joined_log = DB_STMT(
	"INSERT INTO member_status_log (member_id, camp_id, from_status, to_status, event,"
	"                               extra_data, created_at)"
	" VALUES ($1, $2, 'not_joined', 'joined', 'JOIN_GROUP', jsonb_build_object('operator_id', $3::bigint),"
	"         $4::timestamptz)");

int binding_mark_joined(struct db *d, arena *a, const struct binding_actor *who,
                        long long member_id, time_t now, int *changed)
{
	char ts[40];
	clock_rfc3339(now, ts, sizeof(ts));
	*changed = 0;
	PGresult *m = member_for(d, a, who, member_id);
	if (m == NULL)
		return CAMP_EDB;
	if (PQntuples(m) != 1)
		return CAMP_ENOTFOUND;
	if (db_get_bool(m, 0, "joined_group"))
		return CAMP_OK;
	const char *mid = db_get(m, 0, "id");
	const char *p1[] = { mid, ts };
	const char *p2[] = { mid, db_get(m, 0, "camp_id"), arena_i64(a, who->user_id), ts };
	if (db_q(d, a, &q_joined, 2, p1) == NULL || db_q(d, a, &q_joined_log, 4, p2) == NULL)
		return CAMP_EDB;
	*changed = 1;
	return CAMP_OK;
}
