/* refunds.c: refund proposals, decisions, execution and outcomes (ARCHITECTURE §5, §7). */
#include "refunds.h"
#include "alerts.h"
#include "audit.h"
#include "buf.h"
#include "camps.h"
#include "camp.h"
#include "clock.h"
#include "db.h"
#include "env.h"
#include "log.h"
#include "money.h"
#include "payments.h"
#include "wechatpay.h"
#include "wechatpay_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- proposals ----------------------------------------------------------- */

/* Identity settled (PRD §7.4, ARCHITECTURE §7): the binding completed with
 * confidence 100 — ZSXQ ID and nickname both match, or bound by hand (a
 * manual bind completes the binding at 100, and the database lets one ZSXQ
 * user be bound so to one paid member per camp).  A lower confidence (a
 * nickname that merely resembles one) is never enough. */
#define SETTLED " (p.bind_status = 'completed' AND m.match_confidence = 100)"
/* proposed: eligible, paid, identity settled, no refund record yet */
#define PROPOSABLE \
	" m.deleted_at IS NULL AND m.paid AND m.eligible_for_refund" \
	" AND p.pay_status = 'success' AND p.deleted_at IS NULL AND" SETTLED

static const struct db_stmt q_propose = DB_STMT(
	"WITH ins AS ("
	" INSERT INTO refund_record (camp_id, member_id, payment_id, refund_amount, created_at, updated_at)"
	" SELECT m.camp_id, m.id, p.id, p.pay_amount, $2::timestamptz, $2::timestamptz"
	"   FROM camp_member m JOIN payment_record p ON p.member_id = m.id"
	"   JOIN training_camp t ON t.id = m.camp_id"
	"  WHERE t.status = 'finished' AND t.cancelled_at IS NULL AND ($1::bigint = 0 OR t.id = $1::bigint) AND"
	PROPOSABLE
	"    AND NOT EXISTS (SELECT 1 FROM refund_record r WHERE r.payment_id = p.id AND r.deleted_at IS NULL)"
	"    AND p.bind_status <> 'closed'"   /* issue #15: 关闭绑定 never gets a proposal */
	" RETURNING id)"
	" INSERT INTO refund_status_log (refund_id, from_status, to_status, event, remark, created_at)"
	" SELECT id, NULL, 'pending', 'PROPOSE', '符合退款条件，待审核', $2::timestamptz FROM ins"
	" RETURNING refund_id");
static const struct db_stmt q_withdraw = DB_STMT(
	"WITH w AS ("
	" UPDATE refund_record r SET deleted_at = $2::timestamptz, updated_at = $2::timestamptz"
	"   FROM camp_member m, payment_record p, training_camp t"
	"  WHERE m.id = r.member_id AND p.id = r.payment_id AND t.id = r.camp_id"
	"    AND ($1::bigint = 0 OR r.camp_id = $1::bigint) AND t.status = 'finished' AND t.cancelled_at IS NULL"
	"    AND r.audit_status = 'pending' AND r.refund_status = 'pending' AND r.deleted_at IS NULL"
	"    AND r.proposed_by IS NULL"   /* issue #15: a person's proposal stays */
	"    AND NOT (" PROPOSABLE ")"
	" RETURNING r.id)"
	" INSERT INTO refund_status_log (refund_id, from_status, to_status, event, remark, created_at)"
	" SELECT id, 'pending', 'withdrawn', 'WITHDRAW', '不再符合退款条件', $2::timestamptz FROM w"
	" RETURNING refund_id");
/* $1 camp, grace days from the settings (default 1) */
#define GRACE "COALESCE((SELECT NULLIF(config_value, '')::int FROM system_config" \
	" WHERE config_key = 'refund.grace_days'), 1)"
static const struct db_stmt q_unproposed_count = DB_STMT(
	"SELECT count(*) FILTER (WHERE m.eligible_for_refund AND NOT" SETTLED ") AS unmatched,"
	"       count(*) FILTER (WHERE NOT m.eligible_for_refund"
	"                          AND m.checkin_count + " GRACE " + 2 >= t.required_days) AS near"
	"  FROM camp_member m JOIN payment_record p ON p.member_id = m.id AND p.pay_status = 'success'"
	"  JOIN training_camp t ON t.id = m.camp_id"
	" WHERE t.status = 'finished' AND t.cancelled_at IS NULL AND ($1::bigint = 0 OR t.id = $1::bigint)"
	"   AND m.deleted_at IS NULL AND m.paid AND p.deleted_at IS NULL"
	"   AND p.bind_status <> 'closed'"
	"   AND NOT EXISTS (SELECT 1 FROM refund_record r WHERE r.payment_id = p.id AND r.deleted_at IS NULL)");

int refund_propose(struct db *d, arena *a, long long camp_id, struct refund_tally *t)
{
	memset(t, 0, sizeof(*t));
	char now[40];
	const char *p[] = { arena_i64(a, camp_id), clock_now_param(now, sizeof(now)) };
	if (db_begin(d) != CAMP_OK)
		return CAMP_EDB;
	PGresult *w = db_q(d, a, &q_withdraw, 2, p);
	PGresult *ins = w ? db_q(d, a, &q_propose, 2, p) : NULL;
	PGresult *cnt = ins ? db_q(d, a, &q_unproposed_count, 1, p) : NULL;
	if (cnt == NULL || db_commit(d) != CAMP_OK) {
		db_rollback(d);
		return CAMP_EDB;
	}
	t->withdrawn = PQntuples(w);
	t->proposed = PQntuples(ins);
	t->unmatched = (int)db_get_ll(cnt, 0, "unmatched", 0);
	t->near_miss = (int)db_get_ll(cnt, 0, "near", 0);
	return CAMP_OK;
}

/* ---- lists --------------------------------------------------------------- */

