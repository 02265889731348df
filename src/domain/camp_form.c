/* camp_form.c: validation and storage of the create/edit camp form (PRD §4.2.1.2). */
#include "camp.h"
#include "clock.h"
#include "camps.h"
#include "db.h"
#include "log.h"
#include "media.h"
#include "money.h"
#include "secret.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


void form_error(struct form_errors *e, const char *field, const char *msg)
{
	if (form_error_for(e, field) != NULL || e->n == FORM_MAX_ERRORS)
		return;   /* one message per field: the first problem is what to fix */
	e->field[e->n] = field;
	e->msg[e->n] = msg;
	e->n++;
}

const char *form_error_for(const struct form_errors *e, const char *field)
{
	for (int i = 0; i < e->n; i++)
		if (strcmp(e->field[i], field) == 0)
			return e->msg[i];
	return NULL;
}





static int all_of(const char *s, const char *allowed_extra, int digits_only)
{
	for (; *s; s++) {
		char c = *s;
		int ok = (c >= '0' && c <= '9');
		if (!digits_only)
			ok = ok || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     strchr(allowed_extra, c) != NULL;
		if (!ok)
			return 0;
	}
	return 1;
}

static const struct db_stmt q_user_role = DB_STMT(
	"SELECT role FROM system_user WHERE id = $1 AND status = 'active' AND deleted_at IS NULL");

static int check_staff(struct db *d, arena *a, const char *const *ids, size_t n,
                       const char *role, long long *out, size_t *nout)
{
	*nout = 0;
	for (size_t i = 0; i < n; i++) {
		long long id;
		if (ids[i][0] == '\0')
			continue;    /* an empty option is "none chosen", not a bad id */
		if (parse_i64(ids[i], 1, (1LL << 53), &id) != CAMP_OK)
			return CAMP_EINVAL;
		const char *p[] = { ids[i] };
		PGresult *res = db_q(d, a, &q_user_role, 1, p);
		if (res == NULL)
			return CAMP_EDB;
		if (PQntuples(res) != 1 || strcmp(PQgetvalue(res, 0, 0), role) != 0)
			return CAMP_EINVAL;
		int dup = 0;
		for (size_t j = 0; j < *nout; j++)
			dup |= out[j] == id;
		if (!dup)
			out[(*nout)++] = id;
	}
	return CAMP_OK;
}

static void validate_text(arena *a, const struct camp_form *f, struct camp_values *v,
                          struct form_errors *e)
{
	v->name = text_trim(a, f->name);
	if (*v->name == '\0')
		form_error(e, "name", "请填写训练营名称");
	else if (text_chars(v->name) > 50)
		form_error(e, "name", "训练营名称最多 50 个字");
	else if (text_has_control(v->name, 0))
		form_error(e, "name", "训练营名称不能包含换行或控制字符");

	v->description = f->description ? arena_strdup(a, f->description) : "";
	if (text_chars(v->description) > 500)
		form_error(e, "description", "项目介绍最多 500 字");
	else if (text_has_control(v->description, 1))
		form_error(e, "description", "项目介绍包含无效字符");

	v->planet_project_id = text_trim(a, f->planet_project_id);
	if (strlen(v->planet_project_id) > 20 || !all_of(v->planet_project_id, "", 1))
		form_error(e, "planet_project_id", "知识星球项目ID应为数字（最多 20 位）");
	v->wechat_pay_code_id = text_trim(a, f->wechat_pay_code_id);
	if (strlen(v->wechat_pay_code_id) > 50 || !all_of(v->wechat_pay_code_id, "_-.@", 0))
		form_error(e, "wechat_pay_code_id", "企业微信收款码ID最多 50 位，只能包含字母、数字和 _-.@");
	const char *rk = text_trim(a, f->robot_webhook_key);
	v->robot_webhook_key = *rk ? rk : NULL;
	if (*rk && (strlen(rk) > 64 || !all_of(rk, "-", 0)))
		form_error(e, "robot_webhook_key", "群机器人 Webhook Key 最多 64 位，只能包含字母、数字和 -");
}

