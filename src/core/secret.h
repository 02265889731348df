/* secret.h: the master key and what is sealed with it at rest (AES-256-GCM under
 * keys derived by HKDF): settings values, payment data (PRD §5.2), the blind index
 * of openids.  Each purpose has its own derived key (its own HKDF label). */
#ifndef CAMP_SECRET_H
#define CAMP_SECRET_H

#include <stddef.h>

/* A master key's id: 8 lowercase hex digits of HKDF(master, "camp-key-id-v1").
 * It names the key in every sealed value ("v2:<id>:…") and in the database's
 * master_key row, so a value sealed under another key is told apart from a
 * tampered one and a process that kept an old key after `campctl rekey` is
 * refused by the database instead of writing what no one could open. */
#define SECRET_KEY_ID_LEN 8

/* What a value is sealed for: each use has its own derived key. */
enum secret_use {
	SECRET_SETTINGS,   /* settings and camp robot keys ("camp-config-v1") */
	SECRET_PAYDATA,    /* openids, WeChat Pay's decrypted JSON ("camp-paydata-v1") */
};

/* A loaded master key: the process's own, or a second one (campctl rekey). */
struct secret_master;

/* Loads the process's master key file (≥ 32 bytes of key material, any encoding;
 * one trailing newline is not key material).  On failure the key loaded before,
 * if any, stays. */
int secret_load_master(const char *path);
int secret_have_master(void);
/* Wipes the loaded master key (tests; a process that is done with it). */
void secret_forget_master(void);
/* Derives a 32-byte key for a purpose ("camp-jwt-v1", "camp-csrf-v1", …). */
int secret_derive(const char *label, unsigned char out[32]);
/* The process's own key, NULL when none is loaded. */
const struct secret_master *secret_own_master(void);

/* Another master key file, read with the same rules (campctl rekey's new key).
 * NULL with *rc = CAMP_ENOTFOUND, CAMP_EINVAL (too short), CAMP_ETOOBIG, CAMP_ERR. */
struct secret_master *secret_master_read(const char *path, int *rc);
void secret_master_free(struct secret_master *m);
/* The key's id (SECRET_KEY_ID_LEN hex digits); "" for NULL. */
const char *secret_master_id(const struct secret_master *m);
/* The id a sealed value names (out: SECRET_KEY_ID_LEN + 1 bytes); "" for the
 * older "v1:" values, which name none.  CAMP_OK or CAMP_EINVAL (not sealed). */
int secret_sealed_key_id(const char *sealed, char *out);

/* Seals value under m for use, with aad as the associated data: returns
 * "v2:" + key id + ":" + base64(iv || ciphertext || tag), malloc'd; NULL
 * without a key or on a failure. */
char *secret_seal_with(const struct secret_master *m, enum secret_use use,
                       const char *aad, const char *value);
/* Opens a sealed value (malloc'd); NULL when tampered, sealed for another aad
 * or use, or under another master key.  "v1:" values (settings sealed before
 * key ids existed) open under the settings key of m. */
char *secret_open_with(const struct secret_master *m, enum secret_use use,
                       const char *aad, const char *sealed);
/* Blind index of a value (an openid): lowercase hex HMAC-SHA256 under the
 * key derived with "camp-openid-index-v1".  Equal values give equal indexes
 * under one master key; nothing about the value can be read from it. */
int secret_index_with(const struct secret_master *m, const char *value, char out[65]);

/* The same with the process's own key.  Settings: the settings key name is
 * the associated data. */
char *secret_seal(const char *name, const char *value);
char *secret_open(const char *name, const char *sealed);

#endif
