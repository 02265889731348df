/* members.c: member list, detail, history and binding suggestions (scoped in SQL). */
#include "members.h"
#include "camp.h"
#include "db.h"
#include "matching.h"
#include "money.h"

#include <stdlib.h>
#include <string.h>

#define MEMBER_COLS \
	"SELECT cm.id, cm.camp_id, cm.filled_planet_nickname, cm.filled_planet_user_id," \
	"       cm.filled_wechat_nickname, c.name AS camp_name, pr.pay_amount::text AS amount," \
	"       to_char(pr.pay_time AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') AS pay_time," \
	"       pr.bind_status, pr.bind_method, cm.joined_group, cm.match_confidence, cm.match_flags," \
	"       cm.checkin_count, cm.eligible_for_refund, count(*) OVER () AS total" \
	"  FROM camp_member cm JOIN training_camp c ON c.id = cm.camp_id" \
	"  LEFT JOIN LATERAL (SELECT p.* FROM payment_record p WHERE p.member_id = cm.id" \
	"                       AND p.pay_status IN ('success', 'refunded') AND p.deleted_at IS NULL" \
	"                     ORDER BY p.id DESC LIMIT 1) pr ON true"
#define MEMBER_SCOPE \
	"   AND ($1::boolean OR EXISTS (SELECT 1 FROM camp_member_relation r" \
	"                               WHERE r.camp_id = cm.camp_id AND r.user_id = $2))"

static const struct db_stmt q_list = DB_STMT(
	MEMBER_COLS
	" WHERE cm.deleted_at IS NULL AND cm.paid" MEMBER_SCOPE
	"   AND ($3::bigint IS NULL OR cm.camp_id = $3)"
	"   AND ($4::text IS NULL OR pr.bind_status = $4)"
	"   AND ($5::boolean IS NULL OR cm.joined_group = $5)"
	"   AND ($6::text IS NULL"
	"        OR strpos(lower(cm.filled_planet_nickname), lower($6)) > 0"
	"        OR strpos(lower(cm.filled_wechat_nickname), lower($6)) > 0"
	"        OR cm.filled_planet_user_id = $6"
	"        OR EXISTS (SELECT 1 FROM payment_record p2 WHERE p2.member_id = cm.id"
	"                     AND (p2.order_no = $6 OR p2.wechat_transaction_id = $6)))"
	" ORDER BY cm.id DESC LIMIT $7 OFFSET $8");
static const struct db_stmt q_one = DB_STMT(
	MEMBER_COLS
	" WHERE cm.deleted_at IS NULL" MEMBER_SCOPE " AND cm.id = $3");
static const struct db_stmt q_camps = DB_STMT(
	"SELECT c.id, c.name FROM training_camp c WHERE c.deleted_at IS NULL"
	"   AND ($1::boolean OR EXISTS (SELECT 1 FROM camp_member_relation r"
	"                               WHERE r.camp_id = c.id AND r.user_id = $2))"
	" ORDER BY c.start_date DESC, c.id DESC");
static const struct db_stmt q_payments = DB_STMT(
	"SELECT to_char(COALESCE(p.pay_time, p.created_at) AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') AS t,"
	"       c.name, p.order_no, p.wechat_transaction_id, p.pay_status, p.pay_amount::text AS amount"
	"  FROM payment_record p JOIN training_camp c ON c.id = p.camp_id"
	" WHERE p.member_id = $1 AND p.deleted_at IS NULL ORDER BY p.id");
static const struct db_stmt q_checkins = DB_STMT(
	"SELECT cr.checkin_date::text AS d,"
	"       to_char(cr.checkin_time AT TIME ZONE 'Asia/Shanghai', 'HH24:MI:SS') AS t,"
	"       left(COALESCE(cr.checkin_content, ''), 60) AS content"
	"  FROM checkin_record cr JOIN camp_member cm ON cm.id = $1"
	" WHERE cr.camp_id = cm.camp_id AND cr.planet_user_id = cm.planet_user_id"
	" ORDER BY cr.checkin_date");
static const struct db_stmt q_refunds = DB_STMT(
	"SELECT to_char(r.created_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') AS t,"
	"       r.refund_amount::text AS amount, r.refund_status, r.audit_status, u.username"
	"  FROM refund_record r LEFT JOIN system_user u ON u.id = r.auditor_id"
	" WHERE r.member_id = $1 AND r.deleted_at IS NULL ORDER BY r.id");
