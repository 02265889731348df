/* books.c: job books — the money invariants and WeChat Pay's trade bill, nightly and on demand. */
#include "jobfns.h"
#include "worker.h"
#include "books.h"
#include "camp.h"
#include "clock.h"
#include "dates.h"

#include <json-c/json.h>
#include <string.h>

/* Runs one date and records it in the job's detail. */
static int one(struct job_ctx *c, const char *date, const char *trigger,
               struct json_object *runs, int *failed)
{
	struct books_run r;
	int rc = books_run(c->db, c->a, date, trigger, &r);
	if (rc != CAMP_OK)
		return rc;
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "date", json_object_new_string(r.date));
	json_object_object_add(o, "run_id", json_object_new_int64(r.id));
	json_object_object_add(o, "bill", json_object_new_string(r.bill_status));
	json_object_object_add(o, "differences", json_object_new_int(r.invariant_diffs + r.bill_diffs));
	json_object_object_add(o, "ok", json_object_new_boolean(r.ok));
	json_object_array_add(runs, o);
	if (!strcmp(r.bill_status, "failed")) {
		*failed = 1;
		job_fail(c, "%s 的微信账单未能核对：%s", r.date, r.bill_error ? r.bill_error : "");
	}
	return CAMP_OK;
}

/* {"date": "YYYY-MM-DD", "trigger": "cli"} runs that one date; without a date, the
 * latest bill WeChat has published and every day of the week before whose bill
 * could not be compared yet. */
int job_books(struct job_ctx *c)
{
	struct json_object *args = json_tokener_parse(c->args ? c->args : "{}"), *v;
	const char *date = NULL, *trigger = "job";
	if (args && json_object_object_get_ex(args, "date", &v))
		date = arena_strdup(c->a, json_object_get_string(v));
	if (args && json_object_object_get_ex(args, "trigger", &v) &&
	    !strcmp(json_object_get_string(v), "cli"))
		trigger = "cli";
	json_object_put(args);
	cday day;
	if (date != NULL && cday_parse(date, &day) != CAMP_OK) {
		job_fail(c, "日期格式应为 YYYY-MM-DD：%s", date);
		return CAMP_EINVAL;
	}
	const char **dates = NULL;
	int n = 0;
	if (date == NULL) {
		char buf[12];
		date = arena_strdup(c->a, books_default_date(camp_now(), buf, sizeof(buf)));
		if (books_retry_dates(c->db, c->a, date, &dates, &n) != CAMP_OK) {
			job_fail(c, "数据库不可用");
			return CAMP_EDB;
		}
	}
	struct json_object *runs = json_object_new_array();
	json_object_object_add(c->detail, "runs", runs);
	int failed = 0;
	for (int i = 0; i <= n && !job_stopping(c); i++) {
		/* the retried days first, then the newest */
		if (one(c, i < n ? dates[i] : date, trigger, runs, &failed) != CAMP_OK) {
			job_fail(c, "数据库不可用");
			return CAMP_EDB;
		}
	}
	if (job_stopping(c))
		c->interrupted = 1;
	return failed ? CAMP_EPROVIDER : CAMP_OK;
}
