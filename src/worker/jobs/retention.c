/* retention.c: nightly, history older than 3 months goes (PRD §5.3, §9.5); money never does. */
#include "jobfns.h"
#include "worker.h"
#include "camp.h"
#include "clock.h"
#include "db.h"
#include "log.h"

#include <json-c/json.h>
#include <stdlib.h>

/* Rows per transaction: short locks, and a stop between batches. */
#define RETENTION_BATCH "5000"
#define RETENTION_BATCH_N 5000
#define CUTOFF "($1::timestamptz - interval '3 months')"

/* What goes.  Financial rows (payments, WeChat transactions, refunds and their status
 * logs, payment exceptions, the payment audit log) are not listed here, and the database
 * refuses DELETE on them anyway (009_operations.sql).  Kept as well: camp and member
 * status logs (the history behind the figures reports still show) and check-in records
 * (the counts refunds were decided on); only their raw ZSXQ payload goes. */
static const struct db_stmt q_oplog = DB_STMT(
	"DELETE FROM operation_log WHERE id IN (SELECT id FROM operation_log"
	" WHERE created_at < " CUTOFF " ORDER BY id LIMIT " RETENTION_BATCH ")");
static const struct db_stmt q_logins = DB_STMT(
	"DELETE FROM login_attempt WHERE id IN (SELECT id FROM login_attempt"
	" WHERE created_at < " CUTOFF " ORDER BY id LIMIT " RETENTION_BATCH ")");
static const struct db_stmt q_runs = DB_STMT(
	"DELETE FROM job_run WHERE id IN (SELECT id FROM job_run"
	" WHERE started_at < " CUTOFF " AND outcome <> 'running' ORDER BY id LIMIT " RETENTION_BATCH ")");
static const struct db_stmt q_queue = DB_STMT(
	"DELETE FROM job_queue WHERE id IN (SELECT id FROM job_queue"
	" WHERE state IN ('done', 'failed') AND COALESCE(finished_at, created_at) < " CUTOFF
	" AND NOT EXISTS (SELECT 1 FROM job_run r WHERE r.queue_id = job_queue.id)"
	" ORDER BY id LIMIT " RETENTION_BATCH ")");
static const struct db_stmt q_slots = DB_STMT(
	"DELETE FROM job_slot WHERE (job, slot_at) IN (SELECT job, slot_at FROM job_slot"
	" WHERE slot_at < " CUTOFF " LIMIT " RETENTION_BATCH ")");
static const struct db_stmt q_outbox = DB_STMT(
	"DELETE FROM notification_message WHERE id IN (SELECT id FROM notification_message"
	" WHERE send_status = 'sent' AND created_at < " CUTOFF " ORDER BY id LIMIT " RETENTION_BATCH ")");
static const struct db_stmt q_backups = DB_STMT(
	"DELETE FROM backup_run WHERE id IN (SELECT id FROM backup_run"
	" WHERE finished_at < " CUTOFF " ORDER BY id LIMIT " RETENTION_BATCH ")");
static const struct db_stmt q_raw_sync = DB_STMT(
	"UPDATE checkin_record SET raw_data = NULL WHERE id IN (SELECT id FROM checkin_record"
	" WHERE raw_data IS NOT NULL AND synced_at < " CUTOFF " ORDER BY id LIMIT " RETENTION_BATCH ")");

/* Finished more than 3 months ago (by the Shanghai date) and settled: no refund attempt
 * still open (the latest attempt of each payment) and no payment exception unresolved.
 * A camp with open money business stays in the lists until someone settles it. */
