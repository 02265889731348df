/* text.h: small checks on user-typed text (already valid UTF-8 from the parsers). */
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

#endif
