/* job_sched.h: when a scheduled job is due (Asia/Shanghai wall-clock minutes). */
#ifndef CAMP_WORKER_SCHED_H
#define CAMP_WORKER_SCHED_H

#include <time.h>

enum sched_kind {
	SCHED_NONE = 0,   /* only on demand (queue, camp-worker run, campctl job run) */
	SCHED_DAILY,      /* once a day at `minute` minutes after Shanghai midnight */
	SCHED_EVERY,      /* every `minute` minutes, aligned on Shanghai midnight */
};

struct job_schedule {
	enum sched_kind kind;
	int minute;       /* DAILY: minute of the day (0..1439); EVERY: the period */
	int at_start;     /* also once when the daemon starts */
};

/* 1 when a scheduled instant of s lies in (prev, now]: the daemon checks
 * every tick with prev = the previous tick's time, so an instant is never
 * run twice and never skipped, also across midnight or after a pause.
 * prev == 0 (no previous tick) and a clock that went back are never due. */
int sched_due(const struct job_schedule *s, time_t prev, time_t now);

/* The latest scheduled instant at or before now (0 for SCHED_NONE). */
time_t sched_last(const struct job_schedule *s, time_t now);

#endif
