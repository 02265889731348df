/* expire_bindings.c: hourly, unbound paid orders past their deadline go to manual review. */
#include "jobfns.h"
#include "worker.h"
#include "binding.h"
#include "camp.h"
#include "clock.h"

#include <json-c/json.h>

int job_expire_bindings(struct job_ctx *c)
{
	long moved = 0;
	if (binding_expire(c->db, c->a, camp_now(), &moved) != CAMP_OK) {
		job_fail(c, "数据库不可用");
		return CAMP_EDB;
	}
	json_object_object_add(c->detail, "to_manual_review", json_object_new_int64(moved));
	return CAMP_OK;
}