#define ROW_COLS \
	" r.id, r.camp_id, r.member_id, r.payment_id, t.name AS camp_name," \
	" m.filled_planet_nickname, m.filled_planet_user_id," \
	" COALESCE(m.filled_wechat_nickname, p.payer_wechat_name) AS wechat_nickname," \
	" p.bind_status, p.bind_method, p.source, r.refund_status, r.audit_status," \
	" u.username AS auditor, to_char(r.audit_time, 'YYYY-MM-DD HH24:MI') AS audit_time," \
	" r.audit_comment, r.failure_reason, r.out_refund_no," \
	" to_char(r.success_time, 'YYYY-MM-DD HH24:MI') AS success_time," \
	" to_char(r.created_at, 'YYYY-MM-DD HH24:MI') AS created," \
	" r.refund_amount::text AS amount, m.checkin_count, t.required_days, m.match_confidence," \
	" m.eligible_for_refund, r.attempt, r.retry_count," \
	" EXISTS (SELECT 1 FROM refund_record n WHERE n.payment_id = r.payment_id" \
	"         AND n.attempt > r.attempt AND n.deleted_at IS NULL) AS newer_attempt," \
	" r.proposal_reason, pu.username AS proposer," \
	" to_char(r.updated_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') AS updated," \
	" count(*) OVER () AS total, sum(r.refund_amount) OVER ()::text AS sum_all"
#define ROW_FROM \
	" FROM refund_record r JOIN camp_member m ON m.id = r.member_id" \
	" JOIN payment_record p ON p.id = r.payment_id JOIN training_camp t ON t.id = r.camp_id" \
	" LEFT JOIN system_user u ON u.id = r.auditor_id" \
	" LEFT JOIN system_user pu ON pu.id = r.proposed_by"
/* coaches see only the camps they are assigned to */
#define SCOPE(col, n) \
	" AND ($" #n "::bigint = 0 OR EXISTS (SELECT 1 FROM camp_member_relation c" \
	"      WHERE c.camp_id = " col " AND c.user_id = $" #n "::bigint))"

static const struct db_stmt q_pending = DB_STMT(
	"SELECT" ROW_COLS ROW_FROM
	" WHERE r.audit_status = 'pending' AND r.refund_status = 'pending' AND r.deleted_at IS NULL"
	"   AND ($1::bigint = 0 OR r.camp_id = $1::bigint) AND ($2 = '' OR p.bind_status = $2)"
	SCOPE("r.camp_id", 3)
	" ORDER BY r.camp_id, r.id LIMIT $4::bigint OFFSET $5::bigint");
static const struct db_stmt q_unproposed = DB_STMT(
	"SELECT 0 AS id, m.camp_id, m.id AS member_id, p.id AS payment_id, t.name AS camp_name,"
	" m.filled_planet_nickname, m.filled_planet_user_id,"
	" COALESCE(m.filled_wechat_nickname, p.payer_wechat_name) AS wechat_nickname,"
	" p.bind_status, p.bind_method, p.source, p.pay_amount::text AS amount,"
	" m.checkin_count, t.required_days, m.match_confidence, m.eligible_for_refund,"
	" count(*) OVER () AS total"
	"  FROM camp_member m JOIN payment_record p ON p.member_id = m.id AND p.pay_status = 'success'"
	"  JOIN training_camp t ON t.id = m.camp_id"
	" WHERE t.status = 'finished' AND t.cancelled_at IS NULL AND m.deleted_at IS NULL AND m.paid"
	"   AND p.deleted_at IS NULL"
	"   AND ($1::bigint = 0 OR m.camp_id = $1::bigint) AND ($2 = '' OR p.bind_status = $2)"
	SCOPE("m.camp_id", 3)
	"   AND p.bind_status <> 'closed'"   /* issue #15: closed bindings leave the to-do lists */
	"   AND NOT EXISTS (SELECT 1 FROM refund_record r WHERE r.payment_id = p.id AND r.deleted_at IS NULL)"
	"   AND CASE WHEN $4 = 'unmatched' THEN m.eligible_for_refund AND NOT" SETTLED
	"            ELSE NOT m.eligible_for_refund AND m.checkin_count + " GRACE " + 2 >= t.required_days END"
	" ORDER BY m.camp_id, m.id LIMIT $5::bigint");
static const struct db_stmt q_records = DB_STMT(
	"SELECT" ROW_COLS ROW_FROM
	" WHERE r.deleted_at IS NULL AND ($7::boolean OR r.audit_status <> 'pending')"
	"   AND ($1::bigint = 0 OR r.camp_id = $1::bigint) AND ($2 = '' OR r.refund_status = $2)"
	SCOPE("r.camp_id", 3)
	"   AND ($4 = '' OR COALESCE(r.audit_time, r.created_at) >= ($4::date)::timestamp AT TIME ZONE 'Asia/Shanghai')"
	"   AND ($5 = '' OR COALESCE(r.audit_time, r.created_at) < ($5::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai')"
	" ORDER BY r.id DESC LIMIT $6::bigint OFFSET $8::bigint");

static const char *col(const PGresult *res, int i, const char *name)
{
	return PQfnumber(res, name) >= 0 ? db_get(res, i, name) : NULL;
}

static int rows_of(arena *a, PGresult *res, struct refund_row **out, int *n)
{
	if (res == NULL)
		return CAMP_EDB;
	*n = PQntuples(res);
	*out = arena_alloc(a, sizeof(**out) * (size_t)(*n + 1));
	for (int i = 0; i < *n; i++) {
		struct refund_row *r = &(*out)[i];
		memset(r, 0, sizeof(*r));
		r->id = db_get_ll(res, i, "id", 0);
		r->camp_id = db_get_ll(res, i, "camp_id", 0);
		r->member_id = db_get_ll(res, i, "member_id", 0);
		r->payment_id = db_get_ll(res, i, "payment_id", 0);
		r->camp_name = col(res, i, "camp_name");
		r->planet_nickname = col(res, i, "filled_planet_nickname");
		r->planet_user_id = col(res, i, "filled_planet_user_id");
		r->wechat_nickname = col(res, i, "wechat_nickname");
		r->bind_status = col(res, i, "bind_status");
		r->bind_method = col(res, i, "bind_method");
		r->source = col(res, i, "source");
		r->status = col(res, i, "refund_status");
		r->audit_status = col(res, i, "audit_status");
		r->auditor = col(res, i, "auditor");
		r->audit_time = col(res, i, "audit_time");
		r->audit_comment = col(res, i, "audit_comment");
		r->failure_reason = col(res, i, "failure_reason");
		r->out_refund_no = col(res, i, "out_refund_no");
		r->success_time = col(res, i, "success_time");
		r->created = col(res, i, "created");
		int64_t fen = 0;
		const char *amt = col(res, i, "amount");
		if (amt && money_parse(amt, &fen) == CAMP_OK)
			r->fen = fen;
		r->checkin_count = (int)db_get_ll(res, i, "checkin_count", 0);
		r->required_days = (int)db_get_ll(res, i, "required_days", 0);
		r->confidence = (int)db_get_ll(res, i, "match_confidence", 0);
		r->eligible = db_get_bool(res, i, "eligible_for_refund");
		if (PQfnumber(res, "attempt") >= 0) {
			r->attempt = (int)db_get_ll(res, i, "attempt", 1);
			r->retry_count = (int)db_get_ll(res, i, "retry_count", 0);
			r->newer_attempt = db_get_bool(res, i, "newer_attempt");
		}
		r->proposal_reason = col(res, i, "proposal_reason");
		r->proposer = col(res, i, "proposer");
		r->updated = col(res, i, "updated");
	}
	return CAMP_OK;
}

