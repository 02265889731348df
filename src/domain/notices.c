/* notices.c: member notices (queue, lists), quiet hours and robot message packing (issue #16). */
#include "notices.h"
#include "alerts.h"
#include "buf.h"
#include "camp.h"
#include "clock.h"
#include "config.h"
#include "dates.h"
#include "db.h"

#include <stdlib.h>
#include <string.h>

const struct notice_type notice_types[] = {
	{ "join_remind", "进群提醒", "notification.tpl_join_remind" },
	{ "end_remind", "结营提醒", "notification.tpl_end_remind" },
	{ "refund_success", "退款到账", "notification.tpl_refund_success" },
	{ "bind_remind", "绑定提醒", "notification.tpl_bind_remind" },
};
const size_t notice_ntypes = CAMP_ARRAY_LEN(notice_types);

const struct notice_type *notice_type_find(const char *name)
{
	for (size_t i = 0; name && i < notice_ntypes; i++)
		if (!strcmp(notice_types[i].name, name))
			return &notice_types[i];
	return NULL;
}

/* ---- quiet hours ----------------------------------------------------------- */

int notice_parse_hhmm(const char *s, int *minutes)
{
	if (s == NULL || strlen(s) != 5 || s[2] != ':')
		return CAMP_EINVAL;
	for (int i = 0; i < 5; i++)
		if (i != 2 && (s[i] < '0' || s[i] > '9'))
			return CAMP_EINVAL;
	int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
	if (h > 23 || m > 59)
		return CAMP_EINVAL;
	*minutes = h * 60 + m;
	return CAMP_OK;
}

int notice_quiet_at(int m, int from, int to)
{
	if (from == to)
		return 0;
	return from < to ? (m >= from && m < to) : (m >= from || m < to);
}

static int setting_minutes(struct db *d, const char *key, int dflt)
{
	char *v = config_get(d, key);
	int m;
	if (notice_parse_hhmm(v, &m) != CAMP_OK)
		m = dflt;
	free(v);
	return m;
}

struct quiet_hours {
	int from, to;    /* minutes after midnight, Asia/Shanghai */
};

static struct quiet_hours quiet_hours(struct db *d)
{
	struct quiet_hours q = { setting_minutes(d, "notification.quiet_start", 22 * 60),
	                         setting_minutes(d, "notification.quiet_end", 8 * 60) };
	return q;
}

/* the first end of the quiet hours after now */
static time_t next_end(struct quiet_hours q, time_t now)
{
	time_t end = cday_start(cday_of(now)) + (time_t)q.to * 60;
	return end > now ? end : end + 86400;
}

int notice_quiet(struct db *d, time_t now, time_t *until)
{
	struct quiet_hours q = quiet_hours(d);
	int m = (int)((now - cday_start(cday_of(now))) / 60);
	int quiet = notice_quiet_at(m, q.from, q.to);
	if (until)
		*until = quiet ? next_end(q, now) : now;
	return quiet;
}

time_t notice_next_morning(struct db *d, time_t now)
{
	return next_end(quiet_hours(d), now);
}

/* ---- queueing ---------------------------------------------------------------- */

static const struct db_stmt q_queue = DB_STMT(
	"INSERT INTO notification_message (recipient_type, recipient_id, message_type, title, content,"
	"  camp_id, member_id, extra_data, channel, send_status, error_message, dedupe_key,"
	"  created_at, updated_at)"
	" VALUES ('member', $1, $2, $3, $4, $5, $1, jsonb_strip_nulls(jsonb_build_object('url', $6::text)),"
	"         'mp', CASE WHEN $7::boolean THEN 'pending' ELSE 'failed' END,"
	"         CASE WHEN $7::boolean THEN NULL ELSE '会员没有在微信内支付（无 openid），无法推送；已显示在会员的页面上' END,"
	"         $2, $8::timestamptz, $8::timestamptz)"
	" ON CONFLICT (recipient_type, recipient_id, dedupe_key) WHERE dedupe_key IS NOT NULL"
	" DO NOTHING");

int notice_member_queue(struct db *d, arena *a, const struct member_notice_in *n, int *queued)
{
	if (queued)
		*queued = 0;
	char now[40];
	int reachable = n->reachable;
	const char *p[] = { arena_i64(a, n->member_id), n->type, n->title, n->content,
	                    arena_i64(a, n->camp_id), n->url, reachable ? "t" : "f",
	                    clock_now_param(now, sizeof(now)) };
	PGresult *res = db_q(d, a, &q_queue, 8, p);
	if (res == NULL)
		return CAMP_EDB;
	if (queued)
		*queued = atoi(PQcmdTuples(res));
	return CAMP_OK;
}

/* ---- lists ------------------------------------------------------------------- */

static const struct db_stmt q_of_member = DB_STMT(
	"SELECT n.message_type, n.title, n.content, n.channel, n.send_status, n.error_message,"
	"       to_char(n.created_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') AS created,"
	"       to_char(n.send_time AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') AS sent,"
	"       CASE n.recipient_type WHEN 'member' THEN '会员' WHEN 'robot' THEN '训练营群'"
	"            ELSE COALESCE(u.username, '员工') END AS recipient"
	"  FROM notification_message n"
	"  LEFT JOIN system_user u ON n.recipient_type = 'admin' AND u.id = n.recipient_id"
	" WHERE n.member_id = $1"
	"   AND (NOT $2::boolean OR (n.recipient_type = 'member' AND n.send_status = 'failed'))"
	" ORDER BY n.id DESC LIMIT 50");