static void validate_numbers(arena *a, const struct camp_form *f, const struct camp *existing,
                             cday today, struct camp_values *v, struct form_errors *e)
{
	if (money_parse(text_trim(a, f->deposit), &v->deposit_fen) != CAMP_OK)
		form_error(e, "deposit", "押金金额应为大于 0 的数字，最多两位小数，例如 99.00");
	else if (v->deposit_fen <= 0)
		form_error(e, "deposit", "押金金额必须大于 0");

	int dates_ok = 1;
	if (cday_parse(f->start_date, &v->start_date) != CAMP_OK) {
		form_error(e, "start_date", "请选择开始日期（YYYY-MM-DD）");
		dates_ok = 0;
	} else if (existing == NULL && v->start_date < today) {
		form_error(e, "start_date", "开始日期不能早于今天");
	}
	if (cday_parse(f->end_date, &v->end_date) != CAMP_OK) {
		form_error(e, "end_date", "请选择结束日期（YYYY-MM-DD）");
		dates_ok = 0;
	} else if (dates_ok && v->end_date <= v->start_date) {
		form_error(e, "end_date", "结束日期必须晚于开始日期");
		dates_ok = 0;
	}
	long span = dates_ok ? cday_span(v->start_date, v->end_date) : 0;
	long long x = span, y = 0;
	const char *tdays = text_trim(a, f->total_days);
	if (*tdays != '\0' && parse_i64(tdays, 1, 10000, &x) != CAMP_OK)
		form_error(e, "total_days", "总天数应为正整数");
	else if (dates_ok && x > span)
		form_error(e, "total_days", "总天数不能超过开始到结束的天数");
	if (parse_i64(text_trim(a, f->required_days), 1, 10000, &y) != CAMP_OK)
		form_error(e, "required_days", "要求打卡天数应为大于 0 的整数");
	else if (x > 0 && y > x)
		form_error(e, "required_days", "要求打卡天数不能超过总天数");
	v->total_days = (int)x;
	v->required_days = (int)y;

	long long cap = 0;
	const char *c = text_trim(a, f->capacity);
	if (*c != '\0' && parse_i64(c, 1, 100000, &cap) != CAMP_OK)
		form_error(e, "capacity", "人数上限应为 1 到 100000 的整数，不限请留空");
	v->capacity = (int)cap;
}

/* After the start, dates, deposit and the requirement are part of what
 * members paid for: a changed value is refused, not silently ignored. */
static void check_locked(const struct camp *x, const struct camp_values *v,
                         struct form_errors *e)
{
	if (x == NULL || strcmp(x->status, "not_started") == 0)
		return;
	const char *msg = "训练营已开始，不能修改此项";
	if (v->deposit_fen != x->deposit_fen)
		form_error(e, "deposit", msg);
	if (v->start_date != x->start_date)
		form_error(e, "start_date", msg);
	if (v->end_date != x->end_date)
		form_error(e, "end_date", msg);
	if (v->total_days != x->total_days)
		form_error(e, "total_days", msg);
	if (v->required_days != x->required_days)
		form_error(e, "required_days", msg);
}

static void validate_images(struct db *d, arena *a, const struct camp_form *f,
                            struct camp_values *v, struct form_errors *e)
{
	v->poster_sha256 = f->poster_sha256;
	v->group_qrcode_sha256 = f->group_qrcode_sha256;
	if (v->poster_sha256 == NULL || !media_exists(d, a, v->poster_sha256))
		form_error(e, "poster", "请上传项目海报（jpg/png，最大 2MB）");
	if (v->group_qrcode_sha256 == NULL || !media_exists(d, a, v->group_qrcode_sha256))
		form_error(e, "group_qrcode", "请上传群二维码（jpg/png，最大 2MB）");
}

