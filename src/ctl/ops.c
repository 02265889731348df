/* ops.c: campctl migrate, restore, backup record and rekey — the operator's side of backups and keys (issue #17). */
#include "ops.h"
#include "camp.h"
#include "clock.h"
#include "crypto.h"
#include "db.h"
#include "env.h"
#include "httpc.h"
#include "log.h"
#include "migrate.h"
#include "rekey.h"
#include "secret.h"
#include "text.h"
#include "worker.h"

#include <errno.h>
#include <json-c/json.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* What a complete plain pg_dump ends with; a dump cut short does not. */
#define DUMP_END "-- PostgreSQL database dump complete"

db *ctl_open_db(void)
{
	db *d = db_open(camp_env()->db_url);
	if (db_ensure(d) != CAMP_OK) {
		fprintf(stderr, "campctl: cannot connect to the database: %s\n", db_errmsg(d));
		db_close(d);
		return NULL;
	}
	return d;
}

/* ---- campctl migrate ------------------------------------------------------ */

/* What SQL cannot do, after the migration that needs it (migrate.h). */
static const struct migrate_step steps[] = {
	{ "011", rekey_migrate_011 },     /* payment data sealed at rest */
};

int ctl_migrate(db *d, int *applied)
{
	const char *dir = getenv("CAMP_SQL_DIR");
	return migrate_run(d, dir && *dir ? dir : SQL_DIR_DEFAULT, steps, CAMP_ARRAY_LEN(steps), applied);
}

/* ---- campctl restore FILE [--force] -------------------------------------- */

/* Relations in any schema of ours: an empty database has none. */
static const struct db_stmt q_relations = DB_STMT(
	"SELECT count(*) AS n FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace"
	" WHERE s.nspname NOT IN ('pg_catalog', 'information_schema')"
	"   AND s.nspname NOT LIKE 'pg\\_toast%' AND s.nspname NOT LIKE 'pg\\_temp%'");

/* FILE.sha256 ("<hex>  <name>", as sha256sum writes it) must match, when there is one. */
static int check_checksum(const char *file)
{
	char *sumfile = NULL;
	if (asprintf(&sumfile, "%s.sha256", file) < 0)
		return CAMP_ERR;
	FILE *f = fopen(sumfile, "r");
	if (f == NULL) {
		fprintf(stderr, "campctl: warning: no %s: the dump's integrity rests on gzip alone\n",
		        sumfile);
		free(sumfile);
		return CAMP_OK;
	}
	char want[80] = "";
	int got = fscanf(f, "%79s", want);
	fclose(f);
	char have[65];
	int rc = CAMP_OK;
	if (got != 1 || strlen(want) != 64) {
		fprintf(stderr, "campctl: %s is not a SHA-256 checksum file\n", sumfile);
		rc = CAMP_EINVAL;
	} else if (crypto_sha256_file(file, have) != CAMP_OK) {
		fprintf(stderr, "campctl: cannot read %s\n", file);
		rc = CAMP_ERR;
	} else if (strcmp(want, have) != 0) {
		fprintf(stderr, "campctl: %s does not match its checksum (%s): refusing to restore a "
		        "damaged backup\n", file, sumfile);
		rc = CAMP_EINVAL;
	}
	free(sumfile);
	return rc;
}

/* argv[0] from PATH with stdin/stdout redirected (-1 = inherited).  The
 * pipes are O_CLOEXEC, so the child keeps only what dup2 gives it. */
