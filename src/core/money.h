/* money.h: amounts are int64 fen; yuan text only at the edges. */
#ifndef CAMP_MONEY_H
#define CAMP_MONEY_H

#include <stdint.h>

#define MONEY_MAX_FEN ((int64_t)9999999999) /* DECIMAL(10,2) */

/* "99", "99.9", "99.00" → 9900 fen.  Refuses signs, exponents, spaces,
 * more than 2 decimals, empty text and values over DECIMAL(10,2).
 * Returns CAMP_OK or CAMP_EINVAL. */
int money_parse(const char *s, int64_t *fen);
/* 9900 → "99.00"; buf >= 24 bytes.  Returns buf. */
char *money_format(int64_t fen, char *buf, unsigned n);
/* 118800 → "1,188.00" (for pages). */
char *money_format_grouped(int64_t fen, char *buf, unsigned n);

#endif
