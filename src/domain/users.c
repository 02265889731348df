/* users.c: admin console accounts — queries and the rules that guard them. */
#include "users.h"
#include "camp.h"
#include "clock.h"
#include "db.h"
#include "password.h"

#include <stdlib.h>
#include <string.h>

#define USER_COLUMNS \
	" id, username, real_name, role, status, wecom_userid, session_epoch," \
	" to_char(created_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') AS created," \
	" to_char(last_login_time AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') AS last_login"

static void row_to_user(const PGresult *res, int i, arena *a, struct user *u)
{
	memset(u, 0, sizeof(*u));
	u->id = db_get_ll(res, i, "id", 0);
	u->username = arena_strdup(a, db_get(res, i, "username"));
	u->real_name = arena_strdup(a, db_get(res, i, "real_name"));
	u->role = arena_strdup(a, db_get(res, i, "role"));
	u->status = arena_strdup(a, db_get(res, i, "status"));
	u->wecom_userid = arena_strdup(a, db_get(res, i, "wecom_userid"));
	u->epoch = (int)db_get_ll(res, i, "session_epoch", 1);
	u->created = arena_strdup(a, db_get(res, i, "created"));
	u->last_login = arena_strdup(a, db_get(res, i, "last_login"));
}

static const struct db_stmt q_find_login = DB_STMT(
	"SELECT" USER_COLUMNS ", password FROM system_user"
	" WHERE lower(username) = lower($1) AND status = 'active' AND deleted_at IS NULL");

int user_find_login(struct db *d, arena *a, const char *username, struct user *out)
{
	const char *p[] = { username };
	PGresult *res = db_q(d, a, &q_find_login, 1, p);
	if (res == NULL)
		return CAMP_EDB;
	if (PQntuples(res) != 1)
		return CAMP_ENOTFOUND;
	row_to_user(res, 0, a, out);
	out->password_hash = arena_strdup(a, db_get(res, 0, "password"));
	return CAMP_OK;
}

/* The window is (now − 15 min, now]; a user's success resets its count. */
static const struct db_stmt q_failures = DB_STMT(
	"SELECT"
	" (SELECT count(*) FROM login_attempt WHERE username = $1 AND NOT success"
	"   AND created_at > $3::timestamptz - interval '15 minutes'"
	"   AND created_at <= $3::timestamptz"
	"   AND created_at > COALESCE((SELECT max(created_at) FROM login_attempt"
	"     WHERE username = $1 AND success AND created_at <= $3::timestamptz),"
	"     '-infinity')) AS user_fails,"
	" (SELECT count(*) FROM login_attempt WHERE ip = $2 AND NOT success"
	"   AND created_at > $3::timestamptz - interval '15 minutes'"
	"   AND created_at <= $3::timestamptz) AS ip_fails");

int login_failures(struct db *d, arena *a, const char *lname, const char *ip,
                   long long *user_fails, long long *ip_fails)
{
	char now[40];
	const char *p[] = { lname, ip, clock_now_param(now, sizeof(now)) };
	PGresult *res = db_q(d, a, &q_failures, 3, p);
	if (res == NULL)
		return CAMP_EDB;
	*user_fails = db_get_ll(res, 0, "user_fails", 0);
	*ip_fails = db_get_ll(res, 0, "ip_fails", 0);
	return CAMP_OK;
}

static const struct db_stmt q_record = DB_STMT(
	"INSERT INTO login_attempt (username, ip, success, created_at)"
	" VALUES (left($1, 50), left($2, 64), $3::boolean, $4::timestamptz)");

int login_record(struct db *d, arena *a, const char *lname, const char *ip, int success)
{
	char now[40];
	const char *p[] = { lname, ip ? ip : "", success ? "t" : "f",
	                    clock_now_param(now, sizeof(now)) };
	return db_q(d, a, &q_record, 4, p) ? CAMP_OK : CAMP_EDB;
}

static const struct db_stmt q_mark_login = DB_STMT(
	"UPDATE system_user SET last_login_time = $2::timestamptz,"
	" last_login_ip = left($3, 64) WHERE id = $1");

int user_mark_login(struct db *d, arena *a, long long id, const char *ip)
{
	char now[40];
	const char *p[] = { arena_i64(a, id), clock_now_param(now, sizeof(now)), ip };
	return db_q(d, a, &q_mark_login, 3, p) ? CAMP_OK : CAMP_EDB;
}

static const struct db_stmt q_bump = DB_STMT(
	"UPDATE system_user SET session_epoch = session_epoch + 1,"
	" updated_at = $2::timestamptz WHERE id = $1");

