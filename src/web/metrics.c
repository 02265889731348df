/* metrics.c: lock-free counters in a shared file mapping, rendered for Prometheus. */
#include "metrics.h"
#include "buf.h"
#include "router.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_ROUTES 160
#define NBUCKETS 12
#define METRICS_MAGIC 0x43414d50u   /* "CAMP" */
#define METRICS_VERSION 1u

static const long bucket_ms[NBUCKETS - 1] = { 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500 };
static const char *const cb_names[CB__MAX] = {
	"applied", "duplicate", "exception", "rejected", "error"
};

struct shm {
	uint32_t magic, version, nroutes, pad;
	_Atomic uint64_t req[MAX_ROUTES + 1][6];  /* by status class 1xx…5xx, other */
	_Atomic uint64_t lat[NBUCKETS];
	_Atomic uint64_t lat_sum_us;
	_Atomic uint64_t lat_count;
	_Atomic uint64_t db_reconnects;
	_Atomic uint64_t callbacks[CB__MAX];
};

static struct shm local;        /* fallback when the file cannot be mapped */
static struct shm *m = &local;

void metrics_open(const char *dir, const char *pool)
{
	if (dir == NULL || pool == NULL)
		return;
	char path[4096];
	snprintf(path, sizeof(path), "%s/metrics-%s.bin", dir, pool);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0)
		return;
	struct stat st;
	if (fstat(fd, &st) == 0 && (size_t)st.st_size != sizeof(struct shm) &&
	    ftruncate(fd, sizeof(struct shm)) != 0) {
		close(fd);
		return;
	}
	void *p = mmap(NULL, sizeof(struct shm), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return;
	struct shm *s = p;
	/* a file from another build layout is reset, not misread */
	if (s->magic != METRICS_MAGIC || s->version != METRICS_VERSION || s->nroutes != nroutes) {
		memset(s, 0, sizeof(*s));
		s->nroutes = (uint32_t)nroutes;
		s->version = METRICS_VERSION;
		s->magic = METRICS_MAGIC;
	}
	m = s;
}

void metrics_request(size_t ri, int status, long micros)
{
	if (ri > MAX_ROUTES)
		ri = MAX_ROUTES;
	int cls = status >= 100 && status < 600 ? status / 100 - 1 : 5;
	atomic_fetch_add_explicit(&m->req[ri][cls], 1, memory_order_relaxed);
	int b = 0;
	while (b < NBUCKETS - 1 && micros > bucket_ms[b] * 1000)
		b++;
	atomic_fetch_add_explicit(&m->lat[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&m->lat_sum_us, (uint64_t)(micros > 0 ? micros : 0),
	                          memory_order_relaxed);
	atomic_fetch_add_explicit(&m->lat_count, 1, memory_order_relaxed);
}

void metrics_db_reconnect(void)
{
	atomic_fetch_add_explicit(&m->db_reconnects, 1, memory_order_relaxed);
}

void metrics_callback(enum callback_outcome o)
{
	if (o < CB__MAX)
		atomic_fetch_add_explicit(&m->callbacks[o], 1, memory_order_relaxed);
}

static void render_one(struct buf *b, const struct shm *s, const char *pool)
{
	static const char *cls[] = { "1xx", "2xx", "3xx", "4xx", "5xx", "other" };
	for (size_t i = 0; i <= MAX_ROUTES && i <= s->nroutes; i++) {
		const char *name = i < nroutes ? routes[i].name : "unmatched";
		for (int c = 0; c < 6; c++) {
			uint64_t v = atomic_load(&s->req[i][c]);
			if (v)
				buf_printf(b, "camp_http_requests_total{pool=\"%s\",route=\"%s\",status=\"%s\"} %llu\n",
				           pool, name, cls[c], (unsigned long long)v);
		}
	}
	uint64_t cum = 0;
	for (int i = 0; i < NBUCKETS; i++) {
		cum += atomic_load(&s->lat[i]);
		if (i < NBUCKETS - 1)
			buf_printf(b, "camp_http_request_duration_seconds_bucket{pool=\"%s\",le=\"%g\"} %llu\n",
			           pool, bucket_ms[i] / 1000.0, (unsigned long long)cum);
		else
			buf_printf(b, "camp_http_request_duration_seconds_bucket{pool=\"%s\",le=\"+Inf\"} %llu\n",
			           pool, (unsigned long long)cum);
	}
	buf_printf(b, "camp_http_request_duration_seconds_sum{pool=\"%s\"} %.6f\n", pool,
	           atomic_load(&s->lat_sum_us) / 1e6);
	buf_printf(b, "camp_http_request_duration_seconds_count{pool=\"%s\"} %llu\n", pool,
	           (unsigned long long)atomic_load(&s->lat_count));
	buf_printf(b, "camp_db_reconnects_total{pool=\"%s\"} %llu\n", pool,
	           (unsigned long long)atomic_load(&s->db_reconnects));
	for (int i = 0; i < CB__MAX; i++)
		buf_printf(b, "camp_wechatpay_callbacks_total{pool=\"%s\",outcome=\"%s\"} %llu\n",
		           pool, cb_names[i], (unsigned long long)atomic_load(&s->callbacks[i]));
}

void metrics_render(struct buf *b, const char *dir)
{
	buf_puts(b, "# TYPE camp_http_requests_total counter\n"
	            "# TYPE camp_http_request_duration_seconds histogram\n"
	            "# TYPE camp_db_reconnects_total counter\n"
	            "# TYPE camp_wechatpay_callbacks_total counter\n");
	DIR *dh = dir ? opendir(dir) : NULL;
	if (dh == NULL) {
		render_one(b, m, "self");
		return;
	}
	struct dirent *e;
	while ((e = readdir(dh)) != NULL) {
		size_t n = strlen(e->d_name);
		if (strncmp(e->d_name, "metrics-", 8) != 0 || n < 13 ||
		    strcmp(e->d_name + n - 4, ".bin") != 0)
			continue;
		char pool[64];
		snprintf(pool, sizeof(pool), "%.*s", (int)(n - 12), e->d_name + 8);
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		struct stat st;
		if (fstat(fd, &st) != 0 || (size_t)st.st_size < sizeof(struct shm)) {
			close(fd);   /* mapping past the end would raise SIGBUS */
			continue;
		}
		void *p = mmap(NULL, sizeof(struct shm), PROT_READ, MAP_SHARED, fd, 0);
		close(fd);
		if (p == MAP_FAILED)
			continue;
		const struct shm *s = p;
		if (s->magic == METRICS_MAGIC && s->version == METRICS_VERSION)
			render_one(b, s, pool);
		munmap(p, sizeof(struct shm));
	}
	closedir(dh);
}
