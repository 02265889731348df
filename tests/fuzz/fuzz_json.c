/* fuzz_json.c: libFuzzer target for parse_json_object. */
#include "arena.h"
#include "camp.h"
#include "parse.h"

#include <stdint.h>
#include <stdlib.h>

#include <json-c/json.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	arena *a = arena_new();
	struct json_object *o = NULL;
	int rc = parse_json_object(a, (const char *)data, size, &o);

	if (rc == CAMP_OK) {
		if (!json_object_is_type(o, json_type_object))
			abort();
		/* what we accepted must survive a round trip through json-c */
		const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
		struct json_object *again = NULL;
		if (text == NULL)
			abort();
		size_t n = 0;
		while (text[n] != '\0')
			n++;
		if (n <= PARSE_JSON_MAX_BYTES && parse_json_object(a, text, n, &again) != CAMP_OK)
			abort();
	} else if (o != NULL)
		abort();
	arena_free(a);   /* puts the objects: leaks show up under ASan */
	return 0;
}
