/* alerts.c: staff alerts — the type table, the on/off switches and the recipients, in one statement. */
#include "alerts.h"
#include "camp.h"
#include "clock.h"
#include "config.h"
#include "db.h"
#include "log.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

const struct alert_type alert_types[] = {
	{ "sync_failed", "打卡同步失败", 0 },
	{ "cookie_expired", "知识星球 Token 失效或即将过期", 0 },
	{ "refund_failed", "退款失败，需人工处理", 0 },
	{ "bind_manual_review", "会员超期未绑定，转人工处理", 0 },
	{ "planet_id_claimed", "星球ID被他人重复报名（疑似冒用）", 0 },
	{ "config_changed", "微信支付配置被修改", 1 },
	/* --- issue #14 / #13: money integrity --- */
	{ "refund_not_enough", "商户可用余额不足，退款等待中", 0 },
	{ "exception_refund_failed", "支付异常退款被微信拒绝", 0 },
	/* issue #14 (books) */
	{ "books_mismatch", "对账发现差异（资金核对或微信账单）", 0 },
	/* --- issue #13: WeChat Pay platform certificates --- */
	{ "wxpay_cert_expiring", "微信支付平台证书即将过期", 0 },
	/* --- issue #17: dead-man alerts of the watchdog job (names = WD_* in watchdog.h) --- */
	{ "job_stale", "定时任务长时间未成功运行", 0 },
	{ "refund_stuck", "退款处理中超过 3 天", 0 },
	{ "order_unclosed", "过期订单超过 2 小时未关闭", 0 },
	{ "outbox_failing", "通知持续发送失败超过 1 小时", 0 },
	{ "backup_stale", "数据库备份过旧或未通过校验", 0 },
	{ "disk_low", "数据库磁盘剩余空间低于 10%", 0 },
	/* --- issue #16: reminders --- */
	{ "join_overdue", "会员支付 24 小时仍未进群（发给本营教练）", 0 },
	{ "camp_ending", "训练营明天结束（发给本营教练）", 0 },
	{ "refund_review", "训练营已结束，退款名单待审核", 0 },
	{ "member_notice_failed", "会员公众号通知发不出去（模板 ID 无效或达到每日上限）", 0 },
};
const size_t alert_ntypes = CAMP_ARRAY_LEN(alert_types);

/* issue #16: the types the camp's coaches hear instead of the admins */
static const char *const coach_types[] = { "join_overdue", "camp_ending" };

int alert_to_coaches(const char *type)
{
	for (size_t i = 0; type && i < CAMP_ARRAY_LEN(coach_types); i++)
		if (!strcmp(coach_types[i], type))
			return 1;
	return 0;
}

const struct alert_type *alert_type_find(const char *name)
{
	for (size_t i = 0; name && i < alert_ntypes; i++)
		if (!strcmp(alert_types[i].name, name))
			return &alert_types[i];
	return NULL;
}

int alert_enabled(struct db *d, const char *type)
{
	const struct alert_type *t = alert_type_find(type);
	if (t == NULL)
		return 0;
	if (t->always)
		return 1;
	char *off = config_get(d, "notification.alerts_off");
	json_object *o = off ? json_tokener_parse(off) : NULL;
	int on = 1;
	for (size_t i = 0; o && json_object_is_type(o, json_type_array) &&
	                   i < json_object_array_length(o); i++) {
		const char *s = json_object_get_string(json_object_array_get_idx(o, i));
		if (s && !strcmp(s, type))
			on = 0;
	}
	json_object_put(o);
	free(off);
	return on;
}

/* $8 = 't' → every active admin; else the configured list ($9), or every
 * active admin when the list is empty.  A once_key repeats nothing. */
static const struct db_stmt q_alert = DB_STMT(
	"INSERT INTO notification_message (recipient_type, recipient_id, message_type, title,"
	"  content, camp_id, member_id, channel, dedupe_key, created_at, updated_at)"
	" SELECT 'admin', u.id, $1, $2, $3, NULLIF($4, '0')::bigint, NULLIF($5, '0')::bigint,"
	"        'wechat', $6, $7::timestamptz, $7::timestamptz"
	"   FROM system_user u"
	"  WHERE u.status = 'active' AND u.deleted_at IS NULL"
	"    AND CASE WHEN $8::boolean OR jsonb_array_length($9::jsonb) = 0 THEN u.role = 'admin'"
	"             ELSE u.id IN (SELECT jsonb_array_elements_text($9::jsonb)::bigint) END"
	" ON CONFLICT (recipient_type, recipient_id, dedupe_key) WHERE dedupe_key IS NOT NULL"
	" DO NOTHING");

/* the active coaches of camp $4 (issue #16) */
static const struct db_stmt q_alert_coaches = DB_STMT(
	"INSERT INTO notification_message (recipient_type, recipient_id, message_type, title,"
	"  content, camp_id, member_id, channel, dedupe_key, created_at, updated_at)"
	" SELECT 'admin', u.id, $1, $2, $3, $4::bigint, NULLIF($5, '0')::bigint,"
	"        'wechat', $6, $7::timestamptz, $7::timestamptz"
	"   FROM system_user u JOIN camp_member_relation r ON r.user_id = u.id"
	"  WHERE r.camp_id = $4::bigint AND r.role_type = 'coach'"
	"    AND u.status = 'active' AND u.deleted_at IS NULL"
	" ON CONFLICT (recipient_type, recipient_id, dedupe_key) WHERE dedupe_key IS NOT NULL"
	" DO NOTHING");

static char *recipients(struct db *d)
{
	char *v = config_get(d, "notification.admin_users");
	json_object *o = v ? json_tokener_parse(v) : NULL;
	int ok = o && json_object_is_type(o, json_type_array);
	json_object_put(o);
	if (!ok) {
		free(v);
		v = strdup("[]");
	}
	return v;
}

int alert_staff(struct db *d, arena *a, const struct alert *al, long *queued)
{
	if (queued)
		*queued = 0;
	const struct alert_type *t = alert_type_find(al->type);
	if (t == NULL) {
		log_err("alert: unknown type %s", al->type ? al->type : "(null)");
		return CAMP_EINVAL;
	}
	if (!alert_enabled(d, al->type))
		return CAMP_OK;
	char now[40];
	int coaches = alert_to_coaches(t->name);
	char *to = coaches ? NULL : recipients(d);
	const char *p[] = { al->type, al->title, al->content, arena_i64(a, al->camp_id),
	                    arena_i64(a, al->member_id), al->once_key,
	                    clock_now_param(now, sizeof(now)), t->always ? "t" : "f",
	                    arena_strdup(a, to) };
	free(to);
	PGresult *res = coaches ? db_q(d, a, &q_alert_coaches, 7, p) : db_q(d, a, &q_alert, 9, p);
	if (res == NULL)
		return CAMP_EDB;
	if (queued)
		*queued = atol(PQcmdTuples(res));
	return CAMP_OK;
}
