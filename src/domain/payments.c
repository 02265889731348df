/* payments.c: applying WeChat Pay transactions once, and recording what cannot be. */
#include "payments.h"
#include "camp.h"
#include "clock.h"
#include "config.h"
#include "db.h"
#include "env.h"
#include "jsonget.h"
#include "log.h"
#include "money.h"
#include "paydata.h"
#include "wechatpay.h"
#include "wecom.h"
#include "wxpay_certs.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long long jint(struct json_object *o, const char *key)
{
	struct json_object *v;
	if (o == NULL || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return -1;
	return json_object_get_int64(v);
}

void pay_attach_format(char *buf, size_t n, long long camp_id, long long member_id,
                       long long payment_id)
{
	snprintf(buf, n, "{\"c\":%lld,\"m\":%lld,\"p\":%lld}", camp_id, member_id, payment_id);
}

/* key then a positive decimal id; past it, or NULL */
static const char *attach_id(const char *s, const char *key, long long *v)
{
	size_t k = strlen(key);
	if (s == NULL || strncmp(s, key, k) != 0 || s[k] < '1' || s[k] > '9')
		return NULL;
	char *end;
	errno = 0;
	*v = strtoll(s + k, &end, 10);
	return errno == 0 ? end : NULL;
}

int pay_attach_ids(const char *attach, long long *member_id, long long *payment_id)
{
	long long c, m, p;
	const char *s = attach_id(attach, "{\"c\":", &c);
	s = attach_id(s, ",\"m\":", &m);
	s = attach_id(s, ",\"p\":", &p);
	if (s == NULL || strcmp(s, "}") != 0)
		return 0;
	*member_id = m;
	*payment_id = p;
	return 1;
}

int wx_txn_parse(arena *a, const char *json, struct wx_txn *t)
{
	memset(t, 0, sizeof(*t));
	struct json_object *o = json_tokener_parse(json);
	if (o == NULL || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return CAMP_EINVAL;
	}
	arena_json(a, o);
	t->appid = jget_strdup(a, o, "appid");
	t->mchid = jget_strdup(a, o, "mchid");
	t->out_trade_no = jget_strdup(a, o, "out_trade_no");
	t->transaction_id = jget_strdup(a, o, "transaction_id");
	t->trade_type = jget_strdup(a, o, "trade_type");
	t->trade_state = jget_strdup(a, o, "trade_state");
	t->trade_state_desc = jget_strdup(a, o, "trade_state_desc");
	t->bank_type = jget_strdup(a, o, "bank_type");
	t->attach = jget_strdup(a, o, "attach");
	t->success_time = jget_strdup(a, o, "success_time");
	struct json_object *payer, *amount;
	if (json_object_object_get_ex(o, "payer", &payer))
		t->openid = jget_strdup(a, payer, "openid");
	amount = NULL;
	json_object_object_get_ex(o, "amount", &amount);
	t->total = jint(amount, "total");
	t->payer_total = jint(amount, "payer_total");
	t->currency = amount ? jget_strdup(a, amount, "currency") : NULL;
	t->raw = arena_strdup(a, json);
	if (t->out_trade_no == NULL || t->trade_state == NULL)
		return CAMP_EINVAL;
	return CAMP_OK;
}

#define AUDIT_INSERT \
	"INSERT INTO payment_audit_log (payment_id, action_type, action_detail, old_status," \
	" new_status, ip_address, user_agent, request_sealed, response_sealed, error_message," \
	" created_at, out_refund_no, wechat_created_at)" \
	" VALUES (NULLIF($1, '0')::bigint, $2, $3, $4, $5, $6, $7, $8, $9, $10," \
	" $11::timestamptz, $12, books_ts($13))"
static const struct db_stmt q_audit = DB_STMT(AUDIT_INSERT);
/* issue #18: what creating the order answered, stored with its audit row in one statement */
static const struct db_stmt q_prepay_audited = DB_STMT(
	"WITH au AS (" AUDIT_INSERT ")"
	" UPDATE payment_record SET wechat_prepay = $14 WHERE id = NULLIF($1, '0')::bigint");

/* A string member of a JSON object text, or NULL. */
static const char *json_field(arena *a, const char *json, const char *key)
{
	struct json_object *o = json ? json_tokener_parse(json) : NULL, *v;
	const char *s = NULL;
	if (o != NULL && json_object_is_type(o, json_type_object) &&
	    json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string))
		s = arena_strdup(a, json_object_get_string(v));
	json_object_put(o);
	return s;
}

/* The 13 parameters of AUDIT_INSERT for e, into p. */
static int audit_params(arena *a, const struct pay_audit *e, char now[40], const char *p[13])
{
	/* the snapshots hold openids and decrypted transactions: sealed; what the
	 * books read of a refund answer gets its own plain columns */
	const char *row = pd_row_audit(a, e->payment_id, e->action), *req, *res;
	if (pd_seal(a, PD_AUDIT_REQUEST, row, e->request_json, &req) != CAMP_OK ||
	    pd_seal(a, PD_AUDIT_RESPONSE, row, e->response_json, &res) != CAMP_OK)
		return CAMP_ECRYPTO;
	const char *v[] = {
		arena_i64(a, e->payment_id), e->action, e->detail, e->old_status, e->new_status,
		e->ip, e->user_agent, req, res, e->error,
		clock_now_param(now, 40),
		json_field(a, e->response_json, "out_refund_no"),
		json_field(a, e->response_json, "create_time"),
	};
	memcpy(p, v, sizeof(v));
	return CAMP_OK;
}

int payment_audit(struct db *d, arena *a, const struct pay_audit *e)
{
	char now[40];
	const char *p[13];
	int rc = audit_params(a, e, now, p);
	if (rc != CAMP_OK)
		return rc;
	return db_q(d, a, &q_audit, 13, p) ? CAMP_OK : CAMP_EDB;
}

