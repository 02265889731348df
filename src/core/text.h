/* text.h: small checks on user-typed text, UTF-8 validity and strict integer parsing. */
#ifndef CAMP_TEXT_H
#define CAMP_TEXT_H

#include <stddef.h>

#include "arena.h"

/* Characters (code points), not bytes: 50 Chinese characters are 50. */
size_t text_chars(const char *s);
/* 1 when s holds a control character; with allow_newlines, \n, \r and \t
 * are fine (multi-line fields). */
int text_has_control(const char *s, int allow_newlines);
/* A copy without leading and trailing spaces, tabs and line breaks ("" for NULL). */
const char *text_trim(arena *a, const char *s);
/* 1 when s is exactly len lowercase hex digits (a SHA-256 is 64). */
int text_is_hex(const char *s, size_t len);

/* A copy of s of at most max_bytes bytes, cut between characters, never
 * inside one (WeChat Pay's description: 127 bytes).  "" for NULL. */
const char *text_cut(arena *a, const char *s, size_t max_bytes);

/* 1 when s[0..len) is well-formed UTF-8 (no overlongs, no surrogates,
 * nothing above U+10FFFF), else 0.  NUL bytes are valid UTF-8 here. */
int utf8_valid(const char *s, size_t len);

/* strtonum-style: the whole string is decimal digits, optionally preceded
 * by '-' only when min < 0 (never '+', never spaces); leading zeros are
 * fine ("01" is 1).  CAMP_OK with *out set when min <= value <= max, else
 * CAMP_EINVAL (*out untouched). */
int parse_i64(const char *s, long long min, long long max, long long *out);

#endif
