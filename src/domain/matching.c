/* matching.c: member ↔ ZSXQ user confidence over normalised Unicode code points. */
#include "matching.h"

#include <stdlib.h>
#include <string.h>

/* One code point from UTF-8; bad sequences yield the byte itself. */
static uint32_t utf8_next(const unsigned char **pp)
{
	const unsigned char *p = *pp;
	uint32_t c = p[0];
	int extra = c >= 0xF0 && c < 0xF8 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
	if (c >= 0x80 && c < 0xC0)
		extra = 0;
	if (extra > 0) {
		uint32_t v = c & (0x3F >> extra);
		int i;
		for (i = 1; i <= extra; i++) {
			if ((p[i] & 0xC0) != 0x80)
				break;
			v = (v << 6) | (p[i] & 0x3F);
		}
		if (i > extra) {
			*pp = p + extra + 1;
			return v;
		}
	}
	*pp = p + 1;
	return c;
}

static int is_space(uint32_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0xA0 || c == 0x3000 ||
	       c == 0xFEFF || c == 0x200B;
}

size_t match_normalize(const char *s, uint32_t *out, size_t cap)
{
	size_t n = 0;
	if (s == NULL)
		return 0;
	const unsigned char *p = (const unsigned char *)s;
	while (*p && n < cap) {
		uint32_t c = utf8_next(&p);
		if (c >= 0xFF01 && c <= 0xFF5E)
			c -= 0xFEE0;
		else if (c == 0x3000)
			c = ' ';
		if (n == 0 && is_space(c))
			continue;
		out[n++] = c;
	}
	while (n > 0 && is_space(out[n - 1]))
		n--;
	return n;
}

int match_names_equal(const char *a, const char *b)
{
	uint32_t x[MATCH_NAME_MAX], y[MATCH_NAME_MAX];
	size_t nx = match_normalize(a, x, MATCH_NAME_MAX), ny = match_normalize(b, y, MATCH_NAME_MAX);
	return nx > 0 && nx == ny && memcmp(x, y, nx * sizeof(*x)) == 0;
}

size_t match_levenshtein(const char *a, const char *b)
{
	uint32_t x[MATCH_NAME_MAX], y[MATCH_NAME_MAX];
	size_t row[MATCH_NAME_MAX + 1];
	size_t nx = match_normalize(a, x, MATCH_NAME_MAX), ny = match_normalize(b, y, MATCH_NAME_MAX);
	for (size_t j = 0; j <= ny; j++)
		row[j] = j;
	for (size_t i = 1; i <= nx; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= ny; j++) {
			size_t up = row[j];
			size_t best = diag + (x[i - 1] != y[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[ny];
}

static int ascii_digits(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

static int ids_equal(const char *a, const char *b)
{
	/* issue #18: ZSXQ ids are plain digits; normalising changes nothing there (every
	 * member is compared with every user: this keeps 1000 × 1000 cheap) */
	if (a != NULL && b != NULL && ascii_digits(a) && ascii_digits(b))
		return strcmp(a, b) == 0;
	uint32_t x[64], y[64];
	size_t nx = match_normalize(a, x, 64), ny = match_normalize(b, y, 64);
	return nx > 0 && nx == ny && memcmp(x, y, nx * sizeof(*x)) == 0;
}

void match_member(const struct match_member *m, const struct match_user *users, size_t n,
                  struct match_result *out)
{
	out->confidence = 0;
	out->user = -1;
	out->flags = NULL;
	if (m->planet_user_id && *m->planet_user_id) {
		for (size_t i = 0; i < n; i++) {
			if (!ids_equal(m->planet_user_id, users[i].user_id))
				continue;
			out->user = (long)i;
			if (match_names_equal(m->planet_nickname, users[i].name)) {
				out->confidence = 100;
			} else {
				out->confidence = 66;
				out->flags = MATCH_FLAG_NICK;
			}
			return;
		}
	}
	for (size_t i = 0; i < n; i++)
		if (match_names_equal(m->planet_nickname, users[i].name)) {
			out->confidence = 66;
			out->user = (long)i;
			return;
		}
	for (size_t i = 0; i < n; i++)
		if (match_names_equal(m->wechat_nickname, users[i].name) ||
		    match_names_equal(m->wechat_nickname, users[i].alias)) {
			out->confidence = 33;
			out->user = (long)i;
			return;
		}
}