/* ---- settings ------------------------------------------------------------- */

static const char *cfg_str(struct db *d, arena *a, const char *key)
{
	char *v = config_get(d, key);
	const char *s = arena_strdup(a, v);
	free(v);
	return s;
}

int wxpay_cfg_load(struct db *d, arena *a, struct wxpay_cfg *c)
{
	int rc = wxpay_cfg_load_settings(d, a, c);
	if (rc != CAMP_OK)
		return rc;
	/* platform certificates (merchants without the public key, or switching) */
	return wxpay_certs_attach(d, a, c) == CAMP_OK ? CAMP_OK : CAMP_EDB;
}

int wxpay_cfg_load_settings(struct db *d, arena *a, struct wxpay_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->base_url = camp_env()->wechatpay_base;
	c->mchid = cfg_str(d, a, "wechat.pay_merchant_id");
	c->appid = cfg_str(d, a, "wechat.pay_appid");
	c->apiv3_key = cfg_str(d, a, "wechat.pay_key");
	c->merchant_serial = cfg_str(d, a, "wechat.pay_merchant_serial");
	c->merchant_key_pem = cfg_str(d, a, "wechat.pay_private_key");
	c->pub_key_pem = cfg_str(d, a, "wechat.pay_public_key");
	c->pub_key_id = cfg_str(d, a, "wechat.pay_public_key_id");
	if (c->pub_key_pem == NULL || c->pub_key_id == NULL)
		c->pub_key_pem = c->pub_key_id = NULL;   /* half a public key is none */
	if (c->mchid == NULL || c->appid == NULL || c->apiv3_key == NULL)
		return CAMP_ENOTFOUND;
	return CAMP_OK;
}

/* ---- applying ------------------------------------------------------------- */

static const struct db_stmt q_lock_order = DB_STMT(
	"SELECT p.id, p.camp_id, p.member_id, p.pay_amount::text AS pay_amount, p.pay_status,"
	" p.wechat_transaction_id, m.filled_planet_user_id, m.filled_planet_nickname,"
	" (SELECT c.cancelled_at IS NOT NULL FROM training_camp c WHERE c.id = p.camp_id) AS cancelled"
	" FROM payment_record p LEFT JOIN camp_member m ON m.id = p.member_id"
	" WHERE p.order_no = $1 AND p.source = 'wechatpay' FOR UPDATE OF p");

static const struct db_stmt q_exception = DB_STMT(
	"INSERT INTO payment_exception (payment_id, out_trade_no, transaction_id, camp_id,"
	" amount_fen, payer_openid_sealed, reason, detail, raw_sealed, created_at)"
	" VALUES (NULLIF($1, '0')::bigint, $2, $3, NULLIF($4, '0')::bigint, $5::integer, $6,"
	" $7, $8, $9, $10::timestamptz)"
	" ON CONFLICT (transaction_id) WHERE transaction_id IS NOT NULL DO NOTHING");

static const struct db_stmt q_txn = DB_STMT(
	"INSERT INTO payment_transaction (transaction_id, payment_id, out_trade_no, trade_type,"
	" trade_state, trade_state_desc, bank_type, amount_total, payer_total, currency,"
	" success_time, openid_sealed, raw_sealed, source)"
	" VALUES ($1, NULLIF($2, '0')::bigint, $3, $4, $5, $6, $7, $8::integer,"
	" NULLIF($9, '-1')::integer, COALESCE($10, 'CNY'), $11::timestamptz, $12, $13, $14)"
	" ON CONFLICT (transaction_id) DO UPDATE SET trade_state = EXCLUDED.trade_state,"
	" payment_id = COALESCE(payment_transaction.payment_id, EXCLUDED.payment_id)");

static int record_txn(struct db *d, arena *a, const struct wx_txn *t, long long payment_id,
                      const char *source)
{
	const char *row = pd_row_txn(t->transaction_id), *openid, *raw;
	if (pd_seal(a, PD_TXN_OPENID, row, t->openid, &openid) != CAMP_OK ||
	    pd_seal(a, PD_TXN_RAW, row, t->raw, &raw) != CAMP_OK)
		return CAMP_ECRYPTO;
	const char *p[] = {
		t->transaction_id, arena_i64(a, payment_id), t->out_trade_no, t->trade_type,
		t->trade_state, t->trade_state_desc, t->bank_type, arena_i64(a, t->total),
		arena_i64(a, t->payer_total), t->currency, t->success_time, openid, raw, source,
	};
	return db_q(d, a, &q_txn, 14, p) ? CAMP_OK : CAMP_EDB;
}

