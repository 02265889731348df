/* sim_main.c: camp-sim: FastCGI accept threads, dispatch by path, faults, and the control verbs. */
#include "sim.h"
#include "camp.h"
#include "httpc.h"
#include "log.h"
#include "request.h"
#include "response.h"
#include "tpl.h"

#include <fcgiapp.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define SIM_THREADS 4
#define SIM_TIMEOUT_SLEEP_S 7   /* longer than any client's 5 s total timeout */

struct sim_state sim = {
	.mu = PTHREAD_MUTEX_INITIALIZER,
	.wake = PTHREAD_COND_INITIALIZER,
};

static int listen_fd = -1;

static enum sim_service service_of(const char *path)
{
	if (!strncmp(path, "/v3/", 4))
		return SVC_WECHATPAY;
	if (!strncmp(path, "/connect/oauth2/", 16) || !strncmp(path, "/sns/", 5))
		return SVC_WXOAUTH;
	if (!strcmp(path, "/cgi-bin/token") || !strncmp(path, "/cgi-bin/message/template/", 26))
		return SVC_WXMP;        /* the official account (api.weixin.qq.com), not WeCom */
	if (!strncmp(path, "/cgi-bin/", 9))
		return SVC_WECOM;
	if (!strncmp(path, "/v2/", 4))
		return SVC_ZSXQ;
	return SVC_SIM;
}

/* Faults only ZSXQ gives (issue #13): the real service's own refusals. */
static int zsxq_only(enum sim_fault f)
{
	return f == FAULT_ANTIBOT || f == FAULT_EXPIRED_COOKIE_200 || f == FAULT_MAINTENANCE;
}

static int is_request_fault(enum sim_fault f)
{
	return f == FAULT_500 || f == FAULT_TIMEOUT || f == FAULT_EXPIRED_COOKIE ||
	       f == FAULT_RATE_LIMIT || zsxq_only(f);
}

/* The failure each service gives for a fault, in that service's own format. */
static void fault_reply(struct sim_ctx *c, enum sim_fault f)
{
	static const char *const wxpay[] = {
		[FAULT_500] = "{\"code\":\"SYSTEM_ERROR\",\"message\":\"系统错误\"}",
		[FAULT_TIMEOUT] = "{\"code\":\"SYSTEM_ERROR\",\"message\":\"系统超时\"}",
		[FAULT_EXPIRED_COOKIE] = "{\"code\":\"SIGN_ERROR\",\"message\":\"签名错误\"}",
		[FAULT_RATE_LIMIT] = "{\"code\":\"RATELIMIT_EXCEEDED\",\"message\":\"请求超过频率限制\"}",
	};
	static const int wxpay_status[] = { [FAULT_500] = 500, [FAULT_TIMEOUT] = 500,
		[FAULT_EXPIRED_COOKIE] = 401, [FAULT_RATE_LIMIT] = 429 };
	static const char *const wx[] = {
		[FAULT_500] = "{\"errcode\":-1,\"errmsg\":\"system error\"}",
		[FAULT_TIMEOUT] = "{\"errcode\":-1,\"errmsg\":\"system error\"}",
		[FAULT_EXPIRED_COOKIE] = "{\"errcode\":42001,\"errmsg\":\"access_token expired\"}",
		[FAULT_RATE_LIMIT] = "{\"errcode\":45009,\"errmsg\":\"api freq out of limit\"}",
	};
	static const char *const zsxq[] = {
		[FAULT_500] = "{\"succeeded\":false,\"code\":1059,\"info\":\"\",\"resp_data\":{},\"error\":\"内部错误\"}",
		[FAULT_TIMEOUT] = "{\"succeeded\":false,\"code\":1059,\"info\":\"\",\"resp_data\":{},\"error\":\"内部错误\"}",
		[FAULT_EXPIRED_COOKIE] = "{\"succeeded\":false,\"code\":401,\"info\":\"\",\"resp_data\":{},\"error\":\"登录已失效，请重新登录(token expired)\"}",
		[FAULT_RATE_LIMIT] = "{\"succeeded\":false,\"code\":1059,\"info\":\"\",\"resp_data\":{},\"error\":\"操作太频繁，请稍后再试\"}",
		/* PROTOCOLS §4, as captured: all three with HTTP 200 */
		[FAULT_ANTIBOT] = "{\"succeeded\":false,\"code\":1059,\"info\":\"不支持非官方工具访问，请使用知识星球官方客户端\"}",
		[FAULT_EXPIRED_COOKIE_200] = "{\"succeeded\":false,\"code\":401,\"info\":\"\",\"resp_data\":{}}",
		[FAULT_MAINTENANCE] = "{\"succeeded\":false,\"code\":1050,\"info\":\"数据系统升级中，暂时无法操作\",\"resp_data\":{},\"error\":\"数据系统升级中，暂时无法操作\"}",
	};
	static const int zsxq_status[] = { [FAULT_500] = 500, [FAULT_TIMEOUT] = 500,
		[FAULT_EXPIRED_COOKIE] = 401, [FAULT_RATE_LIMIT] = 429, [FAULT_ANTIBOT] = 200,
		[FAULT_EXPIRED_COOKIE_200] = 200, [FAULT_MAINTENANCE] = 200 };
	switch (c->svc) {
	case SVC_WECHATPAY:
		resp_json_text(c->w, wxpay_status[f], wxpay[f]);
		c->signed_by = sim_wxpay_sign_headers(c->r->a, c->w, c->w->body, c->w->len);
		break;
	case SVC_ZSXQ:
		resp_json_text(c->w, zsxq_status[f], zsxq[f]);
		sim_zsxq_expire_header(c, f);
		break;
	default:   /* WeChat and WeCom answer 200 with an errcode, 500 only when broken */
		resp_json_text(c->w, f == FAULT_500 || f == FAULT_TIMEOUT ? 500 : 200, wx[f]);
		break;
	}
}

