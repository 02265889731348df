/* sim_zsxq.c: the ZSXQ app API as the real one answers (PROTOCOLS §4): projects, statistics, leaderboard, topics. */
#include "sim.h"
#include "camp.h"
#include "crypto.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RANKING_PAGE 21
#define DAY_MS 86400000LL
#define SHANGHAI_MS (8 * 3600000LL)
#define TOKEN_LIFE_S 2592000L           /* a fresh token: 30 days */
#define NO_EXPIRY ""                    /* expiration_time of a long_period project */

/* A refusal in the real envelope: text in `info`, resp_data {}, usually HTTP 200. */
static void fail(struct sim_ctx *c, int http, int code, const char *info)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "succeeded", json_object_new_boolean(0));
	json_object_object_add(o, "code", json_object_new_int(code));
	json_object_object_add(o, "info", json_object_new_string(info));
	json_object_object_add(o, "resp_data", json_object_new_object());
	sim_json_reply(c, http, o);
}

static void ok(struct sim_ctx *c, const char *key, struct json_object *v)
{
	struct json_object *o = json_object_new_object(), *d = json_object_new_object();
	json_object_object_add(d, key, v);
	json_object_object_add(o, "succeeded", json_object_new_boolean(1));
	json_object_object_add(o, "resp_data", d);
	sim_json_reply(c, 200, o);
}

/* ---- the token ----------------------------------------------------------- */

static time_t token_expires(void)
{
	if (sim.zsxq_token_expires == 0)
		sim.zsxq_token_expires = time(NULL) + TOKEN_LIFE_S;
	return sim.zsxq_token_expires;
}

static int token_matches(struct sim_ctx *c)
{
	const char *ck = req_cookie(c->r, "zsxq_access_token");
	const char *hd = c->authorization;
	return (ck && !strcmp(ck, sim.k.zsxq_token)) || (hd && !strcmp(hd, sim.k.zsxq_token));
}

void sim_zsxq_expire_header(struct sim_ctx *c, enum sim_fault f)
{
	if (f == FAULT_EXPIRED_COOKIE || f == FAULT_EXPIRED_COOKIE_200)
		return;
	long left = (long)(token_expires() - time(NULL));
	resp_header(c->w, "x-expire-in", arena_printf(c->r->a, "%ld", left > 0 ? left : 0));
}

/* ---- projects and their indexes ------------------------------------------ */

static struct sim_project *project_find(long long id)
{
	for (size_t i = 0; i < sim.projects.n; i++)
		if (sim.projects.v[i].checkin_id == id)
			return &sim.projects.v[i];
	return NULL;
}

static struct sim_project *project_new(long long id, const char *title, const char *text,
                                       int days, const char *expiration, int long_period)
{
	struct sim_project *p = SIM_PUSH(&sim.projects);
	if (id == 0) {
		char d[11];
		sim_digits(d + 1, 9);
		d[0] = '8';
		id = strtoll(d, NULL, 10);
	}
	p->checkin_id = id;
	p->title = sim_strdup(title);
	p->text = sim_strdup(text);
	p->checkin_days = days;
	snprintf(p->status, sizeof(p->status), "ongoing");
	p->created = time(NULL);
	p->long_period = long_period;
	p->expiration = sim_strdup(long_period ? NO_EXPIRY : expiration);
	p->tix_sorted = 1;
	return p;
}

/* An unknown project named by the control API is created in the group on the fly. */
static struct sim_project *project_get(long long id)
{
	struct sim_project *p = project_find(id);
	return p ? p : project_new(id, "训练营打卡", "", 21, "2099-12-31T23:59:59.000+0800", 0);
}

void sim_zsxq_reset(void)
{
	for (size_t i = 0; i < sim.projects.n; i++) {
		struct sim_project *p = &sim.projects.v[i];
		free(p->title);
		free(p->text);
		free(p->expiration);
		free(p->tix.v);
		free(p->joined.v);
		free(p->ranks);
	}
	sim.zsxq_token_expires = 0;
}

