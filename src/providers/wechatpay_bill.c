/* wechatpay_bill.c: the v3 trade bill — apply, signed download, gunzip, SHA-1, CSV rows. */
#include "wechatpay_bill.h"
#include "buf.h"
#include "camp.h"
#include "crypto.h"
#include "dates.h"
#include "gzsha1.h"
#include "httpc.h"
#include "jsonget.h"
#include "log.h"
#include "money.h"
#include "wechatpay_api.h"

#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define BILL_MAX_DOWNLOAD (64u * 1024 * 1024)     /* gzip as it comes */
#define BILL_MAX_TEXT (256u * 1024 * 1024)        /* unzipped */
#define BILL_TIMEOUT_MS 60000L
#define BILL_MAX_COLS 64

/* ---- parsing ------------------------------------------------------------ */

enum col {
	C_TIME, C_APPID, C_MCHID, C_TXN, C_OUT_TRADE_NO, C_TRADE_TYPE, C_STATE, C_SETTLE,
	C_REFUND_ID, C_OUT_REFUND_NO, C_REFUND, C_REFUND_STATUS, C_TOTAL, C_REFUND_APPLIED,
	C__MAX
};

/* The columns we read, by their header names (WeChat's own words). */
static const char *const col_names[C__MAX] = {
	[C_TIME] = "交易时间", [C_APPID] = "公众账号ID", [C_MCHID] = "商户号",
	[C_TXN] = "微信订单号", [C_OUT_TRADE_NO] = "商户订单号", [C_TRADE_TYPE] = "交易类型",
	[C_STATE] = "交易状态", [C_SETTLE] = "应结订单金额", [C_REFUND_ID] = "微信退款单号",
	[C_OUT_REFUND_NO] = "商户退款单号", [C_REFUND] = "退款金额", [C_REFUND_STATUS] = "退款状态",
	[C_TOTAL] = "订单金额", [C_REFUND_APPLIED] = "申请退款金额",
};

struct parser {
	arena *a;
	const char *p, *end;
	int line_no;
	char *err;
	size_t errn;
};

static int fail(struct parser *ps, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct parser *ps, const char *fmt, ...)
{
	char msg[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ps->err && ps->errn)
		snprintf(ps->err, ps->errn, "账单第 %d 行：%s", ps->line_no, msg);
	return CAMP_EINVAL;
}

/* The next non-empty line without its CR/LF; NULL at the end. */
static char *next_line(struct parser *ps)
{
	while (ps->p < ps->end) {
		const char *s = ps->p;
		const char *nl = memchr(s, '\n', (size_t)(ps->end - s));
		const char *e = nl ? nl : ps->end;
		ps->p = nl ? nl + 1 : ps->end;
		ps->line_no++;
		while (e > s && (e[-1] == '\r' || e[-1] == ' '))
			e--;
		if (e > s)
			return arena_strndup(ps->a, s, (size_t)(e - s));
	}
	return NULL;
}

/* Splits s in place on sep (a string); returns the field count (≤ max). */
static int split(char *s, const char *sep, char **f, int max)
{
	int n = 0;
	size_t sl = strlen(sep);
	while (n < max) {
		f[n++] = s;
		char *q = strstr(s, sep);
		if (q == NULL)
			return n;
		*q = '\0';
		s = q + sl;
	}
	return max + 1;   /* more fields than we can hold */
}

static const char *unquote(const char *s)
{
	while (*s == ' ')
		s++;
	return *s == '`' ? s + 1 : s;
}

