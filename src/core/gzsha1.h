/* gzsha1.h: gzip and SHA-1 for downloaded files (WeChat Pay trade bills). */
#ifndef CAMP_GZSHA1_H
#define CAMP_GZSHA1_H

#include <stddef.h>

/* Lower-case hex SHA-1 of n bytes (41 bytes with the NUL). */
void sha1_hex(const void *p, size_t n, char out[41]);

/* 1 when the bytes start like a gzip member (1f 8b). */
int gz_is_gzip(const void *p, size_t n);

/* Inflates one gzip stream into a malloc'd, NUL-terminated buffer of at
 * most max bytes.  CAMP_OK, CAMP_EINVAL (not gzip, corrupt or truncated),
 * CAMP_ETOOBIG (larger than max). */
int gz_inflate(const void *p, size_t n, size_t max, char **out, size_t *outlen);

/* Compresses into a malloc'd gzip stream.  CAMP_OK or CAMP_ERR. */
int gz_deflate(const void *p, size_t n, char **out, size_t *outlen);

#endif
