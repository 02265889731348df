/* jobs.h: the job queue — pages enqueue slow work, camp-worker runs it. */
#ifndef CAMP_DOMAIN_JOBS_H
#define CAMP_DOMAIN_JOBS_H

#include "arena.h"

struct db;

struct job {
	long long id;
	const char *kind;            /* a camp-worker job name ("sync-checkins") */
	const char *state;           /* queued | running | done | failed */
	const char *args;            /* JSON text */
	const char *progress;        /* JSON text, "{}" until the job reports */
	const char *result;          /* JSON text or NULL */
	const char *error;           /* NULL unless failed */
	long long requested_by;      /* system_user.id, 0 = system */
	const char *created_at, *started_at, *finished_at;   /* "2026-11-22 10:00:00", NULL */
};

/* Queues one job in the caller's transaction (if one is open); runs as soon
 * as a worker is free.  args_json NULL = {}; requested_by 0 = system.
 * Returns the new id, or 0 on failure (bad JSON or database error). */
long long job_enqueue(struct db *d, arena *a, const char *kind, const char *args_json,
                      long long requested_by);
/* CAMP_OK, CAMP_ENOTFOUND or CAMP_EDB. */
int job_get(struct db *d, arena *a, long long id, struct job *out);

/* ---- for camp-worker ---------------------------------------------------- */
/* Takes the oldest due queued job (FOR UPDATE SKIP LOCKED, so two workers
 * never take the same one) and marks it running.  CAMP_ENOTFOUND when none. */
int job_claim(struct db *d, arena *a, struct job *out);
int job_set_progress(struct db *d, arena *a, long long id, const char *progress_json);
/* done = 1 → state done with result; 0 → failed with error. */
int job_finish(struct db *d, arena *a, long long id, int done, const char *result_json,
               const char *error);
/* Back to queued, to run again after delay_s seconds (lock busy, shutdown). */
int job_requeue(struct db *d, arena *a, long long id, int delay_s);

const char *job_state_label(const char *state);   /* 排队中 / 运行中 / 已完成 / 失败 */

/* The latest job_run of a job, for status lines on pages (issue #13). */
struct job_last {
	const char *outcome;         /* running | success | failed | skipped */
	const char *at;              /* "2026-11-22 10:00" Asia/Shanghai */
	const char *error;           /* detail.error or NULL */
};
/* CAMP_OK, CAMP_ENOTFOUND (never ran) or CAMP_EDB. */
int job_last_run(struct db *d, arena *a, const char *job, struct job_last *out);

#endif
