/* tap.h: the Test Anything Protocol in a header, for tests/unit. */
#ifndef CAMP_TAP_H
#define CAMP_TAP_H

#include <stdio.h>
#include <stdarg.h>
#include <string.h>

static int tap_n, tap_failed;

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, ...) \
	tap_is_int((long long)(got), (long long)(want), __FILE__, __LINE__, __VA_ARGS__)
#define is_str(got, want, ...) \
	tap_is_str((got), (want), __FILE__, __LINE__, __VA_ARGS__)

__attribute__((format(printf, 4, 5)))
static int tap_ok(int cond, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	tap_n++;
	printf("%sok %d - ", cond ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond) {
		tap_failed++;
		printf("#   failed at %s:%d\n", file, line);
	}
	return cond;
}

#define tap_is_int(got, want, file, line, ...) \
	(tap_ok((got) == (want), file, line, __VA_ARGS__) ? 1 : \
	 (printf("#   got %lld, want %lld\n", (got), (want)), 0))

static inline int tap_str_eq(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}
#define tap_is_str(got, want, file, line, ...) \
	(tap_ok(tap_str_eq((got), (want)), file, line, __VA_ARGS__) ? 1 : \
	 (printf("#   got '%s', want '%s'\n", (got) ? (got) : "(null)", \
	         (want) ? (want) : "(null)"), 0))

static inline int done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
