/* httpc.c: libcurl behind a request/response struct pair, with hard limits. */
#include "httpc.h"
#include "camp.h"

#include <curl/curl.h>
#include <json-c/json.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HTTPC_CONNECT_MS 2000L
#define HTTPC_TOTAL_MS 5000L
#define HTTPC_MAX_BODY (1024 * 1024)
#define HTTPC_MAX_HEADERS (64 * 1024)

struct sink {
	struct buf *b;
	size_t cap;
	int overflow;
};

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
	struct sink *s = ud;
	size_t len = size * n;
	if (s->b->len + len > s->cap) {
		s->overflow = 1;
		return 0;   /* makes curl abort the transfer */
	}
	buf_append(s->b, p, len);
	return len;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	struct sink *s = ud;
	size_t len = size * n;
	/* a new status line (after 100 Continue) starts the headers afresh */
	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0)
		buf_reset(s->b);
	return on_data(p, size, n, ud);
}

/* One curl handle per thread, kept from one request to the next: its connection cache lets
 * the next request to the same host reuse the TCP and TLS connection instead of a handshake
 * per call (round trips to WeChat a member waits for at enrollment, CPU on both ends). The
 * options are set afresh every time (curl_easy_reset after each request keeps only the
 * caches). A thread's handle goes with the thread; the main thread's with
 * httpc_global_cleanup. */
static pthread_key_t handle_key;
static pthread_once_t handle_once = PTHREAD_ONCE_INIT;
static int handle_key_ok;

static void handle_free(void *c)
{
	curl_easy_cleanup(c);
}

static void handle_key_make(void)
{
	handle_key_ok = pthread_key_create(&handle_key, handle_free) == 0;
}

static CURL *handle_get(void)
{
	pthread_once(&handle_once, handle_key_make);
	CURL *c = handle_key_ok ? pthread_getspecific(handle_key) : NULL;
	if (c != NULL)
		return c;
	c = curl_easy_init();
	if (c != NULL && handle_key_ok && pthread_setspecific(handle_key, c) != 0) {
		curl_easy_cleanup(c);
		return NULL;
	}
	return c;
}

/* After a request: a kept handle stays, forgetting the request's buffers and headers (they
 * are freed now), its connections kept; one that could not be kept goes. */
static void handle_put(CURL *c)
{
	if (!handle_key_ok || pthread_getspecific(handle_key) != c)
		curl_easy_cleanup(c);
	else
		curl_easy_reset(c);
}

int httpc_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? CAMP_OK : CAMP_ERR;
}

void httpc_global_cleanup(void)
{
	pthread_once(&handle_once, handle_key_make);
	if (handle_key_ok) {
		CURL *c = pthread_getspecific(handle_key);
		pthread_setspecific(handle_key, NULL);
		if (c != NULL)
			curl_easy_cleanup(c);
	}
	curl_global_cleanup();
}

static struct curl_slist *make_headers(const char *const *h)
{
	struct curl_slist *l = NULL;
	/* curl adds "Expect: 100-continue" to larger POSTs; nobody wants it */
	struct curl_slist *t = curl_slist_append(l, "Expect:");
	if (t == NULL)
		return NULL;
	l = t;
	for (size_t i = 0; h != NULL && h[i] != NULL; i++) {
		t = curl_slist_append(l, h[i]);
		if (t == NULL) {
			curl_slist_free_all(l);
			return NULL;
		}
		l = t;
	}
	return l;
}

static void set_options(CURL *c, const struct httpc_request *rq, struct curl_slist *hl)
{
	curl_easy_setopt(c, CURLOPT_URL, rq->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
	                 rq->connect_timeout_ms > 0 ? rq->connect_timeout_ms : HTTPC_CONNECT_MS);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
	                 rq->total_timeout_ms > 0 ? rq->total_timeout_ms : HTTPC_TOTAL_MS);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	const char *ca = getenv("CAMP_CA_FILE");
	if (ca != NULL && *ca != '\0')
		curl_easy_setopt(c, CURLOPT_CAINFO, ca);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	/* "" = every encoding this libcurl decodes (gzip, deflate): WeChat Pay
	 * answers may come compressed, and the body we verify is the decoded one */
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, rq->method);
	if (rq->body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, rq->body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
	} else if (strcmp(rq->method, "GET") == 0) {
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	}
}

