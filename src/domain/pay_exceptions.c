/* pay_exceptions.c: refunding payment exceptions in full through the merchant API. */
#include "pay_exceptions.h"
#include "alerts.h"
#include "audit.h"
#include "camp.h"
#include "clock.h"
#include "db.h"
#include "env.h"
#include "log.h"
#include "payments.h"
#include "wechatpay.h"
#include "wechatpay_api.h"

#include <stdlib.h>
#include <string.h>

static const struct db_stmt q_start = DB_STMT(
	/* a new number per attempt: a CLOSED attempt's number cannot refund again */
	"UPDATE payment_exception SET status = 'refunding',"
	" out_refund_no = 'RE' || id || 'T' || to_char($2::timestamptz, 'YYMMDDHH24MISS'),"
	" updated_at = $2::timestamptz"
	" WHERE id = $1 AND status = 'open' AND transaction_id IS NOT NULL AND amount_fen > 0"
	" RETURNING out_refund_no, out_trade_no");

int exception_refund_start(struct db *d, arena *a, long long id, const struct audit *who)
{
	char now[40];
	const char *p[] = { arena_i64(a, id), clock_now_param(now, sizeof(now)) };
	if (db_begin(d) != CAMP_OK)
		return CAMP_EDB;
	PGresult *res = db_q(d, a, &q_start, 2, p);
	if (res == NULL || PQntuples(res) != 1) {
		db_rollback(d);
		return res ? CAMP_ECONFLICT : CAMP_EDB;
	}
	struct audit e = *who;
	e.type = "REFUND_EXCEPTION";
	e.desc = "支付异常全额退款";
	e.target_type = "payment_exception";
	e.target_id = id;
	e.target_name = arena_strdup(a, db_get(res, 0, "out_trade_no"));
	if (audit_log(d, a, &e) != CAMP_OK || db_commit(d) != CAMP_OK) {
		db_rollback(d);
		return CAMP_EDB;
	}
	return CAMP_OK;
}

/* $5 = 't': 已线下退款 (the money went back outside the merchant API) */
static const struct db_stmt q_resolve = DB_STMT(
	"UPDATE payment_exception SET status = CASE WHEN $5::boolean THEN 'refunded' ELSE 'resolved' END,"
	" resolved_by = NULLIF($2, '0')::bigint, resolved_at = $3::timestamptz, updated_at = $3::timestamptz,"
	" detail = concat_ws('；', detail, CASE WHEN $5::boolean THEN '已线下退款：' ELSE '已处理：' END || $4)"
	" WHERE id = $1 AND status IN ('open', 'failed') RETURNING out_trade_no, payment_id");
/* A duplicate-planet-ID payment was recorded as success with the exception's own
 * transaction: it is refunded now.  A second transaction for an already-paid order
 * names that order too, but the order's own payment stays paid. */
static const struct db_stmt q_payment = DB_STMT(
	"UPDATE payment_record p SET refunded_amount = pay_amount, pay_status = 'refunded'"
	"  FROM payment_exception e"
	" WHERE e.id = $1 AND p.id = e.payment_id AND p.pay_status = 'success'"
	"   AND p.wechat_transaction_id = e.transaction_id");

int exception_resolve(struct db *d, arena *a, long long id, const char *note, int offline,
                      const struct audit *who)
{
	char now[40];
	const char *p[] = { arena_i64(a, id), arena_i64(a, who->operator_id),
	                    clock_now_param(now, sizeof(now)), note, offline ? "t" : "f" };
	if (db_begin(d) != CAMP_OK)
		return CAMP_EDB;
	PGresult *res = db_q(d, a, &q_resolve, 5, p);
	if (res == NULL || PQntuples(res) != 1) {
		db_rollback(d);
		return res ? CAMP_ECONFLICT : CAMP_EDB;
	}
	const char *pid = db_get(res, 0, "payment_id");
	if (offline && pid && db_q(d, a, &q_payment, 1, (const char *[]){ p[0] }) == NULL) {
		db_rollback(d);
		return CAMP_EDB;
	}
	struct audit e = *who;
	e.type = "RESOLVE_EXCEPTION";
	e.desc = arena_printf(a, offline ? "支付异常标记已线下退款：%s" : "支付异常标记已处理：%s", note);
	e.target_type = "payment_exception";
	e.target_id = id;
	e.target_name = arena_strdup(a, db_get(res, 0, "out_trade_no"));
	if (audit_log(d, a, &e) != CAMP_OK || db_commit(d) != CAMP_OK) {
		db_rollback(d);
		return CAMP_EDB;
	}
	return CAMP_OK;
}

