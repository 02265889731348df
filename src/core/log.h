/* log.h: one-line log records on stderr, control characters escaped. */
#ifndef CAMP_LOG_H
#define CAMP_LOG_H

void log_init(const char *progname);
/* Context printed on every line until cleared: the nginx request id and the
 * signed-in admin (0 = none).  Pass NULL to clear. */
void log_set_request(const char *request_id, long long user_id);

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
