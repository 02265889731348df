/* fuzz_cookies.c: libFuzzer target for parse_cookies (the input is the Cookie header value). */
#include "arena.h"
#include "camp.h"
#include "parse.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	arena *a = arena_new();
	/* A header reaches us as a C string: cut at the first NUL like FastCGI would. */
	char *hdr = arena_strndup(a, (const char *)data, size);
	struct kvlist l;

	if (parse_cookies(a, hdr, &l) != CAMP_OK || l.n > PARSE_MAX_COOKIES)
		abort();
	for (size_t i = 0; i < l.n; i++) {
		size_t nlen = strlen(l.v[i].name);
		if (nlen == 0 || nlen > PARSE_COOKIE_MAX_NAME ||
		    l.v[i].value_len > PARSE_COOKIE_MAX_VALUE ||
		    strlen(l.v[i].value) != l.v[i].value_len ||
		    strpbrk(l.v[i].name, "=; \t\"") != NULL || strchr(l.v[i].value, ';') != NULL ||
		    !utf8_valid(l.v[i].value, l.v[i].value_len))
			abort();
		if (kv_get(&l, l.v[i].name) == NULL)
			abort();
	}
	arena_free(a);
	return 0;
}
