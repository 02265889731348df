/* t_zsxq.c: the ZSXQ answer and page readers against payloads shaped as PROTOCOLS §4 describes them. */
#include "tap.h"
#include "camp.h"
#include "zsxq.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

static arena *a;

static struct json_object *data_of(const char *body)
{
	struct zsxq_answer an;
	if (zsxq_answer_read(a, 200, body, &an) != ZSXQ_OK)
		return NULL;
	return an.data;
}

static void envelopes(void)
{
	struct zsxq_answer an;
	is_int(zsxq_answer_read(a, 200, "{\"succeeded\":true,\"resp_data\":{\"checkins\":[]}}", &an), ZSXQ_OK,
	       "success");
	ok(an.data != NULL && json_object_is_type(an.data, json_type_object), "resp_data given back");

	/* anti-bot: HTTP 200, no resp_data; transient */
	is_int(zsxq_answer_read(a, 200, "{\"succeeded\":false,\"code\":1059,"
	                        "\"info\":\"不支持非官方工具访问，请使用知识星球官方客户端\"}", &an),
	       ZSXQ_TRANSIENT, "1059 is transient");
	is_str(zsxq_answer_text(a, &an), "1059：不支持非官方工具访问，请使用知识星球官方客户端",
	       "1059 named with its info");

	/* maintenance: text in info and error alike */
	is_int(zsxq_answer_read(a, 200, "{\"succeeded\":false,\"code\":1050,\"info\":\"数据系统升级中，暂时无法操作\","
	                        "\"resp_data\":{},\"error\":\"数据系统升级中，暂时无法操作\"}", &an),
	       ZSXQ_TRANSIENT, "1050 is transient");
	is_str(zsxq_answer_text(a, &an), "1050：数据系统升级中，暂时无法操作", "1050 once, not twice");

	/* the expired token: a body, with HTTP 200 or 401; never retried */
	const char *expired = "{\"succeeded\":false,\"code\":401,\"info\":\"\",\"resp_data\":{}}";
	is_int(zsxq_answer_read(a, 200, expired, &an), ZSXQ_EXPIRED, "401 body with HTTP 200 is expiry");
	is_str(zsxq_answer_text(a, &an), "401", "an empty info leaves the code");
	is_int(zsxq_answer_read(a, 401, expired, &an), ZSXQ_EXPIRED, "401 body with HTTP 401 is expiry");
	is_str(zsxq_answer_text(a, &an), "HTTP 401，401", "the HTTP status when it is not 200");

	/* permanent refusals */
	is_int(zsxq_answer_read(a, 200, "{\"succeeded\":false,\"code\":1004,\"info\":\"缺少参数 type\"}", &an),
	       ZSXQ_REFUSED, "1004 is a refusal");
	is_int(zsxq_answer_read(a, 200, "{\"succeeded\":false,\"code\":52010,\"info\":\"\","
	                        "\"error\":\"你不是该星球成员\"}", &an), ZSXQ_REFUSED, "52010 is a refusal");
	is_str(zsxq_answer_text(a, &an), "52010：你不是该星球成员", "the text from error when info is empty");
	zsxq_answer_read(a, 200, "{\"succeeded\":false,\"code\":1,\"info\":\"甲\",\"error\":\"乙\"}", &an);
	is_str(zsxq_answer_text(a, &an), "1：甲；乙", "info and error both when they differ");

	/* the transport's own failures */
	is_int(zsxq_answer_read(a, 502, "<html>bad gateway</html>", &an), ZSXQ_TRANSIENT, "502 is transient");
	is_str(zsxq_answer_text(a, &an), "HTTP 502", "no envelope: the HTTP status");
	is_int(zsxq_answer_read(a, 429, "{}", &an), ZSXQ_TRANSIENT, "429 is transient");
	is_int(zsxq_answer_read(a, 200, "not json", &an), ZSXQ_TRANSIENT, "unreadable is transient");
	is_int(zsxq_answer_read(a, 200, NULL, &an), ZSXQ_TRANSIENT, "no body is transient");
	is_int(zsxq_answer_read(a, 200, "{\"succeeded\":true}", &an), ZSXQ_TRANSIENT,
	       "success without resp_data is not trusted");
}

