/* books.c: the nightly books — named invariant checks and the trade bill, matched in SQL. */
#include "books.h"
#include "alerts.h"
#include "camp.h"
#include "clock.h"
#include "dates.h"
#include "db.h"
#include "log.h"
#include "money.h"
#include "payments.h"
#include "wechatpay.h"
#include "wechatpay_bill.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the invariants: $1 = run id ------------------------------------------ */

#define DIFF_COLS \
	"INSERT INTO books_difference (run_id, check_name, ref_kind, ref_no, camp_id, left_value," \
	" right_value, unit, left_state, right_state, detail) "

/* payment_owner: money arrived on an order, but no paid member holds it and no
 * payment exception explains it (the exception holds duplicates, late and wrong
 * payments). */
static const struct db_stmt q_payment_owner = DB_STMT(DIFF_COLS
	"SELECT $1::bigint, 'payment_owner', 'order', b.order_no, b.camp_id, b.paid_fen, 0, 'fen',"
	"       b.pay_status, NULL, '成功支付既不属于已支付的会员，也没有对应的支付异常'"
	"  FROM books_payment b"
	" WHERE b.paid_fen > 0 AND NOT b.member_paid"
	"   AND NOT EXISTS (SELECT 1 FROM payment_exception e"
	"                    WHERE e.payment_id = b.id OR e.transaction_id = b.wechat_transaction_id)"
	" ORDER BY b.id");

/* member_count: training_camp.member_count is kept by the app; count again. */
static const struct db_stmt q_member_count = DB_STMT(DIFF_COLS
	"SELECT $1::bigint, 'member_count', 'camp', c.id::text, c.id, c.member_count, n.paid, 'count',"
	"       NULL, NULL, '训练营的报名人数计数与已支付会员数不符'"
	"  FROM training_camp c"
	" CROSS JOIN LATERAL (SELECT count(*) AS paid FROM camp_member m"
	"                      WHERE m.camp_id = c.id AND m.paid AND m.deleted_at IS NULL) n"
	" WHERE c.member_count <> n.paid"
	" ORDER BY c.id");

/* refund_total: what went back never exceeds what came in (an unpaid order has 0). */
static const struct db_stmt q_refund_total = DB_STMT(DIFF_COLS
	"SELECT $1::bigint, 'refund_total', 'order', b.order_no, b.camp_id, b.settled_refund_fen,"
	"       b.paid_fen, 'fen', b.pay_status, NULL, '退款合计超过了这笔支付的实收金额'"
	"  FROM books_payment b"
	" WHERE b.settled_refund_fen > b.paid_fen"
	" ORDER BY b.id");

/* live_attempts: one approved/processing/successful attempt per payment (the unique
 * index says so for refund_record; exception refunds of the same transaction count too). */
static const struct db_stmt q_live_attempts = DB_STMT(DIFF_COLS
	"SELECT $1::bigint, 'live_attempts', 'order', b.order_no, b.camp_id, b.live_attempts, 1,"
	"       'count', b.pay_status, NULL, '同一笔支付有多个进行中或已成功的退款'"
	"  FROM books_payment b"
	" WHERE b.live_attempts > 1"
	" ORDER BY b.id");

/* refunded_status: pay_status says refunded exactly when the settled refunds cover the
 * payment, and refunded_amount equals them. */
static const struct db_stmt q_refunded_status = DB_STMT(DIFF_COLS
	"SELECT $1::bigint, 'refunded_status', 'order', b.order_no, b.camp_id, b.recorded_refund_fen,"
	"       b.settled_refund_fen, 'fen', b.pay_status, x.want,"
	"       concat_ws('；', CASE WHEN b.pay_status <> x.want THEN '支付状态与退款记录不符' END,"
	"                 CASE WHEN b.recorded_refund_fen <> b.settled_refund_fen"
	"                      THEN '支付记录的已退金额与退款记录合计不符' END)"
	"  FROM books_payment b"
	" CROSS JOIN LATERAL (SELECT CASE"
	"       WHEN b.paid_fen > 0 AND b.settled_refund_fen >= b.paid_fen THEN 'refunded'"
	"       WHEN b.paid_fen > 0 THEN 'success'"
	"       ELSE b.pay_status END AS want) x"
	" WHERE b.pay_status <> x.want OR b.recorded_refund_fen <> b.settled_refund_fen"
	" ORDER BY b.id");

