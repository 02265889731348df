/* db.h: one libpq connection per process, prepared statements, transactions. */
#ifndef CAMP_DB_H
#define CAMP_DB_H

#include <libpq-fe.h>
#include "arena.h"

/* A statement is declared once, next to the function that runs it:
 *     static const struct db_stmt q_camp_get = DB_STMT("SELECT … WHERE id = $1");
 * It is prepared on first use on each connection and re-prepared after a
 * reconnect.  Only parameters ever carry values: no SQL is built at run time. */
struct db_stmt {
	const char *sql;
};
#define DB_STMT(text) { text }

typedef struct db db;

db *db_open(const char *conninfo);  /* never NULL; connects lazily */
void db_close(db *d);

/* Makes sure the connection is up (reconnecting if needed); CAMP_OK or CAMP_EDB.  Called
 * where a request or a job begins: it also notices, without a round trip, a connection the
 * server closed while it was idle (a restart of PostgreSQL) and connects again. */
int db_ensure(db *d);
int db_ok(db *d);                   /* cheap: last known state, no round trip */
long db_reconnects(const db *d);

/* Runs a prepared statement with text parameters (NULL = SQL NULL).
 * Returns the result (PGRES_COMMAND_OK or PGRES_TUPLES_OK) or NULL after
 * logging the error; the SQLSTATE of the last failure is in db_sqlstate().
 * The result is registered on the arena and freed with it. */
PGresult *db_q(db *d, arena *a, const struct db_stmt *st, int n,
               const char *const *params);
/* Same, with every result column in binary format (bytea without hex). */
PGresult *db_q_binary(db *d, arena *a, const struct db_stmt *st, int n,
                      const char *const *params);
/* Same as db_q, caller owns the result (PQclear). */
PGresult *db_q_raw(db *d, const struct db_stmt *st, int n,
                   const char *const *params);
/* Runs plain SQL without parameters (migrations, BEGIN/COMMIT). CAMP_OK or CAMP_EDB. */
int db_exec_sql(db *d, const char *sql);
const char *db_sqlstate(const db *d);   /* "" when none */
const char *db_errmsg(const db *d);

/* Transactions: one user action = one transaction. */
int db_begin(db *d);
int db_commit(db *d);
void db_rollback(db *d);            /* safe to call when no tx is open */

PGconn *db_conn(db *d);

/* --- issue #18: changes pushed with LISTEN/NOTIFY ---
 * db_listen: this connection LISTENs with the constant statement listen_sql
 * ("LISTEN channel") from now on, again after every reconnect.  CAMP_OK or
 * CAMP_EDB.  db_changes: a number that grows with every notification the
 * server has already sent to this connection, and with every (re)connect
 * (notifications are lost while disconnected).  No round trip: it reads only
 * what is waiting on the socket. */
int db_listen(db *d, const char *listen_sql);
unsigned long db_changes(db *d);

/* Row helpers over a result (row r, column by name). NULL for SQL NULL. */
const char *db_get(const PGresult *res, int r, const char *col);
long long db_get_ll(const PGresult *res, int r, const char *col, long long dflt);
int db_get_bool(const PGresult *res, int r, const char *col);
/* Column col of every row as an arena array of ids (*n rows). */
long long *db_get_ids(const PGresult *res, arena *a, const char *col, int *n);

#endif
