/* runner.c: one run of one job — advisory lock, job_run row, outcome. */
#include "worker.h"
#include "camp.h"
#include "clock.h"
#include "db.h"
#include "jobs.h"
#include "log.h"

#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct db_stmt q_try_lock = DB_STMT(
	"SELECT pg_try_advisory_lock(" JOB_LOCK_SQL ") AS got");
/* a CLI run may wait longer than the connection's statement_timeout */
static const struct db_stmt q_no_timeout = DB_STMT(
	"SELECT set_config('statement_timeout', '0', true)");
static const struct db_stmt q_wait_lock = DB_STMT(
	"SELECT pg_advisory_lock(" JOB_LOCK_SQL ")");
static const struct db_stmt q_unlock = DB_STMT(
	"SELECT pg_advisory_unlock(" JOB_LOCK_SQL ")");
static const struct db_stmt q_run_start = DB_STMT(
	"INSERT INTO job_run (job, queue_id, started_at, outcome, host)"
	" VALUES ($1, $2::bigint, $3::timestamptz, 'running', $4) RETURNING id");
static const struct db_stmt q_run_end = DB_STMT(
	"UPDATE job_run SET finished_at = $2::timestamptz, outcome = $3, detail = $4::jsonb"
	" WHERE id = $1::bigint");
static const struct db_stmt q_run_skipped = DB_STMT(
	"INSERT INTO job_run (job, queue_id, started_at, finished_at, outcome, detail, host)"
	" VALUES ($1, $2::bigint, $3::timestamptz, $3::timestamptz, 'skipped', $4::jsonb, $5)");

/* --- issue #17: one run per scheduled slot, however many workers --- */
static const struct db_stmt q_claim_slot = DB_STMT(
	"INSERT INTO job_slot (job, slot_at, host, pid, claimed_at)"
	" VALUES ($1, $2::timestamptz, $3, $4::integer, $5::timestamptz)"
	" ON CONFLICT (job, slot_at) DO NOTHING RETURNING job");

static const char *host_name(char *buf, size_t n);

int job_claim_slot(struct db *d, const struct job_def *j, time_t slot)
{
	char at[40], now[40], host[100], pid[24];
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	const char *p[] = { j->name, clock_rfc3339(slot, at, sizeof(at)),
	                    host_name(host, sizeof(host)), pid, clock_now_param(now, sizeof(now)) };
	PGresult *res = db_q_raw(d, &q_claim_slot, 5, p);
	if (res == NULL)
		return -1;
	int mine = PQntuples(res) == 1;
	PQclear(res);
	return mine;
}

int job_stopping(const struct job_ctx *c)
{
	return c->stop != NULL && *c->stop;
}

void job_fail(struct job_ctx *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->error, sizeof(c->error), fmt, ap);
	va_end(ap);
}

void job_progress(struct job_ctx *c, long done, long total, const char *note)
{
	if (c->queue_id <= 0)
		return;
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "done", json_object_new_int64(done));
	json_object_object_add(o, "total", json_object_new_int64(total));
	if (note != NULL)
		json_object_object_add(o, "note", json_object_new_string(note));
	if (job_set_progress(c->db, c->a, c->queue_id,
	                     json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN)) != CAMP_OK)
		log_warn("job %s: progress not saved", c->def->name);
	json_object_put(o);
}

static const char *host_name(char *buf, size_t n)
{
	if (gethostname(buf, n) != 0)
		snprintf(buf, n, "unknown");
	buf[n - 1] = '\0';
	return buf;
}

static int take_lock(struct db *d, arena *a, const char *name, enum job_lock_mode mode)
{
	const char *p[] = { name };
	if (mode == JOB_LOCK_TRY) {
		PGresult *res = db_q(d, a, &q_try_lock, 1, p);
		if (res == NULL)
			return CAMP_EDB;
		return db_get_bool(res, 0, "got") ? CAMP_OK : CAMP_EBUSY;
	}
	if (db_begin(d) != CAMP_OK)
		return CAMP_EDB;
	if (db_q(d, a, &q_no_timeout, 0, NULL) == NULL ||
	    db_q(d, a, &q_wait_lock, 1, p) == NULL) {
		db_rollback(d);
		return CAMP_EDB;
	}
	/* a session lock: it outlives this transaction */
	return db_commit(d);
}

