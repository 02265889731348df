/* dashboard.h: the 工作台 to-do counts, scoped to a coach's or volunteer's own camps. */
#ifndef CAMP_DOMAIN_DASHBOARD_H
#define CAMP_DOMAIN_DASHBOARD_H

#include <stdint.h>

#include "arena.h"

struct db;

enum dash_part {
	DASH_REFUNDS = 1 << 0,   /* pending audits and failed refunds */
	DASH_CAMPS = 1 << 1,     /* camps ending within 3 days */
	DASH_BINDS = 1 << 2,     /* payments waiting for a manual bind */
	DASH_SYNC = 1 << 3,      /* the last sync-checkins run */
	/* --- issue #15 --- */
	DASH_EXCEPTIONS = 1 << 4,   /* open payment exceptions */
	DASH_JOBS = 1 << 5,         /* scheduled jobs without a success in twice their period */
	DASH_REFUND_LISTS = 1 << 6, /* finished camps whose refund list was never made */
	DASH_TOKEN = 1 << 7,        /* the ZSXQ token's remaining days */
};

struct dash_job {
	const char *name, *label;
	const char *last_ok;        /* "2026-11-22 01:00" or NULL when never */
};

struct dash_camp {
	long long id;
	const char *name;
	const char *end_date;
};

struct dashboard {
	long long pending_refunds;
	int64_t pending_fen;
	long long failed_refunds;
	long long manual_binds;
	struct dash_camp *ending;
	int nending;
	int has_sync;
	const char *sync_outcome;   /* running | success | failed | skipped */
	const char *sync_time;
	const char *sync_error;     /* NULL when none */
	int sync_token_expired;     /* the last sync found the ZSXQ token expired */
	/* --- issue #15 --- */
	long long open_exceptions;
	struct dash_job *stale_jobs;
	int nstale;
	struct dash_camp *no_refund_list;
	int nno_list;
	int token_days;             /* valid when has_token_days */
	int has_token_days;
};

/* Loads the parts asked for.  scoped: count only camps user_id is assigned
 * to in camp_member_relation (coaches and volunteers). */
int dashboard_load(struct db *d, arena *a, unsigned parts, long long user_id,
                   int scoped, struct dashboard *out);

/* HOOK (issue #15 ↔ branch i13z): the ZSXQ token's remaining days.  The
 * token-expiry record is being added on branch i13z; until it lands there is
 * nothing to read, so this returns CAMP_ENOTFOUND and the 工作台 shows no
 * days (never a guessed number).  Replace its body with the read of that
 * record: CAMP_OK with *days (negative once expired). */
int dashboard_token_days(struct db *d, arena *a, int *days);

#endif
