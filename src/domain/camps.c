/* camps.c: training camp queries and rules that several pages share. */
#include "camps.h"
#include "camp.h"
#include "db.h"
#include "clock.h"
#include "money.h"
#include "payments.h"

#include <stdlib.h>
#include <string.h>

#define CAMP_COLUMNS \
	" c.id, c.name, c.description, c.poster_sha256, c.group_qrcode_sha256," \
	" c.planet_project_id, c.wechat_pay_code_id, c.deposit::text AS deposit, c.start_date::text AS start_date," \
	" c.end_date::text AS end_date, c.total_days, c.required_days, c.status," \
	" COALESCE(c.capacity, 0) AS capacity, c.cancelled_at IS NOT NULL AS cancelled," \
	" c.member_count AS paid_members," \
	" CASE WHEN c.capacity IS NULL THEN 0 ELSE" \
	"  (SELECT count(*) FROM payment_record p WHERE p.camp_id = c.id AND" \
	SEAT_HELD("$1::timestamptz") ") END AS held_seats," \
	/* issue #18: when the first of those holds ends (the seat count changes by time alone) */ \
	" CASE WHEN c.capacity IS NULL THEN NULL ELSE" \
	"  (SELECT extract(epoch FROM min(" SEAT_HELD_UNTIL "))::bigint FROM payment_record p" \
	"   WHERE p.camp_id = c.id AND" SEAT_HELD("$1::timestamptz") ") END AS held_until," \
	" c.archived_at IS NOT NULL AS archived"

static void row_to_camp(const PGresult *res, int i, arena *a, struct camp *c)
{
	memset(c, 0, sizeof(*c));
	c->id = db_get_ll(res, i, "id", 0);
	c->name = arena_strdup(a, db_get(res, i, "name"));
	c->description = arena_strdup(a, db_get(res, i, "description"));
	c->poster_sha256 = arena_strdup(a, db_get(res, i, "poster_sha256"));
	c->group_qrcode_sha256 = arena_strdup(a, db_get(res, i, "group_qrcode_sha256"));
	c->planet_project_id = arena_strdup(a, db_get(res, i, "planet_project_id"));
	c->wechat_pay_code_id = arena_strdup(a, db_get(res, i, "wechat_pay_code_id"));
	int64_t fen = 0;
	money_parse(db_get(res, i, "deposit"), &fen);
	c->deposit_fen = fen;
	cday_parse(db_get(res, i, "start_date"), &c->start_date);
	cday_parse(db_get(res, i, "end_date"), &c->end_date);
	c->total_days = (int)db_get_ll(res, i, "total_days", 0);
	c->required_days = (int)db_get_ll(res, i, "required_days", 0);
	c->status = arena_strdup(a, db_get(res, i, "status"));
	c->capacity = (int)db_get_ll(res, i, "capacity", 0);
	c->paid_members = db_get_ll(res, i, "paid_members", 0);
	c->held_seats = db_get_ll(res, i, "held_seats", 0);
	c->held_until = (time_t)db_get_ll(res, i, "held_until", 0);
	c->cancelled = db_get_bool(res, i, "cancelled");
	c->archived = db_get_bool(res, i, "archived");
}

/* Every open camp: a silent cap would hide the newest from members (issue #15: no silent caps);
 * open camps are few by nature — they end. */
static const struct db_stmt q_public = DB_STMT(
	"SELECT" CAMP_COLUMNS " FROM training_camp c"
	" WHERE c.deleted_at IS NULL AND c.cancelled_at IS NULL AND c.status IN ('not_started', 'ongoing')"
	/* camps still taking members first (ARCHITECTURE §5: until end − required + 1) */
	" ORDER BY c.end_date - c.required_days + 1 >= ($1::timestamptz AT TIME ZONE 'Asia/Shanghai')::date DESC,"
	"          c.start_date, c.id");

int camp_list_public(struct db *d, arena *a, struct camp **out, int *n)
{
	char now[40];
	const char *p[] = { clock_now_param(now, sizeof(now)) };
	PGresult *res = db_q(d, a, &q_public, 1, p);
	if (res == NULL)
		return CAMP_EDB;
	*n = PQntuples(res);
	*out = arena_alloc(a, sizeof(struct camp) * (size_t)(*n + 1));
	for (int i = 0; i < *n; i++)
		row_to_camp(res, i, a, &(*out)[i]);
	return CAMP_OK;
}

static const struct db_stmt q_get = DB_STMT(
	"SELECT" CAMP_COLUMNS " FROM training_camp c"
	" WHERE c.id = $2 AND c.deleted_at IS NULL");

