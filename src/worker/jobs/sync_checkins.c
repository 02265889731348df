/* sync_checkins.c: pull ZSXQ check-ins per camp, store them in one transaction per camp, recompute members. */
#include "jobfns.h"
#include "alerts.h"
#include "worker.h"
#include "camp.h"
#include "clock.h"
#include "config.h"
#include "dates.h"
#include "db.h"
#include "env.h"
#include "log.h"
#include "matching.h"
#include "buf.h"
#include "checkins.h"
#include "planet_token.h"
#include "sync_plan.h"
#include "zsxq.h"
#include "jobs.h"

#include <json-c/json.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SYNC_LOG_DIFFS 20
/* A camp whose pull failed on a refusal that may pass (1059, 1050…) is tried again after the
 * other camps while the run's retry budget lasts.  The budget ends a dead service's run;
 * this cap (past what the base budget allows) only ends a camp whose pages keep failing
 * while others pass and feed the budget. */
#define SYNC_MAX_PASSES (ZSXQ_RETRY_BASE / (ZSXQ_TRIES - 1) + 2)

/* Ongoing camps and camps finished in the last 2 days (by dates, so a late
 * camp-status does not skip one), or exactly the one camp asked for. */
static const struct db_stmt q_camps = DB_STMT(
	"SELECT id, name, planet_project_id, start_date::text AS start_date,"
	"       end_date::text AS end_date, required_days,"
	"       (SELECT count(*) FROM camp_member m WHERE m.camp_id = training_camp.id AND m.paid"
	"         AND m.deleted_at IS NULL) AS members"
	"  FROM training_camp"
	" WHERE deleted_at IS NULL AND COALESCE(planet_project_id, '') <> ''"
	"   AND CASE WHEN $1::bigint IS NULL"
	"            THEN start_date <= $2::date AND end_date >= $2::date - 2"
	"            ELSE id = $1::bigint END"
	" ORDER BY id");
/* the last good sync, and the last one that read the leaderboard (its detail has "leaderboard") */
static const struct db_stmt q_last_ok = DB_STMT(
	"SELECT COALESCE(extract(epoch FROM max((e->>'synced_at')::timestamptz))::bigint, 0) AS t,"
	"       COALESCE(extract(epoch FROM max((e->>'synced_at')::timestamptz)"
	"                FILTER (WHERE e ? 'leaderboard'))::bigint, 0) AS board"
	"  FROM job_run r, jsonb_array_elements(r.detail->'camps') e"
	" WHERE r.job = 'sync-checkins' AND jsonb_typeof(r.detail->'camps') = 'array'"
	"   AND e->>'id' = $1 AND e->>'outcome' = 'ok'");
/* later values (the leaderboard's, listed first) do not overwrite earlier ones of the same user */
static const struct db_stmt q_users = DB_STMT(
	"INSERT INTO planet_user (planet_user_id, planet_nickname, planet_alias, updated_at)"
	" SELECT DISTINCT ON (u) u, NULLIF(n, ''), NULLIF(al, ''), $4::timestamptz"
	"   FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS x(u, n, al, o)"
	"  ORDER BY u, o"
	" ON CONFLICT (planet_user_id) DO UPDATE"
	"    SET planet_nickname = COALESCE(EXCLUDED.planet_nickname, planet_user.planet_nickname),"
	"        planet_alias = COALESCE(EXCLUDED.planet_alias, planet_user.planet_alias),"
	"        updated_at = EXCLUDED.updated_at");
/* The camp's paid members by the ZSXQ user they are matched to (the first member of a user):
 * one jsonb object {planet_user.id: member id}, whose keys are looked up by binary search.
 * issue #18: one row, computed once whatever the planner believes of a camp whose rows it has
 * not counted yet (in the first sync's own transaction it guesses 1 row and re-ran a join per
 * record: half a second a camp). */
#define MEMBER_MAP \
	"m AS MATERIALIZED (SELECT COALESCE(jsonb_object_agg(g.pu::text, g.mid), '{}') AS map" \
	"   FROM (SELECT planet_user_id AS pu, min(id) AS mid FROM camp_member" \
	"          WHERE camp_id = $1 AND paid AND deleted_at IS NULL AND planet_user_id IS NOT NULL" \
	"          GROUP BY planet_user_id) g)"