/* ---- control verbs --------------------------------------------------------- */

static void ctl_reset(struct sim_ctx *c)
{
	sim_reset_state();
	resp_json_text(c->w, 200, "{\"ok\":true}");
}

static void ctl_faults(struct sim_ctx *c)
{
	struct json_object *o = sim_body_json(c);
	const char *svc = sim_jstr(o, "service"), *mode = sim_jstr(o, "mode");
	int64_t count = 1;
	if (sim_jint(o, "count", &count) == CAMP_EINVAL || count < 0 || count > 1000000) {
		resp_json_text(c->w, 400, "{\"error\":\"count must be a non-negative integer\"}");
		return;
	}
	double rate = 0;
	struct json_object *rv;
	if (o && json_object_object_get_ex(o, "rate", &rv)) {
		if (!json_object_is_type(rv, json_type_double) && !json_object_is_type(rv, json_type_int)) {
			resp_json_text(c->w, 400, "{\"error\":\"rate must be a number from 0 to 1\"}");
			return;
		}
		rate = json_object_get_double(rv);
		if (!(rate >= 0 && rate <= 1)) {
			resp_json_text(c->w, 400, "{\"error\":\"rate must be a number from 0 to 1\"}");
			return;
		}
	}
	int s = -1, f = -1;
	for (int i = 0; svc && i < SVC_SIM; i++)
		if (!strcmp(svc, sim_service_name(i)))
			s = i;
	for (int i = 0; mode && i < FAULT__MAX; i++)
		if (!strcmp(mode, sim_fault_name(i)))
			f = i;
	if (s < 0 || f < 0 || (zsxq_only(f) && s != SVC_ZSXQ)) {
		resp_json_text(c->w, 400, "{\"error\":\"unknown service or mode\"}");
		return;
	}
	sim.fault[s].mode = f;
	sim.fault[s].count = f == FAULT_OK || rate > 0 ? 0 : (int)count;
	sim.fault[s].rate = f == FAULT_OK ? 0 : rate;
	if (f == FAULT_OK || (count == 0 && rate == 0)) {
		sim.fault[s].mode = FAULT_OK;
		sim.fault[s].count = 0;
		sim.fault[s].rate = 0;
	}
	struct json_object *r = json_object_new_object();
	json_object_object_add(r, "service", json_object_new_string(sim_service_name(s)));
	json_object_object_add(r, "mode", json_object_new_string(sim_fault_name(sim.fault[s].mode)));
	json_object_object_add(r, "count", json_object_new_int(sim.fault[s].count));
	if (sim.fault[s].rate > 0)
		json_object_object_add(r, "rate", json_object_new_double(sim.fault[s].rate));
	sim_json_reply(c, 200, r);
}

