/* t_sched.c: the scheduler's "is this job due" in Asia/Shanghai minutes. */
#include "tap.h"
#include "camp.h"
#include "clock.h"
#include "job_sched.h"

static time_t at(const char *rfc3339)
{
	time_t t = 0;
	if (clock_parse_rfc3339(rfc3339, &t) != CAMP_OK)
		printf("# bad time %s\n", rfc3339);
	return t;
}

int main(void)
{
	const struct job_schedule daily = { SCHED_DAILY, 5, 1 };          /* 00:05 */
	const struct job_schedule one_am = { SCHED_DAILY, 60, 0 };        /* 01:00 */
	const struct job_schedule hourly = { SCHED_EVERY, 60, 0 };
	const struct job_schedule minute = { SCHED_EVERY, 1, 0 };
	const struct job_schedule never = { SCHED_NONE, 0, 0 };
	char buf[40];

	/* 00:05 Shanghai is 16:05 UTC the day before */
	is_str(clock_rfc3339(sched_last(&daily, at("2026-11-22T10:00:00+08:00")), buf, sizeof(buf)),
	       "2026-11-22T00:05:00+08:00", "last 00:05 of a morning is that day's");
	is_str(clock_rfc3339(sched_last(&daily, at("2026-11-22T00:04:59+08:00")), buf, sizeof(buf)),
	       "2026-11-21T00:05:00+08:00", "at 00:04:59 the last 00:05 is yesterday's");
	is_str(clock_rfc3339(sched_last(&daily, at("2026-11-21T16:05:00Z")), buf, sizeof(buf)),
	       "2026-11-22T00:05:00+08:00", "16:05 UTC is 00:05 in Shanghai");

	ok(sched_due(&daily, at("2026-11-22T00:04:00+08:00"), at("2026-11-22T00:05:00+08:00")),
	   "due when the tick reaches 00:05 exactly");
	ok(!sched_due(&daily, at("2026-11-22T00:05:00+08:00"), at("2026-11-22T00:06:00+08:00")),
	   "not due again on the next tick");
	ok(sched_due(&daily, at("2026-11-21T23:59:30+08:00"), at("2026-11-22T00:05:10+08:00")),
	   "due across midnight");
	ok(!sched_due(&daily, at("2026-11-21T23:59:30+08:00"), at("2026-11-22T00:04:59+08:00")),
	   "across midnight but before 00:05: not yet");
	ok(!sched_due(&daily, at("2026-11-21T00:06:00+08:00"), at("2026-11-21T23:59:59+08:00")),
	   "a whole day after 00:05 holds no instant");
	ok(sched_due(&daily, at("2026-11-19T12:00:00+08:00"), at("2026-11-22T12:00:00+08:00")),
	   "a pause of days runs it once (due, not three times)");
	ok(!sched_due(&daily, 0, at("2026-11-22T00:05:00+08:00")), "no previous tick: not due");
	ok(!sched_due(&daily, at("2026-11-23T00:10:00+08:00"), at("2026-11-22T00:05:00+08:00")),
	   "a clock that went back is not due");
	ok(!sched_due(&daily, at("2026-11-22T00:05:00+08:00"), at("2026-11-22T00:05:00+08:00")),
	   "the same instant twice is not due twice");
	ok(sched_due(&one_am, at("2026-11-22T00:59:59+08:00"), at("2026-11-22T01:00:00+08:00")),
	   "01:00 job due at 01:00 Shanghai");
	ok(!sched_due(&one_am, at("2026-11-22T00:59:00Z"), at("2026-11-22T01:00:30Z")),
	   "01:00 UTC is 09:00 in Shanghai: not due");

	ok(sched_due(&hourly, at("2026-11-22T09:59:59+08:00"), at("2026-11-22T10:00:00+08:00")),
	   "hourly at the top of the hour");
	ok(!sched_due(&hourly, at("2026-11-22T10:00:00+08:00"), at("2026-11-22T10:59:59+08:00")),
	   "hourly not within the hour");
	ok(sched_due(&hourly, at("2026-11-21T23:30:00+08:00"), at("2026-11-22T00:00:01+08:00")),
	   "hourly across midnight");
	ok(sched_due(&minute, at("2026-11-22T10:00:59+08:00"), at("2026-11-22T10:01:00+08:00")),
	   "every minute at :00");
	ok(!sched_due(&minute, at("2026-11-22T10:01:00+08:00"), at("2026-11-22T10:01:59+08:00")),
	   "every minute: not twice in one minute");
	ok(!sched_due(&never, at("2026-11-22T00:00:00+08:00"), at("2026-11-23T00:00:00+08:00")),
	   "an on-demand job is never due");
	is_int(sched_last(&never, at("2026-11-22T00:00:00+08:00")), 0, "no last instant on demand");
	return done_testing();
}
