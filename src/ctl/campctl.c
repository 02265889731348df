/* campctl.c: the operator's command line (ARCHITECTURE §4 "Operator CLI"). */
#include "books.h"
#include "camp.h"
#include "config.h"
#include "dates.h"
#include "db.h"
#include "env.h"
#include "httpc.h"
#include "log.h"
#include "ops.h"
#include "password.h"
#include "secret.h"
#include "seed_demo.h"
#include "settings.h"
#include "worker.h"
#include "wxpay_certs.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(void)
{
	fputs("usage: campctl migrate\n"
	      "       campctl user add NAME --role admin|manager|coach|volunteer [--password-file F]\n"
	      "       campctl user passwd NAME [--password-file F]\n"
	      "       campctl config get KEY\n"
	      "       campctl config set KEY VALUE|@FILE\n"
	      "       campctl job run JOB   (in the foreground; waits for the job's lock)\n"
	      "       campctl seed-demo     (demo camps, members, check-ins, refunds; once)\n"
	      "       campctl books [--date YYYY-MM-DD]   (money invariants + that day's WeChat Pay bill;\n"
	      "                     default: the latest bill WeChat has published)\n"
	      "       campctl restore FILE [--force]   (a camp-backup dump into an empty database)\n"
	      "       campctl backup record --outcome verified|failed [--file NAME] [--bytes N]\n"
	      "                             [--sha256 HEX] [--offsite off|copied|failed] [--error TEXT]\n"
	      "       campctl rekey NEW_KEY_FILE   (seal everything again under a new master key)\n",
	      stderr);
	return 2;
}

/* The first line of a file, without its newline.  malloc'd or NULL. */
static char *first_line(const char *path)
{
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		fprintf(stderr, "campctl: cannot open %s\n", path);
		return NULL;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, f);
	fclose(f);
	if (n <= 0) {
		free(line);
		return NULL;
	}
	line[strcspn(line, "\r\n")] = '\0';
	return line;
}

/* The whole file (for PEM keys given as @FILE), without a final newline. */
static char *whole_file(const char *path)
{
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		fprintf(stderr, "campctl: cannot open %s\n", path);
		return NULL;
	}
	char *s = NULL;
	size_t len = 0, cap = 0;
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (len + n + 1 > cap) {
			cap = (len + n + 1) * 2;
			char *t = realloc(s, cap);
			if (t == NULL)
				abort();
			s = t;
		}
		memcpy(s + len, chunk, n);
		len += n;
	}
	fclose(f);
	if (s == NULL)
		return strdup("");
	while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r'))
		len--;
	s[len] = '\0';
	return s;
}

static int cmd_migrate(void)
{
	db *d = ctl_open_db();
	if (d == NULL)
		return 1;
	int applied = 0;
	int rc = ctl_migrate(d, &applied);
	db_close(d);
	if (rc != CAMP_OK) {
		fprintf(stderr, "campctl: migration failed (see the log above)\n");
		return 1;
	}
	printf(applied ? "applied %d migration(s)\n" : "up to date\n", applied);
	return 0;
}

static const struct db_stmt q_oplog = DB_STMT(
	"INSERT INTO operation_log (operator_id, operator_name, operation_type,"
	" operation_desc, target_type, target_id, target_name, success)"
	" VALUES (NULL, 'campctl', $1, $2, $3, $4::bigint, $5, true)");

static int oplog(db *d, const char *type, const char *desc, const char *ttype,
                 const char *tid, const char *tname)
{
	const char *p[] = { type, desc, ttype, tid, tname };
	PGresult *res = db_q_raw(d, &q_oplog, 5, p);
	PQclear(res);
	return res ? CAMP_OK : CAMP_EDB;
}

static int valid_username(const char *u)
{
	size_t n = strlen(u);
	if (n < 3 || n > 50)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = u[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
			return 0;
	}
	return 1;
}

static int valid_role(const char *r)
{
	return r && (!strcmp(r, "admin") || !strcmp(r, "manager") ||
	             !strcmp(r, "coach") || !strcmp(r, "volunteer"));
}

/* Password from --password-file, or a generated one printed once. */
static char *obtain_password(const char *file, int *generated)
{
	*generated = 0;
	if (file != NULL) {
		char *pw = first_line(file);
		if (pw == NULL || strlen(pw) < 8) {
			fprintf(stderr, "campctl: the password must have at least 8 characters\n");
			free(pw);
			return NULL;
		}
		return pw;
	}
	char *pw = malloc(24);
	if (pw == NULL || password_generate(pw, 24) != CAMP_OK) {
		free(pw);
		return NULL;
	}
	*generated = 1;
	return pw;
}

