/* enroll.c: enrollment rules, the pending order with its seat hold, and tickets. */
#include "enroll.h"
#include "buf.h"
#include "camp.h"
#include "clock.h"
#include "crypto.h"
#include "db.h"
#include "log.h"
#include "money.h"
#include "paydata.h"
#include "payments.h"
#include "text.h"
#include "wechatpay.h"

#include <stdio.h>
#include <string.h>




static void nickname(struct form_errors *e, const char *field, const char *v,
                     const char *empty_msg, int required)
{
	if (*v == '\0') {
		if (required)
			form_error(e, field, empty_msg);
	} else if (text_chars(v) > 50) {
		form_error(e, field, "最多 50 个字");
	} else if (text_has_control(v, 0)) {
		form_error(e, field, "包含无效字符");
	}
}

int enroll_validate(arena *a, struct enroll_form *f, struct form_errors *e)
{
	f->planet_nickname = text_trim(a, f->planet_nickname);
	f->planet_user_id = text_trim(a, f->planet_user_id);
	f->wechat_nickname = text_trim(a, f->wechat_nickname);
	nickname(e, "planet_nickname", f->planet_nickname, "请填写星球昵称", !f->later);
	nickname(e, "wechat_nickname", f->wechat_nickname, "请填写微信昵称", 1);
	const char *id = f->planet_user_id;
	size_t n = strlen(id);
	int digits = n > 0;
	for (size_t i = 0; i < n; i++)
		digits &= id[i] >= '0' && id[i] <= '9';
	if (n == 0) {
		if (!f->later)
			form_error(e, "planet_user_id", "请填写星球ID");
	} else if (!digits || n < 5 || n > 20) {
		form_error(e, "planet_user_id", "星球ID是 5–20 位数字，请按“如何获取星球ID”查看");
	}
	/* pay-later: planet fields are all-or-nothing */
	if (f->later && (*f->planet_nickname == '\0') != (n == 0))
		form_error(e, *f->planet_nickname ? "planet_user_id" : "planet_nickname",
		           "星球昵称和星球ID请一起填写，或都留空稍后绑定");
	if (!f->agree)
		form_error(e, "agree", "请阅读并同意押金规则");
	return e->n ? CAMP_EINVAL : CAMP_OK;
}

static const struct db_stmt q_find_paid = DB_STMT(
	"SELECT COALESCE(m.openid_index = $3, false) AS same FROM camp_member m"
	" WHERE m.camp_id = $1 AND m.filled_planet_user_id = $2 AND m.paid AND m.deleted_at IS NULL");

int enroll_find_paid(struct db *d, arena *a, long long camp_id, const char *planet_user_id,
                     const char *openid, int *same_payer)
{
	*same_payer = 0;
	if (planet_user_id == NULL || *planet_user_id == '\0')
		return CAMP_ENOTFOUND;
	const char *p[] = { arena_i64(a, camp_id), planet_user_id, pd_index(a, openid) };
	PGresult *res = db_q(d, a, &q_find_paid, 3, p);
	if (res == NULL)
		return CAMP_EDB;
	if (PQntuples(res) == 0)
		return CAMP_ENOTFOUND;
	*same_payer = db_get_bool(res, 0, "same");
	return CAMP_OK;
}

static const struct db_stmt q_camp_lock = DB_STMT(CAMP_LOCK_SQL);
static const struct db_stmt q_enroll_lock = DB_STMT(CAMP_ENROLL_LOCK_SQL);
/* Under the lock, in a statement of its own: the camp as it is now (gone once cancelled or
 * deleted), the seats taken (paid members and held orders) and the holds of this browser
 * (its tokens' hashes as bpchar[], see q_live_tokens) and address, and the new rows' ids
 * (the sealed openid is bound to its row). */
