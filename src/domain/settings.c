/* settings.c: validation of settings values and the admins' change alert. */
#include "settings.h"
#include "alerts.h"
#include "camp.h"
#include "text.h"
#include "clock.h"
#include "db.h"
#include "notices.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

struct range {
	const char *key;
	long long lo, hi;
};

static const struct range ranges[] = {
	{ "planet.min_interval_ms", 0, 60000 },
	{ "refund.grace_days", 0, 30 },
	{ "security.login_user_limit", 1, 100 },
	{ "security.login_ip_limit", 1, 10000 },
};

/* Identifier-like keys: ids, serials, app ids. */
static const char *const idents[] = {
	"planet.group_id", "wechat.corp_id", "wechat.agent_id", "wechat.pay_merchant_id",
	"wechat.pay_appid", "wechat.pay_merchant_serial", "wechat.pay_public_key_id",
};

int settings_is_payment(const char *key)
{
	return strncmp(key, "wechat.pay_", 11) == 0;
}

int settings_is_multiline(const char *key)
{
	return !strcmp(key, "wechat.pay_private_key") || !strcmp(key, "wechat.pay_public_key");
}


static const char *check_range(const char *v, long long lo, long long hi, arena *a)
{
	char *end;
	long long x = strtoll(v, &end, 10);
	if (*v == '\0' || *end != '\0' || x < lo || x > hi || strlen(v) > 12)
		return arena_printf(a, "请输入 %lld 到 %lld 之间的整数", lo, hi);
	return NULL;
}

static const char *check_ident(const char *v)
{
	if (strlen(v) > 100)
		return "最多 100 个字符";
	for (const char *p = v; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= 'A' && *p <= 'Z') || *p == '_' || *p == '-'))
			return "只能包含字母、数字、下划线和连字符";
	return NULL;
}

static const char *check_pem(const char *key, const char *v)
{
	const char *kind = !strcmp(key, "wechat.pay_private_key") ? "PRIVATE KEY" : "PUBLIC KEY";
	char begin[40], end[40];
	strcpy(begin, "-----BEGIN ");
	strcat(strcat(begin, kind), "-----");
	strcpy(end, "-----END ");
	strcat(strcat(end, kind), "-----");
	const char *b = strstr(v, begin), *e = strstr(v, end);
	if (strlen(v) > 16384 || b == NULL || e == NULL || e < b + strlen(begin) + 16)
		return !strcmp(kind, "PRIVATE KEY")
		       ? "请粘贴完整的 PEM 私钥（-----BEGIN PRIVATE KEY----- … -----END PRIVATE KEY-----）"
		       : "请粘贴完整的 PEM 公钥（-----BEGIN PUBLIC KEY----- … -----END PUBLIC KEY-----）";
	return NULL;
}

static const struct db_stmt q_users_exist = DB_STMT(
	"SELECT count(DISTINCT id) AS n FROM system_user"
	" WHERE id = ANY($1::bigint[]) AND deleted_at IS NULL");

static const char *check_admin_users(struct db *d, arena *a, const char *v, int *err_db)
{
	const char *bad = "请填写用户 ID 的 JSON 数组，例如 [1, 2]";
	json_object *o = json_tokener_parse(v);
	const char *msg = NULL;
	if (o == NULL || !json_object_is_type(o, json_type_array)) {
		msg = bad;
		goto out;
	}
	size_t n = json_object_array_length(o);
	if (n > 100) {
		msg = "最多 100 名接收人";
		goto out;
	}
	char *arr = arena_strdup(a, "{");
	for (size_t i = 0; i < n; i++) {
		json_object *x = json_object_array_get_idx(o, i);
		if (!json_object_is_type(x, json_type_int) || json_object_get_int64(x) <= 0) {
			msg = bad;
			goto out;
		}
		arr = arena_printf(a, "%s%s%lld", arr, i ? "," : "",
		                   (long long)json_object_get_int64(x));
	}
	arr = arena_printf(a, "%s}", arr);
	const char *p[] = { arr };
	size_t distinct = 0;
	for (size_t i = 0; i < n; i++) {
		int dup = 0;
		for (size_t j = 0; j < i; j++)
			dup |= json_object_get_int64(json_object_array_get_idx(o, i)) ==
			       json_object_get_int64(json_object_array_get_idx(o, j));
		distinct += !dup;
	}
	PGresult *res = db_q(d, a, &q_users_exist, 1, p);
	if (res == NULL) {
		*err_db = 1;
		goto out;
	}
	if ((size_t)db_get_ll(res, 0, "n", 0) != distinct)
		msg = "列表中有不存在的用户 ID";
out:
	json_object_put(o);
	return msg;
}

/* A JSON array of switchable alert type names. */
static const char *check_alert_types(const char *v)
{
	json_object *o = json_tokener_parse(v);
	const char *msg = NULL;
	if (o == NULL || !json_object_is_type(o, json_type_array)) {
		msg = "请填写告警类型名称的 JSON 数组";
		goto out;
	}
	for (size_t i = 0; i < json_object_array_length(o); i++) {
		json_object *x = json_object_array_get_idx(o, i);
		const struct alert_type *t = json_object_is_type(x, json_type_string)
		                             ? alert_type_find(json_object_get_string(x)) : NULL;
		if (t == NULL || t->always) {
			msg = "列表中有未知或不可关闭的告警类型";
			goto out;
		}
	}
out:
	json_object_put(o);
	return msg;
}

/* issue #16: official-account template ids and the quiet hours */
static const char *check_member_notice(const char *key, const char *v)
{
	int minutes;
	if (!strcmp(key, "notification.quiet_start") || !strcmp(key, "notification.quiet_end"))
		return notice_parse_hhmm(v, &minutes) == CAMP_OK ? NULL : "请按 HH:MM 填写，例如 22:00";
	if (strlen(v) > 64)
		return "模板 ID 最多 64 个字符";
	return check_ident(v);
}

const char *settings_check(struct db *d, arena *a, const char *key, const char *value,
                           int *err_db)
{
	*err_db = 0;
	int multiline = settings_is_multiline(key);
	if (text_has_control(value, multiline))
		return "不能包含控制字符";
	if (*value == '\0')
		return NULL;   /* empty = back to the default / unset */
	for (size_t i = 0; i < CAMP_ARRAY_LEN(ranges); i++)
		if (!strcmp(ranges[i].key, key))
			return check_range(value, ranges[i].lo, ranges[i].hi, a);
	for (size_t i = 0; i < CAMP_ARRAY_LEN(idents); i++)
		if (!strcmp(idents[i], key))
			return check_ident(value);
	if (multiline)
		return check_pem(key, value);
	if (!strcmp(key, "wechat.pay_key"))
		return strlen(value) == 32 && !strchr(value, ' ') ? NULL
		       : "APIv3 密钥必须正好是 32 个字符（不含空格）";
	if (!strcmp(key, "notification.admin_users"))
		return check_admin_users(d, a, value, err_db);
	if (!strcmp(key, "notification.alerts_off"))
		return check_alert_types(value);
	if (!strncmp(key, "notification.tpl_", 17) || !strncmp(key, "notification.quiet_", 19))
		return check_member_notice(key, value);
	return strlen(value) > 8192 ? "内容过长（最多 8192 个字符）" : NULL;
}

int settings_alert_admins(struct db *d, arena *a, const char *title, const char *content)
{
	struct alert al = { "config_changed", title, content, 0, 0, NULL };
	return alert_staff(d, a, &al, NULL);
}
