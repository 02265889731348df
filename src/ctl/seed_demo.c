/* seed_demo.c: demo camps, staff, members, check-ins and refunds for a new instance. */
#include "seed_demo.h"
#include "camp.h"
#include "clock.h"
#include "crypto.h"
#include "dates.h"
#include "db.h"
#include "demo_images.h"
#include "env.h"
#include "httpc.h"
#include "password.h"
#include "paydata.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#define DAY 86400
#define HOUR 3600

struct demo_member {
	const char *nick;       /* ZSXQ and WeChat nickname */
	int paid;               /* 0 = an order still open for payment */
	const char *bind;       /* pending | completed | expired | manual_review | closed */
	const char *method;     /* h5_bindplanet | user_fill | manual (completed only) */
	int checkins;           /* days checked in, counted from the first day */
	const char *refund;     /* NULL | pending | approved | success | failed | rejected */
};

struct demo_camp {
	const char *name;
	const char *description;
	const char *deposit;
	int start_offset;       /* days from today */
	int days;               /* end = start + days - 1 */
	int required;
	int capacity;           /* 0 = no limit */
	unsigned top, bottom;   /* poster colours */
	const char *coach, *volunteer;
	const struct demo_member *members;
	size_t nmembers;
};

static const struct demo_member upcoming_members[] = {
	{ "晨光里的阿杰", 1, "completed", "h5_bindplanet", 0, NULL },
	{ "小满读书", 1, "completed", "user_fill", 0, NULL },
	{ "知更鸟", 1, "pending", NULL, 0, NULL },
	{ "Lemon🍋", 1, "pending", NULL, 0, NULL },
	{ "风吹麦浪", 0, "pending", NULL, 0, NULL },
};

static const struct demo_member ongoing_members[] = {
	{ "Tony 说英语", 1, "completed", "h5_bindplanet", 10, NULL },
	{ "每天进步一点点", 1, "completed", "h5_bindplanet", 7, NULL },
	{ "Amy_Chen", 1, "completed", "h5_bindplanet", 3, NULL },
	{ "海边的卡夫卡", 1, "completed", "user_fill", 9, NULL },
	{ "奔跑的蜗牛", 1, "expired", NULL, 0, NULL },
	{ "一只咸鱼", 1, "manual_review", NULL, 0, NULL },
	{ "路人甲", 1, "closed", NULL, 0, NULL },
};

static const struct demo_member finished_members[] = {
	{ "墨染青衣", 1, "completed", "h5_bindplanet", 14, NULL },
	{ "写字的猫", 1, "completed", "h5_bindplanet", 11, NULL },
	{ "小林同学", 1, "completed", "manual", 6, NULL },
	{ "迟到的星星", 1, "manual_review", NULL, 0, NULL },
};

static const struct demo_member refunded_members[] = {
	{ "早起的鸟儿", 1, "completed", "h5_bindplanet", 21, "success" },
	{ "跑者老周", 1, "completed", "h5_bindplanet", 18, "success" },
	{ "Grace 跑步中", 1, "completed", "user_fill", 16, "approved" },
	{ "山间清风", 1, "completed", "h5_bindplanet", 15, "failed" },
	{ "慢慢来", 1, "completed", "h5_bindplanet", 14, "pending" },
	{ "大力水手", 1, "completed", "manual", 17, "rejected" },
	{ "三天打鱼", 1, "completed", "h5_bindplanet", 8, NULL },
};

static const struct demo_camp camps[] = {
	{ "21天晨读打卡营（第8期）",
	  "每天早上 7 点前读书 30 分钟，在知识星球打卡分享一段读书笔记。\n完成 15 天打卡即全额退还押金。",
	  "99.00", 7, 21, 15, 200, 0xffb37a, 0xff6f61, "coach_wang", "volunteer_zhao",
	  upcoming_members, CAMP_ARRAY_LEN(upcoming_members) },
	{ "30天英语口语挑战营",
	  "每天录一段 1 分钟英语口语，教练逐条点评。\n完成 20 天打卡即全额退还押金。",
	  "199.00", -10, 30, 20, 0, 0x6dd5ed, 0x2193b0, "coach_li", NULL,
	  ongoing_members, CAMP_ARRAY_LEN(ongoing_members) },
	{ "14天写作训练营",
	  "两周养成写作习惯：每天一篇 300 字短文。\n完成 10 天打卡即全额退还押金。",
	  "66.00", -20, 14, 10, 0, 0xa18cd1, 0xfbc2eb, "coach_wang", NULL,
	  finished_members, CAMP_ARRAY_LEN(finished_members) },
	{ "21天跑步打卡营（第3期）",
	  "每天跑步 3 公里以上，截图打卡。\n完成 15 天打卡即全额退还押金。",
	  "99.00", -45, 21, 15, 0, 0x96e6a1, 0x3cb371, "coach_li", "volunteer_zhao",
	  refunded_members, CAMP_ARRAY_LEN(refunded_members) },
};

