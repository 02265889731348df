/* zsxq.h: the ZSXQ (知识星球) app API client: leaderboard and check-in posts (PROTOCOLS §4). */
#ifndef CAMP_ZSXQ_H
#define CAMP_ZSXQ_H

#include <stddef.h>
#include <time.h>

#include "arena.h"

#define ZSXQ_RANK_PAGE 21        /* leaderboard items per page */
#define ZSXQ_TOPIC_PAGE 20       /* check-in posts asked per page */
#define ZSXQ_MAX_PAGES 2000      /* per listing: a runaway paging loop stops here */
#define ZSXQ_TRIES 3

/* One client per run: pacing state lives here.  Fill the first four fields;
 * the rest start zeroed. */
struct zsxq_client {
	const char *base_url;        /* CAMP_ZSXQ_BASE_URL, no trailing slash */
	const char *token;           /* planet.cookie */
	const char *group_id;        /* planet.group_id */
	long min_interval_ms;        /* planet.min_interval_ms */
	long backoff_ms;             /* first retry delay; 0 = 300 */
	long long last_call_ms;      /* monotonic time of the last call */
	long calls;                  /* HTTP requests made (tries included) */
	long long wait_ms;           /* time spent in HTTP calls, pacing and backoff */
	char error[256];             /* why the last call failed, for people */
};

struct zsxq_rank {
	const char *user_id;         /* decimal text */
	const char *name, *alias;    /* alias may be "" */
	long rankings;
	int checkined_days;
};

struct zsxq_topic {
	const char *topic_id, *user_id;
	const char *name, *text;
	const char *create_time;     /* as ZSXQ wrote it */
	time_t t;
};

/* Every listing returns CAMP_OK, CAMP_EEXPIRED when the token is no longer
 * accepted (HTTP 401/403, or a failure whose error mentions login/token: not
 * retried), CAMP_EPROVIDER when a call failed 3 times (the listing is then
 * incomplete and must not be stored), or CAMP_ETOOBIG past ZSXQ_MAX_PAGES.
 * Results live on the arena. */

/* The whole leaderboard of a project: pages of 21, the next index being the
 * last item's rankings, until an empty or short page. */
int zsxq_leaderboard(struct zsxq_client *z, arena *a, const char *checkin_id,
                     struct zsxq_rank **out, size_t *n);

/* Check-in posts newest first, paged backwards by end_time, down to (and
 * excluding) posts older than since (0 = everything). */
int zsxq_topics(struct zsxq_client *z, arena *a, const char *checkin_id, time_t since,
                struct zsxq_topic **out, size_t *n);

/* statistics.joined_count of a project. */
int zsxq_joined_count(struct zsxq_client *z, arena *a, const char *checkin_id, long *out);

/* Creates a check-in project (POST /v2/groups/{gid}/checkins, PROTOCOLS §4);
 * expiration_time like "2026-12-17T23:59:59.000+0800".  *checkin_id = the
 * new project's id (decimal text). */
int zsxq_create_project(struct zsxq_client *z, arena *a, const char *title, const char *text,
                        int checkin_days, const char *expiration_time, const char **checkin_id);

/* One cheap authenticated call (the group's ongoing projects): 测试连接. */
int zsxq_check(struct zsxq_client *z, arena *a);

/* 1 when an HTTP status / error text means the token expired (exposed for tests). */
int zsxq_is_expired(long http_status, const char *error);

#endif
