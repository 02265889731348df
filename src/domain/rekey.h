/* rekey.h: every sealed value of the database sealed again — under a new master key
 * (campctl rekey), or for the first time (migration 011's data step). */
#ifndef CAMP_DOMAIN_REKEY_H
#define CAMP_DOMAIN_REKEY_H

#include <stddef.h>

struct db;
struct secret_master;

struct rekey_tally {
	long long settings;      /* system_config secrets */
	long long robot_keys;    /* training_camp.robot_webhook_key */
	long long values;        /* sealed payment values (paydata.h) */
	long long indexes;       /* openid blind indexes */
};

/* campctl rekey, in one transaction: the sealed tables locked against writers,
 * every setting, robot key and payment value opened under `from` and sealed under
 * `to`, every blind index computed under `to`, master_key set to to's id, an
 * operation_log row.  `from` must be the database's key.  CAMP_OK; CAMP_ECONFLICT
 * (from is not the database's key, or to is the same key); CAMP_ECRYPTO (a value
 * that does not open under from); CAMP_EDB.  why (n bytes) says what went wrong;
 * on any error nothing changed. */
int rekey_run(struct db *d, const struct secret_master *from, const struct secret_master *to,
              struct rekey_tally *t, char *why, size_t n);

/* Migration 011's data step (struct migrate_step, in the migration's transaction):
 * seals the plaintext sql/011_sealed_payment_data.sql left in its temporary table
 * under the process's master key (loaded from CAMP_MASTER_KEY_FILE when needed),
 * seals the settings and robot keys again with the key id, records the key in
 * master_key.  note gets the counts, or why it failed. */
int rekey_migrate_011(struct db *d, char *note, size_t n);

#endif
