/* checkins.h: check-in sync requests ("立即同步") and what pages show of check-ins. */
#ifndef CAMP_DOMAIN_CHECKINS_H
#define CAMP_DOMAIN_CHECKINS_H

#include "arena.h"
#include "binding.h"

struct db;

/* Queues sync-checkins for one camp, in the caller's transaction.
 * CAMP_OK with *job_id; CAMP_ENOTFOUND (no such camp); CAMP_EINVAL (the camp
 * has no ZSXQ project id); CAMP_EBUSY when a sync is queued, running, or the
 * job's advisory lock is held (the nightly run): "同步进行中". */
int checkin_sync_request(struct db *d, arena *a, long long camp_id, long long user_id,
                         long long *job_id);

/* 打卡记录: one row per check-in day, scoped to the viewer's camps. */
struct checkin_filter {
	long long camp_id;           /* 0 = any */
	const char *q;               /* member or ZSXQ nickname / ID; NULL = any */
	const char *from, *to;       /* "YYYY-MM-DD" inclusive; NULL = open */
	long limit, offset;          /* limit 0 = every row (CSV) */
};
struct checkin_row {
	const char *member_name, *planet_nickname, *planet_user_id, *camp_name;
	const char *date, *time;
	long long member_id;         /* 0 when the ZSXQ user matches no member */
	int checkin_count, eligible;
	const char *rate;            /* "66.67" */
};
int checkin_list(struct db *d, arena *a, const struct binding_actor *who,
                 const struct checkin_filter *f, struct checkin_row **out, int *n, long long *total);

/* 打卡进度: the camp's paid members and their check-in dates. */
struct progress_member {
	long long id;
	const char *name;
	int days, eligible;
	const char *rate;
	const char *dates;           /* "2026-11-20,2026-11-21" sorted */
	const char *last_time;       /* 最后打卡时间 "2026-11-21 20:15", NULL when none */
};
struct camp_progress {
	const char *camp_name, *start_date, *end_date;
	int required_days, total_members, eligible_members;
	const char *avg_rate;        /* "54.20" */
	struct progress_member *members;
	int n;
};
/* CAMP_ENOTFOUND when the camp does not exist or the viewer may not see it. */
int checkin_progress(struct db *d, arena *a, const struct binding_actor *who, long long camp_id,
                     struct camp_progress *out);

/* The member's check-in dates ("YYYY-MM-DD,…" sorted; "" when none). */
int checkin_member_dates(struct db *d, arena *a, long long member_id, const char **dates);

struct zsxq_client;
/* A ZSXQ client from the settings (planet.cookie, planet.group_id,
 * planet.min_interval_ms); CAMP_ENOTFOUND when ZSXQ is not configured. */
int checkin_zsxq_client(struct db *d, arena *a, struct zsxq_client *z);

/* 保存并发布知识星球: creates the camp's ZSXQ check-in project unless it has
 * one, and stores its id (camp_status_log PUBLISH and operation_log in the
 * same transaction).  *checkin_id = the project id; *why on failure. */
int checkin_publish_camp(struct db *d, arena *a, long long camp_id, long long user_id,
                         const char **checkin_id, const char **why);

#endif
