/* migrate.c: ordered, transactional, recorded schema migrations. */
#include "migrate.h"
#include "camp.h"
#include "db.h"
#include "log.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A migration file is "NNN_name.sql" with NNN all digits. */
static int is_migration(const char *name)
{
	size_t n = strlen(name);
	if (n < 9 || strcmp(name + n - 4, ".sql") != 0)
		return 0;
	for (int i = 0; i < 3; i++)
		if (name[i] < '0' || name[i] > '9')
			return 0;
	return name[3] == '_';
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	char *s = NULL;
	if (fseek(f, 0, SEEK_END) == 0) {
		long n = ftell(f);
		if (n >= 0 && fseek(f, 0, SEEK_SET) == 0) {
			s = malloc((size_t)n + 1);
			if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
				free(s);
				s = NULL;
			} else if (s) {
				s[n] = '\0';
			}
		}
	}
	fclose(f);
	return s;
}

static const struct db_stmt q_applied = DB_STMT(
	"SELECT 1 FROM schema_migrations WHERE version = $1");
static const struct db_stmt q_record = DB_STMT(
	"INSERT INTO schema_migrations (version, data_step) VALUES ($1, NULLIF($2, ''))");

static const struct migrate_step *step_of(const char *name, const struct migrate_step *steps,
                                          size_t nsteps)
{
	for (size_t i = 0; i < nsteps; i++)
		if (strncmp(name, steps[i].version, 3) == 0 && strlen(steps[i].version) == 3)
			return &steps[i];
	return NULL;
}

static int apply_one(struct db *d, const char *dir, const char *name,
                     const struct migrate_step *step, int *applied)
{
	const char *p[] = { name };
	PGresult *res = db_q_raw(d, &q_applied, 1, p);
	if (res == NULL)
		return CAMP_EDB;
	int done = PQntuples(res) > 0;
	PQclear(res);
	if (done)
		return CAMP_OK;
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	char *sql = slurp(path);
	if (sql == NULL) {
		log_err("migrate: cannot read %s", path);
		return CAMP_ERR;
	}
	char note[300] = "";
	int rc = db_begin(d);
	if (rc == CAMP_OK)
		rc = db_exec_sql(d, sql);
	if (rc == CAMP_OK && step != NULL) {
		rc = step->run(d, note, sizeof(note));
		if (rc != CAMP_OK)
			log_err("migrate: the data step of %s failed%s%s", name, *note ? ": " : "", note);
	}
	if (rc == CAMP_OK) {
		const char *rp[] = { name, note };
		res = db_q_raw(d, &q_record, 2, rp);
		rc = res ? CAMP_OK : CAMP_EDB;
		PQclear(res);
	}
	if (rc == CAMP_OK)
		rc = db_commit(d);
	else
		db_rollback(d);
	free(sql);
	if (rc != CAMP_OK) {
		log_err("migrate: %s failed: %s", name, db_errmsg(d));
		return rc;
	}
	log_info("migrate: applied %s%s%s", name, *note ? " + data step: " : "", note);
	(*applied)++;
	return CAMP_OK;
}

int migrate_run(struct db *d, const char *dir, const struct migrate_step *steps, size_t nsteps,
                int *applied)
{
	*applied = 0;
	if (db_ensure(d) != CAMP_OK)
		return CAMP_EDB;
	/* Two operators migrating at once must not interleave. */
	if (db_exec_sql(d, "SELECT pg_advisory_lock(7420001)") != CAMP_OK ||
	    db_exec_sql(d, "CREATE TABLE IF NOT EXISTS schema_migrations ("
	                   " version TEXT PRIMARY KEY,"
	                   " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())") != CAMP_OK ||
	    db_exec_sql(d, "ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS data_step TEXT")
	    != CAMP_OK)
		return CAMP_EDB;
	DIR *dh = opendir(dir);
	if (dh == NULL) {
		log_err("migrate: cannot open %s", dir);
		db_exec_sql(d, "SELECT pg_advisory_unlock(7420001)");
		return CAMP_ERR;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(dh)) != NULL) {
		if (!is_migration(e->d_name))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			names = realloc(names, cap * sizeof(*names));
			if (names == NULL)
				abort();
		}
		names[n++] = strdup(e->d_name);
	}
	closedir(dh);
	if (n > 0)
		qsort(names, n, sizeof(*names), cmp_names);
	int rc = CAMP_OK;
	for (size_t i = 0; i < n; i++) {
		if (rc == CAMP_OK)
			rc = apply_one(d, dir, names[i], step_of(names[i], steps, nsteps), applied);
		free(names[i]);
	}
	free(names);
	db_exec_sql(d, "SELECT pg_advisory_unlock(7420001)");
	return rc;
}
