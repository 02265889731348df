/* checkins.c: queueing a camp's check-in sync, refusing while one is in progress. */
#include "checkins.h"
#include "camp.h"
#include "db.h"
#include "audit.h"
#include "clock.h"
#include "config.h"
#include "env.h"
#include "jobs.h"
#include "planet_token.h"
#include "zsxq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static const struct db_stmt q_list = DB_STMT(
	"SELECT COALESCE(cm.filled_planet_nickname, cm.filled_wechat_nickname) AS member_name,"
	"       cm.id AS member_id, pu.planet_nickname, pu.planet_user_id, c.name AS camp_name,"
	"       cr.checkin_date::text AS d,"
	"       to_char(cr.checkin_time AT TIME ZONE 'Asia/Shanghai', 'HH24:MI:SS') AS t,"
	"       COALESCE(cm.checkin_count, 0) AS checkin_count, COALESCE(cm.checkin_rate, 0)::text AS rate,"
	"       COALESCE(cm.eligible_for_refund, false) AS eligible, count(*) OVER () AS total"
	"  FROM checkin_record cr"
	"  JOIN training_camp c ON c.id = cr.camp_id AND c.deleted_at IS NULL"
	"  JOIN planet_user pu ON pu.id = cr.planet_user_id"
	"  LEFT JOIN camp_member cm ON cm.id = cr.member_id AND cm.deleted_at IS NULL"
	" WHERE ($1::boolean OR EXISTS (SELECT 1 FROM camp_member_relation r"
	"                               WHERE r.camp_id = cr.camp_id AND r.user_id = $2))"
	"   AND ($3::bigint IS NULL OR cr.camp_id = $3)"
	"   AND ($4::text IS NULL OR strpos(lower(pu.planet_nickname), lower($4)) > 0"
	"        OR pu.planet_user_id = $4 OR strpos(lower(cm.filled_planet_nickname), lower($4)) > 0"
	"        OR strpos(lower(cm.filled_wechat_nickname), lower($4)) > 0)"
	"   AND ($5::date IS NULL OR cr.checkin_date >= $5::date)"
	"   AND ($6::date IS NULL OR cr.checkin_date <= $6::date)"
	" ORDER BY cr.checkin_date DESC, cr.checkin_time DESC, cr.id DESC"
	" LIMIT $7 OFFSET $8");

int checkin_list(struct db *d, arena *a, const struct binding_actor *who,
                 const struct checkin_filter *f, struct checkin_row **out, int *n, long long *total)
{
	const char *p[] = { who->all_camps ? "t" : "f", arena_i64(a, who->user_id),
	                    f->camp_id > 0 ? arena_i64(a, f->camp_id) : NULL,
	                    f->q && *f->q ? f->q : NULL, f->from, f->to,
	                    f->limit > 0 ? arena_i64(a, f->limit) : NULL, arena_i64(a, f->offset) };
	PGresult *res = db_q(d, a, &q_list, 8, p);
	if (res == NULL)
		return CAMP_EDB;
	*n = PQntuples(res);
	*total = *n > 0 ? db_get_ll(res, 0, "total", 0) : 0;
	*out = arena_alloc(a, ((size_t)*n + 1) * sizeof(**out));
	for (int i = 0; i < *n; i++) {
		struct checkin_row *x = &(*out)[i];
		x->member_name = arena_strdup(a, db_get(res, i, "member_name"));
		x->member_id = db_get_ll(res, i, "member_id", 0);
		x->planet_nickname = arena_strdup(a, db_get(res, i, "planet_nickname"));
		x->planet_user_id = arena_strdup(a, db_get(res, i, "planet_user_id"));
		x->camp_name = arena_strdup(a, db_get(res, i, "camp_name"));
		x->date = arena_strdup(a, db_get(res, i, "d"));
		x->time = arena_strdup(a, db_get(res, i, "t"));
		x->checkin_count = (int)db_get_ll(res, i, "checkin_count", 0);
		x->rate = arena_strdup(a, db_get(res, i, "rate"));
		x->eligible = db_get_bool(res, i, "eligible");
	}
	return CAMP_OK;
}

static const struct db_stmt q_camp_seen = DB_STMT(
	"SELECT c.name, c.start_date::text AS s, c.end_date::text AS e, c.required_days"
	"  FROM training_camp c WHERE c.id = $3 AND c.deleted_at IS NULL"
	"   AND ($1::boolean OR EXISTS (SELECT 1 FROM camp_member_relation r"
	"                               WHERE r.camp_id = c.id AND r.user_id = $2))");