int httpc_do(const struct httpc_request *rq, struct httpc_response *rs)
{
	rs->status = 0;
	rs->error[0] = '\0';
	if (rq->url == NULL || rq->method == NULL ||
	    (strncmp(rq->url, "http://", 7) != 0 && strncmp(rq->url, "https://", 8) != 0)) {
		strcpy(rs->error, "unsupported URL");
		return CAMP_EINVAL;
	}
	CURL *c = handle_get();
	if (c == NULL) {
		strcpy(rs->error, "curl_easy_init failed");
		return CAMP_ERR;
	}
	struct curl_slist *hl = make_headers(rq->headers);
	struct sink body = { &rs->body, rq->max_body ? rq->max_body : HTTPC_MAX_BODY, 0 };
	struct sink head = { &rs->headers, HTTPC_MAX_HEADERS, 0 };
	set_options(c, rq, hl);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &head);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, rs->error);
	CURLcode cc = curl_easy_perform(c);
	int rc = CAMP_OK;
	if (cc != CURLE_OK) {
		rc = body.overflow || head.overflow ? CAMP_ETOOBIG : CAMP_EPROVIDER;
		if (rs->error[0] == '\0')
			snprintf(rs->error, sizeof(rs->error), "%s", curl_easy_strerror(cc));
	} else {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &rs->status);
	}
	buf_putc(&rs->body, '\0');   /* terminate even an empty body */
	rs->body.len--;
	curl_slist_free_all(hl);
	handle_put(c);
	return rc;
}

int httpc_header(const struct httpc_response *rs, const char *name, char *out, size_t n)
{
	size_t nl = strlen(name);
	const char *p = rs->headers.s;
	const char *end = p ? p + rs->headers.len : NULL;
	while (p != NULL && p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			eol = end;
		if ((size_t)(eol - p) > nl && strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			const char *v = p + nl + 1;
			while (v < eol && (*v == ' ' || *v == '\t'))
				v++;
			const char *ve = eol;
			while (ve > v && (ve[-1] == '\r' || ve[-1] == ' '))
				ve--;
			size_t len = (size_t)(ve - v);
			if (n == 0)
				return CAMP_OK;
			if (len >= n)
				len = n - 1;
			memcpy(out, v, len);
			out[len] = '\0';
			return CAMP_OK;
		}
		p = eol + 1;
	}
	return CAMP_ENOTFOUND;
}

void httpc_response_free(struct httpc_response *rs)
{
	buf_free(&rs->headers);
	buf_free(&rs->body);
	rs->status = 0;
}

char *httpc_urlencode(arena *a, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = arena_alloc(a, strlen(s) * 3 + 1), *o = out;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    *p == '-' || *p == '_' || *p == '.' || *p == '~') {
			*o++ = (char)*p;
		} else {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		}
	}
	*o = '\0';
	return out;
}

struct json_object *httpc_json(const char *method, const char *url, const char *body,
                               char *why, size_t n)
{
	const char *headers[] = { "Content-Type: application/json", "Accept: application/json", NULL };
	struct httpc_request rq = { .method = method, .url = url, .headers = headers, .body = body,
	                            .body_len = body ? strlen(body) : 0 };
	struct httpc_response rs = HTTPC_RESPONSE_INIT;
	struct json_object *o = NULL;
	if (httpc_do(&rq, &rs) == CAMP_OK && rs.status == 200)
		o = json_tokener_parse(rs.body.s ? rs.body.s : "");
	if (o == NULL)
		snprintf(why, n, "HTTP %ld %.160s", rs.status, rs.error);
	httpc_response_free(&rs);
	return o;
}