static const struct db_stmt q_archive = DB_STMT(
	"WITH a AS ("
	" UPDATE training_camp c SET archived_at = $1::timestamptz"
	"  WHERE c.status = 'finished' AND c.archived_at IS NULL AND c.deleted_at IS NULL"
	"    AND c.end_date < ($1::timestamptz AT TIME ZONE 'Asia/Shanghai')::date - interval '3 months'"
	"    AND NOT EXISTS (SELECT 1 FROM refund_record r"
	"         WHERE r.camp_id = c.id AND r.deleted_at IS NULL"
	"           AND r.refund_status IN ('pending', 'approved', 'processing', 'failed', 'closed', 'abnormal')"
	"           AND NOT EXISTS (SELECT 1 FROM refund_record n WHERE n.payment_id = r.payment_id"
	"                 AND n.id > r.id AND n.deleted_at IS NULL))"
	"    AND NOT EXISTS (SELECT 1 FROM payment_exception e"
	"         WHERE e.camp_id = c.id AND e.status IN ('open', 'refunding'))"
	" RETURNING c.id)"
	" INSERT INTO camp_status_log (camp_id, from_status, to_status, event, remark, created_at)"
	" SELECT id, 'finished', 'finished', 'ARCHIVE', '结束超过 3 个月且已结清，系统自动归档',"
	"        $1::timestamptz FROM a RETURNING camp_id");

struct sweep {
	const char *name;              /* the detail key */
	const struct db_stmt *stmt;
};

static const struct sweep sweeps[] = {
	{ "operation_log", &q_oplog },
	{ "login_attempt", &q_logins },
	{ "job_run", &q_runs },
	{ "job_queue", &q_queue },
	{ "job_slot", &q_slots },
	{ "notification_message", &q_outbox },
	{ "backup_run", &q_backups },
	{ "checkin_raw_data", &q_raw_sync },
};

/* One sweep to the end, batch by batch (each batch its own transaction). */
static int run_sweep(struct job_ctx *c, const struct sweep *s, const char *now, long *total)
{
	const char *p[] = { now };
	*total = 0;
	for (;;) {
		if (job_stopping(c)) {
			c->interrupted = 1;
			return CAMP_OK;
		}
		PGresult *res = db_q(c->db, c->a, s->stmt, 1, p);
		if (res == NULL) {
			job_fail(c, "%s: %s", s->name, db_errmsg(c->db));
			return CAMP_EDB;
		}
		long n = atol(PQcmdTuples(res));
		*total += n;
		if (n < RETENTION_BATCH_N)
			return CAMP_OK;
	}
}

int job_retention(struct job_ctx *c)
{
	char now[40];
	clock_now_param(now, sizeof(now));
	struct json_object *deleted = json_object_new_object();
	json_object_object_add(c->detail, "deleted", deleted);
	json_object_object_add(c->detail, "now", json_object_new_string(now));
	int rc = CAMP_OK;
	for (size_t i = 0; i < CAMP_ARRAY_LEN(sweeps) && rc == CAMP_OK && !c->interrupted; i++) {
		long n = 0;
		rc = run_sweep(c, &sweeps[i], now, &n);
		json_object_object_add(deleted, sweeps[i].name, json_object_new_int64(n));
		job_progress(c, (long)i + 1, (long)CAMP_ARRAY_LEN(sweeps) + 1, sweeps[i].name);
	}
	if (rc != CAMP_OK || c->interrupted)
		return rc;
	const char *p[] = { now };
	if (db_begin(c->db) != CAMP_OK) {
		job_fail(c, "archive: %s", db_errmsg(c->db));
		return CAMP_EDB;
	}
	PGresult *res = db_q(c->db, c->a, &q_archive, 1, p);
	if (res == NULL || db_commit(c->db) != CAMP_OK) {
		job_fail(c, "archive: %s", db_errmsg(c->db));
		db_rollback(c->db);
		return CAMP_EDB;
	}
	struct json_object *ids = json_object_new_array();
	for (int i = 0; i < PQntuples(res); i++)
		json_object_array_add(ids, json_object_new_int64(db_get_ll(res, i, "camp_id", 0)));
	json_object_object_add(c->detail, "archived_camps", ids);
	if (PQntuples(res) > 0)
		log_info("retention: archived %d camp(s)", PQntuples(res));
	return CAMP_OK;
}
