/* parse.h: parsers for untrusted request input (query, forms, multipart, cookies, JSON, integers). */
#ifndef CAMP_PARSE_H
#define CAMP_PARSE_H

#include <stddef.h>

#include "arena.h"
#include "camp.h"
#include "text.h"   /* utf8_valid, parse_i64 (shared with the business rules) */

struct json_object;

/* One name/value pair.  Both strings live on the arena and are
 * NUL-terminated; value_len is the length without the terminator (the
 * parsers refuse NUL bytes, so strlen(value) == value_len). */
struct kv {
	const char *name;
	const char *value;
	size_t value_len;
};

struct kvlist {
	struct kv *v;   /* in input order; repeated names are kept */
	size_t n;
};

/* One file from a multipart body.  field, filename and content_type are
 * arena strings; data points INTO the body passed to parse_multipart (no
 * copy of up to 2 MiB per file), so that body must outlive the uploads.
 * filename is the last path component of what the browser sent (IE used
 * to send "C:\dir\x.png"); content_type is "text/plain" when absent
 * (RFC 7578 §4.4).  Neither is trustworthy: check the bytes. */
struct upload {
	const char *field;
	const char *filename;
	const char *content_type;
	const unsigned char *data;
	size_t len;
};

struct uploads {
	struct upload *v;
	size_t n;
};

/* Limits on what one request may make us allocate.  Exceeding one gives
 * CAMP_ETOOBIG.  A NULL limits pointer means parse_default_limits. */
struct parse_limits {
	size_t max_fields;     /* text fields (urlencoded pairs, multipart text parts) */
	size_t max_name;       /* bytes of a field name, after decoding */
	size_t max_value;      /* bytes of a text value, after decoding */
	size_t max_files;      /* uploads in one multipart body */
	size_t max_file_size;  /* bytes of one upload */
};

/* 2000 fields, 256-byte names, 64 KiB values, 4 files, 2 MiB per file. */
extern const struct parse_limits parse_default_limits;

#define PARSE_MAX_COOKIES      100
#define PARSE_COOKIE_MAX_NAME  256
#define PARSE_COOKIE_MAX_VALUE 4096
#define PARSE_MULTIPART_MAX_HEADER_BYTES (8 * 1024)
#define PARSE_MULTIPART_MAX_HEADERS 64
#define PARSE_JSON_MAX_DEPTH 20
#define PARSE_JSON_MAX_BYTES (1024 * 1024)

/*
 * Every parser below fills *out only on CAMP_OK; on any other return the
 * outputs are empty lists (v == NULL, n == 0).  All memory comes from the
 * arena: nothing must be freed by the caller.
 */

/* Query strings and application/x-www-form-urlencoded bodies.  '+' is a
 * space, %XX must be two hex digits (else CAMP_EINVAL), NUL bytes (literal
 * or %00) and invalid UTF-8 are CAMP_EINVAL.  Empty pairs ("a=1&&b=2") and
 * pairs with an empty name ("=x") are skipped; "a" alone gives a = "".
 * More than max_fields pairs, or a name/value over its limit: CAMP_ETOOBIG. */
int parse_urlencoded(arena *a, const char *s, size_t len,
    const struct parse_limits *lim, struct kvlist *out);

/* A Cookie header ("a=1; b=2").  Tolerant: pairs that are not name=value,
 * have a name that is not an RFC 6265 token, control characters, invalid
 * UTF-8, or are longer than PARSE_COOKIE_MAX_NAME/VALUE are skipped.  A
 * value wholly in double quotes is unquoted.  Values are not
 * percent-decoded.  Only the first PARSE_MAX_COOKIES valid pairs are kept,
 * the rest ignored (an over-full cookie jar must not lock a user out).
 * A NULL header gives an empty list.  Always CAMP_OK. */
int parse_cookies(arena *a, const char *header, struct kvlist *out);

/* multipart/form-data (RFC 7578).  The boundary comes from content_type
 * (quoted or not, 1-70 RFC 2046 bchars).  Strict: CRLF line endings, the
 * body starts with the first delimiter (no preamble), ends with the close
 * delimiter (any epilogue after it is ignored), every part has exactly one
 * "Content-Disposition: form-data; name=..." and at most
 * PARSE_MULTIPART_MAX_HEADERS headers in PARSE_MULTIPART_MAX_HEADER_BYTES.
 * A part with a filename parameter is an upload (an empty filename with no
 * data means "no file chosen" and is skipped); any other part is a text
 * field (UTF-8, no NUL).  Malformed input: CAMP_EINVAL; a limit exceeded:
 * CAMP_ETOOBIG. */
int parse_multipart(arena *a, const char *content_type,
    const unsigned char *body, size_t len, const struct parse_limits *lim,
    struct kvlist *fields, struct uploads *files);

/* Exactly one JSON object (json-c, strict mode): valid UTF-8, nesting depth
 * at most PARSE_JSON_MAX_DEPTH, at most PARSE_JSON_MAX_BYTES (else
 * CAMP_ETOOBIG), only whitespace after it, and no string or key containing
 * \u0000 or an unpaired surrogate.  The object is released with the arena
 * (arena_defer): do not json_object_put it yourself; take a reference
 * (json_object_get) to keep a part past the request. */
int parse_json_object(arena *a, const char *s, size_t len,
    struct json_object **out);

/* The first value for name, or NULL. */
const char *kv_get(const struct kvlist *l, const char *name);
/* Stores up to max values for name in out, in order; returns how many
 * there are in total (which may be more than max). */
size_t kv_get_all(const struct kvlist *l, const char *name,
    const char **out, size_t max);

#endif
