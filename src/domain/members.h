/* members.h: what 会员列表 and 会员详情 show, scoped to the viewer's camps. */
#ifndef CAMP_DOMAIN_MEMBERS_H
#define CAMP_DOMAIN_MEMBERS_H

#include <stdint.h>

#include "arena.h"
#include "binding.h"

struct db;

struct member_filter {
	long long camp_id;           /* 0 = any */
	const char *bind_status;     /* NULL = any */
	int joined;                  /* -1 any, 0 not joined, 1 joined */
	const char *q;               /* nickname/ID/WeChat nickname/order no./transaction id; NULL = any */
	long limit, offset;          /* limit 0 = every row (export) */
};

struct member_row {
	long long id, camp_id;
	const char *planet_nickname, *planet_user_id, *wechat_nickname, *camp_name;
	int64_t amount;              /* fen; -1 when no paid order */
	const char *pay_time;        /* "2026-11-22 10:00" or NULL */
	const char *bind_status, *bind_method;   /* NULL when no paid order */
	int joined, confidence, checkin_count, eligible;
	const char *flags;
};

int member_list(struct db *d, arena *a, const struct binding_actor *who,
                const struct member_filter *f, struct member_row **out, int *n, long long *total);
/* One member (CAMP_ENOTFOUND when the viewer may not see it). */
int member_get(struct db *d, arena *a, const struct binding_actor *who, long long id,
               struct member_row *out);

/* The camps the viewer may see, for the filter menus (id, name pairs). */
struct camp_choice { long long id; const char *name; };
int member_camp_choices(struct db *d, arena *a, const struct binding_actor *who,
                        struct camp_choice **out, int *n);

struct member_payment { const char *time, *camp_name, *order_no, *transaction_id, *status; int64_t amount; };
struct member_checkin { const char *date, *time, *content; };
struct member_refund { const char *time, *status, *audit_status, *auditor; int64_t amount; };
int member_payments(struct db *d, arena *a, long long id, struct member_payment **out, int *n);
int member_checkins(struct db *d, arena *a, long long id, struct member_checkin **out, int *n);
int member_refunds(struct db *d, arena *a, long long id, struct member_refund **out, int *n);

/* ZSXQ users of the member's camp (seen by the sync) nearest by Levenshtein
 * to the filled planet nickname or WeChat nickname; at most max. */
struct member_suggestion { const char *planet_user_id, *nickname; int distance; };
int member_suggestions(struct db *d, arena *a, long long id, int max,
                       struct member_suggestion **out, int *n);

const char *member_bind_status_label(const char *s);   /* 已绑定 … */
const char *member_bind_method_label(const char *s);   /* H5绑定 … */

#endif
