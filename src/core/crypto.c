/* crypto.c: hashing, randomness, base64, HKDF, AES-256-GCM and RSA-SHA256 over OpenSSL 3. */
#include "crypto.h"
#include "camp.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

/* WeChat Pay keys are RSA-2048; anything shorter is a configuration mistake
 * we would rather refuse than silently accept. */
#define MIN_RSA_BITS 2048
/* Largest PEM we parse: a certificate chain is a few KB, this is generous. */
#define MAX_PEM_LEN (64 * 1024)

/* OpenSSL keeps failures in a per-thread queue; a failure we handled (bad
 * signature, wrong key format) must not leak into the next unrelated caller
 * that inspects the queue, such as libcurl's TLS code. */
static void drop_errors(void)
{
	ERR_clear_error();
}

int crypto_random(void *buf, size_t n)
{
	unsigned char *p = buf;
	while (n > 0) {
		/* RAND_bytes takes an int: feed it in chunks. */
		int chunk = n > INT_MAX ? INT_MAX : (int)n;
		if (RAND_bytes(p, chunk) != 1) {
			drop_errors();
			return CAMP_ECRYPTO;
		}
		p += chunk;
		n -= (size_t)chunk;
	}
	return CAMP_OK;
}

/* Fills out[0..n) with characters drawn uniformly from alphabet[0..alen)
 * (alen <= 256).  Bytes at or above the largest multiple of alen are thrown
 * away, so no character is more likely than another (no modulo bias). */
static int random_from(const char *alphabet, size_t alen, char *out, size_t n)
{
	unsigned char pool[64];
	size_t limit = 256 - 256 % alen, used = sizeof pool, i = 0;
	int rc = CAMP_OK;

	while (i < n) {
		if (used == sizeof pool) {
			rc = crypto_random(pool, sizeof pool);
			if (rc != CAMP_OK)
				goto out;
			used = 0;
		}
		unsigned char b = pool[used++];
		if (b < limit)
			out[i++] = alphabet[b % alen];
	}
out:
	OPENSSL_cleanse(pool, sizeof pool);
	return rc;
}

int crypto_random_alnum(char *out, size_t n)
{
	static const char alnum[] =
		"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	int rc = random_from(alnum, sizeof alnum - 1, out, n);
	out[rc == CAMP_OK ? n : 0] = '\0';
	return rc;
}

int crypto_token(const char *prefix, char *out, size_t n)
{
	unsigned char raw[16];
	size_t plen = prefix ? strlen(prefix) : 0;

	if (out == NULL || n == 0)
		return CAMP_EINVAL;
	out[0] = '\0';
	if (plen > n || n - plen < 2 * sizeof raw + 1)
		return CAMP_ETOOBIG;
	if (crypto_random(raw, sizeof raw) != CAMP_OK)
		return CAMP_ECRYPTO;
	if (plen > 0)
		memcpy(out, prefix, plen);
	crypto_hex(raw, sizeof raw, out + plen);
	OPENSSL_cleanse(raw, sizeof raw);
	return CAMP_OK;
}

void crypto_sha256(const void *p, size_t n, unsigned char out[32])
{
	/* SHA-256 cannot fail short of a broken OpenSSL install.  A made-up
	 * digest would make every token hash alike, so stop instead (the
	 * supervisor restarts the process, as for an allocation failure). */
	if (EVP_Digest(p, n, out, NULL, EVP_sha256(), NULL) != 1)
		abort();
}

/* --- issue #17: backups are checked against their .sha256 file --- */
int crypto_sha256_file(const char *path, char out[65])
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return CAMP_ENOTFOUND;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1;
	unsigned char buf[65536];
	size_t n;
	while (ok && (n = fread(buf, 1, sizeof(buf), f)) > 0)
		ok = EVP_DigestUpdate(ctx, buf, n) == 1;
	ok = ok && !ferror(f);
	unsigned char md[32];
	unsigned int mdlen = 0;
	ok = ok && EVP_DigestFinal_ex(ctx, md, &mdlen) == 1 && mdlen == 32;
	EVP_MD_CTX_free(ctx);
	fclose(f);
	if (!ok)
		return CAMP_ERR;
	crypto_hex(md, 32, out);
	return CAMP_OK;
}

