/* binding.h: the payment binding state machine (ARCHITECTURE §6) and member actions of staff. */
#ifndef CAMP_DOMAIN_BINDING_H
#define CAMP_DOMAIN_BINDING_H

#include <time.h>

#include "arena.h"

struct db;

/* Who acts: admins and managers see every camp, coaches and volunteers only
 * the camps they are assigned to (camp_member_relation). */
struct binding_actor {
	long long user_id;
	int all_camps;
};

/* pending past bind_deadline → expired → manual_review for every paid order,
 * two payment_bind_log rows each and an alert to the admins, all in one
 * transaction.  *moved = how many.  CAMP_OK or CAMP_EDB. */
int binding_expire(struct db *d, arena *a, time_t now, long *moved);

/* 手动绑定: the member's payment becomes completed/manual, the member is
 * matched to the ZSXQ user (confidence 100), logged in payment_bind_log; in
 * the caller's transaction.  Changing a completed binding needs a reason
 * (kept in the log row; *was = the ZSXQ user id it was bound to, for the
 * operation log).  One ZSXQ user is bound so to at most one paid member of
 * a camp (uq_cm_bound_planet_user).  CAMP_ENOTFOUND (no such member for
 * this actor), CAMP_EINVAL (*why: the ZSXQ user is unknown, a reason is
 * missing), CAMP_ECONFLICT (*why: closed, unpaid, or the ZSXQ user is bound
 * to another member), CAMP_EDB. */
int binding_manual(struct db *d, arena *a, const struct binding_actor *who, long long member_id,
                   const char *planet_user_id, const char *reason, time_t now,
                   const char **was, const char **why);

/* 标记进群: joined_group = true (idempotent), member_status_log JOIN_GROUP.
 * CAMP_ENOTFOUND or CAMP_EDB; *changed = 0 when already marked. */
int binding_mark_joined(struct db *d, arena *a, const struct binding_actor *who,
                        long long member_id, time_t now, int *changed);

#endif
