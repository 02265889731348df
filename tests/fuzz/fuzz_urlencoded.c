/* fuzz_urlencoded.c: libFuzzer target for parse_urlencoded and parse_i64, with invariant checks. */
#include "arena.h"
#include "camp.h"
#include "parse.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What every accepted pair must satisfy, whatever the input was. */
static void check_list(const struct kvlist *l, const struct parse_limits *lim)
{
	if (l->n > lim->max_fields)
		abort();
	for (size_t i = 0; i < l->n; i++) {
		const struct kv *kv = &l->v[i];
		size_t nlen = strlen(kv->name);
		if (nlen == 0 || nlen > lim->max_name || kv->value_len > lim->max_value ||
		    strlen(kv->value) != kv->value_len || !utf8_valid(kv->name, nlen) ||
		    !utf8_valid(kv->value, kv->value_len))
			abort();
	}
}

/* parse_i64 against strtoll, which is lax (spaces, '+') but right about
 * the value when the string is plain digits. */
static void check_i64(const char *s)
{
	long long v;

	if (parse_i64(s, LLONG_MIN, LLONG_MAX, &v) != CAMP_OK)
		return;
	if (s[0] == '+' || s[0] == ' ' || strtoll(s, NULL, 10) != v)
		abort();
	long long w;
	if (parse_i64(s, 0, 100, &w) == CAMP_OK && (w != v || w < 0 || w > 100))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct parse_limits tight = { 3, 8, 16, 1, 16 };
	arena *a = arena_new();
	struct kvlist l;

	if (parse_urlencoded(a, (const char *)data, size, NULL, &l) == CAMP_OK) {
		check_list(&l, &parse_default_limits);
		for (size_t i = 0; i < l.n; i++)
			check_i64(l.v[i].value);
	} else if (l.n != 0 || l.v != NULL)
		abort();
	if (parse_urlencoded(a, (const char *)data, size, &tight, &l) == CAMP_OK)
		check_list(&l, &tight);
	arena_free(a);
	return 0;
}