static const struct db_stmt q_progress = DB_STMT(
	"SELECT cm.id, COALESCE(cm.filled_planet_nickname, cm.filled_wechat_nickname, '') AS name,"
	"       cm.checkin_count, cm.checkin_rate::text AS rate, cm.eligible_for_refund,"
	"       COALESCE((SELECT string_agg(cr.checkin_date::text, ',' ORDER BY cr.checkin_date)"
	"                   FROM checkin_record cr WHERE cr.camp_id = cm.camp_id"
	"                    AND cr.planet_user_id = cm.planet_user_id), '') AS dates,"
	"       avg(cm.checkin_rate) OVER ()::numeric(7,2)::text AS avg_rate,"
	"       count(*) FILTER (WHERE cm.eligible_for_refund) OVER () AS eligible_n,"
	"       to_char(cm.last_checkin_time AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') AS last_time"
	"  FROM camp_member cm"
	" WHERE cm.camp_id = $1 AND cm.paid AND cm.deleted_at IS NULL"
	" ORDER BY cm.checkin_count DESC, cm.id");

int checkin_progress(struct db *d, arena *a, const struct binding_actor *who, long long camp_id,
                     struct camp_progress *out)
{
	memset(out, 0, sizeof(*out));
	const char *pc[] = { who->all_camps ? "t" : "f", arena_i64(a, who->user_id), arena_i64(a, camp_id) };
	PGresult *c = db_q(d, a, &q_camp_seen, 3, pc);
	if (c == NULL)
		return CAMP_EDB;
	if (PQntuples(c) != 1)
		return CAMP_ENOTFOUND;
	out->camp_name = arena_strdup(a, db_get(c, 0, "name"));
	out->start_date = arena_strdup(a, db_get(c, 0, "s"));
	out->end_date = arena_strdup(a, db_get(c, 0, "e"));
	out->required_days = (int)db_get_ll(c, 0, "required_days", 1);
	const char *p[] = { arena_i64(a, camp_id) };
	PGresult *res = db_q(d, a, &q_progress, 1, p);
	if (res == NULL)
		return CAMP_EDB;
	out->n = PQntuples(res);
	out->total_members = out->n;
	out->avg_rate = out->n > 0 ? arena_strdup(a, db_get(res, 0, "avg_rate")) : "0.00";
	out->eligible_members = out->n > 0 ? (int)db_get_ll(res, 0, "eligible_n", 0) : 0;
	out->members = arena_alloc(a, ((size_t)out->n + 1) * sizeof(*out->members));
	for (int i = 0; i < out->n; i++) {
		struct progress_member *m = &out->members[i];
		m->id = db_get_ll(res, i, "id", 0);
		m->name = arena_strdup(a, db_get(res, i, "name"));
		m->days = (int)db_get_ll(res, i, "checkin_count", 0);
		m->rate = arena_strdup(a, db_get(res, i, "rate"));
		m->eligible = db_get_bool(res, i, "eligible_for_refund");
		m->dates = arena_strdup(a, db_get(res, i, "dates"));
		m->last_time = arena_strdup(a, db_get(res, i, "last_time"));
	}
	return CAMP_OK;
}

static const struct db_stmt q_member_dates = DB_STMT(
	"SELECT COALESCE(string_agg(cr.checkin_date::text, ',' ORDER BY cr.checkin_date), '') AS dates"
	"  FROM camp_member cm JOIN checkin_record cr"
	"    ON cr.camp_id = cm.camp_id AND cr.planet_user_id = cm.planet_user_id"
	" WHERE cm.id = $1");

int checkin_member_dates(struct db *d, arena *a, long long member_id, const char **dates)
{
	const char *p[] = { arena_i64(a, member_id) };
	PGresult *res = db_q(d, a, &q_member_dates, 1, p);
	if (res == NULL)
		return CAMP_EDB;
	*dates = arena_strdup(a, db_get(res, 0, "dates"));
	return CAMP_OK;
}

