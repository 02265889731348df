/* tpl.cc: the one C++ file: Google ctemplate behind the C API of tpl.h. */
#include "tpl.h"
#include "../core/camp.h"
#include "../core/markdown.h"

#include <ctemplate/template.h>
#include <ctemplate/template_emitter.h>
#include <ctemplate/template_modifiers.h>

#include <fstream>
#include <map>
#include <new>
#include <sstream>
#include <string>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

using ctemplate::TemplateDictionary;

// One strip mode for every expansion: it is part of ctemplate's cache key,
// and blank-line stripping cannot change what a line means (whitespace
// stripping would glue "<a\n href" together).
static const ctemplate::Strip kStrip = ctemplate::STRIP_BLANK_LINES;

// tpl_dict is never defined: a tpl_dict * is a TemplateDictionary *.
static TemplateDictionary *dict_of(tpl_dict *d)
{
	return reinterpret_cast<TemplateDictionary *>(d);
}

static const TemplateDictionary *cdict_of(const tpl_dict *d)
{
	return reinterpret_cast<const TemplateDictionary *>(d);
}

static tpl_dict *handle_of(TemplateDictionary *d)
{
	return reinterpret_cast<tpl_dict *>(d);
}

namespace {

// Writes the expansion straight into one malloc'd buffer handed to C, so a
// page is not copied from a std::string.  After an allocation failure it
// drops the rest and reports it through failed().
class MallocEmitter : public ctemplate::ExpandEmitter {
 public:
	MallocEmitter() : buf_(NULL), len_(0), cap_(0), failed_(false) {}
	~MallocEmitter() { free(buf_); }
	void Emit(char c) { Append(&c, 1); }
	void Emit(const std::string &s) { Append(s.data(), s.size()); }
	void Emit(const char *s) { Append(s, strlen(s)); }
	void Emit(const char *s, size_t n) { Append(s, n); }
	bool failed() const { return failed_; }

	// Hands the NUL-terminated text over to the caller.
	char *Detach(size_t *len)
	{
		if (!Reserve(1))
			return NULL;
		buf_[len_] = '\0';
		if (len)
			*len = len_;
		char *out = buf_;
		buf_ = NULL;
		len_ = cap_ = 0;
		return out;
	}

 private:
	bool Reserve(size_t extra)
	{
		if (failed_)
			return false;
		if (cap_ - len_ >= extra)
			return true;
		size_t cap = cap_ ? cap_ : 8192;
		while (cap - len_ < extra) {
			if (cap > ((size_t)-1) / 2) {
				failed_ = true;
				return false;
			}
			cap *= 2;
		}
		char *p = static_cast<char *>(realloc(buf_, cap));
		if (p == NULL) {
			failed_ = true;
			return false;
		}
		buf_ = p;
		cap_ = cap;
		return true;
	}

	void Append(const char *s, size_t n)
	{
		if (n == 0 || !Reserve(n))
			return;
		memcpy(buf_ + len_, s, n);
		len_ += n;
	}

	char *buf_;
	size_t len_, cap_;
	bool failed_;

	MallocEmitter(const MallocEmitter &);
	MallocEmitter &operator=(const MallocEmitter &);
};

}  // namespace

// {{VAR:x-markdown}} (issue #15): the variable holds staff-written Markdown,
// raw as every value; the template turns it into HTML with cmark in its safe
// mode (raw HTML dropped, unsafe links emptied, text escaped).  Registered as
// XSS-safe, so auto-escaping does not escape the HTML a second time; a
// variable without this modifier is escaped as always.
class MarkdownModifier : public ctemplate::TemplateModifier {
 public:
	void Modify(const char *in, size_t inlen, const ctemplate::PerExpandData *,
	            ctemplate::ExpandEmitter *out, const std::string &) const
	{
		char *html = markdown_html(in, inlen);
		if (html != NULL)
			out->Emit(html);
		free(html);
	}
};

static const MarkdownModifier markdown_modifier;

static std::string root_dir;   // as given to tpl_init (tpl_mentions reads files)

// Exceptions (std::bad_alloc from ctemplate's maps) must not unwind into C:
// every entry point catches them and degrades to a no-op or NULL.