static const struct db_stmt q_user_add = DB_STMT(
	"INSERT INTO system_user (username, password, role, status, password_changed_at)"
	" VALUES ($1, $2, $3, 'active', now()) RETURNING id");
static const struct db_stmt q_user_passwd = DB_STMT(
	"UPDATE system_user SET password = $2, session_epoch = session_epoch + 1,"
	" password_changed_at = now()"
	" WHERE lower(username) = lower($1) AND deleted_at IS NULL RETURNING id");

static int cmd_user(int argc, char **argv)
{
	if (argc < 3)
		return usage();
	const char *verb = argv[1], *name = argv[2], *role = NULL, *pwfile = NULL;
	for (int i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "--role") && i + 1 < argc)
			role = argv[++i];
		else if (!strcmp(argv[i], "--password-file") && i + 1 < argc)
			pwfile = argv[++i];
		else
			return usage();
	}
	int adding = !strcmp(verb, "add");
	if (!adding && strcmp(verb, "passwd") != 0)
		return usage();
	if (!valid_username(name)) {
		fprintf(stderr, "campctl: a username has 3–50 of [A-Za-z0-9_.-]\n");
		return 2;
	}
	if (adding && !valid_role(role)) {
		fprintf(stderr, "campctl: --role must be admin, manager, coach or volunteer\n");
		return 2;
	}
	int generated;
	char *pw = obtain_password(pwfile, &generated);
	if (pw == NULL)
		return 1;
	char *hash = password_hash(pw);
	db *d = hash ? ctl_open_db() : NULL;
	int rc = 1;
	if (d == NULL)
		goto out;
	if (db_begin(d) != CAMP_OK)
		goto out;
	const char *p[] = { name, hash, role };
	PGresult *res = db_q_raw(d, adding ? &q_user_add : &q_user_passwd,
	                         adding ? 3 : 2, p);
	if (res == NULL || PQntuples(res) != 1) {
		if (res == NULL && !strcmp(db_sqlstate(d), "23505"))
			fprintf(stderr, "campctl: user %s already exists\n", name);
		else if (res != NULL)
			fprintf(stderr, "campctl: no user %s\n", name);
		else
			fprintf(stderr, "campctl: %s\n", db_errmsg(d));
		PQclear(res);
		db_rollback(d);
		goto out;
	}
	char id[24];
	snprintf(id, sizeof(id), "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	char desc[160];
	snprintf(desc, sizeof(desc), adding ? "命令行创建用户（角色 %s）" : "命令行重置密码%s",
	         adding ? role : "");
	if (oplog(d, adding ? "CREATE_USER" : "RESET_PASSWORD", desc, "user", id, name) != CAMP_OK ||
	    db_commit(d) != CAMP_OK) {
		db_rollback(d);
		fprintf(stderr, "campctl: %s\n", db_errmsg(d));
		goto out;
	}
	if (generated)
		printf("password for %s: %s\n", name, pw);
	else
		printf("%s %s\n", adding ? "created" : "password changed for", name);
	rc = 0;
out:
	db_close(d);
	free(hash);
	if (pw) {
		memset(pw, 0, strlen(pw));
		free(pw);
	}
	return rc;
}

static int need_master(const struct config_key *k)
{
	if (!k->encrypted)
		return CAMP_OK;
	if (secret_load_master(camp_env()->master_key_file) != CAMP_OK) {
		fprintf(stderr, "campctl: cannot read the master key %s\n",
		        camp_env()->master_key_file);
		return CAMP_ECRYPTO;
	}
	return CAMP_OK;
}

