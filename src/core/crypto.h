/* crypto.h: hashing, randomness, base64, HKDF, AES-256-GCM, RSA-SHA256. */
#ifndef CAMP_CRYPTO_H
#define CAMP_CRYPTO_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

int crypto_random(void *buf, size_t n);            /* CAMP_OK / CAMP_ECRYPTO */
/* n random characters of [0-9A-Za-z] (+NUL): nonces, order numbers. */
int crypto_random_alnum(char *out, size_t n);
/* "tk_" + 32 hex chars (128 bits). out >= 36 bytes. */
int crypto_token(const char *prefix, char *out, size_t n);

void crypto_sha256(const void *p, size_t n, unsigned char out[32]);
/* Lowercase hex of SHA-256; out >= 65. */
void crypto_sha256_hex(const void *p, size_t n, char out[65]);
void crypto_hex(const unsigned char *p, size_t n, char *out); /* 2n+1 */
/* Lowercase hex SHA-256 of a file's bytes, streamed (issue #17: backups).
 * CAMP_OK, CAMP_ENOTFOUND when it cannot be opened, CAMP_ERR on a read error. */
int crypto_sha256_file(const char *path, char out[65]);
int crypto_hmac_sha256(const void *key, size_t klen, const void *msg,
                       size_t mlen, unsigned char out[32]);
/* Constant-time comparison; 1 when equal. */
int crypto_equal(const void *a, const void *b, size_t n);

/* Base64 (standard alphabet, padded). Returns malloc'd NUL-terminated text. */
char *crypto_b64_encode(const void *p, size_t n);
/* Strict decode: rejects bad characters/padding. malloc'd, *outlen set. NULL on error. */
unsigned char *crypto_b64_decode(const char *s, size_t *outlen);

int crypto_hkdf_sha256(const void *ikm, size_t ikmlen, const char *label,
                       unsigned char *out, size_t outlen);

/* AES-256-GCM with a 12-byte IV and 16-byte tag. ct has the same length as pt. */
int crypto_gcm_encrypt(const unsigned char key[32], const unsigned char iv[12],
                       const void *aad, size_t aadlen, const void *pt, size_t n,
                       unsigned char *ct, unsigned char tag[16]);
int crypto_gcm_decrypt(const unsigned char key[32], const unsigned char *iv,
                       size_t ivlen, const void *aad, size_t aadlen,
                       const unsigned char *ct, size_t n,
                       const unsigned char tag[16], unsigned char *pt);

/* RSASSA-PKCS1-v1_5 with SHA-256.  Keys are PEM text (PKCS#8 private key,
 * SubjectPublicKeyInfo public key or an X.509 certificate). */
char *crypto_rsa_sign_b64(const char *priv_pem, const void *msg, size_t n); /* malloc'd */
int crypto_rsa_verify_b64(const char *pub_pem, const void *msg, size_t n,
                          const char *sig_b64);    /* CAMP_OK or CAMP_ECRYPTO */

/* What a PEM "CERTIFICATE" says about itself: its serial number (upper-case
 * hex, leading zeros as in the DER integer's bytes) and its validity.  The
 * key must be RSA ≥ 2048 bits.  CAMP_OK or CAMP_ECRYPTO (not an X.509
 * certificate, another key type, unreadable dates). */
struct x509_info {
	char serial[81];
	time_t not_before, not_after;
};
int crypto_x509_info(const char *cert_pem, struct x509_info *out);

#endif
