/* text.c: character counts, control characters and trimming for form fields. */
#include "text.h"

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

int text_is_hex(const char *s, size_t len)
{
	if (s == NULL || strlen(s) != len)
		return 0;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return 0;
	return 1;
}
