/* t_sync_plan.c: the nightly sync's call plan (issue #18) — what each camp reads, within the night. */
#include "tap.h"
#include "camp.h"
#include "sync_plan.h"

#include <string.h>

#define DAY 86400L

static time_t at(cday d, int hour)
{
	return cday_start(d) + hour * 3600L;
}

/* A camp of `members` running days [start, end], last synced (and leaderboard read) at those times. */
static struct sync_plan_camp camp(cday start, cday end, long members, time_t last_ok, time_t last_board)
{
	struct sync_plan_camp c;
	memset(&c, 0, sizeof(c));
	c.start_day = start;
	c.end_day = end;
	c.members = members;
	c.last_ok = last_ok;
	c.last_board = last_board;
	return c;
}

static void what_is_due(void)
{
	cday today = 20400;                         /* 2025-11-09 */
	time_t night = at(today, 1);
	struct sync_plan_camp c[6];
	c[0] = camp(today - 1, today + 19, 300, 0, 0);                                   /* first sync */
	c[1] = camp(today - 10, today + 10, 300, at(today - 1, 1), at(today - 3, 1));      /* mid-camp */
	c[2] = camp(today - 10, today + 10, 300, at(today - 1, 1), at(today - 7, 1));      /* a week */
	c[3] = camp(today - 21, today - 1, 300, at(today - 1, 1), at(today - 5, 1));       /* ended yesterday */
	c[4] = camp(today - 22, today - 2, 300, at(today - 2, 1), at(today - 6, 1));       /* last synced night */
	c[5] = camp(today - 10, today + 10, 300, at(today - 1, 1), at(today - 3, 1));
	c[5].asked = 1;                                                                    /* by hand */
	sync_plan(c, 6, night, 0);
	ok(c[0].board && c[0].since == cday_start(today - 1), "a first sync reads everything since the start");
	ok(!c[1].board && !c[1].deferred, "mid-camp: the posts only");
	is_int(c[1].since, at(today - 1, 1) - SYNC_OVERLAP_S, "from the overlap before the last good sync");
	is_int(c[1].calls, (long)((300 * (24 + 6) / 24 + 19) / 20) + 1, "a day and the overlap of posts, 20 a page, and the last page");
	ok(c[2].board, "a week after the last leaderboard, it is read again");
	ok(c[3].board, "the first night after the end: the cross-check before refunds");
	ok(c[4].board, "the camp's last synced night");
	ok(c[5].board, "staff syncing one camp get the leaderboard");

	/* the next night, the ended camp's cross-check is done: posts only */
	c[3].last_ok = c[3].last_board = night + 120;
	sync_plan(c, 6, night + DAY, 0);
	ok(!c[3].board, "the cross-check after the end is made once");
}

static void within_the_night(void)
{
	cday today = 20400;
	time_t night = at(today, 1);
	/* ten camps of 300 ending together: tonight every one's cross-check is due */
	struct sync_plan_camp c[10];
	for (int i = 0; i < 10; i++)
		c[i] = camp(today - 21, today - 1, 300, at(today - 1, 1), at(today - 5 - i % 3, 1));
	long planned = sync_plan(c, 10, night, 500);
	long budget = SYNC_NIGHT_BUDGET_S * 1000L * 1000 / (500L * SYNC_CALL_COST_PERMILLE);
	int read = 0, deferred = 0;
	long sum = 0;
	for (int i = 0; i < 10; i++) {
		read += c[i].board;
		deferred += c[i].deferred;
		sum += c[i].calls;
		ok(c[i].board != c[i].deferred, "camp %d: read or deferred", i);
	}
	is_int(planned, sum, "the planned calls are the camps' sum");
	ok(planned <= budget, "within the night at 500 ms (%ld <= %ld calls)", planned, budget);
	ok(read > 0 && deferred > 0, "some cross-checks tonight (%d), the rest tomorrow (%d)", read, deferred);
	/* the longest unread go first */
	for (int i = 0; i < 10; i++)
		for (int j = 0; j < 10; j++)
			if (c[i].board && c[j].deferred)
				ok(c[i].last_board <= c[j].last_board, "camp %d (read) waited at least as long as %d", i, j);
	/* tomorrow is their last synced night: every one left is read, whatever the time */
	for (int i = 0; i < 10; i++)
		if (c[i].board)
			c[i].last_board = night + 60;
	for (int i = 0; i < 10; i++)
		c[i].last_ok = night + 60;
	sync_plan(c, 10, night + DAY, 500);
	for (int i = 0; i < 10; i++)
		ok(c[i].board == (c[i].last_board != night + 60), "camp %d: read on its last night if not yet", i);

	/* no pacing (tests, camp-sim): nothing waits */
	for (int i = 0; i < 10; i++)
		c[i] = camp(today - 21, today - 1, 300, at(today - 1, 1), at(today - 5, 1));
	sync_plan(c, 10, night, 0);
	for (int i = 0; i < 10; i++)
		ok(c[i].board && !c[i].deferred, "unpaced camp %d reads its cross-check", i);
}

int main(void)
{
	what_is_due();
	within_the_night();
	return done_testing();
}