/* What a whole filtered list holds (every page): rows and their amount. */
static void totals_of(const PGresult *res, struct refund_totals *t)
{
	if (t == NULL)
		return;
	memset(t, 0, sizeof(*t));
	if (res == NULL || PQntuples(res) == 0)
		return;
	t->rows = db_get_ll(res, 0, "total", 0);
	if (PQfnumber(res, "sum_all") >= 0)
		money_parse(db_get(res, 0, "sum_all"), &t->fen);
}

/* LIMIT/OFFSET parameters: limit 0 = every row */
static const char *limit_of(arena *a, long limit)
{
	return limit > 0 ? arena_i64(a, limit) : NULL;
}

int refund_pending(struct db *d, arena *a, const struct refund_filter *f,
                   struct refund_row **out, int *n, struct refund_totals *t)
{
	const char *p[] = { arena_i64(a, f->camp_id), f->bind_status ? f->bind_status : "",
	                    arena_i64(a, f->scope_user), limit_of(a, f->limit),
	                    arena_i64(a, f->limit > 0 ? f->offset : 0) };
	PGresult *res = db_q(d, a, &q_pending, 5, p);
	totals_of(res, t);
	return rows_of(a, res, out, n);
}

int refund_unproposed(struct db *d, arena *a, const struct refund_filter *f, const char *kind,
                      struct refund_row **out, int *n, struct refund_totals *t)
{
	const char *p[] = { arena_i64(a, f->camp_id), f->bind_status ? f->bind_status : "",
	                    arena_i64(a, f->scope_user), kind, limit_of(a, f->limit) };
	PGresult *res = db_q(d, a, &q_unproposed, 5, p);
	totals_of(res, t);
	return rows_of(a, res, out, n);
}

int refund_records(struct db *d, arena *a, const struct refund_filter *f,
                   struct refund_row **out, int *n, struct refund_totals *t)
{
	const char *p[] = { arena_i64(a, f->camp_id), f->status ? f->status : "",
	                    arena_i64(a, f->scope_user), f->from ? f->from : "", f->to ? f->to : "",
	                    limit_of(a, f->limit), f->with_pending ? "t" : "f",
	                    arena_i64(a, f->limit > 0 ? f->offset : 0) };
	PGresult *res = db_q(d, a, &q_records, 8, p);
	totals_of(res, t);
	return rows_of(a, res, out, n);
}

const char *refund_status_label(const char *s)
{
	static const char *const labels[][2] = {
		{ "pending", "待审核" }, { "approved", "已通过，待退款" }, { "rejected", "已拒绝" },
		{ "processing", "退款中" }, { "success", "已退款" }, { "failed", "退款失败" },
		{ "closed", "退款关闭" }, { "abnormal", "退款异常" }, { "refunded_offline", "已线下退款" },
	};
	for (size_t i = 0; s && i < CAMP_ARRAY_LEN(labels); i++)
		if (!strcmp(labels[i][0], s))
			return labels[i][1];
	return s ? s : "";
}

/* ---- decisions ----------------------------------------------------------- */

/* What a batch approval would move: the proposals of ids still pending, at
 * or above min_confidence, in the auditor's scope (the confirmation page). */
static const struct db_stmt q_batch_total = DB_STMT(
	"SELECT count(*) AS n, COALESCE(sum(r.refund_amount), 0)::text AS total"
	"  FROM refund_record r JOIN camp_member m ON m.id = r.member_id"
	" WHERE r.id = ANY ($1::bigint[]) AND r.deleted_at IS NULL"
	"   AND r.audit_status = 'pending' AND r.refund_status = 'pending'"
	"   AND m.match_confidence >= $2::int" SCOPE("r.camp_id", 3));

int refund_batch_total(struct db *d, arena *a, const long long *ids, int n, int min_confidence,
                       long long scope_user, int *count, int64_t *fen)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, "{");
	for (int i = 0; i < n; i++)
		buf_printf(&b, "%s%lld", i ? "," : "", ids[i]);
	buf_puts(&b, "}");
	const char *p[] = { arena_strdup(a, b.s), arena_i64(a, min_confidence), arena_i64(a, scope_user) };
	buf_free(&b);
	PGresult *res = db_q(d, a, &q_batch_total, 3, p);
	if (res == NULL)
		return CAMP_EDB;
	*count = (int)db_get_ll(res, 0, "n", 0);
	*fen = 0;
	money_parse(db_get(res, 0, "total"), fen);
	return CAMP_OK;
}

static const struct db_stmt q_decide = DB_STMT(
	"UPDATE refund_record r SET refund_status = $2, audit_status = $2, auditor_id = NULLIF($3::bigint, 0),"
	"       audit_time = $4::timestamptz, audit_comment = $5, updated_at = $4::timestamptz"
	"  FROM camp_member m"
	" WHERE r.id = $1 AND m.id = r.member_id AND r.deleted_at IS NULL"
	"   AND r.audit_status = 'pending' AND r.refund_status = 'pending'"
	"   AND m.match_confidence >= $6::int" SCOPE("r.camp_id", 7)
	" RETURNING r.refund_amount::text AS amount, r.camp_id");
static const struct db_stmt q_log = DB_STMT(
	"INSERT INTO refund_status_log (refund_id, from_status, to_status, event, operator_id, remark, created_at)"
	" VALUES ($1, $2, $3, $4, NULLIF($5::bigint, 0), $6, $7::timestamptz)");