static const struct {
	const char *username, *real_name, *role;
} demo_users[] = {
	{ "coach_wang", "王教练", "coach" },
	{ "coach_li", "李教练", "coach" },
	{ "volunteer_zhao", "赵志愿者", "volunteer" },
};

/* ---- statements ------------------------------------------------------- */

static const struct db_stmt q_lock = DB_STMT(
	"SELECT pg_advisory_xact_lock(hashtextextended('camp-seed-demo', 0))");
static const struct db_stmt q_seeded = DB_STMT(
	"SELECT 1 FROM operation_log WHERE operation_type = 'SEED_DEMO' LIMIT 1");
static const struct db_stmt q_mark = DB_STMT(
	"INSERT INTO operation_log (operator_id, operator_name, operation_type, operation_desc,"
	" success, created_at) VALUES (NULL, 'campctl', 'SEED_DEMO', $1, true, $2::timestamptz)");
static const struct db_stmt q_admin = DB_STMT(
	"SELECT id FROM system_user WHERE lower(username) = 'admin' AND deleted_at IS NULL");
static const struct db_stmt q_user_add = DB_STMT(
	"INSERT INTO system_user (username, password, real_name, role, status, password_changed_at)"
	" VALUES ($1, $2, $3, $4, 'active', $5::timestamptz)"
	" ON CONFLICT (lower(username)) WHERE deleted_at IS NULL DO NOTHING RETURNING id");
static const struct db_stmt q_user_id = DB_STMT(
	"SELECT id FROM system_user WHERE lower(username) = lower($1) AND deleted_at IS NULL");
static const struct db_stmt q_media = DB_STMT(
	"INSERT INTO media (sha256, mime, bytes, size, width, height)"
	" VALUES ($1, 'image/png', decode($2, 'base64'), $3::integer, $4::integer, $5::integer)"
	" ON CONFLICT (sha256) DO NOTHING");
static const struct db_stmt q_camp = DB_STMT(
	"INSERT INTO training_camp (name, poster_sha256, description, deposit, start_date,"
	" end_date, total_days, required_days, group_qrcode_sha256, planet_project_id, status,"
	" capacity, created_by, created_at)"
	" VALUES ($1, $2, $3, $4::numeric, $5::date, $6::date, $7::integer, $8::integer, $9,"
	"         $10, $11, NULLIF($12::integer, 0), $13::bigint, $14::timestamptz)"
	" RETURNING id");
static const struct db_stmt q_camp_url = DB_STMT(
	"UPDATE training_camp SET enroll_url = $2 || '/h5/camps/' || id WHERE id = $1::bigint");
static const struct db_stmt q_camp_log = DB_STMT(
	"INSERT INTO camp_status_log (camp_id, from_status, to_status, event, operator_id,"
	" remark, created_at) VALUES ($1::bigint, $2, $3, $4, NULL, $5, $6::timestamptz)");
static const struct db_stmt q_relation = DB_STMT(
	"INSERT INTO camp_member_relation (camp_id, user_id, role_type)"
	" VALUES ($1::bigint, $2::bigint, $3)");
static const struct db_stmt q_planet_user = DB_STMT(
	"INSERT INTO planet_user (planet_user_id, planet_nickname, wechat_nickname)"
	" VALUES ($1, $2, $2) RETURNING id");
static const struct db_stmt q_member = DB_STMT(
	"INSERT INTO camp_member (camp_id, planet_user_id, filled_planet_nickname,"
	" filled_planet_user_id, filled_wechat_nickname, paid, paid_at, match_status,"
	" match_confidence, match_time, joined_group, joined_at, created_at)"
	" VALUES ($1::bigint, $2::bigint, $3, $4, $5, $6::boolean, $7::timestamptz, $8,"
	"         $9::integer, $10::timestamptz, $11::boolean, $10::timestamptz, $12::timestamptz)"
	" RETURNING id");
/* openids are sealed for their row: written once the rows have their ids */
static const struct db_stmt q_member_openid = DB_STMT(
	"UPDATE camp_member SET openid_sealed = $2, openid_index = $3 WHERE id = $1::bigint");
static const struct db_stmt q_payment_openid = DB_STMT(
	"UPDATE payment_record SET openid_sealed = $2, openid_index = $3 WHERE id = $1::bigint");