int user_bump_epoch(struct db *d, arena *a, long long id)
{
	char now[40];
	const char *p[] = { arena_i64(a, id), clock_now_param(now, sizeof(now)) };
	return db_q(d, a, &q_bump, 2, p) ? CAMP_OK : CAMP_EDB;
}

static const struct db_stmt q_list = DB_STMT(
	"SELECT" USER_COLUMNS " FROM system_user WHERE deleted_at IS NULL"
	" ORDER BY id LIMIT 1000");

int user_list(struct db *d, arena *a, struct user **out, int *n)
{
	PGresult *res = db_q(d, a, &q_list, 0, NULL);
	if (res == NULL)
		return CAMP_EDB;
	*n = PQntuples(res);
	*out = arena_alloc(a, sizeof(struct user) * (size_t)(*n + 1));
	for (int i = 0; i < *n; i++)
		row_to_user(res, i, a, &(*out)[i]);
	return CAMP_OK;
}

static const struct db_stmt q_get = DB_STMT(
	"SELECT" USER_COLUMNS " FROM system_user WHERE id = $1 AND deleted_at IS NULL");

int user_get(struct db *d, arena *a, long long id, struct user *out)
{
	const char *p[] = { arena_i64(a, id) };
	PGresult *res = db_q(d, a, &q_get, 1, p);
	if (res == NULL)
		return CAMP_EDB;
	if (PQntuples(res) != 1)
		return CAMP_ENOTFOUND;
	row_to_user(res, 0, a, out);
	return CAMP_OK;
}

/* ---- validation ------------------------------------------------------- */

static int only_chars(const char *s, const char *extra)
{
	for (const char *p = s; *p; p++) {
		char c = *p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || strchr(extra, c) != NULL))
			return 0;
	}
	return 1;
}

/* Characters (not bytes) of valid UTF-8; -1 when invalid or with controls. */
static long utf8_chars(const char *s)
{
	long n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; n++) {
		int len = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3
		        : (*p & 0xF8) == 0xF0 ? 4 : 0;
		if (len == 0 || (len == 1 && (*p < 0x20 || *p == 0x7f)))
			return -1;
		for (int i = 1; i < len; i++)
			if ((p[i] & 0xC0) != 0x80)
				return -1;
		p += len;
	}
	return n;
}

static const struct db_stmt q_name_taken = DB_STMT(
	"SELECT 1 FROM system_user WHERE lower(username) = lower($1)"
	" AND deleted_at IS NULL");

static int check_username(struct db *d, arena *a, const char *u, const char **err)
{
	size_t n = u ? strlen(u) : 0;
	if (n == 0) {
		*err = "请填写用户名";
		return CAMP_OK;
	}
	if (n < 3 || n > 50 || !only_chars(u, "_.-")) {
		*err = "用户名须为 3–50 位字母、数字、下划线（_）、点（.）或连字符（-）";
		return CAMP_OK;
	}
	const char *p[] = { u };
	PGresult *res = db_q(d, a, &q_name_taken, 1, p);
	if (res == NULL)
		return CAMP_EDB;
	if (PQntuples(res) > 0)
		*err = "该用户名已被使用";
	return CAMP_OK;
}

static const char *check_password(const char *pw)
{
	size_t n = pw ? strlen(pw) : 0;
	if (n == 0)
		return "请填写密码";
	if (n < 10)
		return "密码至少 10 位";
	if (n > 256 || utf8_chars(pw) < 0)
		return "密码不能超过 256 位，且不能包含控制字符";
	return NULL;
}

static void check_fields(const struct user_input *in, struct user_errors *e)
{
	if (in->role == NULL || (strcmp(in->role, "admin") && strcmp(in->role, "manager") &&
	    strcmp(in->role, "coach") && strcmp(in->role, "volunteer")))
		e->role = "请选择角色：超级管理员、管理员、教练或志愿者";
	if (in->status == NULL || (strcmp(in->status, "active") && strcmp(in->status, "disabled")))
		e->status = "请选择状态：启用或禁用";
	const char *w = in->wecom_userid ? in->wecom_userid : "";
	if (strlen(w) > 64 || !only_chars(w, "_.@-"))
		e->wecom_userid = "企业微信 UserID 最多 64 位，只能包含字母、数字和 _ . @ -";
	long rn = utf8_chars(in->real_name ? in->real_name : "");
	if (rn < 0 || rn > 50)
		e->real_name = "姓名最多 50 个字，且不能包含控制字符";
}

static const struct db_stmt q_lock_admins = DB_STMT(
	"SELECT id FROM system_user WHERE role = 'admin' AND status = 'active'"
	" AND deleted_at IS NULL ORDER BY id FOR UPDATE");

