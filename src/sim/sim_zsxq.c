/* sim_zsxq.c: the ZSXQ app API: check-in projects, statistics, leaderboard, topics. */
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

static void fail(struct sim_ctx *c, int http, int code, const char *msg)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "succeeded", json_object_new_boolean(0));
	json_object_object_add(o, "code", json_object_new_int(code));
	json_object_object_add(o, "info", json_object_new_string(""));
	json_object_object_add(o, "resp_data", json_object_new_object());
	json_object_object_add(o, "error", json_object_new_string(msg));
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

static int token_ok(struct sim_ctx *c)
{
	const char *ck = req_cookie(c->r, "zsxq_access_token");
	const char *hd = NULL;
	if (c->authorization != NULL)
		hd = c->authorization;
	return (ck && !strcmp(ck, sim.k.zsxq_token)) || (hd && !strcmp(hd, sim.k.zsxq_token));
}

static struct sim_project *project_find(long long id)
{
	for (size_t i = 0; i < sim.projects.n; i++)
		if (sim.projects.v[i].checkin_id == id)
			return &sim.projects.v[i];
	return NULL;
}

static struct sim_project *project_new(long long id, const char *title, const char *text,
                                       int days, const char *expiration)
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
	p->expiration = sim_strdup(expiration);
	return p;
}

static int64_t day_of(int64_t ms)
{
	return (ms + SHANGHAI_MS) / DAY_MS;
}

struct rank { long long user_id; const char *name; int days; int64_t first_ms; };

/* Distinct Asia/Shanghai days per user of one project. */
static size_t ranking(long long cid, struct rank **out)
{
	size_t n = 0;
	struct rank *r = calloc(sim.topics.n + 1, sizeof(*r));
	if (r == NULL)
		abort();
	for (size_t i = 0; i < sim.topics.n; i++) {
		struct sim_topic *t = &sim.topics.v[i];
		if (t->checkin_id != cid)
			continue;
		size_t k;
		for (k = 0; k < n && r[k].user_id != t->user_id; k++)
			;
		if (k == n) {
			r[n].user_id = t->user_id;
			r[n].name = t->name;
			r[n].first_ms = t->ms;
			n++;
		}
		int seen = 0;
		for (size_t j = 0; j < i && !seen; j++)
			seen = sim.topics.v[j].checkin_id == cid && sim.topics.v[j].user_id == t->user_id &&
			       day_of(sim.topics.v[j].ms) == day_of(t->ms);
		if (!seen)
			r[k].days++;
		if (t->ms < r[k].first_ms)
			r[k].first_ms = t->ms;
	}
	*out = r;
	return n;
}

static int rank_cmp(const void *a, const void *b)
{
	const struct rank *x = a, *y = b;
	if (x->days != y->days)
		return y->days - x->days;
	if (x->first_ms != y->first_ms)
		return x->first_ms < y->first_ms ? -1 : 1;
	return x->user_id < y->user_id ? -1 : x->user_id > y->user_id;
}

static struct json_object *statistics(const struct sim_project *p, int today_key)
{
	struct rank *r;
	size_t n = ranking(p->checkin_id, &r);
	int completed = 0, today = 0;
	int64_t now_day = day_of((int64_t)time(NULL) * 1000);
	for (size_t i = 0; i < n; i++) {
		if (r[i].days >= p->checkin_days)
			completed++;
		for (size_t j = 0; j < sim.topics.n; j++)
			if (sim.topics.v[j].checkin_id == p->checkin_id &&
			    sim.topics.v[j].user_id == r[i].user_id && day_of(sim.topics.v[j].ms) == now_day) {
				today++;
				break;
			}
	}
	free(r);
	struct json_object *s = json_object_new_object();
	json_object_object_add(s, "joined_count", json_object_new_int((int)n));
	json_object_object_add(s, "completed_count", json_object_new_int(completed));
	json_object_object_add(s, today_key ? "today_checkined_count" : "checkined_count",
	                       json_object_new_int(today));
	return s;
}

static struct json_object *project_json(const struct sim_project *p)
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
	json_object_object_add(v, "long_period", json_object_new_boolean(0));
	json_object_object_add(v, "expiration_time", json_object_new_string(p->expiration));
	json_object_object_add(o, "validity", v);
	json_object_object_add(o, "create_time", json_object_new_string(ct));
	json_object_object_add(o, "statistics", statistics(p, 1));
	json_object_object_add(o, "min_words_count", json_object_new_int(0));
	return o;
}