static const struct db_stmt q_payment = DB_STMT(
	"INSERT INTO payment_record (order_no, camp_id, member_id, pay_amount, pay_status,"
	" pay_time, source, trade_type, time_expire, wechat_transaction_id,"
	" payer_wechat_name, bind_status, bind_method, bind_deadline, bound_at, created_at)"
	" VALUES ($1, $2::bigint, $3::bigint, $4::numeric, $5, $6::timestamptz, 'wechatpay',"
	"         'JSAPI', $7::timestamptz, $8, $9, $10, $11, $12::timestamptz,"
	"         $13::timestamptz, $14::timestamptz)"
	" RETURNING id");
static const struct db_stmt q_bind_log = DB_STMT(
	"INSERT INTO payment_bind_log (payment_id, from_status, to_status, event, created_at)"
	" VALUES ($1::bigint, $2, $3, $4, $5::timestamptz)");
static const struct db_stmt q_checkin = DB_STMT(
	"INSERT INTO checkin_record (camp_id, planet_user_id, member_id, checkin_date,"
	" checkin_time, checkin_content, planet_checkin_id, synced_at)"
	" VALUES ($1::bigint, $2::bigint, $3::bigint, $4::date, $5::timestamptz, $6, $7,"
	"         $5::timestamptz)");
static const struct db_stmt q_stats = DB_STMT(
	"SELECT update_member_checkin_stats($1::bigint, 1)");
static const struct db_stmt q_refund = DB_STMT(
	"INSERT INTO refund_record (camp_id, member_id, payment_id, refund_amount, refund_status,"
	" audit_status, auditor_id, audit_time, audit_comment, out_refund_no, execute_time,"
	" wechat_refund_id, wechat_status, success_time, failure_reason, retry_count,"
	" last_retry_time, created_at)"
	" VALUES ($1::bigint, $2::bigint, $3::bigint, $4::numeric, $5, $6, $7::bigint,"
	"         $8::timestamptz, $9, $10, $11::timestamptz, $12, $13, $14::timestamptz, $15,"
	"         $16::integer, $17::timestamptz, $18::timestamptz)"
	" RETURNING id");
static const struct db_stmt q_refund_log = DB_STMT(
	"INSERT INTO refund_status_log (refund_id, from_status, to_status, event, operator_id,"
	" remark, created_at) VALUES ($1::bigint, $2, $3, $4, $5::bigint, $6, $7::timestamptz)");
static const struct db_stmt q_payment_refunded = DB_STMT(
	"UPDATE payment_record SET pay_status = 'refunded', refunded_amount = pay_amount"
	" WHERE id = $1::bigint");
static const struct db_stmt q_counters = DB_STMT(
	"UPDATE training_camp c SET"
	" member_count = (SELECT count(*) FROM camp_member m"
	"                  WHERE m.camp_id = c.id AND m.paid AND m.deleted_at IS NULL),"
	" paid_amount = (SELECT COALESCE(sum(p.pay_amount), 0) FROM payment_record p"
	"                 WHERE p.camp_id = c.id AND p.deleted_at IS NULL"
	"                   AND p.pay_status IN ('success', 'refunded')),"
	" refunded_amount = (SELECT COALESCE(sum(r.refund_amount), 0) FROM refund_record r"
	"                     WHERE r.camp_id = c.id AND r.deleted_at IS NULL"
	"                       AND r.refund_status IN ('success', 'refunded_offline'))"
	" WHERE c.id = $1::bigint");

/* ---- the seeding ------------------------------------------------------ */

struct seed {
	struct db *d;
	arena *a;
	FILE *out;
	cday today;
	time_t now;
	const char *admin_id;   /* NULL when there is no admin user */
	long long seq;          /* numbers orders, openids, planet ids */
	int failed;
	int nmembers, ncheckins, nrefunds;
};

/* Runs a statement; a failure marks the whole seed failed (and rolled back). */
static PGresult *run(struct seed *s, const struct db_stmt *st, int n, const char *const *p)
{
	if (s->failed)
		return NULL;
	PGresult *res = db_q(s->d, s->a, st, n, p);
	if (res == NULL) {
		fprintf(stderr, "campctl: seed-demo: %s\n", db_errmsg(s->d));
		s->failed = 1;
	}
	return res;
}

static const char *ts(struct seed *s, time_t t)
{
	char buf[40];
	return arena_strdup(s->a, clock_rfc3339(t, buf, sizeof(buf)));
}

static const char *day_text(struct seed *s, cday d)
{
	char buf[12];
	return arena_strdup(s->a, cday_format(d, buf, sizeof(buf)));
}