static int status_log(struct db *d, arena *a, long long id, const char *from, const char *to,
                      const char *event, long long who, const char *remark)
{
	char now[40];
	const char *p[] = { arena_i64(a, id), from, to, event, arena_i64(a, who), remark,
	                    clock_now_param(now, sizeof(now)) };
	return db_q(d, a, &q_log, 7, p) ? CAMP_OK : CAMP_EDB;
}

int refund_log(struct db *d, arena *a, long long id, const char *from, const char *to,
               const char *event, long long who, const char *remark)
{
	return status_log(d, a, id, from, to, event, who, remark);
}

static int oplog(struct db *d, arena *a, const struct audit *who, const char *type,
                 long long id, const char *desc)
{
	struct audit e = *who;
	e.type = type;
	e.desc = desc;
	e.target_type = "refund";
	e.target_id = id;
	e.target_name = arena_printf(a, "退款 #%lld", id);
	return audit_log(d, a, &e);
}

int refund_decide(struct db *d, arena *a, long long id, int approve, const char *reason,
                  int min_confidence, long long scope_user, const struct audit *who,
                  int64_t *fen)
{
	char now[40];
	const char *to = approve ? "approved" : "rejected";
	const char *p[] = { arena_i64(a, id), to, arena_i64(a, who->operator_id),
	                    clock_now_param(now, sizeof(now)), reason,
	                    arena_i64(a, min_confidence), arena_i64(a, scope_user) };
	if (db_begin(d) != CAMP_OK)
		return CAMP_EDB;
	PGresult *res = db_q(d, a, &q_decide, 7, p);
	if (res == NULL) {
		/* the unique index: another attempt of this payment is live */
		int conflict = !strcmp(db_sqlstate(d), "23505");
		db_rollback(d);
		return conflict ? CAMP_ECONFLICT : CAMP_EDB;
	}
	if (PQntuples(res) != 1) {
		db_rollback(d);
		return CAMP_ENOTFOUND;
	}
	int64_t amount = 0;
	money_parse(db_get(res, 0, "amount"), &amount);
	char yuan[32];
	money_format(amount, yuan, sizeof(yuan));
	const char *desc = approve
		? arena_printf(a, "通过退款 #%lld，金额 ¥%s", id, yuan)
		: arena_printf(a, "拒绝退款 #%lld：%s", id, reason ? reason : "");
	if (status_log(d, a, id, "pending", to, approve ? "APPROVE" : "REJECT",
	               who->operator_id, approve ? reason : reason) != CAMP_OK ||
	    oplog(d, a, who, approve ? "APPROVE_REFUND" : "REJECT_REFUND", id, desc) != CAMP_OK ||
	    db_commit(d) != CAMP_OK) {
		db_rollback(d);
		return CAMP_EDB;
	}
	if (fen)
		*fen = amount;
	return CAMP_OK;
}

/* ---- follow-ups ------------------------------------------------------------ */

static const struct db_stmt q_lock_one = DB_STMT(
	"SELECT r.id FROM refund_record r"
	" WHERE r.id = $1 AND r.deleted_at IS NULL" SCOPE("r.camp_id", 2)
	" FOR UPDATE OF r");
/* Read after the lock, in a statement of its own: a statement that waited
 * for the lock sees the rows another decision added only if it starts after
 * that decision committed (two staff on one CLOSED refund at once). */
static const struct db_stmt q_state_one = DB_STMT(
	"SELECT r.refund_status, r.attempt, p.source,"
	" EXISTS (SELECT 1 FROM refund_record n WHERE n.payment_id = r.payment_id"
	"         AND n.attempt > r.attempt AND n.deleted_at IS NULL) AS newer,"
	" p.refunded_amount + r.refund_amount > p.pay_amount AS covered"
	"  FROM refund_record r JOIN payment_record p ON p.id = r.payment_id WHERE r.id = $1");
static const struct db_stmt q_retry = DB_STMT(
	"UPDATE refund_record SET refund_status = CASE WHEN out_refund_no IS NULL THEN 'approved'"
	"       ELSE 'processing' END, retry_count = 0, next_retry_at = NULL, failure_reason = NULL,"
	"       updated_at = $2::timestamptz WHERE id = $1 AND refund_status = 'failed'"
	" RETURNING refund_status");
static const struct db_stmt q_new_attempt = DB_STMT(
	"INSERT INTO refund_record (camp_id, member_id, payment_id, refund_amount, refund_status,"
	"  audit_status, auditor_id, audit_time, audit_comment, attempt, created_at, updated_at)"
	" SELECT camp_id, member_id, payment_id, refund_amount, 'approved', 'approved',"
	"  NULLIF($2::bigint, 0), $3::timestamptz, audit_comment, attempt + 1, $3::timestamptz, $3::timestamptz"
	"  FROM refund_record WHERE id = $1 RETURNING id");
static const struct db_stmt q_offline = DB_STMT(
	"UPDATE refund_record SET refund_status = 'refunded_offline', success_time = $2::timestamptz,"
	"       next_retry_at = NULL, updated_at = $2::timestamptz WHERE id = $1"
	" RETURNING refund_amount::text AS amount, payment_id, camp_id");
static const struct db_stmt q_pay_refunded = DB_STMT(
	"UPDATE payment_record SET refunded_amount = refunded_amount + $2::numeric,"
	"       pay_status = CASE WHEN refunded_amount + $2::numeric >= pay_amount THEN 'refunded' ELSE pay_status END,"
	"       updated_at = $3::timestamptz WHERE id = $1");
static const struct db_stmt q_camp_refunded = DB_STMT(
	"UPDATE training_camp SET refunded_amount = refunded_amount + $2::numeric WHERE id = $1");

/* the money has gone back: payment and camp totals follow, in the caller's transaction */
static int book_refund(struct db *d, arena *a, const char *payment_id, const char *camp_id,
                       const char *amount)
{
	char now[40];
	const char *pp[] = { payment_id, amount, clock_now_param(now, sizeof(now)) };
	const char *cp[] = { camp_id, amount };
	return db_q(d, a, &q_pay_refunded, 3, pp) && db_q(d, a, &q_camp_refunded, 2, cp)
	       ? CAMP_OK : CAMP_EDB;
}

