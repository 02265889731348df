/* httpc.h: a small, bounded libcurl HTTP client for calls to outside services. */
#ifndef CAMP_HTTPC_H
#define CAMP_HTTPC_H

#include <stddef.h>

#include "arena.h"
#include "buf.h"

/* What to send.  headers is a NULL-terminated list of "Name: value" lines
 * (may be NULL).  body may be NULL for no body.  Timeouts of 0 mean the
 * defaults: connect 2000 ms, total 5000 ms.  max_body 0 means 1 MiB. */
struct httpc_request {
	const char *method;          /* "GET", "POST", … */
	const char *url;             /* http:// or https:// only */
	const char *const *headers;
	const char *body;
	size_t body_len;
	long connect_timeout_ms;
	long total_timeout_ms;
	size_t max_body;
};

/* What came back.  headers holds the raw header lines of the final
 * response ("Name: value\r\n" each); body is NUL-terminated. */
struct httpc_response {
	long status;                 /* 0 when no response arrived */
	struct buf headers;
	struct buf body;
	char error[256];             /* curl's message when the call failed */
};

#define HTTPC_RESPONSE_INIT { 0, BUF_INIT, BUF_INIT, "" }

/* Once per process, before any thread calls httpc_do. */
int httpc_global_init(void);
void httpc_global_cleanup(void);

/* Performs the request; redirects are never followed.  Compressed answers
 * (Content-Encoding gzip or deflate) are decoded: body is what the server
 * meant, and max_body limits the decoded size.  TLS peers are
 * verified, against CAMP_CA_FILE when that is set.  CAMP_OK when a
 * response arrived (any status), CAMP_EPROVIDER on a transport failure
 * or timeout, CAMP_ETOOBIG when the body exceeded max_body.  Free the
 * response with httpc_response_free whatever the result. */
int httpc_do(const struct httpc_request *rq, struct httpc_response *rs);

/* The value of the first header called name (case-insensitive), copied
 * into out (NUL-terminated, truncated to n); CAMP_OK or CAMP_ENOTFOUND. */
int httpc_header(const struct httpc_response *rs, const char *name, char *out, size_t n);

void httpc_response_free(struct httpc_response *rs);

/* One JSON call of the WeChat-style APIs (JSON in, JSON out, errors in the
 * body): the parsed body of a 200 answer (json_object_put it), or NULL with
 * why = "HTTP <status> <transport error>" (issue #16: WeCom and the official
 * account share it). */
struct json_object;
struct json_object *httpc_json(const char *method, const char *url, const char *body,
                               char *why, size_t n);

/* s percent-encoded for a query value (RFC 3986 unreserved kept), on the arena (issue #16). */
char *httpc_urlencode(arena *a, const char *s);

#endif
