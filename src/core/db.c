/* db.c: the process's PostgreSQL connection, prepared statements, transactions. */
#include "db.h"
#include "camp.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

struct db {
	char *conninfo;
	PGconn *conn;
	int up;                 /* 1 after a successful connect and no failure since */
	long reconnects;
	long connects;
	int in_tx;
	const void **prepared;  /* open-addressing set of prepared statement pointers */
	size_t pcap, pcount;
	char sqlstate[6];
	char errmsg[512];
	const char *listen_sql;  /* issue #18: LISTEN after every connect */
	unsigned long changes;   /* notifications received + connects */
};

db *db_open(const char *conninfo)
{
	db *d = calloc(1, sizeof(*d));
	if (d == NULL)
		abort();
	d->conninfo = strdup(conninfo);
	if (d->conninfo == NULL)
		abort();
	return d;
}

static void forget_prepared(db *d)
{
	free(d->prepared);
	d->prepared = NULL;
	d->pcap = d->pcount = 0;
}

void db_close(db *d)
{
	if (d == NULL)
		return;
	if (d->conn)
		PQfinish(d->conn);
	forget_prepared(d);
	free(d->conninfo);
	free(d);
}

static void notice_quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;   /* NOTICEs (e.g. "relation already exists, skipping") are noise */
}

static int connect_now(db *d)
{
	if (d->conn) {
		PQfinish(d->conn);
		d->conn = NULL;
		d->reconnects++;
	}
	forget_prepared(d);
	d->in_tx = 0;
	/* Dates are Asia/Shanghai calendar days: the session time zone makes
	 * timestamptz::date and the text output agree with that. */
	const char *keys[] = { "dbname", "connect_timeout", "application_name",
	                       "options", NULL };
	const char *vals[] = { d->conninfo, "2", "camp-deposit",
	                       "-c TimeZone=Asia/Shanghai -c statement_timeout=30000",
	                       NULL };
	d->conn = PQconnectdbParams(keys, vals, 1);
	d->connects++;
	if (d->conn == NULL || PQstatus(d->conn) != CONNECTION_OK) {
		snprintf(d->errmsg, sizeof(d->errmsg), "%s",
		         d->conn ? PQerrorMessage(d->conn) : "out of memory");
		log_err("db: connect failed: %s", d->errmsg);
		d->up = 0;
		return CAMP_EDB;
	}
	PQsetNoticeProcessor(d->conn, notice_quiet, NULL);
	d->up = 1;
	d->changes++;
	if (d->listen_sql != NULL && db_exec_sql(d, d->listen_sql) != CAMP_OK)
		d->up = 0;
	return d->up ? CAMP_OK : CAMP_EDB;
}

/* Up as far as libpq knows (db_ok), or connected again (before each statement). */
static int ensure_up(db *d)
{
	return db_ok(d) ? CAMP_OK : connect_now(d);
}

int db_listen(db *d, const char *listen_sql)
{
	if (d->listen_sql == listen_sql && db_ok(d))
		return CAMP_OK;
	d->listen_sql = listen_sql;
	if (!db_ok(d))
		return ensure_up(d);   /* a new connection LISTENs as it connects */
	if (db_exec_sql(d, listen_sql) != CAMP_OK) {
		d->up = 0;
		return CAMP_EDB;
	}
	d->changes++;
	return CAMP_OK;
}

unsigned long db_changes(db *d)
{
	if (d->conn == NULL || !d->up)
		return d->changes;
	if (!PQconsumeInput(d->conn)) {   /* the server went away */
		d->up = 0;
		return ++d->changes;
	}
	PGnotify *n;
	while ((n = PQnotifies(d->conn)) != NULL) {
		PQfreemem(n);
		d->changes++;
	}
	return d->changes;
}

/* A connection the server has closed while it was idle (PostgreSQL restarted, the backend
 * terminated) says so on its socket before anything is sent: the server's goodbye, then the
 * end of the stream.  Looks without blocking and without a round trip; what else waits there
 * (notifications) is read into libpq and stays for db_changes. */