int refund_followup(struct db *d, arena *a, long long id, const char *action,
                    long long scope_user, const struct audit *who)
{
	char now[40];
	clock_now_param(now, sizeof(now));
	const char *sid = arena_i64(a, id);
	const char *lp[] = { sid, arena_i64(a, scope_user) };
	if (db_begin(d) != CAMP_OK)
		return CAMP_EDB;
	PGresult *res = db_q(d, a, &q_lock_one, 2, lp);
	int rc = res ? CAMP_OK : CAMP_EDB;
	if (rc == CAMP_OK && PQntuples(res) != 1)
		rc = CAMP_ENOTFOUND;
	if (rc == CAMP_OK && (res = db_q(d, a, &q_state_one, 1, lp)) == NULL)
		rc = CAMP_EDB;
	const char *st = rc == CAMP_OK ? db_get(res, 0, "refund_status") : "";
	int ended = !strcmp(st, "closed") || !strcmp(st, "abnormal");
	int bill = rc == CAMP_OK && !strcmp(db_get(res, 0, "source"), "wecom_bill");
	int newer = rc == CAMP_OK && db_get_bool(res, 0, "newer");
	int covered = rc == CAMP_OK && db_get_bool(res, 0, "covered");
	const char *desc = NULL, *type = NULL;
	if (rc == CAMP_OK && !strcmp(action, "retry") && !strcmp(st, "failed")) {
		PGresult *u = db_q(d, a, &q_retry, 2, (const char *[]){ sid, now });
		rc = u && PQntuples(u) == 1 ? CAMP_OK : CAMP_EDB;
		if (rc == CAMP_OK)
			rc = status_log(d, a, id, "failed", db_get(u, 0, "refund_status"), "RETRY",
			                who->operator_id, "人工重试（同一退款单号）");
		type = "RETRY_REFUND";
		desc = arena_printf(a, "重试退款 #%lld", id);
	} else if (rc == CAMP_OK && !strcmp(action, "attempt") && ended && !newer) {
		PGresult *u = db_q(d, a, &q_new_attempt, 3, (const char *[]){ sid, arena_i64(a, who->operator_id), now });
		if (u == NULL)
			rc = !strcmp(db_sqlstate(d), "23505") ? CAMP_ECONFLICT : CAMP_EDB;
		else
			rc = status_log(d, a, db_get_ll(u, 0, "id", 0), st, "approved", "NEW_ATTEMPT",
			                who->operator_id, arena_printf(a, "退款 #%lld 之后的新尝试", id));
		type = "RETRY_REFUND";
		desc = arena_printf(a, "退款 #%lld 已%s，发起新的退款尝试", id, refund_status_label(st));
	} else if (rc == CAMP_OK && !strcmp(action, "offline") && !covered &&
	           ((ended && !newer) || (bill && !strcmp(st, "approved")))) {
		PGresult *u = db_q(d, a, &q_offline, 2, (const char *[]){ sid, now });
		rc = u && PQntuples(u) == 1 ? CAMP_OK : CAMP_EDB;
		if (rc == CAMP_OK)
			rc = book_refund(d, a, db_get(u, 0, "payment_id"), db_get(u, 0, "camp_id"),
			                 db_get(u, 0, "amount"));
		if (rc == CAMP_OK)
			rc = status_log(d, a, id, st, "refunded_offline", "OFFLINE", who->operator_id,
			                "管理员已线下退款");
		type = "OFFLINE_REFUND";
		desc = arena_printf(a, "退款 #%lld 标记为已线下退款", id);
	} else if (rc == CAMP_OK) {
		rc = CAMP_ECONFLICT;
	}
	if (rc == CAMP_OK)
		rc = oplog(d, a, who, type, id, desc);
	if (rc != CAMP_OK || db_commit(d) != CAMP_OK) {
		db_rollback(d);
		return rc == CAMP_OK ? CAMP_EDB : rc;
	}
	return CAMP_OK;
}

/* ---- execution ------------------------------------------------------------- */

static const struct db_stmt q_due = DB_STMT(
	"SELECT r.id FROM refund_record r JOIN payment_record p ON p.id = r.payment_id"
	" WHERE r.refund_status IN ('approved', 'processing') AND r.deleted_at IS NULL"
	"   AND p.source = 'wechatpay'"
	"   AND (r.next_retry_at IS NULL OR r.next_retry_at <= $1::timestamptz)"
	" ORDER BY r.next_retry_at NULLS FIRST, r.id LIMIT 2000");

int refund_due(struct db *d, arena *a, long long **ids, int *n)
{
	char now[40];
	const char *p[] = { clock_now_param(now, sizeof(now)) };
	PGresult *res = db_q(d, a, &q_due, 1, p);
	if (res == NULL)
		return CAMP_EDB;
	*ids = db_get_ids(res, a, "id", n);
	return CAMP_OK;
}

static const struct db_stmt q_load = DB_STMT(
	"SELECT r.refund_status, r.out_refund_no, r.payment_id, r.attempt, r.retry_count, r.refund_amount::text AS amount,"
	"       r.wechat_status, p.order_no, p.wechat_transaction_id, p.pay_amount::text AS total, p.source,"
	"       p.refunded_amount + r.refund_amount > p.pay_amount AS covered,"
	"       (r.next_retry_at IS NULL OR r.next_retry_at <= $2::timestamptz) AS due,"
	"       (SELECT t.cancelled_at IS NOT NULL FROM training_camp t WHERE t.id = r.camp_id) AS cancelled"
	"  FROM refund_record r JOIN payment_record p ON p.id = r.payment_id"
	" WHERE r.id = $1 AND r.deleted_at IS NULL");
/* approved → processing: the attempt's out_refund_no is committed before
 * the call; the lease makes a crash in between end in a query */
static const struct db_stmt q_start = DB_STMT(
	"UPDATE refund_record SET refund_status = 'processing',"
	"       out_refund_no = COALESCE(out_refund_no, 'RF' || id || 'N' || attempt),"
	"       execute_time = $2::timestamptz, next_retry_at = $2::timestamptz + interval '60 seconds',"
	"       updated_at = $2::timestamptz"
	" WHERE id = $1 AND refund_status = 'approved' RETURNING out_refund_no");
