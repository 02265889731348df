/* audit.c: writing and reading operation_log. */
#include "audit.h"
#include "camp.h"
#include "clock.h"
#include "dates.h"
#include "db.h"

#include <string.h>

static const struct db_stmt q_insert = DB_STMT(
	"INSERT INTO operation_log (operator_id, operator_name, operation_type,"
	" operation_desc, target_type, target_id, target_name, request_url,"
	" request_method, ip_address, user_agent, request_id, success,"
	" error_message, created_at)"
	" VALUES (NULLIF($1, '0')::bigint, $2, $3, $4, $5, NULLIF($6, '0')::bigint,"
	" left($7, 200), left($8, 500), $9, left($10, 64), $11, left($12, 64),"
	" $13::boolean, $14, $15::timestamptz)");

int audit_log(struct db *d, arena *a, const struct audit *e)
{
	char now[40];
	const char *p[] = {
		arena_i64(a, e->operator_id),
		e->operator_name ? e->operator_name : "system",
		e->type,
		e->desc ? e->desc : e->type,
		e->target_type,
		arena_i64(a, e->target_id),
		e->target_name,
		e->url,
		e->method,
		e->ip,
		e->user_agent,
		e->request_id,
		e->failed ? "f" : "t",
		e->error,
		clock_now_param(now, sizeof(now)),
	};
	return db_q(d, a, &q_insert, 15, p) ? CAMP_OK : CAMP_EDB;
}

/* $1 operator (0 = any), $2 type ('' = any), $3/$4 instants ('' = open) */
#define FILTER_WHERE \
	" WHERE ($1::bigint = 0 OR l.operator_id = $1::bigint)" \
	" AND ($2 = '' OR l.operation_type = $2)" \
	" AND ($3 = '' OR l.created_at >= $3::timestamptz)" \
	" AND ($4 = '' OR l.created_at < $4::timestamptz)"

static const struct db_stmt q_count = DB_STMT(
	"SELECT count(*) AS n FROM operation_log l" FILTER_WHERE);

static const struct db_stmt q_page = DB_STMT(
	"SELECT to_char(l.created_at AT TIME ZONE 'Asia/Shanghai',"
	" 'YYYY-MM-DD HH24:MI:SS') AS t, COALESCE(l.operator_id, 0) AS operator_id,"
	" l.operator_name, l.operation_type, l.operation_desc, l.target_type,"
	" COALESCE(l.target_id, 0) AS target_id, l.target_name, l.ip_address,"
	" l.user_agent, l.request_id, l.success"
	" FROM operation_log l" FILTER_WHERE
	" ORDER BY l.created_at DESC, l.id DESC"
	" LIMIT NULLIF($5::bigint, 0) OFFSET $6::bigint");

/* "YYYY-MM-DD" (+ days) → the first instant of that Asia/Shanghai date. */
static const char *day_param(arena *a, const char *s, int plus)
{
	cday d;
	if (s == NULL || cday_parse(s, &d) != CAMP_OK)
		return "";
	char *buf = arena_alloc(a, 40);
	return clock_rfc3339(cday_start(d + plus), buf, 40);
}

int audit_list(struct db *d, arena *a, const struct audit_filter *f,
               struct audit_row **out, int *n, long long *total)
{
	const char *p[] = {
		arena_i64(a, f->operator_id),
		f->type ? f->type : "",
		day_param(a, f->from, 0),
		day_param(a, f->to, 1),
		arena_i64(a, f->limit),
		arena_i64(a, f->offset),
	};
	PGresult *res = db_q(d, a, &q_count, 4, p);
	if (res == NULL)
		return CAMP_EDB;
	*total = db_get_ll(res, 0, "n", 0);
	res = db_q(d, a, &q_page, 6, p);
	if (res == NULL)
		return CAMP_EDB;
	*n = PQntuples(res);
	*out = arena_alloc(a, sizeof(struct audit_row) * (size_t)(*n + 1));
	for (int i = 0; i < *n; i++) {
		struct audit_row *r = &(*out)[i];
		r->time = arena_strdup(a, db_get(res, i, "t"));
		r->operator_id = db_get_ll(res, i, "operator_id", 0);
		r->operator_name = arena_strdup(a, db_get(res, i, "operator_name"));
		r->type = arena_strdup(a, db_get(res, i, "operation_type"));
		r->desc = arena_strdup(a, db_get(res, i, "operation_desc"));
		r->target_type = arena_strdup(a, db_get(res, i, "target_type"));
		r->target_id = db_get_ll(res, i, "target_id", 0);
		r->target_name = arena_strdup(a, db_get(res, i, "target_name"));
		r->ip = arena_strdup(a, db_get(res, i, "ip_address"));
		r->user_agent = arena_strdup(a, db_get(res, i, "user_agent"));
		r->request_id = arena_strdup(a, db_get(res, i, "request_id"));
		r->success = db_get_bool(res, i, "success");
	}
	return CAMP_OK;
}

static const struct db_stmt q_types = DB_STMT(
	"SELECT DISTINCT operation_type FROM operation_log ORDER BY 1 LIMIT 200");

int audit_types(struct db *d, arena *a, const char ***out, int *n)
{
	PGresult *res = db_q(d, a, &q_types, 0, NULL);
	if (res == NULL)
		return CAMP_EDB;
	*n = PQntuples(res);
	*out = arena_alloc(a, sizeof(char *) * (size_t)(*n + 1));
	for (int i = 0; i < *n; i++)
		(*out)[i] = arena_strdup(a, PQgetvalue(res, i, 0));
	return CAMP_OK;
}

static const struct {
	const char *type, *label;
} labels[] = {
	{ "LOGIN", "登录" },
	{ "LOGIN_FAILED", "登录失败" },
	{ "LOGOUT", "退出登录" },
	{ "CREATE_USER", "创建用户" },
	{ "UPDATE_USER", "修改用户" },
	{ "DELETE_USER", "删除用户" },
	{ "RESET_PASSWORD", "重置密码" },
	{ "UPDATE_CONFIG", "修改系统配置" },
	{ "CREATE_CAMP", "创建训练营" },
	{ "UPDATE_CAMP", "编辑训练营" },
	{ "DELETE_CAMP", "删除训练营" },
	{ "PUBLISH_CAMP", "发布到知识星球" },
	{ "MANUAL_MATCH", "手动匹配会员" },
	{ "MARK_JOINED", "标记进群" },
	{ "APPROVE_REFUND", "审核通过退款" },
	{ "REJECT_REFUND", "拒绝退款" },
	{ "RETRY_REFUND", "重试退款" },
	{ "REFUND_EXCEPTION", "支付异常全额退款" },
	{ "RESOLVE_EXCEPTION", "支付异常已处理" },
	/* --- issue #15 --- */
	{ "MANUAL_BIND", "手动绑定" },
	{ "PROPOSE_REFUND", "手动提议退款" },
	{ "REOPEN_REFUND", "重新提议退款" },
	{ "CLOSE_BINDING", "关闭绑定" },
	/* --- issue #17: payment data at rest --- */
	{ "REKEY", "轮换主密钥" },
};

const char *audit_type_label(const char *type)
{
	for (size_t i = 0; type && i < CAMP_ARRAY_LEN(labels); i++)
		if (strcmp(labels[i].type, type) == 0)
			return labels[i].label;
	return type ? type : "";
}