int camp_validate(struct db *d, arena *a, const struct camp_form *f,
                  const struct camp *existing, cday today,
                  struct camp_values *v, struct form_errors *e)
{
	memset(v, 0, sizeof(*v));
	validate_text(a, f, v, e);
	validate_numbers(a, f, existing, today, v, e);
	check_locked(existing, v, e);
	validate_images(d, a, f, v, e);
	/* the ZSXQ project must exist before the first check-in day */
	if (*v->planet_project_id == '\0' && form_error_for(e, "start_date") == NULL &&
	    v->start_date != 0 && v->start_date <= today)
		form_error(e, "planet_project_id", "训练营开始前必须填写知识星球项目ID");
	int rc = check_staff(d, a, f->coach_ids, f->ncoaches, "coach", v->coach_ids, &v->ncoaches);
	if (rc == CAMP_EDB)
		return CAMP_EDB;
	if (rc != CAMP_OK)
		form_error(e, "coach_ids", "所选教练无效");
	else if (v->ncoaches == 0)
		form_error(e, "coach_ids", "请至少选择一名教练");
	rc = check_staff(d, a, f->volunteer_ids, f->nvolunteers, "volunteer", v->volunteer_ids,
	                 &v->nvolunteers);
	if (rc == CAMP_EDB)
		return CAMP_EDB;
	if (rc != CAMP_OK)
		form_error(e, "volunteer_ids", "所选志愿者无效");
	return e->n ? CAMP_EINVAL : CAMP_OK;
}

static const struct db_stmt q_insert = DB_STMT(
	"INSERT INTO training_camp (name, description, deposit, start_date, end_date,"
	" total_days, required_days, poster_sha256, group_qrcode_sha256, planet_project_id,"
	" wechat_pay_code_id, capacity, robot_webhook_key, status, created_by)"
	" VALUES ($1, NULLIF($2, ''), $3::numeric / 100, $4::date, $5::date, $6::integer,"
	" $7::integer, $8, $9, NULLIF($10, ''), NULLIF($11, ''), NULLIF($12, '0')::integer,"
	" $13, 'not_started', NULLIF($14, '0')::bigint)"
	" RETURNING id");
static const struct db_stmt q_status_log = DB_STMT(
	"INSERT INTO camp_status_log (camp_id, from_status, to_status, event, operator_id, remark)"
	" VALUES ($1, $2, $3, $4, NULLIF($5, '0')::bigint, $6)");
static const struct db_stmt q_staff_clear = DB_STMT(
	"DELETE FROM camp_member_relation WHERE camp_id = $1");
static const struct db_stmt q_staff_add = DB_STMT(
	"INSERT INTO camp_member_relation (camp_id, user_id, role_type) VALUES ($1, $2, $3)"
	" ON CONFLICT DO NOTHING");

static int save_staff(struct db *d, arena *a, const char *cid, const struct camp_values *v)
{
	const char *p0[] = { cid };
	if (db_q(d, a, &q_staff_clear, 1, p0) == NULL)
		return CAMP_EDB;
	for (size_t i = 0; i < v->ncoaches + v->nvolunteers; i++) {
		int coach = i < v->ncoaches;
		long long uid = coach ? v->coach_ids[i] : v->volunteer_ids[i - v->ncoaches];
		const char *p[] = { cid, arena_i64(a, uid), coach ? "coach" : "volunteer" };
		if (db_q(d, a, &q_staff_add, 3, p) == NULL)
			return CAMP_EDB;
	}
	return CAMP_OK;
}

static const char *seal_robot_key(arena *a, const char *plain)
{
	if (plain == NULL)
		return NULL;
	char *sealed = secret_seal(CAMP_ROBOT_KEY_NAME, plain);
	if (sealed == NULL)
		return NULL;
	const char *s = arena_strdup(a, sealed);
	free(sealed);
	return s;
}