static const struct db_stmt q_reschedule = DB_STMT(
	"UPDATE refund_record SET retry_count = retry_count + $3::int, last_retry_time = $2::timestamptz,"
	"       next_retry_at = $2::timestamptz + ($4::int * interval '1 second'),"
	"       failure_reason = COALESCE($5, failure_reason), updated_at = $2::timestamptz"
	" WHERE id = $1 AND refund_status = 'processing' RETURNING retry_count");
/* the merchant's balance is too low: wait, counting nothing (PROTOCOLS §1.6) */
static const struct db_stmt q_wait_balance = DB_STMT(
	"UPDATE refund_record SET last_retry_time = $2::timestamptz,"
	"       next_retry_at = $2::timestamptz + ($3::int * interval '1 second'),"
	"       failure_reason = $4, updated_at = $2::timestamptz"
	" WHERE id = $1 AND refund_status = 'processing'");
static const struct db_stmt q_fail = DB_STMT(
	"UPDATE refund_record SET refund_status = 'failed', failure_reason = $3, next_retry_at = NULL,"
	"       updated_at = $2::timestamptz WHERE id = $1 AND refund_status = 'processing'"
	" RETURNING camp_id, member_id");
static int fail_refund(struct db *d, arena *a, long long id, const char *reason)
{
	char now[40];
	clock_now_param(now, sizeof(now));
	const char *sid = arena_i64(a, id);
	if (db_begin(d) != CAMP_OK)
		return CAMP_EDB;
	PGresult *res = db_q(d, a, &q_fail, 3, (const char *[]){ sid, now, reason });
	int rc = res ? CAMP_OK : CAMP_EDB;
	if (rc == CAMP_OK && PQntuples(res) == 1) {
		struct alert al = { "refund_failed", "退款失败",
		                    arena_printf(a, "退款 #%lld 失败：%s。请在退款记录页处理。", id, reason),
		                    db_get_ll(res, 0, "camp_id", 0), db_get_ll(res, 0, "member_id", 0),
		                    NULL };
		rc = status_log(d, a, id, "processing", "failed", "FAIL", 0, reason);
		if (rc == CAMP_OK)
			rc = alert_staff(d, a, &al, NULL);
	}
	if (rc != CAMP_OK || db_commit(d) != CAMP_OK) {
		db_rollback(d);
		return CAMP_EDB;
	}
	return CAMP_OK;
}

/* Counts one more failure in a row; past the limit the refund fails (with
 * its alert) — unless WeChat accepted it and still processes it: then our
 * trouble asking is no reason to give up, and it is asked again, at most
 * hourly, until WeChat gives the outcome. */
static int retry_later(struct db *d, arena *a, long long id, int retries, int accepted,
                       const char *reason, enum refund_step *out)
{
	if (retries + 1 > REFUND_MAX_RETRIES && !accepted) {
		*out = RS_FAILED;
		return fail_refund(d, a, id, arena_printf(a, "连续 %d 次未成功：%s", REFUND_MAX_RETRIES, reason));
	}
	char now[40];
	int backoff = 60 << (retries < 6 ? retries : 6);    /* 1, 2, 4 … minutes */
	if (backoff > 3600)
		backoff = 3600;
	const char *p[] = { arena_i64(a, id), clock_now_param(now, sizeof(now)), "1",
	                    arena_i64(a, backoff), reason };
	*out = RS_RETRY;
	return db_q(d, a, &q_reschedule, 5, p) ? CAMP_OK : CAMP_EDB;
}

static int wait_balance(struct db *d, arena *a, long long id, enum refund_step *out)
{
	char now[40];
	const char *p[] = { arena_i64(a, id), clock_now_param(now, sizeof(now)),
	                    arena_i64(a, REFUND_BALANCE_WAIT_S),
	                    "商户可用余额不足（NOT_ENOUGH），充值后将以同一退款单号自动重试" };
	*out = RS_WAITING;
	return db_q(d, a, &q_wait_balance, 4, p) ? CAMP_OK : CAMP_EDB;
}

static const char *error_text(arena *a, const struct wxpay_result *r)
{
	if (r->status == 0)
		return "微信支付无响应（超时）";
	return arena_printf(a, "HTTP %ld %s %s", r->status, r->code ? r->code : "",
	                    r->message ? r->message : "");
}

static void audit_call(struct db *d, arena *a, long long payment_id, const char *action,
                       const struct wxpay_result *r, const char *detail)
{
	struct pay_audit e = { .payment_id = payment_id, .action = action, .detail = detail,
	                       .request_json = r->request_body, .response_json = r->body,
	                       .error = r->status >= 200 && r->status < 300 ? NULL : error_text(a, r) };
	if (payment_audit(d, a, &e) != CAMP_OK)
		log_warn("refunds: payment audit log not written");
}

/* An answer that carries the refund: apply it. */
static int take_answer(struct db *d, arena *a, const struct wxpay_result *r, const char *source,
                       enum refund_step *out)
{
	struct wx_refund w;
	if (wx_refund_parse(a, r->body, &w) != CAMP_OK)
		return CAMP_EPROVIDER;
	int changed;
	int rc = refund_apply(d, a, &w, source, &changed);
	if (rc != CAMP_OK)
		return rc;
	*out = !strcmp(w.status, "SUCCESS") ? RS_SUCCESS :
	       !strcmp(w.status, "PROCESSING") ? RS_PROCESSING : RS_ENDED;
	return CAMP_OK;
}

/* Tests only (CAMP_ENV=test): CAMP_TEST_REFUND_CRASH=after-submit makes the
 * worker stop right after WeChat accepted a refund, before the database
 * learns of it — what a killed camp-worker leaves behind. */
static int crash_after_submit(void)
{
	const char *v = getenv("CAMP_TEST_REFUND_CRASH");
	return camp_env()->is_test && v != NULL && !strcmp(v, "after-submit");
}