static const char *store_png(struct seed *s, const struct png_image_buf *img)
{
	char hex[65];
	crypto_sha256_hex(img->bytes, img->len, hex);
	char *b64 = crypto_b64_encode(img->bytes, img->len);
	if (b64 == NULL) {
		s->failed = 1;
		return NULL;
	}
	const char *p[] = { hex, b64, arena_i64(s->a, (int64_t)img->len),
	                    arena_i64(s->a, img->width), arena_i64(s->a, img->height) };
	run(s, &q_media, 5, p);
	free(b64);
	return arena_strdup(s->a, hex);
}

static const char *make_poster(struct seed *s, const struct demo_camp *c)
{
	struct png_image_buf img;
	if (demo_poster_png(c->top, c->bottom, 600, 800, &img) != CAMP_OK) {
		fprintf(stderr, "campctl: seed-demo: cannot draw a poster\n");
		s->failed = 1;
		return NULL;
	}
	const char *h = store_png(s, &img);
	demo_image_free(&img);
	return h;
}

static const char *make_group_qr(struct seed *s, size_t idx)
{
	struct png_image_buf img;
	char url[64];
	snprintf(url, sizeof(url), "https://weixin.qq.com/g/DEMO%04zu", idx + 1);
	if (demo_qr_png(url, 8, &img) != CAMP_OK) {
		fprintf(stderr, "campctl: seed-demo: cannot draw a QR code\n");
		s->failed = 1;
		return NULL;
	}
	const char *h = store_png(s, &img);
	demo_image_free(&img);
	return h;
}

/* A demo user with a generated password, printed once; an existing user of
 * that name is reused as it is. */
static const char *ensure_user(struct seed *s, size_t i)
{
	char pw[24];
	if (password_generate(pw, sizeof(pw)) != CAMP_OK) {
		s->failed = 1;
		return NULL;
	}
	char *hash = password_hash(pw);
	if (hash == NULL) {
		s->failed = 1;
		return NULL;
	}
	const char *p[] = { demo_users[i].username, hash, demo_users[i].real_name,
	                    demo_users[i].role, ts(s, s->now) };
	PGresult *res = run(s, &q_user_add, 5, p);
	free(hash);
	if (res == NULL)
		return NULL;
	if (PQntuples(res) == 1) {
		fprintf(s->out, "demo user %-15s (%s) password: %s\n", demo_users[i].username,
		        demo_users[i].role, pw);
		memset(pw, 0, sizeof(pw));
		return arena_strdup(s->a, db_get(res, 0, "id"));
	}
	memset(pw, 0, sizeof(pw));
	const char *q[] = { demo_users[i].username };
	res = run(s, &q_user_id, 1, q);
	return res && PQntuples(res) == 1 ? arena_strdup(s->a, db_get(res, 0, "id")) : NULL;
}

static const char *user_id(const char *const ids[], const char *name)
{
	for (size_t i = 0; name && i < CAMP_ARRAY_LEN(demo_users); i++)
		if (strcmp(demo_users[i].username, name) == 0)
			return ids[i];
	return NULL;
}

static void bind_log(struct seed *s, const char *pay_id, const char *from, const char *to,
                     const char *event, time_t at)
{
	const char *p[] = { pay_id, from, to, event, ts(s, at) };
	run(s, &q_bind_log, 5, p);
}

/* The binding history that leads to the member's bind_status. */
static void bind_history(struct seed *s, const char *pay_id, const struct demo_member *m,
                         time_t paid, time_t deadline)
{
	if (strcmp(m->bind, "completed") == 0 && strcmp(m->method, "manual") != 0) {
		bind_log(s, pay_id, "pending", "completed", "BIND", paid + HOUR);
		return;
	}
	if (strcmp(m->bind, "pending") == 0)
		return;
	bind_log(s, pay_id, "pending", "expired", "EXPIRE", deadline);
	if (strcmp(m->bind, "expired") == 0)
		return;
	bind_log(s, pay_id, "expired", "manual_review", "MANUAL_REVIEW", deadline);
	if (strcmp(m->bind, "completed") == 0)
		bind_log(s, pay_id, "manual_review", "completed", "MANUAL_BIND", deadline + DAY);
	else if (strcmp(m->bind, "closed") == 0)
		bind_log(s, pay_id, "manual_review", "closed", "CLOSE", deadline + DAY);
}

static void checkins(struct seed *s, const char *camp_id, const char *pu_id,
                     const char *member_id, const struct demo_member *m, cday start, cday end)
{
	for (int k = 0; k < m->checkins; k++) {
		cday d = start + k;
		if (d > end || d >= s->today)
			break;
		time_t at = cday_start(d) + 7 * HOUR + (time_t)((s->seq * 13 + k * 7) % 180) * 60;
		const char *p[] = { camp_id, pu_id, member_id, day_text(s, d), ts(s, at),
		                    arena_printf(s->a, "第%d天打卡：今天也完成了！", k + 1),
		                    arena_printf(s->a, "%lld", 4155000000LL + s->seq * 100 + k) };
		run(s, &q_checkin, 7, p);
		s->ncheckins++;
	}
}