static const struct db_stmt q_due = DB_STMT(
	"SELECT id FROM payment_exception WHERE status = 'refunding' ORDER BY id LIMIT 200");

int exception_refunds_due(struct db *d, arena *a, long long **ids, int *n)
{
	PGresult *res = db_q(d, a, &q_due, 0, NULL);
	if (res == NULL)
		return CAMP_EDB;
	*ids = db_get_ids(res, a, "id", n);
	return CAMP_OK;
}

static const struct db_stmt q_lock_no = DB_STMT(
	"SELECT id, status, payment_id, amount_fen FROM payment_exception"
	" WHERE out_refund_no = $1 FOR UPDATE");
static const struct db_stmt q_done = DB_STMT(
	"UPDATE payment_exception SET status = $2::text, wechat_refund_id = COALESCE($3, wechat_refund_id),"
	" resolved_at = CASE WHEN $2::text = 'refunded' THEN $4::timestamptz END, updated_at = $4::timestamptz,"
	" detail = CASE WHEN $2::text = 'open' THEN concat_ws('；', detail, '退款未成功：' || $5) ELSE detail END,"
	" out_refund_no = CASE WHEN $2::text = 'open' THEN NULL ELSE out_refund_no END"
	" WHERE id = $1");
int exception_refund_apply(struct db *d, arena *a, const struct wx_refund *w)
{
	if (w->out_refund_no == NULL || strncmp(w->out_refund_no, "RE", 2) != 0)
		return CAMP_ENOTFOUND;
	const char *to = !strcmp(w->status, "SUCCESS") ? "refunded" :
	                 !strcmp(w->status, "PROCESSING") ? "refunding" : "open";
	char now[40];
	clock_now_param(now, sizeof(now));
	if (db_begin(d) != CAMP_OK)
		return CAMP_EDB;
	PGresult *res = db_q(d, a, &q_lock_no, 1, (const char *[]){ w->out_refund_no });
	if (res == NULL || PQntuples(res) != 1) {
		db_rollback(d);
		return res ? CAMP_ENOTFOUND : CAMP_EDB;
	}
	if (strcmp(db_get(res, 0, "status"), "refunding") != 0 || !strcmp(to, "refunding")) {
		db_rollback(d);          /* a repeat, or still processing */
		return CAMP_OK;
	}
	const char *id = arena_strdup(a, db_get(res, 0, "id"));
	const char *pid = arena_strdup(a, db_get(res, 0, "payment_id"));
	const char *p[] = { id, to, w->refund_id, now, w->status };
	int rc = db_q(d, a, &q_done, 5, p) ? CAMP_OK : CAMP_EDB;
	if (rc == CAMP_OK && pid && !strcmp(to, "refunded") &&
	    db_q(d, a, &q_payment, 1, (const char *[]){ id }) == NULL)
		rc = CAMP_EDB;
	if (rc != CAMP_OK || db_commit(d) != CAMP_OK) {
		db_rollback(d);
		return CAMP_EDB;
	}
	log_info("payment exception %s: refund %s", id, w->status);
	return CAMP_OK;
}

static const struct db_stmt q_get = DB_STMT(
	"SELECT transaction_id, out_trade_no, out_refund_no, amount_fen, payment_id"
	" FROM payment_exception WHERE id = $1 AND status = 'refunding'");

static void audit_call(struct db *d, arena *a, const char *pid, const char *action,
                       const struct wxpay_result *r)
{
	struct pay_audit e = { .payment_id = pid ? atoll(pid) : 0, .action = action,
	                       .detail = "payment exception", .request_json = r->request_body,
	                       .response_json = r->body, .error = r->code };
	payment_audit(d, a, &e);
}

/* WeChat refused the refund (a 4xx that retrying cannot fix): counted; the
 * EXCEPTION_MAX_REFUSALS-th ends the attempt as failed, with one alert. */