/* An exception in its own small transaction (the caller's was rolled back). */
static int record_exception(struct db *d, arena *a, const struct wx_txn *t,
                            long long payment_id, long long camp_id, const char *reason,
                            const char *detail, const char *new_pay_status)
{
	char now[40];
	const char *row = pd_row_exception(a, t->transaction_id, t->out_trade_no), *openid, *raw;
	const char *callback = NULL;
	if (pd_seal(a, PD_EXC_OPENID, row, t->openid, &openid) != CAMP_OK ||
	    pd_seal(a, PD_EXC_RAW, row, t->raw, &raw) != CAMP_OK ||
	    (payment_id && new_pay_status &&
	     pd_seal(a, PD_PAY_CALLBACK, pd_row_id(a, payment_id), t->raw, &callback) != CAMP_OK))
		return CAMP_ECRYPTO;
	if (db_begin(d) != CAMP_OK)
		return CAMP_EDB;
	const char *p[] = {
		arena_i64(a, payment_id), t->out_trade_no, t->transaction_id, arena_i64(a, camp_id),
		arena_i64(a, t->total), openid, reason, detail, raw,
		clock_now_param(now, sizeof(now)),
	};
	int rc = db_q(d, a, &q_exception, 10, p) ? CAMP_OK : CAMP_EDB;
	if (rc == CAMP_OK && t->transaction_id)
		rc = record_txn(d, a, t, payment_id, "notify");
	if (rc == CAMP_OK && payment_id && new_pay_status) {
		static const struct db_stmt q_mark = DB_STMT(
			"UPDATE payment_record SET pay_status = $2, wechat_transaction_id = $3,"
			" callback_sealed = $4 WHERE id = $1 AND pay_status = 'pending'");
		const char *mp[] = { arena_i64(a, payment_id), new_pay_status, t->transaction_id, callback };
		rc = db_q(d, a, &q_mark, 4, mp) ? CAMP_OK : CAMP_EDB;
	}
	if (rc == CAMP_OK)
		rc = db_commit(d);
	else
		db_rollback(d);
	log_warn("payment exception %s for %s (%s)", reason, t->out_trade_no, detail);
	return rc;
}

static const struct db_stmt q_pay = DB_STMT(
	"UPDATE payment_record SET pay_status = 'success', pay_time = COALESCE($2::timestamptz, $7::timestamptz),"
	" wechat_transaction_id = $3, openid_sealed = COALESCE($4, openid_sealed),"
	" openid_index = COALESCE($8, openid_index), callback_sealed = $5,"
	" bind_status = CASE WHEN $6::boolean THEN 'completed' ELSE 'pending' END,"
	" bind_method = CASE WHEN $6::boolean THEN 'h5_bindplanet' ELSE NULL END,"
	" bound_at = CASE WHEN $6::boolean THEN $7::timestamptz ELSE NULL END,"
	" bind_deadline = CASE WHEN $6::boolean THEN NULL ELSE $7::timestamptz + interval '7 days' END"
	" WHERE id = $1 AND pay_status = 'pending'");
static const struct db_stmt q_member_paid = DB_STMT(
	"UPDATE camp_member SET paid = true, paid_at = $2::timestamptz,"
	" openid_sealed = COALESCE($3, openid_sealed), openid_index = COALESCE($4, openid_index)"
	" WHERE id = $1");
static const struct db_stmt q_counters = DB_STMT(
	"UPDATE training_camp SET member_count = member_count + 1,"
	" paid_amount = paid_amount + $2::numeric / 100 WHERE id = $1");
static const struct db_stmt q_order_log = DB_STMT(
	"INSERT INTO order_status_log (order_id, from_status, to_status, event, extra_data, created_at)"
	" VALUES ($1, $2, $3, $4, $5::jsonb, $6::timestamptz)");
static const struct db_stmt q_member_log = DB_STMT(
	"INSERT INTO member_status_log (member_id, camp_id, from_status, to_status, event, extra_data, created_at)"
	" VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::timestamptz)");
static const struct db_stmt q_bind_log = DB_STMT(
	"INSERT INTO payment_bind_log (payment_id, from_status, to_status, event, extra_data, created_at)"
	" VALUES ($1, NULL, $2, $3, $4::jsonb, $5::timestamptz)");

/* The happy path, inside the caller's transaction.  CAMP_ECONFLICT when the
 * planet ID is already enrolled and paid (the partial unique index says so). */
static int mark_paid(struct db *d, arena *a, const struct wx_txn *t, const PGresult *row,
                     const char *source, int64_t fen)
{
	char now[40];
	clock_now_param(now, sizeof(now));
	const char *pid = db_get(row, 0, "id");
	const char *mid = db_get(row, 0, "member_id");
	const char *cid = db_get(row, 0, "camp_id");
	const char *planet = db_get(row, 0, "filled_planet_user_id");
	int bound = planet != NULL && *planet != '\0';
	/* the payer's openid and the decrypted callback, sealed for their rows (CPU only) */
	const char *openid, *callback, *m_openid = NULL, *index = pd_index(a, t->openid);
	if (pd_seal(a, PD_PAY_OPENID, pid, t->openid, &openid) != CAMP_OK ||
	    pd_seal(a, PD_PAY_CALLBACK, pid, t->raw, &callback) != CAMP_OK ||
	    (mid != NULL && pd_seal(a, PD_MEMBER_OPENID, mid, t->openid, &m_openid) != CAMP_OK))
		return CAMP_ECRYPTO;
	const char *p[] = { pid, t->success_time, t->transaction_id, openid, callback,
	                    bound ? "true" : "false", now, index };
	if (db_q(d, a, &q_pay, 8, p) == NULL)
		return CAMP_EDB;
	if (mid != NULL) {
		const char *mp[] = { mid, now, m_openid, index };
		if (db_q(d, a, &q_member_paid, 4, mp) == NULL)
			return !strcmp(db_sqlstate(d), "23505") ? CAMP_ECONFLICT : CAMP_EDB;
		const char *lp[] = { mid, cid, "enrolled", "paid", "PAY",
		                     arena_printf(a, "{\"order_no\":\"%s\"}", t->out_trade_no), now };
		if (db_q(d, a, &q_member_log, 7, lp) == NULL)
			return CAMP_EDB;
	}
	const char *cp[] = { cid, arena_i64(a, fen) };
	const char *op[] = { pid, "pending", "success", "PAY_SUCCESS",
	                     arena_printf(a, "{\"source\":\"%s\"}", source), now };
	const char *bp[] = { pid, bound ? "completed" : "pending",
	                     bound ? "CREATE_WITH_ATTACH" : "CREATE_WITHOUT_ATTACH",
	                     arena_printf(a, "{\"method\":\"%s\"}", bound ? "h5_bindplanet" : "user_fill"),
	                     now };
	if (db_q(d, a, &q_counters, 2, cp) == NULL || db_q(d, a, &q_order_log, 6, op) == NULL ||
	    db_q(d, a, &q_bind_log, 5, bp) == NULL ||
	    record_txn(d, a, t, db_get_ll(row, 0, "id", 0), source) != CAMP_OK)
		return CAMP_EDB;
	return CAMP_OK;
}