/* {"ms": N}: refunds created from now on stay PROCESSING for N ms (WeChat's
 * PROCESSING lasts hours to days; tests follow a refund through it). */
static void ctl_refund_delay(struct sim_ctx *c)
{
	int64_t ms = 0;
	if (sim_jint(sim_body_json(c), "ms", &ms) != CAMP_OK || ms < 0 || ms > 7LL * 86400 * 1000) {
		resp_json_text(c->w, 400, "{\"error\":\"ms must be 0..604800000\"}");
		return;
	}
	sim.refund_delay_ms = (long)ms;
	struct json_object *r = json_object_new_object();
	json_object_object_add(r, "ms", json_object_new_int64(ms));
	sim_json_reply(c, 200, r);
}

static void ctl_log(struct sim_ctx *c)
{
	const char *s = json_object_to_json_string_ext(sim.log, JSON_C_TO_STRING_PLAIN |
	                                               JSON_C_TO_STRING_NOSLASHESCAPE);
	char *copy = arena_strdup(c->r->a, s);
	resp_body(c->w, 200, "application/json", copy, strlen(copy));
}

/* /sim/wechatpay/orders/{out_trade_no}/pay */
static int match_pay(const char *path, char *no, size_t n)
{
	const char *pre = "/sim/wechatpay/orders/";
	size_t pl = strlen(pre);
	if (strncmp(path, pre, pl) != 0)
		return 0;
	const char *end = strstr(path + pl, "/pay");
	if (end == NULL || strcmp(end, "/pay") != 0 || end == path + pl ||
	    (size_t)(end - path - pl) >= n)
		return 0;
	memcpy(no, path + pl, (size_t)(end - path - pl));
	no[end - path - pl] = '\0';
	return strchr(no, '/') == NULL;
}

static void control(struct sim_ctx *c)
{
	const char *p = c->r->path;
	int post = c->r->method == M_POST;
	char no[64];
	if (post && !strcmp(p, "/sim/reset"))
		ctl_reset(c);
	else if (post && !strcmp(p, "/sim/faults"))
		ctl_faults(c);
	else if (!post && !strcmp(p, "/sim/log"))
		ctl_log(c);
	else if (post && match_pay(p, no, sizeof(no)))
		sim_wxpay_pay(c, no);
	else if (post && !strcmp(p, "/sim/wechatpay/bills"))
		sim_wxpay_bill(c);
	else if (post && !strcmp(p, "/sim/wechatpay/refund-delay"))
		ctl_refund_delay(c);
	else if (post && !strcmp(p, "/sim/zsxq/checkins"))
		sim_zsxq_add_checkin(c);
	/* issue #13 */
	else if (post && !strcmp(p, "/sim/wechatpay/signing"))
		sim_wxpay_signing(c);
	else if (post && !strcmp(p, "/sim/wechatpay/certificates"))
		sim_wxpay_certificates(c);
	else if (post && !strcmp(p, "/sim/wechatpay/transactions"))
		sim_wxpay_transactions(c);
	else if (post && !strcmp(p, "/sim/wecom/users"))
		sim_wecom_users(c);
	else if (post && !strcmp(p, "/sim/zsxq/projects"))
		sim_zsxq_project(c);
	else if (post && !strcmp(p, "/sim/zsxq/joins"))
		sim_zsxq_join(c);
	else if (post && !strcmp(p, "/sim/zsxq/token"))
		sim_zsxq_token(c);
	else if (!strncmp(p, "/sim/h5pay/", 11))
		sim_wxpay_h5_page(c);
	else if (!strcmp(p, "/sim/") || !strcmp(p, "/sim") || !strncmp(p, "/sim/ui", 7))
		sim_ui_handle(c);
	else
		resp_json_text(c->w, 404, "{\"error\":\"no such simulator endpoint\"}");
}

