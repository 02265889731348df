/* wxpay_certs.c: WeChat Pay platform certificates — kept by serial, refreshed daily and on
 * demand, and at most once a minute when an answer or a callback names a serial we lack. */
#include "wxpay_certs.h"
#include "alerts.h"
#include "camp.h"
#include "clock.h"
#include "db.h"
#include "dates.h"
#include "jobs.h"
#include "log.h"
#include "wechatpay.h"
#include "wechatpay_api.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct db_stmt q_load = DB_STMT(
	"SELECT serial_no, certificate, extract(epoch FROM effective_time)::bigint AS effective,"
	" extract(epoch FROM expire_time)::bigint AS expire FROM wxpay_platform_cert"
	" WHERE effective_time <= $1::timestamptz AND expire_time > $1::timestamptz"
	" ORDER BY expire_time, serial_no");

static const char *ts_param(arena *a, time_t t)
{
	char buf[40];
	return arena_strdup(a, clock_rfc3339(t, buf, sizeof(buf)));
}

int wxpay_certs_load(struct db *d, arena *a, time_t now, struct wxpay_cert **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	PGresult *res = db_q(d, a, &q_load, 1, (const char *[]){ ts_param(a, now) });
	if (res == NULL)
		return CAMP_EDB;
	int rows = PQntuples(res);
	struct wxpay_cert *list = arena_alloc(a, sizeof(*list) * (size_t)(rows + 1));
	for (int i = 0; i < rows; i++) {
		list[i].serial = arena_strdup(a, db_get(res, i, "serial_no"));
		list[i].pem = arena_strdup(a, db_get(res, i, "certificate"));
		list[i].effective = (time_t)db_get_ll(res, i, "effective", 0);
		list[i].expire = (time_t)db_get_ll(res, i, "expire", 0);
	}
	*out = list;
	*n = (size_t)rows;
	return CAMP_OK;
}

/* ---- keeping what /v3/certificates gave -------------------------------------- */

static const struct db_stmt q_keep = DB_STMT(
	"INSERT INTO wxpay_platform_cert (serial_no, certificate, effective_time, expire_time,"
	" first_seen_at, last_seen_at)"
	" VALUES ($1, $2, to_timestamp($3::bigint), to_timestamp($4::bigint), $5::timestamptz,"
	"         $5::timestamptz)"
	" ON CONFLICT (serial_no) DO UPDATE SET certificate = EXCLUDED.certificate,"
	" effective_time = EXCLUDED.effective_time, expire_time = EXCLUDED.expire_time,"
	" last_seen_at = EXCLUDED.last_seen_at"
	" RETURNING (xmax = 0) AS added");
static const struct db_stmt q_prune = DB_STMT(
	"DELETE FROM wxpay_platform_cert WHERE expire_time <= $1::timestamptz");

static int keep(struct db *d, arena *a, const struct wxpay_cert *certs, size_t n, time_t now,
                struct wxpay_certs_result *res)
{
	const char *at = ts_param(a, now);
	if (db_begin(d) != CAMP_OK)
		return CAMP_EDB;
	for (size_t i = 0; i < n; i++) {
		if (certs[i].expire <= now)
			continue;   /* WeChat may still list an expired one: never keep it */
		const char *p[] = { certs[i].serial, certs[i].pem, arena_i64(a, certs[i].effective),
		                    arena_i64(a, certs[i].expire), at };
		PGresult *r = db_q(d, a, &q_keep, 5, p);
		if (r == NULL) {
			db_rollback(d);
			return CAMP_EDB;
		}
		res->added += db_get_bool(r, 0, "added");
	}
	PGresult *r = db_q(d, a, &q_prune, 1, (const char *[]){ at });
	if (r == NULL) {
		db_rollback(d);
		return CAMP_EDB;
	}
	res->pruned = atoi(PQcmdTuples(r));
	return db_commit(d);
}

int wxpay_certs_refresh(struct db *d, arena *a, struct wxpay_cfg *cfg, time_t now,
                        struct wxpay_certs_result *res)
{
	memset(res, 0, sizeof(*res));
	struct wxpay_cert *got;
	size_t n;
	struct wxpay_result wr;
	const char *why;
	int rc = wxpay_certificates_fetch(cfg, a, now, &got, &n, &wr, &why);
	if (rc != CAMP_OK) {
		res->error = wr.status >= 400
		             ? arena_printf(a, "%s（HTTP %ld %s：%s）", why, wr.status, wr.code ? wr.code : "",
		                            wr.message ? wr.message : "")
		             : why;
		log_warn("wxpay-certs: %s", res->error);
		return rc;
	}
	res->fetched = (int)n;
	if (keep(d, a, got, n, now, res) != CAMP_OK) {
		res->error = "数据库不可用";
		return CAMP_EDB;
	}
	struct wxpay_cert *held;
	size_t k;
	if (wxpay_certs_load(d, a, now, &held, &k) != CAMP_OK)
		return CAMP_EDB;
	cfg->certs = held;
	cfg->ncerts = k;
	if (res->added > 0)
		log_info("wxpay-certs: %d new platform certificate(s), %zu held", res->added, k);
	return CAMP_OK;
}