static int64_t day_of(int64_t ms)
{
	return (ms + SHANGHAI_MS) / DAY_MS;
}

static int tix_cmp(const void *a, const void *b)
{
	const struct sim_topic *x = &sim.topics.v[*(const size_t *)a];
	const struct sim_topic *y = &sim.topics.v[*(const size_t *)b];
	if (x->ms != y->ms)
		return x->ms < y->ms ? -1 : 1;
	return x->topic_id < y->topic_id ? -1 : x->topic_id > y->topic_id;
}

/* The project's topics oldest first (sorted once after posts arrived out of order). */
static void project_sort(struct sim_project *p)
{
	if (!p->tix_sorted)
		qsort(p->tix.v, p->tix.n, sizeof(size_t), tix_cmp);
	p->tix_sorted = 1;
}

/* Index of the first topic (oldest first) with create_time > ms. */
static size_t upper_bound(const struct sim_project *p, int64_t ms)
{
	size_t lo = 0, hi = p->tix.n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (sim.topics.v[p->tix.v[mid]].ms <= ms)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct post { long long user_id; int64_t day, ms; size_t ix; };

static int post_cmp(const void *a, const void *b)
{
	const struct post *x = a, *y = b;
	if (x->user_id != y->user_id)
		return x->user_id < y->user_id ? -1 : 1;
	if (x->day != y->day)
		return x->day < y->day ? -1 : 1;
	return x->ms < y->ms ? -1 : x->ms > y->ms;
}

static int rank_cmp(const void *a, const void *b)
{
	const struct sim_rank *x = a, *y = b;
	if (x->days != y->days)
		return y->days - x->days;
	if (x->first_ms != y->first_ms)
		return x->first_ms < y->first_ms ? -1 : 1;
	return x->user_id < y->user_id ? -1 : x->user_id > y->user_id;
}

/* The leaderboard: distinct Asia/Shanghai days per user, in O(n log n) over the project's
 * posts, cached until the next post. */
static const struct sim_rank *ranking(struct sim_project *p, size_t *n)
{
	if (p->ranks != NULL && p->ranks_at == p->tix.n) {
		*n = p->nranks;
		return p->ranks;
	}
	free(p->ranks);
	size_t t = p->tix.n;
	struct post *v = calloc(t + 1, sizeof(*v));
	struct sim_rank *r = calloc(t + 1, sizeof(*r));
	if (v == NULL || r == NULL)
		abort();
	for (size_t i = 0; i < t; i++) {
		const struct sim_topic *tp = &sim.topics.v[p->tix.v[i]];
		v[i] = (struct post){ tp->user_id, day_of(tp->ms), tp->ms, p->tix.v[i] };
	}
	qsort(v, t, sizeof(*v), post_cmp);
	size_t k = 0;
	for (size_t i = 0; i < t; i++) {
		int first = i == 0 || v[i].user_id != v[i - 1].user_id;
		if (first)    /* a user's posts come oldest first: the first is the earliest */
			r[k++] = (struct sim_rank){ v[i].user_id, NULL, 0, v[i].ms };
		struct sim_rank *u = &r[k - 1];
		u->days += first || v[i].day != v[i - 1].day;
		u->name = sim.topics.v[v[i].ix].name;   /* a user's name now: the latest post's */
	}
	free(v);
	qsort(r, k, sizeof(*r), rank_cmp);
	p->ranks = r;
	p->nranks = k;
	p->ranks_at = t;
	*n = k;
	return r;
}

static int ll_cmp(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return x < y ? -1 : x > y;
}

/* Users with a post in [from, to): distinct, counted by sorting the slice. */
static int posters_between(struct sim_project *p, int64_t from, int64_t to)
{
	project_sort(p);
	size_t a = upper_bound(p, from - 1), b = upper_bound(p, to - 1);
	if (b <= a)
		return 0;
	long long *u = calloc(b - a, sizeof(*u));
	if (u == NULL)
		abort();
	for (size_t i = a; i < b; i++)
		u[i - a] = sim.topics.v[p->tix.v[i]].user_id;
	qsort(u, b - a, sizeof(*u), ll_cmp);
	int n = 0;
	for (size_t i = a; i < b; i++)
		n += i == a || u[i - a] != u[i - a - 1];
	free(u);
	return n;
}

static struct json_object *statistics(struct sim_project *p, int today_key)
{
	size_t n;
	const struct sim_rank *r = ranking(p, &n);
	int completed = 0;
	for (size_t i = 0; i < n; i++)
		completed += r[i].days >= p->checkin_days;
	/* members who joined without a post count as joined, absent from the leaderboard */
	long long *ids = calloc(n + 1, sizeof(*ids));
	if (ids == NULL)
		abort();
	for (size_t i = 0; i < n; i++)
		ids[i] = r[i].user_id;
	qsort(ids, n, sizeof(*ids), ll_cmp);
	size_t joined = n;
	for (size_t i = 0; i < p->joined.n; i++)
		joined += bsearch(&p->joined.v[i], ids, n, sizeof(*ids), ll_cmp) == NULL;
	free(ids);
	int64_t today = day_of((int64_t)time(NULL) * 1000) * DAY_MS - SHANGHAI_MS;
	struct json_object *s = json_object_new_object();
	json_object_object_add(s, "joined_count", json_object_new_int((int)joined));
	json_object_object_add(s, "completed_count", json_object_new_int(completed));
	json_object_object_add(s, today_key ? "today_checkined_count" : "checkined_count",
	                       json_object_new_int(posters_between(p, today, today + DAY_MS)));
	return s;
}

static struct json_object *project_json(struct sim_project *p)
{
	char ct[40];
	sim_fmt_zsxq((int64_t)p->created * 1000, ct, sizeof(ct));
	struct json_object *o = json_object_new_object(), *v = json_object_new_object();
	json_object_object_add(o, "checkin_id", json_object_new_int64(p->checkin_id));
	json_object_object_add(o, "title", json_object_new_string(p->title));
	json_object_object_add(o, "text", json_object_new_string(p->text));
	json_object_object_add(o, "checkin_days", json_object_new_int(p->checkin_days));
	json_object_object_add(o, "type", json_object_new_string("accumulated"));
	json_object_object_add(o, "status", json_object_new_string(p->status));
	json_object_object_add(v, "long_period", json_object_new_boolean(p->long_period));
	json_object_object_add(v, "expiration_time", json_object_new_string(p->expiration));
	json_object_object_add(o, "validity", v);
	json_object_object_add(o, "create_time", json_object_new_string(ct));
	json_object_object_add(o, "statistics", statistics(p, 1));
	json_object_object_add(o, "min_words_count", json_object_new_int(0));
	return o;
}

/* alias is usually "" on real answers */
static struct json_object *user_json(long long id, const char *name)
{
	struct json_object *u = json_object_new_object();
	json_object_object_add(u, "user_id", json_object_new_int64(id));
	json_object_object_add(u, "name", json_object_new_string(name));
	json_object_object_add(u, "alias", json_object_new_string(""));
	json_object_object_add(u, "avatar_url", json_object_new_string(
	                           "https://images.zsxq.com/sim-avatar.png"));
	return u;
}

static void ranking_list(struct sim_ctx *c, struct sim_project *p)
{
	const char *type = req_param(c->r, "type"), *idx = req_param(c->r, "index");
	long long index = 0;
	if (type == NULL || !*type) {
		fail(c, 200, 1004, "缺少参数 type");
		return;
	}
	if (idx != NULL && parse_i64(idx, 0, 1LL << 40, &index) != CAMP_OK) {
		fail(c, 200, 1004, "参数 index 无效");
		return;
	}
	size_t n;
	const struct sim_rank *r = ranking(p, &n);
	struct json_object *arr = json_object_new_array();
	/* no cursor: the next page starts after the last item's `rankings` */
	for (size_t i = (size_t)index; i < n && i < (size_t)index + RANKING_PAGE; i++) {
		struct json_object *it = json_object_new_object();
		json_object_object_add(it, "user", user_json(r[i].user_id, r[i].name));
		json_object_object_add(it, "rankings", json_object_new_int((int)i + 1));
		json_object_object_add(it, "checkined_days", json_object_new_int(r[i].days));
		json_object_array_add(arr, it);
	}
	ok(c, "ranking_list", arr);
}

static struct json_object *topic_json(const struct sim_topic *t)
{
	char ct[40], uid[24];
	sim_fmt_zsxq(t->ms, ct, sizeof(ct));
	snprintf(uid, sizeof(uid), "%lld", t->topic_id);
	struct json_object *o = json_object_new_object(), *talk = json_object_new_object(),
	                   *ck = json_object_new_object();
	/* 17 digits, above 2^53: a JSON number a double cannot hold, and the same as text */
	json_object_object_add(o, "topic_id", json_object_new_int64(t->topic_id));
	json_object_object_add(o, "topic_uid", json_object_new_string(uid));
	json_object_object_add(o, "create_time", json_object_new_string(ct));
	json_object_object_add(talk, "owner", user_json(t->user_id, t->name));
	json_object_object_add(talk, "text", json_object_new_string(t->text));
	json_object_object_add(o, "talk", talk);
	json_object_object_add(ck, "checkin_id", json_object_new_int64(t->checkin_id));
	json_object_object_add(o, "checkin", ck);
	return o;
}

/* Newest first; end_time is inclusive: the post at end_time comes again on the next page. */
static void topics(struct sim_ctx *c, struct sim_project *p)
{
	const char *cs = req_param(c->r, "count"), *et = req_param(c->r, "end_time");
	long long count = 20;
	int64_t end = INT64_MAX;
	if ((cs && parse_i64(cs, 1, 100, &count) != CAMP_OK) ||
	    (et && sim_parse_zsxq(et, &end) != CAMP_OK)) {
		fail(c, 200, 1004, "参数无效");
		return;
	}
	project_sort(p);
	size_t hi = end == INT64_MAX ? p->tix.n : upper_bound(p, end);
	struct json_object *arr = json_object_new_array();
	for (size_t k = 0; k < (size_t)count && k < hi; k++)
		json_object_array_add(arr, topic_json(&sim.topics.v[p->tix.v[hi - 1 - k]]));
	ok(c, "topics", arr);
}

static int validity(struct json_object *rd, const char **exp, int *long_period, int64_t *ms)
{
	struct json_object *val, *lp;
	*exp = NULL;
	*long_period = 0;
	if (!json_object_object_get_ex(rd, "validity", &val))
		return CAMP_OK;
	*long_period = json_object_object_get_ex(val, "long_period", &lp) && json_object_get_boolean(lp);
	*exp = sim_jstr(val, "expiration_time");
	if (*long_period || *exp == NULL || **exp == '\0')
		return CAMP_OK;
	return sim_parse_zsxq(*exp, ms);
}

static void project_create(struct sim_ctx *c)
{
	struct json_object *o = sim_body_json(c), *rd;
	if (o == NULL || !json_object_object_get_ex(o, "req_data", &rd)) {
		fail(c, 200, 1004, "缺少参数 req_data");
		return;
	}
	const char *title = sim_jstr(rd, "title"), *text = sim_jstr(rd, "text");
	const char *type = sim_jstr(rd, "type"), *exp;
	int64_t days = 0, ms;
	int lp;
	if (type == NULL) {
		fail(c, 200, 1004, "缺少参数 type");
		return;
	}
	if (title == NULL || !*title || sim_jint(rd, "checkin_days", &days) || days < 1 ||
	    days > 365 || validity(rd, &exp, &lp, &ms) != CAMP_OK) {
		fail(c, 200, 1004, "参数无效");
		return;
	}
	struct sim_project *p = project_new(0, title, text ? text : "", (int)days,
	                                    exp && *exp ? exp : "2099-12-31T23:59:59.000+0800", lp);
	ok(c, "checkin", project_json(p));
}

static void projects(struct sim_ctx *c)
{
	const char *scope = req_param(c->r, "scope");
	if (scope == NULL) {
		fail(c, 200, 1004, "缺少参数 scope");
		return;
	}
	struct json_object *arr = json_object_new_array();
	for (size_t i = 0; i < sim.projects.n; i++)
		if (!strcmp(sim.projects.v[i].status, scope))
			json_object_array_add(arr, project_json(&sim.projects.v[i]));
	ok(c, "checkins", arr);
}

void sim_zsxq_handle(struct sim_ctx *c)
{
	char gid[32], rest[96];
	long long cid = 0;
	if (!token_matches(c)) {
		fail(c, 401, 401, "");
		return;
	}
	if (time(NULL) >= token_expires()) {       /* a token past its life: the body says so */
		fail(c, 200, 401, "");
		return;
	}
	sim_zsxq_expire_header(c, FAULT_OK);
	const char *p = c->r->path;
	if (sscanf(p, "/v2/groups/%31[0-9]/checkins%95s", gid, rest) < 1) {
		fail(c, 404, 404, "");
		return;
	}
	if (strcmp(gid, sim.k.group_id) != 0) {
		fail(c, 200, 52010, "你不是该星球成员");
		return;
	}
	if (sscanf(p, "/v2/groups/%*[0-9]/checkins%95s", rest) != 1) {
		if (c->r->method == M_POST)
			project_create(c);
		else
			projects(c);
		return;
	}
	char tail[40] = "";
	if (sscanf(rest, "/%lld%39s", &cid, tail) < 1) {
		fail(c, 404, 404, "");
		return;
	}
	struct sim_project *pr = project_find(cid);
	if (pr == NULL)
		fail(c, 200, 1004, "打卡项目不存在");   /* code unconfirmed; not 1059, which means anti-bot */
	else if (!tail[0])
		ok(c, "checkin", project_json(pr));
	else if (!strcmp(tail, "/statistics"))
		ok(c, "statistics", statistics(pr, 0));
	else if (!strcmp(tail, "/ranking_list"))
		ranking_list(c, pr);
	else if (!strcmp(tail, "/topics"))
		topics(c, pr);
	else
		fail(c, 404, 404, "");
}

/* ---- control API ---------------------------------------------------------- */

static void bad(struct sim_ctx *c, const char *why)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "error", json_object_new_string(why));
	sim_json_reply(c, 400, o);
}

