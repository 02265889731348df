/* wecom.c: WeCom gettoken with a per-secret cache, app message send, group robot send. */
#include "wecom.h"
#include "camp.h"
#include "crypto.h"
#include "httpc.h"
#include "log.h"

#include <json-c/json.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WECOM_CACHE 4
#define WECOM_BUSY_TRIES 3

struct token_slot {
	char secret_hash[65];        /* the secret itself is not kept */
	char token[600];
	time_t expires;
};

static struct token_slot cache[WECOM_CACHE];
static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;

void wecom_token_reset(void)
{
	pthread_mutex_lock(&cache_mu);
	memset(cache, 0, sizeof(cache));
	pthread_mutex_unlock(&cache_mu);
}

static void secret_key(const char *secret, char out[65])
{
	crypto_sha256_hex(secret, strlen(secret), out);
}

/* Percent-encodes a query value. */
static void qesc(char *out, size_t n, const char *s)
{
	size_t o = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p && o + 4 < n; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '_' || *p == '.' || *p == '~')
			out[o++] = (char)*p;
		else
			o += (size_t)snprintf(out + o, n - o, "%%%02X", *p);
	}
	out[o] = '\0';
}

static void copy_str(char *dst, size_t n, struct json_object *o, const char *key)
{
	struct json_object *v;
	dst[0] = '\0';
	if (json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string))
		snprintf(dst, n, "%s", json_object_get_string(v));
}

/* One call; the parsed body (caller puts it) or NULL with out filled. */
static struct json_object *call(const char *method, const char *url, const char *body,
                                struct wecom_result *out)
{
	char why[200];
	struct json_object *o = httpc_json(method, url, body, why, sizeof(why));
	if (o == NULL) {
		out->errcode = -1000;
		snprintf(out->error, sizeof(out->error), "企业微信无响应（%s）", why);
	}
	return o;
}

static int errcode_of(struct json_object *o, struct wecom_result *out)
{
	struct json_object *v;
	out->errcode = json_object_object_get_ex(o, "errcode", &v) ? json_object_get_int(v) : -1000;
	const char *msg = json_object_object_get_ex(o, "errmsg", &v) ? json_object_get_string(v) : "";
	snprintf(out->error, sizeof(out->error), "企业微信 errcode %d：%.180s", out->errcode, msg);
	return out->errcode;
}

/* The cached token, or a new one (force = ignore the cache). */
static int get_token(const struct wecom_cfg *cfg, int force, char *tok, size_t n,
                     struct wecom_result *out)
{
	char key[65];
	secret_key(cfg->secret, key);
	time_t now = time(NULL);
	pthread_mutex_lock(&cache_mu);
	for (int i = 0; i < WECOM_CACHE && !force; i++)
		if (!strcmp(cache[i].secret_hash, key) && cache[i].expires > now + 60) {
			snprintf(tok, n, "%s", cache[i].token);
			pthread_mutex_unlock(&cache_mu);
			return CAMP_OK;
		}
	pthread_mutex_unlock(&cache_mu);
	char cid[256], sec[512], url[1200];
	qesc(cid, sizeof(cid), cfg->corp_id);
	qesc(sec, sizeof(sec), cfg->secret);
	snprintf(url, sizeof(url), "%s/cgi-bin/gettoken?corpid=%s&corpsecret=%s", cfg->base_url, cid, sec);
	struct json_object *o = call("GET", url, NULL, out), *v;
	if (o == NULL)
		return CAMP_EPROVIDER;
	if (errcode_of(o, out) != 0 || !json_object_object_get_ex(o, "access_token", &v)) {
		json_object_put(o);
		return out->errcode == 40001 || out->errcode == 40013 ? CAMP_EINVAL : CAMP_EPROVIDER;
	}
	snprintf(tok, n, "%s", json_object_get_string(v));
	long life = json_object_object_get_ex(o, "expires_in", &v) ? json_object_get_int(v) : 7200;
	json_object_put(o);
	pthread_mutex_lock(&cache_mu);
	int slot = 0;
	for (int i = 0; i < WECOM_CACHE; i++) {
		if (!strcmp(cache[i].secret_hash, key)) {
			slot = i;
			break;
		}
		if (cache[i].expires < cache[slot].expires)
			slot = i;
	}
	snprintf(cache[slot].secret_hash, sizeof(cache[slot].secret_hash), "%s", key);
	snprintf(cache[slot].token, sizeof(cache[slot].token), "%s", tok);
	cache[slot].expires = now + life;
	pthread_mutex_unlock(&cache_mu);
	return CAMP_OK;
}

