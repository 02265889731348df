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
	DASH_BOOKS = 1 << 4,     /* issue #14: the latest books run (对账) */
	DASH_TOKEN = 1 << 5,     /* the ZSXQ token's remaining life (issue #13) */
	/* --- issue #15 --- */
	DASH_EXCEPTIONS = 1 << 6,   /* open payment exceptions */
	DASH_REFUND_LISTS = 1 << 7, /* finished camps whose refund list was never made */
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
	/* issue #14 (books): the newest bill date's latest run */
	int has_books;
	const char *books_date;
	const char *books_bill_status;   /* books_run.bill_status */
	int books_ok;
	int books_diffs;
	int sync_token_expired;     /* that run stopped on an expired token */
	/* DASH_TOKEN */
	const char *token_text;     /* "剩余 29 天（… 到期）" */
	int token_warn;             /* expiring within PLANET_TOKEN_WARN_DAYS, expired or refused */
	int token_known;
	/* --- issue #15 --- */
	long long open_exceptions;
	struct dash_camp *no_refund_list;
	int nno_list;
};

/* Loads the parts asked for.  scoped: count only camps user_id is assigned
 * to in camp_member_relation (coaches and volunteers). */
int dashboard_load(struct db *d, arena *a, unsigned parts, long long user_id,
                   int scoped, struct dashboard *out);


#endif
