/* sim_util.c: camp-sim's small helpers: vectors, times, ids, JSON, faults, the log. */
#include "sim.h"
#include "camp.h"
#include "crypto.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define SIM_LOG_MAX 5000

void *sim_vec_push(void *vec, size_t elem)
{
	struct { char *v; size_t n, cap; } *x = vec;
	if (x->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 16;
		char *nv = realloc(x->v, cap * elem);
		if (nv == NULL)
			abort();
		x->v = nv;
		x->cap = cap;
	}
	char *slot = x->v + x->n * elem;
	memset(slot, 0, elem);
	x->n++;
	return slot;
}

int64_t sim_mono_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

char *sim_strdup(const char *s)
{
	char *p = strdup(s ? s : "");
	if (p == NULL)
		abort();
	return p;
}

/* Asia/Shanghai has no DST: a fixed +08:00 is exact. */
void sim_fmt_rfc3339(time_t t, char *out, size_t n)
{
	time_t l = t + 8 * 3600;
	struct tm tm;
	gmtime_r(&l, &tm);
	strftime(out, n, "%Y-%m-%dT%H:%M:%S+08:00", &tm);
}

void sim_fmt_zsxq(int64_t ms, char *out, size_t n)
{
	time_t l = (time_t)(ms / 1000) + 8 * 3600;
	struct tm tm;
	gmtime_r(&l, &tm);
	char base[24];
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, n, "%s.%03d+0800", base, (int)(ms % 1000));
}

static int parse_fixed(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return CAMP_EINVAL;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return CAMP_OK;
}

/* "YYYY-MM-DDTHH:MM:SS" then a zone; *rest points past the seconds. */
static int parse_datetime(const char *s, time_t *t, const char **rest)
{
	int y, mo, d, h, mi, se;
	if (strlen(s) < 19 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
	    s[16] != ':' || parse_fixed(s, 4, &y) || parse_fixed(s + 5, 2, &mo) ||
	    parse_fixed(s + 8, 2, &d) || parse_fixed(s + 11, 2, &h) ||
	    parse_fixed(s + 14, 2, &mi) || parse_fixed(s + 17, 2, &se))
		return CAMP_EINVAL;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return CAMP_EINVAL;
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
	                 .tm_hour = h, .tm_min = mi, .tm_sec = se };
	*t = timegm(&tm);
	*rest = s + 19;
	return CAMP_OK;
}

/* zone: "Z", "+08:00" (colon) or "+0800" (no colon) */
static int parse_zone(const char *z, int colon, long *off)
{
	if (z[0] == 'Z' && z[1] == '\0') {
		*off = 0;
		return CAMP_OK;
	}
	int h, m;
	if ((z[0] != '+' && z[0] != '-' && z[0] != ' ') || parse_fixed(z + 1, 2, &h))
		return CAMP_EINVAL;
	const char *mp = z + 3;
	if (colon) {
		if (*mp != ':')
			return CAMP_EINVAL;
		mp++;
	}
	if (parse_fixed(mp, 2, &m) || mp[2] != '\0')
		return CAMP_EINVAL;
	*off = (h * 3600L + m * 60L) * (z[0] == '-' ? -1 : 1);
	return CAMP_OK;
}

int sim_parse_rfc3339(const char *s, time_t *out)
{
	time_t t;
	const char *rest;
	long off;
	if (s == NULL || parse_datetime(s, &t, &rest) != CAMP_OK)
		return CAMP_EINVAL;
	if (*rest == '.') {   /* fractional seconds are allowed and ignored */
		rest++;
		while (*rest >= '0' && *rest <= '9')
			rest++;
	}
	if (parse_zone(rest, 1, &off) != CAMP_OK)
		return CAMP_EINVAL;
	*out = t - off;
	return CAMP_OK;
}

/* A '+' sent unencoded in a query arrives as ' ': accepted as '+'. */
int sim_parse_zsxq(const char *s, int64_t *ms)
{
	time_t t;
	const char *rest;
	int frac = 0;
	long off;
	if (s == NULL || parse_datetime(s, &t, &rest) != CAMP_OK)
		return CAMP_EINVAL;
	if (*rest == '.') {
		if (parse_fixed(rest + 1, 3, &frac) != CAMP_OK)
			return CAMP_EINVAL;
		rest += 4;
	}
	if (parse_zone(rest, 0, &off) != CAMP_OK && parse_zone(rest, 1, &off) != CAMP_OK)
		return CAMP_EINVAL;
	*ms = ((int64_t)t - off) * 1000 + frac;
	return CAMP_OK;
}

void sim_digits(char *out, size_t n)
{
	unsigned char r[64];
	if (n > sizeof(r))
		n = sizeof(r);
	crypto_random(r, n);
	for (size_t i = 0; i < n; i++)
		out[i] = (char)('0' + r[i] % 10);
	out[n] = '\0';
}

double sim_uniform(void)
{
	uint32_t r = 0;
	crypto_random(&r, sizeof(r));
	return r / 4294967296.0;
}

void sim_json_reply(struct sim_ctx *c, int status, struct json_object *o)
{
	resp_json(c->w, status, o, c->r->a);
}

