/* planet_token.h: the ZSXQ token's life as ZSXQ tells it (x-expire-in), and the warning before it ends. */
#ifndef CAMP_DOMAIN_PLANET_TOKEN_H
#define CAMP_DOMAIN_PLANET_TOKEN_H

#include <time.h>

#include "arena.h"

struct db;
struct zsxq_client;

#define PLANET_TOKEN_WARN_DAYS 3     /* staff are warned daily from this many days before expiry */

struct planet_token {
	int known;                   /* ZSXQ told us the life of the token configured now */
	int rejected;                /* ZSXQ refused that token (401) since */
	time_t expires_at;
	long days_left;              /* whole days, rounded up; 0 once it has passed */
	const char *expires_text;    /* "2026-12-21 01:00" (Asia/Shanghai) */
};

/* Records what a client's calls learned: the last x-expire-in (z->have_expire),
 * or, with rc == CAMP_EEXPIRED, that ZSXQ refused the token.  For the token
 * in planet.cookie; runs in the caller's transaction when one is open. */
int planet_token_note(struct db *d, arena *a, const struct zsxq_client *z, int rc);

/* What is known of the token configured now (known = 0 after it was replaced). */
int planet_token_load(struct db *d, arena *a, struct planet_token *out);

/* "剩余 29 天（2026-12-21 01:00 到期）", "已失效…", or "未知…", for the pages. */
const char *planet_token_text(arena *a, const struct planet_token *t);

/* From PLANET_TOKEN_WARN_DAYS days before expiry, a cookie_expired alert once
 * a day (once_key with the Shanghai date).  *queued (may be NULL) = rows. */
int planet_token_warn(struct db *d, arena *a, long *queued);

#endif