static void dispatch(struct sim_ctx *c)
{
	switch (c->svc) {
	case SVC_WECHATPAY: sim_wxpay_handle(c); break;
	case SVC_WXOAUTH: sim_oauth_handle(c); break;
	case SVC_WECOM: sim_wecom_handle(c); break;
	case SVC_ZSXQ: sim_zsxq_handle(c); break;
	case SVC_WXMP: sim_wxmp_handle(c); break;
	default: control(c); break;
	}
}

/* ---- one request --------------------------------------------------------- */

/* WeChat Pay answers come compressed when the client takes it (deflate
 * first, as WeChat's are), and with the gzip/deflate faults whatever it
 * asked for (PROTOCOLS §1.6).  The log keeps the plain JSON. */
static void compress_answer(struct sim_ctx *c, FCGX_Request *f)
{
	const char *forced = NULL;
	enum sim_fault m = sim.fault[SVC_WECHATPAY].mode;
	if (m == FAULT_GZIP || m == FAULT_DEFLATE)
		forced = sim_fault_take(SVC_WECHATPAY) == FAULT_GZIP ? "gzip" : "deflate";
	const char *accept = FCGX_GetParam("HTTP_ACCEPT_ENCODING", f->envp);
	const char *enc = forced ? forced : accept && strstr(accept, "deflate") ? "deflate"
	                  : accept && strstr(accept, "gzip") ? "gzip" : NULL;
	if (enc != NULL && sim_compress(c->r->a, c->w, enc) != CAMP_OK)
		log_err("cannot compress an answer (%s)", enc);
}

static void serve(FCGX_Request *f, arena *a)
{
	struct req r;
	struct resp w;
	memset(&r, 0, sizeof(r));
	memset(&w, 0, sizeof(w));
	r.a = a;
	int status;
	struct sim_ctx c = { .r = &r, .w = &w };
	c.request_uri = FCGX_GetParam("REQUEST_URI", f->envp);
	c.authorization = FCGX_GetParam("HTTP_AUTHORIZATION", f->envp);
	c.wechatpay_serial = FCGX_GetParam("HTTP_WECHATPAY_SERIAL", f->envp);
	if (request_build(&r, f, &status) != CAMP_OK) {
		resp_json_text(&w, status, "{\"error\":\"bad request\"}");
		response_send(f, &r, &w);
		return;
	}
	if (c.request_uri == NULL)
		c.request_uri = r.path;
	c.svc = service_of(r.path);
	pthread_mutex_lock(&sim.mu);
	enum sim_fault fault = FAULT_OK;
	/* the official account takes its faults on template sends only (sim_wxmp.c) */
	if (c.svc != SVC_SIM && c.svc != SVC_WXMP && is_request_fault(sim.fault[c.svc].mode))
		fault = sim_fault_take(c.svc);
	if (fault == FAULT_TIMEOUT) {
		pthread_mutex_unlock(&sim.mu);
		sleep(SIM_TIMEOUT_SLEEP_S);
		pthread_mutex_lock(&sim.mu);
	}
	if (fault != FAULT_OK)
		fault_reply(&c, fault);
	else
		dispatch(&c);
	if (c.svc != SVC_SIM) {
		struct json_object *e = sim_log_add(sim_service_name(c.svc), r.method_name,
		                                    c.request_uri, w.status ? w.status : 200,
		                                    (const char *)r.body, r.body_len, w.body, w.len);
		if (c.signed_by != NULL)
			json_object_object_add(e, "wechatpay_serial", json_object_new_string(c.signed_by));
	}
	if (c.svc == SVC_WECHATPAY && w.len > 0)
		compress_answer(&c, f);
	pthread_mutex_unlock(&sim.mu);
	response_send(f, &r, &w);
}

static void *accept_main(void *arg)
{
	(void)arg;
	arena *a = arena_new();
	FCGX_Request f;
	FCGX_InitRequest(&f, listen_fd, 0);
	for (;;) {
		if (FCGX_Accept_r(&f) < 0)
			break;
		serve(&f, a);
		FCGX_Finish_r(&f);
		arena_reset(a);
		pthread_mutex_lock(&sim.mu);
		int stop = sim.stopping;
		pthread_mutex_unlock(&sim.mu);
		if (stop)
			break;
	}
	FCGX_Free(&f, 0);
	arena_free(a);
	return NULL;
}

/* ---- start and stop ------------------------------------------------------ */

