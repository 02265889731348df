/* text.c: character counts, control characters and trimming for form fields. */
#include "text.h"

#include "camp.h"

#include <limits.h>
#include <string.h>

size_t text_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

int text_has_control(const char *s, int allow_newlines)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (allow_newlines && (*p == '\n' || *p == '\r' || *p == '\t'))
			continue;
		if (*p < 0x20 || *p == 0x7f)
			return 1;
	}
	return 0;
}

static int blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

const char *text_trim(arena *a, const char *s)
{
	if (s == NULL)
		return "";
	while (blank(*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && blank(s[n - 1]))
		n--;
	return arena_strndup(a, s, n);
}

const char *text_cut(arena *a, const char *s, size_t max_bytes)
{
	if (s == NULL)
		return "";
	size_t n = strlen(s);
	if (n > max_bytes) {
		n = max_bytes;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;    /* s[n] continues a character: end before that character */
	}
	return arena_strndup(a, s, n);
}

/* ---- UTF-8 and integers: shared by the request parsers and the business rules ---- */

/* Length of the sequence starting at s[i] (0 when malformed).  Second-byte
 * ranges follow RFC 3629 §4, which is what rules out overlongs,
 * surrogates and code points above U+10FFFF. */
static size_t utf8_seq(const unsigned char *s, size_t len, size_t i)
{
	unsigned char c = s[i];
	size_t n;
	unsigned char lo = 0x80, hi = 0xBF;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		if (c == 0xE0)
			lo = 0xA0;   /* overlong below U+0800 */
		else if (c == 0xED)
			hi = 0x9F;   /* surrogates U+D800..U+DFFF */
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		if (c == 0xF0)
			lo = 0x90;   /* overlong below U+10000 */
		else if (c == 0xF4)
			hi = 0x8F;   /* above U+10FFFF */
	} else
		return 0;        /* continuation byte, C0/C1 overlong, F5+ */
	if (len - i < n || s[i + 1] < lo || s[i + 1] > hi)
		return 0;
	for (size_t k = 2; k < n; k++)
		if ((s[i + k] & 0xC0) != 0x80)
			return 0;
	return n;
}

int utf8_valid(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		size_t n = utf8_seq(u, len, i);
		if (n == 0)
			return 0;
		i += n;
	}
	return 1;
}

int parse_i64(const char *s, long long min, long long max, long long *out)
{
	int neg = 0;
	unsigned long long mag = 0, limit;

	if (s == NULL || min > max)
		return CAMP_EINVAL;
	if (*s == '-' && min < 0) {
		neg = 1;
		s++;
	}
	if (*s == '\0')
		return CAMP_EINVAL;
	/* The magnitude of LLONG_MIN does not fit a long long: compute in
	 * unsigned and compare against the bound for this sign. */
	limit = neg ? (unsigned long long)LLONG_MAX + 1 : (unsigned long long)LLONG_MAX;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return CAMP_EINVAL;
		unsigned d = (unsigned)(*s - '0');
		if (mag > (limit - d) / 10)
			return CAMP_EINVAL;
		mag = mag * 10 + d;
	}
	long long v = neg ? (mag == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN
	    : -(long long)mag) : (long long)mag;
	if (v < min || v > max)
		return CAMP_EINVAL;
	*out = v;
	return CAMP_OK;
}

int text_is_hex(const char *s, size_t len)
{
	if (s == NULL || strlen(s) != len)
		return 0;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return 0;
	return 1;
}
