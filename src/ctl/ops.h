/* ops.h: campctl's operations commands: migrate, backup, restore, rekey (issue #17). */
#ifndef CAMP_CTL_OPS_H
#define CAMP_CTL_OPS_H

#include "db.h"

/* The database of CAMP_DB_URL, connected; NULL (and a message) when it is not there. */
db *ctl_open_db(void);

/* campctl migrate: every pending migration with its data step (migrate.h);
 * *applied = how many ran.  CAMP_OK or an error (logged). */
int ctl_migrate(db *d, int *applied);

/* campctl rekey NEW_KEY_FILE: argv[0] = "rekey".  0 rotated (the next steps
 * printed), 1 nothing changed, 2 usage. */
int ctl_rekey(int argc, char **argv);

/* campctl restore FILE [--force]: argv[0] = "restore".  0 restored (and the
 * books check held or does not exist), 1 nothing restored or a later step
 * failed, 2 usage, 3 restored but the books check found differences. */
int ctl_restore(int argc, char **argv);

/* campctl backup record --outcome verified|failed [--file NAME] [--bytes N]
 * [--sha256 HEX] [--offsite off|copied|failed] [--error TEXT]: one backup_run
 * row (camp-backup calls it), so the watchdog sees every backup. */
int ctl_backup(int argc, char **argv);

#endif