static const char *page1 =
	"{\"succeeded\":true,\"resp_data\":{\"topics\":["
	"{\"topic_id\":45811522121221882,\"topic_uid\":\"45811522121221882\","
	" \"create_time\":\"2026-11-21T20:15:03.123+0800\","
	" \"talk\":{\"owner\":{\"user_id\":1000000007,\"name\":\"  \",\"alias\":\"\"},\"text\":\"第1天\"},"
	" \"checkin\":{\"checkin_id\":8424481182}},"
	"{\"topic_id\":\"14422154818511552\",\"topic_uid\":\"14422154818511552\","
	" \"create_time\":\"2026-11-21T08:00:00.000+0800\","
	" \"talk\":{\"owner\":{\"user_id\":8123456789012345,\"name\":\"小明\"},\"text\":\"第2天\"},"
	" \"checkin\":{\"checkin_id\":8424481182}},"
	"{\"topic_uid\":\"91111111111111111\",\"create_time\":\"2026-11-20T23:59:59.999+0800\","
	" \"talk\":{\"owner\":{\"user_id\":\"28855218411241\",\"name\":\"\"},\"text\":\"\"}}"
	"]}}";
/* the next page (end_time = the last create_time) starts with that post again */
static const char *page2 =
	"{\"succeeded\":true,\"resp_data\":{\"topics\":["
	"{\"topic_uid\":\"91111111111111111\",\"create_time\":\"2026-11-20T23:59:59.999+0800\","
	" \"talk\":{\"owner\":{\"user_id\":\"28855218411241\",\"name\":\"\"},\"text\":\"\"}},"
	"{\"topic_id\":33333333333333333,\"topic_uid\":\"33333333333333333\","
	" \"create_time\":\"2026-11-19T12:00:00.000+0800\","
	" \"talk\":{\"owner\":{\"user_id\":1000000007,\"name\":\"阿七\"},\"text\":\"早\"}}"
	"]}}";

static void topics(void)
{
	struct zsxq_topics l = { 0 };
	size_t len;
	int older;
	const char *last;
	char err[128];
	is_int(zsxq_topics_page(a, data_of(page1), 0, &l, &len, &older, &last, err, sizeof(err)), CAMP_OK,
	       "page 1 read");
	is_int(len, 3, "three items on the page");
	is_int(l.n, 3, "three posts listed");
	is_str(l.v[0].topic_id, "45811522121221882", "a 17-digit topic id above 2^53, exact");
	is_str(l.v[1].topic_id, "14422154818511552", "a topic id sent as a string");
	is_str(l.v[2].topic_id, "91111111111111111", "topic_uid when topic_id is missing");
	is_str(l.v[0].user_id, "1000000007", "a 10-digit user id");
	is_str(l.v[1].user_id, "8123456789012345", "a 16-digit user id");
	is_str(l.v[2].user_id, "28855218411241", "a user id sent as a string");
	is_str(l.v[0].name, "", "a blank name is no name");
	is_str(l.v[1].name, "小明", "a name");
	is_str(l.v[0].create_time, "2026-11-21T20:15:03.123+0800", "create_time kept as written");
	is_int(l.v[0].t, 1795263303, "create_time read in +0800");
	is_str(last, "2026-11-20T23:59:59.999+0800", "the page's last create_time pages on");
	ok(!older, "nothing older than since");

	is_int(zsxq_topics_page(a, data_of(page2), 0, &l, &len, &older, &last, err, sizeof(err)), CAMP_OK,
	       "page 2 read");
	is_int(len, 2, "two items on the page");
	is_int(l.n, 4, "the boundary post is listed once");
	is_int(l.repeated, 1, "and counted as repeated");
	is_str(l.v[3].topic_id, "33333333333333333", "the older post follows");

	struct zsxq_topics m = { 0 };
	zsxq_topics_page(a, data_of(page1), 1795190400 /* 2026-11-21 00:00 +0800 */, &m, &len, &older,
	                 &last, err, sizeof(err));
	is_int(m.n, 2, "posts older than since are left out");
	ok(older, "and reported");

	struct zsxq_topics bad = { 0 };
	is_int(zsxq_topics_page(a, data_of("{\"succeeded\":true,\"resp_data\":{\"topics\":[{\"topic_id\":1,"
	                                   "\"create_time\":\"yesterday\",\"talk\":{\"owner\":{\"user_id\":1}}}]}}"),
	                        0, &bad, &len, &older, &last, err, sizeof(err)), CAMP_EPROVIDER,
	       "an unreadable create_time fails the page");
	ok(strstr(err, "yesterday") != NULL, "and says which");

	struct zsxq_topics empty = { 0 };
	zsxq_topics_page(a, data_of("{\"succeeded\":true,\"resp_data\":{\"topics\":[]}}"), 0, &empty, &len,
	                 &older, &last, err, sizeof(err));
	ok(len == 0 && last == NULL, "an empty page ends the listing");
}

