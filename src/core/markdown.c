/* markdown.c: 项目介绍 rendered by cmark, never with raw HTML (CMARK_OPT_UNSAFE is never set). */
#include "markdown.h"

#include <cmark.h>
#include <stdlib.h>
#include <string.h>

/* CMARK_OPT_SAFE is the default since cmark 0.29 and kept for older ones;
 * VALIDATE_UTF8 replaces broken sequences instead of passing them on. */
#define MD_OPTIONS (CMARK_OPT_SAFE | CMARK_OPT_HARDBREAKS | CMARK_OPT_VALIDATE_UTF8)

char *markdown_html(const char *md, size_t len)
{
	if (md == NULL)
		return strdup("");
	return cmark_markdown_to_html(md, len, MD_OPTIONS);
}