static void refund_log(struct seed *s, const char *rid, const char *from, const char *to,
                       const char *event, const char *op, time_t at)
{
	const char *p[] = { rid, from, to, event, op, "演示数据", ts(s, at) };
	run(s, &q_refund_log, 7, p);
}

static void refund(struct seed *s, const struct demo_camp *c, const char *camp_id,
                   const char *member_id, const char *pay_id, const struct demo_member *m,
                   cday end)
{
	const char *st = m->refund;
	int pending = !strcmp(st, "pending"), rejected = !strcmp(st, "rejected");
	int success = !strcmp(st, "success"), failed = !strcmp(st, "failed");
	time_t proposed = cday_start(end + 1) + 2 * HOUR;
	time_t audited = proposed + DAY + 3 * HOUR;
	time_t executed = audited + 60;
	const char *out_no = pending || rejected ? NULL
	                     : arena_printf(s->a, "RFDEMO%08lld01", s->seq);
	const char *p[] = {
		camp_id, member_id, pay_id, c->deposit, st,
		pending ? "pending" : rejected ? "rejected" : "approved",
		pending ? NULL : s->admin_id,
		pending ? NULL : ts(s, audited),
		rejected ? "打卡截图与训练营内容无关，不予退款" : NULL,
		out_no,
		success || failed ? ts(s, executed) : NULL,
		success ? arena_printf(s->a, "50300%014lld", s->seq) : NULL,
		success ? "SUCCESS" : failed ? "ABNORMAL" : NULL,
		success ? ts(s, executed + 5 * 60) : NULL,
		failed ? "微信支付退款失败：用户银行卡已注销，请联系会员线下处理" : NULL,
		failed ? "1" : "0",
		failed ? ts(s, executed + HOUR) : NULL,
		ts(s, proposed),
	};
	PGresult *res = run(s, &q_refund, 18, p);
	if (res == NULL)
		return;
	const char *rid = arena_strdup(s->a, db_get(res, 0, "id"));
	s->nrefunds++;
	refund_log(s, rid, NULL, "pending", "PROPOSE", NULL, proposed);
	if (pending)
		return;
	refund_log(s, rid, "pending", rejected ? "rejected" : "approved",
	           rejected ? "AUDIT_REJECT" : "AUDIT_APPROVE", s->admin_id, audited);
	if (success || failed)
		refund_log(s, rid, "approved", st, success ? "REFUND_SUCCESS" : "REFUND_FAILED",
		           NULL, executed + 5 * 60);
	if (success) {
		const char *q[] = { pay_id };
		run(s, &q_payment_refunded, 1, q);
	}
}

static void member(struct seed *s, const struct demo_camp *c, const char *camp_id,
                   const struct demo_member *m, cday start, cday end)
{
	long long n = ++s->seq;
	int completed = !strcmp(m->bind, "completed"), closed = !strcmp(m->bind, "closed");
	const char *planet_id = completed || closed ? arena_printf(s->a, "%lld", 51228800000LL + n * 37)
	                                            : NULL;
	const char *pu_id = NULL;
	if (completed) {
		const char *p[] = { planet_id, m->nick };
		PGresult *res = run(s, &q_planet_user, 2, p);
		if (res == NULL)
			return;
		pu_id = arena_strdup(s->a, db_get(res, 0, "id"));
	}
	/* upcoming camps were paid for yesterday, the others before their start */
	time_t paid = start > s->today ? s->now - DAY + n * 600
	                               : cday_start(start - 3) + 20 * HOUR + n * 600;
	time_t created = m->paid ? paid - 120 : s->now - 5 * 60;
	time_t deadline = paid + 7 * DAY;
	const char *openid = arena_printf(s->a, "oDemo%010lld", n);
	const char *mp[] = {
		camp_id, pu_id, completed || closed ? m->nick : NULL, planet_id, m->nick,
		m->paid ? "true" : "false", m->paid ? ts(s, paid) : NULL,
		completed ? "matched" : closed ? "failed" : "pending",
		completed ? "100" : "0",
		completed ? ts(s, paid + HOUR) : NULL,
		completed ? "true" : "false",
		ts(s, created),
	};
	PGresult *res = run(s, &q_member, 12, mp);
	if (res == NULL)
		return;
	const char *member_id = arena_strdup(s->a, db_get(res, 0, "id"));
	s->nmembers++;
	const char *pp[] = {
		arena_printf(s->a, "DEMO%s%06lld", day_text(s, s->today), n),
		camp_id, member_id, c->deposit, m->paid ? "success" : "pending",
		m->paid ? ts(s, paid) : NULL,
		ts(s, m->paid ? paid + 28 * 60 : s->now + 25 * 60),
		m->paid ? arena_printf(s->a, "42000020%012lld", n) : NULL,
		m->nick, m->bind, completed ? m->method : NULL,
		m->paid ? ts(s, deadline) : NULL,
		completed ? ts(s, !strcmp(m->method, "manual") ? deadline + DAY : paid + HOUR) : NULL,
		ts(s, created),
	};
	res = run(s, &q_payment, 14, pp);
	if (res == NULL)
		return;
	const char *pay_id = arena_strdup(s->a, db_get(res, 0, "id"));
	const char *m_openid, *p_openid, *index = pd_index(s->a, openid);
	if (pd_seal(s->a, PD_MEMBER_OPENID, member_id, openid, &m_openid) != CAMP_OK ||
	    pd_seal(s->a, PD_PAY_OPENID, pay_id, openid, &p_openid) != CAMP_OK) {
		fprintf(stderr, "campctl: seed-demo: cannot seal the demo openids\n");
		s->failed = 1;
		return;
	}
	run(s, &q_member_openid, 3, (const char *[]){ member_id, m_openid, index });
	run(s, &q_payment_openid, 3, (const char *[]){ pay_id, p_openid, index });
	if (m->paid)
		bind_history(s, pay_id, m, paid, deadline);
	if (pu_id != NULL)
		checkins(s, camp_id, pu_id, member_id, m, start, end);
	if (m->refund != NULL)
		refund(s, c, camp_id, member_id, pay_id, m, end);
}