static int spawn(pid_t *pid, char *const argv[], int in_fd, int out_fd)
{
	fflush(NULL);
	*pid = fork();
	if (*pid < 0) {
		perror("campctl: fork");
		return CAMP_ERR;
	}
	if (*pid == 0) {
		if ((in_fd >= 0 && dup2(in_fd, 0) < 0) || (out_fd >= 0 && dup2(out_fd, 1) < 0))
			_exit(127);
		execvp(argv[0], argv);
		fprintf(stderr, "campctl: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	return CAMP_OK;
}

static int wait_ok(pid_t pid)
{
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 0;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return CAMP_ERR;
		p += w;
		n -= (size_t)w;
	}
	return CAMP_OK;
}

/* gzip -dc FILE | psql --single-transaction, with this process in the middle:
 * it only lets psql commit (by closing its input) once gzip finished cleanly
 * and the dump ended as pg_dump ends it.  Otherwise psql is killed and the
 * server rolls everything back.  --force empties the schema first, in the
 * same transaction, so a failed restore leaves the old data in place. */
static int load_dump(const char *file, int force)
{
	int gz[2], ps[2];
	if (pipe2(gz, O_CLOEXEC) != 0 || pipe2(ps, O_CLOEXEC) != 0) {
		perror("campctl: pipe");
		return CAMP_ERR;
	}
	char *gz_argv[] = { "gzip", "-dc", "--", (char *)file, NULL };
	char *ps_argv[] = { "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction",
	                    "-f", "-", "-d", (char *)camp_env()->db_url, NULL };
	pid_t gz_pid = -1, ps_pid = -1;
	/* the dump's SELECT setval(…) answers are noise; psql's errors go to stderr */
	int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	int rc = spawn(&gz_pid, gz_argv, -1, gz[1]);
	if (rc == CAMP_OK)
		rc = spawn(&ps_pid, ps_argv, ps[0], devnull);
	if (devnull >= 0)
		close(devnull);
	close(gz[1]);
	close(ps[0]);
	static const char prelude[] = "DROP SCHEMA IF EXISTS public CASCADE;\nCREATE SCHEMA public;\n";
	int fed = rc == CAMP_OK && (!force || write_all(ps[1], prelude, sizeof(prelude) - 1) == CAMP_OK);
	char tail[256] = "", buf[65536];
	size_t tlen = 0;
	ssize_t n;
	while (rc == CAMP_OK && (n = read(gz[0], buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fed = 0;
			break;
		}
		/* keep reading gzip to its end even after psql gave up */
		if (fed && write_all(ps[1], buf, (size_t)n) != CAMP_OK)
			fed = 0;
		size_t keep = (size_t)n >= sizeof(tail) - 1 ? sizeof(tail) - 1 : (size_t)n;
		if (tlen + keep > sizeof(tail) - 1) {
			size_t drop = tlen + keep - (sizeof(tail) - 1);
			memmove(tail, tail + drop, tlen - drop);
			tlen -= drop;
		}
		memcpy(tail + tlen, buf + n - keep, keep);
		tlen += keep;
		tail[tlen] = '\0';
	}
	close(gz[0]);
	int gz_ok = gz_pid > 0 && wait_ok(gz_pid);
	int complete = gz_ok && strstr(tail, DUMP_END) != NULL;
	if (rc == CAMP_OK && !complete) {
		fprintf(stderr, "campctl: %s is %s: nothing was restored\n", file,
		        gz_ok ? "not a complete pg_dump (its end is missing)" : "not a readable gzip file");
		kill(ps_pid, SIGTERM);   /* before its input ends: psql never commits */
		rc = CAMP_EINVAL;
	}
	close(ps[1]);
	int ps_ok = ps_pid > 0 && wait_ok(ps_pid);
	if (rc == CAMP_OK && (!fed || !ps_ok)) {
		fprintf(stderr, "campctl: psql could not load %s (see its message above): nothing was "
		        "restored\n", file);
		rc = CAMP_EDB;
	}
	return rc;
}

static const struct db_stmt q_key_id = DB_STMT("SELECT key_id FROM master_key");

/* A dump made before a key rotation is sealed under the key of its time: say so
 * plainly, with what to do, rather than let the services fail on every secret. */
static int key_matches(db *d)
{
	arena *a = arena_new();
	PGresult *res = db_q(d, a, &q_key_id, 0, NULL);
	const char *have = res && PQntuples(res) == 1 ? db_get(res, 0, "key_id") : NULL;
	int loaded = secret_have_master() || secret_load_master(camp_env()->master_key_file) == CAMP_OK;
	const char *own = secret_master_id(secret_own_master());
	int ok = have == NULL || (loaded && !strcmp(have, own));
	if (!ok)
		fprintf(stderr, "campctl: restored, but this backup is sealed under master key %s and %s "
		        "(CAMP_MASTER_KEY_FILE) %s%s: the services cannot open its settings or payment "
		        "data with it.  Either run them with the key file of the backup's time (id %s), "
		        "or rotate the restored database to today's key: CAMP_MASTER_KEY_FILE=<the old "
		        "key file> campctl rekey %s\n", have, camp_env()->master_key_file,
		        loaded ? "holds " : "cannot be read", loaded ? own : "", have,
		        camp_env()->master_key_file);
	arena_free(a);
	return ok;
}

/* The books job ends successfully when it could check, also when it found
 * differences: those are in its detail, {"ok": false} at the top or in one
 * of its "runs" (one per bill date). */
static int books_differ(const char *detail)
{
	struct json_object *o = detail ? json_tokener_parse(detail) : NULL, *v;
	int differ = 0;
	if (o != NULL && json_object_object_get_ex(o, "ok", &v) && !json_object_get_boolean(v))
		differ = 1;
	if (o != NULL && json_object_object_get_ex(o, "runs", &v) &&
	    json_object_is_type(v, json_type_array))
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			struct json_object *ok;
			if (json_object_object_get_ex(json_object_array_get_idx(v, i), "ok", &ok) &&
			    !json_object_get_boolean(ok))
				differ = 1;
		}
	json_object_put(o);
	return differ;
}

/* The books check of the money-integrity issue, through the job registry,
 * when this build has it.  0 = held, 1 = differences, -1 = not available. */
static int run_books(db *d)
{
	const struct job_def *j = job_def_find("books");
	if (j == NULL) {
		printf("books: no books check in this build, skipped\n");
		return -1;
	}
	if (secret_load_master(camp_env()->master_key_file) != CAMP_OK)
		fprintf(stderr, "campctl: cannot read the master key %s: encrypted settings are "
		        "unavailable to the books check\n", camp_env()->master_key_file);
	httpc_global_init();
	struct job_result res;
	job_run_now(d, j, 0, NULL, JOB_LOCK_WAIT, NULL, &res);
	int bad = res.rc != CAMP_OK || books_differ(res.detail);
	if (res.rc != CAMP_OK)
		fprintf(stderr, "campctl: books: %s\n", res.reason);
	else if (bad)
		fprintf(stderr, "campctl: books: differences found %s (campctl books --date … lists them)\n",
		        res.detail ? res.detail : "{}");
	else
		printf("books: every check holds %s\n", res.detail ? res.detail : "{}");
	free(res.detail);
	httpc_global_cleanup();
	return bad;
}

int ctl_restore(int argc, char **argv)
{
	const char *file = NULL;
	int force = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--force"))
			force = 1;
		else if (file == NULL && argv[i][0] != '-')
			file = argv[i];
		else
			return 2;
	}
	struct stat st;
	if (file == NULL)
		return 2;
	signal(SIGPIPE, SIG_IGN);   /* psql may stop reading: that is an error, not a death */
	if (stat(file, &st) != 0 || !S_ISREG(st.st_mode) || access(file, R_OK) != 0) {
		fprintf(stderr, "campctl: cannot read %s\n", file);
		return 1;
	}
	if (check_checksum(file) != CAMP_OK)
		return 1;
	db *d = ctl_open_db();
	if (d == NULL)
		return 1;
	arena *a = arena_new();
	PGresult *res = db_q(d, a, &q_relations, 0, NULL);
	long long rels = res ? db_get_ll(res, 0, "n", -1) : -1;
	arena_free(a);
	/* psql gets its own connection; ours would hold nothing, but need not linger */
	db_close(d);
	if (rels < 0) {
		fprintf(stderr, "campctl: cannot inspect the database\n");
		return 1;
	}
	if (rels > 0 && !force) {
		fprintf(stderr, "campctl: the database is not empty (%lld tables, views or sequences): "
		        "restore into an empty database, or add --force to replace everything in it\n",
		        rels);
		return 1;
	}
	if (load_dump(file, force) != CAMP_OK)
		return 1;
	printf("restored %s%s\n", file, force && rels > 0 ? " (the previous contents were replaced)" : "");
	/* a dump of an older release gets this release's schema */
	d = ctl_open_db();
	if (d == NULL)
		return 1;
	int applied = 0;
	if (ctl_migrate(d, &applied) != CAMP_OK) {
		fprintf(stderr, "campctl: restored, but the migration failed (see the log above)\n");
		db_close(d);
		return 1;
	}
	printf(applied ? "migrate: applied %d migration(s)\n" : "migrate: up to date\n", applied);
	if (!key_matches(d)) {
		db_close(d);
		return 1;
	}
	int books = run_books(d);
	db_close(d);
	if (books > 0) {
		fprintf(stderr, "campctl: restored, but the books check found differences (above)\n");
		return 3;
	}
	return 0;
}

