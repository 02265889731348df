/* metrics.h: request counters shared by every child of a pool (mmap'd file). */
#ifndef CAMP_METRICS_H
#define CAMP_METRICS_H

#include <stddef.h>

struct buf;
struct req;

enum callback_outcome {
	CB_APPLIED, CB_DUPLICATE, CB_EXCEPTION, CB_REJECTED, CB_ERROR, CB__MAX
};

/* Maps <dir>/metrics-<pool>.bin (created when missing).  Without it the
 * counters are per process, which is still correct for one child. */
void metrics_open(const char *dir, const char *pool);
void metrics_request(size_t route_index, int status, long micros);
void metrics_db_reconnect(void);
void metrics_callback(enum callback_outcome o);
/* Prometheus text of every pool's file in dir. */
void metrics_render(struct buf *b, const char *dir);

#endif