extern "C" int tpl_init(const char *template_root)
{
	struct stat st;
	if (template_root == NULL || stat(template_root, &st) != 0 ||
	    !S_ISDIR(st.st_mode) || access(template_root, R_OK | X_OK) != 0) {
		fprintf(stderr, "tpl: template directory %s is not readable\n",
		        template_root ? template_root : "(null)");
		return CAMP_ERR;
	}
	try {
		static bool modifiers = false;
		if (!modifiers)
			modifiers = ctemplate::AddXssSafeModifier("x-markdown", &markdown_modifier);
		root_dir = template_root;
		if (!ctemplate::mutable_default_template_cache()
		         ->SetTemplateRootDirectory(template_root)) {
			fprintf(stderr, "tpl: cannot use template directory %s\n",
			        template_root);
			return CAMP_ERR;
		}
	} catch (...) {
		fprintf(stderr, "tpl: out of memory setting the template directory\n");
		return CAMP_ERR;
	}
	return CAMP_OK;
}

extern "C" tpl_dict *tpl_dict_new(void)
{
	return handle_of(new (std::nothrow) TemplateDictionary("page"));
}

extern "C" void tpl_dict_free(tpl_dict *d)
{
	delete dict_of(d);
}

extern "C" void tpl_set(tpl_dict *d, const char *key, const char *value)
{
	if (d == NULL || key == NULL)
		return;
	try {
		dict_of(d)->SetValue(key, value ? value : "");
	} catch (...) {
		fprintf(stderr, "tpl: out of memory setting %s\n", key);
	}
}

extern "C" void tpl_set_int(tpl_dict *d, const char *key, long long v)
{
	char num[24];
	snprintf(num, sizeof num, "%lld", v);
	tpl_set(d, key, num);
}

extern "C" void tpl_show(tpl_dict *d, const char *section)
{
	if (d == NULL || section == NULL)
		return;
	try {
		dict_of(d)->ShowSection(section);
	} catch (...) {
		fprintf(stderr, "tpl: out of memory showing %s\n", section);
	}
}

extern "C" tpl_dict *tpl_add_section(tpl_dict *d, const char *section)
{
	if (d == NULL || section == NULL)
		return NULL;
	try {
		return handle_of(dict_of(d)->AddSectionDictionary(section));
	} catch (...) {
		fprintf(stderr, "tpl: out of memory adding %s\n", section);
		return NULL;
	}
}

extern "C" tpl_dict *tpl_include(tpl_dict *d, const char *name, const char *file)
{
	if (d == NULL || name == NULL || file == NULL)
		return NULL;
	try {
		TemplateDictionary *child = dict_of(d)->AddIncludeDictionary(name);
		child->SetFilename(file);
		return handle_of(child);
	} catch (...) {
		fprintf(stderr, "tpl: out of memory including %s\n", file);
		return NULL;
	}
}

extern "C" char *tpl_render(const char *file, const tpl_dict *d, size_t *len)
{
	if (file == NULL)
		return NULL;
	try {
		TemplateDictionary empty("empty");
		const TemplateDictionary *dict = d ? cdict_of(d) : &empty;
		MallocEmitter out;
		bool ok = ctemplate::mutable_default_template_cache()->ExpandWithData(
		        file, kStrip, dict, NULL, &out);
		if (!ok) {
			fprintf(stderr, "tpl: cannot expand %s (missing or malformed "
			        "template, or one it includes)\n", file);
			return NULL;
		}
		char *text = out.Detach(len);
		if (text == NULL || out.failed()) {
			free(text);
			fprintf(stderr, "tpl: out of memory expanding %s\n", file);
			return NULL;
		}
		return text;
	} catch (...) {
		fprintf(stderr, "tpl: out of memory expanding %s\n", file);
		return NULL;
	}
}

extern "C" void tpl_reload_if_changed(void)
{
	try {
		ctemplate::mutable_default_template_cache()->ReloadAllIfChanged(
		        ctemplate::TemplateCache::LAZY_RELOAD);
	} catch (...) {
		fprintf(stderr, "tpl: out of memory reloading templates\n");
	}
}

// --- issue #18: which pages have forms ---
extern "C" int tpl_mentions(const char *file, const char *word)
{
	if (file == NULL || word == NULL)
		return 0;
	try {
		static std::map<std::string, bool> known;
		std::string key = std::string(file) + '\n' + word;
		std::map<std::string, bool>::const_iterator it = known.find(key);
		if (it != known.end())
			return it->second;
		std::ifstream in((root_dir + "/" + file).c_str(), std::ios::binary);
		std::ostringstream text;
		text << in.rdbuf();
		// unreadable: assume it does (the template will fail to expand anyway)
		bool found = !in.is_open() || text.str().find(word) != std::string::npos;
		known[key] = found;
		return found;
	} catch (...) {
		fprintf(stderr, "tpl: out of memory reading %s\n", file);
		return 0;
	}
}
