/* pagecache.c: rendered H5 pages kept per process until the data under them changes (issue #18). */
#include "pagecache.h"
#include "camp.h"
#include "clock.h"
#include "dates.h"
#include "db.h"
#include "log.h"
#include "session.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define MAX_PAGES 32
#define MAX_TOKENS 4
#define GZIP_FROM 1024   /* smaller pages go as they are */

struct page_copy {
	char key[64];
	char *body;
	size_t len;
	unsigned char *gz;         /* gzip of body, or NULL (pages with a token have none) */
	size_t gzlen;
	time_t from, until;
	size_t token_at[MAX_TOKENS];
	int ntokens;
	unsigned long used;        /* for eviction: last use */
};

static struct page_copy pages[MAX_PAGES];
static int npages;
static unsigned long known_version, uses;
static const char listen_sql[] = "LISTEN h5_pages";

static void drop(struct page_copy *p)
{
	free(p->body);
	free(p->gz);
	memset(p, 0, sizeof(*p));
}

void pagecache_free(void)
{
	for (int i = 0; i < npages; i++)
		drop(&pages[i]);
	npages = 0;
}

time_t pagecache_day_end(time_t now)
{
	return cday_start(cday_of(now) + 1);
}

static struct page_copy *find(const char *key)
{
	for (int i = 0; i < npages; i++)
		if (strcmp(pages[i].key, key) == 0)
			return &pages[i];
	return NULL;
}

static int accepts_gzip(const struct req *r)
{
	const char *ae = req_header(r, "HTTP_ACCEPT_ENCODING");
	return ae != NULL && strstr(ae, "gzip") != NULL && strstr(ae, "gzip;q=0,") == NULL &&
	       !(strlen(ae) >= 8 && strcmp(ae + strlen(ae) - 8, "gzip;q=0") == 0);
}

int pagecache_serve(struct req *r, struct resp *w, const char *key, unsigned long *version)
{
	*version = 0;
	if (strlen(key) >= sizeof(pages[0].key) || req_cookie(r, "camp_flash") != NULL)
		return 0;
	if (db_listen(r->db, listen_sql) != CAMP_OK)
		return 0;
	unsigned long v = db_changes(r->db);
	if (v != known_version) {
		pagecache_free();
		known_version = v;
	}
	*version = v;
	struct page_copy *p = find(key);
	time_t now = camp_now();
	if (p == NULL || now < p->from || now >= p->until)
		return 0;
	p->used = ++uses;
	resp_header(w, "Vary", "Accept-Encoding");
	if (p->ntokens == 0) {
		if (p->gz != NULL && accepts_gzip(r)) {
			resp_header(w, "Content-Encoding", "gzip");
			resp_body(w, 200, "text/html; charset=utf-8", (const char *)p->gz, p->gzlen);
		} else {
			resp_body(w, 200, "text/html; charset=utf-8", p->body, p->len);
		}
		return 1;
	}
	const char *token = csrf_token(r);
	if (token == NULL || strlen(token) != 64)
		return 0;
	char *body = arena_alloc(r->a, p->len + 1);
	memcpy(body, p->body, p->len + 1);
	for (int i = 0; i < p->ntokens; i++)
		memcpy(body + p->token_at[i], token, 64);
	resp_body(w, 200, "text/html; charset=utf-8", body, p->len);
	return 1;
}

/* One gzip member of the whole body (zlib's deflate with a gzip wrapper). */
static unsigned char *gzip_of(const char *s, size_t n, size_t *out_len)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return NULL;
	uLong cap = deflateBound(&z, (uLong)n);
	unsigned char *out = malloc(cap);
	if (out == NULL) {
		deflateEnd(&z);
		return NULL;
	}
	z.next_in = (Bytef *)(uintptr_t)s;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	int rc = deflate(&z, Z_FINISH);
	*out_len = z.total_out;
	deflateEnd(&z);
	if (rc != Z_STREAM_END) {
		free(out);
		return NULL;
	}
	return out;
}

void pagecache_store(struct req *r, const struct resp *w, const char *key,
                     unsigned long version, time_t until)
{
	time_t now = camp_now();
	if (version == 0 || version != db_changes(r->db) || w->status != 200 || w->nh != 0 ||
	    w->len == 0 || w->content_type == NULL || strncmp(w->content_type, "text/html", 9) != 0 ||
	    until <= now || strlen(key) >= sizeof(pages[0].key))
		return;
	if (until > now + H5_PAGE_MAX_AGE_S)
		until = now + H5_PAGE_MAX_AGE_S;
	struct page_copy *p = find(key);
	if (p == NULL && npages < MAX_PAGES)
		p = &pages[npages++];
	if (p == NULL) {                 /* full: the least recently used goes */
		p = &pages[0];
		for (int i = 1; i < npages; i++)
			if (pages[i].used < p->used)
				p = &pages[i];
	}
	drop(p);
	p->body = malloc(w->len + 1);
	if (p->body == NULL)
		return;
	memcpy(p->body, w->body, w->len);
	p->body[w->len] = '\0';
	p->len = w->len;
	/* the form's token is this visitor's: remember where it stands */
	if (r->csrf_token != NULL && strlen(r->csrf_token) == 64) {
		for (const char *at = p->body; (at = strstr(at, r->csrf_token)) != NULL; at += 64) {
			if (p->ntokens == MAX_TOKENS) {
				drop(p);
				return;
			}
			p->token_at[p->ntokens++] = (size_t)(at - p->body);
		}
	}
	if (p->ntokens == 0 && p->len >= GZIP_FROM)
		p->gz = gzip_of(p->body, p->len, &p->gzlen);
	snprintf(p->key, sizeof(p->key), "%s", key);
	p->from = now;
	p->until = until;
	p->used = ++uses;
}
