/* export.h: ?format=csv|xlsx on any list page — the page's filters, every row, as a file. */
#ifndef CAMP_EXPORT_H
#define CAMP_EXPORT_H

#include "http.h"
#include "xtable.h"

enum export_format {
	EXPORT_NONE = 0,   /* the HTML page */
	EXPORT_CSV,
	EXPORT_XLSX,
};

/* What the request asks for (format=csv, format=xlsx; anything else is the page). */
enum export_format export_requested(const struct req *r);

/* Sends t as an attachment "<name>.csv" or "<name>.xlsx" (name: ASCII). */
void export_send(struct req *r, struct resp *w, const struct xtable *t, enum export_format f,
                 const char *name);

#endif
