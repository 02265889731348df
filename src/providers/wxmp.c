/* wxmp.c: official-account access token (cached) and template message send. */
#include "wxmp.h"
#include "buf.h"
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

/* one official account per installation: one slot, keyed by appid and secret */
static struct {
	char key[65];
	char token[600];
	time_t expires;
} slot;
static pthread_mutex_t slot_mu = PTHREAD_MUTEX_INITIALIZER;

void wxmp_token_reset(void)
{
	pthread_mutex_lock(&slot_mu);
	memset(&slot, 0, sizeof(slot));
	pthread_mutex_unlock(&slot_mu);
}

static void cfg_key(const struct wxmp_cfg *cfg, char out[65])
{
	struct buf b = BUF_INIT;
	buf_printf(&b, "%s\n%s", cfg->appid, cfg->secret);
	crypto_sha256_hex(b.s, b.len, out);
	buf_free(&b);
}

/* GET or POST url; the parsed answer (caller puts it) or NULL with out filled. */
static struct json_object *call(const char *method, const char *url, const char *body,
                                struct wxmp_result *out)
{
	char why[200];
	struct json_object *o = httpc_json(method, url, body, why, sizeof(why));
	if (o == NULL) {
		out->errcode = -1000;
		snprintf(out->error, sizeof(out->error), "公众号接口无响应（%s）", why);
	}
	return o;
}

/* errcode of an answer (0 when absent: the token answer carries none on success) */
static int errcode_of(struct json_object *o, struct wxmp_result *out)
{
	struct json_object *v;
	out->errcode = json_object_object_get_ex(o, "errcode", &v) ? json_object_get_int(v) : 0;
	const char *msg = json_object_object_get_ex(o, "errmsg", &v) ? json_object_get_string(v) : "";
	snprintf(out->error, sizeof(out->error), "公众号 errcode %d：%.180s", out->errcode, msg);
	return out->errcode;
}

static int get_token(const struct wxmp_cfg *cfg, int force, char *tok, size_t n,
                     struct wxmp_result *out)
{
	char key[65];
	cfg_key(cfg, key);
	time_t now = time(NULL);
	pthread_mutex_lock(&slot_mu);
	int hit = !force && !strcmp(slot.key, key) && slot.expires > now + 60;
	if (hit)
		snprintf(tok, n, "%s", slot.token);
	pthread_mutex_unlock(&slot_mu);
	if (hit)
		return CAMP_OK;
	arena *a = arena_new();
	const char *url = arena_printf(a, "%s/cgi-bin/token?grant_type=client_credential&appid=%s&secret=%s",
	                               cfg->base_url, httpc_urlencode(a, cfg->appid),
	                               httpc_urlencode(a, cfg->secret));
	struct json_object *o = call("GET", url, NULL, out), *v;
	arena_free(a);
	if (o == NULL)
		return CAMP_EPROVIDER;
	int ec = errcode_of(o, out);
	if (ec != 0 || !json_object_object_get_ex(o, "access_token", &v) ||
	    !json_object_is_type(v, json_type_string)) {
		json_object_put(o);
		if (ec == 0) {
			out->errcode = -1000;
			snprintf(out->error, sizeof(out->error), "公众号 access_token 应答缺少 access_token");
		}
		/* a refused appid or secret is configuration, not a passing failure */
		return ec == 40013 || ec == 40125 || ec == 40001 || ec == 40164 ? CAMP_EINVAL : CAMP_EPROVIDER;
	}
	snprintf(tok, n, "%s", json_object_get_string(v));
	long life = json_object_object_get_ex(o, "expires_in", &v) ? json_object_get_int(v) : 7200;
	json_object_put(o);
	pthread_mutex_lock(&slot_mu);
	snprintf(slot.key, sizeof(slot.key), "%s", key);
	snprintf(slot.token, sizeof(slot.token), "%s", tok);
	slot.expires = now + (life > 0 ? life : 7200);
	pthread_mutex_unlock(&slot_mu);
	return CAMP_OK;
}

static char *template_body(const char *openid, const char *template_id, const char *url,
                           const char *data_json)
{
	struct json_object *b = json_object_new_object();
	json_object_object_add(b, "touser", json_object_new_string(openid));
	json_object_object_add(b, "template_id", json_object_new_string(template_id));
	if (url && *url)
		json_object_object_add(b, "url", json_object_new_string(url));
	struct json_object *data = data_json ? json_tokener_parse(data_json) : NULL;
	json_object_object_add(b, "data", data ? data : json_object_new_object());
	char *s = strdup(json_object_to_json_string_ext(b, JSON_C_TO_STRING_PLAIN |
	                                                JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(b);
	return s;
}

int wxmp_template_send(const struct wxmp_cfg *cfg, const char *openid, const char *template_id,
                       const char *url, const char *data_json, struct wxmp_result *out)
{
	memset(out, 0, sizeof(*out));
	char *body = template_body(openid, template_id, url, data_json);
	if (body == NULL)
		return CAMP_ERR;
	int rc = CAMP_EPROVIDER;
	for (int refreshed = 0; refreshed < 2; refreshed++) {
		char tok[600];
		rc = get_token(cfg, refreshed, tok, sizeof(tok), out);
		if (rc != CAMP_OK)
			break;
		arena *a = arena_new();
		const char *u = arena_printf(a, "%s/cgi-bin/message/template/send?access_token=%s",
		                             cfg->base_url, httpc_urlencode(a, tok));
		struct json_object *o = call("POST", u, body, out);
		arena_free(a);
		if (o == NULL) {
			rc = CAMP_EPROVIDER;
			break;
		}
		int ec = errcode_of(o, out);
		json_object_put(o);
		if (ec == 0) {
			rc = CAMP_OK;
			break;
		}
		if ((ec == 40001 || ec == 42001 || ec == 40014) && refreshed == 0) {
			rc = CAMP_EPROVIDER;
			continue;           /* the token went stale: fetch a new one, once */
		}
		rc = ec == WXMP_NOT_FOLLOWING || ec == WXMP_BAD_OPENID || ec == WXMP_BAD_TEMPLATE
		     ? CAMP_EINVAL : ec == WXMP_DAILY_LIMIT ? CAMP_EBUSY : CAMP_EPROVIDER;
		break;
	}
	free(body);
	if (rc != CAMP_OK)
		log_info("wxmp: template %s to %.8s…: %s", template_id, openid, out->error);
	return rc;
}
