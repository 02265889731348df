/* sim_bill.c: WeChat Pay's trade bill from the simulator's own orders and refunds.
 *
 * GET /v3/bill/tradebill?bill_date=YYYY-MM-DD[&bill_type=ALL|SUCCESS|REFUND][&tar_type=GZIP]
 * answers {download_url, hash_type:"SHA1", hash_value} (signed like every answer); the
 * bill is made at that moment and kept for 30 s under a token; GET of the download_url
 * (signed by the merchant like any request) returns the file itself, unsigned, gzip when
 * asked.  The file is WeChat's CSV: the 27-column header, one row per paid order
 * (交易状态 SUCCESS, on the day it was paid) and per refund (交易状态 REFUND, on the day
 * it was applied for), every detail field after a backtick, then 总交易单数,… and its
 * row.  A day with neither is NO_STATEMENT_EXIST.  Unlike WeChat (which publishes a day
 * after 10:00 the next day) any day up to today is served, today's as it stands. */
#include "sim.h"
#include "camp.h"
#include "crypto.h"
#include "gzsha1.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BILL_TOKEN_LIFE_S 30
#define BILL_KEEP 16
#define FEE_PER_10K 60          /* 0.60% */

#define HEAD "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型," \
	"交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额," \
	"充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注"
#define SUMHEAD "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额"

/* Bills handed out, by download token (the caller holds sim.mu). */
static struct {
	char token[33];
	char *bytes;
	size_t len;
	int gzip;
	time_t expires;
} kept[BILL_KEEP];
static size_t next_slot;

static void reply(struct sim_ctx *c, int status, struct json_object *o)
{
	sim_json_reply(c, status, o);
	sim_wxpay_sign_headers(c->r->a, c->w, c->w->body, c->w->len);
}

static void error(struct sim_ctx *c, int status, const char *code, const char *msg)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "code", json_object_new_string(code));
	json_object_object_add(o, "message", json_object_new_string(msg));
	reply(c, status, o);
}

/* ---- the file ------------------------------------------------------------- */

static long shanghai_day(time_t t)
{
	return (long)((t + 8 * 3600) / 86400);
}

static void when(time_t t, char *out, size_t n)
{
	time_t s = t + 8 * 3600;
	struct tm tm;
	gmtime_r(&s, &tm);
	strftime(out, n, "%Y-%m-%d %H:%M:%S", &tm);
}

static const char *yuan(char *buf, size_t n, int64_t fen)
{
	snprintf(buf, n, "%s%lld.%02lld", fen < 0 ? "-" : "", (long long)llabs(fen) / 100,
	         (long long)llabs(fen) % 100);
	return buf;
}

/* Fees are shown to 1/100000 yuan: 0.6% of f fen = f × 6 hundred-thousandths. */
static const char *fee(char *buf, size_t n, int64_t fen)
{
	int64_t u = fen * FEE_PER_10K / 10;
	snprintf(buf, n, "%s%lld.%05lld", u < 0 ? "-" : "", (long long)llabs(u) / 100000,
	         (long long)llabs(u) % 100000);
	return buf;
}

struct row {
	time_t at;
	char *text;
};

struct rows {
	struct row *v;
	size_t n, cap;
};

struct totals {
	long long count;
	int64_t settle, refund, fee_base, order, applied;   /* fen; fees are on fee_base */
};

static void field(struct buf *b, const char *s, int first)
{
	if (!first)
		buf_putc(b, ',');
	buf_putc(b, '`');
	buf_puts(b, s ? s : "");
}

static void add_row(struct rows *rows, time_t at, struct buf *b)
{
	struct row *r = SIM_PUSH(rows);
	r->at = at;
	r->text = buf_detach(b, NULL);
}

/* The order's columns up to 货币种类 (the same on its payment and refund rows). */
static void order_cols(struct buf *b, const char *at, const struct sim_order *o,
                       const char *state)
{
	const char *openid = o->payer_openid ? o->payer_openid : o->openid;
	const char *cols[] = { at, sim.k.appid, sim.k.mchid, "0", "", o->transaction_id,
	                       o->out_trade_no, openid, o->trade_type, state, "OTHERS", "CNY" };
	for (size_t i = 0; i < CAMP_ARRAY_LEN(cols); i++)
		field(b, cols[i], i == 0);
}