/* "2026-11-21 10:34:56" (WeChat sometimes puts two spaces) in Asia/Shanghai. */
static int parse_time(const char *s, time_t *out)
{
	int y, mo, d, h, mi, se;
	char tail;
	if (sscanf(s, "%4d-%2d-%2d %2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &se, &tail) != 6 ||
	    mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
	    se < 0 || se > 60)
		return CAMP_EINVAL;
	cday day = cday_from_ymd(y, mo, d);
	int by, bm, bd;
	cday_ymd(day, &by, &bm, &bd);
	if (by != y || bm != mo || bd != d)
		return CAMP_EINVAL;              /* 2026-02-30 */
	*out = cday_start(day) + h * 3600 + mi * 60 + se;
	return CAMP_OK;
}

static int header(struct parser *ps, char *line, int idx[C__MAX], int *ncols)
{
	char *f[BILL_MAX_COLS];
	if (strncmp(line, "\xEF\xBB\xBF", 3) == 0)
		line += 3;
	int n = split(line, ",", f, BILL_MAX_COLS);
	if (n > BILL_MAX_COLS)
		return fail(ps, "表头列数过多");
	for (int c = 0; c < C__MAX; c++)
		idx[c] = -1;
	for (int i = 0; i < n; i++) {
		const char *name = unquote(f[i]);
		for (int c = 0; c < C__MAX; c++)
			if (!strcmp(name, col_names[c]) && idx[c] < 0)
				idx[c] = i;
	}
	static const enum col need[] = { C_TIME, C_TXN, C_OUT_TRADE_NO, C_STATE, C_OUT_REFUND_NO,
	                                 C_REFUND_STATUS };
	for (size_t i = 0; i < CAMP_ARRAY_LEN(need); i++)
		if (idx[need[i]] < 0)
			return fail(ps, "表头缺少“%s”列", col_names[need[i]]);
	if (idx[C_TOTAL] < 0 && idx[C_SETTLE] < 0)
		return fail(ps, "表头缺少“订单金额”列");
	if (idx[C_REFUND_APPLIED] < 0 && idx[C_REFUND] < 0)
		return fail(ps, "表头缺少“申请退款金额”列");
	*ncols = n;
	return CAMP_OK;
}

static const char *field(char **f, const int idx[C__MAX], enum col c)
{
	return idx[c] >= 0 ? f[idx[c]] : NULL;
}

/* The preferred amount column, else the fallback one. */
static int amount(struct parser *ps, char **f, const int idx[C__MAX], enum col want,
                  enum col fallback, int64_t *fen)
{
	enum col c = idx[want] >= 0 ? want : fallback;
	if (money_parse(f[idx[c]], fen) != CAMP_OK)
		return fail(ps, "“%s”不是金额：%s", col_names[c], f[idx[c]]);
	return CAMP_OK;
}

static int detail(struct parser *ps, char *line, const int idx[C__MAX], int ncols,
                  const char *mchid, struct wxbill_line *l)
{
	char *f[BILL_MAX_COLS];
	int n = split(line + 1, ",`", f, BILL_MAX_COLS);
	if (n != ncols)
		return fail(ps, "有 %d 个字段，表头有 %d 列", n, ncols);
	memset(l, 0, sizeof(*l));
	l->line_no = ps->line_no;
	if (parse_time(field(f, idx, C_TIME), &l->at) != CAMP_OK)
		return fail(ps, "交易时间格式不对：%s", field(f, idx, C_TIME));
	l->appid = field(f, idx, C_APPID);
	l->mchid = field(f, idx, C_MCHID);
	l->transaction_id = field(f, idx, C_TXN);
	l->out_trade_no = field(f, idx, C_OUT_TRADE_NO);
	l->trade_type = field(f, idx, C_TRADE_TYPE);
	l->trade_state = field(f, idx, C_STATE);
	if (mchid && l->mchid && strcmp(l->mchid, mchid) != 0)
		return fail(ps, "商户号 %s 不是本商户（%s）", l->mchid, mchid);
	if (!strcmp(l->trade_state, "SUCCESS")) {
		l->kind = WXBILL_PAYMENT;
		return amount(ps, f, idx, C_TOTAL, C_SETTLE, &l->total_fen);
	}
	if (strcmp(l->trade_state, "REFUND") != 0) {
		l->kind = WXBILL_OTHER;
		return CAMP_OK;
	}
	l->kind = WXBILL_REFUND;
	l->refund_id = field(f, idx, C_REFUND_ID);
	l->out_refund_no = field(f, idx, C_OUT_REFUND_NO);
	l->refund_status = field(f, idx, C_REFUND_STATUS);
	if (l->out_refund_no == NULL || !*l->out_refund_no || !strcmp(l->out_refund_no, "0"))
		return fail(ps, "退款行缺少商户退款单号");
	return amount(ps, f, idx, C_REFUND_APPLIED, C_REFUND, &l->refund_fen);
}

/* 总交易单数,应结订单总金额,… then one row of values (backticks optional). */
static int summary(struct parser *ps, char *head, struct wxbill *out)
{
	char *h[BILL_MAX_COLS], *v[BILL_MAX_COLS];
	int nh = split(head, ",", h, BILL_MAX_COLS);
	char *row = next_line(ps);
	if (row == NULL)
		return fail(ps, "汇总表头之后没有汇总数据（文件不完整）");
	int nv = split(row, ",", v, BILL_MAX_COLS);
	if (nh > BILL_MAX_COLS || nv != nh)
		return fail(ps, "汇总数据有 %d 列，汇总表头有 %d 列", nv, nh);
	long long count = -1;
	for (int i = 0; i < nh; i++) {
		if (strcmp(unquote(h[i]), "总交易单数") != 0)
			continue;
		const char *s = unquote(v[i]);
		char *end;
		count = strtoll(s, &end, 10);
		if (*s < '0' || *s > '9' || *end != '\0' || count < 0)
			return fail(ps, "总交易单数不是整数：%s", v[i]);
	}
	if (count < 0)
		return fail(ps, "汇总缺少总交易单数");
	if (count != out->n)
		return fail(ps, "总交易单数 %lld 与明细行数 %d 不符（文件不完整）", count, out->n);
	out->summary_count = count;
	if (next_line(ps) != NULL)
		return fail(ps, "汇总之后还有内容");
	return CAMP_OK;
}

int wxbill_parse(arena *a, const char *text, size_t len, struct wxbill *out,
                 const char *mchid, char *err, size_t errn)
{
	memset(out, 0, sizeof(*out));
	struct parser ps = { .a = a, .p = text, .end = text + len, .err = err, .errn = errn };
	if (err && errn)
		err[0] = '\0';
	char *line = next_line(&ps);
	int idx[C__MAX], ncols = 0;
	if (line == NULL)
		return fail(&ps, "账单是空的");
	if (header(&ps, line, idx, &ncols) != CAMP_OK)
		return CAMP_EINVAL;
	int cap = 64;
	out->lines = arena_alloc(a, sizeof(*out->lines) * (size_t)cap);
	while ((line = next_line(&ps)) != NULL) {
		if (line[0] != '`') {
			if (strncmp(line, "总交易单数", strlen("总交易单数")) != 0)
				return fail(&ps, "不是明细行（应以 ` 开头）");
			return summary(&ps, line, out);
		}
		if (out->n == cap) {
			cap *= 2;
			struct wxbill_line *t = arena_alloc(a, sizeof(*t) * (size_t)cap);
			memcpy(t, out->lines, sizeof(*t) * (size_t)out->n);
			out->lines = t;
		}
		struct wxbill_line *l = &out->lines[out->n];
		if (detail(&ps, line, idx, ncols, mchid, l) != CAMP_OK)
			return CAMP_EINVAL;
		out->n++;
		out->paid_fen += l->total_fen;
		out->refund_fen += l->refund_fen;
	}
	return fail(&ps, "账单缺少汇总行（文件不完整）");
}

int wxbill_hash_ok(const char *hash_type, const char *hash_value, const void *p, size_t n)
{
	if (hash_type == NULL || hash_value == NULL || strcasecmp(hash_type, "SHA1") != 0 ||
	    strlen(hash_value) != 40)
		return 0;
	char hex[41];
	sha1_hex(p, n, hex);
	return strcasecmp(hex, hash_value) == 0;
}

/* ---- fetching ------------------------------------------------------------ */

static int failed(struct wxbill_fetch *out, const char *reason)
{
	out->state = WXBILL_FAILED;
	out->reason = reason;
	log_warn("wechatpay bill: %s", reason);
	return CAMP_OK;
}

/* The path and query of url when it lives on the configured WeChat Pay host
 * (or one of WeChat's own API hosts): the Authorization header goes nowhere else. */
static const char *trusted_path(const struct wxpay_cfg *c, const char *url)
{
	static const char *const wechat[] = { "https://api.mch.weixin.qq.com/",
	                                      "https://api2.mch.weixin.qq.com/" };
	size_t bl = c->base_url ? strlen(c->base_url) : 0;
	if (bl > 0 && c->base_url[bl - 1] == '/')
		bl--;
	if (bl > 0 && strncmp(url, c->base_url, bl) == 0 && url[bl] == '/')
		return url + bl;
	for (size_t i = 0; i < CAMP_ARRAY_LEN(wechat); i++)
		if (strncmp(url, wechat[i], strlen(wechat[i])) == 0)
			return url + strlen(wechat[i]) - 1;
	return NULL;
}

static int download(const struct wxpay_cfg *c, arena *a, const char *url, time_t now,
                    struct httpc_response *rs)
{
	const char *path = trusted_path(c, url);
	if (path == NULL)
		return CAMP_EINVAL;
	char nonce[33];
	if (crypto_random_alnum(nonce, 32) != CAMP_OK)
		return CAMP_ECRYPTO;
	char *auth = wxpay_authorization(c, "GET", path, "", now, nonce);
	if (auth == NULL)
		return CAMP_ECRYPTO;
	const char *headers[] = {
		arena_printf(a, "Authorization: %s", auth), "Accept: */*",
		"User-Agent: camp-deposit/1.0", NULL,
	};
	free(auth);
	struct httpc_request rq = {
		.method = "GET", .url = url, .headers = headers,
		.total_timeout_ms = BILL_TIMEOUT_MS, .max_body = BILL_MAX_DOWNLOAD,
	};
	return httpc_do(&rq, rs);
}

static const char *error_of(arena *a, long status, const char *body)
{
	struct json_object *o = body ? json_tokener_parse(body) : NULL;
	const char *code = NULL, *msg = NULL;
	if (o != NULL) {
		arena_json(a, o);
		code = jget_strdup(a, o, "code");
		msg = jget_strdup(a, o, "message");
	}
	return arena_printf(a, "HTTP %ld %s %s", status, code ? code : "", msg ? msg : "");
}

static int fetch_file(const struct wxpay_cfg *c, arena *a, const char *url, time_t now,
                      const char *hash_type, struct wxbill_fetch *out)
{
	struct httpc_response rs = HTTPC_RESPONSE_INIT;
	int rc = download(c, a, url, now, &rs);
	if (rc == CAMP_EINVAL) {
		httpc_response_free(&rs);
		return failed(out, arena_printf(a, "账单下载地址不在微信支付域名下：%s", url));
	}
	if (rc != CAMP_OK || rs.status != 200) {
		const char *why = rc == CAMP_ETOOBIG ? "账单文件过大" :
		                  rc != CAMP_OK ? arena_printf(a, "下载账单无响应（%s）", rs.error) :
		                  arena_printf(a, "下载账单失败：%s", error_of(a, rs.status, rs.body.s));
		httpc_response_free(&rs);
		return failed(out, why);
	}
	char *text = NULL;
	size_t len = 0;
	if (gz_is_gzip(rs.body.s, rs.body.len)) {
		rc = gz_inflate(rs.body.s, rs.body.len, BILL_MAX_TEXT, &text, &len);
		if (rc != CAMP_OK) {
			httpc_response_free(&rs);
			return failed(out, rc == CAMP_ETOOBIG ? "账单文件过大" : "账单压缩包损坏或不完整");
		}
	} else {
		text = buf_detach(&rs.body, &len);
	}
	httpc_response_free(&rs);
	int good = wxbill_hash_ok(hash_type, out->hash, text, len);
	out->text = arena_strndup(a, text, len);
	out->len = len;
	free(text);
	if (!good)
		return failed(out, arena_printf(a, "账单校验失败：%s 值与文件内容不符", hash_type ? hash_type : "哈希"));
	out->state = WXBILL_READY;
	return CAMP_OK;
}

int wxpay_tradebill(const struct wxpay_cfg *c, arena *a, const char *date, time_t now,
                    struct wxbill_fetch *out)
{
	memset(out, 0, sizeof(*out));
	struct wxpay_result r;
	const char *path = arena_printf(a, "/v3/bill/tradebill?bill_date=%s&bill_type=ALL&tar_type=GZIP",
	                                date);
	if (wxpay_call(c, a, "GET", path, NULL, now, &r) != CAMP_OK)
		return failed(out, "申请账单时微信支付无响应或应答验签失败");
	if (r.code && !strcmp(r.code, "NO_STATEMENT_EXIST")) {
		out->state = WXBILL_NONE;
		return CAMP_OK;
	}
	if (r.code && !strcmp(r.code, "STATEMENT_CREATING")) {
		out->state = WXBILL_CREATING;
		out->reason = "账单生成中（微信在次日 10 点后提供）";
		return CAMP_OK;
	}
	if (r.status != 200 || r.body == NULL)
		return failed(out, arena_printf(a, "申请账单失败：HTTP %ld %s %s", r.status,
		                                r.code ? r.code : "", r.message ? r.message : ""));
	struct json_object *o = json_tokener_parse(r.body);
	if (o == NULL)
		return failed(out, "申请账单的应答不是 JSON");
	arena_json(a, o);
	const char *type = jget_strdup(a, o, "hash_type"), *url = jget_strdup(a, o, "download_url");
	out->hash = jget_strdup(a, o, "hash_value");
	if (url == NULL || out->hash == NULL)
		return failed(out, "申请账单的应答缺少 download_url 或 hash_value");
	return fetch_file(c, a, url, now, type, out);
}