static const struct db_stmt q_unreachable = DB_STMT(
	"SELECT * FROM ("
	" SELECT DISTINCT ON (n.recipient_id) n.id, n.recipient_id AS member_id, n.message_type,"
	"        n.error_message,"
	"        to_char(n.created_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') AS created,"
	"        COALESCE(NULLIF(m.filled_planet_nickname, ''), NULLIF(m.filled_wechat_nickname, ''),"
	"                 '学员') AS nickname"
	"   FROM notification_message n JOIN camp_member m ON m.id = n.recipient_id"
	"  WHERE n.recipient_type = 'member' AND n.channel = 'mp' AND n.camp_id = $1"
	"    AND n.send_status = 'failed' AND m.deleted_at IS NULL"
	"  ORDER BY n.recipient_id, n.id DESC) x"
	" ORDER BY id DESC LIMIT 200");

static const char *type_label(const char *type)
{
	const struct notice_type *t = notice_type_find(type);
	if (t != NULL)
		return t->label;
	const struct alert_type *at = alert_type_find(type);
	return at ? at->label : type;
}

int notice_member_list(struct db *d, arena *a, long long member_id, int undelivered_only,
                       struct member_notice **out, int *n)
{
	const char *p[] = { arena_i64(a, member_id), undelivered_only ? "t" : "f" };
	PGresult *res = db_q(d, a, &q_of_member, 2, p);
	if (res == NULL)
		return CAMP_EDB;
	*n = PQntuples(res);
	*out = arena_alloc(a, ((size_t)*n + 1) * sizeof(**out));
	for (int i = 0; i < *n; i++) {
		struct member_notice *x = &(*out)[i];
		x->type = arena_strdup(a, db_get(res, i, "message_type"));
		x->label = type_label(x->type);
		x->title = arena_strdup(a, db_get(res, i, "title"));
		x->content = arena_strdup(a, db_get(res, i, "content"));
		x->channel = arena_strdup(a, db_get(res, i, "channel"));
		x->recipient = arena_strdup(a, db_get(res, i, "recipient"));
		x->created = arena_strdup(a, db_get(res, i, "created"));
		x->sent = arena_strdup(a, db_get(res, i, "sent"));
		x->status = arena_strdup(a, db_get(res, i, "send_status"));
		x->error = arena_strdup(a, db_get(res, i, "error_message"));
	}
	return CAMP_OK;
}

int notice_unreachable_list(struct db *d, arena *a, long long camp_id,
                            struct notice_unreachable **out, int *n)
{
	const char *p[] = { arena_i64(a, camp_id) };
	PGresult *res = db_q(d, a, &q_unreachable, 1, p);
	if (res == NULL)
		return CAMP_EDB;
	*n = PQntuples(res);
	*out = arena_alloc(a, ((size_t)*n + 1) * sizeof(**out));
	for (int i = 0; i < *n; i++) {
		struct notice_unreachable *x = &(*out)[i];
		x->member_id = db_get_ll(res, i, "member_id", 0);
		x->nickname = arena_strdup(a, db_get(res, i, "nickname"));
		x->label = type_label(db_get(res, i, "message_type"));
		x->error = arena_strdup(a, db_get(res, i, "error_message"));
		x->created = arena_strdup(a, db_get(res, i, "created"));
	}
	return CAMP_OK;
}

const char *notice_status_label(const char *s)
{
	return s == NULL ? "—" : !strcmp(s, "sent") ? "已送达" : !strcmp(s, "pending") ? "待发送" :
	       !strcmp(s, "failed") ? "未送达" : !strcmp(s, "cancelled") ? "已取消" : s;
}

const char *notice_channel_label(const char *c)
{
	return c == NULL ? "—" : !strcmp(c, "mp") ? "公众号模板消息" : !strcmp(c, "wechat") ? "企业微信" :
	       !strcmp(c, "robot") ? "群机器人" : c;
}

/* ---- group robot packing ------------------------------------------------------ */

const char *notice_robot_line(arena *a, const char *line)
{
	static const char *const from = "*_`[]<>#";
	static const char *const to[] = { "＊", "＿", "｀", "［", "］", "＜", "＞", "＃" };
	struct buf b = BUF_INIT;
	for (const char *p = line ? line : ""; *p; p++) {
		const char *hit = strchr(from, *p);
		if (hit != NULL)
			buf_puts(&b, to[hit - from]);
		else
			buf_putc(&b, *p);
	}
	const char *s = arena_strdup(a, b.s ? b.s : "");
	buf_free(&b);
	return s;
}

int notice_robot_fit(const char *header, const char **lines, int from, int n, size_t max)
{
	size_t used = strlen(header);
	int k = 0;
	for (int i = from; i < n; i++) {
		size_t add = 1 + strlen(lines[i]);     /* "\n" + the line */
		if (k > 0 && used + add > max)
			break;
		used += add;
		k++;
	}
	return k > 0 ? k : (from < n ? 1 : 0);
}

char *notice_robot_text(const char *header, const char **lines, int from, int k, size_t max)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, header);
	for (int i = from; i < from + k; i++) {
		buf_putc(&b, '\n');
		buf_puts(&b, lines[i]);
	}
	if (b.len > max) {
		size_t cut = max;
		while (cut > 0 && ((unsigned char)b.s[cut] & 0xC0) == 0x80)
			cut--;                   /* never split a UTF-8 sequence */
		b.len = cut;
		b.s[cut] = '\0';
	}
	return buf_detach(&b, NULL);
}
