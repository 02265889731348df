/* t_arena.c: the per-request allocator. */
#include "tap.h"
#include "../../src/core/arena.h"
#include "../../src/core/buf.h"

#include <stdint.h>
#include <stdlib.h>

static int freed;
static void count_free(void *p) { (void)p; freed++; }

int main(void)
{
	arena *a = arena_new();
	char *s = arena_strdup(a, "hello");
	is_str(s, "hello", "strdup copies");
	ok(((uintptr_t)arena_alloc(a, 3) & 15) == 0, "allocations are 16-byte aligned");
	char *big = arena_alloc(a, 1 << 20);
	big[(1 << 20) - 1] = 'x';
	ok(arena_used(a) >= (1u << 20), "large allocation gets its own chunk");
	is_str(arena_printf(a, "%d-%s", 7, "x"), "7-x", "printf");
	is_str(arena_i64(a, -9223372036854775807LL - 1), "-9223372036854775808", "i64 min");
	arena_defer(a, count_free, NULL);
	arena_defer(a, count_free, NULL);
	arena_reset(a);
	is_int(freed, 2, "reset runs deferred cleanups");
	is_int(arena_used(a), 0, "reset empties the arena");
	ok(arena_strdup(a, NULL) == NULL, "NULL stays NULL");
	for (int i = 0; i < 1000; i++) {
		arena_alloc(a, 1000);
		arena_reset(a);
	}
	is_int(arena_used(a), 0, "many cycles leave nothing behind");
	arena_free(a);

	struct buf b = BUF_INIT;
	buf_printf(&b, "%s=%d", "a", 1);
	buf_putc(&b, ';');
	for (int i = 0; i < 1000; i++)
		buf_puts(&b, "xy");
	is_int(b.len, 2004, "buf grows");
	size_t len;
	char *d = buf_detach(&b, &len);
	is_int(len, 2004, "detach hands over length");
	ok(b.s == NULL, "detach empties the buf");
	free(d);

	/* CSV export cells: quotes doubled, formulas defused, rows ended */
	struct buf c = BUF_INIT;
	buf_csv_cell(&c, "=1+1", 0);
	buf_csv_cell(&c, "say \"hi\"", 0);
	buf_csv_cell(&c, NULL, 1);
	is_str(c.s, "\"'=1+1\",\"say \"\"hi\"\"\",\"\"\r\n", "csv cells: formula defused, quotes doubled, CRLF");
	buf_reset(&c);
	buf_csv_cell(&c, "-5", 1);
	is_str(c.s, "\"'-5\"\r\n", "a leading minus is defused too");
	buf_free(&c);
	return done_testing();
}
