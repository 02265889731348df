/* sim_wxpay.c: the WeChat Pay API v3 side: signed requests, orders, refunds, notifications. */
#include "sim.h"
#include "text.h"
#include "camp.h"
#include "crypto.h"
#include "tpl.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ORDER_LIFE_S 7200
#define H5_URL_LIFE_S 300         /* PROTOCOLS §1.3: an h5_url is valid 5 minutes */

static void reply(struct sim_ctx *c, int status, struct json_object *o)
{
	if (o == NULL)
		resp_body(c->w, status, "application/json", "", 0);
	else
		sim_json_reply(c, status, o);
	c->signed_by = sim_wxpay_sign_headers(c->r->a, c->w, c->w->body, c->w->len);
}

/* The value at a JSON pointer ("/amount/total") of the request body, or NULL. */
static struct json_object *at_pointer(struct json_object *o, const char *ptr, arena *a)
{
	char *copy = arena_strdup(a, ptr), *save = NULL;
	for (char *k = strtok_r(copy, "/", &save); k && o; k = strtok_r(NULL, "/", &save))
		if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, k, &o))
			return NULL;
	return o;
}

/* An error as real WeChat Pay answers (PROTOCOLS §1.6): code and message,
 * and for a bad field detail {location, value} — value being whatever the
 * request carried there (a string, a number, an array …), "" when absent. */
static void error(struct sim_ctx *c, int status, const char *code, const char *msg,
                  const char *field)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "code", json_object_new_string(code));
	json_object_object_add(o, "message", json_object_new_string(msg));
	if (field != NULL) {
		int query = c->r->method != M_POST;
		struct json_object *d = json_object_new_object(), *v = NULL;
		if (query) {
			const char *q = req_param(c->r, field + 1);
			v = json_object_new_string(q ? q : "");
		} else {
			v = at_pointer(sim_body_json(c), field, c->r->a);
			v = v ? json_object_get(v) : json_object_new_string("");
		}
		json_object_object_add(d, "location", json_object_new_string(query ? "query" : "body"));
		json_object_object_add(d, "value", v);
		json_object_object_add(o, "detail", d);
	}
	reply(c, status, o);
}

/* ---- the Authorization header (PROTOCOLS §1.1) ---------------------------- */

/* Copies the value of key="…" from the header's parameter list. */
static int auth_param(const char *h, const char *key, char *out, size_t n)
{
	size_t kl = strlen(key);
	for (const char *p = h; (p = strstr(p, key)) != NULL; p += kl) {
		if ((p != h && p[-1] != ',' && p[-1] != ' ') || strncmp(p + kl, "=\"", 2) != 0)
			continue;
		const char *v = p + kl + 2, *e = strchr(v, '"');
		if (e == NULL || (size_t)(e - v) >= n)
			return CAMP_EINVAL;
		memcpy(out, v, (size_t)(e - v));
		out[e - v] = '\0';
		return CAMP_OK;
	}
	return CAMP_ENOTFOUND;
}

static int verify_auth(struct sim_ctx *c, const char **why)
{
	const char *scheme = "WECHATPAY2-SHA256-RSA2048 ";
	const char *h = c->authorization;
	char mchid[40], nonce[80], sig[600], ts[24], serial[80];
	*why = "Authorization 头缺失或格式错误";
	if (h == NULL || strncmp(h, scheme, strlen(scheme)) != 0)
		return CAMP_EINVAL;
	h += strlen(scheme);
	if (auth_param(h, "mchid", mchid, sizeof(mchid)) || auth_param(h, "nonce_str", nonce, sizeof(nonce)) ||
	    auth_param(h, "signature", sig, sizeof(sig)) || auth_param(h, "timestamp", ts, sizeof(ts)) ||
	    auth_param(h, "serial_no", serial, sizeof(serial)) || nonce[0] == '\0')
		return CAMP_EINVAL;
	long long t;
	*why = "商户号不匹配";
	if (strcmp(mchid, sim.k.mchid) != 0)
		return CAMP_EINVAL;
	*why = "商户证书序列号不匹配";
	if (strcmp(serial, sim.k.mch_serial) != 0)
		return CAMP_EINVAL;
	*why = "请求时间戳已过期";
	if (parse_i64(ts, 0, 1LL << 40, &t) != CAMP_OK || llabs(t - (long long)time(NULL)) >= 300)
		return CAMP_EINVAL;
	struct buf m = BUF_INIT;
	buf_printf(&m, "%s\n%s\n%s\n%s\n", c->r->method_name, c->request_uri, ts, nonce);
	buf_append(&m, c->r->body ? (const char *)c->r->body : "", c->r->body_len);
	buf_putc(&m, '\n');
	int rc = crypto_rsa_verify_b64(sim.k.mch_pub_pem, m.s, m.len, sig);
	buf_free(&m);
	*why = "签名错误";
	return rc;
}

/* ---- orders ---------------------------------------------------------------- */

static struct sim_order *order_find(const char *no)
{
	for (size_t i = 0; i < sim.orders.n; i++)
		if (!strcmp(sim.orders.v[i].out_trade_no, no))
			return &sim.orders.v[i];
	return NULL;
}

static int valid_chars(const char *s, size_t min, size_t max, const char *extra)
{
	size_t n = s ? strlen(s) : 0;
	if (n < min || n > max)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      strchr(extra, ch)))
			return 0;
	}
	return 1;
}


struct order_in {
	const char *appid, *mchid, *description, *out_trade_no, *time_expire, *attach,
	           *notify_url, *currency, *openid, *client_ip;
	int64_t total;
};

