/* gzsha1.c: zlib's gzip streams and OpenSSL's SHA-1, behind four small functions. */
#include "gzsha1.h"
#include "camp.h"
#include "crypto.h"

#include <limits.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

void sha1_hex(const void *p, size_t n, char out[41])
{
	unsigned char md[20];
	/* as crypto_sha256: a digest that cannot be computed is a broken install */
	if (EVP_Digest(p, n, md, NULL, EVP_sha1(), NULL) != 1)
		abort();
	crypto_hex(md, sizeof md, out);
}

int gz_is_gzip(const void *p, size_t n)
{
	const unsigned char *b = p;
	return n >= 2 && b[0] == 0x1f && b[1] == 0x8b;
}

int gz_inflate(const void *p, size_t n, size_t max, char **out, size_t *outlen)
{
	*out = NULL;
	*outlen = 0;
	if (!gz_is_gzip(p, n) || n > UINT_MAX || max == 0)
		return CAMP_EINVAL;
	z_stream zs;
	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)    /* the gzip wrapper only */
		return CAMP_EINVAL;
	size_t cap = n < max / 4 ? n * 4 + 1024 : max, len = 0;
	if (cap > max)
		cap = max;
	char *buf = malloc(cap + 1);
	int rc = buf ? Z_OK : Z_MEM_ERROR, too_big = 0;
	zs.next_in = (unsigned char *)(uintptr_t)p;
	zs.avail_in = (unsigned)n;
	while (rc == Z_OK) {
		if (len == cap) {
			if (cap == max) {
				too_big = 1;
				break;
			}
			cap = cap > max / 2 ? max : cap * 2;
			char *t = realloc(buf, cap + 1);
			if (t == NULL) {
				rc = Z_MEM_ERROR;
				break;
			}
			buf = t;
		}
		size_t room = cap - len > UINT_MAX ? UINT_MAX : cap - len;
		zs.next_out = (unsigned char *)buf + len;
		zs.avail_out = (unsigned)room;
		rc = inflate(&zs, Z_NO_FLUSH);
		len += room - zs.avail_out;
		if (rc == Z_BUF_ERROR && zs.avail_out == 0)
			rc = Z_OK;         /* only the output was full: grow and go on */
	}
	inflateEnd(&zs);
	if (rc != Z_STREAM_END) {   /* corrupt, truncated (Z_BUF_ERROR) or too big */
		free(buf);
		return too_big ? CAMP_ETOOBIG : CAMP_EINVAL;
	}
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	return CAMP_OK;
}

int gz_deflate(const void *p, size_t n, char **out, size_t *outlen)
{
	*out = NULL;
	*outlen = 0;
	if (n > UINT_MAX / 2)
		return CAMP_ERR;
	z_stream zs;
	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8,
	                 Z_DEFAULT_STRATEGY) != Z_OK)
		return CAMP_ERR;
	size_t cap = deflateBound(&zs, (uLong)n);
	char *buf = malloc(cap);
	if (buf == NULL) {
		deflateEnd(&zs);
		return CAMP_ERR;
	}
	zs.next_in = (unsigned char *)(uintptr_t)p;
	zs.avail_in = (unsigned)n;
	zs.next_out = (unsigned char *)buf;
	zs.avail_out = (unsigned)cap;
	int rc = deflate(&zs, Z_FINISH);
	*outlen = cap - zs.avail_out;
	deflateEnd(&zs);
	if (rc != Z_STREAM_END) {
		free(buf);
		*outlen = 0;
		return CAMP_ERR;
	}
	*out = buf;
	return CAMP_OK;
}
