/* worker.h: the job registry and the runner shared by camp-worker and campctl. */
#ifndef CAMP_WORKER_H
#define CAMP_WORKER_H

#include <signal.h>
#include <stddef.h>
#include <time.h>

#include "arena.h"
#include "job_sched.h"

struct db;
struct json_object;

/* What a job sees while it runs. */
struct job_ctx {
	struct db *db;
	arena *a;                    /* freed when the run ends */
	const struct job_def *def;
	long long queue_id;          /* the job_queue row, 0 when not queued */
	const char *args;            /* JSON text of the queue row's args, "{}" otherwise */
	volatile sig_atomic_t *stop; /* set on SIGTERM; may be NULL */
	struct json_object *detail;  /* what the job did: stored in job_run.detail */
	int interrupted;             /* the job stopped early because of stop */
	char error[256];             /* why it failed, for people */
};

/* A job runs to the end and returns CAMP_OK, or fills c->error and
 * returns another code.  It checks job_stopping() between items and, when
 * it is set, finishes the current item, sets c->interrupted and returns. */
typedef int (*job_fn)(struct job_ctx *c);

struct job_def {
	const char *name;            /* "camp-status": the CLI, queue kind and lock name */
	job_fn fn;
	struct job_schedule schedule;
	const char *label;           /* Chinese, for pages */
};

/* The one registry (jobs.c): the daemon, `camp-worker run` and
 * `campctl job run` all look jobs up here. */
extern const struct job_def job_defs[];
extern const size_t job_ndefs;
const struct job_def *job_def_find(const char *name);
/* "camp-status, …" for usage and error messages. */
const char *job_names(void);

int job_stopping(const struct job_ctx *c);
/* Publishes progress of a queued job ({"done", "total", "note"}); a no-op
 * for runs that did not come from the queue.  Call it between transactions. */
void job_progress(struct job_ctx *c, long done, long total, const char *note);
void job_fail(struct job_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

enum job_lock_mode {
	JOB_LOCK_WAIT,   /* pg_advisory_lock: the CLI waits for a running holder */
	JOB_LOCK_TRY,    /* pg_try_advisory_lock: the scheduler skips when held */
};

struct job_result {
	int rc;                      /* CAMP_OK = success */
	int skipped;                 /* the lock was held (JOB_LOCK_TRY only) */
	int interrupted;
	char reason[256];            /* for failures: what went wrong */
	char *detail;                /* job_run.detail JSON text (malloc'd) */
};

/* Runs one job now: takes its advisory lock, writes a job_run row
 * (running → success | failed | skipped), runs it and releases the lock.
 * The caller frees res->detail. */
int job_run_now(struct db *d, const struct job_def *j, long long queue_id,
                const char *args, enum job_lock_mode mode,
                volatile sig_atomic_t *stop, struct job_result *res);

/* --- issue #17: several workers, one run per scheduled slot ---
 * Claims the scheduled instant `slot` of job j for this process (a job_slot
 * row; the first worker to insert it wins).  1 = ours, run it; 0 = another
 * worker has it; -1 = database error. */
int job_claim_slot(struct db *d, const struct job_def *j, time_t slot);

/* The key of a job's advisory lock, as SQL computes it:
 * hashtextextended('camp-job:' || name, 0). */
#define JOB_LOCK_SQL "hashtextextended('camp-job:' || $1, 0)"

#endif
