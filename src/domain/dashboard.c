/* dashboard.c: the queries behind the 工作台 cards. */
#include "dashboard.h"
#include "books.h"
#include "camp.h"
#include "clock.h"
#include "dates.h"
#include "db.h"
#include "money.h"
#include "planet_token.h"

#include <string.h>

/* $1 user id, $2 scoped: a coach or volunteer sees only assigned camps */
#define SCOPE(col) \
	" AND (NOT $2::boolean OR " col " IN" \
	" (SELECT camp_id FROM camp_member_relation WHERE user_id = $1::bigint))"

static const struct db_stmt q_refunds = DB_STMT(
	"SELECT"
	" count(*) FILTER (WHERE audit_status = 'pending') AS pending,"
	" COALESCE(sum(refund_amount) FILTER (WHERE audit_status = 'pending'), 0)::text AS amount,"
	" count(*) FILTER (WHERE refund_status = 'failed') AS failed"
	" FROM refund_record WHERE deleted_at IS NULL" SCOPE("camp_id"));

static const struct db_stmt q_binds = DB_STMT(
	"SELECT count(*) AS n FROM payment_record"
	" WHERE bind_status = 'manual_review' AND deleted_at IS NULL" SCOPE("camp_id"));

static const struct db_stmt q_ending = DB_STMT(
	"SELECT id, name, end_date::text AS end_date FROM training_camp"
	" WHERE status = 'ongoing' AND deleted_at IS NULL"
	" AND end_date BETWEEN $3::date AND $3::date + 3" SCOPE("id")
	" ORDER BY end_date, id LIMIT 20");

static const struct db_stmt q_sync = DB_STMT(
	"SELECT outcome, to_char(COALESCE(finished_at, started_at) AT TIME ZONE"
	" 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') AS t, detail->>'error' AS error,"
	" COALESCE((detail->>'token_expired')::boolean, false) AS token_expired"
	" FROM job_run WHERE job = 'sync-checkins' ORDER BY started_at DESC, id DESC LIMIT 1");

/* --- issue #15 --- */
static const struct db_stmt q_exceptions = DB_STMT(
	"SELECT count(*) AS n FROM payment_exception WHERE status = 'open'");

/* finished camps with paid members whose refund list was never made: no
 * refund record and no successful refund-list run for it (or for every camp)
 * since it finished (its camp_status_log row; the day after its end without one) */
static const struct db_stmt q_no_list = DB_STMT(
	"SELECT c.id, c.name, c.end_date::text AS end_date FROM training_camp c"
	" WHERE c.status = 'finished' AND c.deleted_at IS NULL"
	"   AND EXISTS (SELECT 1 FROM camp_member m WHERE m.camp_id = c.id AND m.paid AND m.deleted_at IS NULL)"
	"   AND NOT EXISTS (SELECT 1 FROM refund_record r WHERE r.camp_id = c.id)"
	"   AND NOT EXISTS (SELECT 1 FROM job_run j WHERE j.job = 'refund-list' AND j.outcome = 'success'"
	"                   AND j.detail->>'camp_id' IN ('0', c.id::text)"
	"                   AND j.started_at >= COALESCE("
	"                       (SELECT max(l.created_at) FROM camp_status_log l"
	"                         WHERE l.camp_id = c.id AND l.to_status = 'finished'),"
	"                       (c.end_date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'))"
	" ORDER BY c.end_date, c.id LIMIT 20");

static int load_camps(PGresult *res, arena *a, struct dash_camp **out, int *n)
{
	if (res == NULL)
		return CAMP_EDB;
	*n = PQntuples(res);
	*out = arena_alloc(a, sizeof(struct dash_camp) * (size_t)(*n + 1));
	for (int i = 0; i < *n; i++) {
		(*out)[i].id = db_get_ll(res, i, "id", 0);
		(*out)[i].name = arena_strdup(a, db_get(res, i, "name"));
		(*out)[i].end_date = arena_strdup(a, db_get(res, i, "end_date"));
	}
	return CAMP_OK;
}

