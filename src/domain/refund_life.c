/* refund_life.c: manual proposals, reopening, closing a binding — each one transaction with its logs. */
#include "refund_life.h"
#include "audit.h"
#include "camp.h"
#include "clock.h"
#include "db.h"
#include "money.h"
#include "refunds.h"

#include <string.h>

static const char *member_name(arena *a, const PGresult *res)
{
	const char *n = db_get(res, 0, "planet_nickname");
	if (n == NULL || *n == '\0')
		n = db_get(res, 0, "wechat_nickname");
	return arena_printf(a, "%s", n && *n ? n : "会员");
}

static int oplog(struct db *d, arena *a, const struct audit *who, const char *type,
                 const char *target_type, long long id, const char *name, const char *desc)
{
	struct audit e = *who;
	e.type = type;
	e.desc = desc;
	e.target_type = target_type;
	e.target_id = id;
	e.target_name = name;
	return audit_log(d, a, &e);
}

/* Why a payment's existing refund record stops a new proposal. */
static const char *blocked_by(const char *status)
{
	if (!strcmp(status, "pending"))
		return "该会员已有待审核的退款提议";
	if (!strcmp(status, "rejected"))
		return "该会员的退款已被拒绝：请在退款记录中“重新提议”";
	if (!strcmp(status, "approved") || !strcmp(status, "processing"))
		return "该会员的退款正在进行中";
	if (!strcmp(status, "success") || !strcmp(status, "refunded_offline"))
		return "该会员的押金已经退还";
	return "该会员已有退款记录：请在退款记录中处理";
}

/* One action, as every public function below runs it. */
struct act {
	long long id;               /* the member, or the refund */
	const char *reason;
	const struct audit *who;
	long long refund_id;        /* out: the proposal made */
	const char *why;            /* out: why not, for people */
};
typedef int (*act_fn)(struct db *d, arena *a, struct act *x);

/* Runs fn in its own transaction; a unique-index clash (another proposal of
 * the payment went in meanwhile) is a conflict said as clash. */
static int in_tx(struct db *d, arena *a, act_fn fn, struct act *x, const char *clash)
{
	if (db_begin(d) != CAMP_OK)
		return CAMP_EDB;
	int rc = fn(d, a, x);
	if (rc == CAMP_OK && db_commit(d) == CAMP_OK)
		return CAMP_OK;
	int dup = rc == CAMP_EDB && !strcmp(db_sqlstate(d), "23505");
	db_rollback(d);
	if (dup && clash != NULL) {
		x->why = clash;
		return CAMP_ECONFLICT;
	}
	return rc == CAMP_OK ? CAMP_EDB : rc;
}

/* ---- 手动提议退款 --------------------------------------------------------------- */

/* The member's paid order, locked so two proposals for it run one after the other. */
static const struct db_stmt q_paid = DB_STMT(
	"SELECT m.id AS member_id, m.camp_id, p.id AS payment_id, p.pay_amount::text AS amount,"
	"       p.bind_status, p.bind_method, m.match_confidence, t.status AS camp_status,"
	"       m.checkin_count, t.required_days,"
	"       m.filled_planet_nickname AS planet_nickname,"
	"       COALESCE(m.filled_wechat_nickname, p.payer_wechat_name) AS wechat_nickname"
	"  FROM camp_member m"
	"  JOIN payment_record p ON p.member_id = m.id AND p.pay_status = 'success' AND p.deleted_at IS NULL"
	"  JOIN training_camp t ON t.id = m.camp_id AND t.deleted_at IS NULL"
	" WHERE m.id = $1 AND m.deleted_at IS NULL AND m.paid"
	" ORDER BY p.id DESC LIMIT 1 FOR UPDATE OF p");
static const struct db_stmt q_existing = DB_STMT(
	"SELECT refund_status FROM refund_record WHERE payment_id = $1 AND deleted_at IS NULL"
	" ORDER BY id DESC LIMIT 1");
static const struct db_stmt q_insert = DB_STMT(
	"INSERT INTO refund_record (camp_id, member_id, payment_id, refund_amount, proposed_by,"
	"  proposal_reason, created_at, updated_at)"
	" VALUES ($1, $2, $3, $4::numeric, NULLIF($5::bigint, 0), $6, $7::timestamptz, $7::timestamptz)"
	" RETURNING id");

