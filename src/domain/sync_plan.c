/* sync_plan.c: which ZSXQ listings each camp's sync reads tonight, within the night's time (issue #18). */
#include "sync_plan.h"
#include "zsxq.h"

#include <limits.h>
#include <stdlib.h>

enum { DUE_NO, DUE_NOW, DUE_FINAL, DUE_WEEKLY };

static long ceil_div(long a, long b)
{
	return (a + b - 1) / b;
}

/* Posts since `since`: one a member a day, 20 a page, and the page that ends the listing. */
static long posts_calls(const struct sync_plan_camp *c, time_t now)
{
	long window = now > c->since ? (long)(now - c->since) : 0;
	return ceil_div((long)((double)c->members * window / 86400.0), ZSXQ_TOPIC_PAGE) + 1;
}

/* The leaderboard, 21 a page up to a short one, and the statistics call. */
static long board_calls(const struct sync_plan_camp *c)
{
	return c->members / ZSXQ_RANK_PAGE + 1 + 1;
}

static int due(const struct sync_plan_camp *c, time_t now)
{
	cday today = cday_of(now);
	time_t after_end = cday_start(c->end_day + 1);
	if (c->asked || c->last_ok == 0 || c->last_board == 0)
		return DUE_NOW;
	if (now >= after_end && c->last_board < after_end)      /* the cross-check before refunds */
		return today >= c->end_day + 2 ? DUE_NOW : DUE_FINAL; /* the camp's last synced night */
	if (today - cday_of(c->last_board) >= SYNC_BOARD_EVERY_DAYS)
		return DUE_WEEKLY;
	return DUE_NO;
}

long sync_plan(struct sync_plan_camp *c, size_t n, time_t now, long min_interval_ms)
{
	long budget = min_interval_ms > 0
	              ? SYNC_NIGHT_BUDGET_S * 1000L * 1000 / (min_interval_ms * SYNC_CALL_COST_PERMILLE)
	              : LONG_MAX;
	long used = 0;
	int *why = calloc(n + 1, sizeof(*why));
	if (why == NULL)
		abort();
	for (size_t i = 0; i < n; i++) {
		time_t start = cday_start(c[i].start_day);
		c[i].since = c[i].last_ok - SYNC_OVERLAP_S > start ? c[i].last_ok - SYNC_OVERLAP_S : start;
		c[i].calls = posts_calls(&c[i], now);
		c[i].board = c[i].deferred = 0;
		why[i] = due(&c[i], now);
		if (why[i] == DUE_NOW) {
			c[i].board = 1;
			c[i].calls += board_calls(&c[i]);
		}
		used += c[i].calls;
	}
	/* the ones that can wait: final checks first, then weekly ones, the longest unread first */
	for (int kind = DUE_FINAL; kind <= DUE_WEEKLY; kind++) {
		for (;;) {
			size_t best = n;
			for (size_t i = 0; i < n; i++)
				if (why[i] == kind && !c[i].board && !c[i].deferred &&
				    (best == n || c[i].last_board < c[best].last_board))
					best = i;
			if (best == n)
				break;
			long more = board_calls(&c[best]);
			if (used <= budget - more) {
				c[best].board = 1;
				c[best].calls += more;
				used += more;
			} else {
				c[best].deferred = 1;
			}
		}
	}
	free(why);
	return used;
}
