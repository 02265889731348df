/* pagecache.h: rendered H5 pages kept per process until the data under them changes (issue #18). */
#ifndef CAMP_PAGECACHE_H
#define CAMP_PAGECACHE_H

#include <time.h>

#include "http.h"

/*
 * The member pages everyone sees alike (训练营列表, a camp page) are rendered
 * once per camp-web child and served again from memory until one of:
 *   - PostgreSQL notifies h5_pages: sql/010_speed.sql makes every change of a
 *     camp (its member count included: payments bump it in their transaction)
 *     and of a held seat notify in the changing transaction, so the notice
 *     arrives as it commits — but for the payment callback's fast path, which
 *     sends it right after its commit (sql/012_cheaper_guards.sql says why);
 *     any notice drops every page of the child;
 *   - the connection to PostgreSQL is made again (notices may have been lost);
 *   - the clock leaves [rendered, until): the caller's `until` is the next
 *     Shanghai midnight or an earlier instant at which the page changes by
 *     time alone (a held seat expiring); a clock set back (the tests') too;
 *   - H5_PAGE_MAX_AGE_S passed since it was rendered: a bound for a notice
 *     that never came.
 * Only 200 answers without headers of their own are kept, and a request that
 * carries a flash message is never served from here.  A page's CSRF token is
 * replaced by the visitor's own (minted then, when the visitor has none).
 * A page that accepts gzip gets the compressed copy when there is one.
 */

#define H5_PAGE_MAX_AGE_S 300

/* Serves KEY into w and returns 1; or returns 0 and sets *version, which the
 * caller takes before its queries and hands to pagecache_store. */
int pagecache_serve(struct req *r, struct resp *w, const char *key, unsigned long *version);
/* Keeps the page just rendered into w under KEY until `until`. */
void pagecache_store(struct req *r, const struct resp *w, const char *key,
                     unsigned long version, time_t until);
/* The next Shanghai midnight after now: the latest `until` of a page that
 * shows what is open today. */
time_t pagecache_day_end(time_t now);
/* Frees every page (process exit). */
void pagecache_free(void);

#endif