static const struct db_stmt q_refused = DB_STMT(
	"UPDATE payment_exception SET refund_refusals = refund_refusals + 1, updated_at = $2::timestamptz,"
	" status = CASE WHEN refund_refusals + 1 >= $4::int THEN 'failed' ELSE status END,"
	" detail = concat_ws('；', detail, '退款被微信拒绝：' || $3)"
	" WHERE id = $1 AND status = 'refunding' RETURNING status, camp_id, out_trade_no");

static int refused(struct db *d, arena *a, long long id, const struct wxpay_result *r)
{
	char now[40];
	const char *why = arena_printf(a, "HTTP %ld %s %s", r->status, r->code ? r->code : "",
	                               r->message ? r->message : "");
	const char *p[] = { arena_i64(a, id), clock_now_param(now, sizeof(now)), why,
	                    arena_i64(a, EXCEPTION_MAX_REFUSALS) };
	if (db_begin(d) != CAMP_OK)
		return CAMP_EDB;
	PGresult *res = db_q(d, a, &q_refused, 4, p);
	int rc = res ? CAMP_OK : CAMP_EDB;
	if (rc == CAMP_OK && PQntuples(res) == 1 && !strcmp(db_get(res, 0, "status"), "failed")) {
		struct alert al = { "exception_refund_failed", "支付异常退款失败",
		                    arena_printf(a, "支付异常 #%lld（订单 %s）的全额退款被微信拒绝 %d 次：%s。"
		                                    "请在支付异常页核实后标记“已处理”或“已线下退款”。",
		                                 id, db_get(res, 0, "out_trade_no"), EXCEPTION_MAX_REFUSALS, why),
		                    db_get_ll(res, 0, "camp_id", 0), 0,
		                    arena_printf(a, "exception-refund-failed:%lld", id) };
		rc = alert_staff(d, a, &al, NULL);
	}
	if (rc == CAMP_OK)
		return db_commit(d);
	db_rollback(d);
	return rc;
}

int exception_refund_step(struct db *d, arena *a, const struct wxpay_cfg *cfg, long long id)
{
	PGresult *res = db_q(d, a, &q_get, 1, (const char *[]){ arena_i64(a, id) });
	if (res == NULL)
		return CAMP_EDB;
	if (PQntuples(res) != 1)
		return CAMP_OK;
	const char *no = arena_strdup(a, db_get(res, 0, "out_refund_no"));
	const char *pid = arena_strdup(a, db_get(res, 0, "payment_id"));
	time_t now = camp_now();
	struct wxpay_result r;
	/* the same out_refund_no never refunds twice: ask before (re)submitting */
	int rc = wxpay_refund_query(cfg, a, no, now, &r);
	audit_call(d, a, pid, "EXCEPTION_REFUND_QUERY", &r);
	if (rc != CAMP_OK || (r.status != 200 && r.status != 404))
		return CAMP_EPROVIDER;
	if (r.status == 404) {
		long long fen = db_get_ll(res, 0, "amount_fen", 0);
		struct wxpay_refund_req q = {
			.transaction_id = db_get(res, 0, "transaction_id"),
			.out_trade_no = db_get(res, 0, "out_trade_no"),
			.out_refund_no = no, .reason = "支付异常，全额退款",
			.notify_url = arena_printf(a, "%s/pay/wechat/refund-notify", camp_env()->base_url),
			.refund = fen, .total = fen,
		};
		rc = wxpay_refund_create(cfg, a, &q, now, &r);
		audit_call(d, a, pid, "EXCEPTION_REFUND_CREATE", &r);
		if (rc == CAMP_OK && r.status >= 400 && r.status < 500 && r.status != 429 &&
		    !(r.code && !strcmp(r.code, "NOT_ENOUGH")))
			return refused(d, a, id, &r);
		if (rc != CAMP_OK || r.status != 200 || r.body == NULL)
			return CAMP_EPROVIDER;     /* unknown, or the balance: the next run asks again */
	}
	struct wx_refund w;
	if (wx_refund_parse(a, r.body, &w) != CAMP_OK)
		return CAMP_EPROVIDER;
	return exception_refund_apply(d, a, &w) == CAMP_EDB ? CAMP_EDB : CAMP_OK;
}
