/* job_sched.c: scheduled instants in Asia/Shanghai minutes, and "is it due". */
#include "job_sched.h"
#include "dates.h"

time_t sched_last(const struct job_schedule *s, time_t now)
{
	switch (s->kind) {
	case SCHED_DAILY: {
		time_t t = cday_start(cday_of(now)) + (time_t)s->minute * 60;
		return t > now ? t - 86400 : t;
	}
	case SCHED_EVERY: {
		if (s->minute <= 0)
			return 0;
		time_t day0 = cday_start(cday_of(now));
		time_t mins = (now - day0) / 60;       /* minutes since Shanghai midnight */
		return day0 + (mins - mins % s->minute) * 60;
	}
	default:
		return 0;
	}
}

int sched_due(const struct job_schedule *s, time_t prev, time_t now)
{
	if (s->kind == SCHED_NONE || prev <= 0 || now <= prev)
		return 0;
	time_t last = sched_last(s, now);
	return last > prev && last <= now;
}
