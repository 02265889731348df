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
static char job_name[64];
static long long job_run_id, job_queue_id;

void log_init(const char *progname)
{
	prog = progname;
}

/* Keeps only the characters an id or a job name can have. */
static void copy_token(char *dst, size_t n, const char *src)
{
	size_t j = 0;
	for (size_t i = 0; src != NULL && src[i] && j + 1 < n; i++) {
		char c = src[i];
		if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		    (c >= 'A' && c <= 'Z') || c == '-' || c == '_')
			dst[j++] = c;
	}
	dst[j] = '\0';
}

void log_set_request(const char *rid, long long uid)
{
	copy_token(request_id, sizeof(request_id), rid);
	user_id = uid;
}

void log_set_job(const char *job, long long run_id, long long queue_id)
{
	copy_token(job_name, sizeof(job_name), job);
	job_run_id = run_id;
	job_queue_id = queue_id;
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

/* A message longer than the buffer is cut between characters, never inside
 * a UTF-8 sequence (Chinese text is three bytes a character), and says so. */
static void cut_utf8(char *msg, size_t size)
{
	static const char more[] = "…";
	size_t n = size - sizeof(more);          /* room for the mark and the NUL */
	while (n > 0 && ((unsigned char)msg[n] & 0xC0) == 0x80)
		n--;                              /* msg[n] starts a character: cut before it */
	memcpy(msg + n, more, sizeof(more));
}

static void emit(const char *level, const char *fmt, va_list ap)
{
	char msg[2048];
	int len = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (len >= (int)sizeof(msg))
		cut_utf8(msg, sizeof(msg));
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
	if (job_name[0])
		fprintf(stderr, " job=%s", job_name);
	if (job_run_id)
		fprintf(stderr, " run=%lld", job_run_id);
	if (job_queue_id)
		fprintf(stderr, " queue=%lld", job_queue_id);
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
