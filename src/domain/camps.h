/* camps.h: training camps — the queries pages and jobs share. */
#ifndef CAMP_DOMAIN_CAMPS_H
#define CAMP_DOMAIN_CAMPS_H

#include <stdint.h>
#include <time.h>

#include "arena.h"
#include "dates.h"

struct db;

/* The associated data a camp's WeCom robot key is sealed with (a setting-like secret). */
#define CAMP_ROBOT_KEY_NAME "camp.robot_webhook_key"

struct camp {
	long long id;
	const char *name;
	const char *description;
	const char *poster_sha256;       /* NULL when none */
	const char *group_qrcode_sha256;
	const char *planet_project_id;   /* NULL until set */
	const char *wechat_pay_code_id;
	int64_t deposit_fen;
	cday start_date, end_date;
	int total_days, required_days;
	const char *status;              /* not_started | ongoing | finished */
	int capacity;                    /* 0 = no limit */
	long long paid_members;
	long long held_seats;            /* pending orders holding a seat (SEAT_HELD) */
	time_t held_until;               /* issue #18: when the first of those holds ends; 0 = none */
	int cancelled;                   /* 取消训练营: hidden from H5, no enrollment */
	int archived;                    /* issue #17: archived by the retention job (read-only) */
};

/* Camps members may see in the H5 list: ongoing and upcoming (not cancelled), by start date. */
int camp_list_public(struct db *d, arena *a, struct camp **out, int *n);
int camp_get(struct db *d, arena *a, long long id, struct camp *out);   /* CAMP_ENOTFOUND */

/* Enrollment is open until end − required + 1 (the requirement can still be met). */
int camp_enroll_open(const struct camp *c, cday today);
const char *camp_status_label(const char *status);   /* 未开始 / 进行中 / 已结束 */

/* The camp's enrollment locks, advisory, held until the transaction ends; $1 is the camp id.
 * Not the camp's row lock: every payment of the camp updates that row's counters, and an
 * enrollment holding it made the payments wait (issue #18).  Each is a statement of its own:
 * a statement that waited for a lock would read with the snapshot it took before waiting.
 * CAMP_LOCK_SQL, the camp exclusive: cancelling, deleting and editing it, and each enrollment
 *   of a camp with a capacity (its seats are counted one enrollment at a time).
 * CAMP_ENROLL_LOCK_SQL ($2 the member's address), for a camp without a capacity: the camp
 *   shared (no cancel, delete or edit meanwhile) and the address exclusive — the pending orders
 *   of one address and of its browsers are counted one enrollment at a time, and enrollments
 *   from other addresses go on. */
#define CAMP_LOCK_KEY "hashtextextended('camp-enroll:' || $1, 0)"
#define CAMP_LOCK_SQL "SELECT pg_advisory_xact_lock(" CAMP_LOCK_KEY ")"
#define CAMP_ENROLL_LOCK_SQL \
	"SELECT pg_advisory_xact_lock_shared(" CAMP_LOCK_KEY ")," \
	" pg_advisory_xact_lock(hashtextextended('camp-enroll:' || $1 || '@' || $2, 0))"



/* ---- the create/edit form (issue: camp management) ---------------------- */

#define CAMP_MAX_STAFF 32

/* What the admin submitted, as text (uploads already stored as media). */
struct camp_form {
	const char *name, *deposit, *start_date, *end_date, *total_days, *required_days;
	const char *description, *planet_project_id, *wechat_pay_code_id, *capacity;
	const char *robot_webhook_key;       /* "" = keep (edit) / none (create) */
	const char *poster_sha256, *group_qrcode_sha256;
	const char *coach_ids[CAMP_MAX_STAFF];
	size_t ncoaches;
	const char *volunteer_ids[CAMP_MAX_STAFF];
	size_t nvolunteers;
};

#define FORM_MAX_ERRORS 24

/* Per-field messages, so the page shows each under its field. */
struct form_errors {
	const char *field[FORM_MAX_ERRORS];
	const char *msg[FORM_MAX_ERRORS];
	int n;
};
void form_error(struct form_errors *e, const char *field, const char *msg);
const char *form_error_for(const struct form_errors *e, const char *field);