static const char *const fault_names[FAULT__MAX] = {
	"ok", "500", "timeout", "expired-cookie", "rate-limit", "signtest",
	"duplicate-callback", "reorder-callbacks", "refund-closed", "refund-abnormal",
	"not-enough",
	/* issue #13 */
	"gzip", "deflate",
	"antibot", "expired-cookie-200", "maintenance",
	"not-following", "invalid-openid", "bad-template",
};

const char *sim_fault_name(enum sim_fault f)
{
	return f < FAULT__MAX ? fault_names[f] : "ok";
}

enum sim_fault sim_fault_take(enum sim_service s)
{
	if (sim.fault[s].mode != FAULT_OK && sim.fault[s].rate > 0)
		return sim_uniform() < sim.fault[s].rate ? sim.fault[s].mode : FAULT_OK;
	if (sim.fault[s].count <= 0 || sim.fault[s].mode == FAULT_OK)
		return FAULT_OK;
	enum sim_fault f = sim.fault[s].mode;
	if (--sim.fault[s].count == 0)
		sim.fault[s].mode = FAULT_OK;
	return f;
}

static const char *const svc_names[SVC__MAX] = {
	"wechatpay", "wxoauth", "wecom", "zsxq", "wxmp", "sim",
};

const char *sim_service_name(enum sim_service s)
{
	return s < SVC__MAX ? svc_names[s] : "sim";
}

/* A body as JSON when it is JSON, else as a string. */
static struct json_object *body_value(const char *p, size_t n)
{
	if (p == NULL || n == 0)
		return NULL;
	if (!utf8_valid(p, n)) {   /* a gzip bill download: the log stays valid JSON */
		char note[48];
		snprintf(note, sizeof(note), "(binary, %zu bytes)", n);
		return json_object_new_string(note);
	}
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o = json_tokener_parse_ex(tok, p, (int)n);
	int ok = json_tokener_get_error(tok) == json_tokener_success &&
	         json_tokener_get_parse_end(tok) == n;
	json_tokener_free(tok);
	if (ok)
		return o;
	json_object_put(o);
	return json_object_new_string_len(p, (int)n);
}

struct json_object *sim_log_add(const char *svc, const char *method, const char *path, int status,
                                const char *req_body, size_t req_len, const char *resp_body,
                                size_t resp_len)
{
	char when[32];
	sim_fmt_rfc3339(time(NULL), when, sizeof(when));
	struct json_object *e = json_object_new_object();
	json_object_object_add(e, "time", json_object_new_string(when));
	json_object_object_add(e, "service", json_object_new_string(svc));
	json_object_object_add(e, "method", json_object_new_string(method));
	json_object_object_add(e, "path", json_object_new_string(path));
	json_object_object_add(e, "status", json_object_new_int(status));
	json_object_object_add(e, "request", body_value(req_body, req_len));
	json_object_object_add(e, "response", body_value(resp_body, resp_len));
	if (json_object_array_length(sim.log) >= SIM_LOG_MAX)
		json_object_array_del_idx(sim.log, 0, 1);
	json_object_array_add(sim.log, e);
	return e;
}

struct json_object *sim_body_json(struct sim_ctx *c)
{
	if (c->r->json != NULL)
		return c->r->json;
	struct json_object *o = NULL;
	if (c->r->body_len > 0 &&
	    parse_json_object(c->r->a, (const char *)c->r->body, c->r->body_len, &o) == CAMP_OK)
		c->r->json = o;
	return c->r->json;
}

const char *sim_jstr(struct json_object *o, const char *key)
{
	struct json_object *v;
	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* An integer, also from a string of digits (ids arrive both ways). */
int sim_jint(struct json_object *o, const char *key, int64_t *out)
{
	struct json_object *v;
	if (o == NULL || !json_object_object_get_ex(o, key, &v))
		return CAMP_ENOTFOUND;
	if (json_object_is_type(v, json_type_int)) {
		*out = json_object_get_int64(v);
		return CAMP_OK;
	}
	long long x;
	if (json_object_is_type(v, json_type_string) &&
	    parse_i64(json_object_get_string(v), -(1LL << 62), 1LL << 62, &x) == CAMP_OK) {
		*out = x;
		return CAMP_OK;
	}
	return CAMP_EINVAL;
}

/* gzip (windowBits 31) or zlib-wrapped deflate (15), what HTTP calls them. */
int sim_compress(arena *a, struct resp *w, const char *encoding)
{
	int gzip = !strcmp(encoding, "gzip");
	if (!gzip && strcmp(encoding, "deflate") != 0)
		return CAMP_EINVAL;
	z_stream z;
	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, gzip ? 31 : 15, 8,
	                 Z_DEFAULT_STRATEGY) != Z_OK)
		return CAMP_ERR;
	uLong cap = deflateBound(&z, (uLong)w->len) + 32;
	unsigned char *out = arena_alloc(a, cap);
	z.next_in = (Bytef *)(uintptr_t)w->body;
	z.avail_in = (uInt)w->len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	int rc = deflate(&z, Z_FINISH);
	size_t n = z.total_out;
	deflateEnd(&z);
	if (rc != Z_STREAM_END)
		return CAMP_ERR;
	w->body = (const char *)out;
	w->len = n;
	resp_header(w, "Content-Encoding", encoding);
	return CAMP_OK;
}
