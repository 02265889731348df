/* dates.h: calendar dates in Asia/Shanghai (UTC+8, no DST since 1991). */
#ifndef CAMP_DATES_H
#define CAMP_DATES_H

#include <time.h>

#define CST_OFFSET (8 * 3600)

/* A calendar date as days since 1970-01-01. */
typedef long cday;

/* "YYYY-MM-DD" (exactly, a real date) → day. CAMP_OK or CAMP_EINVAL. */
int cday_parse(const char *s, cday *out);
/* day → "YYYY-MM-DD"; buf >= 11. */
char *cday_format(cday d, char *buf, unsigned n);
/* The Asia/Shanghai date of an instant. */
cday cday_of(time_t t);
/* The first second of that date in Asia/Shanghai. */
time_t cday_start(cday d);
/* Inclusive span: cday_span(start, end) == end - start + 1. */
long cday_span(cday start, cday end);
void cday_ymd(cday d, int *y, int *m, int *dd);
cday cday_from_ymd(int y, int m, int d);
/* The calendar month `back` months before the one holding day (0 = that
 * month, 1 = the month before): its first and last day (issue #15: 本月 / 上月). */
void cday_month(cday day, int back, cday *first, cday *last);

#endif