static int closed_by_server(db *d)
{
	int fd = PQsocket(d->conn);
	char c;
	for (int i = 0; i < 2; i++) {
		ssize_t n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
		if (n == 0)
			return 1;
		if (n < 0)
			return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
		if (!PQconsumeInput(d->conn))
			return 1;
	}
	return 0;
}

int db_ensure(db *d)
{
	/* where a request or a job begins, outside a transaction: a connection closed while idle
	 * is made again now, so the request (a member's page, a payment callback) is served
	 * instead of failing on its first statement */
	if (d->conn != NULL && d->up && !d->in_tx && closed_by_server(d)) {
		log_warn("db: the server closed the connection; connecting again");
		d->up = 0;
	}
	return ensure_up(d);
}

int db_ok(db *d)
{
	return d->conn != NULL && d->up && PQstatus(d->conn) == CONNECTION_OK;
}

long db_reconnects(const db *d)
{
	return d->reconnects;
}

PGconn *db_conn(db *d)
{
	return d->conn;
}

const char *db_sqlstate(const db *d)
{
	return d->sqlstate;
}

const char *db_errmsg(const db *d)
{
	return d->errmsg;
}

static size_t slot_of(const void *p, size_t cap)
{
	uintptr_t h = (uintptr_t)p;
	h ^= h >> 17;
	h *= 0x9E3779B97F4A7C15ull;
	return (size_t)(h >> 7) & (cap - 1);
}

static int is_prepared(const db *d, const void *p)
{
	if (d->pcap == 0)
		return 0;
	for (size_t i = slot_of(p, d->pcap);; i = (i + 1) & (d->pcap - 1)) {
		if (d->prepared[i] == NULL)
			return 0;
		if (d->prepared[i] == p)
			return 1;
	}
}

static void mark_prepared(db *d, const void *p)
{
	if ((d->pcount + 1) * 2 > d->pcap) {
		size_t ncap = d->pcap ? d->pcap * 2 : 256;
		const void **n = calloc(ncap, sizeof(*n));
		if (n == NULL)
			abort();
		for (size_t i = 0; i < d->pcap; i++) {
			if (d->prepared[i] == NULL)
				continue;
			size_t j = slot_of(d->prepared[i], ncap);
			while (n[j] != NULL)
				j = (j + 1) & (ncap - 1);
			n[j] = d->prepared[i];
		}
		free(d->prepared);
		d->prepared = n;
		d->pcap = ncap;
	}
	size_t i = slot_of(p, d->pcap);
	while (d->prepared[i] != NULL)
		i = (i + 1) & (d->pcap - 1);
	d->prepared[i] = p;
	d->pcount++;
}

/* Records the failure of res (or of the connection) and decides whether
 * the connection is still usable. */
static void note_failure(db *d, const PGresult *res, const char *what)
{
	const char *st = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	snprintf(d->sqlstate, sizeof(d->sqlstate), "%s", st ? st : "");
	snprintf(d->errmsg, sizeof(d->errmsg), "%s",
	         res ? PQresultErrorMessage(res) : PQerrorMessage(d->conn));
	/* strip the trailing newline libpq adds */
	size_t n = strlen(d->errmsg);
	while (n > 0 && (d->errmsg[n - 1] == '\n' || d->errmsg[n - 1] == ' '))
		d->errmsg[--n] = '\0';
	if (PQstatus(d->conn) != CONNECTION_OK) {
		d->up = 0;
		log_err("db: connection lost during %s: %s", what, d->errmsg);
		return;
	}
	/* constraint violations are expected outcomes: the caller decides */
	if (st != NULL && strncmp(st, "23", 2) == 0)
		log_info("db: %s: %s", what, d->errmsg);
	else
		log_err("db: %s failed [%s]: %s", what, d->sqlstate, d->errmsg);
}

static int ok_status(const PGresult *res)
{
	ExecStatusType s = PQresultStatus(res);
	return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
}

