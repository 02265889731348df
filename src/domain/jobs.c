/* jobs.c: job_queue rows — enqueue, read, claim, progress, finish. */
#include "jobs.h"
#include "camp.h"
#include "clock.h"
#include "db.h"

#include <string.h>
#include <time.h>

#define JOB_COLUMNS \
	" id, kind, state, args::text AS args, progress::text AS progress," \
	" result::text AS result, error, COALESCE(requested_by, 0) AS requested_by," \
	" to_char(created_at, 'YYYY-MM-DD HH24:MI:SS') AS created_at," \
	" to_char(started_at, 'YYYY-MM-DD HH24:MI:SS') AS started_at," \
	" to_char(finished_at, 'YYYY-MM-DD HH24:MI:SS') AS finished_at"

static void row_to_job(const PGresult *res, arena *a, struct job *j)
{
	memset(j, 0, sizeof(*j));
	j->id = db_get_ll(res, 0, "id", 0);
	j->kind = arena_strdup(a, db_get(res, 0, "kind"));
	j->state = arena_strdup(a, db_get(res, 0, "state"));
	j->args = arena_strdup(a, db_get(res, 0, "args"));
	j->progress = arena_strdup(a, db_get(res, 0, "progress"));
	j->result = arena_strdup(a, db_get(res, 0, "result"));
	j->error = arena_strdup(a, db_get(res, 0, "error"));
	j->requested_by = db_get_ll(res, 0, "requested_by", 0);
	j->created_at = arena_strdup(a, db_get(res, 0, "created_at"));
	j->started_at = arena_strdup(a, db_get(res, 0, "started_at"));
	j->finished_at = arena_strdup(a, db_get(res, 0, "finished_at"));
}

static const struct db_stmt q_enqueue = DB_STMT(
	"INSERT INTO job_queue (kind, args, requested_by, run_after, created_at)"
	" VALUES ($1, COALESCE($2, '{}')::jsonb, NULLIF($3::bigint, 0),"
	"         $4::timestamptz, $4::timestamptz) RETURNING id");

long long job_enqueue(struct db *d, arena *a, const char *kind, const char *args_json,
                      long long requested_by)
{
	char now[40];
	if (kind == NULL || *kind == '\0')
		return 0;
	const char *p[] = { kind, args_json, arena_i64(a, requested_by),
	                    clock_now_param(now, sizeof(now)) };
	PGresult *res = db_q(d, a, &q_enqueue, 4, p);
	return res ? db_get_ll(res, 0, "id", 0) : 0;
}

static const struct db_stmt q_get = DB_STMT(
	"SELECT" JOB_COLUMNS " FROM job_queue WHERE id = $1::bigint");

int job_get(struct db *d, arena *a, long long id, struct job *out)
{
	const char *p[] = { arena_i64(a, id) };
	PGresult *res = db_q(d, a, &q_get, 1, p);
	if (res == NULL)
		return CAMP_EDB;
	if (PQntuples(res) != 1)
		return CAMP_ENOTFOUND;
	row_to_job(res, a, out);
	return CAMP_OK;
}

static const struct db_stmt q_claim = DB_STMT(
	"UPDATE job_queue SET state = 'running', started_at = $1::timestamptz,"
	"       finished_at = NULL, error = NULL"
	" WHERE id = (SELECT id FROM job_queue"
	"              WHERE state = 'queued' AND run_after <= $1::timestamptz"
	"              ORDER BY run_after, id FOR UPDATE SKIP LOCKED LIMIT 1)"
	" RETURNING" JOB_COLUMNS);

int job_claim(struct db *d, arena *a, struct job *out)
{
	char now[40];
	const char *p[] = { clock_now_param(now, sizeof(now)) };
	PGresult *res = db_q(d, a, &q_claim, 1, p);
	if (res == NULL)
		return CAMP_EDB;
	if (PQntuples(res) != 1)
		return CAMP_ENOTFOUND;
	row_to_job(res, a, out);
	return CAMP_OK;
}

static const struct db_stmt q_progress = DB_STMT(
	"UPDATE job_queue SET progress = $2::jsonb WHERE id = $1::bigint");

int job_set_progress(struct db *d, arena *a, long long id, const char *progress_json)
{
	const char *p[] = { arena_i64(a, id), progress_json };
	return db_q(d, a, &q_progress, 2, p) ? CAMP_OK : CAMP_EDB;
}

static const struct db_stmt q_finish = DB_STMT(
	"UPDATE job_queue SET state = $2, result = $3::jsonb, error = $4,"
	"       finished_at = $5::timestamptz WHERE id = $1::bigint");

int job_finish(struct db *d, arena *a, long long id, int done, const char *result_json,
               const char *error)
{
	char now[40];
	const char *p[] = { arena_i64(a, id), done ? "done" : "failed", result_json,
	                    done ? NULL : (error ? error : "失败"),
	                    clock_now_param(now, sizeof(now)) };
	return db_q(d, a, &q_finish, 5, p) ? CAMP_OK : CAMP_EDB;
}

static const struct db_stmt q_requeue = DB_STMT(
	"UPDATE job_queue SET state = 'queued', started_at = NULL,"
	"       run_after = $2::timestamptz WHERE id = $1::bigint");

int job_requeue(struct db *d, arena *a, long long id, int delay_s)
{
	char at[40];
	const char *p[] = { arena_i64(a, id), clock_rfc3339(camp_now() + delay_s, at, sizeof(at)) };
	return db_q(d, a, &q_requeue, 2, p) ? CAMP_OK : CAMP_EDB;
}

const char *job_state_label(const char *state)
{
	static const struct { const char *state, *label; } labels[] = {
		{ "queued", "排队中" }, { "running", "运行中" },
		{ "done", "已完成" }, { "failed", "失败" },
	};
	for (size_t i = 0; state && i < CAMP_ARRAY_LEN(labels); i++)
		if (strcmp(labels[i].state, state) == 0)
			return labels[i].label;
	return state ? state : "";
}

static const struct db_stmt q_last_run = DB_STMT(
	"SELECT outcome, to_char(COALESCE(finished_at, started_at) AT TIME ZONE 'Asia/Shanghai',"
	" 'YYYY-MM-DD HH24:MI') AS at, detail->>'error' AS error"
	" FROM job_run WHERE job = $1 ORDER BY started_at DESC, id DESC LIMIT 1");

int job_last_run(struct db *d, arena *a, const char *job, struct job_last *out)
{
	memset(out, 0, sizeof(*out));
	PGresult *res = db_q(d, a, &q_last_run, 1, (const char *[]){ job });
	if (res == NULL)
		return CAMP_EDB;
	if (PQntuples(res) == 0)
		return CAMP_ENOTFOUND;
	out->outcome = arena_strdup(a, db_get(res, 0, "outcome"));
	out->at = arena_strdup(a, db_get(res, 0, "at"));
	out->error = arena_strdup(a, db_get(res, 0, "error"));
	return CAMP_OK;
}