/* ZSXQ ids: 10 to 16 digits in real groups, 17 for topics. */
#define MAX_ID 99999999999999999LL

/* The user's post at exactly ms, if there is one. */
static const struct sim_topic *find_post(struct sim_project *p, long long uid, int64_t ms)
{
	project_sort(p);
	for (size_t i = upper_bound(p, ms); i-- > 0 && sim.topics.v[p->tix.v[i]].ms == ms;)
		if (sim.topics.v[p->tix.v[i]].user_id == uid)
			return &sim.topics.v[p->tix.v[i]];
	return NULL;
}

/* One post: by date (a distinct time that day), at an explicit time, or now.  A post at an
 * explicit time that the same user already made (and not from the form) is that post: its
 * topic_id.  0 when the fields are not valid. */
static int64_t add_post(int64_t cid, int64_t uid, const char *name, const char *date,
                        const char *tm, int form)
{
	int64_t ms = 0;
	time_t t = 0;
	if (date && *date) {
		char buf[40];
		snprintf(buf, sizeof(buf), "%.10sT12:00:00+08:00", date);
		if (strlen(date) != 10 || sim_parse_rfc3339(buf, &t) != CAMP_OK)
			cid = 0;
		/* distinct, ordered times within the day */
		ms = (int64_t)t * 1000 + (sim.seq++ % 36000) * 1000;
	} else if (tm && *tm && sim_parse_rfc3339(tm, &t) == CAMP_OK) {
		ms = (int64_t)t * 1000;
		if (sim_parse_zsxq(tm, &ms) != CAMP_OK)   /* keep milliseconds when given */
			ms = (int64_t)t * 1000;
	} else {
		ms = (int64_t)time(NULL) * 1000;
		if (tm && *tm)
			cid = 0;
	}
	if (cid <= 0 || uid <= 0)
		return 0;
	struct sim_project *p = project_get(cid);
	const struct sim_topic *same = tm && *tm && !(date && *date) ? find_post(p, uid, ms) : NULL;
	if (same != NULL && !form)        /* the same post again (a replayed demo world): one topic */
		return same->topic_id;
	struct sim_topic *tp = SIM_PUSH(&sim.topics);
	char d[18];
	sim_digits(d + 1, 16);
	d[0] = (char)('1' + sim.seq++ % 9);
	tp->topic_id = strtoll(d, NULL, 10);
	tp->checkin_id = cid;
	tp->user_id = uid;
	tp->name = sim_strdup(name ? name : "星球用户");
	tp->text = sim_strdup("今日打卡");
	tp->ms = ms;
	size_t ix = sim.topics.n - 1;
	if (p->tix.n > 0 && tix_cmp(&p->tix.v[p->tix.n - 1], &ix) > 0)
		p->tix_sorted = 0;
	*SIM_PUSH(&p->tix) = ix;
	return tp->topic_id;
}

