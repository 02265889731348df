/* main.c: camp-web, the FastCGI responder: one request at a time, nothing kept. */
#include "camp.h"
#include "db.h"
#include "env.h"
#include "httpc.h"
#include "log.h"
#include "metrics.h"
#include "pagecache.h"
#include "request.h"
#include "response.h"
#include "router.h"
#include "secret.h"
#include "session.h"
#include "tpl.h"

#include <fcgiapp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static volatile sig_atomic_t stopping;

static void on_term(int sig)
{
	(void)sig;
	stopping = 1;
	FCGX_ShutdownPending();   /* makes a blocked accept() give up */
}

static long micros_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000000L + (t1.tv_nsec - t0->tv_nsec) / 1000;
}

/* One request, start to end; everything it allocated goes with the arena. */
static void serve(FCGX_Request *f, arena *a, struct db *d)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	long reconnects = db_reconnects(d);
	struct req r;
	struct resp w;
	memset(&r, 0, sizeof(r));
	memset(&w, 0, sizeof(w));
	r.a = a;
	r.db = d;
	log_set_request(FCGX_GetParam("HTTP_X_REQUEST_ID", f->envp), 0);
	int status;
	if (request_build(&r, f, &status) != CAMP_OK) {
		if (r.path == NULL)
			r.path = "/";
		resp_error(&r, &w, status, status == 413 ? "提交的内容过大" : "请求格式无效");
	} else {
		router_dispatch(&r, &w);
	}
	db_rollback(d);   /* a handler that forgot to finish its transaction loses it */
	if (r.csrf_minted)   /* a form on this response carries a token of a new cookie */
		resp_cookie(&r, &w, CSRF_COOKIE, r.csrf_cookie, -1);
	response_send(f, &r, &w);
	if (db_reconnects(d) != reconnects)
		metrics_db_reconnect();
	metrics_request(router_index(r.route), w.status ? w.status : 200, micros_since(&t0));
	log_set_request(NULL, 0);
}

/* issue #18: libfcgi closes a connection by shutting it down and then reading until nginx
 * closes its end (up to 2 s), so that input we left unread cannot reset the connection under
 * our answer: about a millisecond a request in which the child serves nobody.  When the request
 * has been read to its end (nginx sends nothing after it) there is nothing to reset: the
 * connection is detached so that libfcgi closes it at once.  A request whose input we did not
 * read (refused as too large) keeps the careful close. */
static void close_early_when_read(FCGX_Request *f)
{
	char sink[1024];
	int left = 64 * 1024, n;
	while (left > 0 && (n = FCGX_GetStr(sink, sizeof(sink), f->in)) > 0)
		left -= n;
	if (FCGX_HasSeenEOF(f->in) == EOF)
		FCGX_Detach(f);
}

static const char *pool_name(int argc, char **argv)
{
	for (int i = 1; i + 1 < argc; i++)
		if (!strcmp(argv[i], "--pool"))
			return argv[i + 1];
	return "web";
}

int main(int argc, char **argv)
{
	log_init("camp-web");
	const struct camp_env *env = camp_env_load();
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;   /* no SA_RESTART: accept() must return */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	/* multiwatch 1.0.0 (Debian 12) sends the signal *before* the one named by
	 * -s in its list HUP,INT,QUIT,TERM (-s TERM delivers SIGQUIT): any stop
	 * signal ends the loop normally, so LeakSanitizer still gets to report. */
	sigaction(SIGQUIT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (secret_load_master(env->master_key_file) != CAMP_OK)
		log_err("cannot read the master key %s: sessions and secrets are unavailable",
		        env->master_key_file);
	else
		session_init();
	if (tpl_init(env->template_dir) != CAMP_OK)
		log_err("templates not found in %s", env->template_dir);
	const char *mdir = getenv("CAMP_METRICS_DIR");
	metrics_open(mdir ? mdir : "/run/camp-deposit", pool_name(argc, argv));

	if (httpc_global_init() != CAMP_OK)
		log_err("libcurl failed to initialise: outside services are unavailable");
	struct db *d = db_open(env->db_url);
	arena *a = arena_new();
	if (FCGX_Init() != 0)
		return 1;
	FCGX_Request f;
	FCGX_InitRequest(&f, 0, 0);
	while (!stopping && FCGX_Accept_r(&f) >= 0) {
		serve(&f, a, d);
		close_early_when_read(&f);
		FCGX_Finish_r(&f);
		arena_reset(a);
	}
	FCGX_Free(&f, 1);
	pagecache_free();
	arena_free(a);
	db_close(d);
	secret_forget_master();
	httpc_global_cleanup();
	return 0;
}
