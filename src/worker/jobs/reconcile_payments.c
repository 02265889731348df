/* reconcile_payments.c: the hourly safety net for lost callbacks and expired orders. */
#include "jobfns.h"
#include "worker.h"
#include "camp.h"
#include "clock.h"
#include "db.h"
#include "log.h"
#include "payments.h"
#include "wechatpay.h"
#include "wechatpay_api.h"
#include "config.h"
#include "env.h"
#include "money.h"
#include "wecom.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Orders still pending a minute after they were made (younger ones are
 * probably being paid right now, and their callback is on its way); those
 * of a cancelled camp at once, and closed like expired ones.  $2 = one camp
 * (queued by 取消训练营) or 0. */
static const struct db_stmt q_pending = DB_STMT(
	"SELECT p.id, p.order_no, p.member_id,"
	"       (p.time_expire <= $1::timestamptz OR c.cancelled_at IS NOT NULL) AS expired"
	"  FROM payment_record p JOIN training_camp c ON c.id = p.camp_id"
	" WHERE p.pay_status = 'pending' AND p.source = 'wechatpay' AND p.deleted_at IS NULL"
	"   AND (p.created_at <= $1::timestamptz - interval '1 minute' OR c.cancelled_at IS NOT NULL)"
	"   AND ($2::bigint = 0 OR p.camp_id = $2::bigint)"
	" ORDER BY p.id LIMIT 1000");
struct tally {
	int applied, closed, still_pending, exceptions, errors;
};

static int close_locally(struct job_ctx *c, const char *pid, const char *why)
{
	return payment_close_pending(c->db, c->a, atoll(pid), why);
}

static void audit(struct job_ctx *c, long long pid, const char *action,
                  const struct wxpay_result *r, const char *error)
{
	struct pay_audit e = { .payment_id = pid, .action = action, .detail = "reconcile-payments",
	                       .request_json = r->request_body, .response_json = r->body,
	                       .error = error };
	payment_audit(c->db, c->a, &e);
}

/* One order: query; a paid one is applied (the callback was lost), an
 * expired unpaid one is closed at WeChat and then here. */
static void one(struct job_ctx *c, const struct wxpay_cfg *cfg, const char *pid,
                const char *no, int expired, struct tally *t)
{
	time_t now = camp_now();
	struct wxpay_result r;
	int rc = wxpay_order_query(cfg, c->a, no, now, &r);
	audit(c, atoll(pid), "QUERY", &r, rc == CAMP_OK ? NULL : "no answer");
	if (rc != CAMP_OK) {
		t->errors++;
		return;
	}
	if (r.status == 404) {          /* never reached WeChat (order creation failed) */
		if (expired && close_locally(c, pid, "order_not_exist") == CAMP_OK)
			t->closed++;
		else
			t->still_pending++;
		return;
	}
	if (r.status != 200 || r.body == NULL) {
		t->errors++;
		return;
	}
	struct wx_txn txn;
	if (wx_txn_parse(c->a, r.body, &txn) != CAMP_OK) {
		t->errors++;
		return;
	}
	if (!strcmp(txn.trade_state, "SUCCESS")) {
		enum apply_outcome out;
		const char *reason;
		if (payment_apply(c->db, c->a, cfg, &txn, "query", &out, &reason) != CAMP_OK)
			t->errors++;
		else if (out == APPLY_PAID)
			t->applied++;
		else if (out == APPLY_EXCEPTION)
			t->exceptions++;
		return;
	}
	if (!expired) {
		t->still_pending++;
		return;
	}
	/* queried once more above and still unpaid: close it at WeChat first,
	 * so a late payment cannot land on an order we consider closed */
	struct wxpay_result cr;
	rc = wxpay_order_close(cfg, c->a, no, now, &cr);
	audit(c, atoll(pid), "CLOSE", &cr, rc == CAMP_OK ? NULL : "no answer");
	if (rc == CAMP_OK && (cr.status == 204 || cr.status == 200 ||
	                      (cr.code && !strcmp(cr.code, "ORDERCLOSED"))) &&
	    close_locally(c, pid, "expired") == CAMP_OK)
		t->closed++;
	else
		t->errors++;
}

/* Camps with a WeCom collection code that may still receive deposits. */
static const struct db_stmt q_bill_camps = DB_STMT(
	"SELECT id, wechat_pay_code_id, deposit::text AS deposit,"
	" floor(GREATEST(extract(epoch FROM created_at), extract(epoch FROM $1::timestamptz) - 30 * 86400))::bigint AS since"
	" FROM training_camp WHERE deleted_at IS NULL AND wechat_pay_code_id IS NOT NULL"
	" AND end_date >= ($1::timestamptz AT TIME ZONE 'Asia/Shanghai')::date - 7 ORDER BY id");

#define BILL_PAGE 100

/* 对外收款 bills of each camp's collection code, imported as pending-bind
 * payments.  Returns how many camps failed (0 when WeCom is not set up). */
struct bill_tally {
	int imported, refunded, exceptions;
};