/* issue #18: the common case in one statement — the order goes from pending to success only
 * when everything the locked path below checks holds (pending, no transaction yet, the order's
 * amount, the camp not cancelled); its member, the camp's counters, the three logs, the
 * transaction and the callback's audit row come with it, or nothing does.  No row back: the
 * locked path decides what the transaction is (a unique violation, a planet ID paid twice,
 * rolls the statement back the same way).
 * Issue #17: openids and WeChat's JSON are sealed for their rows (the associated data names
 * the row's id), so the statement is told the order's and member's ids ($21, $22, read just
 * before without a lock) and does nothing unless the order is still that row with that member. */
static const struct db_stmt q_pay_ids = DB_STMT(
	"SELECT id, member_id FROM payment_record"
	" WHERE order_no = $1 AND source = 'wechatpay' AND pay_status = 'pending'");
static const struct db_stmt q_pay_at_once = DB_STMT(
	"WITH o AS ("
	"  SELECT p.id, COALESCE(m.filled_planet_user_id, '') <> '' AS bound,"
	/* the H5 page notice goes after the commit (q_pages_changed, sql/012): set before any
	 * row moves, since the rows below are read from this one */
	"         set_config('camp.pages_notify', 'after_commit', true) AS notify"
	"    FROM payment_record p LEFT JOIN camp_member m ON m.id = p.member_id"
	"   WHERE p.id = $21::bigint AND p.order_no = $1 AND p.source = 'wechatpay'"
	"     AND p.member_id IS NOT DISTINCT FROM $22::bigint),"
	" p AS ("
	"  UPDATE payment_record r SET pay_status = 'success',"
	"         pay_time = COALESCE($2::timestamptz, $7::timestamptz),"
	"         wechat_transaction_id = $3, openid_sealed = COALESCE($4, r.openid_sealed),"
	"         openid_index = COALESCE($23, r.openid_index), callback_sealed = $5,"
	"         bind_status = CASE WHEN o.bound THEN 'completed' ELSE 'pending' END,"
	"         bind_method = CASE WHEN o.bound THEN 'h5_bindplanet' END,"
	"         bound_at = CASE WHEN o.bound THEN $7::timestamptz END,"
	"         bind_deadline = CASE WHEN o.bound THEN NULL ELSE $7::timestamptz + interval '7 days' END"
	"    FROM o"
	"   WHERE r.id = o.id AND o.notify = 'after_commit' AND r.pay_status = 'pending'"
	"     AND r.wechat_transaction_id IS NULL"
	"     AND r.pay_amount = $6::numeric / 100"
	"     AND NOT EXISTS (SELECT 1 FROM training_camp c WHERE c.id = r.camp_id"
	"                      AND c.cancelled_at IS NOT NULL)"
	"  RETURNING r.id, r.member_id, r.camp_id, o.bound),"
	/* the camp's counters: every payment of the camp waits for this row until the one holding it
	 * commits, so it is written last (PostgreSQL runs the sub-statements a main query does not
	 * read in the reverse of their order here) and held for the commit alone */
	" c AS ("
	"  UPDATE training_camp tc SET member_count = member_count + 1,"
	"         paid_amount = paid_amount + $6::numeric / 100 FROM p WHERE tc.id = p.camp_id),"
	" m AS ("
	"  UPDATE camp_member cm SET paid = true, paid_at = $7::timestamptz,"
	"         openid_sealed = COALESCE($24, cm.openid_sealed), openid_index = COALESCE($23, cm.openid_index)"
	"    FROM p WHERE cm.id = p.member_id RETURNING cm.id, cm.camp_id),"
	" ml AS ("
	"  INSERT INTO member_status_log (member_id, camp_id, from_status, to_status, event, extra_data,"
	"                                 created_at)"
	"  SELECT id, camp_id, 'enrolled', 'paid', 'PAY', jsonb_build_object('order_no', $1::text),"
	"         $7::timestamptz FROM m),"
	" ol AS ("
	"  INSERT INTO order_status_log (order_id, from_status, to_status, event, extra_data, created_at)"
	"  SELECT id, 'pending', 'success', 'PAY_SUCCESS', jsonb_build_object('source', $8::text),"
	"         $7::timestamptz FROM p),"
	" bl AS ("
	"  INSERT INTO payment_bind_log (payment_id, from_status, to_status, event, extra_data, created_at)"
	"  SELECT id, NULL, CASE WHEN bound THEN 'completed' ELSE 'pending' END,"
	"         CASE WHEN bound THEN 'CREATE_WITH_ATTACH' ELSE 'CREATE_WITHOUT_ATTACH' END,"
	"         jsonb_build_object('method', CASE WHEN bound THEN 'h5_bindplanet' ELSE 'user_fill' END),"
	"         $7::timestamptz FROM p),"
	" tx AS ("
	"  INSERT INTO payment_transaction (transaction_id, payment_id, out_trade_no, trade_type,"
	"         trade_state, trade_state_desc, bank_type, amount_total, payer_total, currency,"
	"         success_time, openid_sealed, raw_sealed, source)"
	"  SELECT $3, id, $1, $9, 'SUCCESS', $10, $11, $6::numeric::integer, NULLIF($12, '-1')::integer,"
	"         COALESCE($13, 'CNY'), $2::timestamptz, $25, $26, $8 FROM p"
	"  ON CONFLICT (transaction_id) DO UPDATE SET trade_state = EXCLUDED.trade_state,"
	"     payment_id = COALESCE(payment_transaction.payment_id, EXCLUDED.payment_id)),"
	" au AS ("
	"  INSERT INTO payment_audit_log (payment_id, action_type, action_detail, ip_address, user_agent,"
	"         request_sealed, error_message, created_at)"
	"  SELECT NULLIF($14, '0')::bigint, $15::text, $16, $17, $18, $19, $20, $7::timestamptz"
	"    FROM p WHERE $15::text IS NOT NULL)"
	" SELECT id FROM p");