/* camp_balance: what the camp's counters hold (paid_amount − refunded_amount) against
 * what its paid members' payments say was received and refunded. */
#define YUAN(x) "to_char((" x ") / 100.0, 'FM999999999990.00')"
static const struct db_stmt q_camp_balance = DB_STMT(DIFF_COLS
	"SELECT $1::bigint, 'camp_balance', 'camp', c.id::text, c.id, k.paid - k.refunded,"
	"       s.received - s.refunded, 'fen', NULL, NULL,"
	"       '计数器：收款 ' || " YUAN("k.paid") " || ' − 退款 ' || " YUAN("k.refunded")
	"       || '；会员支付：收款 ' || " YUAN("s.received") " || ' − 退款 ' || " YUAN("s.refunded")
	"  FROM training_camp c"
	" CROSS JOIN LATERAL (SELECT round(c.paid_amount * 100)::bigint AS paid,"
	"                            round(c.refunded_amount * 100)::bigint AS refunded) k"
	" CROSS JOIN LATERAL (SELECT COALESCE(sum(b.paid_fen), 0)::bigint AS received,"
	"                            COALESCE(sum(b.recorded_refund_fen), 0)::bigint AS refunded"
	"                       FROM books_payment b"
	"                      WHERE b.camp_id = c.id AND b.member_paid AND b.paid_fen > 0) s"
	" WHERE k.paid <> s.received OR k.refunded <> s.refunded"
	" ORDER BY c.id");

/* ---- the bill: $1 run id, $2/$3 the day's first and next day's first instant ---- */

/* Every payment line: ours by transaction (a paid order, or an exception holding the
 * money), else by order number (an order we never saw paid), else unknown. */
static const struct db_stmt q_bill_payments = DB_STMT(DIFF_COLS
	"SELECT $1::bigint, x.check_name, 'order', l.out_trade_no, x.camp_id, x.ours, l.amount_fen,"
	"       'fen', x.ours_state, l.trade_state, x.detail"
	"  FROM books_bill_line l"
	"  LEFT JOIN payment_record p ON p.wechat_transaction_id = l.transaction_id"
	"        AND p.pay_status IN ('success', 'refunded') AND p.deleted_at IS NULL"
	"  LEFT JOIN payment_exception e ON e.transaction_id = l.transaction_id"
	"  LEFT JOIN payment_record o ON o.order_no = l.out_trade_no"
	" CROSS JOIN LATERAL (SELECT"
	"    CASE WHEN p.id IS NOT NULL THEN"
	"              CASE WHEN round(p.pay_amount * 100) <> l.amount_fen THEN 'bill_amount' END"
	"         WHEN e.id IS NOT NULL THEN"
	"              CASE WHEN e.amount_fen IS DISTINCT FROM l.amount_fen THEN 'bill_amount' END"
	"         WHEN o.id IS NOT NULL THEN 'bill_state'"
	"         ELSE 'bill_missing_ours' END AS check_name,"
	"    COALESCE(p.camp_id, e.camp_id, o.camp_id) AS camp_id,"
	"    CASE WHEN p.id IS NOT NULL THEN round(p.pay_amount * 100)::bigint"
	"         WHEN e.id IS NOT NULL THEN e.amount_fen::bigint"
	"         WHEN o.id IS NOT NULL THEN round(o.pay_amount * 100)::bigint END AS ours,"
	"    COALESCE(p.pay_status, CASE WHEN e.id IS NOT NULL THEN 'exception:' || e.status END,"
	"             o.pay_status) AS ours_state,"
	"    CASE WHEN p.id IS NOT NULL OR e.id IS NOT NULL THEN '支付金额与微信账单不符'"
	"         WHEN o.id IS NOT NULL THEN '微信账单记为支付成功，本系统订单未记为已支付'"
	"         ELSE '微信账单中的支付在本系统中不存在' END AS detail) x"
	" WHERE l.run_id = $1::bigint AND l.kind = 'payment' AND x.check_name IS NOT NULL"
	" ORDER BY l.line_no");

/* Our payments of that day (as WeChat timed them: pay_time is its success_time) and
 * the exceptions holding money that arrived that day (a duplicate planet ID's payment is
 * marked success without a pay_time: its exception stands for it), missing from the
 * bill.  WeCom collection-code payments are not merchant orders and are not in this bill. */
