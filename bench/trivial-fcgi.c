/* trivial-fcgi.c: the ceiling bench/h5-list measures against — a libfcgi responder that
 * answers every request with "ok" and does nothing else (no parsing, no database).
 * Never part of the product: bench/h5-list builds it and runs it behind the same nginx. */
#include <fcgiapp.h>
#include <stdio.h>

int main(void)
{
	FCGX_Request r;
	if (FCGX_Init() != 0 || FCGX_InitRequest(&r, 0, 0) != 0)
		return 1;
	while (FCGX_Accept_r(&r) >= 0) {
		FCGX_PutS("Status: 200\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n", r.out);
		/* the same early close as camp-web (src/web/main.c): the ceiling gets every transport
		 * saving the product gets */
		char sink[1024];
		while (FCGX_GetStr(sink, sizeof(sink), r.in) > 0)
			;
		if (FCGX_HasSeenEOF(r.in) == EOF)
			FCGX_Detach(&r);
		FCGX_Finish_r(&r);
	}
	return 0;
}