/* ---- the ZSXQ side, in camp-sim (issue #13) ----------------------------- */
/* Dev tooling only: with CAMP_SIM_URL set (./dev sets it), each demo camp's ZSXQ
 * check-in project and its members' check-ins are put into the simulator through
 * its control API, so that 立即同步 finds what the demo database shows.  Read back
 * from the database, so that a restarted simulator can be given the same world
 * again (camp-sim takes a post it already has as the same post). */

static const struct db_stmt q_demo_projects = DB_STMT(
	"SELECT planet_project_id, name, required_days, end_date::text AS end_date"
	"  FROM training_camp WHERE planet_project_id = ANY($1::text[]) AND deleted_at IS NULL"
	" ORDER BY id");
static const struct db_stmt q_demo_posts = DB_STMT(
	"SELECT cr.id, t.planet_project_id, pu.planet_user_id, COALESCE(pu.planet_nickname, '') AS name,"
	"       to_char(cr.checkin_time AT TIME ZONE 'Asia/Shanghai',"
	"               'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"+08:00\"') AS at"
	"  FROM checkin_record cr JOIN training_camp t ON t.id = cr.camp_id"
	"  JOIN planet_user pu ON pu.id = cr.planet_user_id"
	" WHERE t.planet_project_id = ANY($1::text[]) AND t.deleted_at IS NULL"
	" ORDER BY cr.checkin_time, cr.id");
/* the records carry the simulator's topic ids, as a sync would store them */
static const struct db_stmt q_demo_topic_ids = DB_STMT(
	"UPDATE checkin_record cr SET planet_checkin_id = x.tid"
	"  FROM unnest($1::bigint[], $2::text[]) AS x(id, tid) WHERE cr.id = x.id");

static const char *demo_project_id(arena *a, size_t idx)
{
	return arena_printf(a, "%lld", 28855541411LL + (long long)idx * 1111);
}

/* POSTs body to the simulator; the answer's JSON (caller puts it) or NULL. */
static struct json_object *sim_post(const char *base, const char *path, struct json_object *body)
{
	const char *text = json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN);
	char url[512];
	snprintf(url, sizeof(url), "%s%s", base, path);
	const char *headers[] = { "Content-Type: application/json", NULL };
	struct httpc_request rq = { .method = "POST", .url = url, .headers = headers,
	                            .body = text, .body_len = strlen(text) };
	struct httpc_response rs = HTTPC_RESPONSE_INIT;
	struct json_object *out = NULL;
	if (httpc_do(&rq, &rs) == CAMP_OK && rs.status == 200 && rs.body.s != NULL)
		out = json_tokener_parse(rs.body.s);
	else
		fprintf(stderr, "campctl: seed-demo: %s: %s %ld\n", path, rs.error, rs.status);
	httpc_response_free(&rs);
	json_object_put(body);
	return out;
}

