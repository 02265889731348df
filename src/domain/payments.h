/* payments.h: orders, WeChat Pay transactions and their one-time application. */
#ifndef CAMP_DOMAIN_PAYMENTS_H
#define CAMP_DOMAIN_PAYMENTS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "arena.h"

struct db;
struct wxpay_cfg;

#define ORDER_TTL (30 * 60)          /* time_expire: 30 minutes */
/* A pending order holds its seat until time_expire plus 5 minutes, the
 * window in which a late callback still pays it (issue #14).  SQL over
 * payment_record p; `now` is the statement's time parameter. */
#define SEAT_HELD_UNTIL "p.time_expire + interval '5 minutes'"   /* issue #18: when a hold ends */
#define SEAT_HELD(now) \
	" p.pay_status = 'pending' AND p.deleted_at IS NULL" \
	" AND " SEAT_HELD_UNTIL " > " now
#define BIND_WINDOW (7 * 86400)      /* pay now, bind later: 7 days */

/* A WeChat Pay transaction as decrypted from a callback or returned by a query. */
struct wx_txn {
	const char *appid, *mchid, *out_trade_no, *transaction_id, *trade_type;
	const char *trade_state, *trade_state_desc, *bank_type, *attach, *success_time;
	const char *openid, *currency;
	long long total, payer_total;      /* fen; -1 when absent */
	const char *raw;                   /* the JSON text */
};

/* The attach our orders carry (PROTOCOLS §1.1: ≤ 128 bytes, echoed in the callback and the
 * query): {"c":camp,"m":member,"p":order row}.  n ≥ 80 holds any three ids. */
void pay_attach_format(char *buf, size_t n, long long camp_id, long long member_id,
                       long long payment_id);
/* The member's and the order row's ids from an attach in exactly that form: 1, else 0 (orders
 * placed before the row id was in it, a text someone else wrote).  Only a hint: whoever uses
 * them checks them against the order number. */
int pay_attach_ids(const char *attach, long long *member_id, long long *payment_id);

/* Parses the transaction JSON (PROTOCOLS §1.3 fields).  CAMP_OK / CAMP_EINVAL. */
int wx_txn_parse(arena *a, const char *json, struct wx_txn *t);

enum apply_outcome {
	APPLY_PAID,         /* the order is now paid, the member enrolled */
	APPLY_DUPLICATE,    /* already applied: nothing changed */
	APPLY_EXCEPTION,    /* verified but not applicable: a payment exception */
	APPLY_NOT_PAID,     /* trade_state is not SUCCESS: nothing to apply */
};

/* Applies a verified transaction exactly once, in one transaction, under a
 * row lock on the order: payment success, member paid, binding, logs,
 * counters.  What cannot be applied (unknown order, wrong amount, closed
 * order, planet ID already enrolled, foreign merchant) becomes a
 * payment_exception row and APPLY_EXCEPTION, so the caller answers 2xx.
 * source: "notify" or "query".  *reason: the exception reason or NULL. */
int payment_apply(struct db *d, arena *a, const struct wxpay_cfg *cfg,
                  const struct wx_txn *t, const char *source,
                  enum apply_outcome *out, const char **reason);

/* payment_audit_log: every callback and provider call, with snapshots. */
struct pay_audit;
/* --- issue #18 ---
 * payment_apply, whose common case (a pending order paid in full) is one
 * statement: one round trip and one commit, the order's audit row `applied`
 * (may be NULL) in the same transaction.  *audited = 1 when that row was
 * written (the outcome is then APPLY_PAID); every other case goes the way
 * payment_apply describes, and the caller writes its own audit row. */
int payment_apply_audited(struct db *d, arena *a, const struct wxpay_cfg *cfg,
                          const struct wx_txn *t, const char *source,
                          const struct pay_audit *applied, int *audited,
                          enum apply_outcome *out, const char **reason);
struct pay_audit {
	long long payment_id;        /* 0 = unknown */
	const char *action;          /* NOTIFY, NOTIFY_REJECTED, CREATE_ORDER, QUERY … */
	const char *detail;
	const char *old_status, *new_status;
	const char *ip, *user_agent;
	const char *request_json, *response_json;   /* valid JSON or NULL */
	const char *error;
};
int payment_audit(struct db *d, arena *a, const struct pay_audit *e);

/* A pending order closed here (expired, cancelled, or never created at
 * WeChat — so it holds no seat), with its order_status_log row (event CANCEL,
 * reason why); its unpaid member is dropped so the planet ID can enroll
 * again.  One transaction; nothing happens when it is no longer pending. */
int payment_close_pending(struct db *d, arena *a, long long payment_id, const char *why);

/* Stores what creating the order answered: prepay_id (JSAPI), code_url (Native)
 * or h5_url (H5), on order e->payment_id, with the audit row e in the same statement. */
int payment_set_prepay(struct db *d, arena *a, const struct pay_audit *e, const char *prepay);

/* What the paying page and the status poll need about one order. */
struct order_view {
	long long payment_id, camp_id;
	const char *order_no, *pay_status, *trade_type, *prepay, *camp_name;
	int64_t fen;
	time_t time_expire;
	int member_paid;
};
int payment_order_view(struct db *d, arena *a, long long payment_id, struct order_view *o);

/* Reads the merchant settings (wechat.pay_*) into cfg (strings on the arena)
 * with the platform certificates held and their refresh hook (wxpay_certs.h).
 * The public key is optional: a merchant may verify by certificates only.
 * CAMP_OK; CAMP_ENOTFOUND when merchant id, AppID or APIv3 key is missing;
 * CAMP_EDB. */
int wxpay_cfg_load(struct db *d, arena *a, struct wxpay_cfg *cfg);
/* issue #18: the same without the platform certificates (no query): for a
 * callback signed with the WeChat Pay public key, which needs none. */
int wxpay_cfg_load_settings(struct db *d, arena *a, struct wxpay_cfg *cfg);



struct wecom_bill;
/* What became of one bill. */
enum bill_outcome {
	BILL_IGNORED,       /* not a finished payment (a refund bill, unfinished), or known already */
	BILL_IMPORTED,      /* a new paid, pending-bind enrollment */
	BILL_REFUNDED,      /* refunded in WeCom in full (trade_state 3 or total_refund_fee = total): not imported */
	BILL_EXCEPTION,     /* a wrong amount, or partly refunded in WeCom: a payment exception */
};
/* Imports one WeCom collection-code bill for a camp as a paid, pending-bind
 * enrollment (source wecom_bill: refunded by hand, not through the merchant
 * API).  Idempotent by transaction id; a bill without bill_type is a
 * payment (the older revision).  PROTOCOLS §3. */
int payment_import_bill(struct db *d, arena *a, long long camp_id, int64_t deposit_fen,
                        const struct wecom_bill *b, enum bill_outcome *out);
/* The rule alone (no database): BILL_IGNORED, BILL_REFUNDED, BILL_EXCEPTION
 * (partly refunded) or BILL_IMPORTED (a payment to record, amount unchecked). */
enum bill_outcome payment_bill_kind(const struct wecom_bill *b);

/* /admin/payments/exceptions: verified payments that could not be applied. */
struct pay_exception {
	long long id, camp_id;
	const char *created, *camp_name, *out_trade_no, *transaction_id, *payer_openid;
	const char *reason, *detail, *status;
	int64_t fen;
};
int payment_exceptions(struct db *d, arena *a, const char *status, long long camp_id,
                       int page, int per_page, struct pay_exception **out, int *n,
                       long long *total);
const char *payment_exception_reason_label(const char *reason);
const char *payment_exception_status_label(const char *status);
#endif
