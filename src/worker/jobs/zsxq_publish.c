/* zsxq_publish.c: job zsxq-publish — 保存并发布知识星球, the camp's ZSXQ check-in project. */
#include "jobfns.h"
#include "worker.h"
#include "camp.h"
#include "checkins.h"

#include <json-c/json.h>

int job_zsxq_publish(struct job_ctx *c)
{
	struct json_object *args = json_tokener_parse(c->args ? c->args : "{}"), *v;
	long long camp_id = 0, user_id = 0;
	if (args && json_object_object_get_ex(args, "camp_id", &v))
		camp_id = json_object_get_int64(v);
	if (args && json_object_object_get_ex(args, "user_id", &v))
		user_id = json_object_get_int64(v);
	json_object_put(args);
	if (camp_id <= 0) {
		job_fail(c, "缺少 camp_id");
		return CAMP_EINVAL;
	}
	const char *id, *why;
	int rc = checkin_publish_camp(c->db, c->a, camp_id, user_id, &id, &why);
	if (rc != CAMP_OK) {
		/* the camp stays saved; the page says what failed */
		job_fail(c, "发布到知识星球失败：%s", why ? why : "数据库不可用");
		return rc;
	}
	json_object_object_add(c->detail, "camp_id", json_object_new_int64(camp_id));
	json_object_object_add(c->detail, "planet_project_id", json_object_new_string(id));
	return CAMP_OK;
}