static const struct db_stmt q_pages_changed = DB_STMT("SELECT pg_notify('h5_pages', '')");

static int pay_at_once(struct db *d, arena *a, const struct wx_txn *t, const char *source,
                       const struct pay_audit *e)
{
	char now[40];
	const char *pid, *mid;
	long long m_id, p_id;
	/* the ids our attach carries save a round trip (issue #18): they came back inside WeChat's
	 * signed, encrypted resource, and the statement does nothing unless the order number still
	 * names that row with that member; an order without them is read */
	if (pay_attach_ids(t->attach, &m_id, &p_id)) {
		pid = arena_i64(a, p_id);
		mid = arena_i64(a, m_id);
	} else {
		const char *ip[] = { t->out_trade_no };
		PGresult *ids = db_q(d, a, &q_pay_ids, 1, ip);
		if (ids == NULL || PQntuples(ids) != 1)
			return 0;                  /* not a pending order of ours: the locked path says why */
		pid = db_get(ids, 0, "id");
		mid = db_get(ids, 0, "member_id");
	}
	/* sealed for their rows before the statement (CPU only); what cannot be sealed (no
	 * master key) goes the locked way, which refuses it the same way */
	const char *txn = pd_row_txn(t->transaction_id), *index = pd_index(a, t->openid);
	const char *openid, *callback, *m_openid = NULL, *t_openid, *t_raw, *request = NULL;
	if (pd_seal(a, PD_PAY_OPENID, pid, t->openid, &openid) != CAMP_OK ||
	    pd_seal(a, PD_PAY_CALLBACK, pid, t->raw, &callback) != CAMP_OK ||
	    (mid != NULL && pd_seal(a, PD_MEMBER_OPENID, mid, t->openid, &m_openid) != CAMP_OK) ||
	    pd_seal(a, PD_TXN_OPENID, txn, t->openid, &t_openid) != CAMP_OK ||
	    pd_seal(a, PD_TXN_RAW, txn, t->raw, &t_raw) != CAMP_OK ||
	    (e != NULL && pd_seal(a, PD_AUDIT_REQUEST, pd_row_audit(a, e->payment_id, e->action),
	                          e->request_json, &request) != CAMP_OK))
		return 0;
	const char *p[] = {
		t->out_trade_no, t->success_time, t->transaction_id, openid, callback,
		arena_i64(a, t->total), clock_now_param(now, sizeof(now)), source, t->trade_type,
		t->trade_state_desc, t->bank_type, arena_i64(a, t->payer_total), t->currency,
		e ? arena_i64(a, e->payment_id) : NULL, e ? e->action : NULL, e ? e->detail : NULL,
		e ? e->ip : NULL, e ? e->user_agent : NULL, request, e ? e->error : NULL,
		pid, mid, index, m_openid, t_openid, t_raw,
	};
	PGresult *res = db_q(d, a, &q_pay_at_once, 26, p);
	if (res == NULL || PQntuples(res) != 1)
		return 0;
	/* committed: now the H5 pages' notice, outside the payment's commit (sql/012) */
	if (db_q(d, a, &q_pages_changed, 0, NULL) == NULL)
		log_err("payment %s applied, but the H5 pages were not told (they catch up at their age"
		        " bound, web/pagecache.h)", t->out_trade_no);
	return 1;
}

int payment_apply(struct db *d, arena *a, const struct wxpay_cfg *cfg,
                  const struct wx_txn *t, const char *source,
                  enum apply_outcome *out, const char **reason)
{
	return payment_apply_audited(d, a, cfg, t, source, NULL, NULL, out, reason);
}

