/* zsxq.h: the ZSXQ (知识星球) app API client: leaderboard and check-in posts (PROTOCOLS §4). */
#ifndef CAMP_ZSXQ_H
#define CAMP_ZSXQ_H

#include <stddef.h>
#include <time.h>

#include "arena.h"

struct json_object;

#define ZSXQ_RANK_PAGE 21        /* leaderboard items per page */
#define ZSXQ_TOPIC_PAGE 20       /* check-in posts asked per page */
#define ZSXQ_MAX_PAGES 2000      /* per listing: a runaway paging loop stops here */
#define ZSXQ_TRIES 6             /* per call, for answers that may pass (1059, 1050, 5xx, 429, none) */
#define ZSXQ_RETRY_BASE 50       /* per run: retries allowed beyond one per successful call */
#define ZSXQ_BACKOFF_MIN_MS 10   /* the first retry waits max(this, min_interval_ms) … */
#define ZSXQ_BACKOFF_MAX_MS 10000 /* … doubling up to this, each with jitter (half to all of it) */

/* One client per run: pacing, the retry budget and the counters live here.
 * Fill the first four fields; the rest start zeroed. */
struct zsxq_client {
	const char *base_url;        /* CAMP_ZSXQ_BASE_URL, no trailing slash */
	const char *token;           /* planet.cookie */
	const char *group_id;        /* planet.group_id */
	long min_interval_ms;        /* planet.min_interval_ms */
	long backoff_ms;             /* first retry delay; 0 = max(min_interval_ms, ZSXQ_BACKOFF_MIN_MS) */
	long retry_base;             /* 0 = ZSXQ_RETRY_BASE */
	long long last_call_ms;      /* monotonic time of the last call */
	long calls;                  /* HTTP requests made (tries included) */
	long ok_calls;               /* calls answered with success */
	long retries;                /* tries after a first one, over the run */
	long long wait_ms;           /* time spent in HTTP calls, pacing and backoff */
	/* the token's life, from the last successful answer's x-expire-in */
	int have_expire;
	long long expire_in;         /* seconds */
	time_t expire_seen;          /* camp_now() when it came */
	/* the last failure */
	int transient;               /* it may pass later in the run (1059, 1050, 5xx, no answer) */
	int budget_spent;            /* the run's retries are used up: nothing more is retried */
	long code;                   /* ZSXQ's code, 0 when there was none */
	char error[256];             /* why, for people: names the code and info/error */
};

/* The run's retry budget: ZSXQ_RETRY_BASE (or retry_base) plus one retry per
 * successful call, so a quarter of refused calls passes and a dead service
 * ends the run after the base amount of backoff. */
long zsxq_retry_budget(const struct zsxq_client *z);

/* ---- answers (exposed for the unit tests) ---------------------------------- */

enum zsxq_verdict {
	ZSXQ_OK,                     /* succeeded, resp_data is an object */
	ZSXQ_EXPIRED,                /* code 401 in the body or HTTP 401/403: stop, alert, never retry */
	ZSXQ_TRANSIENT,              /* 1059 anti-bot, 1050 maintenance, 5xx, 429, unreadable */
	ZSXQ_REFUSED,                /* any other refusal (1004, 52010…): the same call fails again */
};

/* One answer's envelope: {"succeeded", "code", "info", "error", "resp_data"}. */
struct zsxq_answer {
	long status;                 /* HTTP */
	long code;                   /* 0 when the body has none */
	const char *info, *error;    /* "" when absent */
	struct json_object *data;    /* resp_data (ZSXQ_OK only; owned by the arena) */
};

/* Reads body (NUL-terminated, may be NULL) of an answer with HTTP status. */
enum zsxq_verdict zsxq_answer_read(arena *a, long status, const char *body, struct zsxq_answer *out);

/* "1050：数据系统升级中…" (code and info, and error when it says more), or "HTTP 502". */
const char *zsxq_answer_text(arena *a, const struct zsxq_answer *an);

/* ---- listings ---------------------------------------------------------------- */

struct zsxq_rank {
	const char *user_id;         /* decimal text */
	const char *name, *alias;    /* trimmed; "" when blank (alias usually is) */
	long rankings;
	int checkined_days;
};

