/* watchdog.c: every 10 minutes, the dead-man checks — alert once a day per condition. */
#include "jobfns.h"
#include "worker.h"
#include "camp.h"
#include "clock.h"
#include "db.h"
#include "log.h"
#include "watchdog.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <unistd.h>

/* The database volume as this host sees it: CAMP_DB_DATA_DIR when the operator
 * says where it is mounted here, else the server's data directory when the
 * server runs on this host (unix socket).  A worker on another host measures
 * nothing: the figure comes from a worker that can (db_volume, per host). */
void watchdog_sample_volume(struct db *d, arena *a)
{
	char host[100];
	if (gethostname(host, sizeof(host)) != 0)
		return;
	host[sizeof(host) - 1] = '\0';
	const char *path = getenv("CAMP_DB_DATA_DIR");
	if (path == NULL || *path == '\0')
		path = watchdog_local_data_dir(d, a);
	if (path == NULL)
		return;
	int rc = watchdog_record_volume(d, a, host, path, camp_now());
	if (rc == CAMP_ERR)
		log_warn("watchdog: cannot measure the database volume at %s", path);
}

/* The registry's schedules as periods: the staleness limit is two of them. */
static size_t scheduled_jobs(arena *a, struct wd_job **out)
{
	struct wd_job *jobs = arena_alloc(a, sizeof(*jobs) * (job_ndefs + 1));
	size_t n = 0;
	for (size_t i = 0; i < job_ndefs; i++) {
		const struct job_schedule *s = &job_defs[i].schedule;
		long period = s->kind == SCHED_DAILY ? 86400L :
		              s->kind == SCHED_EVERY && s->minute > 0 ? s->minute * 60L : 0;
		if (period == 0)
			continue;
		jobs[n].name = job_defs[i].name;
		jobs[n].label = job_defs[i].label;
		jobs[n].period_s = period;
		n++;
	}
	*out = jobs;
	return n;
}

int job_watchdog(struct job_ctx *c)
{
	watchdog_sample_volume(c->db, c->a);
	time_t now = camp_now();
	struct wd_job *jobs;
	size_t njobs = scheduled_jobs(c->a, &jobs);
	struct wd_report r;
	long queued = 0;
	if (watchdog_evaluate(c->db, c->a, now, jobs, njobs, &r) != CAMP_OK) {
		job_fail(c, "cannot read the figures: %s", db_errmsg(c->db));
		return CAMP_EDB;
	}
	if (db_begin(c->db) != CAMP_OK || watchdog_save(c->db, c->a, &r, now) != CAMP_OK ||
	    watchdog_alert(c->db, c->a, &r, now, &queued) != CAMP_OK || db_commit(c->db) != CAMP_OK) {
		db_rollback(c->db);
		job_fail(c, "cannot save the findings: %s", db_errmsg(c->db));
		return CAMP_EDB;
	}
	struct json_object *problems = json_object_new_array();
	for (int i = 0; i < r.n; i++) {
		if (r.f[i].ok)
			continue;
		struct json_object *o = json_object_new_object();
		json_object_object_add(o, "condition", json_object_new_string(r.f[i].condition));
		json_object_object_add(o, "subject", json_object_new_string(r.f[i].subject));
		json_object_object_add(o, "value", json_object_new_int64(r.f[i].value));
		json_object_array_add(problems, o);
		log_warn("watchdog: %s %s: %s", r.f[i].condition, r.f[i].subject, r.f[i].message);
	}
	json_object_object_add(c->detail, "checked", json_object_new_int(r.n));
	json_object_object_add(c->detail, "problems", problems);
	json_object_object_add(c->detail, "alerts_queued", json_object_new_int64(queued));
	return CAMP_OK;
}