static int cmd_config(int argc, char **argv)
{
	if (argc < 3)
		return usage();
	const struct config_key *k = config_key_find(argv[2]);
	if (k == NULL) {
		fprintf(stderr, "campctl: unknown settings key %s\n", argv[2]);
		return 2;
	}
	if (need_master(k) != CAMP_OK)
		return 1;
	db *d = ctl_open_db();
	if (d == NULL)
		return 1;
	int rc = 1;
	if (!strcmp(argv[1], "get") && argc == 3) {
		char *v = config_get(d, k->key);
		if (v != NULL) {
			printf("%s\n", v);
			rc = 0;
		} else {
			fprintf(stderr, "campctl: %s is not set\n", k->key);
		}
		free(v);
	} else if (!strcmp(argv[1], "set") && argc == 4) {
		char *v = argv[3][0] == '@' ? whole_file(argv[3] + 1) : strdup(argv[3]);
		/* the same rules as the settings page: a CLI typo must not break a job */
		arena *a = arena_new();
		int err_db = 0;
		const char *bad = v ? settings_check(d, a, k->key, v, &err_db) : NULL;
		if (bad != NULL || err_db) {
			fprintf(stderr, "campctl: %s: %s\n", k->key, err_db ? "数据库不可用" : bad);
			memset(v, 0, strlen(v));
			free(v);
			arena_free(a);
			db_close(d);
			return 1;
		}
		if (v != NULL && db_begin(d) == CAMP_OK) {
			char desc[200];
			snprintf(desc, sizeof(desc), "命令行修改配置 %s", k->key);
			/* new merchant settings: fetch the platform certificates again */
			if (config_set(d, k->key, v, 0) == CAMP_OK &&
			    oplog(d, "UPDATE_CONFIG", desc, "config", NULL, k->key) == CAMP_OK &&
			    (!settings_is_payment(k->key) ||
			     wxpay_certs_queue_after_settings(d, a, 0) == CAMP_OK) &&
			    db_commit(d) == CAMP_OK)
				rc = 0;
			else
				db_rollback(d);
		}
		arena_free(a);
		if (rc != 0)
			fprintf(stderr, "campctl: cannot set %s: %s\n", k->key, db_errmsg(d));
		if (v)
			memset(v, 0, strlen(v));
		free(v);
	} else {
		rc = usage();
	}
	db_close(d);
	return rc;
}

/* Jobs read encrypted settings (merchant keys, tokens) and call providers. */
static db *open_for_jobs(void)
{
	if (secret_load_master(camp_env()->master_key_file) != CAMP_OK)
		fprintf(stderr, "campctl: cannot read the master key %s: encrypted settings are unavailable\n",
		        camp_env()->master_key_file);
	httpc_global_init();
	return ctl_open_db();
}

/* campctl job run NAME: the same run as `camp-worker run NAME`. */
static int cmd_job(int argc, char **argv)
{
	if (argc != 3 || strcmp(argv[1], "run") != 0)
		return usage();
	const struct job_def *j = job_def_find(argv[2]);
	if (j == NULL) {
		fprintf(stderr, "campctl: unknown job %s (jobs: %s)\n", argv[2], job_names());
		return 2;
	}
	db *d = open_for_jobs();
	if (d == NULL)
		return 1;
	struct job_result res;
	job_run_now(d, j, 0, NULL, JOB_LOCK_WAIT, NULL, &res);
	int rc = 0;
	if (res.rc == CAMP_OK) {
		printf("%s: success %s\n", j->name, res.detail ? res.detail : "{}");
	} else {
		fprintf(stderr, "campctl: %s failed: %s\n", j->name, res.reason);
		rc = 1;
	}
	free(res.detail);
	db_close(d);
	httpc_global_cleanup();
	return rc;
}

static int cmd_seed_demo(void)
{
	/* demo payments carry openids, sealed like real ones */
	if (secret_load_master(camp_env()->master_key_file) != CAMP_OK) {
		fprintf(stderr, "campctl: cannot read the master key %s\n", camp_env()->master_key_file);
		return 1;
	}
	db *d = ctl_open_db();
	if (d == NULL)
		return 1;
	int rc = seed_demo(d, stdout);
	db_close(d);
	if (rc == CAMP_ECONFLICT) {
		printf("demo data already seeded: nothing to do\n");
		return 0;
	}
	if (rc != CAMP_OK) {
		fprintf(stderr, "campctl: seed-demo failed, nothing was written\n");
		return 1;
	}
	return 0;
}

/* ---- campctl books (issue #14) ------------------------------------------- */

/* One line per difference: the check, the order/refund number (or camp), both values. */
static void print_diff(arena *a, const struct books_diff *x)
{
	const char *l, *r;
	books_value_labels_en(x->check, &l, &r);
	printf("%s %s%s: %s %s, %s %s", x->check, !strcmp(x->ref_kind, "camp") ? "camp " : "",
	       x->ref_no, l, books_value_text(a, x->has_left, x->left, x->unit, 0), r,
	       books_value_text(a, x->has_right, x->right, x->unit, 0));
	if (x->left_state || x->right_state)
		printf(" (%s / %s)", x->left_state ? x->left_state : "-",
		       x->right_state ? x->right_state : "-");
	printf("\n");
}

