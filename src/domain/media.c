/* media.c: image sniffing (JPEG/PNG headers) and content-addressed storage. */
#include "media.h"
#include "camp.h"
#include "crypto.h"
#include "db.h"

#include <stdio.h>
#include <string.h>

static unsigned be16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static unsigned long be32(const unsigned char *p)
{
	return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 |
	       (unsigned long)p[2] << 8 | p[3];
}

static int sniff_png(const unsigned char *p, size_t n, struct media_info *out)
{
	static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	if (n < 33 || memcmp(p, sig, 8) != 0 || memcmp(p + 12, "IHDR", 4) != 0 ||
	    be32(p + 8) != 13)
		return CAMP_EINVAL;
	unsigned long w = be32(p + 16), h = be32(p + 20);
	if (w == 0 || h == 0 || w > 20000 || h > 20000)
		return CAMP_EINVAL;
	out->mime = "image/png";
	out->width = (int)w;
	out->height = (int)h;
	return CAMP_OK;
}

/* Walks the JPEG segments to the first SOFn frame header for the size. */
static int sniff_jpeg(const unsigned char *p, size_t n, struct media_info *out)
{
	if (n < 4 || p[0] != 0xFF || p[1] != 0xD8 || p[2] != 0xFF)
		return CAMP_EINVAL;
	size_t i = 2;
	while (i + 4 <= n) {
		if (p[i] != 0xFF)
			return CAMP_EINVAL;
		unsigned char marker = p[i + 1];
		if (marker == 0xFF) {          /* fill byte */
			i++;
			continue;
		}
		if (marker == 0xD9 || marker == 0xDA)
			return CAMP_EINVAL;        /* image data before any frame header */
		unsigned seglen = be16(p + i + 2);
		if (seglen < 2 || i + 2 + seglen > n)
			return CAMP_EINVAL;
		int sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 &&
		          marker != 0xC8 && marker != 0xCC;
		if (sof) {
			if (seglen < 7)
				return CAMP_EINVAL;
			unsigned h = be16(p + i + 5), w = be16(p + i + 7);
			if (w == 0 || h == 0)
				return CAMP_EINVAL;
			out->mime = "image/jpeg";
			out->width = (int)w;
			out->height = (int)h;
			return CAMP_OK;
		}
		i += 2 + seglen;
	}
	return CAMP_EINVAL;
}

int media_sniff(const unsigned char *p, size_t n, struct media_info *out)
{
	if (p == NULL || n == 0)
		return CAMP_EINVAL;
	if (n > MEDIA_MAX_BYTES)
		return CAMP_ETOOBIG;
	if (sniff_png(p, n, out) == CAMP_OK)
		return CAMP_OK;
	return sniff_jpeg(p, n, out);
}

static const struct db_stmt q_store = DB_STMT(
	"INSERT INTO media (sha256, mime, bytes, size, width, height)"
	" VALUES ($1, $2, decode($3, 'hex'), $4::integer, $5::integer, $6::integer)"
	" ON CONFLICT (sha256) DO NOTHING");

int media_store(struct db *d, arena *a, const unsigned char *p, size_t n, char sha[65])
{
	struct media_info info;
	int rc = media_sniff(p, n, &info);
	if (rc != CAMP_OK)
		return rc;
	crypto_sha256_hex(p, n, sha);
	char *hex = arena_alloc(a, 2 * n + 1);
	crypto_hex(p, n, hex);
	const char *params[] = { sha, info.mime, hex, arena_printf(a, "%zu", n),
	                         arena_printf(a, "%d", info.width),
	                         arena_printf(a, "%d", info.height) };
	return db_q(d, a, &q_store, 6, params) ? CAMP_OK : CAMP_EDB;
}

static const struct db_stmt q_exists = DB_STMT("SELECT 1 FROM media WHERE sha256 = $1");

int media_exists(struct db *d, arena *a, const char *sha)
{
	if (sha == NULL || strlen(sha) != 64)
		return 0;
	const char *p[] = { sha };
	PGresult *res = db_q(d, a, &q_exists, 1, p);
	return res != NULL && PQntuples(res) == 1;
}