void crypto_hex(const unsigned char *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

void crypto_sha256_hex(const void *p, size_t n, char out[65])
{
	unsigned char md[32];
	crypto_sha256(p, n, md);
	crypto_hex(md, sizeof md, out);
}

int crypto_hmac_sha256(const void *key, size_t klen, const void *msg,
                       size_t mlen, unsigned char out[32])
{
	/* The HMAC provider refuses a NULL key; an empty key is legal HMAC. */
	static const unsigned char empty;
	size_t outlen = 0;

	if (key == NULL || klen == 0) {
		key = &empty;
		klen = 0;
	}
	if (EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, klen, msg, mlen,
	              out, 32, &outlen) == NULL || outlen != 32) {
		drop_errors();
		OPENSSL_cleanse(out, 32);
		return CAMP_ECRYPTO;
	}
	return CAMP_OK;
}

int crypto_equal(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

char *crypto_b64_encode(const void *p, size_t n)
{
	if (n > (size_t)INT_MAX / 4 * 3 - 3)
		return NULL;   /* EVP_EncodeBlock counts in int */
	size_t olen = 4 * ((n + 2) / 3);
	unsigned char *out = malloc(olen + 1);
	if (out == NULL)
		return NULL;
	int w = EVP_EncodeBlock(out, p, (int)n);
	if (w < 0 || (size_t)w != olen) {
		free(out);
		return NULL;
	}
	out[olen] = '\0';
	return (char *)out;
}

/* The value of each base64 character plus one; 0 for every other byte (issue #18: a table,
 * not a chain of comparisons — the callback path decodes kilobytes of signatures, ciphertexts
 * and sealed values). */
static const unsigned char b64_table[256] = {
	['A'] = 1, ['B'] = 2, ['C'] = 3, ['D'] = 4, ['E'] = 5, ['F'] = 6, ['G'] = 7, ['H'] = 8,
	['I'] = 9, ['J'] = 10, ['K'] = 11, ['L'] = 12, ['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16,
	['Q'] = 17, ['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22, ['W'] = 23,
	['X'] = 24, ['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28, ['c'] = 29, ['d'] = 30,
	['e'] = 31, ['f'] = 32, ['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36, ['k'] = 37,
	['l'] = 38, ['m'] = 39, ['n'] = 40, ['o'] = 41, ['p'] = 42, ['q'] = 43, ['r'] = 44,
	['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48, ['w'] = 49, ['x'] = 50, ['y'] = 51,
	['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56, ['4'] = 57, ['5'] = 58,
	['6'] = 59, ['7'] = 60, ['8'] = 61, ['9'] = 62, ['+'] = 63, ['/'] = 64,
};

/* Value of one base64 character, -1 when it is not in the standard alphabet. */
static int b64_value(unsigned char c)
{
	return (int)b64_table[c] - 1;
}

/* Hand-written rather than EVP_DecodeBlock: that one skips whitespace, does
 * not report padding and accepts junk, while signatures and ciphertexts from
 * WeChat (and its "WECHATPAY/SIGNTEST/" probes) must decode exactly or fail.
 * Rules: length a multiple of 4, only the standard alphabet, '=' only as the
 * last one or two characters, and the unused bits before padding zero (so
 * each byte string has exactly one accepted encoding). */
unsigned char *crypto_b64_decode(const char *s, size_t *outlen)
{
	size_t len, pad = 0, o = 0;
	unsigned char *out = NULL;

	if (outlen)
		*outlen = 0;
	if (s == NULL || outlen == NULL)
		return NULL;
	len = strlen(s);
	if (len % 4 != 0)
		return NULL;
	if (len > 0 && s[len - 1] == '=')
		pad = (len > 1 && s[len - 2] == '=') ? 2 : 1;
	out = malloc(len / 4 * 3 + 1);   /* +1: a valid pointer for "" */
	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < len; i += 4) {
		int last = (i + 4 == len);
		size_t nchar = last ? 4 - pad : 4;
		unsigned long acc = 0;
		for (size_t j = 0; j < 4; j++) {
			int v = 0;
			if (j < nchar) {
				v = b64_value((unsigned char)s[i + j]);
				if (v < 0)
					goto bad;
			}
			acc = acc << 6 | (unsigned long)v;
		}
		/* "x===" can never occur: one character holds only 6 bits. */
		if (nchar < 2)
			goto bad;
		if ((nchar == 2 && (acc & 0xffff)) || (nchar == 3 && (acc & 0xff)))
			goto bad;
		out[o++] = (unsigned char)(acc >> 16);
		if (nchar > 2)
			out[o++] = (unsigned char)(acc >> 8);
		if (nchar > 3)
			out[o++] = (unsigned char)acc;
	}
	*outlen = o;
	return out;
bad:
	free(out);
	return NULL;
}

int crypto_hkdf_sha256(const void *ikm, size_t ikmlen, const char *label,
                       unsigned char *out, size_t outlen)
{
	static const unsigned char empty;
	EVP_KDF *kdf = NULL;
	EVP_KDF_CTX *kctx = NULL;
	OSSL_PARAM params[4];
	int rc = CAMP_ECRYPTO;

	if (out == NULL || outlen == 0 || outlen > 255 * 32)
		return CAMP_EINVAL;   /* RFC 5869: L <= 255 * HashLen */
	if (ikm == NULL || ikmlen == 0) {
		ikm = &empty;
		ikmlen = 0;
	}
	if (label == NULL)
		label = "";
	/* No salt: HKDF then uses HashLen zero bytes, as RFC 5869 says.  The
	 * master key is already uniformly random, so a salt adds nothing. */
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
	                                             (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
	                                              (void *)ikm, ikmlen);
	params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
	                                              (void *)label, strlen(label));
	params[3] = OSSL_PARAM_construct_end();

	kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	if (kdf == NULL)
		goto out;
	kctx = EVP_KDF_CTX_new(kdf);
	if (kctx == NULL)
		goto out;
	if (EVP_KDF_derive(kctx, out, outlen, params) != 1)
		goto out;
	rc = CAMP_OK;
out:
	if (rc != CAMP_OK) {
		OPENSSL_cleanse(out, outlen);
		drop_errors();
	}
	EVP_KDF_CTX_free(kctx);
	EVP_KDF_free(kdf);
	return rc;
}

int crypto_gcm_encrypt(const unsigned char key[32], const unsigned char iv[12],
                       const void *aad, size_t aadlen, const void *pt, size_t n,
                       unsigned char *ct, unsigned char tag[16])
{
	EVP_CIPHER_CTX *ctx = NULL;
	unsigned char fin[16];   /* Final writes nothing for GCM; never aim it past ct */
	int len, rc = CAMP_ECRYPTO;

	if (n > INT_MAX || aadlen > INT_MAX)
		return CAMP_ETOOBIG;
	ctx = EVP_CIPHER_CTX_new();
	if (ctx == NULL)
		goto out;
	if (EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) != 1 ||
	    EVP_EncryptInit_ex(ctx, NULL, NULL, key, iv) != 1)
		goto out;
	if (aadlen > 0 &&
	    EVP_EncryptUpdate(ctx, NULL, &len, aad, (int)aadlen) != 1)
		goto out;
	if (n > 0 && EVP_EncryptUpdate(ctx, ct, &len, pt, (int)n) != 1)
		goto out;
	if (EVP_EncryptFinal_ex(ctx, fin, &len) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag) != 1)
		goto out;
	rc = CAMP_OK;
out:
	if (rc != CAMP_OK)
		drop_errors();
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

int crypto_gcm_decrypt(const unsigned char key[32], const unsigned char *iv,
                       size_t ivlen, const void *aad, size_t aadlen,
                       const unsigned char *ct, size_t n,
                       const unsigned char tag[16], unsigned char *pt)
{
	EVP_CIPHER_CTX *ctx = NULL;
	unsigned char tagcopy[16], fin[16];
	int len, rc = CAMP_ECRYPTO;

	/* WeChat sends 12-byte nonces; other lengths are legal GCM but an
	 * empty IV is not, and a huge one is surely an attack or a bug. */
	if (iv == NULL || ivlen == 0 || ivlen > 256)
		return CAMP_EINVAL;
	if (n > INT_MAX || aadlen > INT_MAX)
		return CAMP_ETOOBIG;
	/* The ctrl wants a writable pointer; do not cast away the caller's const. */
	memcpy(tagcopy, tag, sizeof tagcopy);
	ctx = EVP_CIPHER_CTX_new();
	if (ctx == NULL)
		goto out;
	if (EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, (int)ivlen, NULL) != 1 ||
	    EVP_DecryptInit_ex(ctx, NULL, NULL, key, iv) != 1)
		goto out;
	if (aadlen > 0 &&
	    EVP_DecryptUpdate(ctx, NULL, &len, aad, (int)aadlen) != 1)
		goto out;
	if (n > 0 && EVP_DecryptUpdate(ctx, pt, &len, ct, (int)n) != 1)
		goto out;
	if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, tagcopy) != 1 ||
	    EVP_DecryptFinal_ex(ctx, fin, &len) != 1)
		goto out;
	rc = CAMP_OK;
out:
	if (rc != CAMP_OK) {
		/* Never hand back plaintext that failed authentication. */
		if (n > 0 && n <= INT_MAX)
			OPENSSL_cleanse(pt, n);
		drop_errors();
	}
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

/* Passphrase callback that has none: an encrypted PEM must fail, not make
 * OpenSSL's default callback block on a terminal prompt inside a server. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf; (void)size; (void)rwflag; (void)u;
	return 0;
}

static BIO *pem_bio(const char *pem)
{
	size_t len = pem ? strlen(pem) : 0;
	if (len == 0 || len > MAX_PEM_LEN)
		return NULL;
	return BIO_new_mem_buf(pem, (int)len);
}

static int rsa_key_ok(const EVP_PKEY *pkey)
{
	return EVP_PKEY_is_a(pkey, "RSA") && EVP_PKEY_get_bits(pkey) >= MIN_RSA_BITS;
}

static EVP_PKEY *load_private(const char *pem)
{
	BIO *bio = pem_bio(pem);
	EVP_PKEY *pkey = NULL;

	if (bio == NULL)
		goto out;
	pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	if (pkey != NULL && !rsa_key_ok(pkey)) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
out:
	BIO_free(bio);
	return pkey;
}

/* A "PUBLIC KEY" (SubjectPublicKeyInfo, WeChat's pub_key.pem) or, failing
 * that, a "CERTIFICATE" (platform certificates of older merchants). */
static EVP_PKEY *load_public(const char *pem)
{
	BIO *bio = pem_bio(pem);
	EVP_PKEY *pkey = NULL;
	X509 *cert = NULL;

	if (bio == NULL)
		goto out;
	pkey = PEM_read_bio_PUBKEY(bio, NULL, no_passphrase, NULL);
	if (pkey == NULL) {
		/* The first attempt consumed the BIO; start over on a fresh one. */
		BIO_free(bio);
		bio = pem_bio(pem);
		if (bio == NULL)
			goto out;
		cert = PEM_read_bio_X509(bio, NULL, no_passphrase, NULL);
		if (cert == NULL)
			goto out;
		pkey = X509_get_pubkey(cert);   /* a new reference, ours to free */
	}
	if (pkey != NULL && !rsa_key_ok(pkey)) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
out:
	X509_free(cert);
	BIO_free(bio);
	return pkey;
}

/* --- issue #18: keys parsed once per process ---
 * OpenSSL 3 decodes a PEM through its provider machinery (locks, lookups): about a millisecond,
 * most of a callback's time.  The last few keys are kept parsed, by their exact PEM text (a
 * changed setting is a new text), shared read-only (camp-sim's threads too: under a lock). */
#define KEY_CACHE 8
static struct {
	char *pem;
	int priv;
	EVP_PKEY *key;
} key_cache[KEY_CACHE];
static unsigned key_cache_next;
static pthread_mutex_t key_cache_mu = PTHREAD_MUTEX_INITIALIZER;

/* A new reference to the parsed key (EVP_PKEY_free it), or NULL. */
static EVP_PKEY *cached_key(const char *pem, int priv)
{
	if (pem == NULL)
		return NULL;
	pthread_mutex_lock(&key_cache_mu);
	for (unsigned i = 0; i < KEY_CACHE; i++)
		if (key_cache[i].pem != NULL && key_cache[i].priv == priv && !strcmp(key_cache[i].pem, pem) &&
		    EVP_PKEY_up_ref(key_cache[i].key) == 1) {
			EVP_PKEY *k = key_cache[i].key;
			pthread_mutex_unlock(&key_cache_mu);
			return k;
		}
	pthread_mutex_unlock(&key_cache_mu);
	EVP_PKEY *k = priv ? load_private(pem) : load_public(pem);
	char *copy = k ? strdup(pem) : NULL;
	if (copy == NULL || EVP_PKEY_up_ref(k) != 1) {
		free(copy);
		return k;
	}
	pthread_mutex_lock(&key_cache_mu);
	unsigned i = key_cache_next++ % KEY_CACHE;
	free(key_cache[i].pem);
	EVP_PKEY_free(key_cache[i].key);
	key_cache[i].pem = copy;
	key_cache[i].priv = priv;
	key_cache[i].key = k;
	pthread_mutex_unlock(&key_cache_mu);
	return k;
}

char *crypto_rsa_sign_b64(const char *priv_pem, const void *msg, size_t n)
{
	EVP_PKEY *pkey = NULL;
	EVP_MD_CTX *md = NULL;
	EVP_PKEY_CTX *pctx = NULL;   /* owned by md */
	unsigned char *sig = NULL;
	size_t siglen = 0;
	char *b64 = NULL;

	if (msg == NULL && n > 0)
		goto out;
	pkey = cached_key(priv_pem, 1);
	if (pkey == NULL)
		goto out;
	md = EVP_MD_CTX_new();
	if (md == NULL)
		goto out;
	if (EVP_DigestSignInit(md, &pctx, EVP_sha256(), NULL, pkey) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) <= 0)
		goto out;
	if (EVP_DigestSign(md, NULL, &siglen, msg, n) != 1)
		goto out;
	sig = malloc(siglen);
	if (sig == NULL)
		goto out;
	if (EVP_DigestSign(md, sig, &siglen, msg, n) != 1)
		goto out;
	b64 = crypto_b64_encode(sig, siglen);
out:
	if (b64 == NULL)
		drop_errors();
	free(sig);
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pkey);
	return b64;
}