/* Prints one run; 1 when it holds. */
static int print_run(db *d, arena *a, long long run_id)
{
	struct books_run r;
	struct books_diff *x;
	int n = 0;
	if (books_run_get(d, a, run_id, &r) != CAMP_OK || books_diffs(d, a, run_id, &x, &n) != CAMP_OK) {
		fprintf(stderr, "campctl: cannot read books run %lld\n", run_id);
		return 0;
	}
	for (int i = 0; i < n; i++)
		print_diff(a, &x[i]);
	if (strcmp(r.bill_status, "compared") && strcmp(r.bill_status, "empty"))
		printf("bill %s: not compared: %s%s%s\n", r.date, r.bill_status,
		       r.bill_error ? ": " : "", r.bill_error ? r.bill_error : "");
	printf("books %s: %s (%d invariant, %d bill differences; bill %s, %d lines)\n", r.date,
	       r.ok ? "OK" : "NOT OK", r.invariant_diffs, r.bill_diffs, r.bill_status, r.bill_lines);
	return r.ok;
}

static int cmd_books(int argc, char **argv)
{
	const char *date = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--date") && i + 1 < argc)
			date = argv[++i];
		else
			return usage();
	}
	cday day;
	if (date != NULL && cday_parse(date, &day) != CAMP_OK) {
		fprintf(stderr, "campctl: --date must be a date YYYY-MM-DD\n");
		return 2;
	}
	db *d = open_for_jobs();
	if (d == NULL)
		return 1;
	struct json_object *args = json_object_new_object();
	if (date != NULL)
		json_object_object_add(args, "date", json_object_new_string(date));
	json_object_object_add(args, "trigger", json_object_new_string("cli"));
	struct job_result res;
	job_run_now(d, job_def_find("books"), 0, json_object_to_json_string(args), JOB_LOCK_WAIT,
	            NULL, &res);
	json_object_put(args);
	struct json_object *detail = res.detail ? json_tokener_parse(res.detail) : NULL, *runs;
	arena *a = arena_new();
	int all_ok = 1, nruns = 0;
	if (detail && json_object_object_get_ex(detail, "runs", &runs))
		for (size_t i = 0; i < json_object_array_length(runs); i++) {
			struct json_object *run = json_object_array_get_idx(runs, i), *id;
			if (json_object_object_get_ex(run, "run_id", &id)) {
				all_ok &= print_run(d, a, json_object_get_int64(id));
				nruns++;
			}
		}
	if (res.rc != CAMP_OK && res.rc != CAMP_EPROVIDER)
		fprintf(stderr, "campctl: books failed: %s\n", res.reason);
	int rc = nruns > 0 && all_ok && res.rc == CAMP_OK ? 0 : 1;
	arena_free(a);
	json_object_put(detail);
	free(res.detail);
	db_close(d);
	httpc_global_cleanup();
	return rc;
}

int main(int argc, char **argv)
{
	log_init("campctl");
	camp_env_load();
	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "migrate") && argc == 2)
		return cmd_migrate();
	if (!strcmp(argv[1], "user"))
		return cmd_user(argc - 1, argv + 1);
	if (!strcmp(argv[1], "config"))
		return cmd_config(argc - 1, argv + 1);
	if (!strcmp(argv[1], "job"))
		return cmd_job(argc - 1, argv + 1);
	if (!strcmp(argv[1], "seed-demo") && argc == 2)
		return cmd_seed_demo();
	/* issue #14 (books) */
	if (!strcmp(argv[1], "books"))
		return cmd_books(argc - 1, argv + 1);
	/* --- issue #17: backups --- */
	if (!strcmp(argv[1], "restore")) {
		int rc = ctl_restore(argc - 1, argv + 1);
		return rc == 2 ? usage() : rc;
	}
	if (!strcmp(argv[1], "backup")) {
		int rc = ctl_backup(argc - 1, argv + 1);
		return rc == 2 ? usage() : rc;
	}
	if (!strcmp(argv[1], "rekey")) {
		int rc = ctl_rekey(argc - 1, argv + 1);
		return rc == 2 ? usage() : rc;
	}
	return usage();
}