static const struct db_stmt q_bill_payments_theirs = DB_STMT(DIFF_COLS
	"SELECT $1::bigint, 'bill_missing_theirs', 'order', y.no, y.camp_id, y.fen, NULL, 'fen',"
	"       y.st, NULL, '本系统记为已支付，微信账单中没有这笔支付'"
	"  FROM (SELECT p.id AS k, p.order_no AS no, p.camp_id, round(p.pay_amount * 100)::bigint AS fen,"
	"               p.pay_status AS st, p.wechat_transaction_id AS txn"
	"          FROM payment_record p"
	"         WHERE p.source = 'wechatpay' AND p.deleted_at IS NULL"
	"           AND p.pay_status IN ('success', 'refunded')"
	"           AND p.pay_time >= $2::timestamptz AND p.pay_time < $3::timestamptz"
	"        UNION ALL"
	"        SELECT -e.id, e.out_trade_no, e.camp_id, e.amount_fen::bigint, 'exception:' || e.status,"
	"               e.transaction_id"
	"          FROM payment_exception e"
	"          JOIN payment_transaction t ON t.transaction_id = e.transaction_id AND t.source <> 'bill'"
	"         WHERE COALESCE(t.success_time, e.created_at) >= $2::timestamptz"
	"           AND COALESCE(t.success_time, e.created_at) < $3::timestamptz"
	"           AND NOT EXISTS (SELECT 1 FROM payment_record p WHERE p.wechat_transaction_id = e.transaction_id"
	"                            AND p.pay_status IN ('success', 'refunded') AND p.pay_time IS NOT NULL"
	"                            AND p.deleted_at IS NULL)) y"
	" WHERE NOT EXISTS (SELECT 1 FROM books_bill_line l"
	"                    WHERE l.run_id = $1::bigint AND l.kind = 'payment'"
	"                      AND (l.transaction_id = y.txn OR l.out_trade_no = y.no))"
	" ORDER BY y.k");

/* Every refund line: a refund attempt, an exception refund, or a WeCom collection-code
 * payment refunded by hand (WeCom refunds it on the same merchant account).  The bill
 * counts PROCESSING as refunded (WeChat's own advice); so do we for our processing. */
static const struct db_stmt q_bill_refunds = DB_STMT(DIFF_COLS
	"SELECT $1::bigint, x.check_name, 'refund', l.out_refund_no, x.camp_id, x.ours, l.amount_fen,"
	"       'fen', x.ours_state, l.refund_status, x.detail"
	"  FROM books_bill_line l"
	"  LEFT JOIN refund_record r ON r.out_refund_no = l.out_refund_no"
	"  LEFT JOIN payment_exception e ON e.out_refund_no = l.out_refund_no"
	"  LEFT JOIN LATERAL (SELECT w.refund_amount, w.refund_status, w.camp_id"
	"                       FROM refund_record w JOIN payment_record q ON q.id = w.payment_id"
	"                      WHERE q.wechat_transaction_id = l.transaction_id AND q.source = 'wecom_bill'"
	"                        AND w.refund_status = 'refunded_offline' AND w.deleted_at IS NULL"
	"                      ORDER BY w.id LIMIT 1) w ON true"
	" CROSS JOIN LATERAL (SELECT l.refund_status IN ('SUCCESS', 'PROCESSING') AS refunded) t"
	" CROSS JOIN LATERAL (SELECT"
	"    CASE WHEN r.id IS NOT NULL THEN"
	"              CASE WHEN (r.refund_status IN ('success', 'processing')) <> t.refunded THEN 'bill_state'"
	"                   WHEN round(r.refund_amount * 100) <> l.amount_fen THEN 'bill_amount' END"
	"         WHEN e.id IS NOT NULL THEN"
	"              CASE WHEN (e.status IN ('refunding', 'refunded')) <> t.refunded THEN 'bill_state'"
	"                   WHEN e.amount_fen IS DISTINCT FROM l.amount_fen THEN 'bill_amount' END"
	"         WHEN w.refund_status IS NOT NULL THEN"
	"              CASE WHEN NOT t.refunded THEN 'bill_state'"
	"                   WHEN round(w.refund_amount * 100) <> l.amount_fen THEN 'bill_amount' END"
	"         WHEN t.refunded THEN 'bill_missing_ours' END AS check_name,"
	"    COALESCE(r.camp_id, e.camp_id, w.camp_id) AS camp_id,"
	"    COALESCE(round(r.refund_amount * 100)::bigint, e.amount_fen::bigint,"
	"             round(w.refund_amount * 100)::bigint) AS ours,"
	"    COALESCE(r.refund_status, 'exception:' || e.status, w.refund_status) AS ours_state,"
	"    CASE WHEN r.id IS NULL AND e.id IS NULL AND w.refund_status IS NULL"
	"         THEN '微信账单中的退款在本系统中不存在（是否在商户平台手工退款？）'"
	"         ELSE '退款与微信账单不符' END AS detail) x"
	" WHERE l.run_id = $1::bigint AND l.kind = 'refund' AND x.check_name IS NOT NULL"
	" ORDER BY l.line_no");

