/* t_response.c: the response head — headers of any length, never a broken line. */
#include "tap.h"
#include "buf.h"
#include "camp.h"
#include "http.h"
#include "response.h"

#include <string.h>

int main(void)
{
	arena *a = arena_new();
	struct req r;
	memset(&r, 0, sizeof(r));
	r.a = a;
	r.method = M_POST;
	struct resp w;
	memset(&w, 0, sizeof(w));
	/* a Set-Cookie of 5000 bytes, then the Location a redirect needs */
	char *cookie = arena_alloc(a, 5001);
	memset(cookie, 'x', 5000);
	cookie[5000] = '\0';
	resp_cookie(&r, &w, "camp_tickets", cookie, 100);
	resp_redirect(&w, "/h5/orders/CP2026");
	resp_header(&w, "X-Evil", "a\r\nSet-Cookie: b=1");
	struct buf b = BUF_INIT;
	response_head(&r, &w, &b);
	ok(strncmp(b.s, "Status: 303\r\n", 13) == 0, "status line first");
	ok(strstr(b.s, "camp_tickets=") != NULL && strstr(b.s, cookie) != NULL, "the long cookie is whole");
	ok(strstr(b.s, "; Max-Age=100\r\nLocation: /h5/orders/CP2026\r\n") != NULL,
	   "the cookie line ends and Location follows it");
	ok(strstr(b.s, "X-Evil") == NULL && strstr(b.s, "b=1") == NULL, "a header with a line break is dropped");
	ok(b.len > 5000 && strcmp(b.s + b.len - 4, "\r\n\r\n") == 0, "the head ends with a blank line");
	buf_free(&b);
	arena_free(a);
	return done_testing();
}
