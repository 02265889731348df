/* media.h: uploaded images, checked by their bytes and stored by their hash. */
#ifndef CAMP_MEDIA_H
#define CAMP_MEDIA_H

#include <stddef.h>

#include "arena.h"

struct db;

#define MEDIA_MAX_BYTES (2 * 1024 * 1024)

struct media_info {
	const char *mime;     /* image/jpeg | image/png */
	int width, height;
};

/* Identifies a JPEG or PNG by its magic bytes and header (never by the
 * file name or the browser's content type).  CAMP_OK, CAMP_EINVAL (not an
 * image we accept) or CAMP_ETOOBIG (over 2 MiB). */
int media_sniff(const unsigned char *p, size_t n, struct media_info *out);
/* Stores the bytes (content-addressed: storing twice is harmless) and
 * writes the lowercase hex SHA-256 into sha (65 bytes).  Runs in the
 * caller's transaction. */
int media_store(struct db *d, arena *a, const unsigned char *p, size_t n, char sha[65]);
/* 1 when a media row with this hash exists. */
int media_exists(struct db *d, arena *a, const char *sha);

#endif
