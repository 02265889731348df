/* admin_jobs.c: /admin/jobs/{id} — the progress of a queued job (page or JSON). */
#include "pages.h"
#include "camp.h"
#include "jsonget.h"
#include "jobs.h"
#include "page.h"

#include <json-c/json.h>
#include <string.h>

/* Admins and managers see every job; coaches and volunteers their own. */
static int may_see(const struct req *r, const struct job *j)
{
	if (r->user->role & (ROLE_ADMIN | ROLE_MANAGER))
		return 1;
	return j->requested_by != 0 && j->requested_by == r->user->id;
}

/* JSON text from the database (always valid jsonb), or null. */
static struct json_object *parsed(const char *text)
{
	return text ? json_tokener_parse(text) : NULL;
}

static void send_json(struct req *r, struct resp *w, const struct job *j)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_int64(j->id));
	json_object_object_add(o, "kind", json_object_new_string(j->kind));
	json_object_object_add(o, "state", json_object_new_string(j->state));
	json_object_object_add(o, "progress", parsed(j->progress));
	json_object_object_add(o, "result", parsed(j->result));
	json_object_object_add(o, "error", j->error ? json_object_new_string(j->error) : NULL);
	resp_json(w, 200, o, r->a);
}

static long long json_int(struct json_object *o, const char *key)
{
	struct json_object *v;
	return o && json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : 0;
}

static void fill_progress(struct page *p, const struct job *j)
{
	struct json_object *pr = parsed(j->progress);
	long long done = json_int(pr, "done"), total = json_int(pr, "total");
	if (total > 0) {
		tpl_dict *s = tpl_add_section(p->body, "PROGRESS");
		tpl_set_int(s, "DONE", done);
		tpl_set_int(s, "TOTAL", total);
		tpl_set(s, "NOTE", jget_str(pr, "note"));   /* 处理中 X / 成功 Y / 失败 Z */
	}
	json_object_put(pr);
}

/* The outcome in words (the job's "summary"), the raw detail only folded away;
 * and the way back to where the job was started. */
static void fill_result(struct req *r, struct page *p, const struct job *j)
{
	struct json_object *res = parsed(j->result), *args = parsed(j->args);
	const char *summary = jget_str(res, "summary");
	if (summary)
		tpl_set(tpl_add_section(p->body, "SUMMARY"), "TEXT", summary);
	else if (!strcmp(j->state, "done"))
		tpl_show(p->body, "DONE");
	if (j->result)
		tpl_set(tpl_add_section(p->body, "RESULT"), "JSON", j->result);
	long long camp = json_int(args, "camp_id");
	if (!strcmp(j->kind, "refund-list") && camp > 0)
		tpl_set(tpl_add_section(p->body, "BACK"), "URL",
		        arena_printf(r->a, "/admin/camps/%lld?tab=refunds", camp));
	else if (!strcmp(j->kind, "refunds"))
		tpl_set(tpl_add_section(p->body, "BACK"), "URL", "/admin/refunds");
	json_object_put(res);
	json_object_put(args);
}

void page_admin_job(struct req *r, struct resp *w)
{
	long long id = req_cap_id(r, 0);
	struct job j;
	int rc = id > 0 ? job_get(r->db, r->a, id, &j) : CAMP_ENOTFOUND;
	if (rc == CAMP_EDB) {
		resp_unavailable(r, w);
		return;
	}
	if (rc != CAMP_OK) {
		resp_error(r, w, 404, "任务不存在");
		return;
	}
	if (!may_see(r, &j)) {
		resp_error(r, w, 403, "只能查看自己发起的任务");
		return;
	}
	if (req_wants_json(r)) {
		send_json(r, w, &j);
		return;
	}
	struct page *p = page_new(r, "任务进度", "admin/job.tpl");
	tpl_set_int(p->body, "ID", j.id);
	tpl_set(p->body, "KIND", j.kind);
	tpl_set(p->body, "STATE", j.state);
	tpl_set(p->body, "STATE_LABEL", job_state_label(j.state));
	tpl_set(p->body, "CREATED_AT", j.created_at);
	if (j.started_at)
		tpl_set(tpl_add_section(p->body, "STARTED"), "AT", j.started_at);
	if (j.finished_at)
		tpl_set(tpl_add_section(p->body, "FINISHED"), "AT", j.finished_at);
	fill_progress(p, &j);
	if (j.error)
		tpl_set(tpl_add_section(p->body, "ERROR"), "TEXT", j.error);
	fill_result(r, p, &j);
	if (!strcmp(j.state, "queued") || !strcmp(j.state, "running")) {
		tpl_show(p->body, "LIVE");
		page_script(p, "/static/js/job-progress.js");
	}
	page_admin(r, w, p, NULL);
}