static const struct db_stmt q_taken = DB_STMT(
	"SELECT c.deposit::text AS deposit, COALESCE(c.capacity, 0) AS capacity,"
	"       (SELECT count(*) FROM camp_member m WHERE m.camp_id = $1 AND m.paid AND m.deleted_at IS NULL)"
	"       + h.held AS taken, h.browser, h.ip,"
	"       nextval(pg_get_serial_sequence('camp_member', 'id')) AS member_id,"
	"       nextval(pg_get_serial_sequence('payment_record', 'id')) AS payment_id"
	"  FROM training_camp c, LATERAL ("
	"       SELECT count(*) AS held,"
	"              count(*) FILTER (WHERE p.id IN (SELECT t.payment_id FROM access_token t"
	"                                              WHERE t.token_sha256 = ANY ($3::bpchar[]))) AS browser,"
	"              count(*) FILTER (WHERE p.client_ip = $4) AS ip"
	"         FROM payment_record p WHERE p.camp_id = $1 AND" SEAT_HELD("$2::timestamptz") ") h"
	" WHERE c.id = $1 AND c.deleted_at IS NULL AND c.cancelled_at IS NULL");
/* The member, its pending order, the ticket's token and both status logs: one statement. */
static const struct db_stmt q_enroll = DB_STMT(
	"WITH m AS ("
	"  INSERT INTO camp_member (id, camp_id, filled_planet_nickname, filled_planet_user_id,"
	"         filled_wechat_nickname, openid_sealed, openid_index, created_at)"
	"  VALUES ($3, $2, NULLIF($15, ''), NULLIF($10, ''), $9, $16, $14, $11::timestamptz)),"
	" p AS ("
	"  INSERT INTO payment_record (id, order_no, camp_id, member_id, pay_amount, pay_status,"
	"         trade_type, openid_sealed, openid_index, time_expire, attach, payer_wechat_name,"
	"         planet_user_id_from_attach, created_at, client_ip)"
	"  VALUES ($13, $1, $2, $3, $4::numeric / 100, 'pending', $5, $6, $14, $7::timestamptz, $8, $9,"
	"         NULLIF($10, ''), $11::timestamptz, $12)),"
	" t AS ("
	"  INSERT INTO access_token (token_sha256, payment_id, camp_id, member_id, expires_at, created_at)"
	"  SELECT $17, $13, $2, $3, (c.end_date + 8)::timestamp AT TIME ZONE 'Asia/Shanghai',"
	"         $11::timestamptz FROM training_camp c WHERE c.id = $2),"
	" ol AS ("
	"  INSERT INTO order_status_log (order_id, from_status, to_status, event, created_at)"
	"  VALUES ($13, NULL, 'pending', 'CREATE', $11::timestamptz))"
	" INSERT INTO member_status_log (member_id, camp_id, from_status, to_status, event, created_at)"
	" VALUES ($3, $2, NULL, 'enrolled', 'ENROLL', $11::timestamptz)");

/* {sha,sha,…}: the hashes of this browser's tokens, as a text[] parameter */
static const char *token_hashes(arena *a, const struct enroll_holder *h)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, "{");
	for (int i = 0; i < h->ntokens; i++) {
		char sha[65];
		crypto_sha256_hex(h->tokens[i], strlen(h->tokens[i]), sha);
		buf_printf(&b, "%s%s", i ? "," : "", sha);
	}
	buf_puts(&b, "}");
	const char *s = arena_strdup(a, b.s);
	buf_free(&b);
	return s;
}

/* The refusal, if any: capacity first, then the holder's limits. */
static enum enroll_refusal refusal(const PGresult *res, long long capacity)
{
	if (capacity > 0 && db_get_ll(res, 0, "taken", 0) >= capacity)
		return ENROLL_FULL;
	if (db_get_ll(res, 0, "browser", 0) >= HOLDS_PER_BROWSER)
		return ENROLL_BROWSER_LIMIT;
	if (db_get_ll(res, 0, "ip", 0) >= HOLDS_PER_IP)
		return ENROLL_IP_LIMIT;
	return 0;
}