int checkin_zsxq_client(struct db *d, arena *a, struct zsxq_client *z)
{
	memset(z, 0, sizeof(*z));
	char *token = config_get(d, "planet.cookie");
	char *group = config_get(d, "planet.group_id");
	long long interval = config_get_ll(d, "planet.min_interval_ms", 500);
	z->base_url = camp_env()->zsxq_base;
	z->token = arena_strdup(a, token);
	z->group_id = arena_strdup(a, group);
	z->min_interval_ms = interval < 0 ? 0 : (long)interval;
	free(token);
	free(group);
	if (z->token == NULL || !*z->token || z->group_id == NULL || !*z->group_id ||
	    z->base_url == NULL || !*z->base_url)
		return CAMP_ENOTFOUND;
	return CAMP_OK;
}

static const struct db_stmt q_publish_camp = DB_STMT(
	"SELECT name, COALESCE(description, '') AS description, total_days, required_days,"
	" end_date::text AS end_date, planet_project_id, status"
	" FROM training_camp WHERE id = $1 AND deleted_at IS NULL");
static const struct db_stmt q_publish_store = DB_STMT(
	"UPDATE training_camp SET planet_project_id = $2 WHERE id = $1 AND planet_project_id IS NULL");
static const struct db_stmt q_publish_log = DB_STMT(
	"INSERT INTO camp_status_log (camp_id, from_status, to_status, event, operator_id, remark, created_at)"
	" VALUES ($1, $2, $2, 'PUBLISH', NULLIF($3, '0')::bigint, $4, $5::timestamptz)");

int checkin_publish_camp(struct db *d, arena *a, long long camp_id, long long user_id,
                         const char **checkin_id, const char **why)
{
	*checkin_id = NULL;
	*why = NULL;
	const char *cid = arena_i64(a, camp_id);
	PGresult *res = db_q(d, a, &q_publish_camp, 1, (const char *[]){ cid });
	if (res == NULL)
		return CAMP_EDB;
	if (PQntuples(res) != 1) {
		*why = "训练营不存在";
		return CAMP_ENOTFOUND;
	}
	if (db_get(res, 0, "planet_project_id") != NULL) {
		*checkin_id = arena_strdup(a, db_get(res, 0, "planet_project_id"));
		return CAMP_OK;      /* published already: nothing to do */
	}
	struct zsxq_client z;
	if (checkin_zsxq_client(d, a, &z) != CAMP_OK) {
		*why = "知识星球未配置（planet.cookie / planet.group_id）";
		return CAMP_ENOTFOUND;
	}
	const char *name = arena_strdup(a, db_get(res, 0, "name"));
	const char *status = arena_strdup(a, db_get(res, 0, "status"));
	int required = (int)db_get_ll(res, 0, "required_days", 0);
	/* ZSXQ has no required-days field: the rule lives in the project's text */
	const char *text = arena_printf(a, "%s%s打卡要求：%lld 天中完成 %d 天打卡。",
	                                db_get(res, 0, "description"),
	                                *db_get(res, 0, "description") ? "\n\n" : "",
	                                db_get_ll(res, 0, "total_days", 0), required);
	const char *expires = arena_printf(a, "%sT23:59:59.000+0800", db_get(res, 0, "end_date"));
	int rc = zsxq_create_project(&z, a, name, text, required, expires, checkin_id);
	if (planet_token_note(d, a, &z, rc) != CAMP_OK)
		return CAMP_EDB;
	if (rc != CAMP_OK) {
		*why = arena_strdup(a, z.error);
		return rc;
	}
	char now[40];
	clock_now_param(now, sizeof(now));
	struct audit e = { .operator_id = user_id, .operator_name = user_id ? NULL : "camp-worker",
	                   .type = "PUBLISH_CAMP", .desc = arena_printf(a, "发布到知识星球，打卡项目 %s", *checkin_id),
	                   .target_type = "camp", .target_id = camp_id, .target_name = name };
	if (db_begin(d) != CAMP_OK)
		return CAMP_EDB;
	const char *lp[] = { cid, status, arena_i64(a, user_id), arena_printf(a, "知识星球打卡项目 %s", *checkin_id), now };
	if (db_q(d, a, &q_publish_store, 2, (const char *[]){ cid, *checkin_id }) == NULL ||
	    db_q(d, a, &q_publish_log, 5, lp) == NULL || audit_log(d, a, &e) != CAMP_OK ||
	    db_commit(d) != CAMP_OK) {
		db_rollback(d);
		*why = "保存打卡项目ID失败";
		return CAMP_EDB;
	}
	return CAMP_OK;
}
