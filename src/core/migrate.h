/* migrate.h: applies sql/NNN_*.sql in order, once each, with their data steps. */
#ifndef CAMP_MIGRATE_H
#define CAMP_MIGRATE_H

#include <stddef.h>

struct db;

/* What SQL cannot do (it never sees the master key), done in C right after one
 * migration file, in the same transaction: both commit together or neither does,
 * so a step runs exactly once — when its migration is applied — and never sees
 * half a schema.  note (n bytes) gets a one-line account recorded with the
 * migration (schema_migrations.data_step).  CAMP_OK or an error (rolls back). */
struct migrate_step {
	const char *version;         /* the file's number, "011" */
	int (*run)(struct db *d, char *note, size_t n);
};

/* Applies every pending migration of dir, each in its own transaction with its
 * data step (steps[0..nsteps), matched by number), and records it in
 * schema_migrations.  *applied = how many ran (0 = up to date). */
int migrate_run(struct db *d, const char *dir, const struct migrate_step *steps, size_t nsteps,
                int *applied);

#endif
