/* pay_exceptions.h: 全额退款 and 已处理 for verified payments that could not be applied. */
#ifndef CAMP_DOMAIN_PAY_EXCEPTIONS_H
#define CAMP_DOMAIN_PAY_EXCEPTIONS_H

#include "arena.h"

struct db;
struct wxpay_cfg;
struct wx_refund;
struct audit;

/* open → refunding, with an out_refund_no for this attempt ("RE<id>T<time>"); the refunds job
 * submits it.  CAMP_ECONFLICT when not open or without a transaction id. */
int exception_refund_start(struct db *d, arena *a, long long id, const struct audit *who);
/* open or failed → resolved (已处理: nothing to refund), or with offline →
 * refunded (已线下退款: refunded outside the merchant API; a payment recorded
 * as success is marked refunded), with the admin's note. */
int exception_resolve(struct db *d, arena *a, long long id, const char *note, int offline,
                      const struct audit *who);

#define EXCEPTION_MAX_REFUSALS 3   /* refused full refunds before the exception is failed */

/* Exceptions being refunded whose outcome is still open. */
int exception_refunds_due(struct db *d, arena *a, long long **ids, int *n);
/* One step: query (an earlier call may have been accepted), else submit
 * the full amount with the same out_refund_no; apply any answer.  A 4xx
 * refusal counts; the third ends the refund as failed with one alert. */
int exception_refund_step(struct db *d, arena *a, const struct wxpay_cfg *cfg, long long id);
/* Applies a refund outcome whose out_refund_no is an exception's;
 * CAMP_ENOTFOUND when it is not one. */
int exception_refund_apply(struct db *d, arena *a, const struct wx_refund *w);

#endif
