/* arena.c: per-request bump allocator with deferred cleanups. */
#include "arena.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_MIN (64 * 1024)

struct chunk {
	struct chunk *next;
	size_t cap;
	size_t used;
	/* data follows, 16-byte aligned */
	_Alignas(16) unsigned char data[];
};

struct defer {
	struct defer *next;
	void (*fn)(void *);
	void *p;
};

struct arena {
	struct chunk *head;   /* current chunk (newest) */
	struct chunk *first;  /* kept across resets */
	struct defer *defers;
	size_t total;
};

static void oom(void)
{
	fputs("camp: out of memory\n", stderr);
	abort();
}

static struct chunk *chunk_new(size_t need)
{
	size_t cap = need > CHUNK_MIN ? need : CHUNK_MIN;
	struct chunk *c = malloc(sizeof(*c) + cap);
	if (c == NULL)
		oom();
	c->next = NULL;
	c->cap = cap;
	c->used = 0;
	return c;
}

arena *arena_new(void)
{
	arena *a = calloc(1, sizeof(*a));
	if (a == NULL)
		oom();
	a->first = a->head = chunk_new(CHUNK_MIN);
	return a;
}

static void run_defers(arena *a)
{
	while (a->defers != NULL) {
		struct defer *d = a->defers;
		a->defers = d->next;   /* unlink first: fn may not re-enter */
		d->fn(d->p);
	}
}

void arena_reset(arena *a)
{
	if (a == NULL)
		return;
	run_defers(a);
	struct chunk *c = a->head;
	while (c != a->first) {
		struct chunk *next = c->next;
		free(c);
		c = next;
	}
	a->head = a->first;
	a->first->used = 0;
	a->first->next = NULL;
	a->total = 0;
}

void arena_free(arena *a)
{
	if (a == NULL)
		return;
	arena_reset(a);
	free(a->first);
	free(a);
}

void *arena_alloc(arena *a, size_t n)
{
	size_t need = (n + 15) & ~(size_t)15;
	if (need < n)
		oom();
	struct chunk *c = a->head;
	if (c->cap - c->used < need) {
		c = chunk_new(need);
		c->next = a->head;
		a->head = c;
	}
	void *p = c->data + c->used;
	c->used += need;
	a->total += need;
	memset(p, 0, n);
	return p;
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
	if (s == NULL)
		return NULL;
	char *p = arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(arena *a, const char *s)
{
	return s == NULL ? NULL : arena_strndup(a, s, strlen(s));
}

char *arena_printf(arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		oom();
	char *p = arena_alloc(a, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

char *arena_i64(arena *a, int64_t v)
{
	return arena_printf(a, "%lld", (long long)v);
}

void arena_defer(arena *a, void (*fn)(void *), void *p)
{
	struct defer *d = arena_alloc(a, sizeof(*d));
	d->fn = fn;
	d->p = p;
	d->next = a->defers;
	a->defers = d;
}

size_t arena_used(const arena *a)
{
	return a->total;
}