int crypto_rsa_verify_b64(const char *pub_pem, const void *msg, size_t n,
                          const char *sig_b64)
{
	EVP_PKEY *pkey = NULL;
	EVP_MD_CTX *md = NULL;
	EVP_PKEY_CTX *pctx = NULL;   /* owned by md */
	unsigned char *sig = NULL;
	size_t siglen = 0;
	int rc = CAMP_ECRYPTO;

	if (msg == NULL && n > 0)
		goto out;
	/* Decoding first is cheap and turns SIGNTEST probes away at once. */
	sig = crypto_b64_decode(sig_b64, &siglen);
	if (sig == NULL || siglen == 0)
		goto out;
	pkey = cached_key(pub_pem, 0);
	if (pkey == NULL)
		goto out;
	/* PKCS#1 v1.5 signatures are exactly the modulus size. */
	if (siglen != (size_t)EVP_PKEY_get_size(pkey))
		goto out;
	md = EVP_MD_CTX_new();
	if (md == NULL)
		goto out;
	if (EVP_DigestVerifyInit(md, &pctx, EVP_sha256(), NULL, pkey) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) <= 0)
		goto out;
	if (EVP_DigestVerify(md, sig, siglen, msg, n) != 1)
		goto out;
	rc = CAMP_OK;
out:
	if (rc != CAMP_OK)
		drop_errors();
	free(sig);
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pkey);
	return rc;
}