int payment_apply_audited(struct db *d, arena *a, const struct wxpay_cfg *cfg,
                          const struct wx_txn *t, const char *source,
                          const struct pay_audit *applied, int *audited,
                          enum apply_outcome *out, const char **reason)
{
	*reason = NULL;
	*out = APPLY_NOT_PAID;
	if (audited)
		*audited = 0;
	if (strcmp(t->trade_state, "SUCCESS") != 0)
		return CAMP_OK;
	if (t->transaction_id == NULL || t->total < 1) {
		*reason = "other";
		*out = APPLY_EXCEPTION;
		return record_exception(d, a, t, 0, 0, "other", "交易缺少交易号或金额", NULL);
	}
	if ((t->mchid && strcmp(t->mchid, cfg->mchid) != 0) ||
	    (t->appid && strcmp(t->appid, cfg->appid) != 0)) {
		*reason = "other";
		*out = APPLY_EXCEPTION;
		return record_exception(d, a, t, 0, 0, "other", "商户号或 AppID 与本系统不符", NULL);
	}
	if (pay_at_once(d, a, t, source, applied)) {
		*out = APPLY_PAID;
		if (audited)
			*audited = applied != NULL;
		return CAMP_OK;
	}
	if (db_begin(d) != CAMP_OK)
		return CAMP_EDB;
	const char *p[] = { t->out_trade_no };
	PGresult *row = db_q(d, a, &q_lock_order, 1, p);
	if (row == NULL) {
		db_rollback(d);
		return CAMP_EDB;
	}
	if (PQntuples(row) != 1) {
		db_rollback(d);
		*reason = "unknown_order";
		*out = APPLY_EXCEPTION;
		return record_exception(d, a, t, 0, 0, "unknown_order", "订单号不存在", NULL);
	}
	long long pid = db_get_ll(row, 0, "id", 0), cid = db_get_ll(row, 0, "camp_id", 0);
	const char *status = arena_strdup(a, db_get(row, 0, "pay_status"));
	const char *have_txn = arena_strdup(a, db_get(row, 0, "wechat_transaction_id"));
	int64_t fen = 0;
	money_parse(db_get(row, 0, "pay_amount"), &fen);
	if (have_txn && !strcmp(have_txn, t->transaction_id)) {
		db_rollback(d);
		*out = APPLY_DUPLICATE;    /* redelivered callback, or query after callback */
		return CAMP_OK;
	}
	if (!strcmp(status, "success") || !strcmp(status, "refunded")) {
		db_rollback(d);
		*reason = "other";
		*out = APPLY_EXCEPTION;
		return record_exception(d, a, t, pid, cid, "other", "同一订单收到第二笔支付", NULL);
	}
	if (!strcmp(status, "closed") || !strcmp(status, "failed")) {
		db_rollback(d);
		*reason = "order_closed";
		*out = APPLY_EXCEPTION;
		return record_exception(d, a, t, pid, cid, "order_closed", "订单已关闭后收到支付", NULL);
	}
	if (db_get_bool(row, 0, "cancelled")) {
		/* 取消训练营: the seat is gone and the deposit goes back in full */
		db_rollback(d);
		*reason = "camp_cancelled";
		*out = APPLY_EXCEPTION;
		return record_exception(d, a, t, pid, cid, "camp_cancelled",
		                        "训练营已取消后收到支付，需全额退款", "closed");
	}
	if (t->total != fen) {
		db_rollback(d);
		*reason = "wrong_amount";
		*out = APPLY_EXCEPTION;
		char buf1[24], buf2[24];
		return record_exception(d, a, t, pid, cid, "wrong_amount",
		                        arena_printf(a, "支付金额 %s 元与订单金额 %s 元不符",
		                                     money_format(t->total, buf1, sizeof(buf1)),
		                                     money_format(fen, buf2, sizeof(buf2))),
		                        "failed");
	}
	int rc = mark_paid(d, a, t, row, source, fen);
	if (rc == CAMP_OK && db_commit(d) == CAMP_OK) {
		*out = APPLY_PAID;
		return CAMP_OK;
	}
	db_rollback(d);
	if (rc == CAMP_ECONFLICT) {
		/* another browser paid first with the same planet ID: keep the money
		 * on record (success) and flag it for a full refund */
		*reason = "duplicate_planet_id";
		*out = APPLY_EXCEPTION;
		return record_exception(d, a, t, pid, cid, "duplicate_planet_id",
		                        "该星球ID已有成功报名，此笔需全额退款", "success");
	}
	return CAMP_EDB;
}

static const struct db_stmt q_close_pending = DB_STMT(
	"UPDATE payment_record SET pay_status = 'closed', updated_at = $2::timestamptz"
	" WHERE id = $1 AND pay_status = 'pending' RETURNING member_id");
static const struct db_stmt q_close_log = DB_STMT(
	"INSERT INTO order_status_log (order_id, from_status, to_status, event, extra_data, created_at)"
	" VALUES ($1, 'pending', 'closed', 'CANCEL', jsonb_build_object('reason', $2::text), $3::timestamptz)");
static const struct db_stmt q_close_member = DB_STMT(
	"UPDATE camp_member SET deleted_at = $2::timestamptz WHERE id = $1 AND NOT paid");

int payment_close_pending(struct db *d, arena *a, long long payment_id, const char *why)
{
	char now[40];
	clock_now_param(now, sizeof(now));
	const char *pid = arena_i64(a, payment_id);
	if (db_begin(d) != CAMP_OK)
		return CAMP_EDB;
	PGresult *res = db_q(d, a, &q_close_pending, 2, (const char *[]){ pid, now });
	int rc = res ? CAMP_OK : CAMP_EDB;
	if (rc == CAMP_OK && PQntuples(res) == 1 &&
	    (db_q(d, a, &q_close_log, 3, (const char *[]){ pid, why, now }) == NULL ||
	     db_q(d, a, &q_close_member, 2, (const char *[]){ db_get(res, 0, "member_id"), now }) == NULL))
		rc = CAMP_EDB;
	if (rc == CAMP_OK)
		return db_commit(d);
	db_rollback(d);
	return rc;
}

int payment_set_prepay(struct db *d, arena *a, const struct pay_audit *e, const char *prepay)
{
	if (prepay == NULL || e->payment_id <= 0)
		return CAMP_EINVAL;
	char now[40];
	const char *p[14];
	int rc = audit_params(a, e, now, p);
	if (rc != CAMP_OK)
		return rc;
	p[13] = prepay;
	PGresult *res = db_q(d, a, &q_prepay_audited, 14, p);
	return res != NULL && !strcmp(PQcmdTuples(res), "1") ? CAMP_OK : CAMP_EDB;
}

static const struct db_stmt q_view = DB_STMT(
	"SELECT p.id, p.camp_id, p.order_no, p.pay_status, p.trade_type, p.wechat_prepay,"
	" p.pay_amount::text AS pay_amount, extract(epoch FROM p.time_expire)::bigint AS expire,"
	" c.name AS camp_name, COALESCE(m.paid, false) AS paid"
	" FROM payment_record p JOIN training_camp c ON c.id = p.camp_id"
	" LEFT JOIN camp_member m ON m.id = p.member_id WHERE p.id = $1");

