/* secret.c: the master key and what is sealed with it at rest (HKDF + AES-256-GCM, HMAC blind index). */
#include "secret.h"
#include "camp.h"
#include "crypto.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#define MASTER_MIN 32
/* A key file is a few dozen bytes; a large one is the wrong file. */
#define MASTER_MAX 4096
/* "v2:" + key id + ":" + base64; "v1:" + base64 before key ids existed. */
#define SEAL_V1 "v1:"
#define SEAL_V2 "v2:"
#define LABEL_SETTINGS "camp-config-v1"
#define LABEL_PAYDATA "camp-paydata-v1"
#define LABEL_INDEX "camp-openid-index-v1"
#define LABEL_KEY_ID "camp-key-id-v1"
#define IV_LEN 12
#define TAG_LEN 16
/* Sealed values are settings and one WeChat Pay JSON each; refuse absurd sizes. */
#define SEAL_MAX ((size_t)1 << 24)

struct secret_master {
	unsigned char bytes[MASTER_MAX];   /* the key file's bytes (secret_derive) */
	size_t len;                        /* 0: no key */
	unsigned char k_settings[32], k_paydata[32], k_index[32];
	char id[SECRET_KEY_ID_LEN + 1];
};

/* The only mutable global of the module: the process's master key, read once
 * at start-up.  Processes are single-threaded (one FastCGI request at a time),
 * so no lock.  Wiped by secret_forget_master. */
static struct secret_master own;

/* Reads at most cap bytes of path into buf; *len gets the count.  Returns
 * CAMP_ETOOBIG when the file holds more than cap bytes. */
