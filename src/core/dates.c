/* dates.c: Asia/Shanghai calendar arithmetic without the C library's TZ state. */
#include "dates.h"
#include "camp.h"

#include <stdio.h>
#include <string.h>

/* Days from civil date (Howard Hinnant's algorithm), valid for all int years. */
cday cday_from_ymd(int y, int m, int d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void cday_ymd(cday z, int *y, int *m, int *d)
{
	z += 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long yy = yoe + era * 400;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yy + (*m <= 2));
}

static int digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 1;
}

int cday_parse(const char *s, cday *out)
{
	int y, m, d;
	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
	    !digits(s, 4, &y) || !digits(s + 5, 2, &m) || !digits(s + 8, 2, &d))
		return CAMP_EINVAL;
	if (y < 1970 || m < 1 || m > 12 || d < 1 || d > 31)
		return CAMP_EINVAL;
	cday c = cday_from_ymd(y, m, d);
	int yy, mm, dd;
	cday_ymd(c, &yy, &mm, &dd);
	if (yy != y || mm != m || dd != d)   /* 2026-02-30 and friends */
		return CAMP_EINVAL;
	*out = c;
	return CAMP_OK;
}

char *cday_format(cday c, char *buf, unsigned n)
{
	int y, m, d;
	cday_ymd(c, &y, &m, &d);
	snprintf(buf, n, "%04d-%02d-%02d", y, m, d);
	return buf;
}

static long floor_div(long long a, long b)
{
	long long q = a / b;
	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return (long)q;
}

cday cday_of(time_t t)
{
	return floor_div((long long)t + CST_OFFSET, 86400);
}

time_t cday_start(cday d)
{
	return (time_t)d * 86400 - CST_OFFSET;
}

long cday_span(cday start, cday end)
{
	return end - start + 1;
}

void cday_month(cday day, int back, cday *first, cday *last)
{
	int y, m, d;
	cday_ymd(day, &y, &m, &d);
	long k = (long)y * 12 + (m - 1) - back;
	y = (int)(k / 12);
	m = (int)(k % 12) + 1;
	*first = cday_from_ymd(y, m, 1);
	*last = cday_from_ymd(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) - 1;
}