static void payment_row(struct rows *rows, const struct sim_order *o, time_t at,
                        struct totals *t)
{
	struct buf b = BUF_INIT;
	char ts[24], total[24], f[32];
	when(at, ts, sizeof(ts));
	order_cols(&b, ts, o, "SUCCESS");
	yuan(total, sizeof(total), o->total);
	const char *rest[] = { total, "0.00", "0", "0", "0.00", "0.00", "", "",
	                       o->description, o->attach ? o->attach : "",
	                       fee(f, sizeof(f), o->total), "0.60%", total, "0.00", "" };
	for (size_t i = 0; i < CAMP_ARRAY_LEN(rest); i++)
		field(&b, rest[i], 0);
	add_row(rows, at, &b);
	t->count++;
	t->settle += o->total;
	t->order += o->total;
	t->fee_base += o->total;
}

/* WeChat's bill words for a refund's state. */
static const char *bill_refund_status(const char *status)
{
	return !strcmp(status, "CLOSED") ? "REFUNDCLOSE" : !strcmp(status, "ABNORMAL") ? "CHANGE"
	       : status;
}

static void refund_row(struct rows *rows, const struct sim_refund *r,
                       const struct sim_order *o, time_t at, struct totals *t)
{
	struct buf b = BUF_INIT;
	char ts[24], amount[24], f[32];
	when(at, ts, sizeof(ts));
	order_cols(&b, ts, o, "REFUND");
	yuan(amount, sizeof(amount), r->refund);
	const char *rest[] = { "0.00", "0.00", r->refund_id, r->out_refund_no, amount, "0.00",
	                       "ORIGINAL", bill_refund_status(r->status), o->description,
	                       o->attach ? o->attach : "", fee(f, sizeof(f), -r->refund), "0.60%",
	                       "0.00", amount, "" };
	for (size_t i = 0; i < CAMP_ARRAY_LEN(rest); i++)
		field(&b, rest[i], 0);
	add_row(rows, at, &b);
	t->count++;
	t->refund += r->refund;
	t->applied += r->refund;
	t->fee_base -= r->refund;
}

static const struct sim_order *order_of(const char *no)
{
	for (size_t i = 0; i < sim.orders.n; i++)
		if (!strcmp(sim.orders.v[i].out_trade_no, no))
			return &sim.orders.v[i];
	return NULL;
}

static int by_time(const void *x, const void *y)
{
	const struct row *a = x, *b = y;
	return a->at < b->at ? -1 : a->at > b->at;
}

/* The bill text of one day, or NULL when the day has no row of that type. */
static char *make_bill(long day, int payments, int refunds, size_t *len)
{
	struct rows rows = { 0 };
	struct totals t = { 0 };
	time_t at;
	for (size_t i = 0; payments && i < sim.orders.n; i++) {
		const struct sim_order *o = &sim.orders.v[i];
		if (o->transaction_id[0] && sim_parse_rfc3339(o->success_time, &at) == CAMP_OK &&
		    shanghai_day(at) == day)
			payment_row(&rows, o, at, &t);
	}
	for (size_t i = 0; refunds && i < sim.refunds.n; i++) {
		const struct sim_refund *r = &sim.refunds.v[i];
		const struct sim_order *o = order_of(r->out_trade_no);
		if (o && sim_parse_rfc3339(r->create_time, &at) == CAMP_OK && shanghai_day(at) == day)
			refund_row(&rows, r, o, at, &t);
	}
	if (rows.n == 0) {
		free(rows.v);
		return NULL;
	}
	qsort(rows.v, rows.n, sizeof(*rows.v), by_time);
	struct buf b = BUF_INIT;
	buf_puts(&b, HEAD "\r\n");
	for (size_t i = 0; i < rows.n; i++) {
		buf_puts(&b, rows.v[i].text);
		buf_puts(&b, "\r\n");
		free(rows.v[i].text);
	}
	free(rows.v);
	char s[24], r[24], f[32], o[24], ap[24];
	buf_printf(&b, SUMHEAD "\r\n`%lld,`%s,`%s,`0.00,`%s,`%s,`%s\r\n", t.count,
	           yuan(s, sizeof(s), t.settle), yuan(r, sizeof(r), t.refund), fee(f, sizeof(f), t.fee_base),
	           yuan(o, sizeof(o), t.order), yuan(ap, sizeof(ap), t.applied));
	return buf_detach(&b, len);
}

/* ---- the two requests ------------------------------------------------------- */

