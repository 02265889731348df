/* main.c: camp-worker — the scheduler and queue daemon, or one job in the foreground. */
#include "worker.h"
#include "jobs/jobfns.h"
#include "camp.h"
#include "clock.h"
#include "db.h"
#include "env.h"
#include "httpc.h"
#include "jobs.h"
#include "log.h"
#include "secret.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define QUEUE_POLL_S 1
#define BACKOFF_MAX_S 30
#define LOCK_BUSY_RETRY_S 5

static volatile sig_atomic_t stopping;
static const struct job_schedule volume_every = { SCHED_EVERY, 10, 0 };

static void on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

/* Sleeps, but wakes at once on SIGTERM (no SA_RESTART). */
static void nap(int seconds)
{
	struct timespec ts = { seconds, 0 };
	while (!stopping && nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static int usage(void)
{
	fprintf(stderr, "usage: camp-worker            (the daemon: schedule and queue)\n"
	                "       camp-worker run JOB    (one run now, in the foreground)\n"
	                "jobs: %s\n", job_names());
	return 2;
}

/* One queued job: run it under its lock, record the outcome on the row. */
static void run_queued(struct db *d, arena *a, const struct job *q)
{
	const struct job_def *j = job_def_find(q->kind);
	if (j == NULL) {
		log_err("queue: job %lld has unknown kind %s", q->id, q->kind);
		job_finish(d, a, q->id, 0, NULL, "未知的任务类型");
		return;
	}
	struct job_result res;
	job_run_now(d, j, q->id, q->args, JOB_LOCK_TRY, &stopping, &res);
	if (res.skipped || res.interrupted || !db_ok(d)) {
		/* someone else runs this job now, we are stopping, or the database
		 * went away: the row waits for the next worker */
		if (job_requeue(d, a, q->id, res.skipped ? LOCK_BUSY_RETRY_S : 0) != CAMP_OK)
			log_err("queue: job %lld could not be put back", q->id);
	} else {
		job_finish(d, a, q->id, res.rc == CAMP_OK, res.detail, res.reason);
	}
	free(res.detail);
}

static void drain_queue(struct db *d)
{
	arena *a = arena_new();
	while (!stopping) {
		struct job q;
		if (job_claim(d, a, &q) != CAMP_OK)
			break;
		log_set_job(q.kind, 0, q.id);
		log_info("queue: job %lld (%s) claimed", q.id, q.kind);
		run_queued(d, a, &q);
		log_set_job(NULL, 0, 0);
		arena_reset(a);
	}
	arena_free(a);
}

/* A due job runs only when this worker claims its slot first: with several
 * workers (one per host) each scheduled instant runs once, not once per worker. */
static void run_scheduled(struct db *d, const struct job_def *j, time_t slot)
{
	int mine = job_claim_slot(d, j, slot);
	char at[40];
	clock_rfc3339(slot, at, sizeof(at));
	log_set_job(j->name, 0, 0);
	if (mine <= 0) {
		if (mine == 0)
			log_info("job %s: slot %s already claimed by another worker", j->name, at);
		else
			log_err("job %s: cannot claim slot %s: %s", j->name, at, db_errmsg(d));
		log_set_job(NULL, 0, 0);
		return;
	}
	log_info("job %s: slot %s claimed", j->name, at);
	struct job_result res;
	job_run_now(d, j, 0, NULL, JOB_LOCK_TRY, &stopping, &res);
	if (res.skipped)
		log_info("job %s: skipped, another worker runs it", j->name);
	free(res.detail);
}

static int daemon_loop(struct db *d)
{
	time_t prev = 0;
	int backoff = 1, was_down = 0;
	log_info("camp-worker: started (jobs: %s)", job_names());
	while (!stopping) {
		if (db_ensure(d) != CAMP_OK) {
			if (!was_down)
				log_err("camp-worker: database unavailable, retrying");
			was_down = 1;
			nap(backoff);
			backoff = backoff * 2 > BACKOFF_MAX_S ? BACKOFF_MAX_S : backoff * 2;
			continue;
		}
		if (was_down)
			log_info("camp-worker: database is back");
		was_down = 0;
		backoff = 1;
		clock_refresh(d);
		time_t now = camp_now();
		for (size_t i = 0; i < job_ndefs && !stopping; i++) {
			const struct job_def *j = &job_defs[i];
			/* a start-up run's slot is its minute: workers started together run it once */
			if (prev == 0 ? j->schedule.at_start : sched_due(&j->schedule, prev, now))
				run_scheduled(d, j, prev == 0 ? now - now % 60 : sched_last(&j->schedule, now));
		}
		/* every worker measures the database volume when it can see it (issue #17) */
		if (prev == 0 || sched_due(&volume_every, prev, now)) {
			arena *a = arena_new();
			watchdog_sample_volume(d, a);
			arena_free(a);
		}
		/* a clock moved back (tests) restarts the reckoning from there */
		prev = now;
		drain_queue(d);
		nap(QUEUE_POLL_S);
	}
	log_info("camp-worker: stopping");
	return 0;
}

static int run_once(struct db *d, const char *name)
{
	const struct job_def *j = job_def_find(name);
	if (j == NULL) {
		fprintf(stderr, "camp-worker: unknown job %s (jobs: %s)\n", name, job_names());
		return 2;
	}
	if (db_ensure(d) != CAMP_OK) {
		fprintf(stderr, "camp-worker: cannot connect to the database: %s\n", db_errmsg(d));
		return 1;
	}
	struct job_result res;
	job_run_now(d, j, 0, NULL, JOB_LOCK_WAIT, &stopping, &res);
	int rc = 0;
	if (res.rc == CAMP_OK) {
		printf("%s: success %s\n", name, res.detail ? res.detail : "{}");
	} else {
		fprintf(stderr, "camp-worker: %s failed: %s\n", name, res.reason);
		rc = 1;
	}
	free(res.detail);
	return rc;
}

int main(int argc, char **argv)
{
	log_init("camp-worker");
	const struct camp_env *env = camp_env_load();
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;   /* no SA_RESTART: sleeps return at once */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (argc > 1 && !(argc == 3 && !strcmp(argv[1], "run")))
		return usage();
	/* provider jobs read encrypted settings; camp-status does not need it */
	if (secret_load_master(env->master_key_file) != CAMP_OK)
		log_warn("cannot read the master key %s: encrypted settings unavailable",
		         env->master_key_file);
	if (httpc_global_init() != CAMP_OK)
		log_err("libcurl failed to initialise: provider jobs will fail");
	struct db *d = db_open(env->db_url);
	int rc = argc == 3 ? run_once(d, argv[2]) : daemon_loop(d);
	db_close(d);
	secret_forget_master();
	httpc_global_cleanup();
	return rc;
}
