/* checkins.h: check-in sync requests ("立即同步") and what pages show of check-ins. */
#ifndef CAMP_DOMAIN_CHECKINS_H
#define CAMP_DOMAIN_CHECKINS_H

#include "arena.h"

struct db;

/* Queues sync-checkins for one camp, in the caller's transaction.
 * CAMP_OK with *job_id; CAMP_ENOTFOUND (no such camp); CAMP_EINVAL (the camp
 * has no ZSXQ project id); CAMP_EBUSY when a sync is queued, running, or the
 * job's advisory lock is held (the nightly run): "同步进行中". */
int checkin_sync_request(struct db *d, arena *a, long long camp_id, long long user_id,
                         long long *job_id);

#endif
