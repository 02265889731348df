/* export.c: the one way a list leaves the console as a file (CSV or XLSX from an xtable). */
#include "export.h"
#include "camp.h"

#include <stdlib.h>
#include <string.h>

enum export_format export_requested(const struct req *r)
{
	const char *f = req_param(r, "format");
	if (f == NULL)
		return EXPORT_NONE;
	if (!strcmp(f, "csv"))
		return EXPORT_CSV;
	if (!strcmp(f, "xlsx"))
		return EXPORT_XLSX;
	return EXPORT_NONE;
}

void export_send(struct req *r, struct resp *w, const struct xtable *t, enum export_format f,
                 const char *name)
{
	char *bytes = NULL;
	size_t len = 0;
	int xlsx = f == EXPORT_XLSX;
	int rc = xlsx ? xtable_xlsx(t, &bytes, &len) : xtable_csv(t, &bytes, &len);
	if (rc != CAMP_OK) {
		resp_error(r, w, 500, "导出文件生成失败，请稍后重试");
		return;
	}
	arena_defer(r->a, free, bytes);
	resp_header(w, "Content-Disposition", arena_printf(r->a, "attachment; filename=\"%s.%s\"",
	                                                   name, xlsx ? "xlsx" : "csv"));
	resp_body(w, 200, xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	                       : "text/csv; charset=utf-8", bytes, len);
}