int refund_execute(struct db *d, arena *a, const struct wxpay_cfg *cfg, long long id,
                   enum refund_step *out)
{
	*out = RS_NOTHING;
	char now[40];
	clock_now_param(now, sizeof(now));
	const char *sid = arena_i64(a, id);
	PGresult *res = db_q(d, a, &q_load, 2, (const char *[]){ sid, now });
	if (res == NULL)
		return CAMP_EDB;
	if (PQntuples(res) != 1 || strcmp(db_get(res, 0, "source"), "wechatpay") != 0 ||
	    !db_get_bool(res, 0, "due"))
		return CAMP_OK;
	const char *status = db_get(res, 0, "refund_status");
	const char *no = db_get(res, 0, "out_refund_no");
	const char *wx = db_get(res, 0, "wechat_status");
	int accepted = wx != NULL && !strcmp(wx, "PROCESSING");
	int covered = db_get_bool(res, 0, "covered");
	int retries = (int)db_get_ll(res, 0, "retry_count", 0);
	long long pid = db_get_ll(res, 0, "payment_id", 0);
	int64_t fen = 0, total = 0;
	money_parse(db_get(res, 0, "amount"), &fen);
	money_parse(db_get(res, 0, "total"), &total);
	int submit;
	if (!strcmp(status, "approved")) {
		if (db_begin(d) != CAMP_OK)
			return CAMP_EDB;
		PGresult *s = db_q(d, a, &q_start, 2, (const char *[]){ sid, now });
		if (s == NULL || PQntuples(s) != 1 ||
		    status_log(d, a, id, "approved", "processing", "EXECUTE", 0, NULL) != CAMP_OK ||
		    db_commit(d) != CAMP_OK) {
			db_rollback(d);
			return s && PQntuples(s) == 0 ? CAMP_OK : CAMP_EDB;
		}
		no = db_get(s, 0, "out_refund_no");
		submit = 1;
	} else if (!strcmp(status, "processing") && no != NULL) {
		submit = 0;
	} else {
		return CAMP_OK;
	}
	time_t t = camp_now();
	struct wxpay_result r;
	if (!submit) {
		/* the outcome of the last call is unknown or pending: ask first */
		int rc = wxpay_refund_query(cfg, a, no, t, &r);
		audit_call(d, a, pid, "REFUND_QUERY", &r, no);
		if (rc == CAMP_OK && r.status == 200 && r.body)
			return take_answer(d, a, &r, "query", out) == CAMP_EDB ? CAMP_EDB : CAMP_OK;
		if (rc != CAMP_OK || r.status != 404)
			return retry_later(d, a, id, retries, accepted, error_text(a, &r), out);
		/* RESOURCE_NOT_EXISTS: never accepted; submit it (same out_refund_no) */
	}
	if (covered) {
		/* the payment's refunded amount already covers this refund (an
		 * offline refund, another attempt): never send it to WeChat */
		*out = RS_FAILED;
		return fail_refund(d, a, id, "该支付已全额退款（含线下退款），本次退款未提交微信");
	}
	struct wxpay_refund_req q = {
		.transaction_id = db_get(res, 0, "wechat_transaction_id"),
		.out_trade_no = db_get(res, 0, "order_no"),
		.out_refund_no = no,
		.reason = db_get_bool(res, 0, "cancelled") ? CAMP_CANCEL_REASON "，退还押金" : "训练营完成打卡，退还押金",
		.notify_url = arena_printf(a, "%s/pay/wechat/refund-notify", camp_env()->base_url),
		.refund = fen, .total = total,
	};
	int rc = wxpay_refund_create(cfg, a, &q, t, &r);
	audit_call(d, a, pid, "REFUND_CREATE", &r, no);
	if (crash_after_submit())
		return CAMP_EPROVIDER;
	if (rc == CAMP_OK && r.status == 200 && r.body)
		return take_answer(d, a, &r, "create", out) == CAMP_EDB ? CAMP_EDB : CAMP_OK;
	if (rc == CAMP_OK && r.status == 403 && r.code && !strcmp(r.code, "NOT_ENOUGH"))
		/* the balance: the next step (later) queries, finds nothing, resubmits */
		return wait_balance(d, a, id, out);
	if (rc != CAMP_OK || r.status == 429 || r.status >= 500)
		/* unknown outcome (timeout, 429) → the next step queries first;
		 * 5xx → the query finds nothing and resubmits */
		return retry_later(d, a, id, retries, accepted, error_text(a, &r), out);
	*out = RS_FAILED;
	return fail_refund(d, a, id, error_text(a, &r));
}

/* ---- outcomes ------------------------------------------------------------ */

static const struct db_stmt q_lock_no = DB_STMT(
	"SELECT r.id, r.refund_status, r.camp_id, r.member_id, r.payment_id, r.refund_amount::text AS amount,"
	"       t.required_days, m.checkin_count,"
	"       COALESCE(NULLIF(m.filled_planet_nickname, ''), NULLIF(m.filled_wechat_nickname, ''),"
	"                p.payer_wechat_name, '学员') AS nickname"
	"  FROM refund_record r JOIN camp_member m ON m.id = r.member_id"
	"  JOIN payment_record p ON p.id = r.payment_id JOIN training_camp t ON t.id = r.camp_id"
	" WHERE r.out_refund_no = $1 FOR UPDATE OF r");
static const struct db_stmt q_outcome = DB_STMT(
	"UPDATE refund_record SET refund_status = $2::text, wechat_status = $3, retry_count = 0,"
	"       wechat_refund_id = COALESCE($4, wechat_refund_id),"
	"       success_time = CASE WHEN $2::text = 'success' THEN COALESCE($5::timestamptz, $6::timestamptz) END,"
	"       failure_reason = CASE WHEN $2::text = 'success' THEN NULL ELSE COALESCE($7, failure_reason) END,"
	"       next_retry_at = CASE WHEN $2::text = 'processing' THEN $6::timestamptz + interval '60 seconds' END,"
	"       updated_at = $6::timestamptz"
	" WHERE id = $1");
/* A late SUCCESS for an attempt we had given up on: a newer live attempt of
 * the same payment must not refund it again. */
static const struct db_stmt q_supersede = DB_STMT(
	"UPDATE refund_record SET refund_status = 'closed', next_retry_at = NULL, updated_at = $3::timestamptz,"
	"       failure_reason = '较早的退款尝试已成功，本尝试作废'"
	" WHERE payment_id = $1 AND id <> $2 AND refund_status IN ('approved', 'processing')"
	"   AND deleted_at IS NULL RETURNING id, refund_status");
