/* xtable.c: one table, two ways out — CSV and XLSX — so every list exports the same way. */
#include "xtable.h"
#include "buf.h"
#include "camp.h"
#include "log.h"
#include "money.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#define XLSX_MAX_TEXT 32767   /* Excel's limit for one cell */

struct xtable *xtable_new(arena *a, const char *sheet, const struct xcol *cols, int ncols)
{
	struct xtable *t = arena_alloc(a, sizeof(*t));
	t->a = a;
	t->sheet = sheet;
	t->cols = cols;
	t->ncols = ncols;
	return t;
}

static struct xcell *next_cell(struct xtable *t)
{
	if (t->ncells == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : (size_t)t->ncols * 64;
		struct xcell *c = arena_alloc(t->a, cap * sizeof(*c));
		if (t->ncells)
			memcpy(c, t->cells, t->ncells * sizeof(*c));
		t->cells = c;
		t->cap = cap;
	}
	return &t->cells[t->ncells++];
}

void xtable_text(struct xtable *t, const char *s)
{
	next_cell(t)->s = s ? arena_strdup(t->a, s) : NULL;
}

void xtable_int(struct xtable *t, long long v)
{
	struct xcell *c = next_cell(t);
	c->s = arena_i64(t->a, v);
	c->v = v;
	c->number = 1;
}

void xtable_money(struct xtable *t, int64_t fen)
{
	struct xcell *c = next_cell(t);
	char buf[32];
	c->s = arena_strdup(t->a, money_format(fen, buf, sizeof(buf)));
	c->v = fen;
	c->number = 1;
}

int xtable_rows(const struct xtable *t)
{
	return t->ncols > 0 ? (int)(t->ncells / (size_t)t->ncols) : 0;
}

int xtable_csv(const struct xtable *t, char **out, size_t *len)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, "\xEF\xBB\xBF");   /* so Excel reads it as UTF-8 */
	for (int i = 0; i < t->ncols; i++)
		buf_csv_cell(&b, t->cols[i].title, i + 1 == t->ncols);
	size_t n = (size_t)xtable_rows(t) * (size_t)t->ncols;
	for (size_t i = 0; i < n; i++)
		buf_csv_cell(&b, t->cells[i].s, (int)(i % (size_t)t->ncols) + 1 == t->ncols);
	*out = buf_detach(&b, len);
	return CAMP_OK;
}

/* ---- XLSX -------------------------------------------------------------------- */

/* XML 1.0 has no place for control characters other than tab and line breaks. */
static const char *xml_text(arena *a, const char *s)
{
	size_t n = strlen(s);
	if (n > XLSX_MAX_TEXT)
		n = XLSX_MAX_TEXT;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;   /* never cut a UTF-8 sequence in half */
	char *c = arena_strndup(a, s, n);
	for (char *p = c; *p; p++)
		if ((unsigned char)*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
			*p = ' ';
	return c;
}

static int read_file(const char *path, char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return CAMP_ERR;
	struct buf b = BUF_INIT;
	char chunk[65536];
	size_t k;
	while ((k = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&b, chunk, k);
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		buf_free(&b);
		return CAMP_ERR;
	}
	*out = buf_detach(&b, len);
	return CAMP_OK;
}

/* Writes every cell; money and counts as numbers so a spreadsheet can sum them. */
static lxw_error fill_sheet(const struct xtable *t, lxw_workbook *wb, lxw_worksheet *ws)
{
	lxw_format *head = workbook_add_format(wb);
	format_set_bold(head);
	lxw_format *money = workbook_add_format(wb);
	format_set_num_format(money, "#,##0.00");
	lxw_error err = LXW_NO_ERROR;
	for (int c = 0; c < t->ncols && err == LXW_NO_ERROR; c++) {
		worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c,
		                     t->cols[c].width > 0 ? t->cols[c].width : 14, NULL);
		err = worksheet_write_string(ws, 0, (lxw_col_t)c, xml_text(t->a, t->cols[c].title), head);
	}
	worksheet_freeze_panes(ws, 1, 0);
	int rows = xtable_rows(t);
	for (int r = 0; r < rows && err == LXW_NO_ERROR; r++) {
		for (int c = 0; c < t->ncols && err == LXW_NO_ERROR; c++) {
			const struct xcell *x = &t->cells[(size_t)r * (size_t)t->ncols + (size_t)c];
			lxw_row_t row = (lxw_row_t)(r + 1);
			if (x->number && t->cols[c].kind == XC_MONEY)
				/* a display number for the spreadsheet only: fen / 100 is the
				 * nearest double to the exact amount, shown with two decimals */
				err = worksheet_write_number(ws, row, (lxw_col_t)c, (double)x->v / 100.0, money);
			else if (x->number && t->cols[c].kind == XC_INT)
				err = worksheet_write_number(ws, row, (lxw_col_t)c, (double)x->v, NULL);
			else if (x->s != NULL && *x->s != '\0')
				err = worksheet_write_string(ws, row, (lxw_col_t)c, xml_text(t->a, x->s), NULL);
		}
	}
	return err;
}

int xtable_xlsx(const struct xtable *t, char **out, size_t *len)
{
	const char *dir = getenv("TMPDIR");
	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	char *path = arena_printf(t->a, "%s/camp-export-XXXXXX", dir);
	int fd = mkstemp(path);
	if (fd < 0) {
		log_err("export: cannot create a temporary file in %s", dir);
		return CAMP_ERR;
	}
	close(fd);
	lxw_workbook_options opt = { .constant_memory = LXW_FALSE, .tmpdir = (char *)dir,
	                             .use_zip64 = LXW_FALSE };
	lxw_workbook *wb = workbook_new_opt(path, &opt);
	lxw_worksheet *ws = wb ? workbook_add_worksheet(wb, t->sheet) : NULL;
	lxw_error err = ws ? fill_sheet(t, wb, ws) : LXW_ERROR_MEMORY_MALLOC_FAILED;
	lxw_error closed = wb ? workbook_close(wb) : LXW_ERROR_MEMORY_MALLOC_FAILED;
	int rc = err == LXW_NO_ERROR && closed == LXW_NO_ERROR ? read_file(path, out, len) : CAMP_ERR;
	if (rc != CAMP_OK)
		log_err("export: workbook not written (%s)",
		        lxw_strerror(err != LXW_NO_ERROR ? err : closed));
	unlink(path);
	return rc;
}
