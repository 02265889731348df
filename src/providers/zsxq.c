/* zsxq.c: ZSXQ app API calls with pacing, retries on the real service's refusals, expiry detection and the paging rules. */
#include "zsxq.h"
#include "camp.h"
#include "clock.h"
#include "crypto.h"
#include "httpc.h"
#include "log.h"
#include "text.h"

#include <ctype.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ZSXQ_UA "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 " \
	"(KHTML, like Gecko) Chrome/126.0 Safari/537.36"
#define CODE_EXPIRED 401
#define CODE_ANTIBOT 1059
#define CODE_MAINTENANCE 1050

static void sleep_ms(long long ms)
{
	if (ms <= 0)
		return;
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Calls are spaced by min_interval_ms, counted from the previous call's start. */
static void zsxq_pace(struct zsxq_client *z)
{
	if (z->last_call_ms != 0 && z->min_interval_ms > 0)
		sleep_ms(z->last_call_ms + z->min_interval_ms - clock_mono_ms());
	z->last_call_ms = clock_mono_ms();
}

static int contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (const char *p = hay; *p; p++)
		if (strncasecmp(p, needle, n) == 0)
			return 1;
	return 0;
}

int zsxq_is_expired(long http_status, long code, const char *text)
{
	if (http_status == 401 || http_status == 403 || code == CODE_EXPIRED)
		return 1;
	/* without a code, only the words are left to go by */
	return code == 0 && text != NULL &&
	       (contains_ci(text, "login") || contains_ci(text, "token") || strstr(text, "登录") != NULL);
}

long zsxq_retry_budget(const struct zsxq_client *z)
{
	return (z->retry_base > 0 ? z->retry_base : ZSXQ_RETRY_BASE) + z->ok_calls;
}

/* ---- answers ------------------------------------------------------------- */

static void put_json(void *p)
{
	json_object_put(p);
}

static struct json_object *jobj(struct json_object *o, const char *key)
{
	struct json_object *v;
	return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static const char *jtext(arena *a, struct json_object *o, const char *key)
{
	struct json_object *v = jobj(o, key);
	return v && json_object_is_type(v, json_type_string) ? arena_strdup(a, json_object_get_string(v)) : "";
}

static long long jint(struct json_object *o, const char *key)
{
	struct json_object *v = jobj(o, key);
	if (v == NULL || json_object_is_type(v, json_type_null))
		return -1;
	return json_object_get_int64(v);
}

enum zsxq_verdict zsxq_answer_read(arena *a, long status, const char *body, struct zsxq_answer *out)
{
	memset(out, 0, sizeof(*out));
	out->status = status;
	out->info = out->error = "";
	struct json_object *o = body ? json_tokener_parse(body) : NULL;
	if (o != NULL)
		arena_defer(a, put_json, o);
	if (o != NULL && json_object_is_type(o, json_type_object)) {
		long long code = jint(o, "code");
		out->code = code > 0 ? (long)code : 0;
		out->info = jtext(a, o, "info");
		out->error = jtext(a, o, "error");
	}
	struct json_object *ok = jobj(o, "succeeded"), *data = jobj(o, "resp_data");
	int succeeded = ok && json_object_get_boolean(ok);
	if (zsxq_is_expired(status, out->code, succeeded ? NULL : *out->error ? out->error : out->info))
		return ZSXQ_EXPIRED;
	if (status == 200 && succeeded && data && json_object_is_type(data, json_type_object)) {
		out->data = data;
		return ZSXQ_OK;
	}
	/* a success without resp_data is as unreadable as no JSON at all */
	if (out->code == CODE_ANTIBOT || out->code == CODE_MAINTENANCE || status >= 500 || status == 429 ||
	    o == NULL || !json_object_is_type(o, json_type_object) || succeeded)
		return ZSXQ_TRANSIENT;
	return ZSXQ_REFUSED;
}

const char *zsxq_answer_text(arena *a, const struct zsxq_answer *an)
{
	const char *text = *an->info ? an->info : an->error;
	const char *more = *an->info && *an->error && strcmp(an->info, an->error) != 0 ? an->error : "";
	const char *http = an->status != 200 ? arena_printf(a, "HTTP %ld", an->status) : "";
	if (an->code == 0)
		return arena_printf(a, "%s%s%s%s%s", http, *http && *text ? "，" : "", text,
		                    *more ? "；" : "", more);
	return arena_printf(a, "%s%s%ld%s%s%s%s", http, *http ? "，" : "", an->code, *text ? "：" : "",
	                    text, *more ? "；" : "", more);
}

/* ---- calls ----------------------------------------------------------------- */

/* Percent-encodes everything but unreserved characters (end_time carries '+' and ':'). */
static char *url_escape(arena *a, const char *s)
{
	size_t n = strlen(s);
	char *out = arena_alloc(a, n * 3 + 1), *o = out;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (isalnum(*p) || *p == '-' || *p == '_' || *p == '.' || *p == '~') {
			*o++ = (char)*p;
		} else {
			snprintf(o, 4, "%%%02X", *p);
			o += 3;
		}
	}
	*o = '\0';
	return out;
}