/* A post of a JSON body: 0 when its fields are not valid. */
static int64_t add_json_post(struct json_object *o)
{
	int64_t cid = 0, uid = 0;
	sim_jint(o, "checkin_id", &cid);
	sim_jint(o, "user_id", &uid);
	return add_post(cid, uid, sim_jstr(o, "name"), sim_jstr(o, "date"), sim_jstr(o, "time"), 0);
}

/* POST /sim/zsxq/checkins: a member checks in (JSON, or the UI's form).  A JSON name
 * is kept as sent, blank included; only a missing one becomes "星球用户".  A post at an
 * explicit time that the same user already made is that post (its topic_id again).
 * {"checkins": [post, …]} adds many at once (bench/sync's worlds): {"topic_ids": […]}. */
void sim_zsxq_add_checkin(struct sim_ctx *c)
{
	struct json_object *o = sim_body_json(c), *list;
	if (o == NULL) {
		long long x;
		const char *a = req_form(c->r, "checkin_id"), *b = req_form(c->r, "user_id");
		int64_t cid = a && parse_i64(a, 1, MAX_ID, &x) == CAMP_OK ? x : 0;
		int64_t uid = b && parse_i64(b, 1, MAX_ID, &x) == CAMP_OK ? x : 0;
		const char *name = req_form(c->r, "name");
		if (name != NULL && *name == '\0')
			name = NULL;
		if (add_post(cid, uid, name, req_form(c->r, "date"), req_form(c->r, "time"), 1) == 0) {
			bad(c, "checkin_id, user_id and a valid date or time are required");
			return;
		}
		c->w->status = 303;
		resp_header(c->w, "Location", "/sim/");
		return;
	}
	if (json_object_object_get_ex(o, "checkins", &list) && json_object_is_type(list, json_type_array)) {
		struct json_object *ids = json_object_new_array();
		size_t n = json_object_array_length(list);
		for (size_t i = 0; i < n; i++) {
			int64_t id = add_json_post(json_object_array_get_idx(list, i));
			if (id == 0) {
				json_object_put(ids);
				bad(c, "every check-in needs checkin_id, user_id and a valid date or time");
				return;
			}
			json_object_array_add(ids, json_object_new_int64(id));
		}
		struct json_object *r = json_object_new_object();
		json_object_object_add(r, "topic_ids", ids);
		sim_json_reply(c, 200, r);
		return;
	}
	int64_t id = add_json_post(o);
	if (id == 0) {
		bad(c, "checkin_id, user_id and a valid date or time are required");
		return;
	}
	struct json_object *r = json_object_new_object();
	json_object_object_add(r, "topic_id", json_object_new_int64(id));
	sim_json_reply(c, 200, r);
}

