/* clock.h: the one source of "now".  Tests may move it, production may not. */
#ifndef CAMP_CLOCK_H
#define CAMP_CLOCK_H

#include <time.h>

struct db;

/* Seconds since the epoch.  With CAMP_ENV=test, CAMP_TEST_NOW (RFC 3339) or
 * the settings key "test.now" (read by clock_refresh) override it. */
time_t camp_now(void);
/* Re-reads the test override from the database (no-op outside test). */
void clock_refresh(struct db *d);
/* "2026-11-22T10:00:00+08:00" in Asia/Shanghai; buf >= 32 bytes. */
const char *clock_rfc3339(time_t t, char *buf, size_t n);
/* Parses RFC 3339 with Z or ±hh:mm (fraction ignored). 0 on success. */
int clock_parse_rfc3339(const char *s, time_t *out);
/* camp_now() as an RFC 3339 text parameter for SQL ("now" always comes from
 * here, never from the database's now(), so tests can move it). */
const char *clock_now_param(char *buf, size_t n);
/* Milliseconds of the monotonic clock (durations only: never moved by tests or NTP). */
long long clock_mono_ms(void);

#endif