int wecom_send_text(const struct wecom_cfg *cfg, const char *touser, const char *content,
                    struct wecom_result *out)
{
	memset(out, 0, sizeof(*out));
	struct json_object *b = json_object_new_object(), *t = json_object_new_object();
	json_object_object_add(b, "touser", json_object_new_string(touser));
	json_object_object_add(b, "msgtype", json_object_new_string("text"));
	json_object_object_add(b, "agentid", json_object_new_int64(cfg->agent_id));
	json_object_object_add(t, "content", json_object_new_string(content));
	json_object_object_add(b, "text", t);
	char *body = strdup(json_object_to_json_string_ext(b, JSON_C_TO_STRING_PLAIN));
	json_object_put(b);
	if (body == NULL)
		return CAMP_ERR;
	int rc = CAMP_EPROVIDER, refreshed = 0;
	for (int attempt = 0; attempt < WECOM_BUSY_TRIES + 1; attempt++) {
		char tok[600], url[1000];
		rc = get_token(cfg, refreshed == 1, tok, sizeof(tok), out);
		if (rc != CAMP_OK)
			break;
		if (refreshed == 1)
			refreshed = 2;
		char et[700];
		qesc(et, sizeof(et), tok);
		snprintf(url, sizeof(url), "%s/cgi-bin/message/send?access_token=%s", cfg->base_url, et);
		struct json_object *o = call("POST", url, body, out);
		if (o == NULL) {
			rc = CAMP_EPROVIDER;
			break;
		}
		int ec = errcode_of(o, out);
		copy_str(out->invaliduser, sizeof(out->invaliduser), o, "invaliduser");
		copy_str(out->unlicenseduser, sizeof(out->unlicenseduser), o, "unlicenseduser");
		json_object_put(o);
		if (ec == 0) {
			rc = CAMP_OK;
			if (out->invaliduser[0] || out->unlicenseduser[0])
				snprintf(out->error, sizeof(out->error), "企业微信未送达：invaliduser「%.80s」"
				         " unlicenseduser「%.80s」", out->invaliduser, out->unlicenseduser);
			break;
		}
		if ((ec == 40014 || ec == 42001) && refreshed == 0) {
			refreshed = 1;      /* the token went stale: fetch a new one, once */
			continue;
		}
		if (ec == -1)
			continue;           /* busy */
		rc = ec == 81013 || ec == 40035 || ec == 44004 || ec == 45002 ? CAMP_EINVAL : CAMP_EPROVIDER;
		break;
	}
	free(body);
	return rc;
}

/* 1 when userid is one of the '|'-separated ids of list. */
static int listed(const char *list, const char *userid)
{
	size_t n = strlen(userid);
	for (const char *p = list; n > 0 && *p;) {
		size_t k = strcspn(p, "|");
		if (k == n && strncmp(p, userid, n) == 0)
			return 1;
		p += k;
		if (*p == '|')
			p++;
	}
	return 0;
}

const char *wecom_refused(const struct wecom_result *r, const char *userid)
{
	if (userid == NULL)
		return NULL;
	if (listed(r->invaliduser, userid))
		return "invaliduser";
	if (listed(r->unlicenseduser, userid))
		return "unlicenseduser";
	return NULL;
}

/* msgtype "text" (≤ 2048 bytes) or "markdown" (≤ 4096 bytes) */
static int robot_post(const char *base_url, const char *key, const char *type, const char *content,
                      struct wecom_result *out)
{
	memset(out, 0, sizeof(*out));
	struct json_object *b = json_object_new_object(), *t = json_object_new_object();
	json_object_object_add(b, "msgtype", json_object_new_string(type));
	json_object_object_add(t, "content", json_object_new_string(content));
	json_object_object_add(b, type, t);
	char ek[300], url[800];
	qesc(ek, sizeof(ek), key);
	snprintf(url, sizeof(url), "%s/cgi-bin/webhook/send?key=%s", base_url, ek);
	struct json_object *o = call("POST", url, json_object_to_json_string_ext(b, JSON_C_TO_STRING_PLAIN), out);
	json_object_put(b);
	if (o == NULL)
		return CAMP_EPROVIDER;
	int ec = errcode_of(o, out);
	json_object_put(o);
	if (ec == 0)
		return CAMP_OK;
	if (ec == 45009)
		return CAMP_EBUSY;
	return ec == 93000 || ec == 40008 || ec == 45002 ? CAMP_EINVAL : CAMP_EPROVIDER;
}