/* Our refunds WeChat accepted that day, missing from every bill we hold.  The day is
 * WeChat's create_time of the refund, as its create/query answers said (kept sealed in
 * payment_audit_log, with create_time and out_refund_no in plain columns of their own);
 * a refund that succeeded without such an answer falls back to when we first submitted
 * it.  A processing refund with no answer may never have reached WeChat, so it is not
 * expected in any bill. */
#define ACCEPTED(pid_cond, no) \
	"(SELECT min(a.wechat_created_at) FROM payment_audit_log a" \
	"  WHERE " pid_cond " AND a.action_type IN ('REFUND_CREATE', 'REFUND_QUERY'," \
	"        'EXCEPTION_REFUND_CREATE', 'EXCEPTION_REFUND_QUERY')" \
	"    AND a.out_refund_no = " no ")"
static const struct db_stmt q_bill_refunds_theirs = DB_STMT(DIFF_COLS
	"SELECT $1::bigint, 'bill_missing_theirs', 'refund', y.no, y.camp_id, y.fen, NULL, 'fen',"
	"       y.st, NULL, '本系统记为已通过微信退款，微信账单中没有这笔退款'"
	"  FROM (SELECT x.k, x.no, x.camp_id, x.fen, x.st,"
	"               COALESCE(x.accepted, CASE WHEN x.st IN ('success', 'exception:refunded')"
	"                                         THEN x.submitted END) AS at"
	"          FROM (SELECT r.id AS k, r.out_refund_no AS no, r.camp_id,"
	"                       round(r.refund_amount * 100)::bigint AS fen, r.refund_status AS st,"
	"                       r.execute_time AS submitted, " ACCEPTED("a.payment_id = r.payment_id", "r.out_refund_no") " AS accepted"
	"                  FROM refund_record r"
	"                 WHERE r.out_refund_no IS NOT NULL AND r.deleted_at IS NULL"
	"                   AND (r.refund_status = 'processing'"
	"                        OR (r.refund_status = 'success' AND r.success_time >= $2::timestamptz))"
	"                   AND (r.execute_time IS NULL OR r.execute_time < $3::timestamptz)"
	"                UNION ALL"
	"                SELECT -e.id, e.out_refund_no, e.camp_id, e.amount_fen::bigint, 'exception:' || e.status,"
	"                       e.updated_at, " ACCEPTED("(a.payment_id = e.payment_id OR e.payment_id IS NULL)", "e.out_refund_no")
	"                  FROM payment_exception e"
	"                 WHERE e.out_refund_no IS NOT NULL AND e.status IN ('refunding', 'refunded')"
	"                   AND (e.status = 'refunding' OR e.resolved_at >= $2::timestamptz)) x) y"
	" WHERE y.at >= $2::timestamptz AND y.at < $3::timestamptz"
	"   AND NOT EXISTS (SELECT 1 FROM books_bill_line l"
	"                    WHERE l.out_refund_no = y.no AND l.kind = 'refund')"
	" ORDER BY y.k");

/* ---- storing a run ---------------------------------------------------------- */

static const struct db_stmt q_run_insert = DB_STMT(
	"INSERT INTO books_run (bill_date, trigger, started_at, bill_status, bill_error, bill_hash,"
	" bill_lines, bill_paid_fen, bill_refund_fen)"
	" VALUES ($1::date, $2, $3::timestamptz, $4, $5, $6, $7::integer, $8::bigint, $9::bigint)"
	" RETURNING id");