/* ---- campctl backup record ------------------------------------------------ */

static const struct db_stmt q_backup_run = DB_STMT(
	"INSERT INTO backup_run (finished_at, outcome, file_name, bytes, sha256, offsite, error, host)"
	" VALUES ($1::timestamptz, $2, $3, $4::bigint, $5, $6, $7, $8) RETURNING id");

int ctl_backup(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "record") != 0)
		return 2;
	const char *outcome = NULL, *file = NULL, *bytes = NULL, *sha = NULL, *error = NULL;
	const char *offsite = "off";
	for (int i = 2; i + 1 < argc; i += 2) {
		const char *k = argv[i], *v = argv[i + 1];
		if (!strcmp(k, "--outcome"))
			outcome = v;
		else if (!strcmp(k, "--file"))
			file = v;
		else if (!strcmp(k, "--bytes"))
			bytes = v;
		else if (!strcmp(k, "--sha256"))
			sha = v;
		else if (!strcmp(k, "--offsite"))
			offsite = v;
		else if (!strcmp(k, "--error"))
			error = v;
		else
			return 2;
	}
	if (argc % 2 != 0)
		return 2;
	long long nbytes = 0;
	char *end = NULL;
	if (bytes != NULL) {
		errno = 0;
		nbytes = strtoll(bytes, &end, 10);
	}
	if (outcome == NULL || (strcmp(outcome, "verified") && strcmp(outcome, "failed")) ||
	    (strcmp(offsite, "off") && strcmp(offsite, "copied") && strcmp(offsite, "failed")) ||
	    (bytes != NULL && (errno != 0 || *end != '\0' || nbytes < 0)) ||
	    (sha != NULL && !text_is_hex(sha, 64)) ||
	    (!strcmp(outcome, "verified") && (file == NULL || sha == NULL))) {
		fprintf(stderr, "campctl: backup record needs --outcome verified|failed; a verified "
		        "backup needs --file and --sha256 (64 hex digits); --offsite off|copied|failed\n");
		return 2;
	}
	db *d = ctl_open_db();
	if (d == NULL)
		return 1;
	clock_refresh(d);
	char now[40], host[100];
	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "unknown");
	host[sizeof(host) - 1] = '\0';
	const char *p[] = { clock_now_param(now, sizeof(now)), outcome, file, bytes, sha, offsite,
	                    error, host };
	PGresult *res = db_q_raw(d, &q_backup_run, 8, p);
	int rc = res != NULL && PQntuples(res) == 1 ? 0 : 1;
	if (rc == 0)
		printf("recorded backup run %s (%s)\n", PQgetvalue(res, 0, 0), outcome);
	else
		fprintf(stderr, "campctl: cannot record the backup run: %s\n", db_errmsg(d));
	PQclear(res);
	db_close(d);
	return rc;
}

