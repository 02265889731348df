/* reports.c: 统计报表 — every figure an aggregate in SQL, per camp from the view the camp page reads. */
#include "reports.h"
#include "camp.h"
#include "db.h"
#include "money.h"

#include <string.h>

/* $1 from, $2 to ("" = open), $3 camp (0 = all), $4 scope user (0 = all) */
#define SELECTED \
	" c.deleted_at IS NULL" \
	" AND (NULLIF($1, '') IS NULL OR c.end_date >= NULLIF($1, '')::date)" \
	" AND (NULLIF($2, '') IS NULL OR c.start_date <= NULLIF($2, '')::date)" \
	" AND ($3::bigint = 0 OR c.id = $3::bigint)" \
	" AND ($4::bigint = 0 OR EXISTS (SELECT 1 FROM camp_member_relation r" \
	"      WHERE r.camp_id = c.id AND r.user_id = $4::bigint))"
#define SEL_IDS "(SELECT c.id FROM training_camp c WHERE" SELECTED ")"

static const struct db_stmt q_camps = DB_STMT(
	"SELECT c.id, c.name, c.status, c.start_date::text AS start_date, c.end_date::text AS end_date,"
	"       s.member_count, s.eligible_count, pt.n AS participants,"
	"       COALESCE(ROUND(100.0 * pt.n / NULLIF(s.member_count, 0), 2), 0.00)::text AS participation,"
	"       COALESCE(ROUND(100.0 * s.eligible_count / NULLIF(s.member_count, 0), 2), 0.00)::text AS completion,"
	"       s.avg_checkin_rate::text AS avg_rate, s.total_paid::text AS paid,"
	"       s.total_refunded::text AS refunded, s.net_income::text AS net"
	"  FROM training_camp c JOIN v_camp_statistics s ON s.camp_id = c.id"
	" CROSS JOIN LATERAL (SELECT count(*) AS n FROM camp_member cm WHERE cm.camp_id = c.id"
	"                      AND cm.paid AND cm.deleted_at IS NULL AND cm.checkin_count > 0) pt"
	" WHERE" SELECTED
	" ORDER BY c.start_date DESC, c.id DESC");

static const struct db_stmt q_totals = DB_STMT(
	"WITH s AS (SELECT * FROM v_camp_statistics WHERE camp_id IN " SEL_IDS "),"
	" t AS (SELECT count(*) AS camps, COALESCE(sum(member_count), 0) AS members,"
	"              COALESCE(sum(total_paid), 0) AS paid, COALESCE(sum(total_refunded), 0) AS refunded FROM s)"
	" SELECT t.camps, t.members, t.paid::text AS paid, t.refunded::text AS refunded,"
	"        (t.paid - t.refunded)::text AS held,"
	"        COALESCE(ROUND(100.0 * t.refunded / NULLIF(t.paid, 0), 2), 0.00)::text AS refund_rate,"
	"        (SELECT COALESCE(ROUND(AVG(cm.checkin_rate), 2), 0.00) FROM camp_member cm"
	"          WHERE cm.camp_id IN (SELECT camp_id FROM s) AND cm.paid AND cm.deleted_at IS NULL)::text"
	"          AS avg_rate"
	"   FROM t");

/* The same payments and refunds v_camp_statistics adds up, by the month they happened. */
static const struct db_stmt q_months = DB_STMT(
	"WITH inc AS ("
	"  SELECT to_char(COALESCE(p.pay_time, p.created_at) AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') AS m,"
	"         sum(p.pay_amount) AS v FROM payment_record p"
	"   WHERE p.camp_id IN " SEL_IDS " AND p.deleted_at IS NULL"
	"     AND p.pay_status IN ('success', 'refunded') GROUP BY 1),"
	" ref AS ("
	"  SELECT to_char(COALESCE(r.success_time, r.updated_at) AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') AS m,"
	"         sum(r.refund_amount) AS v FROM refund_record r"
	"   WHERE r.camp_id IN " SEL_IDS " AND r.deleted_at IS NULL"
	"     AND r.refund_status IN ('success', 'refunded_offline') GROUP BY 1)"
	" SELECT COALESCE(inc.m, ref.m) AS month, COALESCE(inc.v, 0)::text AS income,"
	"        COALESCE(ref.v, 0)::text AS refunds"
	"   FROM inc FULL JOIN ref ON ref.m = inc.m ORDER BY 1");

static int64_t fen(const PGresult *res, int i, const char *col)
{
	int64_t v = 0;
	money_parse(db_get(res, i, col), &v);
	return v;
}

static void camp_row(arena *a, const PGresult *res, int i, struct report_camp *c)
{
	c->id = db_get_ll(res, i, "id", 0);
	c->name = arena_strdup(a, db_get(res, i, "name"));
	c->status = arena_strdup(a, db_get(res, i, "status"));
	c->start_date = arena_strdup(a, db_get(res, i, "start_date"));
	c->end_date = arena_strdup(a, db_get(res, i, "end_date"));
	c->members = db_get_ll(res, i, "member_count", 0);
	c->participants = db_get_ll(res, i, "participants", 0);
	c->eligible = db_get_ll(res, i, "eligible_count", 0);
	c->participation = arena_strdup(a, db_get(res, i, "participation"));
	c->completion = arena_strdup(a, db_get(res, i, "completion"));
	c->avg_rate = arena_strdup(a, db_get(res, i, "avg_rate"));
	c->paid_fen = fen(res, i, "paid");
	c->refunded_fen = fen(res, i, "refunded");
	c->net_fen = fen(res, i, "net");
}

int report_load(struct db *d, arena *a, const struct report_filter *f, struct report *out)
{
	memset(out, 0, sizeof(*out));
	const char *p[] = { f->from ? f->from : "", f->to ? f->to : "", arena_i64(a, f->camp_id),
	                    arena_i64(a, f->scope_user) };
	PGresult *rows = db_q(d, a, &q_camps, 4, p);
	PGresult *tot = rows ? db_q(d, a, &q_totals, 4, p) : NULL;
	PGresult *mon = tot ? db_q(d, a, &q_months, 4, p) : NULL;
	if (mon == NULL)
		return CAMP_EDB;
	out->camps = db_get_ll(tot, 0, "camps", 0);
	out->members = db_get_ll(tot, 0, "members", 0);
	out->paid_fen = fen(tot, 0, "paid");
	out->refunded_fen = fen(tot, 0, "refunded");
	out->held_fen = fen(tot, 0, "held");
	out->refund_rate = arena_strdup(a, db_get(tot, 0, "refund_rate"));
	out->avg_rate = arena_strdup(a, db_get(tot, 0, "avg_rate"));
	out->nrows = PQntuples(rows);
	out->rows = arena_alloc(a, sizeof(*out->rows) * (size_t)(out->nrows + 1));
	for (int i = 0; i < out->nrows; i++)
		camp_row(a, rows, i, &out->rows[i]);
	out->nmonths = PQntuples(mon);
	out->months = arena_alloc(a, sizeof(*out->months) * (size_t)(out->nmonths + 1));
	for (int i = 0; i < out->nmonths; i++) {
		out->months[i].month = arena_strdup(a, db_get(mon, i, "month"));
		out->months[i].income_fen = fen(mon, i, "income");
		out->months[i].refund_fen = fen(mon, i, "refunds");
	}
	return CAMP_OK;
}
