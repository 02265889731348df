/* jsonget.h: reading members of parsed JSON (json-c), the one way every layer does it. */
#ifndef CAMP_JSONGET_H
#define CAMP_JSONGET_H

#include "arena.h"

struct json_object;

/* The string member KEY of O (O may be NULL), borrowed from O: NULL when O has no such
 * member or it is not a string (a number is not taken for its text). */
const char *jget_str(struct json_object *o, const char *key);

/* The same, copied into A: it outlives O. */
const char *jget_strdup(arena *a, struct json_object *o, const char *key);

/* O is put (json_object_put) when A is reset or freed; returns O (NULL stays NULL). */
struct json_object *arena_json(arena *a, struct json_object *o);

#endif
