/* secret.c: the master key and sealing of settings values at rest (HKDF + AES-256-GCM). */
#include "secret.h"
#include "camp.h"
#include "crypto.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#define MASTER_MIN 32
/* A key file is a few dozen bytes; a large one is the wrong file. */
#define MASTER_MAX 4096
#define SEAL_PREFIX "v1:"
#define SEAL_LABEL "camp-config-v1"
#define IV_LEN 12
#define TAG_LEN 16

/* The only mutable global of the module: the key file's bytes, read once at
 * start-up.  Processes are single-threaded (one FastCGI request at a time),
 * so no lock.  Wiped by secret_forget_master. */
static unsigned char master[MASTER_MAX];
static size_t master_len;

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

/* On any failure the previously loaded key (if any) stays in place. */
int secret_load_master(const char *path)
{
	unsigned char tmp[MASTER_MAX];
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
	OPENSSL_cleanse(master, sizeof master);
	memcpy(master, tmp, len);
	master_len = len;
out:
	OPENSSL_cleanse(tmp, sizeof tmp);
	return rc;
}

int secret_have_master(void)
{
	return master_len >= MASTER_MIN;
}

void secret_forget_master(void)
{
	OPENSSL_cleanse(master, sizeof master);
	master_len = 0;
}

int secret_derive(const char *label, unsigned char out[32])
{
	if (label == NULL || out == NULL)
		return CAMP_EINVAL;
	if (!secret_have_master())
		return CAMP_ECRYPTO;
	return crypto_hkdf_sha256(master, master_len, label, out, 32);
}

char *secret_seal(const char *name, const char *value)
{
	unsigned char key[32];
	unsigned char *blob = NULL;
	char *b64 = NULL, *sealed = NULL;
	size_t n, bloblen;

	if (name == NULL || value == NULL)
		return NULL;
	n = strlen(value);
	if (n > (size_t)1 << 24)
		return NULL;   /* settings are small; refuse absurd sizes early */
	if (secret_derive(SEAL_LABEL, key) != CAMP_OK)
		goto out;
	bloblen = IV_LEN + n + TAG_LEN;
	blob = malloc(bloblen);
	if (blob == NULL)
		goto out;
	/* A fresh random IV per seal: with GCM, reusing an IV under one key
	 * leaks the XOR of plaintexts and allows forgeries. */
	if (crypto_random(blob, IV_LEN) != CAMP_OK)
		goto out;
	/* The settings key name is the associated data, so a sealed value
	 * copied into another key's row does not open there. */
	if (crypto_gcm_encrypt(key, blob, name, strlen(name), value, n,
	                       blob + IV_LEN, blob + IV_LEN + n) != CAMP_OK)
		goto out;
	b64 = crypto_b64_encode(blob, bloblen);
	if (b64 == NULL)
		goto out;
	sealed = malloc(strlen(SEAL_PREFIX) + strlen(b64) + 1);
	if (sealed == NULL)
		goto out;
	strcpy(sealed, SEAL_PREFIX);
	strcat(sealed, b64);
out:
	OPENSSL_cleanse(key, sizeof key);
	free(blob);
	free(b64);
	return sealed;
}

char *secret_open(const char *name, const char *sealed)
{
	unsigned char key[32];
	unsigned char *blob = NULL;
	char *plain = NULL;
	size_t bloblen = 0, n = 0;
	int opened = 0;

	if (name == NULL || sealed == NULL)
		return NULL;
	/* The prefix names the master-key generation; only v1 exists so far.
	 * An unknown one means a newer key we do not hold: refuse, never guess. */
	if (strncmp(sealed, SEAL_PREFIX, strlen(SEAL_PREFIX)) != 0)
		return NULL;
	blob = crypto_b64_decode(sealed + strlen(SEAL_PREFIX), &bloblen);
	if (blob == NULL || bloblen < IV_LEN + TAG_LEN)
		goto out;
	if (secret_derive(SEAL_LABEL, key) != CAMP_OK)
		goto out;
	n = bloblen - IV_LEN - TAG_LEN;
	plain = malloc(n + 1);
	if (plain == NULL)
		goto out;
	if (crypto_gcm_decrypt(key, blob, IV_LEN, name, strlen(name),
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
	OPENSSL_cleanse(key, sizeof key);
	free(blob);
	return plain;
}
