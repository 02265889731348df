/* camps.h: training camps — the queries pages and jobs share. */
#ifndef CAMP_DOMAIN_CAMPS_H
#define CAMP_DOMAIN_CAMPS_H

#include <stdint.h>

#include "arena.h"
#include "dates.h"

struct db;

struct camp {
	long long id;
	const char *name;
	const char *description;
	const char *poster_sha256;       /* NULL when none */
	const char *group_qrcode_sha256;
	int64_t deposit_fen;
	cday start_date, end_date;
	int total_days, required_days;
	const char *status;              /* not_started | ongoing | finished */
	int capacity;                    /* 0 = no limit */
	long long paid_members;
	long long held_seats;            /* unexpired pending orders */
};

/* Camps members may see in the H5 list: ongoing and upcoming, by start date. */
int camp_list_public(struct db *d, arena *a, struct camp **out, int *n);
int camp_get(struct db *d, arena *a, long long id, struct camp *out);   /* CAMP_ENOTFOUND */

/* Enrollment is open until end − required + 1 (the requirement can still be met). */
int camp_enroll_open(const struct camp *c, cday today);
const char *camp_status_label(const char *status);   /* 未开始 / 进行中 / 已结束 */

#endif
