/* jsonget.c: see jsonget.h. */
#include "jsonget.h"

#include <json-c/json.h>

const char *jget_str(struct json_object *o, const char *key)
{
	struct json_object *v;
	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

const char *jget_strdup(arena *a, struct json_object *o, const char *key)
{
	return arena_strdup(a, jget_str(o, key));
}

static void put(void *p)
{
	json_object_put(p);
}

struct json_object *arena_json(arena *a, struct json_object *o)
{
	if (o != NULL)
		arena_defer(a, put, o);
	return o;
}