/* Active admins other than id, their rows locked until the transaction ends. */
static int other_admins(struct db *d, arena *a, long long id, long long *n)
{
	PGresult *res = db_q(d, a, &q_lock_admins, 0, NULL);
	if (res == NULL)
		return CAMP_EDB;
	*n = 0;
	for (int i = 0; i < PQntuples(res); i++)
		if (db_get_ll(res, i, "id", 0) != id)
			(*n)++;
	return CAMP_OK;
}

static int check_edit(struct db *d, arena *a, long long id, long long self_id,
                      const struct user_input *in, struct user_errors *e)
{
	struct user cur;
	int rc = user_get(d, a, id, &cur);
	if (rc != CAMP_OK)
		return rc;
	int demote = e->role == NULL && strcmp(in->role, cur.role) != 0;
	int disable = e->status == NULL && !strcmp(in->status, "disabled") &&
	              strcmp(cur.status, "disabled") != 0;
	if (id == self_id) {
		if (demote)
			e->role = "不能修改自己的角色";
		if (disable)
			e->status = "不能禁用自己的账号";
		return CAMP_OK;
	}
	if (!strcmp(cur.role, "admin") && !strcmp(cur.status, "active") && (demote || disable)) {
		long long others;
		if (other_admins(d, a, id, &others) != CAMP_OK)
			return CAMP_EDB;
		if (others == 0) {
			if (demote)
				e->role = "这是最后一名启用的超级管理员，不能改为其他角色";
			if (disable)
				e->status = "这是最后一名启用的超级管理员，不能禁用";
		}
	}
	return CAMP_OK;
}

static int count_errors(const struct user_errors *e)
{
	return !!e->username + !!e->password + !!e->role + !!e->status +
	       !!e->wecom_userid + !!e->real_name;
}

int user_validate(struct db *d, arena *a, long long id, long long self_id,
                  const struct user_input *in, struct user_errors *e)
{
	memset(e, 0, sizeof(*e));
	check_fields(in, e);
	if (id == 0) {
		if (check_username(d, a, in->username, &e->username) != CAMP_OK)
			return CAMP_EDB;
		e->password = check_password(in->password);
	} else {
		int rc = check_edit(d, a, id, self_id, in, e);
		if (rc != CAMP_OK)
			return rc;
	}
	e->n = count_errors(e);
	return e->n ? CAMP_EINVAL : CAMP_OK;
}

static const struct db_stmt q_create = DB_STMT(
	"INSERT INTO system_user (username, password, role, status, wecom_userid,"
	" real_name, password_changed_at, created_at, updated_at)"
	" VALUES ($1, $2, $3, $4, NULLIF($5, ''), NULLIF($6, ''), $7::timestamptz,"
	" $7::timestamptz, $7::timestamptz) RETURNING id");

int user_create(struct db *d, arena *a, const struct user_input *in, long long *id)
{
	char *hash = password_hash(in->password);
	if (hash == NULL)
		return CAMP_ERR;
	char now[40];
	const char *p[] = { in->username, hash, in->role, in->status,
	                    in->wecom_userid ? in->wecom_userid : "",
	                    in->real_name ? in->real_name : "",
	                    clock_now_param(now, sizeof(now)) };
	PGresult *res = db_q(d, a, &q_create, 7, p);
	free(hash);
	if (res == NULL)
		return strcmp(db_sqlstate(d), "23505") == 0 ? CAMP_ECONFLICT : CAMP_EDB;
	*id = db_get_ll(res, 0, "id", 0);
	return CAMP_OK;
}

/* Disabling (or re-enabling) changes the epoch so old cookies die. */
static const struct db_stmt q_update = DB_STMT(
	"UPDATE system_user SET role = $2, status = $3::text, wecom_userid = NULLIF($4, ''),"
	" real_name = NULLIF($5, ''), updated_at = $6::timestamptz,"
	" session_epoch = session_epoch + CASE WHEN status <> $3::text THEN 1 ELSE 0 END"
	" WHERE id = $1 AND deleted_at IS NULL RETURNING id");

int user_update(struct db *d, arena *a, long long id, const struct user_input *in)
{
	char now[40];
	const char *p[] = { arena_i64(a, id), in->role, in->status,
	                    in->wecom_userid ? in->wecom_userid : "",
	                    in->real_name ? in->real_name : "",
	                    clock_now_param(now, sizeof(now)) };
	PGresult *res = db_q(d, a, &q_update, 6, p);
	if (res == NULL)
		return CAMP_EDB;
	return PQntuples(res) == 1 ? CAMP_OK : CAMP_ENOTFOUND;
}