static const struct db_stmt q_line_insert = DB_STMT(
	"INSERT INTO books_bill_line (run_id, line_no, kind, trade_time, transaction_id, out_trade_no,"
	" refund_id, out_refund_no, trade_type, trade_state, refund_status, amount_fen)"
	" VALUES ($1::bigint, $2::integer, $3, to_timestamp($4::bigint), $5, $6, $7, $8, $9, $10, $11,"
	"         $12::bigint)");
static const struct db_stmt q_run_finish = DB_STMT(
	"UPDATE books_run SET finished_at = $2::timestamptz, invariant_diffs = $3::integer,"
	" bill_diffs = $4::integer, ok = $5::boolean WHERE id = $1::bigint");

struct fetched {
	const char *status;          /* books_run.bill_status */
	const char *error, *hash;
	struct wxbill bill;
};

/* Outside any transaction: the provider call may take a while. */
static void fetch_bill(struct db *d, arena *a, const char *date, struct fetched *f)
{
	memset(f, 0, sizeof(*f));
	struct wxpay_cfg cfg;
	if (wxpay_cfg_load(d, a, &cfg) != CAMP_OK) {
		f->status = "not_configured";
		return;
	}
	struct wxbill_fetch got;
	wxpay_tradebill(&cfg, a, date, camp_now(), &got);
	f->hash = got.hash;
	switch (got.state) {
	case WXBILL_NONE:
		f->status = "empty";
		return;
	case WXBILL_CREATING:
		f->status = "creating";
		f->error = got.reason;
		return;
	case WXBILL_FAILED:
		f->status = "failed";
		f->error = got.reason;
		return;
	case WXBILL_READY:
		break;
	}
	char err[256];
	if (wxbill_parse(a, got.text, got.len, &f->bill, cfg.mchid, err, sizeof(err)) != CAMP_OK) {
		f->status = "failed";
		f->error = arena_printf(a, "账单格式不对：%s", err);
		memset(&f->bill, 0, sizeof(f->bill));
		return;
	}
	f->status = "compared";
}

static const char *kind_name(enum wxbill_kind k)
{
	return k == WXBILL_PAYMENT ? "payment" : k == WXBILL_REFUND ? "refund" : "other";
}

static int store_lines(struct db *d, arena *a, const char *run, const struct wxbill *b)
{
	for (int i = 0; i < b->n; i++) {
		const struct wxbill_line *l = &b->lines[i];
		const char *p[] = {
			run, arena_i64(a, l->line_no), kind_name(l->kind), arena_i64(a, (int64_t)l->at),
			l->transaction_id, l->out_trade_no,
			l->kind == WXBILL_REFUND ? l->refund_id : NULL,
			l->kind == WXBILL_REFUND ? l->out_refund_no : NULL,
			l->trade_type, l->trade_state,
			l->kind == WXBILL_REFUND ? l->refund_status : NULL,
			arena_i64(a, l->kind == WXBILL_REFUND ? l->refund_fen : l->total_fen),
		};
		if (db_q(d, a, &q_line_insert, 12, p) == NULL)
			return CAMP_EDB;
	}
	return CAMP_OK;
}

struct check {
	const struct db_stmt *st;
	int nparams;            /* $1 run id [, $2 $3 the day's bounds] */
};

/* Runs the statements; *count += the differences they inserted. */
static int run_checks(struct db *d, arena *a, const struct check *st, size_t n,
                      const char *const *p, int *count)
{
	for (size_t i = 0; i < n; i++) {
		PGresult *res = db_q(d, a, st[i].st, st[i].nparams, p);
		if (res == NULL)
			return CAMP_EDB;
		*count += atoi(PQcmdTuples(res));
	}
	return CAMP_OK;
}

static int alert(struct db *d, arena *a, const char *date, int inv, int bill)
{
	struct alert al = {
		.type = "books_mismatch", .title = "对账发现差异",
		.content = arena_printf(a, "账单日 %s 的对账发现差异：资金核对 %d 处，微信账单 %d 处。"
		                           "请在后台“对账”页查看（/admin/books?date=%s）。",
		                        date, inv, bill, date),
		.once_key = arena_printf(a, "books:%s", date),
	};
	return alert_staff(d, a, &al, NULL);
}