/* one record per user per day: the day's first post; linked to its member as it is written */
static const struct db_stmt q_records = DB_STMT(
	"WITH " MEMBER_MAP
	" INSERT INTO checkin_record (camp_id, planet_user_id, checkin_date, checkin_time,"
	"                            checkin_content, planet_checkin_id, synced_at, created_at, member_id)"
	" SELECT DISTINCT ON (pu.id, x.d) $1::bigint, pu.id, x.d, x.t, x.txt, x.tid,"
	"        $7::timestamptz, $7::timestamptz, (m.map ->> pu.id::text)::bigint"
	"   FROM unnest($2::text[], $3::date[], $4::timestamptz[], $5::text[], $6::text[])"
	"        AS x(u, d, t, txt, tid)"
	"   JOIN planet_user pu ON pu.planet_user_id = x.u"
	"  CROSS JOIN m"
	"  ORDER BY pu.id, x.d, x.t"
	" ON CONFLICT (camp_id, planet_user_id, checkin_date) DO UPDATE"
	"    SET checkin_time = EXCLUDED.checkin_time, checkin_content = EXCLUDED.checkin_content,"
	"        planet_checkin_id = EXCLUDED.planet_checkin_id, synced_at = EXCLUDED.synced_at"
	"  WHERE EXCLUDED.checkin_time < checkin_record.checkin_time");
static const struct db_stmt q_members = DB_STMT(
	"SELECT cm.id, cm.filled_planet_user_id, cm.filled_planet_nickname, cm.filled_wechat_nickname,"
	"       EXISTS (SELECT 1 FROM payment_record pr WHERE pr.member_id = cm.id"
	"                  AND pr.bind_method = 'manual' AND pr.deleted_at IS NULL) AS manual"
	"  FROM camp_member cm"
	" WHERE cm.camp_id = $1 AND cm.paid AND cm.deleted_at IS NULL"
	" ORDER BY cm.id");
/* A ZSXQ user already bound at 100 to another paid member of the camp (by
 * hand) is not bound to a second one (uq_cm_bound_planet_user, issue #14):
 * that member stays at 66, flagged for staff to sort out. */
#define TAKEN_ELSEWHERE \
	"x.conf = 100 AND EXISTS (SELECT 1 FROM camp_member o WHERE o.camp_id = cm.camp_id" \
	" AND o.planet_user_id = pu.id AND o.id <> cm.id AND o.paid AND o.deleted_at IS NULL" \
	" AND o.match_confidence = 100)"
static const struct db_stmt q_match = DB_STMT(
	"UPDATE camp_member cm"
	"   SET planet_user_id = pu.id,"
	"       match_confidence = CASE WHEN " TAKEN_ELSEWHERE " THEN 66 ELSE x.conf END,"
	"       match_flags = NULLIF(concat_ws(',', NULLIF(x.flags, ''),"
	"                     CASE WHEN " TAKEN_ELSEWHERE " THEN '星球用户已绑定其他会员' END), ''),"
	"       match_status = CASE WHEN x.conf > 0 THEN 'matched' ELSE 'failed' END,"
	"       match_time = $5::timestamptz"
	"  FROM unnest($1::bigint[], $2::text[], $3::int[], $4::text[]) AS x(mid, puid, conf, flags)"
	"  LEFT JOIN planet_user pu ON pu.planet_user_id = x.puid"
	" WHERE cm.id = x.mid");
/* the camp's earlier records whose user is now matched to another member */
static const struct db_stmt q_link = DB_STMT(
	"WITH " MEMBER_MAP
	" UPDATE checkin_record cr SET member_id = (m.map ->> cr.planet_user_id::text)::bigint"
	"  FROM m"
	" WHERE cr.camp_id = $1 AND m.map ? cr.planet_user_id::text"
	"   AND cr.member_id IS DISTINCT FROM (m.map ->> cr.planet_user_id::text)::bigint");
static const struct db_stmt q_stats = DB_STMT(
	"SELECT update_member_checkin_stats($1::bigint, $2::int) AS n");
/* counted per user first: one user lookup per user, not per record (issue #18) */
static const struct db_stmt q_days = DB_STMT(
	"SELECT pu.planet_user_id, c.days"
	"  FROM (SELECT cr.planet_user_id, count(*)::int AS days FROM checkin_record cr"
	"         WHERE cr.camp_id = $1 AND cr.checkin_date BETWEEN $2::date AND $3::date"
	"         GROUP BY cr.planet_user_id) c"
	"  JOIN planet_user pu ON pu.id = c.planet_user_id"
	" ORDER BY pu.planet_user_id COLLATE \"C\"");
/* issue #18: on a night without the leaderboard, the users already known for this camp (those
 * with a check-in in it, those its members are matched to) stand in for it in the matching. */