int payment_order_view(struct db *d, arena *a, long long payment_id, struct order_view *o)
{
	memset(o, 0, sizeof(*o));
	const char *p[] = { arena_i64(a, payment_id) };
	PGresult *res = db_q(d, a, &q_view, 1, p);
	if (res == NULL)
		return CAMP_EDB;
	if (PQntuples(res) != 1)
		return CAMP_ENOTFOUND;
	o->payment_id = payment_id;
	o->camp_id = db_get_ll(res, 0, "camp_id", 0);
	o->order_no = arena_strdup(a, db_get(res, 0, "order_no"));
	o->pay_status = arena_strdup(a, db_get(res, 0, "pay_status"));
	o->trade_type = arena_strdup(a, db_get(res, 0, "trade_type"));
	o->prepay = arena_strdup(a, db_get(res, 0, "wechat_prepay"));
	o->camp_name = arena_strdup(a, db_get(res, 0, "camp_name"));
	money_parse(db_get(res, 0, "pay_amount"), &o->fen);
	o->time_expire = (time_t)db_get_ll(res, 0, "expire", 0);
	o->member_paid = db_get_bool(res, 0, "paid");
	if (o->trade_type == NULL)
		o->trade_type = "";
	return CAMP_OK;
}

static const struct db_stmt q_exceptions = DB_STMT(
	"SELECT e.id, COALESCE(e.camp_id, 0) AS camp_id,"
	" to_char(e.created_at, 'YYYY-MM-DD HH24:MI:SS') AS created, c.name AS camp_name,"
	" e.out_trade_no, e.transaction_id, e.payer_openid_sealed, e.reason, e.detail, e.status,"
	" COALESCE(e.amount_fen, 0) AS amount_fen, count(*) OVER () AS total"
	" FROM payment_exception e LEFT JOIN training_camp c ON c.id = e.camp_id"
	" WHERE ($1 = '' OR e.status = $1) AND ($2::bigint = 0 OR e.camp_id = $2::bigint)"
	" ORDER BY e.id DESC LIMIT $3::integer OFFSET $4::integer");

int payment_exceptions(struct db *d, arena *a, const char *status, long long camp_id,
                       int page, int per_page, struct pay_exception **out, int *n,
                       long long *total)
{
	/* per_page 0 = every row (export) */
	const char *p[] = { status ? status : "", arena_i64(a, camp_id),
	                    per_page > 0 ? arena_i64(a, per_page) : NULL,
	                    arena_i64(a, per_page > 0 ? (long long)(page - 1) * per_page : 0) };
	PGresult *res = db_q(d, a, &q_exceptions, 4, p);
	if (res == NULL)
		return CAMP_EDB;
	*n = PQntuples(res);
	*total = *n ? db_get_ll(res, 0, "total", 0) : 0;
	*out = arena_alloc(a, sizeof(**out) * (size_t)(*n + 1));
	for (int i = 0; i < *n; i++) {
		struct pay_exception *e = &(*out)[i];
		e->id = db_get_ll(res, i, "id", 0);
		e->camp_id = db_get_ll(res, i, "camp_id", 0);
		e->created = arena_strdup(a, db_get(res, i, "created"));
		e->camp_name = arena_strdup(a, db_get(res, i, "camp_name"));
		e->out_trade_no = arena_strdup(a, db_get(res, i, "out_trade_no"));
		e->transaction_id = arena_strdup(a, db_get(res, i, "transaction_id"));
		e->payer_openid = pd_open(a, PD_EXC_OPENID, pd_row_exception(a, e->transaction_id, e->out_trade_no),
		                          db_get(res, i, "payer_openid_sealed"));
		e->reason = arena_strdup(a, db_get(res, i, "reason"));
		e->detail = arena_strdup(a, db_get(res, i, "detail"));
		e->status = arena_strdup(a, db_get(res, i, "status"));
		e->fen = db_get_ll(res, i, "amount_fen", 0);
	}
	return CAMP_OK;
}

const char *payment_exception_reason_label(const char *reason)
{
	static const char *const labels[][2] = {
		{ "wrong_amount", "金额不符" }, { "unknown_order", "未知订单" },
		{ "order_closed", "订单已关闭" }, { "duplicate_planet_id", "星球ID重复报名" },
		{ "camp_cancelled", "训练营已取消" },
		{ "other", "其他" },
	};
	for (size_t i = 0; reason && i < CAMP_ARRAY_LEN(labels); i++)
		if (!strcmp(labels[i][0], reason))
			return labels[i][1];
	return reason ? reason : "";
}

const char *payment_exception_status_label(const char *status)
{
	static const char *const labels[][2] = {
		{ "open", "待处理" }, { "refunding", "退款中" }, { "refunded", "已退款" },
		{ "resolved", "已处理" }, { "failed", "退款失败" },
	};
	for (size_t i = 0; status && i < CAMP_ARRAY_LEN(labels); i++)
		if (!strcmp(labels[i][0], status))
			return labels[i][1];
	return status ? status : "";
}

static const struct db_stmt q_bill_known = DB_STMT(
	"SELECT 1 FROM payment_record WHERE wechat_transaction_id = $1"
	" UNION ALL SELECT 1 FROM payment_exception WHERE transaction_id = $1");
static const struct db_stmt q_bill_member = DB_STMT(
	"INSERT INTO camp_member (camp_id, filled_wechat_nickname, paid, paid_at, created_at)"
	" VALUES ($1, $2, true, to_timestamp($3::bigint), $4::timestamptz) RETURNING id");
static const struct db_stmt q_bill_payment = DB_STMT(
	"INSERT INTO payment_record (order_no, camp_id, member_id, pay_amount, pay_status, pay_time,"
	" source, trade_type, wechat_transaction_id, payer_wechat_name, bind_status, bind_deadline,"
	" created_at)"
	" VALUES ('WB' || left($1, 60), $2, $3, $4::numeric / 100, 'success', to_timestamp($5::bigint),"
	" 'wecom_bill', 'WECOM', $1, NULLIF($6, ''), 'pending', $7::timestamptz + interval '7 days',"
	" $7::timestamptz) RETURNING id");
