/* tpl.h: C interface to the ctemplate page renderer (implemented in tpl.cc). */
#ifndef CAMP_TPL_H
#define CAMP_TPL_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A dictionary holds the values one template expansion sees.  Only the
 * root (from tpl_dict_new) is freed, with tpl_dict_free; the dictionaries
 * returned by tpl_add_section and tpl_include belong to their parent and
 * live until the root is freed.  Values are copied, so the caller's strings
 * may go away right after a call.
 *
 * Lookups are hierarchical inside one template: a section's dictionary
 * falls back to its parent's values and shown sections.  An include
 * ({{>NAME}}) does NOT: the included template sees only the values set on
 * the dictionary tpl_include returned.
 *
 * Every template starts with {{%AUTOESCAPE context="HTML"}}, so values are
 * passed raw and the engine escapes them for where they land.  Never
 * escape in C.
 *
 * Template files are named relative to the root given to tpl_init
 * ("admin/login.tpl").  Parsed templates stay cached for the life of the
 * process.  None of these functions is safe to call from two threads on
 * the same dictionary; camp-web children are single-threaded anyway.
 */
typedef struct tpl_dict tpl_dict;

/* Sets the directory templates are read from; CAMP_OK, or CAMP_ERR (logged)
 * when it is not a readable directory. */
int  tpl_init(const char *template_root);

/* A new, empty root dictionary, or NULL when out of memory. */
tpl_dict *tpl_dict_new(void);
/* Frees a root dictionary and everything added under it.  NULL is a no-op. */
void tpl_dict_free(tpl_dict *d);

/* {{KEY}} = value (NULL = ""). */
void tpl_set(tpl_dict *d, const char *key, const char *value);
/* {{KEY}} = the decimal form of v. */
void tpl_set_int(tpl_dict *d, const char *key, long long v);
/* Shows {{#SECTION}}…{{/SECTION}} once, with the values of d. */
void tpl_show(tpl_dict *d, const char *section);
/* Adds one more repetition of SECTION and returns its dictionary (owned
 * by d), or NULL when out of memory. */
tpl_dict *tpl_add_section(tpl_dict *d, const char *section);
/* Makes {{>NAME}} expand FILE; returns the included template's dictionary
 * (owned by d), or NULL when out of memory.  Calling it twice for the same
 * NAME includes both files one after the other. */
tpl_dict *tpl_include(tpl_dict *d, const char *name, const char *file);

/* Expands FILE with d (NULL = an empty dictionary).  Returns malloc'd,
 * NUL-terminated text the caller frees, its length in *len when len is not
 * NULL; or NULL when the template (or one it includes) is missing or
 * malformed, which is logged on stderr. */
char *tpl_render(const char *file, const tpl_dict *d, size_t *len);

/* Development convenience: templates changed on disk are re-read at
 * their next use. */
void tpl_reload_if_changed(void);

/* --- issue #18 ---
 * 1 when the template FILE's text contains WORD (e.g. "CSRF": the page has a
 * form that needs a token) or cannot be read, 0 when not.  Read once per
 * (file, word) and remembered for the life of the process. */
int tpl_mentions(const char *file, const char *word);

#ifdef __cplusplus
}
#endif

#endif