static int load_console(struct db *d, arena *a, unsigned parts, struct dashboard *o)
{
	if (parts & DASH_EXCEPTIONS) {
		PGresult *res = db_q(d, a, &q_exceptions, 0, NULL);
		if (res == NULL)
			return CAMP_EDB;
		o->open_exceptions = db_get_ll(res, 0, "n", 0);
	}
	if ((parts & DASH_REFUND_LISTS) &&
	    load_camps(db_q(d, a, &q_no_list, 0, NULL), a, &o->no_refund_list, &o->nno_list) != CAMP_OK)
		return CAMP_EDB;
	return CAMP_OK;
}
/* --- end issue #15 --- */

static int load_refunds(struct db *d, arena *a, const char *const *p, struct dashboard *o)
{
	PGresult *res = db_q(d, a, &q_refunds, 2, p);
	if (res == NULL)
		return CAMP_EDB;
	o->pending_refunds = db_get_ll(res, 0, "pending", 0);
	o->failed_refunds = db_get_ll(res, 0, "failed", 0);
	int64_t fen = 0;
	money_parse(db_get(res, 0, "amount"), &fen);
	o->pending_fen = fen;
	return CAMP_OK;
}


static int load_sync(struct db *d, arena *a, struct dashboard *o)
{
	PGresult *res = db_q(d, a, &q_sync, 0, NULL);
	if (res == NULL)
		return CAMP_EDB;
	if (PQntuples(res) == 0)
		return CAMP_OK;
	o->has_sync = 1;
	o->sync_outcome = arena_strdup(a, db_get(res, 0, "outcome"));
	o->sync_time = arena_strdup(a, db_get(res, 0, "t"));
	o->sync_error = arena_strdup(a, db_get(res, 0, "error"));
	o->sync_token_expired = db_get_bool(res, 0, "token_expired");
	return CAMP_OK;
}

static int load_token(struct db *d, arena *a, struct dashboard *o)
{
	struct planet_token t;
	if (planet_token_load(d, a, &t) != CAMP_OK)
		return CAMP_EDB;
	o->token_known = t.known || t.rejected;
	o->token_text = planet_token_text(a, &t);
	o->token_warn = t.rejected || (t.known && t.days_left <= PLANET_TOKEN_WARN_DAYS);
	return CAMP_OK;
}

int dashboard_load(struct db *d, arena *a, unsigned parts, long long user_id,
                   int scoped, struct dashboard *out)
{
	memset(out, 0, sizeof(*out));
	char today[12];
	cday_format(cday_of(camp_now()), today, sizeof(today));
	const char *p[] = { arena_i64(a, user_id), scoped ? "t" : "f", today };
	if ((parts & DASH_REFUNDS) && load_refunds(d, a, p, out) != CAMP_OK)
		return CAMP_EDB;
	if ((parts & DASH_CAMPS) &&
	    load_camps(db_q(d, a, &q_ending, 3, p), a, &out->ending, &out->nending) != CAMP_OK)
		return CAMP_EDB;
	if (parts & DASH_BINDS) {
		PGresult *res = db_q(d, a, &q_binds, 2, p);
		if (res == NULL)
			return CAMP_EDB;
		out->manual_binds = db_get_ll(res, 0, "n", 0);
	}
	if ((parts & DASH_SYNC) && load_sync(d, a, out) != CAMP_OK)
		return CAMP_EDB;
	/* issue #14 (books) */
	if (parts & DASH_BOOKS) {
		struct books_run r;
		int rc = books_day(d, a, NULL, &r);
		if (rc == CAMP_EDB)
			return CAMP_EDB;
		if (rc == CAMP_OK) {
			out->has_books = 1;
			out->books_date = r.date;
			out->books_bill_status = r.bill_status;
			out->books_ok = r.ok;
			out->books_diffs = r.invariant_diffs + r.bill_diffs;
		}
	}
	if ((parts & DASH_TOKEN) && load_token(d, a, out) != CAMP_OK)
		return CAMP_EDB;
	return load_console(d, a, parts, out);   /* issue #15 */
}
