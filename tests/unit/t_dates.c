/* t_dates.c: Asia/Shanghai day boundaries and RFC 3339. */
#include "tap.h"
#include "camp.h"
#include "clock.h"
#include "dates.h"

int main(void)
{
	cday d;
	char buf[40];
	ok(cday_parse("2026-11-22", &d) == CAMP_OK, "parse a date");
	is_str(cday_format(d, buf, sizeof(buf)), "2026-11-22", "round trip");
	ok(cday_parse("2024-02-29", &d) == CAMP_OK, "leap day");
	ok(cday_parse("2026-02-29", &d) == CAMP_EINVAL, "no leap day in 2026");
	ok(cday_parse("2026-13-01", &d) == CAMP_EINVAL, "month 13");
	ok(cday_parse("2026-1-01", &d) == CAMP_EINVAL, "short month");
	ok(cday_parse("2026-01-01x", &d) == CAMP_EINVAL, "trailing garbage");
	ok(cday_parse("", &d) == CAMP_EINVAL, "empty");

	time_t t;
	/* 23:59:59 in Shanghai belongs to that day, 00:00:00 to the next */
	ok(clock_parse_rfc3339("2026-11-21T23:59:59+08:00", &t) == CAMP_OK, "parse +08:00");
	is_str(cday_format(cday_of(t), buf, sizeof(buf)), "2026-11-21", "23:59:59 counts for that day");
	ok(clock_parse_rfc3339("2026-11-22T00:00:00+08:00", &t) == CAMP_OK, "parse midnight");
	is_str(cday_format(cday_of(t), buf, sizeof(buf)), "2026-11-22", "00:00:00 counts for the next");
	ok(clock_parse_rfc3339("2026-11-21T16:00:00Z", &t) == CAMP_OK, "parse Z");
	is_str(cday_format(cday_of(t), buf, sizeof(buf)), "2026-11-22", "16:00Z is midnight in Shanghai");
	ok(clock_parse_rfc3339("2026-11-21T15:59:59.999Z", &t) == CAMP_OK, "fraction");
	is_str(cday_format(cday_of(t), buf, sizeof(buf)), "2026-11-21", "15:59:59Z is still the 21st");
	ok(clock_parse_rfc3339("2026-11-21T20:15:03.123+0800", &t) == CAMP_OK, "ZSXQ +0800 form");
	is_str(clock_rfc3339(t, buf, sizeof(buf)), "2026-11-21T20:15:03+08:00", "formatted in +08:00");
	ok(clock_parse_rfc3339("2026-11-21 20:15", &t) == CAMP_EINVAL, "truncated refused");
	ok(clock_parse_rfc3339("2026-11-21T25:00:00Z", &t) == CAMP_EINVAL, "hour 25 refused");

	ok(cday_parse("2026-11-01", &d) == CAMP_OK, "parse start");
	is_int(cday_start(d) % 86400, 16 * 3600, "day starts at 16:00 UTC the day before");
	cday e;
	cday_parse("2026-11-21", &e);
	is_int(cday_span(d, e), 21, "inclusive span of 1..21 is 21 days");
	ok(cday_parse("1999-12-31", &d) == CAMP_OK, "old date");
	cday_parse("2000-03-01", &e);
	is_int(e - d, 61, "leap year 2000 counted");

	/* 本月 / 上月 (issue #15) */
	cday f, l;
	cday_parse("2026-01-15", &d);
	cday_month(d, 0, &f, &l);
	is_str(cday_format(f, buf, sizeof(buf)), "2026-01-01", "this month starts on the 1st");
	is_str(cday_format(l, buf, sizeof(buf)), "2026-01-31", "January has 31 days");
	cday_month(d, 1, &f, &l);
	is_str(cday_format(f, buf, sizeof(buf)), "2025-12-01", "last month crosses the year");
	is_str(cday_format(l, buf, sizeof(buf)), "2025-12-31", "December ends on the 31st");
	cday_parse("2024-03-31", &d);
	cday_month(d, 1, &f, &l);
	is_str(cday_format(l, buf, sizeof(buf)), "2024-02-29", "last month of March 2024 is a leap February");
	return done_testing();
}