static const struct db_stmt q_candidates = DB_STMT(
	"SELECT DISTINCT pu.planet_user_id, pu.planet_nickname, pu.planet_alias"
	"  FROM camp_member cm JOIN checkin_record cr ON cr.camp_id = cm.camp_id"
	"  JOIN planet_user pu ON pu.id = cr.planet_user_id"
	" WHERE cm.id = $1 AND pu.deleted_at IS NULL");
static const struct db_stmt q_filled = DB_STMT(
	"SELECT filled_planet_nickname, filled_wechat_nickname FROM camp_member WHERE id = $1");

static int64_t fen_of(const char *s)
{
	int64_t v = -1;
	if (s == NULL || money_parse(s, &v) != CAMP_OK)
		return -1;
	return v;
}

static const char *dup(arena *a, const PGresult *r, int i, const char *col)
{
	return arena_strdup(a, db_get(r, i, col));
}

static void fill_row(arena *a, const PGresult *res, int i, struct member_row *m)
{
	m->id = db_get_ll(res, i, "id", 0);
	m->camp_id = db_get_ll(res, i, "camp_id", 0);
	m->planet_nickname = dup(a, res, i, "filled_planet_nickname");
	m->planet_user_id = dup(a, res, i, "filled_planet_user_id");
	m->wechat_nickname = dup(a, res, i, "filled_wechat_nickname");
	m->camp_name = dup(a, res, i, "camp_name");
	m->amount = fen_of(db_get(res, i, "amount"));
	m->pay_time = dup(a, res, i, "pay_time");
	m->bind_status = dup(a, res, i, "bind_status");
	m->bind_method = dup(a, res, i, "bind_method");
	m->joined = db_get_bool(res, i, "joined_group");
	m->confidence = (int)db_get_ll(res, i, "match_confidence", 0);
	m->checkin_count = (int)db_get_ll(res, i, "checkin_count", 0);
	m->eligible = db_get_bool(res, i, "eligible_for_refund");
	m->flags = dup(a, res, i, "match_flags");
}

int member_list(struct db *d, arena *a, const struct binding_actor *who,
                const struct member_filter *f, struct member_row **out, int *n, long long *total)
{
	const char *p[] = { who->all_camps ? "t" : "f", arena_i64(a, who->user_id),
	                    f->camp_id > 0 ? arena_i64(a, f->camp_id) : NULL, f->bind_status,
	                    f->joined < 0 ? NULL : f->joined ? "t" : "f",
	                    f->q && *f->q ? f->q : NULL,
	                    f->limit > 0 ? arena_i64(a, f->limit) : NULL, arena_i64(a, f->offset) };
	PGresult *res = db_q(d, a, &q_list, 8, p);
	if (res == NULL)
		return CAMP_EDB;
	*n = PQntuples(res);
	*total = *n > 0 ? db_get_ll(res, 0, "total", 0) : 0;
	*out = arena_alloc(a, ((size_t)*n + 1) * sizeof(**out));
	for (int i = 0; i < *n; i++)
		fill_row(a, res, i, &(*out)[i]);
	return CAMP_OK;
}

int member_get(struct db *d, arena *a, const struct binding_actor *who, long long id,
               struct member_row *out)
{
	const char *p[] = { who->all_camps ? "t" : "f", arena_i64(a, who->user_id), arena_i64(a, id) };
	PGresult *res = db_q(d, a, &q_one, 3, p);
	if (res == NULL)
		return CAMP_EDB;
	if (PQntuples(res) != 1)
		return CAMP_ENOTFOUND;
	fill_row(a, res, 0, out);
	return CAMP_OK;
}

int member_camp_choices(struct db *d, arena *a, const struct binding_actor *who,
                        struct camp_choice **out, int *n)
{
	const char *p[] = { who->all_camps ? "t" : "f", arena_i64(a, who->user_id) };
	PGresult *res = db_q(d, a, &q_camps, 2, p);
	if (res == NULL)
		return CAMP_EDB;
	*n = PQntuples(res);
	*out = arena_alloc(a, ((size_t)*n + 1) * sizeof(**out));
	for (int i = 0; i < *n; i++) {
		(*out)[i].id = db_get_ll(res, i, "id", 0);
		(*out)[i].name = dup(a, res, i, "name");
	}
	return CAMP_OK;
}

int member_payments(struct db *d, arena *a, long long id, struct member_payment **out, int *n)
{
	const char *p[] = { arena_i64(a, id) };
	PGresult *res = db_q(d, a, &q_payments, 1, p);
	if (res == NULL)
		return CAMP_EDB;
	*n = PQntuples(res);
	*out = arena_alloc(a, ((size_t)*n + 1) * sizeof(**out));
	for (int i = 0; i < *n; i++) {
		struct member_payment *x = &(*out)[i];
		x->time = dup(a, res, i, "t");
		x->camp_name = dup(a, res, i, "name");
		x->order_no = dup(a, res, i, "order_no");
		x->transaction_id = dup(a, res, i, "wechat_transaction_id");
		x->status = dup(a, res, i, "pay_status");
		x->amount = fen_of(db_get(res, i, "amount"));
	}
	return CAMP_OK;
}