/* ---- unknown serials --------------------------------------------------------- */

/* The minute's one refresh: CAMP_OK when this caller got it, CAMP_EBUSY when
 * another unknown serial asked less than a minute ago.  A time "later" than
 * now (the test clock went back) does not block. */
static const struct db_stmt q_claim = DB_STMT(
	"UPDATE wxpay_cert_refresh SET requested_at = $1::timestamptz, serial_no = $2"
	" WHERE id = 1 AND (requested_at IS NULL"
	"   OR requested_at <= $1::timestamptz - make_interval(secs => $3::int)"
	"   OR requested_at > $1::timestamptz)"
	" RETURNING id");

static int claim(struct db *d, arena *a, const char *serial, time_t now)
{
	const char *p[] = { ts_param(a, now), serial, arena_i64(a, WXPAY_CERT_REFRESH_GAP) };
	PGresult *r = db_q(d, a, &q_claim, 3, p);
	if (r == NULL)
		return CAMP_EDB;
	return PQntuples(r) == 1 ? CAMP_OK : CAMP_EBUSY;
}

/* Only what can be a certificate serial asks for a download: hex, ≤ 64. */
static int plausible_serial(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > 64)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'F') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static const char *job_args(arena *a, const char *reason, const char *serial)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "reason", json_object_new_string(reason));
	if (serial != NULL)
		json_object_object_add(o, "serial", json_object_new_string(serial));
	const char *s = arena_strdup(a, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return s;
}

int wxpay_certs_request_refresh(struct db *d, arena *a, const char *serial, time_t now,
                                int *queued)
{
	*queued = 0;
	if (!plausible_serial(serial))
		return CAMP_OK;
	if (db_begin(d) != CAMP_OK)
		return CAMP_EDB;
	int rc = claim(d, a, serial, now);
	if (rc == CAMP_OK && job_enqueue(d, a, "wxpay-certs", job_args(a, "unknown_serial", serial), 0) == 0)
		rc = CAMP_EDB;
	if (rc == CAMP_EBUSY) {
		db_rollback(d);
		return CAMP_OK;
	}
	if (rc != CAMP_OK || db_commit(d) != CAMP_OK) {
		db_rollback(d);
		return CAMP_EDB;
	}
	*queued = 1;
	log_info("wxpay-certs: unknown serial %s, refresh queued", serial);
	return CAMP_OK;
}

struct hook {
	struct db *d;
	arena *a;
	struct wxpay_cfg cfg;    /* the merchant's settings, to sign the download */
};

static int holds(const struct wxpay_cert *l, size_t n, const char *serial)
{
	for (size_t i = 0; i < n; i++)
		if (wxpay_serial_eq(l[i].serial, serial))
			return 1;
	return 0;
}

/* wxpay_call's refresh_certs: another process may have fetched it already;
 * else download now — whoever gets here waits on WeChat anyway (its own
 * request's answer), so one more bounded call is in character — at most
 * once a minute.  Inside a transaction it only queues the job. */
static int on_unknown_serial(void *ud, const char *serial, const struct wxpay_cert **certs,
                             size_t *n)
{
	struct hook *h = ud;
	time_t now = camp_now();
	struct wxpay_cert *list;
	size_t k;
	if (wxpay_certs_load(h->d, h->a, now, &list, &k) != CAMP_OK)
		return CAMP_EDB;
	if (!holds(list, k, serial)) {
		int queued;
		if (PQtransactionStatus(db_conn(h->d)) != PQTRANS_IDLE) {
			wxpay_certs_request_refresh(h->d, h->a, serial, now, &queued);
			return CAMP_ENOTFOUND;
		}
		if (!plausible_serial(serial) || claim(h->d, h->a, serial, now) != CAMP_OK)
			return CAMP_ENOTFOUND;
		struct wxpay_cfg c = h->cfg;
		c.refresh_certs = NULL;
		struct wxpay_certs_result r;
		if (wxpay_certs_refresh(h->d, h->a, &c, now, &r) != CAMP_OK)
			return CAMP_EPROVIDER;
		list = (struct wxpay_cert *)c.certs;
		k = c.ncerts;
		if (!holds(list, k, serial))
			return CAMP_ENOTFOUND;
	}
	*certs = list;
	*n = k;
	return CAMP_OK;
}