static struct json_object *user_json(long long id, const char *name)
{
	struct json_object *u = json_object_new_object();
	json_object_object_add(u, "user_id", json_object_new_int64(id));
	json_object_object_add(u, "name", json_object_new_string(name));
	json_object_object_add(u, "alias", json_object_new_string(name));
	json_object_object_add(u, "avatar_url", json_object_new_string(
	                           "https://images.zsxq.com/sim-avatar.png"));
	return u;
}

static void ranking_list(struct sim_ctx *c, const struct sim_project *p)
{
	const char *type = req_param(c->r, "type"), *idx = req_param(c->r, "index");
	long long index = 0;
	if (type == NULL || !*type) {
		fail(c, 200, 1004, "缺少参数 type");
		return;
	}
	if (idx != NULL && parse_i64(idx, 0, 1LL << 40, &index) != CAMP_OK) {
		fail(c, 200, 1059, "内部错误");
		return;
	}
	struct rank *r;
	size_t n = ranking(p->checkin_id, &r);
	qsort(r, n, sizeof(*r), rank_cmp);
	struct json_object *arr = json_object_new_array();
	/* no cursor: the next page starts after the last item's `rankings` */
	for (size_t i = (size_t)index; i < n && i < (size_t)index + RANKING_PAGE; i++) {
		struct json_object *it = json_object_new_object();
		json_object_object_add(it, "user", user_json(r[i].user_id, r[i].name));
		json_object_object_add(it, "rankings", json_object_new_int((int)i + 1));
		json_object_object_add(it, "checkined_days", json_object_new_int(r[i].days));
		json_object_array_add(arr, it);
	}
	free(r);
	ok(c, "ranking_list", arr);
}

static int topic_cmp(const void *a, const void *b)
{
	const struct sim_topic *x = *(struct sim_topic *const *)a, *y = *(struct sim_topic *const *)b;
	return x->ms < y->ms ? 1 : x->ms > y->ms ? -1 : 0;
}

static void topics(struct sim_ctx *c, const struct sim_project *p)
{
	const char *cs = req_param(c->r, "count"), *et = req_param(c->r, "end_time");
	long long count = 20;
	int64_t end = INT64_MAX;
	if ((cs && parse_i64(cs, 1, 100, &count) != CAMP_OK) ||
	    (et && sim_parse_zsxq(et, &end) != CAMP_OK)) {
		fail(c, 200, 1059, "内部错误");
		return;
	}
	struct sim_topic **v = calloc(sim.topics.n + 1, sizeof(*v));
	if (v == NULL)
		abort();
	size_t n = 0;
	for (size_t i = 0; i < sim.topics.n; i++)
		if (sim.topics.v[i].checkin_id == p->checkin_id && sim.topics.v[i].ms < end)
			v[n++] = &sim.topics.v[i];
	qsort(v, n, sizeof(*v), topic_cmp);
	struct json_object *arr = json_object_new_array();
	for (size_t i = 0; i < n && i < (size_t)count; i++) {
		char ct[40];
		sim_fmt_zsxq(v[i]->ms, ct, sizeof(ct));
		struct json_object *t = json_object_new_object(), *talk = json_object_new_object(),
		                   *ck = json_object_new_object();
		json_object_object_add(t, "topic_id", json_object_new_int64(v[i]->topic_id));
		json_object_object_add(t, "create_time", json_object_new_string(ct));
		json_object_object_add(talk, "owner", user_json(v[i]->user_id, v[i]->name));
		json_object_object_add(talk, "text", json_object_new_string(v[i]->text));
		json_object_object_add(t, "talk", talk);
		json_object_object_add(ck, "checkin_id", json_object_new_int64(p->checkin_id));
		json_object_object_add(t, "checkin", ck);
		json_object_array_add(arr, t);
	}
	free(v);
	ok(c, "topics", arr);
}