static const char *check_amount(struct json_object *o, int64_t *total, const char **currency)
{
	struct json_object *amt;
	if (!json_object_object_get_ex(o, "amount", &amt) ||
	    sim_jint(amt, "total", total) != CAMP_OK)
		return "/amount/total";
	if (*total < 1)
		return "/amount/total";
	*currency = sim_jstr(amt, "currency");
	if (*currency == NULL)
		*currency = "CNY";
	return strcmp(*currency, "CNY") ? "/amount/currency" : NULL;
}

/* NULL when fine, else the JSON pointer of the bad field. */
static const char *order_validate(const char *type, struct json_object *o, struct order_in *in)
{
	in->appid = sim_jstr(o, "appid");
	in->mchid = sim_jstr(o, "mchid");
	in->description = sim_jstr(o, "description");
	in->out_trade_no = sim_jstr(o, "out_trade_no");
	in->time_expire = sim_jstr(o, "time_expire");
	in->attach = sim_jstr(o, "attach");
	in->notify_url = sim_jstr(o, "notify_url");
	if (in->appid == NULL)
		return "/appid";
	if (in->mchid == NULL)
		return "/mchid";
	/* 127 bytes, and (the body parser saw to it) whole UTF-8 characters */
	if (in->description == NULL || !*in->description || strlen(in->description) > 127)
		return "/description";
	if (!valid_chars(in->out_trade_no, 6, 32, "_-|*"))
		return "/out_trade_no";
	time_t t;
	if (in->time_expire != NULL && sim_parse_rfc3339(in->time_expire, &t) != CAMP_OK)
		return "/time_expire";
	if (in->attach != NULL && text_chars(in->attach) > 128)
		return "/attach";
	if (in->notify_url == NULL || strncmp(in->notify_url, "https://", 8) != 0 ||
	    strchr(in->notify_url, '?') != NULL || strlen(in->notify_url) > 255)
		return "/notify_url";
	const char *bad = check_amount(o, &in->total, &in->currency);
	if (bad != NULL)
		return bad;
	struct json_object *x;
	if (!strcmp(type, "jsapi")) {
		in->openid = json_object_object_get_ex(o, "payer", &x) ? sim_jstr(x, "openid") : NULL;
		if (in->openid == NULL || !*in->openid)
			return "/payer/openid";
	}
	if (!strcmp(type, "h5")) {
		struct json_object *h5;
		in->client_ip = json_object_object_get_ex(o, "scene_info", &x) ?
		                sim_jstr(x, "payer_client_ip") : NULL;
		if (in->client_ip == NULL || !json_object_object_get_ex(x, "h5_info", &h5) ||
		    sim_jstr(h5, "type") == NULL)
			return "/scene_info";
	}
	return NULL;
}

static void fingerprint(const char *type, const struct order_in *in, char out[65])
{
	struct buf b = BUF_INIT;
	const char *parts[] = { type, in->appid, in->mchid, in->description, in->out_trade_no,
	                        in->time_expire, in->attach, in->notify_url, in->currency,
	                        in->openid, in->client_ip };
	for (size_t i = 0; i < CAMP_ARRAY_LEN(parts); i++)
		buf_printf(&b, "%zu:%s|", parts[i] ? strlen(parts[i]) : (size_t)0,
		           parts[i] ? parts[i] : "");
	buf_printf(&b, "%lld", (long long)in->total);
	crypto_sha256_hex(b.s, b.len, out);
	buf_free(&b);
}

static int order_expired(const struct sim_order *o)
{
	time_t end = o->time_expire ? o->time_expire : o->created + ORDER_LIFE_S;
	return time(NULL) >= end;
}

static void order_created(struct sim_ctx *c, const char *type, struct sim_order *o)
{
	struct json_object *r = json_object_new_object();
	char id[40], d[20];
	sim_digits(d, 16);
	if (!strcmp(type, "jsapi")) {
		snprintf(id, sizeof(id), "wx%s%s", d, o->out_trade_no[0] ? "" : "");
		json_object_object_add(r, "prepay_id", json_object_new_string(id));
	} else if (!strcmp(type, "native")) {
		char pr[12];
		crypto_random_alnum(pr, 11);
		snprintf(id, sizeof(id), "weixin://wxpay/bizpayurl?pr=%s", pr);
		json_object_object_add(r, "code_url", json_object_new_string(id));
	} else {
		/* issue #16: the cashier (wx.tenpay.com's checkmweb) is the simulator's own page */
		char tail[19];       /* as long as WeChat's (wx + 34): the URL passes 100 characters */
		crypto_random_alnum(tail, 18);
		snprintf(o->h5_prepay, sizeof(o->h5_prepay), "wx%s%s", d, tail);
		o->h5_until = time(NULL) + H5_URL_LIFE_S;
		/* our own origin as the caller reached us (Debian's fastcgi_params give
		 * HTTP_HOST without the port) */
		const char *host = c->r->host && *c->r->host ? c->r->host : "127.0.0.1";
		const char *port = c->r->server_port && !strchr(host, ':') ? c->r->server_port : NULL;
		char *u = arena_printf(c->r->a, "http://%s%s%s/sim/h5pay/checkmweb?prepay_id=%s&package=%s",
		                       host, port ? ":" : "", port ? port : "", o->h5_prepay, d + 6);
		json_object_object_add(r, "h5_url", json_object_new_string(u));
	}
	reply(c, 200, r);
}

