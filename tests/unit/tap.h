/* tap.h: the Test Anything Protocol in a header, for tests/unit. */
#ifndef CAMP_TAP_H
#define CAMP_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
/* Arguments are evaluated exactly once (a failing check prints what it got). */
#define is_int(got, want, ...) \
	tap_is_int((long long)(got), (long long)(want), __FILE__, __LINE__, __VA_ARGS__)
#define is_str(got, want, ...) \
	tap_is_str((const char *)(got), (const char *)(want), __FILE__, __LINE__, __VA_ARGS__)

static void tap_vreport(int cond, const char *file, int line, const char *fmt, va_list ap)
{
	if (tap_n == 0)
		setvbuf(stdout, NULL, _IOLBF, 0);  /* a sanitizer abort must not eat lines */
	tap_n++;
	printf("%sok %d - ", cond ? "" : "not ", tap_n);
	vprintf(fmt, ap);
	printf("\n");
	if (!cond) {
		tap_failed++;
		printf("#   failed at %s:%d\n", file, line);
	}
}

__attribute__((format(printf, 4, 5), unused))
static int tap_ok(int cond, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	tap_vreport(cond, file, line, fmt, ap);
	va_end(ap);
	return cond;
}

__attribute__((format(printf, 5, 6), unused))
static int tap_is_int(long long got, long long want, const char *file, int line,
                      const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	tap_vreport(got == want, file, line, fmt, ap);
	va_end(ap);
	if (got != want)
		printf("#   got %lld, want %lld\n", got, want);
	return got == want;
}

__attribute__((format(printf, 5, 6), unused))
static int tap_is_str(const char *got, const char *want, const char *file, int line,
                      const char *fmt, ...)
{
	int eq = (got == NULL && want == NULL) || (got && want && strcmp(got, want) == 0);
	va_list ap;
	va_start(ap, fmt);
	tap_vreport(eq, file, line, fmt, ap);
	va_end(ap);
	if (!eq)
		printf("#   got '%s', want '%s'\n", got ? got : "(null)", want ? want : "(null)");
	return eq;
}

__attribute__((unused))
static int done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
