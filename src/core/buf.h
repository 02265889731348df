/* buf.h: growable byte buffer (heap, owned by the caller). */
#ifndef CAMP_BUF_H
#define CAMP_BUF_H

#include <stddef.h>

struct buf {
	char *s;     /* always NUL-terminated once anything was appended */
	size_t len;
	size_t cap;
};

#define BUF_INIT { NULL, 0, 0 }

void buf_append(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void buf_reset(struct buf *b);   /* len = 0, keeps memory */
void buf_free(struct buf *b);
/* One CSV cell: quoted, quotes doubled, and a leading = + - @ (or tab/CR)
 * defused with an apostrophe so spreadsheets do not run it as a formula.
 * last ends the row (CRLF). NULL is an empty cell. */
void buf_csv_cell(struct buf *b, const char *s, int last);
/* Hands the bytes to the caller (free() them); b is empty afterwards. */
char *buf_detach(struct buf *b, size_t *len);

#endif
