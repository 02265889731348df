/* markdown.h: staff-written Markdown (项目介绍) as HTML that cannot carry markup of its own. */
#ifndef CAMP_MARKDOWN_H
#define CAMP_MARKDOWN_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Renders CommonMark with cmark in its safe mode: raw HTML blocks and inline
 * HTML are dropped, javascript:/vbscript:/file: and non-image data: links are
 * emptied, and text is escaped; a line break in the text is a line break on
 * the page.  Returns malloc'd, NUL-terminated HTML (free() it), "" for NULL,
 * or NULL when out of memory. */
char *markdown_html(const char *md, size_t len);

#ifdef __cplusplus
}
#endif

#endif
