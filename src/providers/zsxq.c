/* zsxq.c: ZSXQ app API calls with pacing, retries, expiry detection and the paging rules. */
#include "zsxq.h"
#include "camp.h"
#include "clock.h"
#include "httpc.h"
#include "log.h"

#include <ctype.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ZSXQ_UA "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 " \
	"(KHTML, like Gecko) Chrome/126.0 Safari/537.36"

static long long mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

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
		sleep_ms(z->last_call_ms + z->min_interval_ms - mono_ms());
	z->last_call_ms = mono_ms();
}

static int contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (const char *p = hay; *p; p++)
		if (strncasecmp(p, needle, n) == 0)
			return 1;
	return 0;
}

int zsxq_is_expired(long http_status, const char *error)
{
	if (http_status == 401 || http_status == 403)
		return 1;
	return error != NULL && (contains_ci(error, "login") || contains_ci(error, "token") ||
	                         strstr(error, "登录") != NULL);
}

static void put_json(void *p)
{
	json_object_put(p);
}

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

/* One GET with up to ZSXQ_TRIES tries (transport failures, 5xx, 429); on CAMP_OK *data is resp_data (owned by the arena). */
/* One call with ZSXQ_TRIES tries; body != NULL makes it a JSON POST. */
static int zsxq_call_tries(struct zsxq_client *z, arena *a, const char *path,
                           const char *body, struct json_object **data)
{
	const char *url = arena_printf(a, "%s%s", z->base_url, path);
	const char *headers[] = {
		arena_printf(a, "Cookie: zsxq_access_token=%s", z->token),
		arena_printf(a, "authorization: %s", z->token),
		"User-Agent: " ZSXQ_UA,
		"Accept: application/json",
		body ? "Content-Type: application/json" : NULL,
		NULL,
	};
	long delay = z->backoff_ms > 0 ? z->backoff_ms : 300;
	/* a POST creates something: a lost answer retried could create it twice */
	int tries = body ? 1 : ZSXQ_TRIES;
	for (int attempt = 1; attempt <= tries; attempt++) {
		if (attempt > 1) {
			sleep_ms(delay);
			delay *= 2;
		}
		zsxq_pace(z);
		z->calls++;
		struct httpc_request rq = { .method = body ? "POST" : "GET", .url = url,
		                            .headers = headers, .body = body,
		                            .body_len = body ? strlen(body) : 0, .max_body = 8u << 20 };
		struct httpc_response rs = HTTPC_RESPONSE_INIT;
		int rc = httpc_do(&rq, &rs);
		if (rc != CAMP_OK) {
			snprintf(z->error, sizeof(z->error), "知识星球无响应：%.180s", rs.error);
			httpc_response_free(&rs);
			continue;
		}
		long status = rs.status;
		struct json_object *o = json_tokener_parse(rs.body.s ? rs.body.s : "");
		httpc_response_free(&rs);
		if (o != NULL)
			arena_defer(a, put_json, o);
		struct json_object *v;
		int succeeded = o && json_object_object_get_ex(o, "succeeded", &v) &&
		                json_object_get_boolean(v);
		const char *err = o && json_object_object_get_ex(o, "error", &v) ?
		                  json_object_get_string(v) : NULL;
		if (zsxq_is_expired(status, succeeded ? NULL : err)) {
			snprintf(z->error, sizeof(z->error), "知识星球 Token 已失效（HTTP %ld%s%.160s）",
			         status, err ? "：" : "", err ? err : "");
			return CAMP_EEXPIRED;
		}
		if (status == 200 && succeeded && json_object_object_get_ex(o, "resp_data", data) &&
		    json_object_is_type(*data, json_type_object))
			return CAMP_OK;
		snprintf(z->error, sizeof(z->error), "知识星球调用失败（HTTP %ld%s%.160s）", status,
		         err ? "：" : "", err ? err : "");
		/* a refusal in the envelope (unknown project, not a member) will not change on retry */
		if (status == 200 && o != NULL && !succeeded)
			return CAMP_EPROVIDER;
	}
	log_warn("zsxq: %s failed after %d tries: %s", path, tries, z->error);
	return CAMP_EPROVIDER;
}

/* zsxq_call_tries, with the time it took counted as waiting on ZSXQ. */
static int zsxq_get(struct zsxq_client *z, arena *a, const char *path, struct json_object **data)
{
	long long t0 = mono_ms();
	int rc = zsxq_call_tries(z, a, path, NULL, data);
	z->wait_ms += mono_ms() - t0;
	return rc;
}

static const char *jstr(arena *a, struct json_object *o, const char *key)
{
	struct json_object *v;
	if (o == NULL || !json_object_object_get_ex(o, key, &v) || v == NULL)
		return "";
	if (json_object_is_type(v, json_type_int))
		return arena_i64(a, json_object_get_int64(v));
	return arena_strdup(a, json_object_get_string(v));
}

static long long jint(struct json_object *o, const char *key)
{
	struct json_object *v;
	if (o == NULL || !json_object_object_get_ex(o, key, &v))
		return -1;
	return json_object_get_int64(v);
}