static int asn1_time(const ASN1_TIME *t, time_t *out)
{
	struct tm tm;
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return CAMP_ECRYPTO;
	*out = timegm(&tm);
	return CAMP_OK;
}

int crypto_x509_info(const char *cert_pem, struct x509_info *out)
{
	memset(out, 0, sizeof(*out));
	BIO *bio = pem_bio(cert_pem);
	X509 *cert = bio ? PEM_read_bio_X509(bio, NULL, no_passphrase, NULL) : NULL;
	EVP_PKEY *pkey = cert ? X509_get_pubkey(cert) : NULL;
	BIGNUM *bn = cert ? ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL) : NULL;
	char *hex = bn ? BN_bn2hex(bn) : NULL;
	int rc = CAMP_ECRYPTO;
	if (pkey == NULL || !rsa_key_ok(pkey) || hex == NULL || hex[0] == '-' ||
	    strlen(hex) >= sizeof(out->serial) ||
	    asn1_time(X509_get0_notBefore(cert), &out->not_before) != CAMP_OK ||
	    asn1_time(X509_get0_notAfter(cert), &out->not_after) != CAMP_OK)
		goto out;
	snprintf(out->serial, sizeof(out->serial), "%s", hex);   /* BN_bn2hex: upper case */
	rc = CAMP_OK;
out:
	if (rc != CAMP_OK)
		drop_errors();
	OPENSSL_free(hex);
	BN_free(bn);
	EVP_PKEY_free(pkey);
	X509_free(cert);
	BIO_free(bio);
	return rc;
}