static void project_create(struct sim_ctx *c)
{
	struct json_object *o = sim_body_json(c), *rd, *val;
	if (o == NULL || !json_object_object_get_ex(o, "req_data", &rd)) {
		fail(c, 200, 1059, "内部错误");
		return;
	}
	const char *title = sim_jstr(rd, "title"), *text = sim_jstr(rd, "text");
	const char *type = sim_jstr(rd, "type");
	const char *exp = json_object_object_get_ex(rd, "validity", &val) ?
	                  sim_jstr(val, "expiration_time") : NULL;
	int64_t days = 0, ms;
	if (type == NULL) {
		fail(c, 200, 1004, "缺少参数 type");
		return;
	}
	if (title == NULL || !*title || sim_jint(rd, "checkin_days", &days) || days < 1 ||
	    days > 365 || (exp && sim_parse_zsxq(exp, &ms) != CAMP_OK)) {
		fail(c, 200, 1059, "内部错误");
		return;
	}
	struct sim_project *p = project_new(0, title, text ? text : "", (int)days,
	                                    exp ? exp : "2099-12-31T23:59:59.000+0800");
	ok(c, "checkin", project_json(p));
}

static void projects(struct sim_ctx *c)
{
	const char *scope = req_param(c->r, "scope");
	if (scope == NULL) {
		fail(c, 200, 1059, "内部错误");
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
	if (!token_ok(c)) {
		fail(c, 401, 401, "登录已失效，请重新登录(token invalid)");
		return;
	}
	const char *p = c->r->path;
	if (sscanf(p, "/v2/groups/%31[0-9]/checkins%95s", gid, rest) < 1) {
		fail(c, 404, 1059, "内部错误");
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
		fail(c, 404, 1059, "内部错误");
		return;
	}
	struct sim_project *pr = project_find(cid);
	if (pr == NULL)
		fail(c, 200, 1059, "打卡项目不存在");
	else if (!tail[0])
		ok(c, "checkin", project_json(pr));
	else if (!strcmp(tail, "/statistics"))
		ok(c, "statistics", statistics(pr, 0));
	else if (!strcmp(tail, "/ranking_list"))
		ranking_list(c, pr);
	else if (!strcmp(tail, "/topics"))
		topics(c, pr);
	else
		fail(c, 404, 1059, "内部错误");
}

/* POST /sim/zsxq/checkins: a member checks in (JSON, or the UI's form). */
void sim_zsxq_add_checkin(struct sim_ctx *c)
{
	struct json_object *o = sim_body_json(c);
	int form = o == NULL;
	int64_t cid = 0, uid = 0, ms = 0;
	long long x;
	const char *name, *date, *tm;
	if (form) {
		const char *a = req_form(c->r, "checkin_id"), *b = req_form(c->r, "user_id");
		cid = a && parse_i64(a, 1, 1LL << 53, &x) == CAMP_OK ? x : 0;
		uid = b && parse_i64(b, 1, 1LL << 53, &x) == CAMP_OK ? x : 0;
		name = req_form(c->r, "name");
		date = req_form(c->r, "date");
		tm = req_form(c->r, "time");
	} else {
		sim_jint(o, "checkin_id", &cid);
		sim_jint(o, "user_id", &uid);
		name = sim_jstr(o, "name");
		date = sim_jstr(o, "date");
		tm = sim_jstr(o, "time");
	}
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
	} else {
		ms = (int64_t)time(NULL) * 1000;
		if (tm && *tm)
			cid = 0;
	}
	if (cid <= 0 || uid <= 0) {
		resp_json_text(c->w, 400, "{\"error\":\"checkin_id, user_id and a valid date or time are required\"}");
		return;
	}
	if (project_find(cid) == NULL)
		project_new(cid, "训练营打卡", "", 21, "2099-12-31T23:59:59.000+0800");
	struct sim_topic *tp = SIM_PUSH(&sim.topics);
	char d[16];
	sim_digits(d + 1, 14);
	d[0] = '4';
	tp->topic_id = strtoll(d, NULL, 10);
	tp->checkin_id = cid;
	tp->user_id = uid;
	tp->name = sim_strdup(name && *name ? name : "星球用户");
	tp->text = sim_strdup("今日打卡");
	tp->ms = ms;
	if (form) {
		c->w->status = 303;
		resp_header(c->w, "Location", "/sim/");
		return;
	}
	struct json_object *r = json_object_new_object();
	json_object_object_add(r, "topic_id", json_object_new_int64(tp->topic_id));
	sim_json_reply(c, 200, r);
}
