/* sync_plan.h: which ZSXQ listings each camp's sync reads tonight, within the night's time (issue #18). */
#ifndef CAMP_DOMAIN_SYNC_PLAN_H
#define CAMP_DOMAIN_SYNC_PLAN_H

#include <stddef.h>
#include <time.h>

#include "dates.h"

/* Re-read this much before the last good sync: late-indexed posts are caught, storing is
 * idempotent; kept short because every 20 posts cost a paced call. */
#define SYNC_OVERLAP_S (6 * 3600L)
/* The leaderboard (a cross-check of the days, and the users' aliases: ~members/21 calls) is
 * read on a camp's first sync, once after its last day, once a week, and when staff sync the
 * camp by hand; every other night only the posts since the overlap (~members/20 calls). */
#define SYNC_BOARD_EVERY_DAYS 7
/* The PRD gives the nightly run 5 minutes; the plan fills 4 of them at the pacing, counting
 * each call at 1.5 paced calls (a quarter of real calls is refused with 1059: a third more
 * tries, each paced and backing off, measured by bench/sync), and leaves the fifth for the
 * unlucky (a camp whose listing failed six times in a row is read again). */
#define SYNC_NIGHT_BUDGET_S 240
#define SYNC_CALL_COST_PERMILLE 1500

struct sync_plan_camp {
	/* in */
	cday start_day, end_day;
	long members;                /* paid members: posts and leaderboard entries to expect */
	time_t last_ok, last_board;  /* the last good sync, the last that read the leaderboard; 0 = none */
	int asked;                   /* staff asked for this camp alone */
	/* out */
	time_t since;                /* read posts from here on */
	int board;                   /* read the leaderboard and the statistics tonight */
	int deferred;                /* a cross-check was due but waits for a later night (time) */
	long calls;                  /* the calls planned for it (retries not counted) */
};

/* Plans a run of n camps at now with calls spaced min_interval_ms apart: every camp reads
 * its posts; the leaderboard wherever it is due and cannot wait (asked, first sync, the
 * last night after the camp's end that is still synced), then the ones that can wait
 * (the first night after the end, then weekly, the longest unread first) while the
 * night's time lasts.  No pacing: everything due.  Returns the calls planned. */
long sync_plan(struct sync_plan_camp *c, size_t n, time_t now, long min_interval_ms);

#endif