static void leaderboard(void)
{
	char body[8192];
	size_t o = 0;
	o += (size_t)snprintf(body + o, sizeof(body) - o, "{\"succeeded\":true,\"resp_data\":{\"ranking_list\":[");
	for (int i = 0; i < 21; i++)
		o += (size_t)snprintf(body + o, sizeof(body) - o,
		                      "%s{\"user\":{\"user_id\":%lld,\"name\":\"%s\",\"alias\":\"\","
		                      "\"avatar_url\":\"https://images.zsxq.com/a.png\"},\"rankings\":%d,"
		                      "\"checkined_days\":%d}", i ? "," : "",
		                      i == 0 ? 1000000007LL : 8123456789012345LL - i, i == 1 ? " " : "学员",
		                      22 + i, 21 - i);
	snprintf(body + o, sizeof(body) - o, "]}}");
	struct zsxq_ranks l = { 0 };
	size_t len;
	long last = 21;
	zsxq_ranks_page(a, data_of(body), &l, &len, &last);
	is_int(len, 21, "a full page of 21");
	is_int(l.n, 21, "every user listed");
	is_int(last, 42, "the next index is the last item's rankings");
	is_str(l.v[0].user_id, "1000000007", "10 digits");
	is_str(l.v[5].user_id, "8123456789012340", "16 digits");
	is_str(l.v[0].alias, "", "alias \"\"");
	is_str(l.v[1].name, "", "a blank name");
	is_int(l.v[0].checkined_days, 21, "checkined_days");
	is_int(zsxq_joined_of(data_of("{\"succeeded\":true,\"resp_data\":{\"statistics\":{\"joined_count\":30,"
	                              "\"completed_count\":3,\"checkined_count\":12}}}")), 30,
	       "joined_count, members without check-ins included");
	is_int(zsxq_joined_of(data_of("{\"succeeded\":true,\"resp_data\":{}}")), -1, "no statistics");
}

static void projects(void)
{
	struct zsxq_project p;
	struct json_object *d = data_of(
		"{\"succeeded\":true,\"resp_data\":{\"checkins\":["
		"{\"checkin_id\":8424481182,\"title\":\"21天晨读\",\"text\":\"完成15天\",\"checkin_days\":21,"
		" \"type\":\"accumulated\",\"status\":\"ongoing\","
		" \"validity\":{\"long_period\":false,\"expiration_time\":\"2026-12-17T23:59:59.594+0800\"},"
		" \"create_time\":\"2026-11-01T10:00:00.000+0800\","
		" \"statistics\":{\"joined_count\":40,\"completed_count\":0,\"today_checkined_count\":12},"
		" \"min_words_count\":0},"
		"{\"checkin_id\":2421112222,\"title\":\"长期打卡\",\"checkin_days\":100,\"status\":\"ongoing\","
		" \"validity\":{\"long_period\":true,\"expiration_time\":\"\"}}]}}");
	struct json_object *list = json_object_object_get(d, "checkins");
	is_int(zsxq_project_read(a, json_object_array_get_idx(list, 0), &p), CAMP_OK, "a dated project");
	is_str(p.checkin_id, "8424481182", "its id");
	ok(!p.long_period && p.expires == 1797523199, "its expiration_time");
	is_int(p.joined, 40, "its joined_count");
	is_int(zsxq_project_read(a, json_object_array_get_idx(list, 1), &p), CAMP_OK,
	       "a long_period project with expiration_time \"\"");
	ok(p.long_period && p.expires == 0 && p.joined == -1, "has no end");
	struct json_object *none = json_tokener_parse("{\"title\":\"x\"}");
	is_int(zsxq_project_read(a, none, &p), CAMP_EINVAL, "no checkin_id");
	json_object_put(none);
}

int main(void)
{
	a = arena_new();
	envelopes();
	topics();
	leaderboard();
	projects();
	arena_free(a);
	return done_testing();
}