int camp_get(struct db *d, arena *a, long long id, struct camp *out)
{
	char now[40];
	const char *p[] = { clock_now_param(now, sizeof(now)), arena_i64(a, id) };
	PGresult *res = db_q(d, a, &q_get, 2, p);
	if (res == NULL)
		return CAMP_EDB;
	if (PQntuples(res) != 1)
		return CAMP_ENOTFOUND;
	row_to_camp(res, 0, a, out);
	return CAMP_OK;
}

int camp_enroll_open(const struct camp *c, cday today)
{
	if (strcmp(c->status, "finished") == 0)
		return 0;
	return today <= c->end_date - c->required_days + 1;
}

const char *camp_status_label(const char *status)
{
	if (status == NULL)
		return "";
	if (!strcmp(status, "not_started"))
		return "未开始";
	if (!strcmp(status, "ongoing"))
		return "进行中";
	if (!strcmp(status, "finished"))
		return "已结束";
	return status;
}

static const struct db_stmt q_admin_list = DB_STMT(
	"SELECT" CAMP_COLUMNS ", count(*) OVER () AS total FROM training_camp c"
	" WHERE c.deleted_at IS NULL"
	"  AND CASE WHEN $2 = 'archived' THEN c.archived_at IS NOT NULL"
	"           ELSE c.archived_at IS NULL AND ($2 = '' OR c.status = $2) END"
	"  AND (NULLIF($3, '') IS NULL OR c.end_date >= NULLIF($3, '')::date)"
	"  AND (NULLIF($4, '') IS NULL OR c.start_date <= NULLIF($4, '')::date)"
	"  AND ($5 = '' OR position(lower($5) in lower(c.name)) > 0)"
	" ORDER BY c.start_date DESC, c.id DESC LIMIT $6::integer OFFSET $7::integer");

int camp_list_admin(struct db *d, arena *a, const struct camp_filter *f,
                    struct camp **out, int *n, long long *total)
{
	char now[40];
	int per = f->per_page;   /* 0 = every row (export) */
	int page = f->page > 0 && per > 0 ? f->page : 1;
	const char *p[] = {
		clock_now_param(now, sizeof(now)), f->status ? f->status : "",
		f->from ? f->from : "", f->to ? f->to : "", f->q ? f->q : "",
		per > 0 ? arena_i64(a, per) : NULL, arena_i64(a, (long long)(page - 1) * per),
	};
	PGresult *res = db_q(d, a, &q_admin_list, 7, p);
	if (res == NULL)
		return CAMP_EDB;
	*n = PQntuples(res);
	*total = *n ? db_get_ll(res, 0, "total", 0) : 0;
	*out = arena_alloc(a, sizeof(struct camp) * (size_t)(*n + 1));
	for (int i = 0; i < *n; i++)
		row_to_camp(res, i, a, &(*out)[i]);
	return CAMP_OK;
}

static const struct db_stmt q_stats = DB_STMT(
	"SELECT member_count, total_paid::text AS total_paid,"
	" total_refunded::text AS total_refunded, avg_checkin_rate::text AS avg_checkin_rate,"
	" refund_completion_rate::text AS refund_completion_rate"
	" FROM v_camp_statistics WHERE camp_id = $1");

int camp_statistics(struct db *d, arena *a, long long camp_id, struct camp_stats *s)
{
	memset(s, 0, sizeof(*s));
	const char *p[] = { arena_i64(a, camp_id) };
	PGresult *res = db_q(d, a, &q_stats, 1, p);
	if (res == NULL)
		return CAMP_EDB;
	if (PQntuples(res) != 1)
		return CAMP_ENOTFOUND;
	s->paid_members = db_get_ll(res, 0, "member_count", 0);
	money_parse(db_get(res, 0, "total_paid"), &s->total_paid_fen);
	money_parse(db_get(res, 0, "total_refunded"), &s->total_refunded_fen);
	s->avg_checkin_rate = arena_strdup(a, db_get(res, 0, "avg_checkin_rate"));
	s->refund_completion_rate = arena_strdup(a, db_get(res, 0, "refund_completion_rate"));
	return CAMP_OK;
}

/* --- issue #17: archived camps are read-only --- */
static const struct db_stmt q_archived = DB_STMT(
	"SELECT EXISTS (SELECT 1 FROM training_camp t WHERE t.archived_at IS NOT NULL"
	" AND (t.id = $1::bigint OR t.id = (SELECT m.camp_id FROM camp_member m"
	"      WHERE m.id = $2::bigint))) AS archived");

int camp_archived(struct db *d, arena *a, long long camp_id, long long member_id)
{
	const char *p[] = { arena_i64(a, camp_id), arena_i64(a, member_id) };
	PGresult *res = db_q(d, a, &q_archived, 2, p);
	return res ? db_get_bool(res, 0, "archived") : -1;
}
