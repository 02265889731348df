/* schedule_publish.c: the daemon writes what it runs on its own, and how often, into job_schedule
 * (issue #15) — the 工作台 names the jobs that have not succeeded within twice their period. */
#include "worker.h"
#include "camp.h"
#include "clock.h"
#include "db.h"
#include "log.h"

static const struct db_stmt q_publish = DB_STMT(
	"INSERT INTO job_schedule (job, label, period_s, created_at, updated_at)"
	" VALUES ($1, $2, $3::int, $4::timestamptz, $4::timestamptz)"
	" ON CONFLICT (job) DO UPDATE SET label = EXCLUDED.label, period_s = EXCLUDED.period_s,"
	"  updated_at = EXCLUDED.updated_at");

static int period_of(const struct job_schedule *s)
{
	switch (s->kind) {
	case SCHED_DAILY: return 24 * 3600;
	case SCHED_EVERY: return s->minute * 60;
	case SCHED_NONE: break;
	}
	return 0;
}

int job_schedule_publish(struct db *d)
{
	arena *a = arena_new();
	char now[40];
	clock_now_param(now, sizeof(now));
	int rc = CAMP_OK;
	for (size_t i = 0; i < job_ndefs && rc == CAMP_OK; i++) {
		int period = period_of(&job_defs[i].schedule);
		if (period <= 0)
			continue;
		const char *p[] = { job_defs[i].name, job_defs[i].label, arena_i64(a, period), now };
		if (db_q(d, a, &q_publish, 4, p) == NULL)
			rc = CAMP_EDB;
	}
	arena_free(a);
	if (rc != CAMP_OK)
		log_warn("camp-worker: the job schedule was not written (migration 007 applied?)");
	return rc;
}
