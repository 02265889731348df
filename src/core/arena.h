/* arena.h: per-request bump allocator; everything is released at once. */
#ifndef CAMP_ARENA_H
#define CAMP_ARENA_H

#include <stddef.h>
#include <stdint.h>

typedef struct arena arena;

arena *arena_new(void);
/* Runs the deferred cleanups (newest first), frees every chunk but the
 * first, and makes the arena empty again.  Called after each request. */
void arena_reset(arena *a);
void arena_free(arena *a);

/* Never returns NULL: an allocation failure aborts the process (multiwatch
 * restarts it), which is the only sane answer inside a request. */
void *arena_alloc(arena *a, size_t n);           /* zeroed, 16-byte aligned */
char *arena_strdup(arena *a, const char *s);     /* NULL stays NULL */
char *arena_strndup(arena *a, const char *s, size_t n);
char *arena_printf(arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
char *arena_i64(arena *a, int64_t v);            /* decimal text */

/* Registers fn(p) to run at arena_reset/arena_free: PQclear, json_object_put… */
void arena_defer(arena *a, void (*fn)(void *), void *p);

/* Bytes handed out since the last reset (for tests and metrics). */
size_t arena_used(const arena *a);

#endif
