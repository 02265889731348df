/* xtable.h: a table of typed columns, the one shape every export takes — written out as
 * CSV (UTF-8 with BOM, formula cells defused) or as an XLSX workbook (libxlsxwriter). */
#ifndef CAMP_XTABLE_H
#define CAMP_XTABLE_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"

enum xcol_kind {
	XC_TEXT,     /* a string cell */
	XC_INT,      /* a whole number (counts, ids) */
	XC_MONEY,    /* fen: "99.00" in CSV, a number formatted #,##0.00 in XLSX */
};

struct xcol {
	const char *title;     /* the header cell */
	enum xcol_kind kind;
	int width;             /* XLSX column width in characters; 0 = 14 */
};

struct xcell {
	const char *s;         /* what CSV shows (NULL = empty cell) */
	int64_t v;             /* the number of an XC_INT / XC_MONEY cell */
	int number;            /* v is set (a text cell in a numeric column stays text) */
};

struct xtable {
	arena *a;
	const char *sheet;     /* XLSX sheet name (≤ 31 characters, no []:*?/\) */
	const struct xcol *cols;
	int ncols;
	struct xcell *cells;   /* row-major, ncols per row */
	size_t ncells, cap;
};

/* An empty table in the arena; cells are added left to right, row by row. */
struct xtable *xtable_new(arena *a, const char *sheet, const struct xcol *cols, int ncols);
void xtable_text(struct xtable *t, const char *s);
void xtable_int(struct xtable *t, long long v);
void xtable_money(struct xtable *t, int64_t fen);
/* Complete rows so far. */
int xtable_rows(const struct xtable *t);

/* The bytes of the table (malloc'd; the caller frees *out).  CAMP_OK, or
 * CAMP_ERR (logged) when the workbook could not be written. */
int xtable_csv(const struct xtable *t, char **out, size_t *len);
int xtable_xlsx(const struct xtable *t, char **out, size_t *len);

#endif