/* The validated values. */
struct camp_values {
	const char *name, *description, *planet_project_id, *wechat_pay_code_id;
	const char *robot_webhook_key;       /* plain; NULL = keep / none */
	const char *poster_sha256, *group_qrcode_sha256;
	int64_t deposit_fen;
	cday start_date, end_date;
	int total_days, required_days, capacity;
	long long coach_ids[CAMP_MAX_STAFF];
	size_t ncoaches;
	long long volunteer_ids[CAMP_MAX_STAFF];
	size_t nvolunteers;
};

/* Checks every field (existing = the camp being edited, NULL on create).
 * Once a camp has started its dates, deposit and check-in requirement are
 * locked: a submitted change is refused. CAMP_OK or CAMP_EINVAL (errors set). */
int camp_validate(struct db *d, arena *a, const struct camp_form *f,
                  const struct camp *existing, cday today,
                  struct camp_values *v, struct form_errors *e);
/* Inserts the camp, its staff and the CREATE status log; *id set.
 * Runs in the caller's transaction. */
int camp_insert(struct db *d, arena *a, const struct camp_values *v,
                long long user_id, long long *id);
int camp_update(struct db *d, arena *a, long long id, const struct camp_values *v,
                long long user_id);
/* Soft delete; CAMP_ECONFLICT (*why, in words) once the camp has started or
 * while it has paid or pending orders (its money would be stranded). */
int camp_soft_delete(struct db *d, arena *a, long long id, long long user_id, const char **why);

/* ---- 取消训练营 (issue #14) ---------------------------------------------- */
#define CAMP_CANCEL_REASON "训练营取消"

/* The money in a camp: what deleting refuses and cancelling handles. */
struct camp_money {
	long long pending_orders;    /* pending orders, closed at WeChat on cancel */
	long long paid_orders;       /* successful payments */
	long long proposable;        /* paid members without a refund record */
	int64_t proposable_fen;      /* their deposits */
};
int camp_money(struct db *d, arena *a, long long id, struct camp_money *m);
/* In the caller's transaction: the camp is cancelled (hidden from H5, no
 * enrollment, never proposed by refund-list), a full refund (CAMP_CANCEL_REASON)
 * is proposed for every paid member without one, for the normal audit; the
 * status log says CANCEL.  Closing the pending orders at WeChat is the
 * caller's to queue (reconcile-payments with {"camp_id"}).  *m = what was
 * there.  CAMP_ENOTFOUND, CAMP_ECONFLICT (*why: finished, already
 * cancelled), CAMP_EDB. */
int camp_cancel(struct db *d, arena *a, long long id, long long user_id, struct camp_money *m,
                const char **why);

/* Staff of a camp ("coach" or "volunteer"): ids and usernames. */
struct camp_staff {
	long long id;
	const char *username;
	const char *role_type;
};
int camp_staff_list(struct db *d, arena *a, long long camp_id, struct camp_staff **out, int *n);
/* Active users of a role, for the form's choices. */
int camp_staff_choices(struct db *d, arena *a, const char *role, struct camp_staff **out, int *n);

/* The admin list: filters by status, month window, name; paged. */
struct camp_filter {
	const char *status;   /* NULL/"" = all but archived; "archived" = archived only */
	const char *from, *to;/* YYYY-MM-DD, camps overlapping [from, to] */
	const char *q;        /* name contains */
	int page, per_page;   /* per_page 0 = every row (export) */
};
int camp_list_admin(struct db *d, arena *a, const struct camp_filter *f,
                    struct camp **out, int *n, long long *total);

struct camp_stats {
	long long paid_members;
	int64_t total_paid_fen, total_refunded_fen;
	const char *avg_checkin_rate;     /* "87.50" */
	const char *refund_completion_rate;
};
int camp_statistics(struct db *d, arena *a, long long camp_id, struct camp_stats *s);
/* --- issue #17: archived camps (finished > 3 months, settled) are read-only ---
 * 1 when the camp camp_id, or the camp of member member_id, is archived;
 * 0 when not (or no such row); -1 on a database error. */
int camp_archived(struct db *d, arena *a, long long camp_id, long long member_id);

#endif
