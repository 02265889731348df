/* refund_life.h: what people do to the refund list after refund-list proposed it (issue #15):
 * 手动提议退款, 重新提议 a rejected refund, 关闭绑定, and the sentences that report it. */
#ifndef CAMP_DOMAIN_REFUND_LIFE_H
#define CAMP_DOMAIN_REFUND_LIFE_H

#include "arena.h"

struct db;
struct audit;
struct refund_tally;

#define REFUND_REASON_MAX 200   /* characters of a proposal or reopen reason */

/* 手动提议退款 (PRD §9.3 有异议人工处理): one pending proposal for the member's
 * paid order, marked as made by who (proposed_by, proposal_reason) so the
 * refund-list job never withdraws it; refund_status_log PROPOSE_MANUAL and
 * operation_log PROPOSE_REFUND in one transaction.  The camp must have
 * ended and the member's identity must be settled (binding completed, at
 * confidence 100 or bound by hand): a person overrides the days, not who the
 * member is.  The payment must have no refund record yet.  CAMP_OK (*refund_id), CAMP_ENOTFOUND,
 * CAMP_ECONFLICT (*why: a Chinese sentence), CAMP_EDB. */
int refund_propose_manual(struct db *d, arena *a, long long member_id, const char *reason,
                          const struct audit *who, long long *refund_id, const char **why);

/* 重新提议: a rejected refund becomes a pending proposal again, by who and
 * why (refund_status_log REOPEN, operation_log REOPEN_REFUND).  CAMP_OK,
 * CAMP_ENOTFOUND, CAMP_ECONFLICT (*why), CAMP_EDB. */
int refund_reopen(struct db *d, arena *a, long long refund_id, const char *reason,
                  const struct audit *who, const char **why);

/* The reasons 关闭绑定 accepts (PRD §7.2, §7.5). */
int binding_close_reason_ok(const char *reason);
/* 关闭绑定: a payment in manual_review is closed (payment_bind_log CLOSE with
 * the reason, operation_log CLOSE_BINDING); a proposal still awaiting its
 * decision is withdrawn.  The member leaves the to-do lists and never gets
 * a proposal.  CAMP_OK, CAMP_ENOTFOUND, CAMP_ECONFLICT (*why), CAMP_EDB. */
int binding_close(struct db *d, arena *a, long long member_id, const char *reason,
                  const struct audit *who, const char **why);

/* Members of a camp whose binding was closed, for the camp page. */
struct closed_binding {
	long long member_id;
	const char *planet_nickname, *planet_user_id, *wechat_nickname, *order_no;
	const char *reason, *closed_at, *operator;
};
int binding_closed_list(struct db *d, arena *a, long long camp_id,
                        struct closed_binding **out, int *n);

/* What a refund-list run did, in one sentence:
 * "新增 3 条待审核，2 名会员仍需人工绑定". */
const char *refund_tally_sentence(arena *a, const struct refund_tally *t);

#endif