int camp_insert(struct db *d, arena *a, const struct camp_values *v,
                long long user_id, long long *id)
{
	char s1[12], s2[12];
	const char *sealed = seal_robot_key(a, v->robot_webhook_key);
	if (v->robot_webhook_key != NULL && sealed == NULL)
		return CAMP_ECRYPTO;
	const char *p[] = {
		v->name, v->description, arena_i64(a, v->deposit_fen),
		cday_format(v->start_date, s1, sizeof(s1)), cday_format(v->end_date, s2, sizeof(s2)),
		arena_i64(a, v->total_days), arena_i64(a, v->required_days),
		v->poster_sha256, v->group_qrcode_sha256, v->planet_project_id,
		v->wechat_pay_code_id, arena_i64(a, v->capacity), sealed, arena_i64(a, user_id),
	};
	PGresult *res = db_q(d, a, &q_insert, 14, p);
	if (res == NULL || PQntuples(res) != 1)
		return CAMP_EDB;
	*id = db_get_ll(res, 0, "id", 0);
	const char *cid = arena_i64(a, *id);
	const char *lp[] = { cid, NULL, "not_started", "CREATE", arena_i64(a, user_id), "创建训练营" };
	if (db_q(d, a, &q_status_log, 6, lp) == NULL)
		return CAMP_EDB;
	return save_staff(d, a, cid, v);
}

static const struct db_stmt q_camp_lock = DB_STMT(CAMP_LOCK_SQL);
static const struct db_stmt q_update = DB_STMT(
	"UPDATE training_camp SET name = $2, description = NULLIF($3, ''),"
	" deposit = $4::numeric / 100, start_date = $5::date, end_date = $6::date,"
	" total_days = $7::integer, required_days = $8::integer, poster_sha256 = $9,"
	" group_qrcode_sha256 = $10, planet_project_id = NULLIF($11, ''),"
	" wechat_pay_code_id = NULLIF($12, ''), capacity = NULLIF($13, '0')::integer,"
	" robot_webhook_key = COALESCE($14, robot_webhook_key)"
	" WHERE id = $1 AND deleted_at IS NULL");

int camp_update(struct db *d, arena *a, long long id, const struct camp_values *v,
                long long user_id)
{
	(void)user_id;
	char s1[12], s2[12];
	const char *sealed = seal_robot_key(a, v->robot_webhook_key);
	if (v->robot_webhook_key != NULL && sealed == NULL)
		return CAMP_ECRYPTO;
	const char *cid = arena_i64(a, id);
	/* an enrollment under way counts with the capacity it read (camps.h) */
	if (db_q(d, a, &q_camp_lock, 1, (const char *[]){ cid }) == NULL)
		return CAMP_EDB;
	const char *p[] = {
		cid, v->name, v->description, arena_i64(a, v->deposit_fen),
		cday_format(v->start_date, s1, sizeof(s1)), cday_format(v->end_date, s2, sizeof(s2)),
		arena_i64(a, v->total_days), arena_i64(a, v->required_days),
		v->poster_sha256, v->group_qrcode_sha256, v->planet_project_id,
		v->wechat_pay_code_id, arena_i64(a, v->capacity), sealed,
	};
	PGresult *res = db_q(d, a, &q_update, 14, p);
	if (res == NULL)
		return CAMP_EDB;
	if (strcmp(PQcmdTuples(res), "1") != 0)
		return CAMP_ENOTFOUND;
	return save_staff(d, a, cid, v);
}

static const struct db_stmt q_lock = DB_STMT(
	"SELECT status, cancelled_at IS NOT NULL AS cancelled FROM training_camp"
	" WHERE id = $1 AND deleted_at IS NULL FOR UPDATE");

/* The camp's row, locked, once no enrollment is under way (camps.h): the orders counted
 * after it are all the camp will get until this transaction ends. */
static PGresult *lock_camp(struct db *d, arena *a, const char *cid)
{
	const char *p[] = { cid };
	if (db_q(d, a, &q_camp_lock, 1, p) == NULL)
		return NULL;
	return db_q(d, a, &q_lock, 1, p);
}
static const struct db_stmt q_delete = DB_STMT(
	"UPDATE training_camp SET deleted_at = $2::timestamptz WHERE id = $1");
/* The money in a camp: pending orders, and paid members with their deposits
 * not yet refunded or proposed for refund (what 取消训练营 would propose). */
