/* books.h: the books — money invariants and WeChat Pay's trade bill, to the fen (issue #14).
 *
 * A run checks, each as one named SQL statement over the whole database:
 *   payment_owner    every successful payment belongs to a paid member or to a payment
 *                    exception;
 *   member_count     each camp's member counter equals its paid members;
 *   refund_total     the refunds of a payment (succeeded or refunded by hand) never exceed it;
 *   live_attempts    at most one refund attempt per payment is approved, processing or done;
 *   refunded_status  a payment's status and refunded amount agree with its refunds;
 *   camp_balance     per camp, received − refunded = held (the camp's counters against
 *                    its members' payments);
 * and matches every line of the day's trade bill to our records:
 *   bill_missing_ours    WeChat has it, we do not;
 *   bill_missing_theirs  we have it (paid or refunded through WeChat that day), WeChat does not;
 *   bill_amount          both have it, the amounts differ;
 *   bill_state           both have it, one says paid/refunded and the other does not. */
#ifndef CAMP_DOMAIN_BOOKS_H
#define CAMP_DOMAIN_BOOKS_H

#include <stdint.h>
#include <time.h>

#include "arena.h"

struct db;

struct books_run {
	long long id;
	const char *date;            /* bill date, YYYY-MM-DD */
	const char *trigger;         /* job | cli */
	const char *started;         /* "YYYY-MM-DD HH:MM" Asia/Shanghai */
	const char *bill_status;     /* compared | empty | creating | failed | not_configured */
	const char *bill_error;      /* NULL unless failed or creating */
	int bill_lines;
	int64_t bill_paid_fen, bill_refund_fen;
	int invariant_diffs, bill_diffs;
	int ok;                      /* no difference and the bill was compared (or had nothing) */
};

struct books_diff {
	const char *check;           /* payment_owner … bill_state */
	const char *ref_kind;        /* order | refund | camp */
	const char *ref_no;
	long long camp_id;           /* 0 = none */
	const char *camp_name;       /* NULL when none */
	int has_left, has_right;
	int64_t left, right;         /* fen or a count (unit) */
	const char *unit;            /* fen | count */
	const char *left_state, *right_state;
	const char *detail;          /* Chinese */
};

/* Runs the books for one bill date (YYYY-MM-DD): the invariants as they stand now and
 * the trade bill of that day (fetched from WeChat Pay when it is configured).  Stores the
 * run with its bill lines and differences in one transaction and, when there is a
 * difference, alerts staff once for that date.  CAMP_OK with *out, CAMP_EINVAL for a bad
 * date, CAMP_EDB. */
int books_run(struct db *d, arena *a, const char *date, const char *trigger,
              struct books_run *out);

/* The bill date a run without one checks at `now`: WeChat publishes a day's bill after
 * 10:00 the next day, so before 10:00 (Asia/Shanghai) the day before yesterday, after
 * it yesterday.  buf >= 11. */
const char *books_default_date(time_t now, char *buf, size_t n);

/* Dates in the week before `before` whose latest run could not compare the bill
 * (creating or failed): the nightly job tries them again. */
int books_retry_dates(struct db *d, arena *a, const char *before, const char ***dates, int *n);

/* The latest run of each date, newest date first; from/to may be NULL. */
int books_days(struct db *d, arena *a, const char *from, const char *to, int limit,
               struct books_run **out, int *n);
/* The latest run of one date (CAMP_ENOTFOUND when never run), or of the newest
 * date when date is NULL. */
int books_day(struct db *d, arena *a, const char *date, struct books_run *out);
int books_run_get(struct db *d, arena *a, long long run_id, struct books_run *out);
int books_diffs(struct db *d, arena *a, long long run_id, struct books_diff **out, int *n);

/* One value of a difference: "—"/"-" when absent, a count, or money — "¥1,188.00" for
 * pages (for_page), "1188.00" for campctl. */
const char *books_value_text(arena *a, int has, int64_t v, const char *unit, int for_page);

/* Chinese names for pages. */
const char *books_check_label(const char *check);
const char *books_bill_status_label(const char *status);
/* What the two values of a check are: "本系统" / "微信账单", "计数器" / "已支付会员", … */
void books_value_labels(const char *check, const char **left, const char **right);
/* English short labels for campctl: "ours" / "wechat", "recorded" / "expected", … */
void books_value_labels_en(const char *check, const char **left, const char **right);

#endif
