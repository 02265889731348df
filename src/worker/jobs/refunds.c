/* refunds.c: job refunds — execute approved refunds, follow processing ones, and run queued audit batches. */
#include "jobfns.h"
#include "worker.h"
#include "audit.h"
#include "camp.h"
#include "jsonget.h"
#include "pay_exceptions.h"
#include "payments.h"
#include "refunds.h"
#include "wechatpay.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BATCH_WAIT_S 120     /* a batch follows its refunds this long, then the minute job does */

struct tally {
	int submitted, success, processing, ended, retry, failed, waiting;
};

static void count_step(struct tally *t, enum refund_step s)
{
	switch (s) {
	case RS_NOTHING: break;
	case RS_PROCESSING: t->processing++; break;
	case RS_SUCCESS: t->success++; break;
	case RS_ENDED: t->ended++; break;
	case RS_RETRY: t->retry++; break;
	case RS_FAILED: t->failed++; break;
	case RS_WAITING: t->waiting++; break;
	}
}

static int run_ids(struct job_ctx *c, const struct wxpay_cfg *cfg, const long long *ids, int n,
                   struct tally *t)
{
	int errors = 0, waiting = t->waiting;
	for (int i = 0; i < n && !job_stopping(c); i++) {
		enum refund_step s;
		if (refund_execute(c->db, c->a, cfg, ids[i], &s) != CAMP_OK)
			errors++;
		else
			count_step(t, s);
		t->submitted++;
	}
	/* NOT_ENOUGH: one alert for the whole batch, not one per refund */
	if (t->waiting > waiting && refund_alert_balance(c->db, c->a, t->waiting - waiting) != CAMP_OK)
		errors++;
	return errors;
}

static long long jll(struct json_object *o, const char *key)
{
	struct json_object *v;
	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : 0;
}

static void batch_progress(struct job_ctx *c, const long long *ids, int n, long total)
{
	struct refund_counts k;
	if (refund_count(c->db, c->a, ids, n, &k) != CAMP_OK)
		return;
	char note[96];
	snprintf(note, sizeof(note), "处理中 %d / 成功 %d / 失败 %d", k.processing, k.success, k.failed);
	job_progress(c, k.success + k.failed, total, note);
}

/* The batch's outcome in one sentence for its job page (issue #15: no raw JSON). */
static void summarize(struct job_ctx *c, int approve, int decided, int skipped,
                      const struct refund_counts *k, int have_cfg)
{
	const char *s = arena_printf(c->a, "已%s %d 条退款", approve ? "通过" : "拒绝", decided);
	if (k != NULL)
		s = arena_printf(c->a, "%s：退款成功 %d 条，失败 %d 条，仍在处理 %d 条", s,
		                 k->success, k->failed, k->processing);
	else if (approve && decided > 0 && !have_cfg)
		s = arena_printf(c->a, "%s：微信支付尚未配置，配置后自动执行", s);
	if (skipped > 0)
		s = arena_printf(c->a, "%s；跳过 %d 条（已被审核、低于最低匹配度或不在你负责的训练营）", s, skipped);
	if (k != NULL && k->failed > 0)
		s = arena_printf(c->a, "%s。失败的退款请在退款记录中重试或线下处理", s);
	json_object_object_add(c->detail, "summary", json_object_new_string(s));
}

/* A queued audit batch: decide each proposal (one transaction each), then
 * submit the approved ones and follow them until they settle. */
