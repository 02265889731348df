/* sys.c: /healthz, /metrics and /media/{sha256}. */
#include "pages.h"
#include "buf.h"
#include "camp.h"
#include "db.h"
#include "metrics.h"
#include "page.h"
#include "text.h"
#include "watchdog.h"

#include <stdlib.h>
#include <string.h>

static const struct db_stmt q_ping = DB_STMT("SELECT 1");

/* Answers from the database itself: 503 while it is down, 200 as soon as
 * it is back (db_ensure reconnects; no restart needed). */
void page_healthz(struct req *r, struct resp *w)
{
	PGresult *res = NULL;
	if (db_ensure(r->db) == CAMP_OK)
		res = db_q(r->db, r->a, &q_ping, 0, NULL);
	if (res != NULL) {
		resp_json_text(w, 200, "{\"status\":\"ok\",\"db\":\"ok\"}");
	} else {
		resp_header(w, "Retry-After", "10");
		resp_json_text(w, 503, "{\"status\":\"unavailable\",\"db\":\"down\"}");
	}
}

static const struct db_stmt q_jobs = DB_STMT(
	"SELECT job, outcome, count(*) AS n FROM job_run GROUP BY job, outcome ORDER BY 1, 2");

void page_metrics(struct req *r, struct resp *w)
{
	struct buf b = BUF_INIT;
	const char *dir = getenv("CAMP_METRICS_DIR");
	metrics_render(&b, dir ? dir : "/run/camp-deposit");
	PGresult *res = db_q(r->db, r->a, &q_jobs, 0, NULL);
	buf_puts(&b, "# TYPE camp_job_runs_total counter\n");
	for (int i = 0; res && i < PQntuples(res); i++)
		buf_printf(&b, "camp_job_runs_total{job=\"%s\",outcome=\"%s\"} %s\n",
		           PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), PQgetvalue(res, i, 2));
	/* --- issue #17: what the watchdog found on its last run --- */
	struct wd_report wd;
	if (watchdog_findings(r->db, r->a, &wd) == CAMP_OK && wd.n > 0) {
		buf_puts(&b, "# TYPE camp_watchdog_ok gauge\n");
		for (int i = 0; i < wd.n; i++)
			buf_printf(&b, "camp_watchdog_ok{condition=\"%s\",subject=\"%s\"} %d\n",
			           wd.f[i].condition, wd.f[i].subject, wd.f[i].ok);
		buf_puts(&b, "# TYPE camp_watchdog_value gauge\n");
		for (int i = 0; i < wd.n; i++)
			if (wd.f[i].value >= 0)
				buf_printf(&b, "camp_watchdog_value{condition=\"%s\",subject=\"%s\"} %lld\n",
				           wd.f[i].condition, wd.f[i].subject, wd.f[i].value);
		buf_printf(&b, "# TYPE camp_watchdog_problems gauge\ncamp_watchdog_problems %d\n"
		               "# TYPE camp_watchdog_checked_timestamp_seconds gauge\n"
		               "camp_watchdog_checked_timestamp_seconds %lld\n",
		           wd.problems, wd.checked_epoch);
	}
	size_t len;
	char *s = buf_detach(&b, &len);
	arena_defer(r->a, free, s);
	resp_body(w, 200, "text/plain; version=0.0.4; charset=utf-8", s, len);
}

static const struct db_stmt q_media = DB_STMT(
	"SELECT mime, bytes FROM media WHERE sha256 = $1");

void page_media(struct req *r, struct resp *w)
{
	const char *h = r->cap[0];
	if (!text_is_hex(h, 64)) {
		resp_error(r, w, 404, "图片不存在");
		return;
	}
	const char *p[] = { h };
	/* binary result: bytea comes back raw, no hex decoding */
	PGresult *res = db_q_binary(r->db, r->a, &q_media, 1, p);
	if (res == NULL) {
		resp_error(r, w, 503, "服务暂不可用");
		return;
	}
	if (PQntuples(res) != 1) {
		resp_error(r, w, 404, "图片不存在");
		return;
	}
	const char *mime = arena_strndup(r->a, PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0));
	w->cache = CACHE_IMMUTABLE;
	resp_body(w, 200, !strcmp(mime, "image/png") ? "image/png" : "image/jpeg",
	          PQgetvalue(res, 0, 1), (size_t)PQgetlength(res, 0, 1));
}