static int store(struct db *d, arena *a, const char *date, const char *trigger,
                 const struct fetched *f, struct books_run *out)
{
	static const struct check invariants[] = {
		{ &q_payment_owner, 1 }, { &q_member_count, 1 }, { &q_refund_total, 1 },
		{ &q_live_attempts, 1 }, { &q_refunded_status, 1 }, { &q_camp_balance, 1 },
	};
	static const struct check bill[] = {
		{ &q_bill_payments, 1 }, { &q_bill_payments_theirs, 3 }, { &q_bill_refunds, 1 },
		{ &q_bill_refunds_theirs, 3 },
	};
	char now[40], from[40], to[40];
	cday day;
	cday_parse(date, &day);
	clock_rfc3339(cday_start(day), from, sizeof(from));
	clock_rfc3339(cday_start(day + 1), to, sizeof(to));
	const char *rp[] = { date, trigger, clock_now_param(now, sizeof(now)), f->status, f->error,
	                     f->hash, arena_i64(a, f->bill.n), arena_i64(a, f->bill.paid_fen),
	                     arena_i64(a, f->bill.refund_fen) };
	int compare = !strcmp(f->status, "compared") || !strcmp(f->status, "empty");
	int inv = 0, bd = 0;
	/* every check sees the same snapshot of the books */
	if (db_begin(d) != CAMP_OK)
		return CAMP_EDB;
	PGresult *res = NULL;
	if (db_exec_sql(d, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ") != CAMP_OK ||
	    (res = db_q(d, a, &q_run_insert, 9, rp)) == NULL) {
		db_rollback(d);
		return CAMP_EDB;
	}
	const char *run = arena_strdup(a, db_get(res, 0, "id"));
	const char *bp[] = { run, from, to };
	int rc = store_lines(d, a, run, &f->bill);
	if (rc == CAMP_OK)
		rc = run_checks(d, a, invariants, CAMP_ARRAY_LEN(invariants), bp, &inv);
	if (rc == CAMP_OK && compare)
		rc = run_checks(d, a, bill, CAMP_ARRAY_LEN(bill), bp, &bd);
	int ok = inv == 0 && bd == 0 && (compare || !strcmp(f->status, "not_configured"));
	const char *fp[] = { run, clock_now_param(now, sizeof(now)), arena_i64(a, inv),
	                     arena_i64(a, bd), ok ? "t" : "f" };
	if (rc == CAMP_OK && db_q(d, a, &q_run_finish, 5, fp) == NULL)
		rc = CAMP_EDB;
	if (rc == CAMP_OK && inv + bd > 0)
		rc = alert(d, a, date, inv, bd);
	if (rc != CAMP_OK || db_commit(d) != CAMP_OK) {
		db_rollback(d);
		return CAMP_EDB;
	}
	log_info("books %s: run %s, bill %s, %d invariant and %d bill differences", date, run,
	         f->status, inv, bd);
	return books_run_get(d, a, atoll(run), out);
}

int books_run(struct db *d, arena *a, const char *date, const char *trigger,
              struct books_run *out)
{
	memset(out, 0, sizeof(*out));
	cday day;
	if (date == NULL || cday_parse(date, &day) != CAMP_OK)
		return CAMP_EINVAL;
	struct fetched f;
	fetch_bill(d, a, date, &f);
	return store(d, a, date, trigger, &f, out);
}

const char *books_default_date(time_t now, char *buf, size_t n)
{
	cday today = cday_of(now);
	int before_ten = now - cday_start(today) < 10 * 3600;
	return cday_format(today - (before_ten ? 2 : 1), buf, (unsigned)n);
}

/* ---- reading runs ------------------------------------------------------------ */

#define RUN_COLS \
	" r.id, r.bill_date::text AS bill_date, r.trigger," \
	" to_char(r.started_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') AS started," \
	" r.bill_status, r.bill_error, r.bill_lines, r.bill_paid_fen, r.bill_refund_fen," \
	" r.invariant_diffs, r.bill_diffs, r.ok"

static const struct db_stmt q_retry = DB_STMT(
	"SELECT x.bill_date::text AS bill_date FROM ("
	"  SELECT DISTINCT ON (bill_date) bill_date, bill_status FROM books_run"
	"   WHERE bill_date >= $1::date - 7 AND bill_date < $1::date"
	"   ORDER BY bill_date, id DESC) x"
	" WHERE x.bill_status IN ('creating', 'failed') ORDER BY x.bill_date");
static const struct db_stmt q_days = DB_STMT(
	"SELECT * FROM (SELECT DISTINCT ON (r.bill_date)" RUN_COLS
	"  FROM books_run r"
	" WHERE ($1 = '' OR r.bill_date >= $1::date) AND ($2 = '' OR r.bill_date <= $2::date)"
	" ORDER BY r.bill_date DESC, r.id DESC) x"
	" ORDER BY x.bill_date DESC LIMIT $3::integer");
static const struct db_stmt q_day = DB_STMT(
	"SELECT" RUN_COLS " FROM books_run r"
	" WHERE ($1 = '' OR r.bill_date = $1::date)"
	" ORDER BY r.bill_date DESC, r.id DESC LIMIT 1");
static const struct db_stmt q_run = DB_STMT(
	"SELECT" RUN_COLS " FROM books_run r WHERE r.id = $1::bigint");
static const struct db_stmt q_diffs = DB_STMT(
	"SELECT d.check_name, d.ref_kind, d.ref_no, COALESCE(d.camp_id, 0) AS camp_id, c.name AS camp_name,"
	" d.left_value, d.right_value, d.unit, d.left_state, d.right_state, d.detail"
	" FROM books_difference d LEFT JOIN training_camp c ON c.id = d.camp_id"
	" WHERE d.run_id = $1::bigint ORDER BY d.id");

int books_retry_dates(struct db *d, arena *a, const char *before, const char ***dates, int *n)
{
	PGresult *res = db_q(d, a, &q_retry, 1, (const char *[]){ before });
	if (res == NULL)
		return CAMP_EDB;
	*n = PQntuples(res);
	*dates = arena_alloc(a, sizeof(**dates) * (size_t)(*n + 1));
	for (int i = 0; i < *n; i++)
		(*dates)[i] = arena_strdup(a, db_get(res, i, "bill_date"));
	return CAMP_OK;
}

static void run_of(arena *a, const PGresult *res, int i, struct books_run *r)
{
	memset(r, 0, sizeof(*r));
	r->id = db_get_ll(res, i, "id", 0);
	r->date = arena_strdup(a, db_get(res, i, "bill_date"));
	r->trigger = arena_strdup(a, db_get(res, i, "trigger"));
	r->started = arena_strdup(a, db_get(res, i, "started"));
	r->bill_status = arena_strdup(a, db_get(res, i, "bill_status"));
	r->bill_error = arena_strdup(a, db_get(res, i, "bill_error"));
	r->bill_lines = (int)db_get_ll(res, i, "bill_lines", 0);
	r->bill_paid_fen = db_get_ll(res, i, "bill_paid_fen", 0);
	r->bill_refund_fen = db_get_ll(res, i, "bill_refund_fen", 0);
	r->invariant_diffs = (int)db_get_ll(res, i, "invariant_diffs", 0);
	r->bill_diffs = (int)db_get_ll(res, i, "bill_diffs", 0);
	r->ok = db_get_bool(res, i, "ok");
}

int books_days(struct db *d, arena *a, const char *from, const char *to, int limit,
               struct books_run **out, int *n)
{
	const char *p[] = { from ? from : "", to ? to : "", arena_i64(a, limit) };
	PGresult *res = db_q(d, a, &q_days, 3, p);
	if (res == NULL)
		return CAMP_EDB;
	*n = PQntuples(res);
	*out = arena_alloc(a, sizeof(**out) * (size_t)(*n + 1));
	for (int i = 0; i < *n; i++)
		run_of(a, res, i, &(*out)[i]);
	return CAMP_OK;
}

static int one_run(struct db *d, arena *a, const struct db_stmt *st, const char *param,
                   struct books_run *out)
{
	memset(out, 0, sizeof(*out));
	PGresult *res = db_q(d, a, st, 1, (const char *[]){ param });
	if (res == NULL)
		return CAMP_EDB;
	if (PQntuples(res) != 1)
		return CAMP_ENOTFOUND;
	run_of(a, res, 0, out);
	return CAMP_OK;
}

int books_day(struct db *d, arena *a, const char *date, struct books_run *out)
{
	return one_run(d, a, &q_day, date ? date : "", out);
}

int books_run_get(struct db *d, arena *a, long long run_id, struct books_run *out)
{
	return one_run(d, a, &q_run, arena_i64(a, run_id), out);
}

int books_diffs(struct db *d, arena *a, long long run_id, struct books_diff **out, int *n)
{
	PGresult *res = db_q(d, a, &q_diffs, 1, (const char *[]){ arena_i64(a, run_id) });
	if (res == NULL)
		return CAMP_EDB;
	*n = PQntuples(res);
	*out = arena_alloc(a, sizeof(**out) * (size_t)(*n + 1));
	for (int i = 0; i < *n; i++) {
		struct books_diff *x = &(*out)[i];
		x->check = arena_strdup(a, db_get(res, i, "check_name"));
		x->ref_kind = arena_strdup(a, db_get(res, i, "ref_kind"));
		x->ref_no = arena_strdup(a, db_get(res, i, "ref_no"));
		x->camp_id = db_get_ll(res, i, "camp_id", 0);
		x->camp_name = arena_strdup(a, db_get(res, i, "camp_name"));
		x->has_left = db_get(res, i, "left_value") != NULL;
		x->has_right = db_get(res, i, "right_value") != NULL;
		x->left = db_get_ll(res, i, "left_value", 0);
		x->right = db_get_ll(res, i, "right_value", 0);
		x->unit = arena_strdup(a, db_get(res, i, "unit"));
		x->left_state = arena_strdup(a, db_get(res, i, "left_state"));
		x->right_state = arena_strdup(a, db_get(res, i, "right_state"));
		x->detail = arena_strdup(a, db_get(res, i, "detail"));
	}
	return CAMP_OK;
}

/* ---- words ----------------------------------------------------------------- */

const char *books_value_text(arena *a, int has, int64_t v, const char *unit, int for_page)
{
	char buf[40];
	if (!has)
		return for_page ? "—" : "-";
	if (unit && !strcmp(unit, "count"))
		return arena_i64(a, v);
	int64_t m = v < 0 ? -v : v;
	const char *text = for_page ? money_format_grouped(m, buf, sizeof(buf))
	                            : money_format(m, buf, sizeof(buf));
	return arena_printf(a, "%s%s%s", v < 0 ? "-" : "", for_page ? "¥" : "", text);
}

static const struct {
	const char *name, *label, *left, *right, *left_en, *right_en;
} checks[] = {
	{ "payment_owner", "支付无归属", "实收", "归属", "paid", "owned" },
	{ "member_count", "报名人数不符", "计数器", "已支付会员", "recorded", "counted" },
	{ "refund_total", "退款超过实收", "已退", "实收", "refunded", "paid" },
	{ "live_attempts", "多个有效退款", "有效退款", "上限", "live", "allowed" },
	{ "refunded_status", "退款状态不符", "支付记录", "退款记录", "payment", "refunds" },
	{ "camp_balance", "训练营结余不符", "计数器结余", "按支付结余", "recorded", "expected" },
	{ "bill_missing_ours", "本系统缺少", "本系统", "微信账单", "ours", "wechat" },
	{ "bill_missing_theirs", "微信账单缺少", "本系统", "微信账单", "ours", "wechat" },
	{ "bill_amount", "金额不符", "本系统", "微信账单", "ours", "wechat" },
	{ "bill_state", "状态不符", "本系统", "微信账单", "ours", "wechat" },
};

static int check_index(const char *check)
{
	for (size_t i = 0; check && i < CAMP_ARRAY_LEN(checks); i++)
		if (!strcmp(checks[i].name, check))
			return (int)i;
	return -1;
}

const char *books_check_label(const char *check)
{
	int i = check_index(check);
	return i >= 0 ? checks[i].label : check;
}

void books_value_labels(const char *check, const char **left, const char **right)
{
	int i = check_index(check);
	*left = i >= 0 ? checks[i].left : "左";
	*right = i >= 0 ? checks[i].right : "右";
}

void books_value_labels_en(const char *check, const char **left, const char **right)
{
	int i = check_index(check);
	*left = i >= 0 ? checks[i].left_en : "left";
	*right = i >= 0 ? checks[i].right_en : "right";
}

const char *books_bill_status_label(const char *status)
{
	static const char *const labels[][2] = {
		{ "compared", "已核对" }, { "empty", "当日无交易" }, { "creating", "账单生成中" },
		{ "failed", "账单下载失败" }, { "not_configured", "未配置微信支付" },
	};
	for (size_t i = 0; status && i < CAMP_ARRAY_LEN(labels); i++)
		if (!strcmp(labels[i][0], status))
			return labels[i][1];
	return status ? status : "";
}
