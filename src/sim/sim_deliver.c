/* sim_deliver.c: sends WeChat Pay notifications, retrying on WeChat's schedule; resets state. */
#include "sim.h"
#include "camp.h"
#include "httpc.h"
#include "log.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

/* WeChat's retry intervals in seconds (PROTOCOLS §1.4), divided by --time-factor. */
static const int schedule_s[] = { 15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600,
                                  10800, 10800, 10800, 21600, 21600 };

static struct sim_delivery *delivery_new(const char *url, const char *body)
{
	struct sim_delivery *d = calloc(1, sizeof(*d));
	if (d == NULL)
		abort();
	d->url = sim_strdup(url);
	d->body = sim_strdup(body);
	d->due_ms = sim_mono_ms();
	return d;
}

static void delivery_free(struct sim_delivery *d)
{
	free(d->url);
	free(d->body);
	free(d);
}

static void push(struct sim_delivery **list, struct sim_delivery *d)
{
	d->next = *list;
	*list = d;
}

void sim_deliver_enqueue(const char *url, const char *body)
{
	enum sim_fault f = sim.fault[SVC_WECHATPAY].mode;
	if (f == FAULT_SIGNTEST || f == FAULT_DUPLICATE_CALLBACK || f == FAULT_REORDER_CALLBACKS)
		f = sim_fault_take(SVC_WECHATPAY);
	else
		f = FAULT_OK;
	struct sim_delivery *d = delivery_new(url, body);
	d->signtest = f == FAULT_SIGNTEST;
	if (f == FAULT_DUPLICATE_CALLBACK) {
		struct sim_delivery *twin = delivery_new(url, body);
		twin->due_ms += 1;
		push(&sim.queue, twin);
	}
	if (f == FAULT_REORDER_CALLBACKS) {
		/* held until the fault's count is used up, then sent newest first */
		push(&sim.held, d);
		if (sim.fault[SVC_WECHATPAY].mode != FAULT_REORDER_CALLBACKS) {
			int64_t t = sim_mono_ms();
			while (sim.held != NULL) {
				struct sim_delivery *h = sim.held;
				sim.held = h->next;
				h->due_ms = t++;
				push(&sim.queue, h);
			}
			/* the queue is sent in due order: reverse the due times */
		}
	} else {
		push(&sim.queue, d);
	}
	pthread_cond_broadcast(&sim.wake);
}

static struct sim_delivery *take_due(int64_t now, int64_t *next_due)
{
	struct sim_delivery **best = NULL;
	*next_due = now + 200;   /* also the refund clock's resolution */
	for (struct sim_delivery **p = &sim.queue; *p != NULL; p = &(*p)->next)
		if (best == NULL || (*p)->due_ms < (*best)->due_ms)
			best = p;
	if (best == NULL)
		return NULL;
	if ((*best)->due_ms > now) {
		if ((*best)->due_ms < *next_due)
			*next_due = (*best)->due_ms;
		return NULL;
	}
	struct sim_delivery *d = *best;
	*best = d->next;
	d->next = NULL;
	return d;
}

/* One attempt, without the lock (headers signed under it); returns the
 * HTTP status (0 = none). */
static long send_one(struct sim_delivery *d, char **h, struct httpc_response *rs)
{
	struct httpc_request rq = { .method = "POST", .url = d->url,
	                            .headers = (const char *const *)h,
	                            .body = d->body, .body_len = strlen(d->body) };
	if (httpc_do(&rq, rs) != CAMP_OK)
		log_warn("callback to %s failed: %s", d->url, rs->error);
	for (int i = 0; h[i] != NULL; i++)
		free(h[i]);
	free(h);
	return rs->status;
}

