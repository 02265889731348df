/* reminders.c: job reminders — every 10 minutes, the member and staff reminders that are due (issue #16). */
#include "jobfns.h"
#include "worker.h"
#include "camp.h"
#include "clock.h"
#include "reminders.h"

#include <json-c/json.h>

int job_reminders(struct job_ctx *c)
{
	struct reminder_tally t;
	if (reminders_run(c->db, c->a, camp_now(), &t) != CAMP_OK) {
		job_fail(c, "数据库不可用");
		return CAMP_EDB;
	}
	struct json_object *d = c->detail;
	json_object_object_add(d, "quiet", json_object_new_boolean(t.quiet));
	json_object_object_add(d, "join_remind", json_object_new_int(t.join));
	json_object_object_add(d, "end_remind", json_object_new_int(t.ending));
	json_object_object_add(d, "refund_review", json_object_new_int(t.review));
	json_object_object_add(d, "refund_success", json_object_new_int(t.refund));
	json_object_object_add(d, "bind_remind", json_object_new_int(t.bind));
	json_object_object_add(d, "unreachable", json_object_new_int(t.unreachable));
	return CAMP_OK;
}