static const struct db_stmt q_money = DB_STMT(
	"SELECT (SELECT count(*) FROM payment_record p WHERE p.camp_id = $1 AND p.pay_status = 'pending'"
	"        AND p.deleted_at IS NULL) AS pending,"
	"       (SELECT count(*) FROM payment_record p WHERE p.camp_id = $1 AND p.pay_status = 'success'"
	"        AND p.deleted_at IS NULL) AS paid,"
	"       count(p.id) AS proposable, COALESCE(sum(p.pay_amount), 0)::text AS proposable_amount"
	"  FROM payment_record p JOIN camp_member m ON m.id = p.member_id"
	" WHERE p.camp_id = $1 AND p.pay_status = 'success' AND p.deleted_at IS NULL"
	"   AND m.paid AND m.deleted_at IS NULL"
	"   AND NOT EXISTS (SELECT 1 FROM refund_record r WHERE r.payment_id = p.id AND r.deleted_at IS NULL)");

static int money_of(struct db *d, arena *a, const char *cid, struct camp_money *m)
{
	memset(m, 0, sizeof(*m));
	PGresult *res = db_q(d, a, &q_money, 1, (const char *[]){ cid });
	if (res == NULL)
		return CAMP_EDB;
	m->pending_orders = db_get_ll(res, 0, "pending", 0);
	m->paid_orders = db_get_ll(res, 0, "paid", 0);
	m->proposable = db_get_ll(res, 0, "proposable", 0);
	money_parse(db_get(res, 0, "proposable_amount"), &m->proposable_fen);
	return CAMP_OK;
}

int camp_money(struct db *d, arena *a, long long id, struct camp_money *m)
{
	return money_of(d, a, arena_i64(a, id), m);
}

int camp_soft_delete(struct db *d, arena *a, long long id, long long user_id, const char **why)
{
	*why = NULL;
	const char *cid = arena_i64(a, id);
	PGresult *res = lock_camp(d, a, cid);
	if (res == NULL)
		return CAMP_EDB;
	if (PQntuples(res) != 1)
		return CAMP_ENOTFOUND;
	const char *status = arena_strdup(a, PQgetvalue(res, 0, 0));
	if (strcmp(status, "not_started") != 0) {
		*why = "已开始的训练营不能删除";
		return CAMP_ECONFLICT;    /* PRD §9.4: a started camp cannot be deleted */
	}
	/* a deleted camp strands its money: no refund path, tickets 404 */
	struct camp_money m;
	if (money_of(d, a, cid, &m) != CAMP_OK)
		return CAMP_EDB;
	if (m.pending_orders > 0 || m.paid_orders > 0) {
		*why = arena_printf(a, "该训练营已有 %lld 笔已支付、%lld 笔待支付订单，删除会让这些押金无法退回，"
		                       "因此不能删除。如需停办，请使用“取消训练营”：系统会关闭待支付订单，"
		                       "并为已支付会员发起全额退款。", m.paid_orders, m.pending_orders);
		return CAMP_ECONFLICT;
	}
	char now[40];
	const char *p2[] = { cid, clock_now_param(now, sizeof(now)) };
	if (db_q(d, a, &q_delete, 2, p2) == NULL)
		return CAMP_EDB;
	const char *lp[] = { cid, status, status, "DELETE", arena_i64(a, user_id), "删除训练营" };
	return db_q(d, a, &q_status_log, 6, lp) ? CAMP_OK : CAMP_EDB;
}

/* ---- 取消训练营 (issue #14) ----------------------------------------------- */

static const struct db_stmt q_cancel = DB_STMT(
	"UPDATE training_camp SET cancelled_at = $2::timestamptz, cancelled_by = NULLIF($3::bigint, 0)"
	" WHERE id = $1");
