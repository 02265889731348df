/* camp_status.c: the camp-status job — camps start and finish by their dates. */
#include "jobfns.h"
#include "worker.h"
#include "camp.h"
#include "clock.h"
#include "dates.h"
#include "db.h"
#include "log.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

/* Camps whose status is behind the calendar: started on or before today,
 * or ended before today. */
static const struct db_stmt q_due = DB_STMT(
	"SELECT id, status, start_date::text AS start_date, end_date::text AS end_date"
	"  FROM training_camp"
	" WHERE deleted_at IS NULL"
	"   AND ((status = 'not_started' AND start_date <= $1::date)"
	"     OR (status = 'ongoing' AND end_date < $1::date))"
	" ORDER BY id");
/* Conditional on the old status: a concurrent run or an admin's edit wins. */
static const struct db_stmt q_move = DB_STMT(
	"UPDATE training_camp SET status = $3"
	" WHERE id = $1::bigint AND status = $2 AND deleted_at IS NULL RETURNING id");
static const struct db_stmt q_log = DB_STMT(
	"INSERT INTO camp_status_log (camp_id, from_status, to_status, event, operator_id,"
	" remark, created_at) VALUES ($1::bigint, $2, $3, $4, NULL, $5, $6::timestamptz)");

/* One transition and its log row; 1 when it happened, 0 when the camp had
 * moved already, -1 on a database error. */
static int move(struct job_ctx *c, const char *id, const char *from, const char *to,
                const char *event, const char *remark)
{
	char now[40];
	const char *p[] = { id, from, to };
	PGresult *res = db_q(c->db, c->a, &q_move, 3, p);
	if (res == NULL)
		return -1;
	if (PQntuples(res) == 0)
		return 0;
	const char *l[] = { id, from, to, event, remark, clock_now_param(now, sizeof(now)) };
	return db_q(c->db, c->a, &q_log, 6, l) ? 1 : -1;
}

/* One camp, one transaction: not_started may go straight on to finished
 * when both dates have passed (each step logged). */
static int update_camp(struct job_ctx *c, const PGresult *res, int i, cday today,
                       int *started, int *finished)
{
	const char *id = db_get(res, i, "id");
	const char *status = db_get(res, i, "status");
	cday end;
	if (cday_parse(db_get(res, i, "end_date"), &end) != CAMP_OK)
		return CAMP_ERR;
	if (db_begin(c->db) != CAMP_OK)
		return CAMP_EDB;
	int ok = 1, s = 0, f = 0;
	if (strcmp(status, "not_started") == 0) {
		int m = move(c, id, "not_started", "ongoing", "START",
		             arena_printf(c->a, "开始日期 %s 已到，系统自动开营",
		                          db_get(res, i, "start_date")));
		ok = m >= 0;
		s = m == 1;
		if (s)
			status = "ongoing";
	}
	if (ok && strcmp(status, "ongoing") == 0 && end < today) {
		int m = move(c, id, "ongoing", "finished", "END",
		             arena_printf(c->a, "结束日期 %s 已过，系统自动结营",
		                          db_get(res, i, "end_date")));
		ok = m >= 0;
		f = m == 1;
	}
	if (!ok || db_commit(c->db) != CAMP_OK) {
		db_rollback(c->db);
		return CAMP_EDB;
	}
	*started += s;
	*finished += f;
	if (s || f)
		log_info("camp-status: camp %s%s%s", id, s ? " started" : "", f ? " finished" : "");
	return CAMP_OK;
}

int job_camp_status(struct job_ctx *c)
{
	cday today = cday_of(camp_now());
	char day[12];
	cday_format(today, day, sizeof(day));
	const char *p[] = { day };
	PGresult *res = db_q(c->db, c->a, &q_due, 1, p);
	if (res == NULL) {
		job_fail(c, "cannot list camps: %s", db_errmsg(c->db));
		return CAMP_EDB;
	}
	int n = PQntuples(res), started = 0, finished = 0, done = 0, rc = CAMP_OK;
	job_progress(c, 0, n, NULL);
	for (int i = 0; i < n && rc == CAMP_OK; i++) {
		if (job_stopping(c)) {
			c->interrupted = 1;
			break;
		}
		rc = update_camp(c, res, i, today, &started, &finished);
		if (rc != CAMP_OK)
			job_fail(c, "camp %s: %s", db_get(res, i, "id"), db_errmsg(c->db));
		else
			job_progress(c, ++done, n, NULL);
	}
	json_object_object_add(c->detail, "today", json_object_new_string(day));
	json_object_object_add(c->detail, "checked", json_object_new_int(done));
	json_object_object_add(c->detail, "started", json_object_new_int(started));
	json_object_object_add(c->detail, "finished", json_object_new_int(finished));
	return rc;
}
