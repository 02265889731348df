/* watchdog.h: dead-man figures — what silently stopped working, for alerts, 工作台 and /metrics. */
#ifndef CAMP_DOMAIN_WATCHDOG_H
#define CAMP_DOMAIN_WATCHDOG_H

#include <time.h>

#include "arena.h"

struct db;

/* The conditions (also their alert types in alerts.c and watchdog_status.condition). */
#define WD_JOB_STALE      "job_stale"       /* a scheduled job has not succeeded within 2 periods */
#define WD_REFUND_STUCK   "refund_stuck"    /* refunds PROCESSING for more than 3 days */
#define WD_ORDER_UNCLOSED "order_unclosed"  /* pending orders 2 h past time_expire */
#define WD_OUTBOX_FAILING "outbox_failing"  /* messages failing for more than an hour */
#define WD_BACKUP_STALE   "backup_stale"    /* no verified backup for 26 h, or the last one failed */
#define WD_DISK_LOW       "disk_low"        /* database volume below 10 % free */

/* A scheduled job as the watchdog sees it (the worker fills these from its registry). */
struct wd_job {
	const char *name;
	const char *label;       /* Chinese */
	long period_s;           /* every N minutes → N*60; daily → 86400 */
};

/* One figure: a condition, about a subject (a job's name, else ""). */
struct wd_finding {
	const char *condition;
	const char *subject;
	int ok;
	long long value;         /* rows, seconds, or free space in per mille; -1 = unknown */
	const char *message;     /* Chinese, for people */
};

struct wd_report {
	struct wd_finding *f;
	int n;
	int problems;            /* findings that are not ok */
	const char *checked_at;  /* "YYYY-MM-DD HH:MM" Asia/Shanghai (watchdog_findings only) */
	long long checked_epoch; /* 0 = the watchdog never ran */
};

/* Evaluates every condition at `now` (camp_now() of the caller).  Reads the
 * freshest db_volume measurement (at most an hour old) for the disk. */
int watchdog_evaluate(struct db *d, arena *a, time_t now, const struct wd_job *jobs,
                      size_t njobs, struct wd_report *out);
/* Replaces watchdog_status with the report, in the caller's transaction. */
int watchdog_save(struct db *d, arena *a, const struct wd_report *r, time_t now);
/* Queues one staff alert per failing finding and Shanghai day (once_key
 * "watchdog:<condition>:<subject>:<date>"); *queued = rows written. */
int watchdog_alert(struct db *d, arena *a, const struct wd_report *r, time_t now, long *queued);

/* What the last watchdog run found (watchdog_status), failing findings
 * first: for the 工作台, /metrics and anyone else who wants the figures. */
int watchdog_findings(struct db *d, arena *a, struct wd_report *out);

/* The PostgreSQL data directory when this process can see it: a connection
 * over a unix socket (same host) and a role allowed to read the setting
 * (superuser or pg_read_all_settings).  NULL otherwise. */
const char *watchdog_local_data_dir(struct db *d, arena *a);
/* statvfs(path) → db_volume row of this host.  CAMP_OK, CAMP_ERR when the
 * path cannot be measured, CAMP_EDB. */
int watchdog_record_volume(struct db *d, arena *a, const char *host, const char *path, time_t now);

#endif