int member_checkins(struct db *d, arena *a, long long id, struct member_checkin **out, int *n)
{
	const char *p[] = { arena_i64(a, id) };
	PGresult *res = db_q(d, a, &q_checkins, 1, p);
	if (res == NULL)
		return CAMP_EDB;
	*n = PQntuples(res);
	*out = arena_alloc(a, ((size_t)*n + 1) * sizeof(**out));
	for (int i = 0; i < *n; i++) {
		(*out)[i].date = dup(a, res, i, "d");
		(*out)[i].time = dup(a, res, i, "t");
		(*out)[i].content = dup(a, res, i, "content");
	}
	return CAMP_OK;
}

int member_refunds(struct db *d, arena *a, long long id, struct member_refund **out, int *n)
{
	const char *p[] = { arena_i64(a, id) };
	PGresult *res = db_q(d, a, &q_refunds, 1, p);
	if (res == NULL)
		return CAMP_EDB;
	*n = PQntuples(res);
	*out = arena_alloc(a, ((size_t)*n + 1) * sizeof(**out));
	for (int i = 0; i < *n; i++) {
		struct member_refund *x = &(*out)[i];
		x->time = dup(a, res, i, "t");
		x->amount = fen_of(db_get(res, i, "amount"));
		x->status = dup(a, res, i, "refund_status");
		x->audit_status = dup(a, res, i, "audit_status");
		x->auditor = dup(a, res, i, "username");
	}
	return CAMP_OK;
}

static int sug_cmp(const void *x, const void *y)
{
	const struct member_suggestion *a = x, *b = y;
	if (a->distance != b->distance)
		return a->distance - b->distance;
	return strcmp(a->planet_user_id, b->planet_user_id);
}

static int dist(const char *filled, const char *name)
{
	if (filled == NULL || !*filled || name == NULL || !*name)
		return 1 << 20;
	return (int)match_levenshtein(filled, name);
}

int member_suggestions(struct db *d, arena *a, long long id, int max,
                       struct member_suggestion **out, int *n)
{
	const char *p[] = { arena_i64(a, id) };
	PGresult *f = db_q(d, a, &q_filled, 1, p);
	PGresult *res = f ? db_q(d, a, &q_candidates, 1, p) : NULL;
	if (res == NULL)
		return CAMP_EDB;
	*n = 0;
	int m = PQntuples(res);
	*out = arena_alloc(a, ((size_t)m + 1) * sizeof(**out));
	if (PQntuples(f) != 1)
		return CAMP_OK;
	const char *nick = db_get(f, 0, "filled_planet_nickname");
	const char *wx = db_get(f, 0, "filled_wechat_nickname");
	for (int i = 0; i < m; i++) {
		const char *name = db_get(res, i, "planet_nickname"), *alias = db_get(res, i, "planet_alias");
		int best = dist(nick, name);
		int v;
		if ((v = dist(wx, name)) < best)
			best = v;
		if ((v = dist(wx, alias)) < best)
			best = v;
		if (best >= 1 << 20)
			continue;
		struct member_suggestion *s = &(*out)[(*n)++];
		s->planet_user_id = dup(a, res, i, "planet_user_id");
		s->nickname = name ? arena_strdup(a, name) : "";
		s->distance = best;
	}
	qsort(*out, (size_t)*n, sizeof(**out), sug_cmp);
	if (*n > max)
		*n = max;
	return CAMP_OK;
}

const char *member_bind_status_label(const char *s)
{
	static const char *const m[][2] = {
		{ "pending", "待绑定" }, { "completed", "已绑定" }, { "expired", "已过期" },
		{ "manual_review", "待人工审核" }, { "closed", "已关闭" },
	};
	for (size_t i = 0; s && i < CAMP_ARRAY_LEN(m); i++)
		if (!strcmp(m[i][0], s))
			return m[i][1];
	return "—";
}

const char *member_bind_method_label(const char *s)
{
	static const char *const m[][2] = {
		{ "h5_bindplanet", "H5绑定" }, { "user_fill", "用户填写" }, { "manual", "人工绑定" },
	};
	for (size_t i = 0; s && i < CAMP_ARRAY_LEN(m); i++)
		if (!strcmp(m[i][0], s))
			return m[i][1];
	return "—";
}