static int check_proposable(const PGresult *m, const char **why)
{
	if (strcmp(db_get(m, 0, "camp_status"), "finished") != 0) {
		*why = "训练营结束后才能提议退款";
		return CAMP_ECONFLICT;
	}
	if (strcmp(db_get(m, 0, "bind_status"), "completed") != 0) {
		*why = "该会员的星球身份尚未确认（未完成绑定），请先手动绑定";
		return CAMP_ECONFLICT;
	}
	/* a person overrides the check-in count, never who the member is */
	const char *method = db_get(m, 0, "bind_method");
	if (db_get_ll(m, 0, "match_confidence", 0) < 100 && !(method && !strcmp(method, "manual"))) {
		*why = "该会员与星球账号的匹配度不足 100，请先手动绑定确认身份";
		return CAMP_ECONFLICT;
	}
	return CAMP_OK;
}

static int propose_in_tx(struct db *d, arena *a, struct act *x)
{
	char now[40];
	clock_now_param(now, sizeof(now));
	PGresult *m = db_q(d, a, &q_paid, 1, (const char *[]){ arena_i64(a, x->id) });
	if (m == NULL)
		return CAMP_EDB;
	if (PQntuples(m) != 1)
		return CAMP_ENOTFOUND;
	int rc = check_proposable(m, &x->why);
	if (rc != CAMP_OK)
		return rc;
	const char *pid = db_get(m, 0, "payment_id");
	PGresult *ex = db_q(d, a, &q_existing, 1, &pid);
	if (ex == NULL)
		return CAMP_EDB;
	if (PQntuples(ex) > 0) {
		x->why = blocked_by(db_get(ex, 0, "refund_status"));
		return CAMP_ECONFLICT;
	}
	const char *ip[] = { db_get(m, 0, "camp_id"), db_get(m, 0, "member_id"), pid,
	                     db_get(m, 0, "amount"), arena_i64(a, x->who->operator_id), x->reason, now };
	PGresult *ins = db_q(d, a, &q_insert, 7, ip);
	if (ins == NULL)
		return CAMP_EDB;
	long long id = x->refund_id = db_get_ll(ins, 0, "id", 0);
	int64_t fen = 0;
	money_parse(db_get(m, 0, "amount"), &fen);
	char yuan[32];
	const char *desc = arena_printf(a, "手动提议退款 #%lld（%s，打卡 %s/%s 天，¥%s）：%s", id,
	                                member_name(a, m), db_get(m, 0, "checkin_count"),
	                                db_get(m, 0, "required_days"),
	                                money_format(fen, yuan, sizeof(yuan)), x->reason);
	if (refund_log(d, a, id, NULL, "pending", "PROPOSE_MANUAL", x->who->operator_id,
	               arena_printf(a, "人工提议：%s", x->reason)) != CAMP_OK ||
	    oplog(d, a, x->who, "PROPOSE_REFUND", "refund", id, arena_printf(a, "退款 #%lld", id),
	          desc) != CAMP_OK)
		return CAMP_EDB;
	return CAMP_OK;
}

int refund_propose_manual(struct db *d, arena *a, long long member_id, const char *reason,
                          const struct audit *who, long long *refund_id, const char **why)
{
	struct act x = { member_id, reason, who, 0, NULL };
	int rc = in_tx(d, a, propose_in_tx, &x, blocked_by("pending"));
	*refund_id = x.refund_id;
	*why = x.why;
	return rc;
}

/* ---- 重新提议 ------------------------------------------------------------------ */

static const struct db_stmt q_rejected = DB_STMT(
	"SELECT r.refund_status, p.pay_status, p.bind_status,"
	"       EXISTS (SELECT 1 FROM refund_record o WHERE o.payment_id = r.payment_id AND o.id <> r.id"
	"               AND o.deleted_at IS NULL AND o.refund_status IN"
	"               ('pending', 'approved', 'processing', 'success', 'refunded_offline')) AS other"
	"  FROM refund_record r JOIN payment_record p ON p.id = r.payment_id"
	" WHERE r.id = $1 AND r.deleted_at IS NULL FOR UPDATE OF r");
static const struct db_stmt q_reopen = DB_STMT(
	"UPDATE refund_record SET refund_status = 'pending', audit_status = 'pending', auditor_id = NULL,"
	"       audit_time = NULL, audit_comment = NULL, proposed_by = NULLIF($2::bigint, 0),"
	"       proposal_reason = $3, updated_at = $4::timestamptz"
	" WHERE id = $1 AND refund_status = 'rejected'");