/* POST /sim/zsxq/projects: a project with a chosen id (created or updated). */
void sim_zsxq_project(struct sim_ctx *c)
{
	struct json_object *o = sim_body_json(c);
	int64_t cid = 0, days = 21, ms;
	const char *exp;
	int lp;
	if (o == NULL || sim_jint(o, "checkin_id", &cid) != CAMP_OK || cid <= 0 || cid > MAX_ID ||
	    sim_jint(o, "checkin_days", &days) == CAMP_EINVAL || days < 1 || days > 365 ||
	    validity(o, &exp, &lp, &ms) != CAMP_OK) {
		bad(c, "checkin_id (and a valid checkin_days, validity) required");
		return;
	}
	const char *title = sim_jstr(o, "title"), *text = sim_jstr(o, "text");
	const char *status = sim_jstr(o, "status");
	struct sim_project *p = project_get(cid);
	if (title) {
		free(p->title);
		p->title = sim_strdup(title);
	}
	if (text) {
		free(p->text);
		p->text = sim_strdup(text);
	}
	p->checkin_days = (int)days;
	if (status && (!strcmp(status, "ongoing") || !strcmp(status, "over") || !strcmp(status, "closed")))
		snprintf(p->status, sizeof(p->status), "%s", status);
	if (lp || (exp && *exp)) {
		free(p->expiration);
		p->long_period = lp;
		p->expiration = sim_strdup(lp ? NO_EXPIRY : exp);
	}
	struct json_object *r = json_object_new_object();
	json_object_object_add(r, "checkin", project_json(p));
	sim_json_reply(c, 200, r);
}