struct options {
	const char *socket, *state, *templates;
	int deliverers;              /* issue #18: threads sending callbacks (1: in due order) */
};
#define MAX_DELIVERERS 16

static int parse_args(int argc, char **argv, struct options *o)
{
	sim.time_factor = 1;
	sim.refund_delay_ms = 2000;
	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		long long n;
		if (v == NULL)
			return CAMP_EINVAL;
		if (!strcmp(argv[i], "--socket"))
			o->socket = v;
		else if (!strcmp(argv[i], "--state"))
			o->state = v;
		else if (!strcmp(argv[i], "--templates"))
			o->templates = v;
		else if (!strcmp(argv[i], "--time-factor") && parse_i64(v, 1, 1000000, &n) == CAMP_OK)
			sim.time_factor = (double)n;
		else if (!strcmp(argv[i], "--refund-delay-ms") &&
		         parse_i64(v, 0, 86400000, &n) == CAMP_OK)
			sim.refund_delay_ms = (long)n;
		else if (!strcmp(argv[i], "--deliverers") && parse_i64(v, 1, MAX_DELIVERERS, &n) == CAMP_OK)
			o->deliverers = (int)n;
		else
			return CAMP_EINVAL;
		i++;
	}
	return o->socket && o->state ? CAMP_OK : CAMP_EINVAL;
}

int main(int argc, char **argv)
{
	log_init("camp-sim");
	struct options o = { .deliverers = 1 };
	if (parse_args(argc, argv, &o) != CAMP_OK) {
		fputs("usage: camp-sim --socket PATH --state DIR [--templates DIR]\n"
		      "                [--time-factor N] [--refund-delay-ms MS] [--deliverers N]\n", stderr);
		return 2;
	}
	sim.log = json_object_new_array();
	if (sim_keys_load(o.state) != CAMP_OK || httpc_global_init() != CAMP_OK)
		return 1;
	if (o.templates != NULL && tpl_init(o.templates) != CAMP_OK)
		log_warn("no templates in %s: the UI is unavailable", o.templates);

	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);   /* only the main thread takes them */
	signal(SIGPIPE, SIG_IGN);

	if (FCGX_Init() != 0)
		return 1;
	unlink(o.socket);
	mode_t old = umask(0117);                  /* socket 0660: nginx is in our group */
	listen_fd = FCGX_OpenSocket(o.socket, 64);
	umask(old);
	if (listen_fd < 0) {
		log_err("cannot listen on %s", o.socket);
		return 1;
	}
	chmod(o.socket, 0660);
	log_info("listening on %s (time factor %.0f)", o.socket, sim.time_factor);

	pthread_t th[SIM_THREADS], deliverer[MAX_DELIVERERS];
	for (int i = 0; i < SIM_THREADS; i++)
		pthread_create(&th[i], NULL, accept_main, NULL);
	for (int i = 0; i < o.deliverers; i++)
		pthread_create(&deliverer[i], NULL, sim_deliver_main, NULL);

	int sig;
	sigwait(&set, &sig);
	log_info("stopping on signal %d", sig);
	pthread_mutex_lock(&sim.mu);
	sim.stopping = 1;
	pthread_cond_broadcast(&sim.wake);
	pthread_mutex_unlock(&sim.mu);
	shutdown(listen_fd, SHUT_RDWR);            /* wakes every thread blocked in accept() */
	for (int i = 0; i < SIM_THREADS; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < o.deliverers; i++)
		pthread_join(deliverer[i], NULL);
	close(listen_fd);
	unlink(o.socket);

	pthread_mutex_lock(&sim.mu);
	sim_reset_state();
	free(sim.orders.v);
	free(sim.refunds.v);
	free(sim.bills.v);
	free(sim.projects.v);
	free(sim.topics.v);
	free(sim.msgs.v);
	free(sim.tokens.v);
	free(sim.codes.v);
	free(sim.webhook_times.v);
	free(sim.webhook_keys.v);
	sim_certs_free();
	free(sim.certs.v);
	free(sim.invalid_users.v);
	free(sim.unlicensed_users.v);
	json_object_put(sim.log);
	sim_keys_free();
	pthread_mutex_unlock(&sim.mu);
	httpc_global_cleanup();
	return 0;
}