static int reopen_in_tx(struct db *d, arena *a, struct act *x)
{
	char now[40];
	long long id = x->id;
	const char *reason = x->reason, **why = &x->why;
	const struct audit *who = x->who;
	const char *sid = arena_i64(a, id);
	PGresult *r = db_q(d, a, &q_rejected, 1, &sid);
	if (r == NULL)
		return CAMP_EDB;
	if (PQntuples(r) != 1)
		return CAMP_ENOTFOUND;
	if (strcmp(db_get(r, 0, "refund_status"), "rejected") != 0)
		*why = "只有已拒绝的退款可以重新提议";
	else if (strcmp(db_get(r, 0, "pay_status"), "success") != 0)
		*why = "该笔付款已退款或不再有效";
	else if (!strcmp(db_get(r, 0, "bind_status"), "closed"))
		*why = "该会员的绑定已关闭，不能退款";
	else if (db_get_bool(r, 0, "other"))
		*why = "该笔付款已有其他退款提议或退款";
	if (*why != NULL)
		return CAMP_ECONFLICT;
	const char *p[] = { sid, arena_i64(a, who->operator_id), reason,
	                    clock_now_param(now, sizeof(now)) };
	if (db_q(d, a, &q_reopen, 4, p) == NULL ||
	    refund_log(d, a, id, "rejected", "pending", "REOPEN", who->operator_id,
	               arena_printf(a, "重新提议：%s", reason)) != CAMP_OK ||
	    oplog(d, a, who, "REOPEN_REFUND", "refund", id, arena_printf(a, "退款 #%lld", id),
	          arena_printf(a, "重新提议已拒绝的退款 #%lld：%s", id, reason)) != CAMP_OK)
		return CAMP_EDB;
	return CAMP_OK;
}

int refund_reopen(struct db *d, arena *a, long long refund_id, const char *reason,
                  const struct audit *who, const char **why)
{
	struct act x = { refund_id, reason, who, 0, NULL };
	int rc = in_tx(d, a, reopen_in_tx, &x, "该笔付款已有其他退款提议或退款");
	*why = x.why;
	return rc;
}

/* ---- 关闭绑定 ------------------------------------------------------------------ */

int binding_close_reason_ok(const char *reason)
{
	return reason && (!strcmp(reason, "无法匹配") || !strcmp(reason, "信息异常"));
}

static const struct db_stmt q_bound = DB_STMT(
	"SELECT p.id AS payment_id, p.bind_status, p.order_no, m.camp_id,"
	"       m.filled_planet_nickname AS planet_nickname,"
	"       COALESCE(m.filled_wechat_nickname, p.payer_wechat_name) AS wechat_nickname"
	"  FROM camp_member m"
	"  JOIN payment_record p ON p.member_id = m.id AND p.pay_status = 'success' AND p.deleted_at IS NULL"
	" WHERE m.id = $1 AND m.deleted_at IS NULL AND m.paid"
	" ORDER BY p.id DESC LIMIT 1 FOR UPDATE OF p");
static const struct db_stmt q_close = DB_STMT(
	"UPDATE payment_record SET bind_status = 'closed', updated_at = $2::timestamptz"
	" WHERE id = $1 AND bind_status = 'manual_review'");
static const struct db_stmt q_close_log = DB_STMT(
	"INSERT INTO payment_bind_log (payment_id, from_status, to_status, event, operator_id,"
	"                              extra_data, created_at)"
	" VALUES ($1, 'manual_review', 'closed', 'CLOSE', NULLIF($2::bigint, 0),"
	"         jsonb_build_object('reason', $3::text), $4::timestamptz)");
static const struct db_stmt q_withdraw_payment = DB_STMT(
	"UPDATE refund_record SET deleted_at = $2::timestamptz, updated_at = $2::timestamptz"
	" WHERE payment_id = $1 AND refund_status = 'pending' AND audit_status = 'pending'"
	"   AND deleted_at IS NULL RETURNING id");

