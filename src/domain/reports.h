/* reports.h: 统计报表 (PRD §4.2.5.1) — the camps of a period, their money and check-ins, from SQL. */
#ifndef CAMP_DOMAIN_REPORTS_H
#define CAMP_DOMAIN_REPORTS_H

#include <stdint.h>

#include "arena.h"

struct db;

/* Camps whose dates overlap [from, to] (the camp list's 本月 / 上月 rule). */
struct report_filter {
	const char *from, *to;       /* "YYYY-MM-DD" or "" = open */
	long long camp_id;           /* 0 = every camp */
	long long scope_user;        /* coach: only the camps of this user; 0 = all */
};

/* One camp: the figures of its camp page (v_camp_statistics) plus the PRD's rates. */
struct report_camp {
	long long id;
	const char *name, *status, *start_date, *end_date;
	long long members;           /* paid members (报名人数) */
	long long participants;      /* paid members with at least one check-in day */
	long long eligible;          /* paid members meeting the refund condition */
	const char *participation;   /* participants / members × 100, "66.67" */
	const char *completion;      /* eligible / members × 100 */
	const char *avg_rate;        /* average check-in rate of the paid members */
	int64_t paid_fen, refunded_fen, net_fen;
};

struct report_month {
	const char *month;           /* "2026-11" (Asia/Shanghai) */
	int64_t income_fen, refund_fen;
};

struct report {
	long long camps, members;
	int64_t paid_fen, refunded_fen, held_fen;   /* held = received − refunded */
	const char *refund_rate;     /* refunded / received × 100 */
	const char *avg_rate;        /* average check-in rate over every paid member */
	struct report_camp *rows;
	int nrows;
	struct report_month *months; /* the same camps' money by month */
	int nmonths;
};

/* CAMP_OK or CAMP_EDB. */
int report_load(struct db *d, arena *a, const struct report_filter *f, struct report *out);

#endif