static void after_attempt(struct sim_delivery *d, long status, const struct httpc_response *rs)
{
	struct json_object *e = sim_log_add("wechatpay", "POST", d->url, (int)status, d->body,
	                                    strlen(d->body), rs->body.s, rs->body.len);
	json_object_object_add(e, "wechatpay_serial", json_object_new_string(d->serial));
	int ok = (status == 200 || status == 204) && !d->signtest;
	/* a probe is always followed by the real thing, whatever the answer */
	int probe = d->signtest;
	d->signtest = 0;
	if ((ok && !probe) || d->attempt >= (int)CAMP_ARRAY_LEN(schedule_s)) {
		delivery_free(d);
		return;
	}
	int64_t wait = (int64_t)(schedule_s[d->attempt] * 1000.0 / sim.time_factor);
	d->attempt++;
	d->due_ms = sim_mono_ms() + wait;
	push(&sim.queue, d);
}

void *sim_deliver_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&sim.mu);
	while (!sim.stopping) {
		sim_wxpay_tick();
		int64_t next;
		struct sim_delivery *d = take_due(sim_mono_ms(), &next);
		if (d == NULL) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			int64_t wait = next - sim_mono_ms();
			if (wait < 1)
				wait = 1;
			ts.tv_sec += wait / 1000;
			ts.tv_nsec += (wait % 1000) * 1000000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&sim.wake, &sim.mu, &ts);
			continue;
		}
		char **h = sim_wxpay_callback_headers(d->body, d->signtest, d->serial);
		pthread_mutex_unlock(&sim.mu);
		struct httpc_response rs = HTTPC_RESPONSE_INIT;
		long status = send_one(d, h, &rs);
		pthread_mutex_lock(&sim.mu);
		after_attempt(d, status, &rs);
		httpc_response_free(&rs);
	}
	pthread_mutex_unlock(&sim.mu);
	return NULL;
}

static void free_list(struct sim_delivery **l)
{
	while (*l != NULL) {
		struct sim_delivery *d = *l;
		*l = d->next;
		delivery_free(d);
	}
}

void sim_deliver_free_all(void)
{
	free_list(&sim.queue);
	free_list(&sim.held);
}

void sim_reset_state(void)
{
	for (size_t i = 0; i < sim.orders.n; i++) {
		struct sim_order *o = &sim.orders.v[i];
		free(o->description); free(o->attach); free(o->notify_url);
		free(o->openid); free(o->payer_openid);
	}
	for (size_t i = 0; i < sim.refunds.n; i++)
		free(sim.refunds.v[i].notify_url);
	for (size_t i = 0; i < sim.bills.n; i++)
		free(sim.bills.v[i].remark);
	sim_zsxq_reset();
	for (size_t i = 0; i < sim.topics.n; i++) {
		free(sim.topics.v[i].name); free(sim.topics.v[i].text);
	}
	for (size_t i = 0; i < sim.msgs.n; i++) {
		free(sim.msgs.v[i].to); free(sim.msgs.v[i].content);
	}
	for (size_t i = 0; i < sim.webhook_keys.n; i++)
		free(sim.webhook_keys.v[i]);
	for (size_t i = 0; i < sim.invalid_users.n; i++)
		free(sim.invalid_users.v[i]);
	for (size_t i = 0; i < sim.unlicensed_users.n; i++)
		free(sim.unlicensed_users.v[i]);
	sim.invalid_users.n = sim.unlicensed_users.n = 0;
	sim_certs_reset();      /* the one platform certificate, public-key signing */
	sim.orders.n = sim.refunds.n = sim.bills.n = sim.projects.n = sim.topics.n = 0;
	sim.msgs.n = sim.tokens.n = sim.codes.n = sim.webhook_keys.n = sim.webhook_times.n = 0;
	sim_deliver_free_all();
	for (int s = 0; s < SVC__MAX; s++) {
		sim.fault[s].mode = FAULT_OK;
		sim.fault[s].count = 0;
		sim.fault[s].rate = 0;
	}
	if (sim.log != NULL)
		json_object_array_del_idx(sim.log, 0, json_object_array_length(sim.log));
}
