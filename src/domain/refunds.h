/* refunds.h: refund proposals, audit decisions, execution through WeChat Pay and its outcomes. */
#ifndef CAMP_DOMAIN_REFUNDS_H
#define CAMP_DOMAIN_REFUNDS_H

#include <stdint.h>

#include "arena.h"

struct db;
struct audit;
struct wxpay_cfg;
struct wx_refund;

#define REFUND_MAX_RETRIES 3       /* ARCHITECTURE §5 (PRD Stage 5) */
#define REFUND_NEAR_MISS_DAYS 2    /* PRD §9.3: short by 1–2 days after grace */

/* ---- proposals (job refund-list) --------------------------------------- */
struct refund_tally {
	int proposed, withdrawn, unmatched, near_miss;
};
/* Proposes one refund per eligible, paid member whose identity is settled
 * (binding completed at confidence 100, or bound by hand) of finished camps (camp_id 0 = every finished camp), withdraws unaudited
 * proposals that are no longer eligible; audited ones are never touched.
 * One transaction.  CAMP_OK or CAMP_EDB. */
int refund_propose(struct db *d, arena *a, long long camp_id, struct refund_tally *t);

/* ---- the audit lists ---------------------------------------------------- */
struct refund_row {
	long long id, camp_id, member_id, payment_id;
	const char *camp_name, *planet_nickname, *planet_user_id, *wechat_nickname;
	const char *bind_status, *bind_method, *source, *status, *audit_status;
	const char *auditor, *audit_time, *audit_comment, *failure_reason, *out_refund_no;
	const char *success_time, *created;
	int64_t fen;
	int checkin_count, required_days, confidence, eligible, attempt, retry_count;
	int newer_attempt;             /* a later attempt of the same payment exists */
	const char *proposal_reason;   /* set when a person proposed or reopened it (issue #15) */
	const char *proposer;          /* that person's username */
	const char *updated;           /* last change, "YYYY-MM-DD HH:MI" */
};
struct refund_filter {
	long long camp_id;             /* 0 = any */
	const char *bind_status;       /* "" = any */
	const char *status;            /* "" = any (records list) */
	const char *from, *to;         /* "YYYY-MM-DD" Asia/Shanghai or "" */
	long long scope_user;          /* coach: only camps of this user; 0 = all */
	long limit, offset;            /* one page; limit 0 = every row (export) */
	int with_pending;              /* records list: also the proposals awaiting a decision */
};
/* The whole filtered list, beyond the page shown. */
struct refund_totals {
	long long rows;
	int64_t fen;                   /* pending and records lists */
};
/* The proposals awaiting a decision (t may be NULL). */
int refund_pending(struct db *d, arena *a, const struct refund_filter *f,
                   struct refund_row **out, int *n, struct refund_totals *t);
/* Paid members that are not proposed: "unmatched" (eligible, identity not settled: 需人工绑定)
 * or "near" (short by ≤ 2 days after grace); closed bindings are in neither.
 * Only id/camp/member fields are set. */
int refund_unproposed(struct db *d, arena *a, const struct refund_filter *f, const char *kind,
                      struct refund_row **out, int *n, struct refund_totals *t);
/* Refund records (decided ones, or every one with with_pending), newest first. */
int refund_records(struct db *d, arena *a, const struct refund_filter *f,
                   struct refund_row **out, int *n, struct refund_totals *t);
const char *refund_status_label(const char *status);

/* ---- decisions ---------------------------------------------------------- */
/* Approves or rejects one pending proposal in one transaction, with its
 * refund_status_log and operation_log rows (who: operator, IP… of the
 * auditor).  min_confidence applies (0 for individual decisions);
 * scope_user limits a coach to the camps he is assigned to.
 * CAMP_OK; CAMP_ENOTFOUND (not visible, not pending or under
 * min_confidence); CAMP_ECONFLICT (another live refund of the payment);
 * CAMP_EDB.  *fen = the amount (may be NULL). */
/* The count and total of a batch approval, for its confirmation page. */
int refund_batch_total(struct db *d, arena *a, const long long *ids, int n, int min_confidence,
                       long long scope_user, int *count, int64_t *fen);
int refund_decide(struct db *d, arena *a, long long id, int approve, const char *reason,
                  int min_confidence, long long scope_user, const struct audit *who,
                  int64_t *fen);

/* One refund_status_log row (who 0 = the system), in the caller's transaction. */
int refund_log(struct db *d, arena *a, long long id, const char *from, const char *to,
               const char *event, long long who, const char *remark);

/* The admin's follow-ups on a record: "retry" (failed → processing with
 * the same out_refund_no), "attempt" (closed/abnormal → a new attempt with a
 * new out_refund_no), "offline" (已线下退款: approved WeCom-bill refunds and
 * closed/abnormal attempts).  CAMP_OK, CAMP_ENOTFOUND, CAMP_ECONFLICT, CAMP_EDB. */
int refund_followup(struct db *d, arena *a, long long id, const char *action,
                    long long scope_user, const struct audit *who);

/* ---- execution (job refunds) ------------------------------------------- */
/* Ids of refunds to work on now: approved, or processing and due. */
int refund_due(struct db *d, arena *a, long long **ids, int *n);
enum refund_step {
	RS_NOTHING,      /* not due or not ours (WeCom bill) */
	RS_PROCESSING,   /* accepted, outcome pending */
	RS_SUCCESS,
	RS_ENDED,        /* closed or abnormal */
	RS_RETRY,        /* will try again later */
	RS_FAILED,       /* retries exhausted or not retryable: failed + alert */
	RS_WAITING,      /* 403 NOT_ENOUGH: waits for the merchant balance, not a failure */
};
/* One step of one refund: submit (approved), or query and resubmit
 * (processing), handling PROTOCOLS §1.5's error classes.  Never holds a
 * transaction across the HTTP call: the attempt's out_refund_no is committed
 * before the call, so a crash in between converges by query.  Failures
 * count only in a row (a good answer resets the count), and a refund
 * WeChat accepted (wechat_status PROCESSING) is never failed for our
 * polling trouble.  NOT_ENOUGH waits REFUND_BALANCE_WAIT_S without counting.
 * A payment whose refunded amount already covers this refund is never sent
 * (failed, with an alert).  CAMP_OK or CAMP_EDB. */
#define REFUND_BALANCE_WAIT_S (30 * 60)
int refund_execute(struct db *d, arena *a, const struct wxpay_cfg *cfg, long long id,
                   enum refund_step *out);
/* Applies a refund outcome (create answer, query answer or callback) once,
 * under a row lock: success updates payment, camp and the group robot's
 * notice; closed/abnormal end the attempt.  SUCCESS and CLOSED apply to an
 * attempt we gave up on (failed) too, SUCCESS also to an abnormal one: the
 * money moved whatever we thought.  *changed = 0 for repeats.
 * CAMP_OK, CAMP_ENOTFOUND (no such out_refund_no), CAMP_EDB. */
int refund_apply(struct db *d, arena *a, const struct wx_refund *w, const char *source,
                 int *changed);

/* Counts of a set of refunds for batch progress. */
struct refund_counts {
	int pending, processing, success, failed, other;
};
int refund_count(struct db *d, arena *a, const long long *ids, int n, struct refund_counts *c);

/* One staff alert for a batch whose refunds met NOT_ENOUGH:
 * "商户可用余额不足，N 笔退款等待中". */
int refund_alert_balance(struct db *d, arena *a, int waiting);

#endif
