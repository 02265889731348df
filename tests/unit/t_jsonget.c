/* t_jsonget.c: a JSON member is read as a string only when it is one; arena copies outlive the
 * object; an object handed to the arena is put with it (LeakSanitizer would say otherwise). */
#include "tap.h"
#include "arena.h"
#include "jsonget.h"

#include <json-c/json.h>

int main(void)
{
	arena *a = arena_new();
	struct json_object *o = arena_json(a, json_tokener_parse(
		"{\"s\":\"微信\",\"n\":12,\"b\":true,\"z\":null,\"e\":\"\",\"o\":{\"s\":\"x\"}}"));
	ok(o != NULL, "parsed and handed to the arena");
	is_str(jget_str(o, "s"), "微信", "a string member");
	is_str(jget_str(o, "e"), "", "an empty string is a string");
	ok(jget_str(o, "n") == NULL, "a number is not taken for its text");
	ok(jget_str(o, "b") == NULL, "nor a boolean");
	ok(jget_str(o, "z") == NULL, "nor null");
	ok(jget_str(o, "o") == NULL, "nor an object");
	ok(jget_str(o, "missing") == NULL, "a missing member");
	ok(jget_str(NULL, "s") == NULL, "no object");
	struct json_object *in = json_tokener_parse("{\"k\":\"copied\"}");
	const char *copy = jget_strdup(a, in, "k");
	json_object_put(in);
	is_str(copy, "copied", "the arena copy outlives the object");
	ok(jget_strdup(a, o, "n") == NULL, "no copy of what is not a string");
	ok(arena_json(a, NULL) == NULL, "NULL stays NULL");
	arena_free(a);                      /* puts o */
	return done_testing();
}
