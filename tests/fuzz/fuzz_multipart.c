/* fuzz_multipart.c: libFuzzer target for parse_multipart; the input's first line is the content type. */
#include "arena.h"
#include "camp.h"
#include "parse.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const unsigned char *body, size_t len, const struct parse_limits *lim,
    const struct kvlist *f, const struct uploads *u)
{
	if (f->n > lim->max_fields || u->n > lim->max_files)
		abort();
	for (size_t i = 0; i < f->n; i++)
		if (strlen(f->v[i].value) != f->v[i].value_len || f->v[i].value_len > lim->max_value ||
		    strlen(f->v[i].name) > lim->max_name || !utf8_valid(f->v[i].value, f->v[i].value_len))
			abort();
	for (size_t i = 0; i < u->n; i++) {
		const struct upload *up = &u->v[i];
		/* data must lie inside the body we passed */
		if (up->len > lim->max_file_size || up->data < body || up->data + up->len > body + len ||
		    up->field == NULL || up->filename == NULL || up->content_type == NULL ||
		    strpbrk(up->filename, "/\\") != NULL)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct parse_limits tight = { 4, 16, 64, 2, 64 };
	const uint8_t *nl = memchr(data, '\n', size);
	size_t ctlen = nl ? (size_t)(nl - data) : size;
	arena *a = arena_new();
	char *ct = arena_strndup(a, (const char *)data, ctlen);
	const unsigned char *body = nl ? nl + 1 : data + size;
	size_t len = size - ctlen - (nl != NULL);
	/* an exact-sized copy, so ASan catches a read one past the end */
	unsigned char *copy = malloc(len ? len : 1);
	struct kvlist f;
	struct uploads u;

	if (copy == NULL)
		abort();
	memcpy(copy, body, len);
	if (parse_multipart(a, ct, copy, len, NULL, &f, &u) == CAMP_OK)
		check(copy, len, &parse_default_limits, &f, &u);
	else if (f.n || u.n || f.v || u.v)
		abort();
	if (parse_multipart(a, ct, copy, len, &tight, &f, &u) == CAMP_OK)
		check(copy, len, &tight, &f, &u);
	free(copy);
	arena_free(a);
	return 0;
}
