/* main.c: camp-web, the FastCGI responder (accept loop). */
#include "camp.h"
#include "db.h"
#include "env.h"
#include "log.h"

#include <fcgiapp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile sig_atomic_t stopping;

static void on_term(int sig)
{
	(void)sig;
	stopping = 1;
	FCGX_ShutdownPending();
}

static void reply(FCGX_Request *r, int status, const char *ctype, const char *body)
{
	FCGX_FPrintF(r->out, "Status: %d\r\nContent-Type: %s\r\n"
	             "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n\r\n%s",
	             status, ctype, body);
}

static const struct db_stmt q_ping = DB_STMT("SELECT 1");

static void healthz(FCGX_Request *r, db *d)
{
	PGresult *res = db_q_raw(d, &q_ping, 0, NULL);
	if (res != NULL)
		reply(r, 200, "application/json", "{\"status\":\"ok\",\"db\":\"ok\"}");
	else
		reply(r, 503, "application/json", "{\"status\":\"unavailable\",\"db\":\"down\"}");
	PQclear(res);
}

int main(void)
{
	log_init("camp-web");
	const struct camp_env *env = camp_env_load();
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;   /* no SA_RESTART: accept() must return */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	db *d = db_open(env->db_url);
	if (FCGX_Init() != 0)
		return 1;
	FCGX_Request r;
	FCGX_InitRequest(&r, 0, 0);
	while (!stopping && FCGX_Accept_r(&r) >= 0) {
		const char *path = FCGX_GetParam("DOCUMENT_URI", r.envp);
		if (path && !strcmp(path, "/healthz"))
			healthz(&r, d);
		else
			reply(&r, 404, "text/plain; charset=utf-8", "not found\n");
		FCGX_Finish_r(&r);
	}
	FCGX_Free(&r, 1);
	db_close(d);
	return 0;
}