int wxpay_certs_attach(struct db *d, arena *a, struct wxpay_cfg *cfg)
{
	struct wxpay_cert *list;
	size_t n;
	int rc = wxpay_certs_load(d, a, camp_now(), &list, &n);
	cfg->certs = list;
	cfg->ncerts = n;
	struct hook *h = arena_alloc(a, sizeof(*h));
	h->d = d;
	h->a = a;
	h->cfg = *cfg;
	cfg->refresh_certs = on_unknown_serial;
	cfg->refresh_ud = h;
	return rc;
}

/* ---- after settings change, expiry, listing ------------------------------------ */

static const struct db_stmt q_waiting = DB_STMT(
	"SELECT 1 FROM job_queue WHERE kind = 'wxpay-certs' AND state = 'queued' LIMIT 1");

int wxpay_certs_queue_after_settings(struct db *d, arena *a, long long user_id)
{
	PGresult *r = db_q(d, a, &q_waiting, 0, NULL);
	if (r == NULL)
		return CAMP_EDB;
	if (PQntuples(r) > 0)
		return CAMP_OK;
	return job_enqueue(d, a, "wxpay-certs", job_args(a, "settings_changed", NULL), user_id)
	       ? CAMP_OK : CAMP_EDB;
}

static const struct db_stmt q_last = DB_STMT(
	"SELECT serial_no, extract(epoch FROM expire_time)::bigint AS expire,"
	" to_char(expire_time AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') AS expire_text"
	" FROM wxpay_platform_cert WHERE expire_time > $1::timestamptz"
	" ORDER BY expire_time DESC LIMIT 1");

int wxpay_certs_check_expiry(struct db *d, arena *a, time_t now, long *alerted)
{
	*alerted = 0;
	PGresult *r = db_q(d, a, &q_last, 1, (const char *[]){ ts_param(a, now) });
	if (r == NULL)
		return CAMP_EDB;
	if (PQntuples(r) == 0 ||
	    db_get_ll(r, 0, "expire", 0) - (long long)now > WXPAY_CERT_WARN_DAYS * 86400LL)
		return CAMP_OK;
	char day[12];
	cday_format(cday_of(now), day, sizeof(day));
	struct alert al = {
		.type = "wxpay_cert_expiring", .title = "微信支付平台证书即将过期",
		.content = arena_printf(a, "系统保存的微信支付平台证书将于 %s 全部过期（最后一张的序列号 %s），"
		                        "且微信支付尚未提供新证书。过期后，仍使用平台证书的商户将无法验证微信支付的应答和回调，"
		                        "支付和退款都会失败。请在微信支付商户平台更新证书或切换到「微信支付公钥」，"
		                        "然后在系统配置页点击「测试连接」。",
		                        db_get(r, 0, "expire_text"), db_get(r, 0, "serial_no")),
		.once_key = arena_printf(a, "wxpay-cert-expiring:%s", day),
	};
	return alert_staff(d, a, &al, alerted);
}

static const struct db_stmt q_list = DB_STMT(
	"SELECT serial_no,"
	" to_char(effective_time AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') AS effective,"
	" to_char(expire_time AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') AS expire,"
	" floor(extract(epoch FROM expire_time - $1::timestamptz) / 86400)::int AS days_left"
	" FROM wxpay_platform_cert WHERE expire_time > $1::timestamptz"
	" ORDER BY expire_time DESC, serial_no");

int wxpay_certs_list(struct db *d, arena *a, time_t now, struct wxpay_cert_row **out, int *n)
{
	*out = NULL;
	*n = 0;
	PGresult *r = db_q(d, a, &q_list, 1, (const char *[]){ ts_param(a, now) });
	if (r == NULL)
		return CAMP_EDB;
	*n = PQntuples(r);
	*out = arena_alloc(a, sizeof(**out) * (size_t)(*n + 1));
	for (int i = 0; i < *n; i++) {
		(*out)[i].serial = arena_strdup(a, db_get(r, i, "serial_no"));
		(*out)[i].effective = arena_strdup(a, db_get(r, i, "effective"));
		(*out)[i].expire = arena_strdup(a, db_get(r, i, "expire"));
		(*out)[i].days_left = (int)db_get_ll(r, i, "days_left", 0);
	}
	return CAMP_OK;
}