static const struct db_stmt q_known_users = DB_STMT(
	"SELECT pu.planet_user_id, COALESCE(pu.planet_nickname, '') AS name,"
	"       COALESCE(pu.planet_alias, '') AS alias"
	"  FROM planet_user pu"
	" WHERE pu.id IN (SELECT cr.planet_user_id FROM checkin_record cr WHERE cr.camp_id = $1"
	"                 UNION SELECT cm.planet_user_id FROM camp_member cm"
	"                        WHERE cm.camp_id = $1 AND cm.planet_user_id IS NOT NULL)");
/* Database round trips of this run (bench/sync reports them). */
static long sync_round_trips;

static PGresult *sq(struct job_ctx *c, arena *a, const struct db_stmt *st, int n,
                    const char *const *p)
{
	sync_round_trips++;
	return db_q(c->db, a, st, n, p);
}

struct sync_camp {
	const char *id, *name, *project, *start, *end;
	cday start_day, end_day;
};

/* A PostgreSQL array literal of texts (a parameter value, never SQL); NULL → NULL element. */
static const char *pg_array(arena *a, const char *const *v, size_t n)
{
	struct buf b = BUF_INIT;
	buf_putc(&b, '{');
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			buf_putc(&b, ',');
		if (v[i] == NULL) {
			buf_puts(&b, "NULL");
			continue;
		}
		buf_putc(&b, '"');
		for (const char *p = v[i]; *p; p++) {
			if (*p == '"' || *p == '\\')
				buf_putc(&b, '\\');
			buf_putc(&b, *p);
		}
		buf_putc(&b, '"');
	}
	buf_putc(&b, '}');
	char *s = arena_strndup(a, b.s, b.len);
	buf_free(&b);
	return s;
}

/* Queues a staff alert in its own transaction (the event it reports is a failure, nothing else is written). */
static void alert(struct job_ctx *c, const char *type, const char *title, const char *content,
                  const char *camp_id)
{
	struct alert al = { type, title, content, camp_id ? atoll(camp_id) : 0, 0, NULL };
	sync_round_trips++;
	if (alert_staff(c->db, c->a, &al, NULL) != CAMP_OK)
		log_err("sync-checkins: cannot queue the %s alert", type);
}

/* One user as one source gave it: 0 the leaderboard, 1 a post (newest first), 2 known before. */
struct user_src {
	struct match_user u;
	int source;
	size_t order;
};