static PGresult *run(db *d, const struct db_stmt *st, int n,
                     const char *const *params, int binary)
{
	d->sqlstate[0] = '\0';
	d->errmsg[0] = '\0';
	if (!d->in_tx && ensure_up(d) != CAMP_OK)
		return NULL;
	if (d->conn == NULL || !d->up)
		return NULL;
	char name[32];
	snprintf(name, sizeof(name), "s%lx", (unsigned long)(uintptr_t)st);
	if (!is_prepared(d, st)) {
		PGresult *pr = PQprepare(d->conn, name, st->sql, 0, NULL);
		if (pr == NULL || !ok_status(pr)) {
			note_failure(d, pr, "prepare");
			if (pr)
				log_err("db: statement was: %.200s", st->sql);
			PQclear(pr);
			return NULL;
		}
		PQclear(pr);
		mark_prepared(d, st);
	}
	PGresult *res = PQexecPrepared(d->conn, name, n, params, NULL, NULL, binary);
	if (res == NULL || !ok_status(res)) {
		note_failure(d, res, "query");
		PQclear(res);
		return NULL;
	}
	return res;
}

PGresult *db_q_raw(db *d, const struct db_stmt *st, int n,
                   const char *const *params)
{
	return run(d, st, n, params, 0);
}

static void clear_res(void *p)
{
	PQclear(p);
}

PGresult *db_q(db *d, arena *a, const struct db_stmt *st, int n,
               const char *const *params)
{
	PGresult *res = db_q_raw(d, st, n, params);
	if (res != NULL)
		arena_defer(a, clear_res, res);
	return res;
}

PGresult *db_q_binary(db *d, arena *a, const struct db_stmt *st, int n,
                      const char *const *params)
{
	PGresult *res = run(d, st, n, params, 1);
	if (res != NULL)
		arena_defer(a, clear_res, res);
	return res;
}

int db_exec_sql(db *d, const char *sql)
{
	d->sqlstate[0] = '\0';
	if (!d->in_tx && ensure_up(d) != CAMP_OK)
		return CAMP_EDB;
	PGresult *res = PQexec(d->conn, sql);
	int ok = res != NULL && ok_status(res);
	if (!ok)
		note_failure(d, res, "exec");
	PQclear(res);
	return ok ? CAMP_OK : CAMP_EDB;
}

int db_begin(db *d)
{
	if (ensure_up(d) != CAMP_OK)
		return CAMP_EDB;
	if (db_exec_sql(d, "BEGIN") != CAMP_OK)
		return CAMP_EDB;
	d->in_tx = 1;
	return CAMP_OK;
}

int db_commit(db *d)
{
	int rc = db_exec_sql(d, "COMMIT");
	d->in_tx = 0;
	return rc;
}

void db_rollback(db *d)
{
	if (d->conn == NULL)
		return;
	d->in_tx = 0;
	if (PQtransactionStatus(d->conn) != PQTRANS_IDLE &&
	    PQstatus(d->conn) == CONNECTION_OK) {
		PGresult *res = PQexec(d->conn, "ROLLBACK");
		PQclear(res);
	}
}

const char *db_get(const PGresult *res, int r, const char *col)
{
	int c = PQfnumber(res, col);
	if (c < 0) {
		log_err("db: no column %s in result", col);
		return NULL;
	}
	if (r >= PQntuples(res) || PQgetisnull(res, r, c))
		return NULL;
	return PQgetvalue(res, r, c);
}

long long db_get_ll(const PGresult *res, int r, const char *col, long long dflt)
{
	const char *v = db_get(res, r, col);
	if (v == NULL)
		return dflt;
	char *end;
	long long x = strtoll(v, &end, 10);
	return *end == '\0' ? x : dflt;
}

int db_get_bool(const PGresult *res, int r, const char *col)
{
	const char *v = db_get(res, r, col);
	return v != NULL && v[0] == 't';
}

long long *db_get_ids(const PGresult *res, arena *a, const char *col, int *n)
{
	*n = PQntuples(res);
	long long *ids = arena_alloc(a, sizeof(*ids) * (size_t)(*n + 1));
	for (int i = 0; i < *n; i++)
		ids[i] = db_get_ll(res, i, col, 0);
	return ids;
}
