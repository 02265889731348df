/* password.c: admin password hashing and checking with libxcrypt's yescrypt. */
#include "password.h"
#include "camp.h"

#include <crypt.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#define GEN_LEN 16

/* Hash of a password nobody knows, made on first need, so that checking
 * an unknown user costs exactly what checking a known one does (same
 * algorithm, same default cost).  The module's only mutable global. */
static char dummy_hash[CRYPT_OUTPUT_SIZE];

/* Runs crypt_rn into a heap crypt_data (it is ~32 KB, too big for some
 * stacks) and copies the result into out.  Returns CAMP_OK or CAMP_ECRYPTO. */
static int run_crypt(const char *pw, const char *setting, char out[CRYPT_OUTPUT_SIZE])
{
	struct crypt_data *cd = calloc(1, sizeof *cd);
	int rc = CAMP_ECRYPTO;

	out[0] = '\0';
	if (cd == NULL)
		goto out;
	const char *h = crypt_rn(pw, setting, cd, (int)sizeof *cd);
	/* crypt_rn returns NULL on failure; "*" results are also failures
	 * (what crypt_r hands out), checked so a future switch cannot slip. */
	if (h == NULL || h[0] == '*' || strlen(h) >= CRYPT_OUTPUT_SIZE)
		goto out;
	strcpy(out, h);
	rc = CAMP_OK;
out:
	if (cd != NULL) {
		/* It held the password and the derived key. */
		OPENSSL_cleanse(cd, sizeof *cd);
		free(cd);
	}
	return rc;
}

char *password_hash(const char *pw)
{
	char *setting = NULL, *result = NULL;
	char out[CRYPT_OUTPUT_SIZE];

	if (pw == NULL)
		return NULL;
	/* count 0 = libxcrypt's default yescrypt cost; rbytes NULL = it
	 * draws the salt from the OS itself. */
	setting = crypt_gensalt_ra("$y$", 0, NULL, 0);
	if (setting == NULL)
		goto out;
	if (run_crypt(pw, setting, out) != CAMP_OK)
		goto out;
	result = strdup(out);
out:
	OPENSSL_cleanse(out, sizeof out);
	free(setting);
	return result;
}

static const char *dummy(void)
{
	if (dummy_hash[0] == '\0') {
		/* The password need not be secret: verify never reports a match
		 * when it used the dummy; the hash exists only to cost time. */
		char *h = password_hash("camp-deposit: no such user");
		if (h != NULL && strlen(h) < sizeof dummy_hash)
			strcpy(dummy_hash, h);
		free(h);
	}
	/* If even that failed, "$y$" alone makes crypt fail fast; the login
	 * still fails, which is what matters. */
	return dummy_hash[0] ? dummy_hash : "$y$";
}

/* Only modern, slow hashes count.  A stored DES or MD5 hash ("ab…", "$1$")
 * would be crackable, and "" or "*"/"!" mark a disabled account. */
static int hash_usable(const char *hash)
{
	static const char *const prefixes[] = { "$y$", "$gy$", "$7$", "$2b$", "$2y$" };
	if (hash == NULL)
		return 0;
	for (size_t i = 0; i < CAMP_ARRAY_LEN(prefixes); i++)
		if (strncmp(hash, prefixes[i], strlen(prefixes[i])) == 0)
			return 1;
	return 0;
}

int password_verify(const char *pw, const char *hash)
{
	char out[CRYPT_OUTPUT_SIZE];
	int usable = hash_usable(hash);
	int match = 0;

	/* Unknown user or unusable hash: spend the same yescrypt time on the
	 * dummy, so response time does not tell which usernames exist. */
	if (run_crypt(pw ? pw : "", usable ? hash : dummy(), out) != CAMP_OK)
		goto out;
	if (!usable || pw == NULL)
		goto out;
	size_t len = strlen(hash);
	/* Compare the whole output in constant time; the length is public
	 * (it is fixed by the hash format). */
	match = strlen(out) == len && CRYPTO_memcmp(out, hash, len) == 0;
out:
	OPENSSL_cleanse(out, sizeof out);
	return match;
}

/* No 0/O/o, 1/l/I: the password is read off a screen and typed on a phone.
 * Symbols avoid quotes, backslash and space, which trip shells and forms.
 * 24 + 24 + 8 + 8 = 64 characters, 6 bits each, 96 bits for 16 chars. */
static const char *const classes[] = {
	"abcdefghijkmnpqrstuvwxyz",
	"ABCDEFGHJKLMNPQRSTUVWXYZ",
	"23456789",
	"!#%+-=?@",
};

static int has_every_class(const char *s)
{
	for (size_t c = 0; c < CAMP_ARRAY_LEN(classes); c++)
		if (strpbrk(s, classes[c]) == NULL)
			return 0;
	return 1;
}

int password_generate(char *out, size_t n)
{
	char alphabet[80] = "";
	unsigned char pool[64];
	size_t alen, limit, used = sizeof pool;
	int rc = CAMP_ECRYPTO;

	if (out == NULL || n == 0)
		return CAMP_EINVAL;
	out[0] = '\0';
	if (n < GEN_LEN + 1)
		return CAMP_ETOOBIG;
	for (size_t c = 0; c < CAMP_ARRAY_LEN(classes); c++)
		strcat(alphabet, classes[c]);
	alen = strlen(alphabet);
	/* Bytes at or above limit are thrown away, so every character is
	 * equally likely (no modulo bias). */
	limit = 256 - 256 % alen;
	/* Drawing whole passwords until one has every class keeps the result
	 * uniform over the passwords that satisfy the rule (~77% do). */
	do {
		size_t i = 0;
		while (i < GEN_LEN) {
			if (used == sizeof pool) {
				if (RAND_bytes(pool, sizeof pool) != 1)
					goto out;
				used = 0;
			}
			unsigned char b = pool[used++];
			if (b < limit)
				out[i++] = alphabet[b % alen];
		}
		out[GEN_LEN] = '\0';
	} while (!has_every_class(out));
	rc = CAMP_OK;
out:
	if (rc != CAMP_OK)
		OPENSSL_cleanse(out, n);
	OPENSSL_cleanse(pool, sizeof pool);
	return rc;
}