int wecom_robot_send(const char *base_url, const char *key, const char *content,
                     struct wecom_result *out)
{
	return robot_post(base_url, key, "text", content, out);
}

int wecom_robot_markdown(const char *base_url, const char *key, const char *content,
                         struct wecom_result *out)
{
	return robot_post(base_url, key, "markdown", content, out);
}

static long long get_ll(struct json_object *o, const char *key)
{
	struct json_object *v;
	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : -1;
}

void wecom_bill_from_json(struct json_object *e, struct wecom_bill *w)
{
	struct json_object *pi, *bt;
	memset(w, 0, sizeof(*w));
	copy_str(w->transaction_id, sizeof(w->transaction_id), e, "transaction_id");
	copy_str(w->out_trade_no, sizeof(w->out_trade_no), e, "out_trade_no");
	copy_str(w->payee_userid, sizeof(w->payee_userid), e, "payee_userid");
	copy_str(w->remark, sizeof(w->remark), e, "remark");
	if (json_object_object_get_ex(e, "payer_info", &pi) ||
	    json_object_object_get_ex(e, "contact_info", &pi))
		copy_str(w->payer_name, sizeof(w->payer_name), pi, "name");
	w->total_fee = get_ll(e, "total_fee");
	w->pay_time = get_ll(e, "pay_time");
	/* items of the older revision have no bill_type: payments */
	w->bill_type = json_object_object_get_ex(e, "bill_type", &bt) &&
	               !json_object_is_type(bt, json_type_null) ? json_object_get_int(bt) : 0;
	w->trade_state = (int)get_ll(e, "trade_state");
	w->total_refund_fee = get_ll(e, "total_refund_fee");
	if (w->total_refund_fee < 0)
		w->total_refund_fee = 0;
}

int wecom_bill_list(const struct wecom_cfg *cfg, long long begin, long long end,
                    const char *payee, const char *cursor, struct wecom_bill *bills,
                    size_t max, size_t *n, char *next_cursor, struct wecom_result *out)
{
	memset(out, 0, sizeof(*out));
	*n = 0;
	next_cursor[0] = '\0';
	struct json_object *b = json_object_new_object();
	json_object_object_add(b, "begin_time", json_object_new_int64(begin));
	json_object_object_add(b, "end_time", json_object_new_int64(end));
	if (payee && *payee)
		json_object_object_add(b, "payee_userid", json_object_new_string(payee));
	if (cursor && *cursor)
		json_object_object_add(b, "cursor", json_object_new_string(cursor));
	json_object_object_add(b, "limit", json_object_new_int((int)(max < 1000 ? max : 1000)));
	char *body = strdup(json_object_to_json_string_ext(b, JSON_C_TO_STRING_PLAIN));
	json_object_put(b);
	if (body == NULL)
		return CAMP_ERR;
	int rc = CAMP_EPROVIDER;
	struct json_object *o = NULL;
	for (int refreshed = 0; refreshed < 2; refreshed++) {
		char tok[600], et[700], url[1000];
		if (get_token(cfg, refreshed, tok, sizeof(tok), out) != CAMP_OK)
			break;
		qesc(et, sizeof(et), tok);
		snprintf(url, sizeof(url), "%s/cgi-bin/externalpay/get_bill_list?access_token=%s",
		         cfg->base_url, et);
		o = call("POST", url, body, out);
		if (o == NULL)
			break;
		int ec = errcode_of(o, out);
		if (ec == 0) {
			rc = CAMP_OK;
			break;
		}
		json_object_put(o);
		o = NULL;
		if (ec == 48002) {
			rc = CAMP_EINVAL;       /* the app may not read bills: configuration */
			break;
		}
		if (ec != 40014 && ec != 42001)
			break;
	}
	free(body);
	if (rc != CAMP_OK)
		return rc;
	struct json_object *list, *nc;
	if (json_object_object_get_ex(o, "next_cursor", &nc) && json_object_is_type(nc, json_type_string))
		snprintf(next_cursor, 64, "%s", json_object_get_string(nc));
	if (json_object_object_get_ex(o, "bill_list", &list) && json_object_is_type(list, json_type_array)) {
		size_t len = json_object_array_length(list);
		for (size_t i = 0; i < len && *n < max; i++)
			wecom_bill_from_json(json_object_array_get_idx(list, i), &bills[(*n)++]);
	}
	json_object_put(o);
	return CAMP_OK;
}

int wecom_check(const struct wecom_cfg *cfg, struct wecom_result *out)
{
	char tok[600];
	memset(out, 0, sizeof(*out));
	return get_token(cfg, 1, tok, sizeof(tok), out);
}