static const struct db_stmt q_bill_olog = DB_STMT(
	"INSERT INTO order_status_log (order_id, from_status, to_status, event, extra_data, created_at)"
	" VALUES ($1, NULL, 'success', 'IMPORT_BILL', '{\"source\":\"wecom_bill\"}', $2::timestamptz)");
static const struct db_stmt q_bill_blog = DB_STMT(
	"INSERT INTO payment_bind_log (payment_id, from_status, to_status, event, extra_data, created_at)"
	" VALUES ($1, NULL, 'pending', 'CREATE_WITHOUT_ATTACH', '{\"source\":\"wecom_bill\"}', $2::timestamptz)");
static const struct db_stmt q_bill_exception = DB_STMT(
	"INSERT INTO payment_exception (out_trade_no, transaction_id, camp_id, amount_fen, reason,"
	" detail, created_at)"
	" VALUES ($1, $2, $3, $4::integer, $7, $5, $6::timestamptz)"
	" ON CONFLICT (transaction_id) WHERE transaction_id IS NOT NULL DO NOTHING");

enum bill_outcome payment_bill_kind(const struct wecom_bill *b)
{
	/* payments only: refunds and unfinished bills are not enrollments */
	if (b->bill_type != 0 || (b->trade_state != 1 && b->trade_state != 3) ||
	    b->transaction_id[0] == '\0' || b->total_fee <= 0)
		return BILL_IGNORED;
	/* refunded in WeCom already: never a paid deposit; partly: a person decides */
	if (b->total_refund_fee >= b->total_fee)
		return BILL_REFUNDED;
	if (b->total_refund_fee > 0)
		return BILL_EXCEPTION;
	return b->trade_state == 3 ? BILL_REFUNDED : BILL_IMPORTED;
}

static int bill_exception(struct db *d, arena *a, const char *cid, const struct wecom_bill *b,
                          const char *reason, const char *detail, const char *now)
{
	const char *ep[] = { b->out_trade_no, b->transaction_id, cid, arena_i64(a, b->total_fee),
	                     detail, now, reason };
	return db_q(d, a, &q_bill_exception, 7, ep) ? CAMP_OK : CAMP_EDB;
}

int payment_import_bill(struct db *d, arena *a, long long camp_id, int64_t deposit_fen,
                        const struct wecom_bill *b, enum bill_outcome *out)
{
	*out = payment_bill_kind(b);
	if (*out == BILL_IGNORED || *out == BILL_REFUNDED)
		return CAMP_OK;
	char now[40];
	clock_now_param(now, sizeof(now));
	if (db_begin(d) != CAMP_OK)
		return CAMP_EDB;
	PGresult *res = db_q(d, a, &q_bill_known, 1, (const char *[]){ b->transaction_id });
	if (res == NULL || PQntuples(res) > 0) {
		db_rollback(d);
		*out = BILL_IGNORED;
		return res ? CAMP_OK : CAMP_EDB;
	}
	const char *cid = arena_i64(a, camp_id);
	int rc = CAMP_OK;
	char b1[24], b2[24];
	if (*out == BILL_EXCEPTION) {
		rc = bill_exception(d, a, cid, b, "other", arena_printf(a, "企业微信收款 %s 元已在企业微信退款 %s 元（部分退款），未计入报名，请核实后处理",
		                    money_format(b->total_fee, b1, sizeof(b1)),
		                    money_format(b->total_refund_fee, b2, sizeof(b2))), now);
	} else if (b->total_fee != deposit_fen) {
		*out = BILL_EXCEPTION;
		rc = bill_exception(d, a, cid, b, "wrong_amount", arena_printf(a, "企业微信收款 %s 元与押金 %s 元不符",
		                    money_format(b->total_fee, b1, sizeof(b1)),
		                    money_format(deposit_fen, b2, sizeof(b2))), now);
	} else {
		const char *who = b->payer_name[0] ? b->payer_name : b->remark[0] ? b->remark : "企业微信付款";
		const char *paid_at = arena_i64(a, b->pay_time > 0 ? b->pay_time : (long long)camp_now());
		PGresult *m = db_q(d, a, &q_bill_member, 4, (const char *[]){ cid, who, paid_at, now });
		const char *mid = m ? arena_strdup(a, PQgetvalue(m, 0, 0)) : NULL;
		PGresult *p = mid ? db_q(d, a, &q_bill_payment, 7, (const char *[]){
			b->transaction_id, cid, mid, arena_i64(a, b->total_fee), paid_at, b->payer_name, now }) : NULL;
		const char *pid = p ? arena_strdup(a, PQgetvalue(p, 0, 0)) : NULL;
		static const struct db_stmt q_counters2 = DB_STMT(
			"UPDATE training_camp SET member_count = member_count + 1,"
			" paid_amount = paid_amount + $2::numeric / 100 WHERE id = $1");
		if (pid == NULL ||
		    db_q(d, a, &q_bill_olog, 2, (const char *[]){ pid, now }) == NULL ||
		    db_q(d, a, &q_bill_blog, 2, (const char *[]){ pid, now }) == NULL ||
		    db_q(d, a, &q_counters2, 2, (const char *[]){ cid, arena_i64(a, b->total_fee) }) == NULL)
			rc = CAMP_EDB;
	}
	if (rc != CAMP_OK || db_commit(d) != CAMP_OK) {
		db_rollback(d);
		*out = BILL_IGNORED;
		return CAMP_EDB;
	}
	return CAMP_OK;
}