/* POST /sim/zsxq/joins: a member joins a project without checking in. */
void sim_zsxq_join(struct sim_ctx *c)
{
	struct json_object *o = sim_body_json(c);
	int64_t cid = 0, uid = 0;
	if (o == NULL || sim_jint(o, "checkin_id", &cid) != CAMP_OK || sim_jint(o, "user_id", &uid) != CAMP_OK ||
	    cid <= 0 || uid <= 0 || cid > MAX_ID || uid > MAX_ID) {
		bad(c, "checkin_id and user_id required");
		return;
	}
	struct sim_project *p = project_get(cid);
	long long id = uid;
	if (p->joined.n == 0 || bsearch(&id, p->joined.v, p->joined.n, sizeof(long long), ll_cmp) == NULL) {
		*SIM_PUSH(&p->joined) = id;
		qsort(p->joined.v, p->joined.n, sizeof(long long), ll_cmp);
	}
	struct json_object *r = json_object_new_object();
	json_object_object_add(r, "statistics", statistics(p, 0));
	sim_json_reply(c, 200, r);
}

/* POST /sim/zsxq/token {"expire_in": seconds}: the token's remaining life (≤ 0 = expired). */
void sim_zsxq_token(struct sim_ctx *c)
{
	struct json_object *o = sim_body_json(c);
	int64_t left;
	if (o == NULL || sim_jint(o, "expire_in", &left) != CAMP_OK || left < -TOKEN_LIFE_S * 10 ||
	    left > TOKEN_LIFE_S * 10) {
		bad(c, "expire_in (seconds) required");
		return;
	}
	sim.zsxq_token_expires = time(NULL) + (time_t)left;
	struct json_object *r = json_object_new_object();
	json_object_object_add(r, "expire_in", json_object_new_int64(left));
	sim_json_reply(c, 200, r);
}