int enroll_create(struct db *d, arena *a, const struct camp *c, const struct enroll_form *f,
                  const struct enroll_holder *h, const char *trade_type, time_t now,
                  struct enrollment *out)
{
	const char *openid = h->openid;
	memset(out, 0, sizeof(*out));
	char nowbuf[40], expbuf[40];
	clock_rfc3339(now, nowbuf, sizeof(nowbuf));
	out->expires = now + ORDER_TTL;
	clock_rfc3339(out->expires, expbuf, sizeof(expbuf));
	if (wxpay_new_trade_no("CP", now, out->order_no, sizeof(out->order_no)) != CAMP_OK ||
	    crypto_token("tk_", out->token, sizeof(out->token)) != CAMP_OK)
		return CAMP_ECRYPTO;
	const char *cid = arena_i64(a, c->id);
	const char *tp0[] = { cid, nowbuf, token_hashes(a, h), h->ip };
	const char *lp[] = { cid, h->ip };
	PGresult *taken;
	/* the camp exclusive when its seats are limited, else only this address (camps.h) */
	int whole_camp = c->capacity > 0;
again:
	if (db_begin(d) != CAMP_OK)
		return CAMP_EDB;
	if (db_q(d, a, whole_camp ? &q_camp_lock : &q_enroll_lock, whole_camp ? 1 : 2, lp) == NULL ||
	    (taken = db_q(d, a, &q_taken, 4, tp0)) == NULL)
		goto fail;
	if (PQntuples(taken) != 1) {
		db_rollback(d);
		out->refused = ENROLL_GONE;
		return CAMP_ECONFLICT;
	}
	if (!whole_camp && db_get_ll(taken, 0, "capacity", 0) > 0) {
		/* a capacity set since the page read the camp: counted under the camp's lock */
		db_rollback(d);
		whole_camp = 1;
		goto again;
	}
	/* the amount is captured now: a later deposit edit never changes this order */
	int64_t fen = 0;
	money_parse(db_get(taken, 0, "deposit"), &fen);
	out->fen = fen;
	if ((out->refused = refusal(taken, db_get_ll(taken, 0, "capacity", 0))) != 0) {
		db_rollback(d);
		return CAMP_ECONFLICT;
	}
	const char *mid = arena_strdup(a, db_get(taken, 0, "member_id"));
	const char *pid = arena_strdup(a, db_get(taken, 0, "payment_id"));
	out->member_id = db_get_ll(taken, 0, "member_id", 0);
	out->payment_id = db_get_ll(taken, 0, "payment_id", 0);
	const char *m_openid, *p_openid, *index = pd_index(a, openid);
	if (pd_seal(a, PD_MEMBER_OPENID, mid, openid, &m_openid) != CAMP_OK ||
	    pd_seal(a, PD_PAY_OPENID, pid, openid, &p_openid) != CAMP_OK) {
		db_rollback(d);
		return CAMP_ECRYPTO;
	}
	pay_attach_format(out->attach, sizeof(out->attach), c->id, out->member_id, out->payment_id);
	char sha[65];
	crypto_sha256_hex(out->token, strlen(out->token), sha);
	const char *p[] = { out->order_no, cid, mid, arena_i64(a, fen), trade_type, p_openid,
	                    expbuf, out->attach, f->wechat_nickname, f->planet_user_id, nowbuf, h->ip,
	                    pid, index, f->planet_nickname, m_openid, sha };
	if (db_q(d, a, &q_enroll, 17, p) == NULL)
		goto fail;
	return db_commit(d);
fail:
	db_rollback(d);
	return CAMP_EDB;
}

/* A token opens its ticket while active and unexpired, or while its refund is unsettled. */
#define TICKET_LIVE(now) \
	" t.status IN ('active', 'bound')" \
	"  AND (t.expires_at > " now " OR (p.pay_status = 'success' AND NOT EXISTS (" \
	"   SELECT 1 FROM refund_record r WHERE r.payment_id = p.id AND r.deleted_at IS NULL" \
	"   AND r.refund_status IN ('success', 'refunded_offline', 'rejected'))))"
#define TICKET_SELECT \
	"SELECT p.id AS payment_id, p.member_id, p.camp_id, p.order_no, p.pay_status," \
	" p.bind_status, to_char(p.bind_deadline, 'YYYY-MM-DD HH24:MI') AS bind_deadline," \
	" m.filled_planet_nickname, m.filled_planet_user_id, m.filled_wechat_nickname, m.paid" \
	" FROM access_token t JOIN payment_record p ON p.id = t.payment_id" \
	" JOIN camp_member m ON m.id = p.member_id" \
	" WHERE t.token_sha256 = $1 AND" TICKET_LIVE("$2::timestamptz")

static const struct db_stmt q_ticket = DB_STMT(TICKET_SELECT);
static const struct db_stmt q_ticket_order = DB_STMT(TICKET_SELECT " AND p.order_no = $3");