static const struct db_stmt q_robot = DB_STMT(
	"INSERT INTO notification_message (recipient_type, recipient_id, message_type, title, content,"
	"  camp_id, member_id, channel, created_at, updated_at)"
	" VALUES ('robot', $1, 'refund_success', '退款通知', $2, $1, $3, 'robot', $4::timestamptz, $4::timestamptz)");

int refund_apply(struct db *d, arena *a, const struct wx_refund *w, const char *source,
                 int *changed)
{
	*changed = 0;
	const char *to = !strcmp(w->status, "SUCCESS") ? "success" :
	                 !strcmp(w->status, "CLOSED") ? "closed" :
	                 !strcmp(w->status, "ABNORMAL") ? "abnormal" :
	                 !strcmp(w->status, "PROCESSING") ? "processing" : NULL;
	if (to == NULL)
		return CAMP_EINVAL;
	char now[40];
	clock_now_param(now, sizeof(now));
	if (db_begin(d) != CAMP_OK)
		return CAMP_EDB;
	PGresult *res = db_q(d, a, &q_lock_no, 1, (const char *[]){ w->out_refund_no });
	if (res == NULL || PQntuples(res) != 1) {
		db_rollback(d);
		return res ? CAMP_ENOTFOUND : CAMP_EDB;
	}
	const char *id = db_get(res, 0, "id");
	const char *from = arena_strdup(a, db_get(res, 0, "refund_status"));
	/* a processing attempt moves; so does one we gave up on (failed), and
	 * an abnormal one that WeChat later paid out; anything else is a repeat */
	int processing = !strcmp(from, "processing");
	int late = strcmp(to, "processing") != 0 &&
	           (!strcmp(from, "failed") || (!strcmp(from, "abnormal") && !strcmp(to, "success")));
	if (!processing && !late) {
		db_rollback(d);
		return CAMP_OK;
	}
	const char *reason = !strcmp(to, "closed") ? "微信退款关闭（款项仍可退）" :
	                     !strcmp(to, "abnormal") ? "微信退款异常（用户账户异常，需线下处理或重新发起）" : NULL;
	const char *p[] = { id, to, w->status, w->refund_id, w->success_time, now, reason };
	int rc = CAMP_OK;
	if (late && !strcmp(to, "success")) {
		PGresult *sup = db_q(d, a, &q_supersede, 3,
		                     (const char *[]){ db_get(res, 0, "payment_id"), id, now });
		rc = sup ? CAMP_OK : CAMP_EDB;
		for (int i = 0; rc == CAMP_OK && i < PQntuples(sup); i++)
			rc = status_log(d, a, db_get_ll(sup, i, "id", 0), db_get(sup, i, "refund_status"),
			                "closed", "SUPERSEDED", 0, arena_printf(a, "退款 #%s 已成功", id));
	}
	if (rc == CAMP_OK && db_q(d, a, &q_outcome, 7, p) == NULL)
		rc = CAMP_EDB;
	if (rc == CAMP_OK && strcmp(to, "processing") != 0)
		rc = status_log(d, a, atoll(id), from, to, arena_printf(a, "WECHAT_%s", w->status),
		                0, arena_printf(a, "来源：%s%s", source, late ? "（迟到的结果）" : ""));
	if (rc == CAMP_OK && !strcmp(to, "success")) {
		const char *amount = db_get(res, 0, "amount");
		rc = book_refund(d, a, db_get(res, 0, "payment_id"), db_get(res, 0, "camp_id"), amount);
		int64_t fen = 0;
		money_parse(amount, &fen);
		char yuan[32];
		money_format(fen, yuan, sizeof(yuan));
		/* PRD §6.3.2: the member is named in plain text; one line per member,
		 * the notify job packs a batch's lines into few robot messages (issue #16) */
		const char *text = arena_printf(a, "@%s 打卡天数：%s/%s天，退款金额：%s元",
		                                db_get(res, 0, "nickname"), db_get(res, 0, "checkin_count"),
		                                db_get(res, 0, "required_days"), yuan);
		const char *rp[] = { db_get(res, 0, "camp_id"), text, db_get(res, 0, "member_id"), now };
		if (rc == CAMP_OK && db_q(d, a, &q_robot, 4, rp) == NULL)
			rc = CAMP_EDB;
	}
	if (rc != CAMP_OK || db_commit(d) != CAMP_OK) {
		db_rollback(d);
		return CAMP_EDB;
	}
	*changed = strcmp(to, "processing") != 0;
	return CAMP_OK;
}

static const struct db_stmt q_count = DB_STMT(
	"SELECT refund_status, count(*) AS n FROM refund_record"
	" WHERE id = ANY ($1::bigint[]) GROUP BY refund_status");

int refund_count(struct db *d, arena *a, const long long *ids, int n, struct refund_counts *c)
{
	memset(c, 0, sizeof(*c));
	struct buf b = BUF_INIT;
	buf_puts(&b, "{");
	for (int i = 0; i < n; i++)
		buf_printf(&b, "%s%lld", i ? "," : "", ids[i]);
	buf_puts(&b, "}");
	const char *p[] = { arena_strdup(a, b.s ? b.s : "{}") };
	buf_free(&b);
	PGresult *res = db_q(d, a, &q_count, 1, p);
	if (res == NULL)
		return CAMP_EDB;
	for (int i = 0; i < PQntuples(res); i++) {
		const char *st = db_get(res, i, "refund_status");
		int k = (int)db_get_ll(res, i, "n", 0);
		if (!strcmp(st, "pending"))
			c->pending += k;
		else if (!strcmp(st, "approved") || !strcmp(st, "processing"))
			c->processing += k;
		else if (!strcmp(st, "success") || !strcmp(st, "refunded_offline"))
			c->success += k;
		else if (!strcmp(st, "failed") || !strcmp(st, "closed") || !strcmp(st, "abnormal"))
			c->failed += k;
		else
			c->other += k;
	}
	return CAMP_OK;
}

int refund_alert_balance(struct db *d, arena *a, int waiting)
{
	if (waiting <= 0)
		return CAMP_OK;
	struct alert al = { "refund_not_enough", "商户可用余额不足",
	                    arena_printf(a, "商户可用余额不足，%d 笔退款等待中。请为微信支付商户号充值，"
	                                    "退款会以原退款单号自动重试。", waiting),
	                    0, 0, NULL };
	return alert_staff(d, a, &al, NULL);
}
