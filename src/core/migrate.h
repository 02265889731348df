/* migrate.h: applies sql/NNN_*.sql in order, once each. */
#ifndef CAMP_MIGRATE_H
#define CAMP_MIGRATE_H

struct db;

/* Applies every pending migration of dir, each in its own transaction, and
 * records it in schema_migrations.  *applied = how many ran (0 = up to date). */
int migrate_run(struct db *d, const char *dir, int *applied);

#endif