static int ticket_row(PGresult *res, arena *a, struct ticket *t)
{
	if (res == NULL)
		return CAMP_EDB;
	if (PQntuples(res) != 1)
		return CAMP_ENOTFOUND;
	t->payment_id = db_get_ll(res, 0, "payment_id", 0);
	t->member_id = db_get_ll(res, 0, "member_id", 0);
	t->camp_id = db_get_ll(res, 0, "camp_id", 0);
	t->order_no = arena_strdup(a, db_get(res, 0, "order_no"));
	t->pay_status = arena_strdup(a, db_get(res, 0, "pay_status"));
	t->bind_status = arena_strdup(a, db_get(res, 0, "bind_status"));
	t->bind_deadline = arena_strdup(a, db_get(res, 0, "bind_deadline"));
	t->planet_nickname = arena_strdup(a, db_get(res, 0, "filled_planet_nickname"));
	t->planet_user_id = arena_strdup(a, db_get(res, 0, "filled_planet_user_id"));
	t->wechat_nickname = arena_strdup(a, db_get(res, 0, "filled_wechat_nickname"));
	t->paid = db_get_bool(res, 0, "paid");
	return CAMP_OK;
}

static int token_shape_ok(const char *token)
{
	if (token == NULL || strlen(token) != 35 || strncmp(token, "tk_", 3) != 0)
		return 0;
	for (const char *p = token + 3; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return 0;
	return 1;
}

int ticket_get(struct db *d, arena *a, const char *token, time_t now, struct ticket *t)
{
	memset(t, 0, sizeof(*t));
	if (!token_shape_ok(token))
		return CAMP_ENOTFOUND;
	char sha[65], nowbuf[40];
	crypto_sha256_hex(token, strlen(token), sha);
	const char *p[] = { sha, clock_rfc3339(now, nowbuf, sizeof(nowbuf)) };
	return ticket_row(db_q(d, a, &q_ticket, 2, p), a, t);
}

int ticket_for_order(struct db *d, arena *a, const char *order_no, const char *token,
                     time_t now, struct ticket *t)
{
	memset(t, 0, sizeof(*t));
	if (!token_shape_ok(token))
		return CAMP_ENOTFOUND;
	char sha[65], nowbuf[40];
	crypto_sha256_hex(token, strlen(token), sha);
	const char *p[] = { sha, clock_rfc3339(now, nowbuf, sizeof(nowbuf)), order_no };
	return ticket_row(db_q(d, a, &q_ticket_order, 3, p), a, t);
}

/* Tokens worth keeping in a browser: a live ticket of a paid (or refunded)
 * order, or an order that still holds its seat.  token_sha256 is char(64): the hashes are
 * compared as bpchar[], since a text[] casts the column and leaves its unique index unused
 * (every ticket ever issued was read, issue #18). */
static const struct db_stmt q_live_tokens = DB_STMT(
	"SELECT t.token_sha256 FROM access_token t JOIN payment_record p ON p.id = t.payment_id"
	" WHERE t.token_sha256 = ANY ($1::bpchar[]) AND" TICKET_LIVE("$2::timestamptz")
	"   AND (p.pay_status IN ('success', 'refunded') OR (" SEAT_HELD("$2::timestamptz") "))");

int ticket_live_set(struct db *d, arena *a, const char *const *tokens, int n, time_t now, int *live)
{
	struct enroll_holder h = { NULL, NULL, tokens, n };
	char nowbuf[40];
	const char *p[] = { token_hashes(a, &h), clock_rfc3339(now, nowbuf, sizeof(nowbuf)) };
	PGresult *res = db_q(d, a, &q_live_tokens, 2, p);
	if (res == NULL)
		return CAMP_EDB;
	for (int i = 0; i < n; i++) {
		char sha[65];
		crypto_sha256_hex(tokens[i], strlen(tokens[i]), sha);
		live[i] = 0;
		for (int k = 0; k < PQntuples(res) && !live[i]; k++)
			live[i] = !strcmp(PQgetvalue(res, k, 0), sha);
	}
	return CAMP_OK;
}

static const struct db_stmt q_issue = DB_STMT(
	"INSERT INTO access_token (token_sha256, payment_id, camp_id, member_id, expires_at, created_at)"
	" SELECT $1, p.id, p.camp_id, p.member_id,"
	" (c.end_date + 8)::timestamp AT TIME ZONE 'Asia/Shanghai', $3::timestamptz"
	" FROM payment_record p JOIN training_camp c ON c.id = p.camp_id"
	" WHERE p.id = $2 AND p.pay_status = 'success' AND p.member_id IS NOT NULL");

int ticket_issue(struct db *d, arena *a, long long payment_id, time_t now, char token[40])
{
	if (crypto_token("tk_", token, 40) != CAMP_OK)
		return CAMP_ECRYPTO;
	char sha[65], nowbuf[40];
	crypto_sha256_hex(token, strlen(token), sha);
	const char *p[] = { sha, arena_i64(a, payment_id), clock_rfc3339(now, nowbuf, sizeof(nowbuf)) };
	PGresult *res = db_q(d, a, &q_issue, 3, p);
	if (res == NULL)
		return CAMP_EDB;
	return strcmp(PQcmdTuples(res), "1") == 0 ? CAMP_OK : CAMP_ENOTFOUND;
}

static const struct db_stmt q_by_openid = DB_STMT(
	"SELECT p.id AS payment_id, c.id AS camp_id, c.name, c.status,"
	" c.start_date::text AS start_date, c.end_date::text AS end_date"
	" FROM payment_record p JOIN camp_member m ON m.id = p.member_id"
	" JOIN training_camp c ON c.id = p.camp_id"
	" WHERE (p.openid_index = $1 OR m.openid_index = $1) AND m.paid AND p.pay_status = 'success'"
	"  AND m.deleted_at IS NULL ORDER BY c.start_date DESC LIMIT 50");

int enroll_by_openid(struct db *d, arena *a, const char *openid,
                     struct my_enrollment **out, int *n)
{
	*n = 0;
	*out = NULL;
	const char *p[] = { pd_index(a, openid) };
	if (p[0] == NULL)
		return CAMP_OK;
	PGresult *res = db_q(d, a, &q_by_openid, 1, p);
	if (res == NULL)
		return CAMP_EDB;
	*n = PQntuples(res);
	*out = arena_alloc(a, sizeof(**out) * (size_t)(*n + 1));
	for (int i = 0; i < *n; i++) {
		struct my_enrollment *e = &(*out)[i];
		e->payment_id = db_get_ll(res, i, "payment_id", 0);
		e->camp_id = db_get_ll(res, i, "camp_id", 0);
		e->camp_name = arena_strdup(a, db_get(res, i, "name"));
		e->status = arena_strdup(a, db_get(res, i, "status"));
		e->start_date = arena_strdup(a, db_get(res, i, "start_date"));
		e->end_date = arena_strdup(a, db_get(res, i, "end_date"));
	}
	return CAMP_OK;
}

int enroll_owned_by(struct db *d, arena *a, long long payment_id, const char *openid)
{
	struct my_enrollment *list;
	int n;
	if (enroll_by_openid(d, a, openid, &list, &n) != CAMP_OK)
		return 0;
	for (int i = 0; i < n; i++)
		if (list[i].payment_id == payment_id)
			return 1;
	return 0;
}

static const struct db_stmt q_bind_lock = DB_STMT(
	"SELECT p.id, p.member_id, p.camp_id, p.bind_status, p.bind_deadline <= $2::timestamptz AS late"
	" FROM payment_record p WHERE (p.order_no = $1 OR p.wechat_transaction_id = $1)"
	" AND p.pay_status = 'success' AND p.member_id IS NOT NULL AND p.deleted_at IS NULL"
	" FOR UPDATE");
static const struct db_stmt q_bind_member = DB_STMT(
	"UPDATE camp_member SET filled_planet_nickname = $2, filled_planet_user_id = $3,"
	" filled_wechat_nickname = COALESCE(NULLIF($4, ''), filled_wechat_nickname) WHERE id = $1");
static const struct db_stmt q_bind_payment = DB_STMT(
	"UPDATE payment_record SET bind_status = 'completed', bind_method = 'user_fill',"
	" bound_at = $2::timestamptz, planet_user_id_from_attach = $3 WHERE id = $1");
static const struct db_stmt q_bind_blog = DB_STMT(
	"INSERT INTO payment_bind_log (payment_id, from_status, to_status, event, extra_data, created_at)"
	" VALUES ($1, 'pending', 'completed', 'USER_BIND', $2::jsonb, $3::timestamptz)");

int enroll_bind_later(struct db *d, arena *a, const char *order_no,
                      const struct enroll_form *f, time_t now,
                      long long *payment_id, const char **why)
{
	*why = NULL;
	char nowbuf[40];
	clock_rfc3339(now, nowbuf, sizeof(nowbuf));
	if (db_begin(d) != CAMP_OK)
		return CAMP_EDB;
	const char *p[] = { order_no, nowbuf };
	PGresult *res = db_q(d, a, &q_bind_lock, 2, p);
	if (res == NULL) {
		db_rollback(d);
		return CAMP_EDB;
	}
	if (PQntuples(res) != 1) {
		db_rollback(d);
		return CAMP_ENOTFOUND;
	}
	*payment_id = db_get_ll(res, 0, "id", 0);
	const char *status = db_get(res, 0, "bind_status");
	if (strcmp(status, "pending") != 0 || db_get_bool(res, 0, "late")) {
		db_rollback(d);
		*why = !strcmp(status, "completed") ? "该订单已完成绑定"
		       : "已超过 7 天绑定期限，请联系管理员人工绑定";
		return CAMP_ECONFLICT;
	}
	const char *pid = arena_strdup(a, db_get(res, 0, "id"));
	const char *mid = arena_strdup(a, db_get(res, 0, "member_id"));
	const char *mp[] = { mid, f->planet_nickname, f->planet_user_id, f->wechat_nickname };
	if (db_q(d, a, &q_bind_member, 4, mp) == NULL) {
		int dup = !strcmp(db_sqlstate(d), "23505");
		db_rollback(d);
		if (dup) {
			*why = "该星球ID已报名本训练营";
			return CAMP_ECONFLICT;
		}
		return CAMP_EDB;
	}
	const char *pp[] = { pid, nowbuf, f->planet_user_id };
	const char *lp[] = { pid, arena_printf(a, "{\"method\":\"user_fill\"}"), nowbuf };
	if (db_q(d, a, &q_bind_payment, 3, pp) == NULL || db_q(d, a, &q_bind_blog, 3, lp) == NULL) {
		db_rollback(d);
		return CAMP_EDB;
	}
	return db_commit(d);
}

static const struct db_stmt q_progress = DB_STMT(
	"SELECT c.name, c.start_date::text AS start_date, c.end_date::text AS end_date,"
	" c.total_days, c.required_days, m.checkin_count, m.eligible_for_refund,"
	" GREATEST(0, LEAST(c.end_date - c.start_date + 1,"
	"   ($2::timestamptz AT TIME ZONE 'Asia/Shanghai')::date - c.start_date + 1)) AS elapsed,"
	" r.refund_status, r.audit_status, r.audit_comment"
	" FROM camp_member m JOIN training_camp c ON c.id = m.camp_id"
	" LEFT JOIN LATERAL (SELECT refund_status, audit_status, audit_comment FROM refund_record"
	"   WHERE member_id = m.id AND deleted_at IS NULL ORDER BY id DESC LIMIT 1) r ON true"
	" WHERE m.id = $1");

int enroll_progress(struct db *d, arena *a, long long member_id, time_t now, struct progress *pr)
{
	memset(pr, 0, sizeof(*pr));
	char nowbuf[40];
	const char *p[] = { arena_i64(a, member_id), clock_rfc3339(now, nowbuf, sizeof(nowbuf)) };
	PGresult *res = db_q(d, a, &q_progress, 2, p);
	if (res == NULL)
		return CAMP_EDB;
	if (PQntuples(res) != 1)
		return CAMP_ENOTFOUND;
	pr->camp_name = arena_strdup(a, db_get(res, 0, "name"));
	pr->start_date = arena_strdup(a, db_get(res, 0, "start_date"));
	pr->end_date = arena_strdup(a, db_get(res, 0, "end_date"));
	pr->total_days = (int)db_get_ll(res, 0, "total_days", 0);
	pr->required_days = (int)db_get_ll(res, 0, "required_days", 0);
	pr->checkin_count = (int)db_get_ll(res, 0, "checkin_count", 0);
	pr->elapsed_days = (int)db_get_ll(res, 0, "elapsed", 0);
	pr->eligible = db_get_bool(res, 0, "eligible_for_refund");
	pr->refund_status = arena_strdup(a, db_get(res, 0, "refund_status"));
	pr->audit_status = arena_strdup(a, db_get(res, 0, "audit_status"));
	pr->audit_comment = arena_strdup(a, db_get(res, 0, "audit_comment"));
	return CAMP_OK;
}
