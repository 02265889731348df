/* log.h: one-line log records on stderr, control characters escaped. */
#ifndef CAMP_LOG_H
#define CAMP_LOG_H

void log_init(const char *progname);
/* Context printed on every line until cleared: the nginx request id and the
 * signed-in admin (0 = none).  Pass NULL to clear. */
void log_set_request(const char *request_id, long long user_id);
/* camp-worker's context: the job, its job_run id and the job_queue row it
 * came from (0 = none); printed as "job=… run=… queue=…" on every line until
 * cleared with (NULL, 0, 0). */
void log_set_job(const char *job, long long run_id, long long queue_id);

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