static int demo_zsxq_projects(arena *a, const char *sim, PGresult *res)
{
	for (int i = 0; i < PQntuples(res); i++) {
		struct json_object *b = json_object_new_object(), *v = json_object_new_object();
		json_object_object_add(b, "checkin_id", json_object_new_string(db_get(res, i, "planet_project_id")));
		json_object_object_add(b, "title", json_object_new_string(db_get(res, i, "name")));
		json_object_object_add(b, "checkin_days", json_object_new_int64(db_get_ll(res, i, "required_days", 1)));
		json_object_object_add(v, "long_period", json_object_new_boolean(0));
		json_object_object_add(v, "expiration_time", json_object_new_string(
		                           arena_printf(a, "%sT23:59:59.000+0800", db_get(res, i, "end_date"))));
		json_object_object_add(b, "validity", v);
		struct json_object *r = sim_post(sim, "/sim/zsxq/projects", b);
		if (r == NULL)
			return CAMP_EPROVIDER;
		json_object_put(r);
	}
	return CAMP_OK;
}

/* Every demo check-in as a post in the simulator; ids[i] and tids[i] = record and topic ids. */
static int demo_zsxq_posts(arena *a, const char *sim, PGresult *res, const char **ids, const char **tids)
{
	for (int i = 0; i < PQntuples(res); i++) {
		struct json_object *b = json_object_new_object();
		json_object_object_add(b, "checkin_id", json_object_new_string(db_get(res, i, "planet_project_id")));
		json_object_object_add(b, "user_id", json_object_new_string(db_get(res, i, "planet_user_id")));
		json_object_object_add(b, "name", json_object_new_string(db_get(res, i, "name")));
		json_object_object_add(b, "time", json_object_new_string(db_get(res, i, "at")));
		struct json_object *r = sim_post(sim, "/sim/zsxq/checkins", b), *t;
		if (r == NULL || !json_object_object_get_ex(r, "topic_id", &t)) {
			json_object_put(r);
			return CAMP_EPROVIDER;
		}
		ids[i] = db_get(res, i, "id");
		tids[i] = arena_printf(a, "%lld", (long long)json_object_get_int64(t));
		json_object_put(r);
	}
	return CAMP_OK;
}

static const char *text_array(arena *a, const char *const *v, int n)
{
	size_t len = 3;
	for (int i = 0; i < n; i++)
		len += strlen(v[i]) + 1;
	char *s = arena_alloc(a, len), *p = s;
	*p++ = '{';
	for (int i = 0; i < n; i++)
		p += sprintf(p, "%s%s", i ? "," : "", v[i]);   /* digits only */
	strcpy(p, "}");
	return s;
}

/* The demo world's ZSXQ half, in camp-sim; nothing when CAMP_SIM_URL is not set. */
static void demo_zsxq(struct db *d, FILE *out)
{
	const char *sim = getenv("CAMP_SIM_URL");
	if (sim == NULL || *sim == '\0')
		return;
	arena *a = arena_new();
	const char *ids[CAMP_ARRAY_LEN(camps)];
	for (size_t i = 0; i < CAMP_ARRAY_LEN(camps); i++)
		ids[i] = demo_project_id(a, i);
	const char *p[] = { text_array(a, ids, (int)CAMP_ARRAY_LEN(camps)) };
	httpc_global_init();
	PGresult *pr = db_q(d, a, &q_demo_projects, 1, p);
	PGresult *ps = pr ? db_q(d, a, &q_demo_posts, 1, p) : NULL;
	int n = ps ? PQntuples(ps) : 0, rc = CAMP_EDB;
	const char **rid = arena_alloc(a, ((size_t)n + 1) * sizeof(char *));
	const char **tid = arena_alloc(a, ((size_t)n + 1) * sizeof(char *));
	if (ps != NULL && (rc = demo_zsxq_projects(a, sim, pr)) == CAMP_OK &&
	    (rc = demo_zsxq_posts(a, sim, ps, rid, tid)) == CAMP_OK) {
		const char *q[] = { text_array(a, rid, n), text_array(a, tid, n) };
		rc = db_q(d, a, &q_demo_topic_ids, 2, q) ? CAMP_OK : CAMP_EDB;
	}
	if (rc == CAMP_OK)
		fprintf(out, "ZSXQ in the simulator (%s): %d projects, %d check-ins\n", sim, PQntuples(pr), n);
	else
		fprintf(stderr, "campctl: seed-demo: the demo ZSXQ projects could not be put into the simulator"
		        " at %s: 立即同步 will fail on the demo camps\n", sim);
	httpc_global_cleanup();
	arena_free(a);
}

static const char *status_on(cday today, cday start, cday end)
{
	return today < start ? "not_started" : today <= end ? "ongoing" : "finished";
}