/* The k-th retry's pause: doubling from the base, capped, with jitter (half to all of it)
 * so that several clients refused together do not come back together. */
static long long backoff(const struct zsxq_client *z, int k)
{
	long long d = z->backoff_ms > 0 ? z->backoff_ms
	              : z->min_interval_ms > ZSXQ_BACKOFF_MIN_MS ? z->min_interval_ms : ZSXQ_BACKOFF_MIN_MS;
	for (int i = 1; i < k && d < ZSXQ_BACKOFF_MAX_MS; i++)
		d *= 2;
	if (d > ZSXQ_BACKOFF_MAX_MS)
		d = ZSXQ_BACKOFF_MAX_MS;
	uint32_t r = 0;
	crypto_random(&r, sizeof(r));
	return d / 2 + (long long)(r % (uint32_t)(d / 2 + 1));
}

static void set_error(struct zsxq_client *z, const char *fmt, const char *what)
{
	snprintf(z->error, sizeof(z->error), fmt, what);
}

static int all_digits(const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* The x-expire-in of a successful answer: the token's remaining life. */
static void note_expiry(struct zsxq_client *z, const struct httpc_response *rs)
{
	char v[32], *end;
	if (httpc_header(rs, "x-expire-in", v, sizeof(v)) != CAMP_OK || !all_digits(v))
		return;
	errno = 0;
	long long s = strtoll(v, &end, 10);
	if (errno != 0 || *end != '\0' || s > 100LL * 365 * 86400)
		return;
	z->have_expire = 1;
	z->expire_in = s;
	z->expire_seen = camp_now();
}

/* One try: *verdict and the answer, or ZSXQ_TRANSIENT with no answer at all. */
static enum zsxq_verdict try_once(struct zsxq_client *z, arena *a, const struct httpc_request *rq,
                                  struct zsxq_answer *an, int *answered)
{
	zsxq_pace(z);
	z->calls++;
	struct httpc_response rs = HTTPC_RESPONSE_INIT;
	int rc = httpc_do(rq, &rs);
	*answered = rc == CAMP_OK;
	if (rc != CAMP_OK) {
		memset(an, 0, sizeof(*an));
		an->info = an->error = "";
		set_error(z, "知识星球无响应（%.180s）", rs.error[0] ? rs.error : "超时");
		httpc_response_free(&rs);
		return ZSXQ_TRANSIENT;
	}
	enum zsxq_verdict v = zsxq_answer_read(a, rs.status, rs.body.s, an);
	if (v == ZSXQ_OK)
		note_expiry(z, &rs);
	httpc_response_free(&rs);
	return v;
}

/* One call with up to ZSXQ_TRIES tries while the run's budget lasts; body != NULL
 * makes it a JSON POST, retried only after an explicit refusal (nothing was done). */
static int zsxq_call(struct zsxq_client *z, arena *a, const char *path, const char *body,
                     struct json_object **data)
{
	long long t0 = clock_mono_ms();
	const char *headers[] = {
		arena_printf(a, "Cookie: zsxq_access_token=%s", z->token),
		arena_printf(a, "authorization: %s", z->token),
		"User-Agent: " ZSXQ_UA,
		"Accept: application/json",
		body ? "Content-Type: application/json" : NULL,
		NULL,
	};
	struct httpc_request rq = { .method = body ? "POST" : "GET",
	                            .url = arena_printf(a, "%s%s", z->base_url, path), .headers = headers,
	                            .body = body, .body_len = body ? strlen(body) : 0, .max_body = 8u << 20 };
	z->transient = z->budget_spent = 0;
	z->code = 0;
	z->error[0] = '\0';
	int rc = CAMP_EPROVIDER;
	for (int attempt = 1;; attempt++) {
		struct zsxq_answer an;
		int answered;
		enum zsxq_verdict v = try_once(z, a, &rq, &an, &answered);
		z->code = an.code;
		if (v == ZSXQ_OK) {
			z->ok_calls++;
			*data = an.data;
			rc = CAMP_OK;
			break;
		}
		if (answered)
			set_error(z, v == ZSXQ_EXPIRED ? "知识星球 Token 已失效（%s）" : "知识星球调用失败（%s）",
			          zsxq_answer_text(a, &an));
		if (v == ZSXQ_EXPIRED) {
			rc = CAMP_EEXPIRED;
			break;
		}
		int refused = an.code == CODE_ANTIBOT || an.code == CODE_MAINTENANCE;
		z->transient = v == ZSXQ_TRANSIENT && (body == NULL || refused);
		if (!z->transient || attempt >= ZSXQ_TRIES)
			break;
		if (z->retries >= zsxq_retry_budget(z)) {
			z->budget_spent = 1;
			break;
		}
		z->retries++;
		sleep_ms(backoff(z, attempt));
	}
	if (rc == CAMP_EPROVIDER)
		log_warn("zsxq: %s: %s", path, z->error);
	z->wait_ms += clock_mono_ms() - t0;
	return rc;
}

/* ---- reading pages ------------------------------------------------------------ */

/* An id as decimal text: a JSON integer (64-bit, exact) or a string of digits;
 * "" for anything else (a double would have lost digits). */
static const char *jid(arena *a, struct json_object *o, const char *key)
{
	struct json_object *v = jobj(o, key);
	if (v != NULL && json_object_is_type(v, json_type_int) && json_object_get_int64(v) > 0)
		return arena_printf(a, "%lld", (long long)json_object_get_int64(v));
	if (v != NULL && json_object_is_type(v, json_type_string) && all_digits(json_object_get_string(v)))
		return arena_strdup(a, json_object_get_string(v));
	return "";
}

static const char *jname(arena *a, struct json_object *o, const char *key)
{
	return text_trim(a, jtext(a, o, key));
}

/* Appends to a growing arena array (doubling; old blocks stay on the arena). */
static void *grow(arena *a, void *v, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return v;
	size_t nc = *cap ? *cap * 2 : 64;
	void *nv = arena_alloc(a, nc * size);
	if (n > 0)
		memcpy(nv, v, n * size);
	*cap = nc;
	return nv;
}

static struct json_object *jarray(struct json_object *o, const char *key, size_t *len)
{
	struct json_object *v = jobj(o, key);
	*len = v && json_object_is_type(v, json_type_array) ? json_object_array_length(v) : 0;
	return v;
}

void zsxq_ranks_page(arena *a, struct json_object *data, struct zsxq_ranks *l, size_t *len, long *last)
{
	struct json_object *list = jarray(data, "ranking_list", len);
	for (size_t i = 0; i < *len; i++) {
		struct json_object *it = json_object_array_get_idx(list, i);
		struct json_object *u = jobj(it, "user");
		long rankings = (long)jint(it, "rankings");
		if (rankings > *last)
			*last = rankings;
		const char *uid = jid(a, u, "user_id");
		if (*uid == '\0')
			continue;
		l->v = grow(a, l->v, l->n, &l->cap, sizeof(*l->v));
		struct zsxq_rank *r = &l->v[l->n++];
		r->user_id = uid;
		r->name = jname(a, u, "name");
		r->alias = jname(a, u, "alias");
		r->rankings = rankings;
		long long days = jint(it, "checkined_days");
		r->checkined_days = days > 0 ? (int)days : 0;
	}
}

/* The boundary post of the previous page comes again: posts of the same second
 * sit at the end of the list, so only those are compared. */
static int listed(const struct zsxq_topics *l, const char *topic_id, time_t t)
{
	for (size_t j = l->n; j-- > 0 && l->v[j].t == t;)
		if (!strcmp(l->v[j].topic_id, topic_id))
			return 1;
	return 0;
}

int zsxq_topics_page(arena *a, struct json_object *data, time_t since, struct zsxq_topics *l,
                     size_t *len, int *older, const char **last_time, char *err, size_t errlen)
{
	struct json_object *list = jarray(data, "topics", len);
	*older = 0;
	*last_time = NULL;
	for (size_t i = 0; i < *len; i++) {
		struct json_object *it = json_object_array_get_idx(list, i);
		struct json_object *talk = jobj(it, "talk"), *owner = jobj(talk, "owner");
		const char *ct = jtext(a, it, "create_time");
		time_t t;
		if (clock_parse_rfc3339(ct, &t) != 0) {
			snprintf(err, errlen, "打卡主题时间无法识别：%.40s", ct);
			return CAMP_EPROVIDER;
		}
		*last_time = ct;
		if (since != 0 && t < since) {
			*older = 1;
			continue;
		}
		const char *tid = jid(a, it, "topic_id");
		if (*tid == '\0')
			tid = jid(a, it, "topic_uid");
		const char *uid = jid(a, owner, "user_id");
		if (*uid == '\0')
			continue;
		if (*tid != '\0' && listed(l, tid, t)) {
			l->repeated++;
			continue;
		}
		l->v = grow(a, l->v, l->n, &l->cap, sizeof(*l->v));
		struct zsxq_topic *tp = &l->v[l->n++];
		tp->topic_id = tid;
		tp->user_id = uid;
		tp->name = jname(a, owner, "name");
		tp->text = jtext(a, talk, "text");
		tp->create_time = ct;
		tp->t = t;
	}
	return CAMP_OK;
}

long zsxq_joined_of(struct json_object *data)
{
	return (long)jint(jobj(data, "statistics"), "joined_count");
}

int zsxq_project_read(arena *a, struct json_object *checkin, struct zsxq_project *out)
{
	memset(out, 0, sizeof(*out));
	out->checkin_id = jid(a, checkin, "checkin_id");
	out->title = jtext(a, checkin, "title");
	out->status = jtext(a, checkin, "status");
	long long days = jint(checkin, "checkin_days");
	out->checkin_days = days > 0 ? (int)days : 0;
	out->joined = zsxq_joined_of(checkin);
	struct json_object *val = jobj(checkin, "validity"), *lp = jobj(val, "long_period");
	out->long_period = lp != NULL && json_object_get_boolean(lp);
	const char *exp = jtext(a, val, "expiration_time");
	if (*out->checkin_id == '\0')
		return CAMP_EINVAL;
	/* a long_period project has expiration_time "" */
	if (*exp != '\0' && clock_parse_rfc3339(exp, &out->expires) != 0)
		return CAMP_EINVAL;
	return CAMP_OK;
}

/* ---- listings ------------------------------------------------------------------- */

int zsxq_leaderboard(struct zsxq_client *z, arena *a, const char *checkin_id, struct zsxq_ranks *out)
{
	memset(out, 0, sizeof(*out));
	long index = 0;
	arena *pa = arena_new();     /* each page's answer, dropped once its users are copied out */
	int rc = CAMP_OK;
	for (int page = 0;; page++, arena_reset(pa)) {
		if (page >= ZSXQ_MAX_PAGES) {
			snprintf(z->error, sizeof(z->error), "排行榜超过 %d 页，已停止", ZSXQ_MAX_PAGES);
			rc = CAMP_ETOOBIG;
			break;
		}
		struct json_object *d;
		rc = zsxq_call(z, pa, arena_printf(pa, "/v2/groups/%s/checkins/%s/ranking_list"
		                                   "?type=accumulated&index=%ld",
		                                   z->group_id, checkin_id, index), NULL, &d);
		if (rc != CAMP_OK)
			break;
		size_t len;
		long last = index;
		zsxq_ranks_page(a, d, out, &len, &last);
		/* no cursor: the next page starts after the last item's rankings */
		if (len < ZSXQ_RANK_PAGE || last <= index)
			break;
		index = last;
	}
	arena_free(pa);
	return rc;
}

int zsxq_topics(struct zsxq_client *z, arena *a, const char *checkin_id, time_t since,
                struct zsxq_topics *out)
{
	memset(out, 0, sizeof(*out));
	const char *end_time = NULL;
	/* issue #18: each page's answer (its JSON tree, URL, headers) lives on a scratch arena
	 * dropped once the page's posts are copied out — kept to the job's end, a night of
	 * 10 camps × 1000 pages held every tree and the worker spent a third of its time
	 * having the kernel zero fresh memory for them */
	arena *pa = arena_new();
	int rc = CAMP_OK;
	for (int page = 0;; page++, arena_reset(pa)) {
		if (page >= ZSXQ_MAX_PAGES) {
			snprintf(z->error, sizeof(z->error), "打卡主题超过 %d 页，已停止", ZSXQ_MAX_PAGES);
			rc = CAMP_ETOOBIG;
			break;
		}
		const char *path = arena_printf(pa, "/v2/groups/%s/checkins/%s/topics?scope=all&count=%d%s%s",
		                                z->group_id, checkin_id, ZSXQ_TOPIC_PAGE,
		                                end_time ? "&end_time=" : "",
		                                end_time ? url_escape(pa, end_time) : "");
		struct json_object *d;
		rc = zsxq_call(z, pa, path, NULL, &d);
		if (rc != CAMP_OK)
			break;
		size_t len;
		int older;
		const char *last_time;     /* on a: the posts' times are copied out */
		if (zsxq_topics_page(a, d, since, out, &len, &older, &last_time, z->error,
		                     sizeof(z->error)) != CAMP_OK) {
			z->transient = 0;
			rc = CAMP_EPROVIDER;
			break;
		}
		if (len < ZSXQ_TOPIC_PAGE || older || last_time == NULL)
			break;
		/* the same boundary twice: a whole page of one instant, paging cannot go on */
		if (end_time && !strcmp(end_time, last_time)) {
			snprintf(z->error, sizeof(z->error), "打卡主题分页没有前进（%s）", last_time);
			z->transient = 0;
			rc = CAMP_EPROVIDER;
			break;
		}
		end_time = last_time;
	}
	arena_free(pa);
	return rc;
}

int zsxq_joined_count(struct zsxq_client *z, arena *a, const char *checkin_id, long *out)
{
	struct json_object *d;
	int rc = zsxq_call(z, a, arena_printf(a, "/v2/groups/%s/checkins/%s/statistics",
	                                      z->group_id, checkin_id), NULL, &d);
	if (rc != CAMP_OK)
		return rc;
	*out = zsxq_joined_of(d);
	return CAMP_OK;
}

int zsxq_create_project(struct zsxq_client *z, arena *a, const char *title, const char *text,
                        int checkin_days, const char *expiration_time, const char **checkin_id)
{
	*checkin_id = NULL;
	struct json_object *req = json_object_new_object(), *rd = json_object_new_object();
	struct json_object *validity = json_object_new_object();
	json_object_object_add(rd, "title", json_object_new_string(title));
	json_object_object_add(rd, "text", json_object_new_string(text ? text : ""));
	json_object_object_add(rd, "checkin_days", json_object_new_int(checkin_days));
	json_object_object_add(rd, "type", json_object_new_string("accumulated"));
	json_object_object_add(rd, "show_topics_on_timeline", json_object_new_boolean(0));
	json_object_object_add(validity, "long_period", json_object_new_boolean(0));
	json_object_object_add(validity, "expiration_time", json_object_new_string(expiration_time));
	json_object_object_add(rd, "validity", validity);
	json_object_object_add(req, "req_data", rd);
	const char *body = arena_strdup(a, json_object_to_json_string_ext(req,
	                                JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(req);
	struct json_object *d;
	int rc = zsxq_call(z, a, arena_printf(a, "/v2/groups/%s/checkins", z->group_id), body, &d);
	if (rc != CAMP_OK)
		return rc;
	struct zsxq_project p;
	if (zsxq_project_read(a, jobj(d, "checkin"), &p) != CAMP_OK) {
		snprintf(z->error, sizeof(z->error), "知识星球没有返回打卡项目ID");
		return CAMP_EPROVIDER;
	}
	*checkin_id = p.checkin_id;
	return CAMP_OK;
}

int zsxq_check(struct zsxq_client *z, arena *a, long *ongoing)
{
	struct json_object *d;
	int rc = zsxq_call(z, a, arena_printf(a, "/v2/groups/%s/checkins?scope=ongoing&count=100",
	                                      z->group_id), NULL, &d);
	if (rc != CAMP_OK)
		return rc;
	size_t len;
	struct json_object *list = jarray(d, "checkins", &len);
	long n = 0;
	for (size_t i = 0; i < len; i++) {
		struct zsxq_project p;
		n += zsxq_project_read(a, json_object_array_get_idx(list, i), &p) == CAMP_OK;
	}
	if (ongoing)
		*ongoing = n;
	return CAMP_OK;
}
