/* secret.h: settings encryption at rest (AES-256-GCM, HKDF from the master key). */
#ifndef CAMP_SECRET_H
#define CAMP_SECRET_H

#include <stddef.h>

/* Loads the master key file (≥ 32 bytes of key material, any encoding). */
int secret_load_master(const char *path);
int secret_have_master(void);
/* Wipes the loaded master key (tests; a process that is done with it). */
void secret_forget_master(void);
/* Derives a 32-byte key for a purpose ("camp-config-v1", "camp-jwt-v1"). */
int secret_derive(const char *label, unsigned char out[32]);

/* Seals value for settings key `name` (the associated data): returns
 * "v1:" + base64(iv || ciphertext || tag), malloc'd. */
char *secret_seal(const char *name, const char *value);
/* Opens a sealed value; NULL when tampered, for another key or another master key. */
char *secret_open(const char *name, const char *sealed);

#endif