static void order_create(struct sim_ctx *c, const char *type)
{
	struct json_object *o = sim_body_json(c);
	struct order_in in = { 0 };
	if (o == NULL) {
		error(c, 400, "PARAM_ERROR", "请求体不是合法的 JSON", NULL);
		return;
	}
	const char *bad = order_validate(type, o, &in);
	if (bad != NULL) {
		error(c, 400, "PARAM_ERROR",
		      arena_printf(c->r->a, "输入源“/body%s”映射到值字段失败", bad), bad);
		return;
	}
	if (strcmp(in.appid, sim.k.appid) != 0 || strcmp(in.mchid, sim.k.mchid) != 0) {
		error(c, 400, "INVALID_REQUEST", "appid和mch_id不匹配", NULL);
		return;
	}
	char fp[65];
	fingerprint(type, &in, fp);
	struct sim_order *ord = order_find(in.out_trade_no);
	if (ord != NULL) {
		if (!strcmp(ord->state, "SUCCESS") || !strcmp(ord->state, "REFUND"))
			error(c, 400, "ORDERPAID", "该订单已支付", NULL);
		else if (!strcmp(ord->state, "CLOSED"))
			error(c, 400, "ORDERCLOSED", "该订单已关闭", NULL);
		else if (strcmp(ord->fingerprint, fp) != 0)
			error(c, 400, "INVALID_REQUEST", "201 商户订单号重复(ORDERNO_USED)", NULL);
		else
			order_created(c, type, ord);
		return;
	}
	ord = SIM_PUSH(&sim.orders);
	snprintf(ord->out_trade_no, sizeof(ord->out_trade_no), "%s", in.out_trade_no);
	snprintf(ord->trade_type, sizeof(ord->trade_type), "%s",
	         !strcmp(type, "jsapi") ? "JSAPI" : !strcmp(type, "native") ? "NATIVE" : "MWEB");
	memcpy(ord->fingerprint, fp, sizeof(fp));
	ord->description = sim_strdup(in.description);
	ord->attach = in.attach ? sim_strdup(in.attach) : NULL;
	ord->notify_url = sim_strdup(in.notify_url);
	ord->openid = in.openid ? sim_strdup(in.openid) : NULL;
	ord->created = time(NULL);
	if (in.time_expire != NULL)
		sim_parse_rfc3339(in.time_expire, &ord->time_expire);
	ord->total = in.total;
	snprintf(ord->state, sizeof(ord->state), "NOTPAY");
	order_created(c, type, ord);
}

static const char *state_desc(const char *s)
{
	if (!strcmp(s, "SUCCESS")) return "支付成功";
	if (!strcmp(s, "REFUND")) return "转入退款";
	if (!strcmp(s, "CLOSED")) return "订单已关闭";
	return "订单未支付";
}

/* The transaction object of queries and of TRANSACTION.SUCCESS.  Unpaid
 * ones are what real NOTPAY/CLOSED answers are (PROTOCOLS §1.3): no
 * transaction_id, payer, success_time, bank_type, amount.currency or
 * payer_total, and now and then a promotion_detail. */
static struct json_object *transaction_json(const struct sim_order *o)
{
	struct json_object *t = json_object_new_object();
	int paid = o->transaction_id[0] != '\0';
	json_object_object_add(t, "appid", json_object_new_string(sim.k.appid));
	json_object_object_add(t, "mchid", json_object_new_string(sim.k.mchid));
	json_object_object_add(t, "out_trade_no", json_object_new_string(o->out_trade_no));
	if (paid) {
		json_object_object_add(t, "transaction_id", json_object_new_string(o->transaction_id));
		json_object_object_add(t, "trade_type", json_object_new_string(o->trade_type));
		json_object_object_add(t, "bank_type", json_object_new_string("OTHERS"));
		json_object_object_add(t, "success_time", json_object_new_string(o->success_time));
	}
	json_object_object_add(t, "trade_state", json_object_new_string(o->state));
	json_object_object_add(t, "trade_state_desc", json_object_new_string(state_desc(o->state)));
	json_object_object_add(t, "attach", json_object_new_string(o->attach ? o->attach : ""));
	const char *openid = o->payer_openid ? o->payer_openid : o->openid;
	if (paid && openid != NULL) {
		struct json_object *payer = json_object_new_object();
		json_object_object_add(payer, "openid", json_object_new_string(openid));
		json_object_object_add(t, "payer", payer);
	}
	struct json_object *amt = json_object_new_object();
	json_object_object_add(amt, "total", json_object_new_int64(o->total));
	if (paid) {
		json_object_object_add(amt, "payer_total", json_object_new_int64(o->total));
		json_object_object_add(amt, "currency", json_object_new_string("CNY"));
		json_object_object_add(amt, "payer_currency", json_object_new_string("CNY"));
	} else {
		json_object_object_add(t, "promotion_detail", json_object_new_array());
	}
	json_object_object_add(t, "amount", amt);
	return t;
}

static void order_query(struct sim_ctx *c, const char *no, int by_id)
{
	const char *mchid = req_param(c->r, "mchid");
	if (mchid == NULL || strcmp(mchid, sim.k.mchid) != 0) {
		error(c, 400, "PARAM_ERROR", "mchid 缺失或不匹配", "/mchid");
		return;
	}
	struct sim_order *o = NULL;
	for (size_t i = 0; by_id && i < sim.orders.n; i++)
		if (!strcmp(sim.orders.v[i].transaction_id, no))
			o = &sim.orders.v[i];
	if (!by_id)
		o = order_find(no);
	if (o == NULL) {
		error(c, 404, "ORDER_NOT_EXIST", "订单不存在", NULL);
		return;
	}
	reply(c, 200, transaction_json(o));
}

