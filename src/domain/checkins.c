/* checkins.c: queueing a camp's check-in sync, refusing while one is in progress. */
#include "checkins.h"
#include "camp.h"
#include "db.h"
#include "jobs.h"

#include <stdlib.h>

static const struct db_stmt q_camp = DB_STMT(
	"SELECT COALESCE(planet_project_id, '') <> '' AS has_project FROM training_camp"
	" WHERE id = $1 AND deleted_at IS NULL");
static const struct db_stmt q_pending = DB_STMT(
	"SELECT EXISTS (SELECT 1 FROM job_queue WHERE kind = 'sync-checkins'"
	"                  AND state IN ('queued', 'running')) AS busy");
static const struct db_stmt q_try = DB_STMT(
	"SELECT pg_try_advisory_lock(hashtextextended('camp-job:' || $1, 0)) AS got");
static const struct db_stmt q_unlock = DB_STMT(
	"SELECT pg_advisory_unlock(hashtextextended('camp-job:' || $1, 0))");

int checkin_sync_request(struct db *d, arena *a, long long camp_id, long long user_id,
                         long long *job_id)
{
	const char *pc[] = { arena_i64(a, camp_id) };
	PGresult *res = db_q(d, a, &q_camp, 1, pc);
	if (res == NULL)
		return CAMP_EDB;
	if (PQntuples(res) != 1)
		return CAMP_ENOTFOUND;
	if (!db_get_bool(res, 0, "has_project"))
		return CAMP_EINVAL;
	res = db_q(d, a, &q_pending, 0, NULL);
	if (res == NULL)
		return CAMP_EDB;
	if (db_get_bool(res, 0, "busy"))
		return CAMP_EBUSY;
	/* the nightly run holds the job's lock without a queue row */
	const char *pk[] = { "sync-checkins" };
	res = db_q(d, a, &q_try, 1, pk);
	if (res == NULL)
		return CAMP_EDB;
	if (!db_get_bool(res, 0, "got"))
		return CAMP_EBUSY;
	if (db_q(d, a, &q_unlock, 1, pk) == NULL)
		return CAMP_EDB;
	*job_id = job_enqueue(d, a, "sync-checkins",
	                      arena_printf(a, "{\"camp_id\":%lld}", camp_id), user_id);
	return *job_id > 0 ? CAMP_OK : CAMP_EDB;
}