static int read_file(const char *path, unsigned char *buf, size_t cap, size_t *len)
{
	struct stat st;
	size_t got = 0;
	int rc = CAMP_ERR;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno == ENOENT ? CAMP_ENOTFOUND : CAMP_ERR;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		goto out;
	for (;;) {
		unsigned char extra;
		ssize_t r = got < cap ? read(fd, buf + got, cap - got)
		                      : read(fd, &extra, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto out;
		if (r == 0)
			break;
		if (got == cap) {
			rc = CAMP_ETOOBIG;
			goto out;
		}
		got += (size_t)r;
	}
	*len = got;
	rc = CAMP_OK;
out:
	close(fd);
	return rc;
}

/* Fills m from key material: the derived keys and the id.  CAMP_OK or CAMP_ECRYPTO. */
static int master_init(struct secret_master *m, const unsigned char *key, size_t len)
{
	unsigned char idk[32];
	memcpy(m->bytes, key, len);
	m->len = len;
	int rc = crypto_hkdf_sha256(key, len, LABEL_SETTINGS, m->k_settings, 32);
	if (rc == CAMP_OK)
		rc = crypto_hkdf_sha256(key, len, LABEL_PAYDATA, m->k_paydata, 32);
	if (rc == CAMP_OK)
		rc = crypto_hkdf_sha256(key, len, LABEL_INDEX, m->k_index, 32);
	if (rc == CAMP_OK)
		rc = crypto_hkdf_sha256(key, len, LABEL_KEY_ID, idk, sizeof idk);
	if (rc == CAMP_OK)
		crypto_hex(idk, SECRET_KEY_ID_LEN / 2, m->id);
	OPENSSL_cleanse(idk, sizeof idk);
	if (rc != CAMP_OK) {
		OPENSSL_cleanse(m, sizeof(*m));
		return CAMP_ECRYPTO;
	}
	return CAMP_OK;
}

/* Reads a key file into m (untouched on failure). */
static int master_load(struct secret_master *m, const char *path)
{
	unsigned char tmp[MASTER_MAX];
	struct secret_master next;
	size_t len = 0;
	int rc;

	if (path == NULL || *path == '\0')
		return CAMP_EINVAL;
	rc = read_file(path, tmp, sizeof tmp, &len);
	if (rc != CAMP_OK)
		goto out;
	/* Files written with echo or an editor end in a newline that is not
	 * key material; strip exactly one so both spellings give one key. */
	if (len > 0 && tmp[len - 1] == '\n')
		len--;
	if (len < MASTER_MIN) {
		rc = CAMP_EINVAL;
		goto out;
	}
	rc = master_init(&next, tmp, len);
	if (rc == CAMP_OK) {
		OPENSSL_cleanse(m, sizeof(*m));
		memcpy(m, &next, sizeof(*m));
	}
out:
	OPENSSL_cleanse(&next, sizeof next);
	OPENSSL_cleanse(tmp, sizeof tmp);
	return rc;
}

int secret_load_master(const char *path)
{
	return master_load(&own, path);
}

int secret_have_master(void)
{
	return own.len >= MASTER_MIN;
}

void secret_forget_master(void)
{
	OPENSSL_cleanse(&own, sizeof own);
}

const struct secret_master *secret_own_master(void)
{
	return secret_have_master() ? &own : NULL;
}

struct secret_master *secret_master_read(const char *path, int *rc)
{
	struct secret_master *m = calloc(1, sizeof(*m));
	int r = m ? master_load(m, path) : CAMP_ERR;
	if (rc)
		*rc = r;
	if (r != CAMP_OK) {
		free(m);
		return NULL;
	}
	return m;
}

void secret_master_free(struct secret_master *m)
{
	if (m == NULL)
		return;
	OPENSSL_cleanse(m, sizeof(*m));
	free(m);
}

const char *secret_master_id(const struct secret_master *m)
{
	return m && m->len >= MASTER_MIN ? m->id : "";
}

int secret_derive(const char *label, unsigned char out[32])
{
	if (label == NULL || out == NULL)
		return CAMP_EINVAL;
	if (!secret_have_master())
		return CAMP_ECRYPTO;
	return crypto_hkdf_sha256(own.bytes, own.len, label, out, 32);
}

static const unsigned char *use_key(const struct secret_master *m, enum secret_use use)
{
	return use == SECRET_PAYDATA ? m->k_paydata : m->k_settings;
}

static int is_key_id(const char *s)
{
	for (int i = 0; i < SECRET_KEY_ID_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[SECRET_KEY_ID_LEN] == ':';
}

int secret_sealed_key_id(const char *sealed, char *out)
{
	out[0] = '\0';
	if (sealed == NULL)
		return CAMP_EINVAL;
	if (strncmp(sealed, SEAL_V1, strlen(SEAL_V1)) == 0)
		return CAMP_OK;
	if (strncmp(sealed, SEAL_V2, strlen(SEAL_V2)) != 0 || !is_key_id(sealed + strlen(SEAL_V2)))
		return CAMP_EINVAL;
	memcpy(out, sealed + strlen(SEAL_V2), SECRET_KEY_ID_LEN);
	out[SECRET_KEY_ID_LEN] = '\0';
	return CAMP_OK;
}

char *secret_seal_with(const struct secret_master *m, enum secret_use use,
                       const char *aad, const char *value)
{
	unsigned char *blob = NULL;
	char *b64 = NULL, *sealed = NULL;
	size_t n, bloblen;

	if (m == NULL || m->len < MASTER_MIN || aad == NULL || value == NULL)
		return NULL;
	n = strlen(value);
	if (n > SEAL_MAX)
		return NULL;
	bloblen = IV_LEN + n + TAG_LEN;
	blob = malloc(bloblen);
	if (blob == NULL)
		goto out;
	/* A fresh random IV per seal: with GCM, reusing an IV under one key
	 * leaks the XOR of plaintexts and allows forgeries. */
	if (crypto_random(blob, IV_LEN) != CAMP_OK)
		goto out;
	/* The associated data names where the value belongs (a settings key, a
	 * table, column and row), so a sealed value copied elsewhere does not open. */
	if (crypto_gcm_encrypt(use_key(m, use), blob, aad, strlen(aad), value, n,
	                       blob + IV_LEN, blob + IV_LEN + n) != CAMP_OK)
		goto out;
	b64 = crypto_b64_encode(blob, bloblen);
	if (b64 == NULL)
		goto out;
	size_t len = strlen(SEAL_V2) + SECRET_KEY_ID_LEN + 1 + strlen(b64) + 1;
	sealed = malloc(len);
	if (sealed != NULL)
		snprintf(sealed, len, "%s%s:%s", SEAL_V2, m->id, b64);
out:
	free(blob);
	free(b64);
	return sealed;
}

char *secret_open_with(const struct secret_master *m, enum secret_use use,
                       const char *aad, const char *sealed)
{
	unsigned char *blob = NULL;
	char *plain = NULL;
	const char *payload;
	size_t bloblen = 0, n = 0;
	int opened = 0;

	if (m == NULL || m->len < MASTER_MIN || aad == NULL || sealed == NULL)
		return NULL;
	/* The prefix names the master key: a value sealed under another one (an
	 * old key after campctl rekey, or a newer one) is refused, never guessed. */
	if (strncmp(sealed, SEAL_V2, strlen(SEAL_V2)) == 0) {
		payload = sealed + strlen(SEAL_V2);
		if (!is_key_id(payload) || memcmp(payload, m->id, SECRET_KEY_ID_LEN) != 0)
			return NULL;
		payload += SECRET_KEY_ID_LEN + 1;
	} else if (use == SECRET_SETTINGS && strncmp(sealed, SEAL_V1, strlen(SEAL_V1)) == 0) {
		payload = sealed + strlen(SEAL_V1);   /* before key ids: settings only */
	} else {
		return NULL;
	}
	blob = crypto_b64_decode(payload, &bloblen);
	if (blob == NULL || bloblen < IV_LEN + TAG_LEN)
		goto out;
	n = bloblen - IV_LEN - TAG_LEN;
	plain = malloc(n + 1);
	if (plain == NULL)
		goto out;
	if (crypto_gcm_decrypt(use_key(m, use), blob, IV_LEN, aad, strlen(aad),
	                       blob + IV_LEN, n, blob + IV_LEN + n,
	                       (unsigned char *)plain) != CAMP_OK)
		goto out;
	plain[n] = '\0';
	/* Sealed values are C strings; an inner NUL would silently truncate. */
	if (memchr(plain, '\0', n) != NULL)
		goto out;
	opened = 1;
out:
	if (!opened && plain != NULL) {
		OPENSSL_cleanse(plain, n + 1);
		free(plain);
		plain = NULL;
	}
	free(blob);
	return plain;
}

int secret_index_with(const struct secret_master *m, const char *value, char out[65])
{
	unsigned char mac[32];
	out[0] = '\0';
	if (m == NULL || m->len < MASTER_MIN || value == NULL)
		return CAMP_ECRYPTO;
	if (crypto_hmac_sha256(m->k_index, sizeof m->k_index, value, strlen(value), mac) != CAMP_OK)
		return CAMP_ECRYPTO;
	crypto_hex(mac, sizeof mac, out);
	return CAMP_OK;
}

char *secret_seal(const char *name, const char *value)
{
	return secret_seal_with(secret_own_master(), SECRET_SETTINGS, name, value);
}

char *secret_open(const char *name, const char *sealed)
{
	return secret_open_with(secret_own_master(), SECRET_SETTINGS, name, sealed);
}
