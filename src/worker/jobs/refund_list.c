/* refund_list.c: job refund-list — refund proposals for finished camps (one camp when queued with camp_id). */
#include "jobfns.h"
#include "worker.h"
#include "camp.h"
#include "refund_life.h"
#include "refunds.h"

#include <json-c/json.h>

int job_refund_list(struct job_ctx *c)
{
	long long camp_id = 0;
	struct json_object *args = json_tokener_parse(c->args ? c->args : "{}"), *v;
	if (args && json_object_object_get_ex(args, "camp_id", &v))
		camp_id = json_object_get_int64(v);
	json_object_put(args);
	struct refund_tally t;
	if (refund_propose(c->db, c->a, camp_id, &t) != CAMP_OK) {
		job_fail(c, "数据库不可用");
		return CAMP_EDB;
	}
	struct json_object *d = c->detail;
	json_object_object_add(d, "camp_id", json_object_new_int64(camp_id));
	json_object_object_add(d, "proposed", json_object_new_int(t.proposed));
	json_object_object_add(d, "withdrawn", json_object_new_int(t.withdrawn));
	json_object_object_add(d, "unmatched", json_object_new_int(t.unmatched));
	json_object_object_add(d, "near_miss", json_object_new_int(t.near_miss));
	json_object_object_add(d, "summary", json_object_new_string(refund_tally_sentence(c->a, &t)));
	job_progress(c, 1, 1, NULL);
	return CAMP_OK;
}