static int user_src_cmp(const void *a, const void *b)
{
	const struct user_src *x = a, *y = b;
	int c = strcmp(x->u.user_id, y->u.user_id);
	if (c != 0)
		return c;
	if (x->source != y->source)
		return x->source - y->source;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* The ZSXQ users of the project, sorted by id, each once: as the leaderboard lists them, else
 * as their newest post names them (with the alias known before), else as known before (nights
 * without the leaderboard).  fresh[i] = 1 when user i came from this pull (it is stored). */
static struct match_user *users_of(arena *a, const struct zsxq_rank *rk, size_t nr,
                                   const struct zsxq_topic *tp, size_t nt,
                                   const struct match_user *known, size_t nk,
                                   size_t *n, unsigned char **fresh)
{
	struct user_src *s = arena_alloc(a, (nr + nt + nk + 1) * sizeof(*s));
	size_t k = 0;
	for (size_t i = 0; i < nr; i++)
		s[k++] = (struct user_src){ { rk[i].user_id, rk[i].name, rk[i].alias }, 0, i };
	for (size_t i = 0; i < nt; i++)
		s[k++] = (struct user_src){ { tp[i].user_id, tp[i].name, NULL }, 1, i };
	for (size_t i = 0; i < nk; i++)
		s[k++] = (struct user_src){ known[i], 2, i };
	qsort(s, k, sizeof(*s), user_src_cmp);
	struct match_user *u = arena_alloc(a, (k + 1) * sizeof(*u));
	unsigned char *f = arena_alloc(a, k + 1);
	size_t w = 0;
	for (size_t i = 0, j; i < k; i = j) {
		for (j = i + 1; j < k && strcmp(s[j].u.user_id, s[i].u.user_id) == 0; j++)
			;
		u[w] = s[i].u;
		if (s[i].source == 1 && s[j - 1].source == 2)
			u[w].alias = s[j - 1].u.alias;
		f[w++] = s[i].source < 2;
	}
	*n = w;
	*fresh = f;
	return u;
}

struct camp_outcome {
	long topics, records, users, members, matched, diffs;
	long leaderboard, joined;
	int want_refund_list;
	long long refund_list_job;
};

/* Writes one camp's pull in one transaction. */
static int store(struct job_ctx *c, const struct sync_camp *cp, long grace,
                 const struct zsxq_topic *tp, size_t nt, const struct match_user *users, size_t nu,
                 const unsigned char *fresh, struct camp_outcome *o)
{
	arena *a = c->a;
	char now[40];
	clock_now_param(now, sizeof(now));
	/* users */
	const char **uid = arena_alloc(a, (nu + 1) * sizeof(char *));
	const char **un = arena_alloc(a, (nu + 1) * sizeof(char *));
	const char **ua = arena_alloc(a, (nu + 1) * sizeof(char *));
	size_t nfresh = 0;
	for (size_t i = 0; i < nu; i++) {
		if (!fresh[i])
			continue;            /* known before, not seen in this pull: stored as it is */
		uid[nfresh] = users[i].user_id;
		un[nfresh] = users[i].name ? users[i].name : "";
		ua[nfresh] = users[i].alias ? users[i].alias : "";
		nfresh++;
	}
	/* posts inside the camp's dates */
	const char **ru = arena_alloc(a, (nt + 1) * sizeof(char *));
	const char **rd = arena_alloc(a, (nt + 1) * sizeof(char *));
	const char **rt = arena_alloc(a, (nt + 1) * sizeof(char *));
	const char **rx = arena_alloc(a, (nt + 1) * sizeof(char *));
	const char **ri = arena_alloc(a, (nt + 1) * sizeof(char *));
	size_t nrec = 0;
	for (size_t i = 0; i < nt; i++) {
		cday d = cday_of(tp[i].t);
		if (d < cp->start_day || d > cp->end_day)
			continue;
		char *ds = arena_alloc(a, 12), *ts = arena_alloc(a, 40);
		ru[nrec] = tp[i].user_id;
		rd[nrec] = cday_format(d, ds, 12);
		rt[nrec] = clock_rfc3339(tp[i].t, ts, 40);
		rx[nrec] = tp[i].text;
		ri[nrec] = tp[i].topic_id;
		nrec++;
	}
	o->topics = (long)nt;
	o->records = (long)nrec;
	o->users = (long)nu;

	sync_round_trips += 2;           /* BEGIN and COMMIT/ROLLBACK */
	if (db_begin(c->db) != CAMP_OK)
		return CAMP_EDB;
	int rc = CAMP_EDB;
	const char *pu[] = { pg_array(a, uid, nfresh), pg_array(a, un, nfresh), pg_array(a, ua, nfresh), now };
	if (nfresh > 0 && sq(c, a, &q_users, 4, pu) == NULL)
		goto out;
	/* match confidence of every paid member (manual binds stay as they are) */
	const char *pm[] = { cp->id };
	PGresult *mr = sq(c, a, &q_members, 1, pm);
	if (mr == NULL)
		goto out;
	int nm = PQntuples(mr);
	const char **mid = arena_alloc(a, ((size_t)nm + 1) * sizeof(char *));
	const char **mpu = arena_alloc(a, ((size_t)nm + 1) * sizeof(char *));
	const char **mcf = arena_alloc(a, ((size_t)nm + 1) * sizeof(char *));
	const char **mfl = arena_alloc(a, ((size_t)nm + 1) * sizeof(char *));
	size_t k = 0;
	for (int i = 0; i < nm; i++) {
		if (db_get_bool(mr, i, "manual"))
			continue;
		struct match_member m = { db_get(mr, i, "filled_planet_user_id"),
		                          db_get(mr, i, "filled_planet_nickname"),
		                          db_get(mr, i, "filled_wechat_nickname") };
		struct match_result res;
		match_member(&m, users, nu, &res);
		mid[k] = db_get(mr, i, "id");
		mpu[k] = res.user >= 0 ? users[res.user].user_id : NULL;
		mcf[k] = arena_i64(a, res.confidence);
		mfl[k] = res.flags ? res.flags : "";
		if (res.confidence > 0)
			o->matched++;
		k++;
	}
	o->members = nm;
	const char *pmt[] = { pg_array(a, mid, k), pg_array(a, mpu, k), pg_array(a, mcf, k),
	                      pg_array(a, mfl, k), now };
	if (k > 0 && sq(c, a, &q_match, 5, pmt) == NULL)
		goto out;
	/* the records, linked to the members just matched; then the earlier ones a new match moves */
	const char *pr[] = { cp->id, pg_array(a, ru, nrec), pg_array(a, rd, nrec), pg_array(a, rt, nrec),
	                     pg_array(a, rx, nrec), pg_array(a, ri, nrec), now };
	if (nrec > 0 && sq(c, a, &q_records, 7, pr) == NULL)
		goto out;
	if (sq(c, a, &q_link, 1, pm) == NULL)
		goto out;
	const char *ps[] = { cp->id, arena_i64(a, grace) };
	if (sq(c, a, &q_stats, 2, ps) == NULL)
		goto out;
	if (o->want_refund_list) {
		sync_round_trips++;
		o->refund_list_job = job_enqueue(c->db, a, "refund-list",
		                                 arena_printf(a, "{\"camp_id\":%s}", cp->id), 0);
		if (o->refund_list_job == 0)
			goto out;
	}
	rc = db_commit(c->db);
	return rc;
out:
	db_rollback(c->db);
	return rc;
}

/* The leaderboard's days against ours: differences are logged with both numbers. */
static long cross_check(struct job_ctx *c, const struct sync_camp *cp,
                        const struct zsxq_rank *rk, size_t nr)
{
	const char *p[] = { cp->id, cp->start, cp->end };
	PGresult *res = sq(c, c->a, &q_days, 3, p);
	if (res == NULL)
		return 0;
	long diffs = 0;
	int n = PQntuples(res);
	for (size_t i = 0; i < nr; i++) {
		long ours = 0;
		/* rows sorted by user id (byte order): a binary search */
		for (int lo = 0, hi = n; lo < hi;) {
			int mid = lo + (hi - lo) / 2, cmp = strcmp(PQgetvalue(res, mid, 0), rk[i].user_id);
			if (cmp == 0) {
				ours = atol(PQgetvalue(res, mid, 1));
				break;
			}
			if (cmp < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (ours != rk[i].checkined_days) {
			if (diffs < SYNC_LOG_DIFFS)
				log_info("sync-checkins: camp %s user %s: leaderboard %d days, records %ld days",
				         cp->id, rk[i].user_id, rk[i].checkined_days, ours);
			diffs++;
		}
	}
	return diffs;
}

static struct json_object *jcount(long v)
{
	return json_object_new_int64(v);
}

/* The users known for the camp before this pull (nights without the leaderboard). */
static struct match_user *known_users(struct job_ctx *c, const struct sync_camp *cp, size_t *n)
{
	const char *p[] = { cp->id };
	PGresult *res = sq(c, c->a, &q_known_users, 1, p);
	*n = res ? (size_t)PQntuples(res) : 0;
	struct match_user *u = arena_alloc(c->a, (*n + 1) * sizeof(*u));
	for (size_t i = 0; i < *n; i++)
		u[i] = (struct match_user){ PQgetvalue(res, (int)i, 0), PQgetvalue(res, (int)i, 1),
		                            PQgetvalue(res, (int)i, 2) };
	return res ? u : NULL;
}

struct camp_slot {
	struct sync_camp cp;
	struct sync_plan_camp *plan;
	struct json_object *cj;
	long retries, calls;
	int passes;
	enum { SLOT_PENDING, SLOT_DONE } state;
};

/* One camp's pull: what its plan says to read, read with no database work on the pull's
 * own thread (issue #18: the next camp's pages are read while this one is written, so a
 * night costs the calls plus the last camp's write, not the calls plus every write).
 * Everything it read lives on its own arena, dropped once the camp is written. */
struct pull {
	struct camp_slot *s;
	struct zsxq_client *z;       /* used by one pull at a time: the next starts after this one is joined */
	arena *a;
	struct zsxq_topics tp;
	struct zsxq_ranks rk;
	long joined;
	char synced_at[40];
	int rc;
	long calls, retries;         /* this pull's */
	int transient, budget_spent; /* as the client left them after this pull */
	long run_retries;            /* the run's retries so far */
	char error[256];
	pthread_t th;
	int threaded;
};

static void *pull_run(void *arg)
{
	struct pull *p = arg;
	struct zsxq_client *z = p->z;
	const struct sync_plan_camp *plan = p->s->plan;
	long r0 = z->retries, c0 = z->calls;
	clock_rfc3339(camp_now(), p->synced_at, sizeof(p->synced_at));
	p->joined = -1;
	p->rc = zsxq_topics(z, p->a, p->s->cp.project, plan->since, &p->tp);
	if (p->rc == CAMP_OK && plan->board)
		p->rc = zsxq_leaderboard(z, p->a, p->s->cp.project, &p->rk);
	if (p->rc == CAMP_OK && plan->board)
		p->rc = zsxq_joined_count(z, p->a, p->s->cp.project, &p->joined);
	p->calls = z->calls - c0;
	p->retries = z->retries - r0;
	p->transient = z->transient;
	p->budget_spent = z->budget_spent;
	p->run_retries = z->retries;
	snprintf(p->error, sizeof(p->error), "%s", z->error);
	return NULL;
}

/* Starts reading camp s (on a thread; in this thread when none can be made).  The pull lives
 * on its own arena. */
static struct pull *pull_start(struct zsxq_client *z, struct camp_slot *s)
{
	arena *a = arena_new();
	struct pull *p = arena_alloc(a, sizeof(*p));   /* zeroed */
	p->s = s;
	p->z = z;
	p->a = a;
	p->threaded = pthread_create(&p->th, NULL, pull_run, p) == 0;
	if (!p->threaded)
		pull_run(p);
	return p;
}

static void pull_join(struct pull *p)
{
	if (p->threaded)
		pthread_join(p->th, NULL);
	p->threaded = 0;
}

static void pull_free(struct pull *p)
{
	pull_join(p);
	arena_free(p->a);     /* p itself with it */
}

/* One camp whose pull succeeded: match and store it in one transaction, cross-check it with
 * the leaderboard when the plan read it.  NULL, or why it failed (in words for staff). */
static const char *write_camp(struct job_ctx *c, const struct pull *p, long grace)
{
	const struct camp_slot *s = p->s;
	const struct sync_camp *cp = &s->cp;
	const struct sync_plan_camp *plan = s->plan;
	struct json_object *cj = s->cj;
	int board = plan->board;
	/* members who joined without a check-in are not on the leaderboard: more joined is normal */
	if (p->joined >= 0 && p->joined < (long)p->rk.n)
		log_warn("sync-checkins: camp %s: leaderboard lists %zu users, statistics.joined_count only %ld",
		         cp->id, p->rk.n, p->joined);
	size_t nk = 0, nu;
	struct match_user *known = NULL;
	if (!board && (known = known_users(c, cp, &nk)) == NULL)
		return "数据库读取失败";
	unsigned char *fresh;
	struct match_user *users = users_of(c->a, p->rk.v, p->rk.n, p->tp.v, p->tp.n, known, nk, &nu, &fresh);
	struct camp_outcome o = { 0 };
	/* the first good sync after the camp's last day proposes refunds (once the
	 * refund-list job exists in this build), queued in the same transaction */
	time_t after_end = cday_start(cp->end_day + 1);
	o.want_refund_list = camp_now() >= after_end && plan->last_ok < after_end &&
	                     job_def_find("refund-list") != NULL;
	if (store(c, cp, grace, p->tp.v, p->tp.n, users, nu, fresh, &o) != CAMP_OK)
		return "数据库写入失败";
	if (o.refund_list_job)
		json_object_object_add(cj, "refund_list_job", json_object_new_int64(o.refund_list_job));
	json_object_object_add(cj, "synced_at", json_object_new_string(p->synced_at));
	json_object_object_add(cj, "plan", json_object_new_string(board ? "posts+leaderboard" : "posts"));
	if (plan->deferred)
		json_object_object_add(cj, "leaderboard_deferred", json_object_new_boolean(1));
	json_object_object_add(cj, "since", json_object_new_int64((int64_t)plan->since));
	json_object_object_add(cj, "topics", jcount(o.topics));
	json_object_object_add(cj, "topics_repeated", jcount(p->tp.repeated));
	json_object_object_add(cj, "records", jcount(o.records));
	json_object_object_add(cj, "users", jcount(o.users));
	json_object_object_add(cj, "members", jcount(o.members));
	json_object_object_add(cj, "matched", jcount(o.matched));
	if (board) {   /* "leaderboard" marks a run that read it (q_last_ok) */
		o.diffs = cross_check(c, cp, p->rk.v, p->rk.n);
		json_object_object_add(cj, "leaderboard", jcount((long)p->rk.n));
		json_object_object_add(cj, "joined_count", jcount(p->joined));
		json_object_object_add(cj, "leaderboard_diffs", jcount(o.diffs));
	} else {
		json_object_object_add(cj, "known_users", jcount((long)nk));
	}
	return NULL;
}

/* Why a pull failed, in words for staff (the client's error names ZSXQ's code and text). */
static const char *failure_words(struct job_ctx *c, const struct pull *p, int passes)
{
	if (p->transient && p->budget_spent)
		return arena_printf(c->a, "知识星球持续拒绝访问，本次同步的重试次数（%ld 次）已用完；最后一次：%s",
		                    p->run_retries, p->error);
	if (p->transient)
		return arena_printf(c->a, "知识星球接连 %d 轮拒绝访问（每轮重试 %d 次）；最后一次：%s",
		                    passes, ZSXQ_TRIES - 1, p->error);
	return arena_strdup(c->a, p->error[0] ? p->error : "同步失败");
}

/* The next camp to read after slot `after` (-1: the first), in pass order: the camps still
 * pending, round and round (the one just read among them when it is worth another pass).
 * NULL when none is left. */
static struct camp_slot *next_pending(struct camp_slot *slots, int n, int after)
{
	for (int k = 1; k <= n; k++) {
		int i = ((after < 0 ? -1 : after) + k) % n;
		if (slots[i].state == SLOT_PENDING)
			return &slots[i];
	}
	return NULL;
}

/* What the run has come to so far. */
struct run_tally {
	int ok, failed, n;
	const char *last_error;
	long long write_ms;          /* matching and writing, partly while the next camp is read */
};

/* A camp read for the last time: written when its pull succeeded, its outcome recorded and
 * staff alerted when it failed. */
static void settle(struct job_ctx *c, const struct pull *p, long grace, struct run_tally *r)
{
	struct camp_slot *s = p->s;
	job_progress(c, r->ok + r->failed, r->n, s->cp.name);
	long long w0 = clock_mono_ms();
	const char *why = p->rc == CAMP_OK ? write_camp(c, p, grace) : failure_words(c, p, s->passes);
	r->write_ms += clock_mono_ms() - w0;
	if (why == NULL) {
		r->ok++;
		json_object_object_add(s->cj, "outcome", json_object_new_string("ok"));
		return;
	}
	json_object_object_add(s->cj, "error", json_object_new_string(why));
	json_object_object_add(s->cj, "outcome", json_object_new_string("failed"));
	if (p->rc == CAMP_EEXPIRED) {   /* one alert per run, not per camp */
		alert(c, "cookie_expired", "知识星球 Token 已失效",
		      arena_printf(c->a, "打卡同步已停止：%s。请在系统配置中更新 planet.cookie 后重新同步。",
		                   p->error), NULL);
		return;
	}
	r->failed++;
	r->last_error = json_object_get_string(json_object_object_get(s->cj, "error"));
	alert(c, "sync_failed", "打卡同步失败",
	      arena_printf(c->a, "训练营「%s」的打卡同步失败：%s。上次同步的数据保持不变。",
	                   s->cp.name, r->last_error), s->cp.id);
}

int job_sync_checkins(struct job_ctx *c)
{
	struct json_object *args = json_tokener_parse(c->args ? c->args : "{}"), *v;
	char camp_arg[32] = "";
	if (args && json_object_object_get_ex(args, "camp_id", &v) && json_object_get_int64(v) > 0)
		snprintf(camp_arg, sizeof(camp_arg), "%lld", (long long)json_object_get_int64(v));
	json_object_put(args);

	long long grace = config_get_ll(c->db, "refund.grace_days", 1);
	struct zsxq_client z;
	if (checkin_zsxq_client(c->db, c->a, &z) != CAMP_OK) {
		job_fail(c, "知识星球未配置（planet.cookie / planet.group_id）");
		return CAMP_EINVAL;
	}
	if (grace < 0)
		grace = 0;

	sync_round_trips = 0;
	char today[12];
	cday_format(cday_of(camp_now()), today, sizeof(today));
	const char *p[] = { camp_arg[0] ? camp_arg : NULL, today };
	PGresult *res = sq(c, c->a, &q_camps, 2, p);
	if (res == NULL) {
		job_fail(c, "数据库不可用");
		return CAMP_EDB;
	}
	int n = PQntuples(res), expired = 0, budget_spent = 0;
	struct run_tally r = { 0, 0, n, NULL, 0 };
	struct json_object *camps = json_object_new_array();
	json_object_object_add(c->detail, "camps", camps);
	struct camp_slot *slots = arena_alloc(c->a, ((size_t)n + 1) * sizeof(*slots));
	struct sync_plan_camp *plans = arena_alloc(c->a, ((size_t)n + 1) * sizeof(*plans));
	for (int i = 0; i < n; i++) {
		struct camp_slot *s = &slots[i];
		memset(s, 0, sizeof(*s));
		s->cp = (struct sync_camp){ db_get(res, i, "id"), db_get(res, i, "name"),
		                            db_get(res, i, "planet_project_id"), db_get(res, i, "start_date"),
		                            db_get(res, i, "end_date"), 0, 0 };
		cday_parse(s->cp.start, &s->cp.start_day);
		cday_parse(s->cp.end, &s->cp.end_day);
		s->cj = json_object_new_object();
		json_object_array_add(camps, s->cj);
		json_object_object_add(s->cj, "id", json_object_new_string(s->cp.id));
		json_object_object_add(s->cj, "name", json_object_new_string(s->cp.name));
		/* issue #18: what each camp reads tonight */
		const char *pl[] = { s->cp.id };
		PGresult *lr = sq(c, c->a, &q_last_ok, 1, pl);
		s->plan = &plans[i];
		*s->plan = (struct sync_plan_camp){ s->cp.start_day, s->cp.end_day,
		                                   db_get_ll(res, i, "members", 0),
		                                   lr ? (time_t)db_get_ll(lr, 0, "t", 0) : 0,
		                                   lr ? (time_t)db_get_ll(lr, 0, "board", 0) : 0,
		                                   camp_arg[0] != '\0', 0, 0, 0, 0 };
	}
	long planned = sync_plan(plans, (size_t)n, camp_now(), z.min_interval_ms);
	json_object_object_add(c->detail, "planned_calls", json_object_new_int64(planned));
	/* passes over the camps still pending: a camp refused by a transient answer waits for the
	 * next; the next camp's pages are read while this one is written */
	struct camp_slot *first = job_stopping(c) ? NULL : next_pending(slots, n, -1);
	struct pull *cur = first != NULL ? pull_start(&z, first) : NULL;
	while (cur != NULL) {
		pull_join(cur);
		struct camp_slot *s = cur->s;
		s->passes++;
		s->calls += cur->calls;
		s->retries += cur->retries;
		budget_spent |= cur->budget_spent;
		json_object_object_del(s->cj, "error");
		json_object_object_add(s->cj, "zsxq_retries", jcount(s->retries));
		json_object_object_add(s->cj, "zsxq_calls", jcount(s->calls));
		json_object_object_add(s->cj, "passes", json_object_new_int(s->passes));
		int again = cur->rc == CAMP_EPROVIDER && cur->transient && !cur->budget_spent &&
		            s->passes < SYNC_MAX_PASSES;
		if (cur->rc == CAMP_EEXPIRED)
			expired = 1;       /* nothing more is read */
		if (!again)
			s->state = SLOT_DONE;
		struct camp_slot *t = expired || job_stopping(c) ? NULL : next_pending(slots, n, (int)(s - slots));
		struct pull *next = t ? pull_start(&z, t) : NULL;
		if (again)
			log_info("sync-checkins: camp %s: %s; tried again after the other camps", s->cp.id, cur->error);
		else
			settle(c, cur, (long)grace, &r);
		pull_free(cur);
		cur = next;
	}
	/* camps not read: the token expired or the run was asked to stop */
	for (int i = 0; i < n; i++) {
		if (slots[i].state != SLOT_PENDING)
			continue;
		json_object_object_add(slots[i].cj, "outcome", json_object_new_string("skipped"));
		slots[i].state = SLOT_DONE;
	}
	job_progress(c, n, n, NULL);
	c->interrupted = job_stopping(c);
	/* what the answers said of the token's life, and the daily warning before it ends */
	sync_round_trips += 2;
	if (planet_token_note(c->db, c->a, &z, expired ? CAMP_EEXPIRED : CAMP_OK) != CAMP_OK ||
	    planet_token_warn(c->db, c->a, NULL) != CAMP_OK)
		log_err("sync-checkins: cannot record the ZSXQ token's life");
	json_object_object_add(c->detail, "ok", json_object_new_int(r.ok));
	json_object_object_add(c->detail, "failed", json_object_new_int(r.failed));
	json_object_object_add(c->detail, "token_expired", json_object_new_boolean(expired));
	json_object_object_add(c->detail, "zsxq_calls", json_object_new_int64(z.calls));
	json_object_object_add(c->detail, "zsxq_retries", json_object_new_int64(z.retries));
	json_object_object_add(c->detail, "zsxq_retry_budget", json_object_new_int64(zsxq_retry_budget(&z)));
	json_object_object_add(c->detail, "zsxq_budget_spent", json_object_new_boolean(budget_spent));
	json_object_object_add(c->detail, "zsxq_wait_ms", json_object_new_int64(z.wait_ms));
	json_object_object_add(c->detail, "write_ms", json_object_new_int64(r.write_ms));
	json_object_object_add(c->detail, "db_round_trips", json_object_new_int64(sync_round_trips));
	if (z.retries > 0)
		log_info("sync-checkins: %ld ZSXQ calls, %ld retries (budget %ld)", z.calls, z.retries,
		         zsxq_retry_budget(&z));
	if (camp_arg[0] && n == 0) {
		job_fail(c, "训练营不存在或未设置知识星球打卡项目");
		return CAMP_ENOTFOUND;
	}
	if (expired) {
		job_fail(c, "知识星球 Token 已失效，同步已停止（%s）", z.error);
		return CAMP_EEXPIRED;
	}
	if (r.failed > 0) {
		job_fail(c, "%d 个训练营同步失败：%s", r.failed, r.last_error);
		return CAMP_EPROVIDER;
	}
	return CAMP_OK;
}
