/* response.c: response building, and the one place headers are written. */
#include "response.h"
#include "camp.h"
#include "log.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void resp_header(struct resp *w, const char *name, const char *value)
{
	if (w->nh == RESP_MAX_HEADERS) {
		log_err("response: too many headers, dropped %s", name);
		return;
	}
	w->h[w->nh].name = name;
	w->h[w->nh].value = value;
	w->nh++;
}

void resp_body(struct resp *w, int status, const char *ctype, const char *body, size_t len)
{
	w->status = status;
	w->content_type = ctype;
	w->body = body;
	w->len = len;
}

void resp_json_text(struct resp *w, int status, const char *json)
{
	resp_body(w, status, "application/json", json, strlen(json));
}

static void put_json(void *p)
{
	json_object_put(p);
}

void resp_json(struct resp *w, int status, struct json_object *o, arena *a)
{
	arena_defer(a, put_json, o);
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	                                               JSON_C_TO_STRING_NOSLASHESCAPE);
	resp_body(w, status, "application/json", s, strlen(s));
}

void resp_redirect(struct resp *w, const char *location)
{
	/* only our own paths: an open redirect would let a link send an
	 * admin anywhere after signing in */
	if (location == NULL || location[0] != '/' || location[1] == '/' ||
	    strchr(location, '\\') != NULL || strpbrk(location, "\r\n") != NULL)
		location = "/";
	w->status = 303;
	resp_header(w, "Location", location);
	w->body = "";
	w->len = 0;
	w->content_type = "text/plain; charset=utf-8";
}

void resp_cookie(struct req *r, struct resp *w, const char *name,
                 const char *value, long max_age)
{
	char age[48] = "";
	if (max_age >= 0)
		snprintf(age, sizeof(age), "; Max-Age=%ld", max_age);
	resp_header(w, "Set-Cookie", arena_printf(r->a, "%s=%s; Path=/; HttpOnly; SameSite=Lax%s%s",
	            name, value, age, r->https ? "; Secure" : ""));
}

void resp_flash(struct req *r, struct resp *w, const char *kind, const char *text)
{
	struct buf b = BUF_INIT;
	char *raw = arena_printf(r->a, "%s\n%s", kind, text);
	for (const unsigned char *p = (const unsigned char *)raw; *p; p++) {
		if ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= 'A' && *p <= 'Z'))
			buf_putc(&b, (char)*p);
		else
			buf_printf(&b, "%%%02X", *p);
	}
	resp_cookie(r, w, "camp_flash", arena_strdup(r->a, b.s), 120);
	buf_free(&b);
}

static const char *cache_control(enum cache_policy c)
{
	switch (c) {
	case CACHE_IMMUTABLE: return "public, max-age=31536000, immutable";
	case CACHE_SHORT: return "public, max-age=60";
	default: return "no-store";
	}
}

/* The status line and every header, whatever their length: a value is
 * never cut (a 1 KB line buffer here once cut a long Set-Cookie, and the
 * Location after it went missing).  A header with a line break in its
 * name or value would split the response: it is dropped. */
void response_head(const struct req *r, const struct resp *w, struct buf *b)
{
	int status = w->status ? w->status : 200;
	buf_printf(b, "Status: %d\r\n", status);
	buf_printf(b, "Content-Type: %s\r\n",
	           w->content_type ? w->content_type : "text/html; charset=utf-8");
	buf_printf(b, "Content-Length: %zu\r\n", w->len);
	buf_puts(b, "X-Content-Type-Options: nosniff\r\n"
	            "X-Frame-Options: DENY\r\n"
	            "Referrer-Policy: same-origin\r\n"
	            "Content-Security-Policy: default-src 'self'; img-src 'self' data:;"
	            " style-src 'self'; script-src 'self'; object-src 'none';"
	            " frame-ancestors 'none'; base-uri 'self'; form-action 'self'\r\n");
	if (r != NULL && r->https)
		buf_puts(b, "Strict-Transport-Security: max-age=31536000\r\n");
	buf_printf(b, "Cache-Control: %s\r\n", cache_control(w->cache));
	for (int i = 0; i < w->nh; i++) {
		const char *name = w->h[i].name, *value = w->h[i].value ? w->h[i].value : "";
		if (strpbrk(name, "\r\n") != NULL || strpbrk(value, "\r\n") != NULL) {
			log_err("response: header %s has a line break, dropped", name);
			continue;
		}
		buf_puts(b, name);
		buf_puts(b, ": ");
		buf_puts(b, value);
		buf_puts(b, "\r\n");
	}
	buf_puts(b, "\r\n");
}

/* Every response passes here: status, security headers, cache policy. */
void response_send(FCGX_Request *f, const struct req *r, const struct resp *w)
{
	struct buf head = BUF_INIT;
	response_head(r, w, &head);
	FCGX_PutStr(head.s, (int)head.len, f->out);
	buf_free(&head);
	if (w->len > 0 && (r == NULL || r->method != M_HEAD))
		FCGX_PutStr(w->body, (int)w->len, f->out);
}