/* "YYYY-MM-DD" → Shanghai day number; -1 when it is not a date. */
static long parse_day(const char *s)
{
	int y, m, d;
	char tail;
	if (s == NULL || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
		return -1;
	struct tm tm = { .tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_hour = 12 };
	time_t t = timegm(&tm);
	struct tm back;
	gmtime_r(&t, &back);
	if (back.tm_year != y - 1900 || back.tm_mon != m - 1 || back.tm_mday != d)
		return -1;
	return (long)(t / 86400);
}

static void keep(const char *token, char *bytes, size_t len, int gzip)
{
	size_t i = next_slot++ % BILL_KEEP;
	free(kept[i].bytes);
	snprintf(kept[i].token, sizeof(kept[i].token), "%s", token);
	kept[i].bytes = bytes;
	kept[i].len = len;
	kept[i].gzip = gzip;
	kept[i].expires = time(NULL) + BILL_TOKEN_LIFE_S;
}

void sim_bill_tradebill(struct sim_ctx *c)
{
	const char *date = req_param(c->r, "bill_date"), *type = req_param(c->r, "bill_type");
	const char *tar = req_param(c->r, "tar_type");
	long day = parse_day(date), today = shanghai_day(time(NULL));
	if (day < 0) {
		error(c, 400, "PARAM_ERROR", "bill_date 格式应为 yyyy-MM-DD");
		return;
	}
	if (type && strcmp(type, "ALL") && strcmp(type, "SUCCESS") && strcmp(type, "REFUND")) {
		error(c, 400, "PARAM_ERROR", "bill_type 取值应为 ALL、SUCCESS 或 REFUND");
		return;
	}
	if (tar && strcmp(tar, "GZIP")) {
		error(c, 400, "PARAM_ERROR", "tar_type 取值应为 GZIP");
		return;
	}
	if (day > today || day < today - 92) {
		error(c, 400, "INVALID_REQUEST", "仅支持三个月内的账单下载申请");
		return;
	}
	int all = type == NULL || !strcmp(type, "ALL");
	size_t len = 0;
	char *text = make_bill(day, all || !strcmp(type, "SUCCESS"), all || !strcmp(type, "REFUND"), &len);
	if (text == NULL) {
		error(c, 400, "NO_STATEMENT_EXIST", "请求的账单文件不存在");
		return;
	}
	char hash[41], token[33];
	sha1_hex(text, len, hash);
	char *bytes = text;
	int gzip = tar != NULL;
	if (gzip) {
		size_t zlen;
		if (gz_deflate(text, len, &bytes, &zlen) != CAMP_OK) {
			free(text);
			error(c, 500, "SYSTEM_ERROR", "系统错误");
			return;
		}
		free(text);
		len = zlen;
	}
	crypto_random_alnum(token, 32);
	keep(token, bytes, len, gzip);
	/* nginx passes the host without its port (Debian's fastcgi_params: $host) */
	const char *host = c->r->host ? c->r->host : "127.0.0.1";
	const char *port = strchr(host, ':') == NULL && c->r->server_port ? c->r->server_port : NULL;
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "download_url", json_object_new_string(arena_printf(c->r->a,
	        "%s://%s%s%s/v3/billdownload/file?token=%s%s", c->r->https ? "https" : "http", host,
	        port ? ":" : "", port ? port : "", token, gzip ? "&tartype=gzip" : "")));
	json_object_object_add(o, "hash_type", json_object_new_string("SHA1"));
	json_object_object_add(o, "hash_value", json_object_new_string(hash));
	reply(c, 200, o);
}

void sim_bill_download(struct sim_ctx *c)
{
	const char *token = req_param(c->r, "token");
	for (size_t i = 0; token && i < BILL_KEEP; i++) {
		if (kept[i].bytes == NULL || strcmp(kept[i].token, token) != 0)
			continue;
		if (time(NULL) > kept[i].expires)
			break;
		char *copy = arena_alloc(c->r->a, kept[i].len + 1);
		memcpy(copy, kept[i].bytes, kept[i].len);
		/* the file is not signed: its SHA-1 came with the signed answer */
		resp_body(c->w, 200, kept[i].gzip ? "application/octet-stream" : "text/plain; charset=utf-8",
		          copy, kept[i].len);
		return;
	}
	error(c, 400, "INVALID_REQUEST", "账单下载地址无效或已过期，请重新申请账单");
}