static void camp_history(struct seed *s, const char *camp_id, const char *status,
                         cday start, cday end)
{
	if (strcmp(status, "not_started") == 0)
		return;
	const char *p[] = { camp_id, "not_started", "ongoing", "START", "开始日期已到，系统自动开营",
	                    ts(s, cday_start(start) + 5 * 60) };
	run(s, &q_camp_log, 6, p);
	if (strcmp(status, "finished") != 0)
		return;
	const char *q[] = { camp_id, "ongoing", "finished", "END", "结束日期已过，系统自动结营",
	                    ts(s, cday_start(end + 1) + 5 * 60) };
	run(s, &q_camp_log, 6, q);
}

static void relation(struct seed *s, const char *camp_id, const char *uid, const char *role)
{
	if (uid == NULL)
		return;
	const char *p[] = { camp_id, uid, role };
	run(s, &q_relation, 3, p);
}

static void seed_camp(struct seed *s, size_t idx, const char *const user_ids[])
{
	const struct demo_camp *c = &camps[idx];
	cday start = s->today + c->start_offset, end = start + c->days - 1;
	const char *status = status_on(s->today, start, end);
	const char *poster = make_poster(s, c);
	const char *qr = make_group_qr(s, idx);
	if (s->failed)
		return;
	const char *p[] = {
		c->name, poster, c->description, c->deposit, day_text(s, start), day_text(s, end),
		arena_i64(s->a, c->days), arena_i64(s->a, c->required), qr,
		demo_project_id(s->a, idx), status,
		arena_i64(s->a, c->capacity), s->admin_id,
		ts(s, cday_start(start - 14) + 10 * HOUR),
	};
	PGresult *res = run(s, &q_camp, 14, p);
	if (res == NULL)
		return;
	const char *camp_id = arena_strdup(s->a, db_get(res, 0, "id"));
	const char *u[] = { camp_id, camp_env()->base_url ? camp_env()->base_url : "" };
	run(s, &q_camp_url, 2, u);
	camp_history(s, camp_id, status, start, end);
	relation(s, camp_id, user_id(user_ids, c->coach), "coach");
	relation(s, camp_id, user_id(user_ids, c->volunteer), "volunteer");
	for (size_t i = 0; i < c->nmembers; i++)
		member(s, c, camp_id, &c->members[i], start, end);
	const char *q[] = { camp_id };
	run(s, &q_stats, 1, q);
	run(s, &q_counters, 1, q);
	fprintf(s->out, "camp %-4s %-12s %s\n", camp_id, status, c->name);
}

static int already_seeded(struct seed *s)
{
	PGresult *res = run(s, &q_seeded, 0, NULL);
	return res != NULL && PQntuples(res) > 0;
}

int seed_demo(struct db *d, FILE *out)
{
	struct seed s = { .d = d, .a = arena_new(), .out = out };
	int rc = CAMP_EDB;
	clock_refresh(d);
	s.now = camp_now();
	s.today = cday_of(s.now);
	if (db_begin(d) != CAMP_OK)
		goto out;
	run(&s, &q_lock, 0, NULL);   /* two seeds at once: the second waits, then refuses */
	if (already_seeded(&s)) {
		db_rollback(d);
		demo_zsxq(d, out);     /* a restarted simulator gets the demo world again */
		rc = CAMP_ECONFLICT;
		goto out;
	}
	PGresult *res = run(&s, &q_admin, 0, NULL);
	if (res != NULL && PQntuples(res) == 1)
		s.admin_id = arena_strdup(s.a, db_get(res, 0, "id"));
	const char *user_ids[CAMP_ARRAY_LEN(demo_users)];
	for (size_t i = 0; i < CAMP_ARRAY_LEN(demo_users); i++)
		user_ids[i] = ensure_user(&s, i);
	for (size_t i = 0; i < CAMP_ARRAY_LEN(camps) && !s.failed; i++)
		seed_camp(&s, i, user_ids);
	const char *mp[] = { arena_printf(s.a, "命令行生成演示数据：%zu 个训练营，%d 名会员，%d 条打卡，%d 条退款",
	                                  CAMP_ARRAY_LEN(camps), s.nmembers, s.ncheckins, s.nrefunds),
	                     ts(&s, s.now) };
	run(&s, &q_mark, 2, mp);
	if (s.failed || db_commit(d) != CAMP_OK) {
		db_rollback(d);
		goto out;
	}
	fprintf(out, "seeded %zu camps, %d members, %d check-ins, %d refunds\n",
	        CAMP_ARRAY_LEN(camps), s.nmembers, s.ncheckins, s.nrefunds);
	demo_zsxq(d, out);
	rc = CAMP_OK;
out:
	arena_free(s.a);
	return rc;
}