int user_delete_check(struct db *d, arena *a, long long id, long long self_id,
                      const char **why)
{
	*why = NULL;
	struct user cur;
	int rc = user_get(d, a, id, &cur);
	if (rc != CAMP_OK)
		return rc;
	if (id == self_id) {
		*why = "不能删除自己的账号";
		return CAMP_OK;
	}
	if (!strcmp(cur.role, "admin") && !strcmp(cur.status, "active")) {
		long long others;
		if (other_admins(d, a, id, &others) != CAMP_OK)
			return CAMP_EDB;
		if (others == 0)
			*why = "这是最后一名启用的超级管理员，不能删除";
	}
	return CAMP_OK;
}

static const struct db_stmt q_delete = DB_STMT(
	"UPDATE system_user SET deleted_at = $2::timestamptz, updated_at = $2::timestamptz,"
	" session_epoch = session_epoch + 1 WHERE id = $1 AND deleted_at IS NULL"
	" RETURNING id");

int user_soft_delete(struct db *d, arena *a, long long id)
{
	char now[40];
	const char *p[] = { arena_i64(a, id), clock_now_param(now, sizeof(now)) };
	PGresult *res = db_q(d, a, &q_delete, 2, p);
	if (res == NULL)
		return CAMP_EDB;
	return PQntuples(res) == 1 ? CAMP_OK : CAMP_ENOTFOUND;
}

static const struct db_stmt q_set_password = DB_STMT(
	"UPDATE system_user SET password = $2, password_changed_at = $3::timestamptz,"
	" updated_at = $3::timestamptz, session_epoch = session_epoch + 1"
	" WHERE id = $1 AND deleted_at IS NULL RETURNING id");

int user_set_password(struct db *d, arena *a, long long id, const char *hash)
{
	char now[40];
	const char *p[] = { arena_i64(a, id), hash, clock_now_param(now, sizeof(now)) };
	PGresult *res = db_q(d, a, &q_set_password, 3, p);
	if (res == NULL)
		return CAMP_EDB;
	return PQntuples(res) == 1 ? CAMP_OK : CAMP_ENOTFOUND;
}

const char *user_status_label(const char *status)
{
	return status && !strcmp(status, "disabled") ? "禁用" : "启用";
}

/* ---- issue #13: WeCom userids that WeCom refused ------------------------ */

static const struct db_stmt q_refusals = DB_STMT(
	"SELECT id, username, real_name, wecom_userid, wecom_invalid,"
	" to_char(wecom_invalid_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') AS at"
	" FROM system_user WHERE wecom_invalid IS NOT NULL AND deleted_at IS NULL"
	" ORDER BY wecom_invalid_at DESC, id");

int user_wecom_refusals(struct db *d, arena *a, struct wecom_refusal **out, int *n)
{
	PGresult *res = db_q(d, a, &q_refusals, 0, NULL);
	if (res == NULL)
		return CAMP_EDB;
	*n = PQntuples(res);
	*out = arena_alloc(a, sizeof(**out) * (size_t)(*n + 1));
	for (int i = 0; i < *n; i++) {
		struct wecom_refusal *f = &(*out)[i];
		f->id = db_get_ll(res, i, "id", 0);
		f->username = arena_strdup(a, db_get(res, i, "username"));
		f->real_name = arena_strdup(a, db_get(res, i, "real_name"));
		f->wecom_userid = arena_strdup(a, db_get(res, i, "wecom_userid"));
		f->reason = arena_strdup(a, db_get(res, i, "wecom_invalid"));
		f->at = arena_strdup(a, db_get(res, i, "at"));
	}
	return CAMP_OK;
}

static const struct db_stmt q_wecom_mark = DB_STMT(
	"UPDATE system_user SET wecom_invalid = $3, wecom_invalid_at = $4::timestamptz"
	" WHERE id = $1::bigint AND wecom_userid = $2 AND wecom_invalid IS DISTINCT FROM $3");
static const struct db_stmt q_wecom_clear = DB_STMT(
	"UPDATE system_user SET wecom_invalid = NULL, wecom_invalid_at = NULL"
	" WHERE id = $1::bigint AND wecom_userid = $2 AND wecom_invalid IS NOT NULL");

int user_wecom_mark(struct db *d, arena *a, long long id, const char *userid, const char *reason)
{
	char now[40];
	const char *p[] = { arena_i64(a, id), userid, reason, clock_now_param(now, sizeof(now)) };
	return db_q(d, a, reason ? &q_wecom_mark : &q_wecom_clear, reason ? 4 : 2, p)
	       ? CAMP_OK : CAMP_EDB;
}

const char *user_wecom_refusal_label(const char *reason)
{
	if (reason && !strcmp(reason, "invaliduser"))
		return "企业微信中没有这个 UserID（invaliduser）";
	if (reason && !strcmp(reason, "unlicenseduser"))
		return "该成员未分配企业微信接口许可（unlicenseduser）";
	return reason ? reason : "";
}