struct zsxq_topic {
	const char *topic_id;        /* decimal text: 17 digits, never through a double */
	const char *user_id;
	const char *name, *text;     /* name trimmed, "" when blank */
	const char *create_time;     /* as ZSXQ wrote it */
	time_t t;
};

struct zsxq_ranks { struct zsxq_rank *v; size_t n, cap; };
struct zsxq_topics { struct zsxq_topic *v; size_t n, cap; long repeated; };

/* Appends one leaderboard page (resp_data) to l.  *len = items on the page,
 * *last = the highest `rankings` seen, where the next page starts (no cursor). */
void zsxq_ranks_page(arena *a, struct json_object *data, struct zsxq_ranks *l, size_t *len, long *last);

/* Appends one page of posts (resp_data) to l, skipping those older than since
 * (0 = none) and those already listed (the end_time boundary comes again:
 * counted in l->repeated).  *len = items on the page, *older = one was older
 * than since, *last_time = the page's last create_time (NULL on an empty page).
 * CAMP_EPROVIDER with err filled when a create_time cannot be read. */
int zsxq_topics_page(arena *a, struct json_object *data, time_t since, struct zsxq_topics *l,
                     size_t *len, int *older, const char **last_time, char *err, size_t errlen);

/* statistics.joined_count of a statistics answer (resp_data), -1 when absent. */
long zsxq_joined_of(struct json_object *data);

/* A check-in project (resp_data.checkin, or an item of resp_data.checkins). */
struct zsxq_project {
	const char *checkin_id, *title, *status;
	int checkin_days;
	int long_period;             /* no end: expires = 0 */
	time_t expires;              /* validity.expiration_time, 0 when none or "" */
	long joined;                 /* statistics.joined_count, -1 when absent */
};
/* CAMP_EINVAL when it has no checkin_id or an expiration_time that cannot be read. */
int zsxq_project_read(arena *a, struct json_object *checkin, struct zsxq_project *out);

/* ---- calls ----------------------------------------------------------------------- */

/* Every call returns CAMP_OK, CAMP_EEXPIRED when the token is no longer
 * accepted (never retried), CAMP_EPROVIDER when a call failed (z->transient
 * says whether a later try may pass, z->budget_spent whether the run may
 * still retry; z->error says why, with ZSXQ's code and text), or CAMP_ETOOBIG
 * past ZSXQ_MAX_PAGES.  A failed listing is incomplete and must not be
 * stored.  Results live on the arena. */

/* The whole leaderboard of a project: pages of 21, the next index being the
 * last item's rankings, until an empty or short page. */
int zsxq_leaderboard(struct zsxq_client *z, arena *a, const char *checkin_id, struct zsxq_ranks *out);

/* Check-in posts newest first, paged backwards by end_time (inclusive: the
 * boundary post comes again and is listed once), down to (and excluding)
 * posts older than since (0 = everything). */
int zsxq_topics(struct zsxq_client *z, arena *a, const char *checkin_id, time_t since,
                struct zsxq_topics *out);

/* statistics.joined_count of a project (members without a check-in included). */
int zsxq_joined_count(struct zsxq_client *z, arena *a, const char *checkin_id, long *out);

/* Creates a check-in project (POST /v2/groups/{gid}/checkins, PROTOCOLS §4);
 * expiration_time like "2026-12-17T23:59:59.000+0800".  *checkin_id = the
 * new project's id (decimal text).  Retried only on an explicit refusal
 * (1059/1050: nothing was created), never after no answer. */
int zsxq_create_project(struct zsxq_client *z, arena *a, const char *title, const char *text,
                        int checkin_days, const char *expiration_time, const char **checkin_id);

/* One cheap authenticated call (the group's ongoing projects): 测试连接.
 * *ongoing (may be NULL) = how many projects it listed. */
int zsxq_check(struct zsxq_client *z, arena *a, long *ongoing);

/* 1 when an answer means the token expired: HTTP 401/403, code 401 in the
 * body, or (no code at all) a text about logging in. */
int zsxq_is_expired(long http_status, long code, const char *text);

#endif