/* a full refund for every paid member, through the normal audit */
static const struct db_stmt q_cancel_propose = DB_STMT(
	"WITH ins AS ("
	" INSERT INTO refund_record (camp_id, member_id, payment_id, refund_amount, created_at, updated_at)"
	" SELECT p.camp_id, p.member_id, p.id, p.pay_amount, $2::timestamptz, $2::timestamptz"
	"   FROM payment_record p JOIN camp_member m ON m.id = p.member_id"
	"  WHERE p.camp_id = $1 AND p.pay_status = 'success' AND p.deleted_at IS NULL"
	"    AND m.paid AND m.deleted_at IS NULL"
	"    AND NOT EXISTS (SELECT 1 FROM refund_record r WHERE r.payment_id = p.id AND r.deleted_at IS NULL)"
	" RETURNING id)"
	" INSERT INTO refund_status_log (refund_id, from_status, to_status, event, operator_id, remark, created_at)"
	" SELECT id, NULL, 'pending', 'PROPOSE', NULLIF($3::bigint, 0), '" CAMP_CANCEL_REASON "', $2::timestamptz"
	"   FROM ins RETURNING refund_id");

int camp_cancel(struct db *d, arena *a, long long id, long long user_id, struct camp_money *m,
                const char **why)
{
	*why = NULL;
	const char *cid = arena_i64(a, id);
	PGresult *res = lock_camp(d, a, cid);
	if (res == NULL)
		return CAMP_EDB;
	if (PQntuples(res) != 1)
		return CAMP_ENOTFOUND;
	const char *status = arena_strdup(a, db_get(res, 0, "status"));
	if (db_get_bool(res, 0, "cancelled")) {
		*why = "该训练营已取消";
		return CAMP_ECONFLICT;
	}
	if (!strcmp(status, "finished")) {
		*why = "已结束的训练营不能取消，退款按正常的退款名单处理";
		return CAMP_ECONFLICT;
	}
	if (money_of(d, a, cid, m) != CAMP_OK)
		return CAMP_EDB;
	char now[40];
	const char *uid = arena_i64(a, user_id);
	const char *p[] = { cid, clock_now_param(now, sizeof(now)), uid };
	if (db_q(d, a, &q_cancel, 3, p) == NULL || db_q(d, a, &q_cancel_propose, 3, p) == NULL)
		return CAMP_EDB;
	const char *lp[] = { cid, status, status, "CANCEL", uid,
	                     arena_printf(a, "取消训练营：%lld 名已支付会员全额退款待审核，%lld 笔待支付订单关闭",
	                                  m->proposable, m->pending_orders) };
	return db_q(d, a, &q_status_log, 6, lp) ? CAMP_OK : CAMP_EDB;
}

static const struct db_stmt q_staff = DB_STMT(
	"SELECT u.id, u.username, r.role_type FROM camp_member_relation r"
	" JOIN system_user u ON u.id = r.user_id"
	" WHERE r.camp_id = $1 ORDER BY r.role_type, u.username");
static const struct db_stmt q_choices = DB_STMT(
	"SELECT id, username, role AS role_type FROM system_user"
	" WHERE role = $1 AND status = 'active' AND deleted_at IS NULL ORDER BY username");

static int staff_rows(PGresult *res, arena *a, struct camp_staff **out, int *n)
{
	if (res == NULL)
		return CAMP_EDB;
	*n = PQntuples(res);
	*out = arena_alloc(a, sizeof(**out) * (size_t)(*n + 1));
	for (int i = 0; i < *n; i++) {
		(*out)[i].id = db_get_ll(res, i, "id", 0);
		(*out)[i].username = arena_strdup(a, db_get(res, i, "username"));
		(*out)[i].role_type = arena_strdup(a, db_get(res, i, "role_type"));
	}
	return CAMP_OK;
}

int camp_staff_list(struct db *d, arena *a, long long camp_id, struct camp_staff **out, int *n)
{
	const char *p[] = { arena_i64(a, camp_id) };
	return staff_rows(db_q(d, a, &q_staff, 1, p), a, out, n);
}

int camp_staff_choices(struct db *d, arena *a, const char *role, struct camp_staff **out, int *n)
{
	const char *p[] = { role };
	return staff_rows(db_q(d, a, &q_choices, 1, p), a, out, n);
}
