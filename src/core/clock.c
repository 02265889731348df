/* clock.c: camp_now() and RFC 3339 helpers; the test override lives here only. */
#include "clock.h"
#include "camp.h"
#include "dates.h"
#include "db.h"
#include "env.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static time_t db_override;     /* 0 = none; only ever set under CAMP_ENV=test */

static int two(const char *s)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return -1;
	return (s[0] - '0') * 10 + (s[1] - '0');
}

int clock_parse_rfc3339(const char *s, time_t *out)
{
	if (s == NULL || strlen(s) < 20)
		return CAMP_EINVAL;
	char date[11];
	memcpy(date, s, 10);
	date[10] = '\0';
	cday d;
	if (cday_parse(date, &d) != CAMP_OK || (s[10] != 'T' && s[10] != ' '))
		return CAMP_EINVAL;
	int hh = two(s + 11), mi = two(s + 14), ss = two(s + 17);
	if (hh < 0 || hh > 23 || s[13] != ':' || mi < 0 || mi > 59 ||
	    s[16] != ':' || ss < 0 || ss > 60)
		return CAMP_EINVAL;
	const char *p = s + 19;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return CAMP_EINVAL;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	long off;
	if (*p == 'Z' && p[1] == '\0') {
		off = 0;
	} else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
		int oh = two(p + 1), om = two(p + 4);
		if (oh < 0 || oh > 23 || om < 0 || om > 59)
			return CAMP_EINVAL;
		off = (oh * 3600L + om * 60L) * (*p == '-' ? -1 : 1);
	} else if ((*p == '+' || *p == '-') && strlen(p) == 5) {
		/* ZSXQ writes "+0800" */
		int oh = two(p + 1), om = two(p + 3);
		if (oh < 0 || oh > 23 || om < 0 || om > 59)
			return CAMP_EINVAL;
		off = (oh * 3600L + om * 60L) * (*p == '-' ? -1 : 1);
	} else {
		return CAMP_EINVAL;
	}
	*out = (time_t)d * 86400 + hh * 3600 + mi * 60 + ss - off;
	return CAMP_OK;
}

const char *clock_rfc3339(time_t t, char *buf, size_t n)
{
	cday d = cday_of(t);
	long sec = (long)(t + CST_OFFSET - (time_t)d * 86400);
	char date[11];
	cday_format(d, date, sizeof(date));
	snprintf(buf, n, "%sT%02ld:%02ld:%02ld+08:00", date, sec / 3600,
	         (sec / 60) % 60, sec % 60);
	return buf;
}

time_t camp_now(void)
{
	const struct camp_env *e = camp_env();
	if (e->is_test) {
		time_t t;
		const char *v = getenv("CAMP_TEST_NOW");
		if (v != NULL && clock_parse_rfc3339(v, &t) == CAMP_OK)
			return t;
		if (db_override)
			return db_override;
	}
	return time(NULL);
}

static const struct db_stmt q_test_now = DB_STMT(
	"SELECT config_value FROM system_config WHERE config_key = 'test.now'");

void clock_refresh(struct db *d)
{
	if (!camp_env()->is_test)
		return;
	db_override = 0;
	PGresult *res = db_q_raw(d, &q_test_now, 0, NULL);
	if (res == NULL)
		return;
	time_t t;
	if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0) &&
	    clock_parse_rfc3339(PQgetvalue(res, 0, 0), &t) == CAMP_OK)
		db_override = t;
	PQclear(res);
}

const char *clock_now_param(char *buf, size_t n)
{
	return clock_rfc3339(camp_now(), buf, n);
}

long long clock_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