static struct json_object *jobj(struct json_object *o, const char *key)
{
	struct json_object *v;
	return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
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

int zsxq_leaderboard(struct zsxq_client *z, arena *a, const char *checkin_id,
                     struct zsxq_rank **out, size_t *n)
{
	struct zsxq_rank *v = NULL;
	size_t cnt = 0, cap = 0;
	long index = 0;
	*out = NULL;
	*n = 0;
	for (int page = 0;; page++) {
		if (page >= ZSXQ_MAX_PAGES) {
			snprintf(z->error, sizeof(z->error), "排行榜超过 %d 页，已停止", ZSXQ_MAX_PAGES);
			return CAMP_ETOOBIG;
		}
		struct json_object *d;
		int rc = zsxq_get(z, a, arena_printf(a, "/v2/groups/%s/checkins/%s/ranking_list"
		                                     "?type=accumulated&index=%ld",
		                                     z->group_id, checkin_id, index), &d);
		if (rc != CAMP_OK)
			return rc;
		struct json_object *list = jobj(d, "ranking_list");
		size_t len = list && json_object_is_type(list, json_type_array) ?
		             json_object_array_length(list) : 0;
		long last = index;
		for (size_t i = 0; i < len; i++) {
			struct json_object *it = json_object_array_get_idx(list, i);
			struct json_object *u = jobj(it, "user");
			v = grow(a, v, cnt, &cap, sizeof(*v));
			struct zsxq_rank *r = &v[cnt];
			r->user_id = jstr(a, u, "user_id");
			r->name = jstr(a, u, "name");
			r->alias = jstr(a, u, "alias");
			r->rankings = (long)jint(it, "rankings");
			r->checkined_days = (int)jint(it, "checkined_days");
			if (r->user_id[0] == '\0')
				continue;
			cnt++;
			if (r->rankings > last)
				last = r->rankings;
		}
		/* no cursor: the next page starts after the last item's rankings */
		if (len < ZSXQ_RANK_PAGE || last <= index)
			break;
		index = last;
	}
	*out = v;
	*n = cnt;
	return CAMP_OK;
}

int zsxq_topics(struct zsxq_client *z, arena *a, const char *checkin_id, time_t since,
                struct zsxq_topic **out, size_t *n)
{
	struct zsxq_topic *v = NULL;
	size_t cnt = 0, cap = 0;
	const char *end_time = NULL;
	*out = NULL;
	*n = 0;
	for (int page = 0;; page++) {
		if (page >= ZSXQ_MAX_PAGES) {
			snprintf(z->error, sizeof(z->error), "打卡主题超过 %d 页，已停止", ZSXQ_MAX_PAGES);
			return CAMP_ETOOBIG;
		}
		const char *path = arena_printf(a, "/v2/groups/%s/checkins/%s/topics?scope=all&count=%d%s%s",
		                                z->group_id, checkin_id, ZSXQ_TOPIC_PAGE,
		                                end_time ? "&end_time=" : "",
		                                end_time ? url_escape(a, end_time) : "");
		struct json_object *d;
		int rc = zsxq_get(z, a, path, &d);
		if (rc != CAMP_OK)
			return rc;
		struct json_object *list = jobj(d, "topics");
		size_t len = list && json_object_is_type(list, json_type_array) ?
		             json_object_array_length(list) : 0;
		int older = 0;
		const char *last_time = NULL;
		for (size_t i = 0; i < len; i++) {
			struct json_object *it = json_object_array_get_idx(list, i);
			struct json_object *owner = jobj(jobj(it, "talk"), "owner");
			const char *ct = jstr(a, it, "create_time");
			time_t t;
			if (clock_parse_rfc3339(ct, &t) != 0) {
				snprintf(z->error, sizeof(z->error), "打卡主题时间无法识别：%.40s", ct);
				return CAMP_EPROVIDER;
			}
			last_time = ct;
			if (since != 0 && t < since) {
				older = 1;
				continue;
			}
			v = grow(a, v, cnt, &cap, sizeof(*v));
			struct zsxq_topic *tp = &v[cnt];
			tp->topic_id = jstr(a, it, "topic_id");
			tp->user_id = jstr(a, owner, "user_id");
			tp->name = jstr(a, owner, "name");
			tp->text = jstr(a, jobj(it, "talk"), "text");
			tp->create_time = ct;
			tp->t = t;
			if (tp->user_id[0] != '\0')
				cnt++;
		}
		if (len < ZSXQ_TOPIC_PAGE || older || last_time == NULL)
			break;
		if (end_time && !strcmp(end_time, last_time)) {
			snprintf(z->error, sizeof(z->error), "打卡主题分页没有前进");
			return CAMP_EPROVIDER;
		}
		end_time = last_time;
	}
	*out = v;
	*n = cnt;
	return CAMP_OK;
}

int zsxq_joined_count(struct zsxq_client *z, arena *a, const char *checkin_id, long *out)
{
	struct json_object *d;
	int rc = zsxq_get(z, a, arena_printf(a, "/v2/groups/%s/checkins/%s/statistics",
	                                     z->group_id, checkin_id), &d);
	if (rc != CAMP_OK)
		return rc;
	*out = (long)jint(jobj(d, "statistics"), "joined_count");
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
	long long t0 = mono_ms();
	int rc = zsxq_call_tries(z, a, arena_printf(a, "/v2/groups/%s/checkins", z->group_id), body, &d);
	z->wait_ms += mono_ms() - t0;
	if (rc != CAMP_OK)
		return rc;
	struct json_object *c = jobj(d, "checkin");
	long long id = jint(c, "checkin_id");
	if (id <= 0) {
		snprintf(z->error, sizeof(z->error), "知识星球没有返回打卡项目ID");
		return CAMP_EPROVIDER;
	}
	*checkin_id = arena_printf(a, "%lld", id);
	return CAMP_OK;
}

int zsxq_check(struct zsxq_client *z, arena *a)
{
	struct json_object *d;
	return zsxq_get(z, a, arena_printf(a, "/v2/groups/%s/checkins?scope=ongoing&count=1",
	                                   z->group_id), &d);
}