static int batch(struct job_ctx *c, struct json_object *args, const struct wxpay_cfg *cfg, int have_cfg)
{
	const char *action = jget_str(args, "action");
	int approve = action && !strcmp(action, "approve");
	struct json_object *list;
	if (!json_object_object_get_ex(args, "ids", &list) || !json_object_is_type(list, json_type_array)) {
		job_fail(c, "任务参数无效");
		return CAMP_EINVAL;
	}
	struct audit who = { .operator_id = jll(args, "auditor"), .operator_name = jget_str(args, "auditor_name"),
	                     .ip = jget_str(args, "ip"), .user_agent = jget_str(args, "user_agent"),
	                     .url = approve ? "/admin/refunds/approve" : "/admin/refunds/reject",
	                     .method = "POST" };
	int n = (int)json_object_array_length(list), decided = 0, skipped = 0;
	long long *ids = arena_alloc(c->a, sizeof(*ids) * (size_t)(n + 1));
	for (int i = 0; i < n && !job_stopping(c); i++) {
		long long id = json_object_get_int64(json_object_array_get_idx(list, (size_t)i));
		int rc = refund_decide(c->db, c->a, id, approve, jget_str(args, "reason"),
		                       (int)jll(args, "min_confidence"), jll(args, "scope_user"), &who, NULL);
		if (rc == CAMP_EDB) {
			job_fail(c, "数据库不可用");
			return CAMP_EDB;
		}
		if (rc == CAMP_OK)
			ids[decided++] = id;
		else
			skipped++;
		job_progress(c, i + 1, n, approve ? "逐条审核中" : NULL);
	}
	struct json_object *d = c->detail;
	json_object_object_add(d, "action", json_object_new_string(approve ? "approve" : "reject"));
	json_object_object_add(d, "decided", json_object_new_int(decided));
	json_object_object_add(d, "skipped", json_object_new_int(skipped));
	if (!approve || decided == 0 || !have_cfg) {
		summarize(c, approve, decided, skipped, NULL, have_cfg);
		return CAMP_OK;
	}
	struct tally t = { 0 };
	run_ids(c, cfg, ids, decided, &t);
	batch_progress(c, ids, decided, decided);
	struct refund_counts k = { 0 };
	for (int waited = 0; waited < BATCH_WAIT_S && !job_stopping(c); waited++) {
		if (refund_count(c->db, c->a, ids, decided, &k) != CAMP_OK || k.processing == 0)
			break;
		sleep(1);
		if (waited % 5 == 4)      /* callbacks may be lost: ask for the due ones */
			run_ids(c, cfg, ids, decided, &t);
		batch_progress(c, ids, decided, decided);
	}
	batch_progress(c, ids, decided, decided);
	refund_count(c->db, c->a, ids, decided, &k);
	json_object_object_add(d, "success", json_object_new_int(k.success));
	json_object_object_add(d, "processing", json_object_new_int(k.processing));
	json_object_object_add(d, "failed", json_object_new_int(k.failed));
	summarize(c, approve, decided, skipped, &k, have_cfg);
	c->interrupted = job_stopping(c);
	return CAMP_OK;
}

int job_refunds(struct job_ctx *c)
{
	struct wxpay_cfg cfg;
	int have_cfg = wxpay_cfg_load(c->db, c->a, &cfg) == CAMP_OK;
	struct json_object *args = json_tokener_parse(c->args ? c->args : "{}");
	if (args != NULL && json_object_object_get_ex(args, "ids", NULL)) {
		int rc = batch(c, args, &cfg, have_cfg);
		json_object_put(args);
		return rc;
	}
	json_object_put(args);
	if (!have_cfg) {
		json_object_object_add(c->detail, "note", json_object_new_string("WeChat Pay is not configured"));
		return CAMP_OK;
	}
	long long *ids;
	int n;
	if (refund_due(c->db, c->a, &ids, &n) != CAMP_OK) {
		job_fail(c, "数据库不可用");
		return CAMP_EDB;
	}
	struct tally t = { 0 };
	int errors = run_ids(c, &cfg, ids, n, &t);
	/* payment exceptions an admin chose to refund in full */
	long long *xids;
	int xn = 0;
	if (exception_refunds_due(c->db, c->a, &xids, &xn) == CAMP_OK)
		for (int i = 0; i < xn && !job_stopping(c); i++)
			if (exception_refund_step(c->db, c->a, &cfg, xids[i]) != CAMP_OK)
				errors++;
	json_object_object_add(c->detail, "exceptions", json_object_new_int(xn));
	c->interrupted = job_stopping(c);
	struct json_object *d = c->detail;
	json_object_object_add(d, "due", json_object_new_int(n));
	json_object_object_add(d, "success", json_object_new_int(t.success));
	json_object_object_add(d, "processing", json_object_new_int(t.processing));
	json_object_object_add(d, "ended", json_object_new_int(t.ended));
	json_object_object_add(d, "retry", json_object_new_int(t.retry));
	json_object_object_add(d, "failed", json_object_new_int(t.failed));
	json_object_object_add(d, "waiting_balance", json_object_new_int(t.waiting));
	if (errors > 0) {
		job_fail(c, "%d 笔退款处理出错，下次运行会继续", errors);
		return CAMP_EPROVIDER;
	}
	return CAMP_OK;
}
