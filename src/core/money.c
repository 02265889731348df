/* money.c: yuan text <-> integer fen, strictly. */
#include "money.h"
#include "camp.h"

#include <stdio.h>
#include <string.h>

int money_parse(const char *s, int64_t *fen)
{
	if (s == NULL || *s == '\0')
		return CAMP_EINVAL;
	int64_t yuan = 0;
	const char *p = s;
	int intdigits = 0;
	while (*p >= '0' && *p <= '9') {
		if (++intdigits > 8)          /* DECIMAL(10,2): at most 8 integer digits */
			return CAMP_EINVAL;
		yuan = yuan * 10 + (*p - '0');
		p++;
	}
	if (intdigits == 0)
		return CAMP_EINVAL;
	int64_t cents = 0;
	if (*p == '.') {
		p++;
		int dec = 0;
		while (*p >= '0' && *p <= '9') {
			if (++dec > 2)
				return CAMP_EINVAL;
			cents = cents * 10 + (*p - '0');
			p++;
		}
		if (dec == 0)
			return CAMP_EINVAL;   /* "99." */
		if (dec == 1)
			cents *= 10;
	}
	if (*p != '\0')
		return CAMP_EINVAL;
	int64_t v = yuan * 100 + cents;
	if (v > MONEY_MAX_FEN)
		return CAMP_EINVAL;
	*fen = v;
	return CAMP_OK;
}

char *money_format(int64_t fen, char *buf, unsigned n)
{
	const char *sign = fen < 0 ? "-" : "";
	uint64_t a = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
	snprintf(buf, n, "%s%llu.%02llu", sign, (unsigned long long)(a / 100),
	         (unsigned long long)(a % 100));
	return buf;
}

char *money_format_grouped(int64_t fen, char *buf, unsigned n)
{
	char plain[32];
	money_format(fen < 0 ? -fen : fen, plain, sizeof(plain));
	char *dot = strchr(plain, '.');
	size_t intlen = (size_t)(dot - plain);
	char out[48];
	size_t o = 0;
	if (fen < 0)
		out[o++] = '-';
	for (size_t i = 0; i < intlen; i++) {
		if (i > 0 && (intlen - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = plain[i];
	}
	snprintf(out + o, sizeof(out) - o, "%s", dot);
	snprintf(buf, n, "%s", out);
	return buf;
}