static void order_close(struct sim_ctx *c, const char *no)
{
	const char *mchid = sim_jstr(sim_body_json(c), "mchid");
	if (mchid == NULL || strcmp(mchid, sim.k.mchid) != 0) {
		error(c, 400, "PARAM_ERROR", "mchid 缺失或不匹配", "/mchid");
		return;
	}
	struct sim_order *o = order_find(no);
	if (o == NULL)
		error(c, 404, "ORDER_NOT_EXIST", "订单不存在", NULL);
	else if (!strcmp(o->state, "SUCCESS") || !strcmp(o->state, "REFUND"))
		error(c, 400, "ORDERPAID", "订单已支付", NULL);
	else {
		snprintf(o->state, sizeof(o->state), "CLOSED");
		reply(c, 204, NULL);
	}
}

/* ---- notifications ------------------------------------------------------- */

static void notify(const char *url, const char *event, const char *summary,
                   const char *original_type, struct json_object *plain)
{
	const char *pt = json_object_to_json_string_ext(plain, JSON_C_TO_STRING_PLAIN |
	                                                JSON_C_TO_STRING_NOSLASHESCAPE);
	struct json_object *env = json_object_new_object();
	char id[40], hex[33], now[32];
	unsigned char r[16];
	crypto_random(r, sizeof(r));
	crypto_hex(r, sizeof(r), hex);
	snprintf(id, sizeof(id), "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
	sim_fmt_rfc3339(time(NULL), now, sizeof(now));
	json_object_object_add(env, "id", json_object_new_string(id));
	json_object_object_add(env, "create_time", json_object_new_string(now));
	json_object_object_add(env, "resource_type", json_object_new_string("encrypt-resource"));
	json_object_object_add(env, "event_type", json_object_new_string(event));
	json_object_object_add(env, "summary", json_object_new_string(summary));
	json_object_object_add(env, "resource", sim_wxpay_encrypt(pt, original_type, original_type));
	sim_deliver_enqueue(url, json_object_to_json_string_ext(env, JSON_C_TO_STRING_PLAIN |
	                                                        JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(env);
	json_object_put(plain);
}

void sim_wxpay_pay(struct sim_ctx *c, const char *no)
{
	struct sim_order *o = order_find(no);
	const char *openid = sim_jstr(sim_body_json(c), "openid");
	if (openid == NULL)
		openid = req_form(c->r, "openid");
	if (o == NULL) {
		resp_json_text(c->w, 404, "{\"error\":\"ORDER_NOT_EXIST\"}");
		return;
	}
	if (strcmp(o->state, "NOTPAY") != 0) {
		resp_json_text(c->w, 409, !strcmp(o->state, "CLOSED") ? "{\"error\":\"ORDERCLOSED\"}"
		                                                     : "{\"error\":\"ORDERPAID\"}");
		return;
	}
	if (order_expired(o)) {
		resp_json_text(c->w, 409, "{\"error\":\"ORDER_EXPIRED\"}");
		return;
	}
	char d[25];
	sim_digits(d, 24);
	snprintf(o->transaction_id, sizeof(o->transaction_id), "4200%s", d);
	sim_fmt_rfc3339(time(NULL), o->success_time, sizeof(o->success_time));
	snprintf(o->state, sizeof(o->state), "SUCCESS");
	if (openid != NULL && *openid)
		o->payer_openid = sim_strdup(openid);
	else if (o->openid == NULL)
		o->payer_openid = sim_strdup("oSimDesktopPayer00000000000");
	notify(o->notify_url, "TRANSACTION.SUCCESS", "支付成功", "transaction", transaction_json(o));
	if (req_form(c->r, "ui") != NULL) {
		c->w->status = 303;
		resp_header(c->w, "Location", "/sim/");
		return;
	}
	struct json_object *r = json_object_new_object();
	json_object_object_add(r, "transaction_id", json_object_new_string(o->transaction_id));
	sim_json_reply(c, 200, r);
}

/* ---- refunds ------------------------------------------------------------- */

static struct sim_refund *refund_find(const char *no)
{
	for (size_t i = 0; i < sim.refunds.n; i++)
		if (!strcmp(sim.refunds.v[i].out_refund_no, no))
			return &sim.refunds.v[i];
	return NULL;
}

static struct json_object *refund_json(const struct sim_refund *f, int notification)
{
	struct json_object *o = json_object_new_object();
	if (notification)
		json_object_object_add(o, "mchid", json_object_new_string(sim.k.mchid));
	json_object_object_add(o, "refund_id", json_object_new_string(f->refund_id));
	json_object_object_add(o, "out_refund_no", json_object_new_string(f->out_refund_no));
	json_object_object_add(o, "transaction_id", json_object_new_string(f->transaction_id));
	json_object_object_add(o, "out_trade_no", json_object_new_string(f->out_trade_no));
	json_object_object_add(o, "channel", json_object_new_string("ORIGINAL"));
	json_object_object_add(o, "user_received_account", json_object_new_string("支付用户零钱"));
	json_object_object_add(o, notification ? "refund_status" : "status",
	                       json_object_new_string(f->status));
	if (f->success_time[0])
		json_object_object_add(o, "success_time", json_object_new_string(f->success_time));
	json_object_object_add(o, "create_time", json_object_new_string(f->create_time));
	struct json_object *a = json_object_new_object();
	json_object_object_add(a, "total", json_object_new_int64(f->total));
	json_object_object_add(a, "refund", json_object_new_int64(f->refund));
	json_object_object_add(a, "payer_total", json_object_new_int64(f->total));
	json_object_object_add(a, "payer_refund", json_object_new_int64(f->refund));
	if (!notification)
		json_object_object_add(a, "currency", json_object_new_string("CNY"));
	json_object_object_add(o, "amount", a);
	return o;
}

static struct sim_order *refund_order(struct json_object *o)
{
	const char *tid = sim_jstr(o, "transaction_id"), *no = sim_jstr(o, "out_trade_no");
	for (size_t i = 0; tid && i < sim.orders.n; i++)
		if (!strcmp(sim.orders.v[i].transaction_id, tid))
			return &sim.orders.v[i];
	return no ? order_find(no) : NULL;
}

static void refund_create(struct sim_ctx *c)
{
	struct json_object *o = sim_body_json(c), *amt;
	const char *no = sim_jstr(o, "out_refund_no"), *url = sim_jstr(o, "notify_url");
	const char *reason = sim_jstr(o, "reason");
	int64_t refund = 0, total = 0;
	if (!valid_chars(no, 1, 64, "_-|*@")) {
		error(c, 400, "PARAM_ERROR", "输入源“/body/out_refund_no”映射到值字段失败", "/out_refund_no");
		return;
	}
	if (!json_object_object_get_ex(o, "amount", &amt) || sim_jint(amt, "refund", &refund) ||
	    sim_jint(amt, "total", &total) || refund < 1 ||
	    (sim_jstr(amt, "currency") && strcmp(sim_jstr(amt, "currency"), "CNY"))) {
		error(c, 400, "PARAM_ERROR", "amount 无效", "/amount");
		return;
	}
	if ((reason && text_chars(reason) > 80) ||
	    (url && (strncmp(url, "https://", 8) || strchr(url, '?')))) {
		error(c, 400, "PARAM_ERROR", reason && text_chars(reason) > 80 ? "reason 过长" :
		      "notify_url 无效", reason && text_chars(reason) > 80 ? "/reason" : "/notify_url");
		return;
	}
	if (sim.fault[SVC_WECHATPAY].mode == FAULT_NOT_ENOUGH) {
		/* the merchant's available balance is too low: nothing is recorded,
		 * the same out_refund_no may be sent again later */
		sim_fault_take(SVC_WECHATPAY);
		error(c, 403, "NOT_ENOUGH", "基本账户余额不足，请充值后重新发起", NULL);
		return;
	}
	struct sim_refund *f = refund_find(no);
	if (f != NULL) {   /* the same out_refund_no never refunds twice */
		reply(c, 200, refund_json(f, 0));
		return;
	}
	struct sim_order *ord = refund_order(o);
	if (ord == NULL) {
		error(c, 404, "RESOURCE_NOT_EXISTS", "订单不存在", NULL);
		return;
	}
	if (ord->transaction_id[0] == '\0') {
		error(c, 400, "INVALID_REQUEST", "订单未支付，不能退款", NULL);
		return;
	}
	if (total != ord->total) {
		error(c, 400, "PARAM_ERROR", "订单金额与原订单不一致", "/amount/total");
		return;
	}
	if (ord->refunded + refund > ord->total) {
		error(c, 403, "NOT_ENOUGH", "申请退款金额超过订单可退金额", NULL);
		return;
	}
	f = SIM_PUSH(&sim.refunds);
	char d[30];
	sim_digits(d, 29);
	snprintf(f->refund_id, sizeof(f->refund_id), "50%s", d);
	snprintf(f->out_refund_no, sizeof(f->out_refund_no), "%s", no);
	snprintf(f->out_trade_no, sizeof(f->out_trade_no), "%s", ord->out_trade_no);
	snprintf(f->transaction_id, sizeof(f->transaction_id), "%s", ord->transaction_id);
	f->notify_url = url ? sim_strdup(url) : NULL;
	f->refund = refund;
	f->total = total;
	snprintf(f->status, sizeof(f->status), "PROCESSING");
	sim_fmt_rfc3339(time(NULL), f->create_time, sizeof(f->create_time));
	f->due_ms = sim_mono_ms() + sim.refund_delay_ms;
	enum sim_fault fault = sim.fault[SVC_WECHATPAY].mode;
	if (fault == FAULT_REFUND_CLOSED || fault == FAULT_REFUND_ABNORMAL)
		f->outcome = sim_fault_take(SVC_WECHATPAY);
	ord->refunded += refund;
	snprintf(ord->state, sizeof(ord->state), "REFUND");
	reply(c, 200, refund_json(f, 0));
	pthread_cond_broadcast(&sim.wake);
}

void sim_wxpay_tick(void)
{
	int64_t now = sim_mono_ms();
	for (size_t i = 0; i < sim.refunds.n; i++) {
		struct sim_refund *f = &sim.refunds.v[i];
		if (strcmp(f->status, "PROCESSING") != 0 || f->due_ms > now)
			continue;
		const char *st = f->outcome == FAULT_REFUND_CLOSED ? "CLOSED" :
		                 f->outcome == FAULT_REFUND_ABNORMAL ? "ABNORMAL" : "SUCCESS";
		snprintf(f->status, sizeof(f->status), "%s", st);
		if (f->outcome == FAULT_OK)
			sim_fmt_rfc3339(time(NULL), f->success_time, sizeof(f->success_time));
		if (f->outcome == FAULT_REFUND_CLOSED) {   /* the money stays refundable */
			struct sim_order *o = order_find(f->out_trade_no);
			if (o != NULL)
				o->refunded -= f->refund;
		}
		if (f->notify_url != NULL) {
			char ev[32];
			snprintf(ev, sizeof(ev), "REFUND.%s", st);
			notify(f->notify_url, ev, f->outcome == FAULT_OK ? "退款成功" : "退款异常",
			       "refund", refund_json(f, 1));
		}
	}
}

/* ---- certificates ---------------------------------------------------------- */

/* Every listed platform certificate, encrypted with the APIv3 key (the
 * merchant's proof that the list came from WeChat), the answer signed as
 * the signing mode says. */
/* serial_no, effective_time and expire_time of a certificate. */
static struct json_object *cert_json(const struct sim_cert *k)
{
	struct json_object *d = json_object_new_object();
	char from[32], to[32];
	sim_fmt_rfc3339(k->effective, from, sizeof(from));
	sim_fmt_rfc3339(k->expire, to, sizeof(to));
	json_object_object_add(d, "serial_no", json_object_new_string(k->serial));
	json_object_object_add(d, "effective_time", json_object_new_string(from));
	json_object_object_add(d, "expire_time", json_object_new_string(to));
	return d;
}

static void certificates(struct sim_ctx *c)
{
	struct json_object *arr = json_object_new_array();
	for (size_t i = 0; i < sim.certs.n; i++) {
		struct json_object *d = cert_json(&sim.certs.v[i]);
		json_object_object_add(d, "encrypt_certificate",
		                       sim_wxpay_encrypt(sim.certs.v[i].cert_pem, "certificate", NULL));
		json_object_array_add(arr, d);
	}
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "data", arr);
	reply(c, 200, o);
}

/* ---- routing ------------------------------------------------------------- */

/* path = prefix + one segment [+ suffix]; the segment into out */
static int seg(const char *path, const char *prefix, const char *suffix, char *out, size_t n)
{
	size_t pl = strlen(prefix), sl = strlen(suffix);
	size_t len = strlen(path);
	if (strncmp(path, prefix, pl) || len <= pl + sl || strcmp(path + len - sl, suffix))
		return 0;
	size_t k = len - pl - sl;
	if (k >= n || memchr(path + pl, '/', k))
		return 0;
	memcpy(out, path + pl, k);
	out[k] = '\0';
	return 1;
}

void sim_wxpay_handle(struct sim_ctx *c)
{
	const char *p = c->r->path, *why;
	int post = c->r->method == M_POST;
	char no[80];
	if (c->r->user_agent == NULL || !*c->r->user_agent) {
		error(c, 400, "INVALID_REQUEST", "缺少 User-Agent", NULL);
		return;
	}
	if (verify_auth(c, &why) != CAMP_OK) {
		error(c, 401, "SIGN_ERROR", why, NULL);
		return;
	}
	if (post && (!strcmp(p, "/v3/pay/transactions/jsapi") ||
	             !strcmp(p, "/v3/pay/transactions/native") || !strcmp(p, "/v3/pay/transactions/h5")))
		order_create(c, p + strlen("/v3/pay/transactions/"));
	else if (!post && seg(p, "/v3/pay/transactions/out-trade-no/", "", no, sizeof(no)))
		order_query(c, no, 0);
	else if (!post && seg(p, "/v3/pay/transactions/id/", "", no, sizeof(no)))
		order_query(c, no, 1);
	else if (post && seg(p, "/v3/pay/transactions/out-trade-no/", "/close", no, sizeof(no)))
		order_close(c, no);
	else if (post && !strcmp(p, "/v3/refund/domestic/refunds"))
		refund_create(c);
	else if (!post && seg(p, "/v3/refund/domestic/refunds/", "", no, sizeof(no))) {
		struct sim_refund *f = refund_find(no);
		if (f == NULL)
			error(c, 404, "RESOURCE_NOT_EXISTS", "退款单不存在", NULL);
		else
			reply(c, 200, refund_json(f, 0));
	} else if (!post && !strcmp(p, "/v3/certificates"))
		certificates(c);
	else if (!post && !strcmp(p, "/v3/bill/tradebill"))
		sim_bill_tradebill(c);
	else if (!post && !strcmp(p, "/v3/billdownload/file"))
		sim_bill_download(c);
	else
		error(c, 404, "NOT_FOUND", "接口不存在", NULL);
}

/* A payment to a WeCom collection code; optionally refunded in WeCom
 * (total_refund_fee, trade_state 3) or of the older revision (legacy: no
 * bill_type), as get_bill_list then answers it. */
void sim_wxpay_bill(struct sim_ctx *c)
{
	struct json_object *o = sim_body_json(c), *lg;
	const char *payee = sim_jstr(o, "payee_userid"), *remark = sim_jstr(o, "remark");
	int64_t fee = 0, at = 0, refunded = 0, state = 0;
	if (payee == NULL || sim_jint(o, "total_fee", &fee) != CAMP_OK || fee < 1 ||
	    sim_jint(o, "pay_time", &at) == CAMP_EINVAL ||
	    sim_jint(o, "total_refund_fee", &refunded) == CAMP_EINVAL || refunded < 0 ||
	    refunded > fee || sim_jint(o, "trade_state", &state) == CAMP_EINVAL ||
	    (state != 0 && state != 1 && state != 3)) {
		resp_json_text(c->w, 400, "{\"error\":\"payee_userid and total_fee are required;"
		               " total_refund_fee 0..total_fee, trade_state 1 or 3\"}");
		return;
	}
	struct sim_bill *b = SIM_PUSH(&sim.bills);
	char d[25];
	sim_digits(d, 24);
	snprintf(b->transaction_id, sizeof(b->transaction_id), "4200%s", d);
	snprintf(b->payee_userid, sizeof(b->payee_userid), "%s", payee);
	b->remark = remark ? sim_strdup(remark) : NULL;
	b->total_fee = fee;
	b->total_refund_fee = refunded;
	b->trade_state = state ? (int)state : refunded > 0 ? 3 : 1;
	b->legacy = json_object_object_get_ex(o, "legacy", &lg) && json_object_get_boolean(lg);
	b->pay_time = at ? (time_t)at : time(NULL);
	struct json_object *r = json_object_new_object();
	json_object_object_add(r, "transaction_id", json_object_new_string(b->transaction_id));
	sim_json_reply(c, 200, r);
}

/* ---- control: signing, certificates, transactions (issue #13) --------------- */

static struct json_object *signing_json(void)
{
	struct json_object *r = json_object_new_object();
	json_object_object_add(r, "mode", json_object_new_string(sim_signing_name(sim.signing)));
	json_object_object_add(r, "public_key_id", json_object_new_string(sim.k.pay_pub_key_id));
	if (sim.certs.n > 0)
		json_object_object_add(r, "certificate_serial",
		                       json_object_new_string(sim.certs.v[sim.certs.n - 1].serial));
	return r;
}

void sim_wxpay_signing(struct sim_ctx *c)
{
	const char *mode = sim_jstr(sim_body_json(c), "mode");
	enum sim_signing m = SIGN_PUBLIC_KEY;
	for (int i = SIGN_PUBLIC_KEY; mode && i <= SIGN_SWITCHING; i++)
		if (!strcmp(mode, sim_signing_name((enum sim_signing)i)))
			m = (enum sim_signing)i, mode = NULL;
	if (mode != NULL || sim_body_json(c) == NULL) {
		resp_json_text(c->w, 400, "{\"error\":\"mode: public-key, certificate or switching\"}");
		return;
	}
	sim.signing = m;
	sim_json_reply(c, 200, signing_json());
}

void sim_wxpay_certificates(struct sim_ctx *c)
{
	struct json_object *o = sim_body_json(c), *v;
	int64_t days = 5 * 365;
	if (sim_jint(o, "valid_days", &days) == CAMP_EINVAL || days < 1 || days > 3650) {
		resp_json_text(c->w, 400, "{\"error\":\"valid_days: 1..3650\"}");
		return;
	}
	int keep_old = !(json_object_object_get_ex(o, "keep_old", &v) && !json_object_get_boolean(v));
	const struct sim_cert *k = sim_certs_rotate((int)days, keep_old);
	if (k == NULL) {
		resp_json_text(c->w, 500, "{\"error\":\"cannot make a certificate\"}");
		return;
	}
	struct json_object *r = cert_json(k);
	json_object_object_add(r, "listed", json_object_new_int((int)sim.certs.n));
	sim_json_reply(c, 200, r);
}

/* One transaction of a world recreated from a merchant's records (the
 * demo data, or the simulator restarted): paid with its own transaction_id
 * (refunded = what was refunded already), or an open order that can still
 * be paid (then notify_url is required).  0 = created, 1 = known, -1 = bad. */
static int import_one(struct json_object *t)
{
	const char *no = sim_jstr(t, "out_trade_no"), *tid = sim_jstr(t, "transaction_id");
	const char *url = sim_jstr(t, "notify_url"), *at = sim_jstr(t, "success_time");
	const char *type = sim_jstr(t, "trade_type"), *openid = sim_jstr(t, "openid");
	int64_t total = 0, refunded = 0, expire = 0;
	time_t paid_at = time(NULL);
	if (!valid_chars(no, 6, 32, "_-|*") || sim_jint(t, "total", &total) != CAMP_OK || total < 1 ||
	    sim_jint(t, "refunded", &refunded) == CAMP_EINVAL || refunded < 0 || refunded > total ||
	    sim_jint(t, "time_expire", &expire) == CAMP_EINVAL ||
	    (tid != NULL && (strlen(tid) < 6 || strlen(tid) > 32)) ||
	    (tid == NULL && (url == NULL || strncmp(url, "https://", 8))) ||
	    (at != NULL && sim_parse_rfc3339(at, &paid_at) != CAMP_OK))
		return -1;
	if (order_find(no) != NULL)
		return 1;
	for (size_t i = 0; tid && i < sim.orders.n; i++)
		if (!strcmp(sim.orders.v[i].transaction_id, tid))
			return 1;
	struct sim_order *o = SIM_PUSH(&sim.orders);
	snprintf(o->out_trade_no, sizeof(o->out_trade_no), "%s", no);
	snprintf(o->trade_type, sizeof(o->trade_type), "%s", type && strlen(type) < 8 ? type : "JSAPI");
	const char *desc = sim_jstr(t, "description"), *attach = sim_jstr(t, "attach");
	o->description = sim_strdup(desc ? desc : "押金");
	o->attach = attach ? sim_strdup(attach) : NULL;
	o->notify_url = sim_strdup(url ? url : "");
	o->openid = openid ? sim_strdup(openid) : NULL;
	o->created = paid_at;
	o->time_expire = (time_t)expire;
	o->total = total;
	o->refunded = refunded;
	if (tid != NULL) {
		snprintf(o->transaction_id, sizeof(o->transaction_id), "%s", tid);
		sim_fmt_rfc3339(paid_at, o->success_time, sizeof(o->success_time));
		snprintf(o->state, sizeof(o->state), "%s", refunded > 0 ? "REFUND" : "SUCCESS");
	} else {
		snprintf(o->state, sizeof(o->state), "NOTPAY");
	}
	return 0;
}

void sim_wxpay_transactions(struct sim_ctx *c)
{
	struct json_object *list;
	if (!json_object_object_get_ex(sim_body_json(c), "transactions", &list) ||
	    !json_object_is_type(list, json_type_array)) {
		resp_json_text(c->w, 400, "{\"error\":\"a transactions array is expected\"}");
		return;
	}
	int created = 0, known = 0, bad = 0;
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		int r = import_one(json_object_array_get_idx(list, i));
		created += r == 0;
		known += r == 1;
		bad += r < 0;
	}
	struct json_object *r = json_object_new_object();
	json_object_object_add(r, "created", json_object_new_int(created));
	json_object_object_add(r, "known", json_object_new_int(known));
	json_object_object_add(r, "invalid", json_object_new_int(bad));
	sim_json_reply(c, bad ? 400 : 200, r);
}

/* ---- WeChat Pay H5: the cashier page behind h5_url (issue #16) ---------------- */

static struct sim_order *order_by_prepay(const char *prepay)
{
	for (size_t i = 0; prepay && *prepay && i < sim.orders.n; i++)
		if (!strcmp(sim.orders.v[i].h5_prepay, prepay))
			return &sim.orders.v[i];
	return NULL;
}

static int redirect_ok(const char *u)
{
	return u && (!strncmp(u, "https://", 8) || !strncmp(u, "http://", 7)) && !strpbrk(u, "\r\n");
}

/* The cashier (o set), its outcome (paid: back to redirect), or an error. */
static void h5_page(struct sim_ctx *c, int status, const struct sim_order *o, const char *redirect,
                    const char *error)
{
	tpl_dict *root = tpl_dict_new();
	if (o != NULL && !strcmp(o->state, "SUCCESS")) {
		tpl_dict *d = tpl_add_section(root, "PAID");
		tpl_set(d, "OUT_TRADE_NO", o->out_trade_no);
		if (redirect && *redirect)
			tpl_set(tpl_add_section(d, "BACK"), "REDIRECT_URL", redirect);
		tpl_set(tpl_add_section(root, "REFRESH"), "REDIRECT_URL", redirect ? redirect : "");
	} else if (o != NULL) {
		char amount[32];
		tpl_dict *d = tpl_add_section(root, "ORDER");
		snprintf(amount, sizeof(amount), "%lld.%02lld", (long long)(o->total / 100),
		         (long long)(o->total % 100));
		tpl_set(d, "DESCRIPTION", o->description);
		tpl_set(d, "AMOUNT", amount);
		tpl_set(d, "OUT_TRADE_NO", o->out_trade_no);
		tpl_set(d, "PREPAY_ID", o->h5_prepay);
		tpl_set(d, "REDIRECT_URL", redirect ? redirect : "");
	} else {
		tpl_set(tpl_add_section(root, "ERROR"), "TEXT", error);
	}
	size_t len;
	char *html = tpl_render("h5pay.tpl", root, &len);
	tpl_dict_free(root);
	if (html == NULL) {
		resp_json_text(c->w, 500, "{\"error\":\"template missing (--templates)\"}");
		return;
	}
	resp_body(c->w, status, "text/html; charset=utf-8", arena_strndup(c->r->a, html, len), len);
	free(html);
}

/* GET /sim/h5pay/checkmweb?prepay_id=…&package=…&redirect_url=… shows the order with a
 * 确认支付 button; POST /sim/h5pay/pay pays it (the callback goes out as for any payment)
 * and sends the browser back to redirect_url from a result page, as WeChat does (a
 * redirect of the POST itself would be a form-action to another origin, which browsers
 * block under the page's CSP). */
void sim_wxpay_h5_page(struct sim_ctx *c)
{
	int post = c->r->method == M_POST;
	const char *prepay = post ? req_form(c->r, "prepay_id") : req_param(c->r, "prepay_id");
	const char *redirect = post ? req_form(c->r, "redirect_url") : req_param(c->r, "redirect_url");
	struct sim_order *o = order_by_prepay(prepay);
	const char *why = o == NULL ? "商家参数格式有误，请联系商家解决（prepay_id 无效）" :
	                  time(NULL) >= o->h5_until && !post ? "支付链接已过期，请返回商家页面重新发起支付" :
	                  redirect && !redirect_ok(redirect) ? "redirect_url 无效" : NULL;
	if (!strcmp(c->r->path, "/sim/h5pay/checkmweb") && !post) {
		h5_page(c, why ? 400 : 200, why ? NULL : o, redirect, why);
		return;
	}
	if (!post || strcmp(c->r->path, "/sim/h5pay/pay") != 0) {
		resp_json_text(c->w, 404, "{\"error\":\"no such simulator endpoint\"}");
		return;
	}
	if (why != NULL) {
		h5_page(c, 400, NULL, NULL, why);
		return;
	}
	sim_wxpay_pay(c, o->out_trade_no);
	if (c->w->status != 200) {
		h5_page(c, c->w->status, NULL, NULL, "订单已支付、已关闭或已过期");
		return;
	}
	h5_page(c, 200, o, redirect, NULL);
}