static int close_in_tx(struct db *d, arena *a, struct act *x)
{
	long long member_id = x->id;
	const char *reason = x->reason, **why = &x->why;
	const struct audit *who = x->who;
	char now[40];
	clock_now_param(now, sizeof(now));
	PGresult *m = db_q(d, a, &q_bound, 1, (const char *[]){ arena_i64(a, member_id) });
	if (m == NULL)
		return CAMP_EDB;
	if (PQntuples(m) != 1)
		return CAMP_ENOTFOUND;
	if (strcmp(db_get(m, 0, "bind_status"), "manual_review") != 0) {
		*why = "只有“待人工审核”的绑定可以关闭";
		return CAMP_ECONFLICT;
	}
	const char *pid = db_get(m, 0, "payment_id");
	const char *op = arena_i64(a, who->operator_id);
	PGresult *w;
	if (db_q(d, a, &q_close, 2, (const char *[]){ pid, now }) == NULL ||
	    db_q(d, a, &q_close_log, 4, (const char *[]){ pid, op, reason, now }) == NULL ||
	    (w = db_q(d, a, &q_withdraw_payment, 2, (const char *[]){ pid, now })) == NULL)
		return CAMP_EDB;
	for (int i = 0; i < PQntuples(w); i++)
		if (refund_log(d, a, db_get_ll(w, i, "id", 0), "pending", "withdrawn", "WITHDRAW",
		               who->operator_id, "绑定已关闭") != CAMP_OK)
			return CAMP_EDB;
	const char *desc = arena_printf(a, "关闭绑定（订单 %s）：%s", db_get(m, 0, "order_no"), reason);
	return oplog(d, a, who, "CLOSE_BINDING", "member", member_id, member_name(a, m), desc);
}

int binding_close(struct db *d, arena *a, long long member_id, const char *reason,
                  const struct audit *who, const char **why)
{
	struct act x = { member_id, reason, who, 0, NULL };
	int rc = in_tx(d, a, close_in_tx, &x, NULL);
	*why = x.why;
	return rc;
}

static const struct db_stmt q_closed = DB_STMT(
	"SELECT m.id, m.filled_planet_nickname, m.filled_planet_user_id,"
	"       COALESCE(m.filled_wechat_nickname, p.payer_wechat_name) AS wechat_nickname, p.order_no,"
	"       l.extra_data->>'reason' AS reason, u.username,"
	"       to_char(l.created_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') AS closed_at"
	"  FROM payment_record p JOIN camp_member m ON m.id = p.member_id"
	"  LEFT JOIN LATERAL (SELECT * FROM payment_bind_log b WHERE b.payment_id = p.id"
	"                      AND b.event = 'CLOSE' ORDER BY b.id DESC LIMIT 1) l ON true"
	"  LEFT JOIN system_user u ON u.id = l.operator_id"
	" WHERE p.camp_id = $1 AND p.bind_status = 'closed' AND p.pay_status = 'success'"
	"   AND p.deleted_at IS NULL AND m.deleted_at IS NULL"
	" ORDER BY m.id");

int binding_closed_list(struct db *d, arena *a, long long camp_id,
                        struct closed_binding **out, int *n)
{
	PGresult *res = db_q(d, a, &q_closed, 1, (const char *[]){ arena_i64(a, camp_id) });
	if (res == NULL)
		return CAMP_EDB;
	*n = PQntuples(res);
	*out = arena_alloc(a, sizeof(**out) * (size_t)(*n + 1));
	for (int i = 0; i < *n; i++) {
		struct closed_binding *c = &(*out)[i];
		c->member_id = db_get_ll(res, i, "id", 0);
		c->planet_nickname = arena_strdup(a, db_get(res, i, "filled_planet_nickname"));
		c->planet_user_id = arena_strdup(a, db_get(res, i, "filled_planet_user_id"));
		c->wechat_nickname = arena_strdup(a, db_get(res, i, "wechat_nickname"));
		c->order_no = arena_strdup(a, db_get(res, i, "order_no"));
		c->reason = arena_strdup(a, db_get(res, i, "reason"));
		c->closed_at = arena_strdup(a, db_get(res, i, "closed_at"));
		c->operator = arena_strdup(a, db_get(res, i, "username"));
	}
	return CAMP_OK;
}

/* ---- what a run did ------------------------------------------------------------- */

const char *refund_tally_sentence(arena *a, const struct refund_tally *t)
{
	const char *s = arena_printf(a, "新增 %d 条待审核", t->proposed);
	if (t->withdrawn > 0)
		s = arena_printf(a, "%s，撤回 %d 条不再符合条件的提议", s, t->withdrawn);
	if (t->unmatched > 0)
		s = arena_printf(a, "%s，%d 名会员仍需人工绑定", s, t->unmatched);
	if (t->near_miss > 0)
		s = arena_printf(a, "%s，%d 名会员差 1–2 天（可手动提议退款）", s, t->near_miss);
	return s;
}