static void release_lock(struct db *d, arena *a, const char *name)
{
	const char *p[] = { name };
	db_rollback(d);   /* a job that failed mid-transaction */
	if (db_q(d, a, &q_unlock, 1, p) == NULL)
		log_warn("job %s: could not release its lock (connection lost?)", name);
}

static char *detail_text(struct json_object *o)
{
	return strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
}

static void record_skip(struct db *d, arena *a, const struct job_def *j,
                        const char *qid, struct job_result *res)
{
	char now[40], host[100];
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "reason", json_object_new_string("locked"));
	res->detail = detail_text(o);
	json_object_put(o);
	const char *p[] = { j->name, qid, clock_now_param(now, sizeof(now)), res->detail,
	                    host_name(host, sizeof(host)) };
	db_q(d, a, &q_run_skipped, 5, p);
	res->skipped = 1;
	snprintf(res->reason, sizeof(res->reason), "another run of %s holds the lock", j->name);
}

static void finish_run(struct db *d, arena *a, const char *run_id, struct job_ctx *c,
                       struct job_result *res)
{
	const char *outcome = res->rc == CAMP_OK ? "success" : "failed";
	if (res->rc != CAMP_OK)
		json_object_object_add(c->detail, "error", json_object_new_string(res->reason));
	if (c->interrupted)
		json_object_object_add(c->detail, "interrupted", json_object_new_boolean(1));
	json_object_object_add(c->detail, "pid", json_object_new_int((int)getpid()));
	res->detail = detail_text(c->detail);
	char now[40];
	const char *p[] = { run_id, clock_now_param(now, sizeof(now)), outcome, res->detail };
	if (db_q(d, a, &q_run_end, 4, p) == NULL)
		log_err("job %s: could not record the end of run %s", c->def->name, run_id);
}

int job_run_now(struct db *d, const struct job_def *j, long long queue_id,
                const char *args, enum job_lock_mode mode,
                volatile sig_atomic_t *stop, struct job_result *res)
{
	memset(res, 0, sizeof(*res));
	log_set_job(j->name, 0, queue_id);
	arena *a = arena_new();
	const char *qid = queue_id > 0 ? arena_i64(a, queue_id) : NULL;
	clock_refresh(d);
	int rc = take_lock(d, a, j->name, mode);
	if (rc == CAMP_EBUSY) {
		record_skip(d, a, j, qid, res);
		res->rc = CAMP_EBUSY;
		goto out;
	}
	if (rc != CAMP_OK) {
		snprintf(res->reason, sizeof(res->reason), "database unavailable: %s", db_errmsg(d));
		res->rc = CAMP_EDB;
		goto out;
	}
	clock_refresh(d);   /* the clock may have moved while we waited */
	char now[40], host[100];
	const char *p[] = { j->name, qid, clock_now_param(now, sizeof(now)),
	                    host_name(host, sizeof(host)) };
	PGresult *r = db_q(d, a, &q_run_start, 4, p);
	if (r == NULL) {
		snprintf(res->reason, sizeof(res->reason), "cannot record the run: %s", db_errmsg(d));
		res->rc = CAMP_EDB;
		release_lock(d, a, j->name);
		goto out;
	}
	const char *run_id = arena_strdup(a, db_get(r, 0, "id"));
	log_set_job(j->name, db_get_ll(r, 0, "id", 0), queue_id);
	struct job_ctx c = { .db = d, .a = a, .def = j, .queue_id = queue_id,
	                     .args = args ? args : "{}", .stop = stop,
	                     .detail = json_object_new_object() };
	log_info("job %s: started (run %s)", j->name, run_id);
	res->rc = j->fn(&c);
	db_rollback(d);     /* never leave a job's transaction open */
	res->interrupted = c.interrupted;
	if (res->rc == CAMP_OK && c.interrupted) {
		res->rc = CAMP_ECONFLICT;
		snprintf(c.error, sizeof(c.error), "interrupted by shutdown");
	}
	if (res->rc != CAMP_OK)
		snprintf(res->reason, sizeof(res->reason), "%s",
		         c.error[0] ? c.error : "failed without a reason");
	finish_run(d, a, run_id, &c, res);
	json_object_put(c.detail);
	release_lock(d, a, j->name);
	if (res->rc == CAMP_OK)
		log_info("job %s: success %s", j->name, res->detail);
	else
		log_err("job %s: failed: %s", j->name, res->reason);
out:
	arena_free(a);
	/* a queued run's row stays the context of what its caller logs next */
	log_set_job(queue_id ? j->name : NULL, 0, queue_id);
	return res->rc;
}
