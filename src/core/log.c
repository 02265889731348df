/* log.c: one line per event on stderr, with request context; unforgeable. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *prog = "camp";
static char request_id[80];
static long long user_id;

void log_init(const char *progname)
{
	prog = progname;
}

void log_set_request(const char *rid, long long uid)
{
	request_id[0] = '\0';
	if (rid != NULL) {
		/* keep only the characters a request id can have */
		size_t j = 0;
		for (size_t i = 0; rid[i] && j + 1 < sizeof(request_id); i++) {
			char c = rid[i];
			if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
			    (c >= 'A' && c <= 'Z') || c == '-' || c == '_')
				request_id[j++] = c;
		}
		request_id[j] = '\0';
	}
	user_id = uid;
}

/* Control characters in messages (which may quote user input) become \xNN,
 * so a crafted value cannot fake a second log line. */
static void put_escaped(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\x%02x", *p);
		else
			fputc(*p, f);
	}
}

static void emit(const char *level, const char *fmt, va_list ap)
{
	char msg[2048];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	char ts[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	flockfile(stderr);
	fprintf(stderr, "%s %s[%d] %s", ts, prog, (int)getpid(), level);
	if (request_id[0])
		fprintf(stderr, " req=%s", request_id);
	if (user_id)
		fprintf(stderr, " user=%lld", user_id);
	fputc(' ', stderr);
	put_escaped(stderr, msg);
	fputc('\n', stderr);
	funlockfile(stderr);
}

#define LOG_FN(name, level)                          \
	void name(const char *fmt, ...)              \
	{                                            \
		va_list ap;                          \
		va_start(ap, fmt);                   \
		emit(level, fmt, ap);                \
		va_end(ap);                          \
	}

LOG_FN(log_info, "info")
LOG_FN(log_warn, "warn")
LOG_FN(log_err, "error")