static int import_bills(struct job_ctx *c, struct bill_tally *bt)
{
	char *corp = config_get(c->db, "wechat.corp_id");
	char *secret = config_get(c->db, "wechat.externalpay_secret");
	struct wecom_cfg w = { camp_env()->wecom_base, arena_strdup(c->a, corp),
	                       arena_strdup(c->a, secret), 0 };
	free(corp);
	free(secret);
	if (w.corp_id == NULL || w.secret == NULL)
		return 0;
	char now[40];
	PGresult *res = db_q(c->db, c->a, &q_bill_camps, 1,
	                     (const char *[]){ clock_now_param(now, sizeof(now)) });
	if (res == NULL)
		return 1;
	int failed = 0;
	struct wecom_bill *bills = arena_alloc(c->a, sizeof(*bills) * BILL_PAGE);
	for (int i = 0; i < PQntuples(res) && !job_stopping(c); i++) {
		long long camp_id = db_get_ll(res, i, "id", 0);
		/* a minute of slack for the two clocks; a bill is imported once whatever overlaps */
		long long since = db_get_ll(res, i, "since", 0), until = (long long)camp_now() + 60;
		/* WeCom takes at most a month per call; a camp created "later" than
		 * now (clock moved in tests) has nothing to import yet */
		if (since < until - 30 * 86400)
			since = until - 30 * 86400;
		if (since > until)
			continue;
		int64_t deposit = 0;
		money_parse(db_get(res, i, "deposit"), &deposit);
		char cursor[64] = "";
		for (int pages = 0; pages < 100; pages++) {
			size_t n;
			char next[64];
			struct wecom_result wr;
			if (wecom_bill_list(&w, since, until, db_get(res, i, "wechat_pay_code_id"), cursor,
			                    bills, BILL_PAGE, &n, next, &wr) != CAMP_OK) {
				log_warn("reconcile: bills of camp %lld: %s", camp_id, wr.error);
				failed++;
				break;
			}
			for (size_t k = 0; k < n; k++) {
				enum bill_outcome o;
				if (payment_import_bill(c->db, c->a, camp_id, deposit, &bills[k], &o) != CAMP_OK)
					failed++;
				bt->imported += o == BILL_IMPORTED;
				bt->refunded += o == BILL_REFUNDED;
				bt->exceptions += o == BILL_EXCEPTION;
			}
			if (next[0] == '\0')
				break;
			snprintf(cursor, sizeof(cursor), "%s", next);
		}
	}
	return failed;
}

int job_reconcile_payments(struct job_ctx *c)
{
	struct wxpay_cfg cfg;
	struct json_object *d = c->detail;
	if (wxpay_cfg_load(c->db, c->a, &cfg) != CAMP_OK) {
		json_object_object_add(d, "note", json_object_new_string("WeChat Pay is not configured"));
		return CAMP_OK;
	}
	long long camp_id = 0;
	struct json_object *args = json_tokener_parse(c->args ? c->args : "{}"), *v;
	if (args && json_object_object_get_ex(args, "camp_id", &v))
		camp_id = json_object_get_int64(v);
	json_object_put(args);
	char now[40];
	const char *p[] = { clock_now_param(now, sizeof(now)), arena_i64(c->a, camp_id) };
	PGresult *res = db_q(c->db, c->a, &q_pending, 2, p);
	if (res == NULL) {
		job_fail(c, "数据库不可用");
		return CAMP_EDB;
	}
	struct tally t = { 0 };
	int n = PQntuples(res);
	for (int i = 0; i < n && !job_stopping(c); i++) {
		one(c, &cfg, db_get(res, i, "id"), db_get(res, i, "order_no"),
		    db_get_bool(res, i, "expired"), &t);
		job_progress(c, i + 1, n, NULL);
	}
	c->interrupted = job_stopping(c);
	json_object_object_add(d, "checked", json_object_new_int(n));
	json_object_object_add(d, "applied", json_object_new_int(t.applied));
	json_object_object_add(d, "closed", json_object_new_int(t.closed));
	json_object_object_add(d, "still_pending", json_object_new_int(t.still_pending));
	json_object_object_add(d, "exceptions", json_object_new_int(t.exceptions));
	struct bill_tally bt = { 0 };
	int bill_failures = camp_id ? 0 : import_bills(c, &bt);   /* a queued run: that camp's orders */
	json_object_object_add(d, "bills_imported", json_object_new_int(bt.imported));
	/* refunded in WeCom in full: counted, never enrolled */
	json_object_object_add(d, "bills_refunded", json_object_new_int(bt.refunded));
	json_object_object_add(d, "bills_exceptions", json_object_new_int(bt.exceptions));
	t.errors += bill_failures;
	json_object_object_add(d, "errors", json_object_new_int(t.errors));
	if (t.errors > 0) {
		job_fail(c, "%d 笔订单查询或关闭失败，下次运行会重试", t.errors);
		return CAMP_EPROVIDER;
	}
	return CAMP_OK;
}