/* ---- campctl rekey NEW_KEY_FILE ------------------------------------------ */

int ctl_rekey(int argc, char **argv)
{
	if (argc != 2 || argv[1][0] == '-')
		return 2;
	const char *next_file = argv[1], *key_file = camp_env()->master_key_file;
	if (secret_load_master(key_file) != CAMP_OK) {
		fprintf(stderr, "campctl: cannot read the master key in use, %s (CAMP_MASTER_KEY_FILE)\n",
		        key_file ? key_file : "(unset)");
		return 1;
	}
	int rc;
	struct secret_master *next = secret_master_read(next_file, &rc);
	if (next == NULL) {
		if (rc == CAMP_EINVAL || rc == CAMP_ETOOBIG)
			fprintf(stderr, "campctl: %s is not a key file: it must hold 32 to 4096 bytes of key "
			        "material (make one with: openssl rand -hex 32 >%s)\n", next_file, next_file);
		else
			fprintf(stderr, "campctl: cannot read %s\n", next_file);
		return 1;
	}
	struct stat st;
	if (stat(next_file, &st) == 0 && (st.st_mode & 0007))
		fprintf(stderr, "campctl: warning: %s can be read by every user of this machine "
		        "(chmod 0640 it, owner root, group camp)\n", next_file);
	db *d = ctl_open_db();
	if (d == NULL) {
		secret_master_free(next);
		return 1;
	}
	const char *old = secret_master_id(secret_own_master());
	struct rekey_tally t;
	char why[600];
	rc = rekey_run(d, secret_own_master(), next, &t, why, sizeof(why));
	db_close(d);
	if (rc != CAMP_OK) {
		fprintf(stderr, "campctl: rekey: %s; nothing was changed\n", why);
		secret_master_free(next);
		return 1;
	}
	printf("rekey: the database is now sealed under master key %s (it was %s): %lld settings, "
	       "%lld robot keys and %lld payment values (%lld openid indexes) sealed again in one "
	       "transaction.\n", secret_master_id(next), old, t.settings, t.robot_keys, t.values,
	       t.indexes);
	printf("The running services still hold the old key: until they are restarted with the new one, "
	       "payments, callbacks (WeChat delivers them again) and sign-ins fail.  Now, on every host:\n"
	       "  1. install -o root -g camp -m 0640 %s %s\n"
	       "  2. systemctl restart camp-web camp-pay camp-worker\n"
	       "Keep the old key file (id %s), apart from the backups, for as long as backups made before "
	       "now exist: they restore only with it.  Staff sign in again; members inside WeChat are "
	       "asked for their openid again.\n", next_file, key_file, old);
	secret_master_free(next);
	return 0;
}
