/* parse.c: parsers for untrusted request input; every byte here comes from the network. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* memmem: linear-time search, a naive one is O(n*m) on hostile bodies */
#endif
#include "parse.h"

#include <limits.h>
#include <string.h>

#include <json-c/json.h>

const struct parse_limits parse_default_limits = {
	.max_fields = 2000,
	.max_name = 256,
	.max_value = 64 * 1024,
	.max_files = 4,
	.max_file_size = 2 * 1024 * 1024,
};

/* ---------------------------------------------------------------- UTF-8 */

/* Text we hand out as a C string: valid UTF-8 and no NUL that would
 * silently truncate it. */
static int text_ok(const char *s, size_t len)
{
	return memchr(s, '\0', len) == NULL && utf8_valid(s, len);
}

/* ------------------------------------------------------------- helpers */

static const struct parse_limits *limits_or_default(const struct parse_limits *lim)
{
	return lim != NULL ? lim : &parse_default_limits;
}

/* Grows an arena array by doubling; the old copy stays on the arena, so
 * the waste is bounded by the final size. */
static void *grow(arena *a, void *old, size_t n, size_t *cap, size_t elsize)
{
	if (n < *cap)
		return old;
	size_t ncap = *cap ? *cap * 2 : 8;
	void *p = arena_alloc(a, ncap * elsize);
	if (n > 0)
		memcpy(p, old, n * elsize);
	*cap = ncap;
	return p;
}

struct kvbuild {
	struct kv *v;
	size_t n, cap;
};

static void kv_push(arena *a, struct kvbuild *b, const char *name,
    const char *value, size_t value_len)
{
	b->v = grow(a, b->v, b->n, &b->cap, sizeof(*b->v));
	b->v[b->n].name = name;
	b->v[b->n].value = value;
	b->v[b->n].value_len = value_len;
	b->n++;
}

static int ieq_n(const char *s, size_t n, const char *lit)
{
	size_t i;

	for (i = 0; i < n && lit[i] != '\0'; i++) {
		char c = s[i], d = lit[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != d)
			return 0;
	}
	return i == n && lit[i] == '\0';
}

static int is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* RFC 7230 tchar: what a header, cookie or parameter name may contain. */
static int is_tchar(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int token_ok(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!is_tchar((unsigned char)s[i]))
			return 0;
	return 1;
}

/* ---------------------------------------------------------- urlencoded */

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decodes s[0..n) onto the arena.  Checks the raw length first so
 * a huge value is refused before anything is allocated for it (decoding
 * shrinks by at most 3:1). */
static int url_decode(arena *a, const char *s, size_t n, size_t max,
    char **out, size_t *outlen)
{
	if (n / 3 > max)
		return CAMP_ETOOBIG;
	char *d = arena_alloc(a, n + 1);
	size_t j = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '+')
			c = ' ';
		else if (c == '%') {
			if (n - i < 3 || hexval((unsigned char)s[i + 1]) < 0 ||
			    hexval((unsigned char)s[i + 2]) < 0)
				return CAMP_EINVAL;
			c = (unsigned char)(hexval((unsigned char)s[i + 1]) * 16 +
			    hexval((unsigned char)s[i + 2]));
			i += 2;
		}
		d[j++] = (char)c;
	}
	d[j] = '\0';
	if (j > max)
		return CAMP_ETOOBIG;
	if (!text_ok(d, j))
		return CAMP_EINVAL;
	*out = d;
	*outlen = j;
	return CAMP_OK;
}

/* Non-empty '&'-separated segments: known before any allocation, so 10^6
 * fields cost nothing but this scan. */
static size_t count_pairs(const char *s, size_t len)
{
	size_t n = 0, seglen = 0;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '&') {
			n += seglen > 0;
			seglen = 0;
		} else
			seglen++;
	}
	return n + (seglen > 0);
}

static int url_pair(arena *a, const char *p, size_t n,
    const struct parse_limits *lim, struct kvbuild *b)
{
	const char *eq = memchr(p, '=', n);
	size_t nlen = eq ? (size_t)(eq - p) : n;
	char *name, *value;
	size_t name_len, value_len;
	int rc;

	rc = url_decode(a, p, nlen, lim->max_name, &name, &name_len);
	if (rc != CAMP_OK)
		return rc;
	if (eq != NULL)
		rc = url_decode(a, eq + 1, n - nlen - 1, lim->max_value, &value, &value_len);
	else {
		value = "";
		value_len = 0;
	}
	if (rc != CAMP_OK)
		return rc;
	if (name_len > 0)   /* "=x" names nothing a handler could ask for */
		kv_push(a, b, name, value, value_len);
	return CAMP_OK;
}

int parse_urlencoded(arena *a, const char *s, size_t len,
    const struct parse_limits *lim, struct kvlist *out)
{
	struct kvbuild b = { NULL, 0, 0 };
	size_t i = 0;

	lim = limits_or_default(lim);
	out->v = NULL;
	out->n = 0;
	if (s == NULL || len == 0)
		return CAMP_OK;
	size_t npairs = count_pairs(s, len);
	if (npairs > lim->max_fields)
		return CAMP_ETOOBIG;
	b.cap = npairs;
	b.v = arena_alloc(a, (npairs ? npairs : 1) * sizeof(*b.v));
	while (i < len) {
		const char *amp = memchr(s + i, '&', len - i);
		size_t n = amp ? (size_t)(amp - (s + i)) : len - i;
		if (n > 0) {
			int rc = url_pair(a, s + i, n, lim, &b);
			if (rc != CAMP_OK)
				return rc;
		}
		i += n + 1;
	}
	out->v = b.v;
	out->n = b.n;
	return CAMP_OK;
}

/* ------------------------------------------------------------- cookies */

static void trim(const char **p, const char **end)
{
	while (*p < *end && is_ows(**p))
		(*p)++;
	while (*end > *p && is_ows((*end)[-1]))
		(*end)--;
}

static int cookie_value_ok(const char *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c < 0x20 || c == 0x7f)
			return 0;
	}
	return utf8_valid(v, n);
}

/* One "name=value" segment; invalid ones are dropped, never fatal: a
 * stray cookie from another app on the domain must not break our pages. */
static void cookie_pair(arena *a, const char *p, const char *end, struct kvbuild *b)
{
	trim(&p, &end);
	const char *eq = memchr(p, '=', (size_t)(end - p));
	if (eq == NULL)
		return;
	const char *nend = eq, *v = eq + 1, *vend = end;
	trim(&p, &nend);
	trim(&v, &vend);
	if (vend - v >= 2 && v[0] == '"' && vend[-1] == '"') {
		v++;
		vend--;
	}
	size_t nlen = (size_t)(nend - p), vlen = (size_t)(vend - v);
	if (!token_ok(p, nlen) || nlen > PARSE_COOKIE_MAX_NAME ||
	    vlen > PARSE_COOKIE_MAX_VALUE || !cookie_value_ok(v, vlen) ||
	    memchr(v, '"', vlen) != NULL)
		return;
	kv_push(a, b, arena_strndup(a, p, nlen), arena_strndup(a, v, vlen), vlen);
}

int parse_cookies(arena *a, const char *header, struct kvlist *out)
{
	struct kvbuild b = { NULL, 0, 0 };
	const char *p = header;

	out->v = NULL;
	out->n = 0;
	if (header == NULL)
		return CAMP_OK;
	while (*p != '\0' && b.n < PARSE_MAX_COOKIES) {
		const char *semi = strchr(p, ';');
		const char *end = semi ? semi : p + strlen(p);
		cookie_pair(a, p, end, &b);
		p = semi ? semi + 1 : end;
	}
	out->v = b.v;
	out->n = b.n;
	return CAMP_OK;
}

/* ------------------------------------------------- header parameters */

/* A span of bytes inside the input (not NUL-terminated). */
struct span {
	const char *p;
	size_t n;
};

struct param {
	struct span name, value;
};

static void skip_ows(const char **p, const char *end)
{
	while (*p < end && is_ows(**p))
		(*p)++;
}

/* token | quoted-string.  Quoted strings end at the next '"' with no
 * backslash escapes: browsers percent-encode '"' in names and filenames
 * (WHATWG HTML, multipart/form-data encoding) and send '\' literally. */
static int param_value(const char **pp, const char *end, struct span *v)
{
	const char *p = *pp;

	if (p < end && *p == '"') {
		const char *q = memchr(p + 1, '"', (size_t)(end - p - 1));
		if (q == NULL)
			return CAMP_EINVAL;
		v->p = p + 1;
		v->n = (size_t)(q - p - 1);
		*pp = q + 1;
		return CAMP_OK;
	}
	v->p = p;
	while (p < end && is_tchar((unsigned char)*p))
		p++;
	v->n = (size_t)(p - v->p);
	*pp = p;
	return v->n > 0 ? CAMP_OK : CAMP_EINVAL;
}

/* Next "; name=value" of a header value.  Returns CAMP_OK with a param,
 * CAMP_ENOTFOUND at the end, CAMP_EINVAL on garbage. */
static int next_param(const char **pp, const char *end, struct param *out)
{
	const char *p = *pp;
	int semis = 0;

	skip_ows(&p, end);
	while (p < end && *p == ';') {   /* tolerate "a; ; b" and a trailing ';' */
		p++;
		semis++;
		skip_ows(&p, end);
	}
	if (p == end) {
		*pp = p;
		return CAMP_ENOTFOUND;
	}
	if (semis == 0)   /* "form-data name=x": parameters need a ';' */
		return CAMP_EINVAL;
	out->name.p = p;
	while (p < end && is_tchar((unsigned char)*p))
		p++;
	out->name.n = (size_t)(p - out->name.p);
	skip_ows(&p, end);
	if (out->name.n == 0 || p == end || *p != '=')
		return CAMP_EINVAL;
	p++;
	skip_ows(&p, end);
	if (param_value(&p, end, &out->value) != CAMP_OK)
		return CAMP_EINVAL;
	skip_ows(&p, end);
	if (p < end && *p != ';')
		return CAMP_EINVAL;
	*pp = p;
	return CAMP_OK;
}

/* Checks that the value starts with the given type (case-insensitive) and
 * leaves *pp just after it, where the parameters begin. */
static int value_type(const char **pp, const char *end, const char *type)
{
	const char *p = *pp, *t;

	skip_ows(&p, end);
	t = p;
	while (p < end && *p != ';' && !is_ows(*p))
		p++;
	if (!ieq_n(t, (size_t)(p - t), type))
		return CAMP_EINVAL;
	*pp = p;
	return CAMP_OK;
}

/* ----------------------------------------------------------- multipart */

/* RFC 2046 §5.1.1 bchars; space allowed but not last. */
static int boundary_ok(struct span b)
{
	if (b.n < 1 || b.n > 70 || b.p[b.n - 1] == ' ')
		return 0;
	for (size_t i = 0; i < b.n; i++) {
		unsigned char c = (unsigned char)b.p[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		    (c >= 'A' && c <= 'Z') || strchr("'()+_,-./:=? ", c) != NULL) || c == '\0')
			return 0;
	}
	return 1;
}

static int get_boundary(const char *ct, struct span *out)
{
	const char *p, *end;
	struct param prm;
	int rc, found = 0;

	if (ct == NULL)
		return CAMP_EINVAL;
	p = ct;
	end = ct + strlen(ct);
	if (value_type(&p, end, "multipart/form-data") != CAMP_OK)
		return CAMP_EINVAL;
	while ((rc = next_param(&p, end, &prm)) == CAMP_OK) {
		if (!ieq_n(prm.name.p, prm.name.n, "boundary"))
			continue;
		if (found++)   /* two boundaries: which one would a proxy use? */
			return CAMP_EINVAL;
		*out = prm.value;
	}
	if (rc != CAMP_ENOTFOUND || !found || !boundary_ok(*out))
		return CAMP_EINVAL;
	return CAMP_OK;
}

/* Everything one part's headers told us. */
struct part {
	int has_cd;
	struct span name;
	int has_filename;
	struct span filename;
	int has_ctype;
	struct span ctype;
};

struct mp {
	arena *a;
	const struct parse_limits *lim;
	const char *p, *end;     /* cursor over the body */
	const char *delim;       /* "\r\n--" boundary */
	size_t delim_len;
	struct kvbuild fields;
	struct upload *files;
	size_t nfiles, files_cap;
	size_t nparts;
};

static int content_disposition(const char *v, const char *end, struct part *pt)
{
	struct param prm;
	int rc;

	if (pt->has_cd++)
		return CAMP_EINVAL;
	if (value_type(&v, end, "form-data") != CAMP_OK)
		return CAMP_EINVAL;
	while ((rc = next_param(&v, end, &prm)) == CAMP_OK) {
		if (ieq_n(prm.name.p, prm.name.n, "name")) {
			if (pt->name.p != NULL)
				return CAMP_EINVAL;
			pt->name = prm.value;
		} else if (ieq_n(prm.name.p, prm.name.n, "filename")) {
			if (pt->has_filename++)
				return CAMP_EINVAL;
			pt->filename = prm.value;
		}
		/* filename* (RFC 5987) is ignored: RFC 7578 §4.2 says not to send it */
	}
	if (rc != CAMP_ENOTFOUND || pt->name.p == NULL)
		return CAMP_EINVAL;
	return CAMP_OK;
}

/* One "Name: value" line, without its CRLF. */
static int part_header(const char *line, size_t n, struct part *pt)
{
	const char *colon = memchr(line, ':', n), *v, *end = line + n;

	if (colon == NULL || !token_ok(line, (size_t)(colon - line)))
		return CAMP_EINVAL;
	v = colon + 1;
	for (const char *q = v; q < end; q++)
		if (((unsigned char)*q < 0x20 && *q != '\t') || *q == 0x7f)
			return CAMP_EINVAL;
	if (!utf8_valid(v, (size_t)(end - v)))
		return CAMP_EINVAL;
	if (ieq_n(line, (size_t)(colon - line), "content-disposition"))
		return content_disposition(v, end, pt);
	if (ieq_n(line, (size_t)(colon - line), "content-type")) {
		if (pt->has_ctype++)
			return CAMP_EINVAL;
		skip_ows(&v, end);
		trim(&v, &end);
		pt->ctype.p = v;
		pt->ctype.n = (size_t)(end - v);
	}
	return CAMP_OK;
}

/* Finds the CRLF ending the line at p, looking at most max bytes ahead.
 * Bare CR or LF (LF-only clients, header smuggling) and a truncated
 * line are CAMP_EINVAL; no CRLF within max bytes is CAMP_ETOOBIG. */
static int line_len(const char *p, const char *end, size_t max, size_t *len)
{
	size_t have = (size_t)(end - p);
	size_t avail = have < max ? have : max;

	for (size_t i = 0; i < avail; i++) {
		if (p[i] == '\n')
			return CAMP_EINVAL;
		if (p[i] != '\r')
			continue;
		if (i + 1 < avail && p[i + 1] == '\n') {
			*len = i;
			return CAMP_OK;
		}
		/* a CRLF straddling the limit is over it, not malformed */
		return i + 1 == avail && have > max ? CAMP_ETOOBIG : CAMP_EINVAL;
	}
	return have > max ? CAMP_ETOOBIG : CAMP_EINVAL;
}

static int part_headers(struct mp *m, struct part *pt)
{
	const char *start = m->p;
	size_t nheaders = 0, n;

	memset(pt, 0, sizeof(*pt));
	for (;;) {
		size_t used = (size_t)(m->p - start);
		int rc = line_len(m->p, m->end, PARSE_MULTIPART_MAX_HEADER_BYTES - used, &n);
		if (rc != CAMP_OK)
			return rc;
		const char *line = m->p;
		m->p += n + 2;
		if (n == 0)
			break;
		if (++nheaders > PARSE_MULTIPART_MAX_HEADERS)
			return CAMP_ETOOBIG;
		if (is_ows(line[0]))   /* obsolete line folding */
			return CAMP_EINVAL;
		rc = part_header(line, n, pt);
		if (rc != CAMP_OK)
			return rc;
	}
	return pt->has_cd ? CAMP_OK : CAMP_EINVAL;
}

/* After a delimiter: "--" closes the body, transport padding + CRLF opens
 * the next part.  Returns 1 for close, 0 for another part, -1 for junk
 * (the boundary appeared inside content, which RFC 2046 forbids). */
static int after_delimiter(struct mp *m)
{
	if (m->end - m->p >= 2 && m->p[0] == '-' && m->p[1] == '-') {
		m->p = m->end;   /* the epilogue is ignored */
		return 1;
	}
	skip_ows(&m->p, m->end);
	if (m->end - m->p >= 2 && m->p[0] == '\r' && m->p[1] == '\n') {
		m->p += 2;
		return 0;
	}
	return -1;
}

/* The last path component: some browsers sent the full client path. */
static struct span base_name(struct span f)
{
	for (size_t i = f.n; i > 0; i--)
		if (f.p[i - 1] == '/' || f.p[i - 1] == '\\')
			return (struct span){ f.p + i, f.n - i };
	return f;
}

static int add_upload(struct mp *m, const struct part *pt, const char *data, size_t len)
{
	struct span fn = base_name(pt->filename);

	if (pt->filename.n == 0 && len == 0)
		return CAMP_OK;   /* a file input left empty */
	if (len > m->lim->max_file_size || m->nfiles >= m->lim->max_files)
		return CAMP_ETOOBIG;
	if (!text_ok(pt->filename.p, pt->filename.n))
		return CAMP_EINVAL;
	m->files = grow(m->a, m->files, m->nfiles, &m->files_cap, sizeof(*m->files));
	struct upload *u = &m->files[m->nfiles++];
	u->field = arena_strndup(m->a, pt->name.p, pt->name.n);
	u->filename = arena_strndup(m->a, fn.p, fn.n);
	u->content_type = pt->has_ctype ? arena_strndup(m->a, pt->ctype.p, pt->ctype.n)
	    : "text/plain";
	u->data = (const unsigned char *)data;
	u->len = len;
	return CAMP_OK;
}

static int add_part(struct mp *m, const struct part *pt, const char *data, size_t len)
{
	if (pt->name.n == 0)
		return CAMP_OK;   /* like "=x" in a query: nothing could ask for it */
	if (pt->name.n > m->lim->max_name)
		return CAMP_ETOOBIG;
	if (!text_ok(pt->name.p, pt->name.n))
		return CAMP_EINVAL;
	if (pt->has_filename)
		return add_upload(m, pt, data, len);
	if (m->fields.n >= m->lim->max_fields || len > m->lim->max_value)
		return CAMP_ETOOBIG;
	if (!text_ok(data, len))
		return CAMP_EINVAL;
	kv_push(m->a, &m->fields, arena_strndup(m->a, pt->name.p, pt->name.n),
	    arena_strndup(m->a, data, len), len);
	return CAMP_OK;
}

static int one_part(struct mp *m)
{
	struct part pt;
	int rc;

	/* Skipped empty file parts count too, so they cannot be used to make
	 * us loop over millions of parts. */
	if (++m->nparts > m->lim->max_fields + m->lim->max_files)
		return CAMP_ETOOBIG;
	rc = part_headers(m, &pt);
	if (rc != CAMP_OK)
		return rc;
	const char *hit = memmem(m->p, (size_t)(m->end - m->p), m->delim, m->delim_len);
	if (hit == NULL)
		return CAMP_EINVAL;   /* truncated, or no close delimiter */
	const char *data = m->p;
	m->p = hit + m->delim_len;
	return add_part(m, &pt, data, (size_t)(hit - data));
}

static int multipart_body(struct mp *m)
{
	/* The first delimiter needs no CRLF before it; a preamble, which no
	 * browser sends, is refused rather than searched past. */
	const char *first = m->delim + 2;
	size_t first_len = m->delim_len - 2;
	int state;

	if ((size_t)(m->end - m->p) >= m->delim_len &&
	    memcmp(m->p, m->delim, m->delim_len) == 0)
		m->p += 2;
	if ((size_t)(m->end - m->p) < first_len || memcmp(m->p, first, first_len) != 0)
		return CAMP_EINVAL;
	m->p += first_len;
	while ((state = after_delimiter(m)) == 0) {
		int rc = one_part(m);
		if (rc != CAMP_OK)
			return rc;
	}
	return state == 1 ? CAMP_OK : CAMP_EINVAL;
}

int parse_multipart(arena *a, const char *content_type,
    const unsigned char *body, size_t len, const struct parse_limits *lim,
    struct kvlist *fields, struct uploads *files)
{
	struct mp m;
	struct span b = { NULL, 0 };
	int rc;

	fields->v = NULL;
	fields->n = 0;
	files->v = NULL;
	files->n = 0;
	if (get_boundary(content_type, &b) != CAMP_OK || body == NULL)
		return CAMP_EINVAL;
	memset(&m, 0, sizeof(m));
	m.a = a;
	m.lim = limits_or_default(lim);
	m.p = (const char *)body;
	m.end = m.p + len;
	m.delim_len = b.n + 4;
	char *d = arena_alloc(a, m.delim_len + 1);
	memcpy(d, "\r\n--", 4);
	memcpy(d + 4, b.p, b.n);
	m.delim = d;
	rc = multipart_body(&m);
	if (rc != CAMP_OK)
		return rc;
	fields->v = m.fields.v;
	fields->n = m.fields.n;
	files->v = m.files;
	files->n = m.nfiles;
	return CAMP_OK;
}

/* ---------------------------------------------------------------- JSON */

/* arena_defer wants void (*)(void *); calling json_object_put through a
 * cast pointer would be undefined behaviour. */
static void json_put(void *p)
{
	json_object_put(p);
}

/*
 * json-c's strict mode still takes single quotes, NaN/Infinity, "1.", raw
 * control characters in strings, "\u0000" (which truncates keys) and lone
 * surrogates (silently made U+FFFD).  This RFC 8259 lexical pass refuses
 * all of those before json-c builds the tree; json-c keeps the grammar.
 * Each lex_* returns the index just past the token, or 0 when malformed
 * (no token can end at 0).
 */
static int hex4(const char *s, size_t len, size_t i, unsigned *out)
{
	unsigned v = 0;

	if (len - i < 4)
		return 0;
	for (size_t k = 0; k < 4; k++) {
		int h = hexval((unsigned char)s[i + k]);
		if (h < 0)
			return 0;
		v = v * 16 + (unsigned)h;
	}
	*out = v;
	return 1;
}

/* i is just past "\u"; consumes the low half too when v is a high one. */
static size_t lex_unicode(const char *s, size_t len, size_t i)
{
	unsigned v, lo;

	if (!hex4(s, len, i, &v) || v == 0 || (v >= 0xDC00 && v <= 0xDFFF))
		return 0;
	i += 4;
	if (v < 0xD800 || v > 0xDBFF)
		return i;
	if (len - i < 6 || s[i] != '\\' || s[i + 1] != 'u' ||
	    !hex4(s, len, i + 2, &lo) || lo < 0xDC00 || lo > 0xDFFF)
		return 0;
	return i + 6;
}

static size_t lex_string(const char *s, size_t len, size_t i)
{
	for (i++; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"')
			return i + 1;
		if (c < 0x20)
			return 0;
		if (c != '\\')
			continue;
		if (++i == len)
			return 0;
		if (s[i] == 'u') {
			size_t next = lex_unicode(s, len, i + 1);
			if (next == 0)
				return 0;
			i = next - 1;
		} else if (strchr("\"\\/bfnrt", s[i]) == NULL || s[i] == '\0')
			return 0;
	}
	return 0;
}

static size_t lex_digits(const char *s, size_t len, size_t i)
{
	size_t start = i;

	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++;
	return i > start ? i : 0;
}

static size_t lex_number(const char *s, size_t len, size_t i)
{
	if (s[i] == '-')
		i++;
	if (i < len && s[i] == '0')
		i++;
	else if ((i = lex_digits(s, len, i)) == 0)
		return 0;
	if (i < len && s[i] == '.' && (i = lex_digits(s, len, i + 1)) == 0)
		return 0;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		if ((i = lex_digits(s, len, i)) == 0)
			return 0;
	}
	return i;
}

/* Only the three literals, in lower case as RFC 8259 spells them. */
static size_t lex_word(const char *s, size_t len, size_t i)
{
	static const char *const words[] = { "true", "false", "null" };
	size_t start = i;

	while (i < len && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
		i++;
	for (size_t k = 0; k < CAMP_ARRAY_LEN(words); k++)
		if (i - start == strlen(words[k]) && memcmp(s + start, words[k], i - start) == 0)
			return i;
	return 0;
}

static int json_lex_ok(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		char c = s[i];
		size_t next;
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '{' ||
		    c == '}' || c == '[' || c == ']' || c == ',' || c == ':')
			next = i + 1;
		else if (c == '"')
			next = lex_string(s, len, i);
		else if (c == '-' || (c >= '0' && c <= '9'))
			next = lex_number(s, len, i);
		else
			next = lex_word(s, len, i);
		if (next == 0)
			return 0;
		i = next;
	}
	return 1;
}

/* Depth-limited by the tokenizer, so the recursion is bounded. */
static int json_strings_ok(struct json_object *o)
{
	switch (json_object_get_type(o)) {
	case json_type_string:
		return text_ok(json_object_get_string(o), (size_t)json_object_get_string_len(o));
	case json_type_array:
		for (size_t i = 0; i < json_object_array_length(o); i++)
			if (!json_strings_ok(json_object_array_get_idx(o, i)))
				return 0;
		return 1;
	case json_type_object: {
		json_object_object_foreach(o, key, val) {
			if (!utf8_valid(key, strlen(key)) || !json_strings_ok(val))
				return 0;
		}
		return 1;
	}
	default:
		return 1;
	}
}

static int only_space(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!strchr(" \t\r\n", s[i]) || s[i] == '\0')
			return 0;
	return 1;
}

int parse_json_object(arena *a, const char *s, size_t len, struct json_object **out)
{
	struct json_tokener *tok;
	struct json_object *o;
	size_t used;

	*out = NULL;
	if (len > PARSE_JSON_MAX_BYTES)
		return CAMP_ETOOBIG;
	/* json-c would stop at a NUL as if the input ended there. */
	if (s == NULL || len == 0 || memchr(s, '\0', len) != NULL || !utf8_valid(s, len) ||
	    !json_lex_ok(s, len))
		return CAMP_EINVAL;
	/* json-c counts the depth differently: its N allows N-1 nested containers. */
	tok = json_tokener_new_ex(PARSE_JSON_MAX_DEPTH + 1);
	if (tok == NULL)
		return CAMP_ERR;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_ALLOW_TRAILING_CHARS |
	    JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, s, (int)len);
	used = json_tokener_get_parse_end(tok);
	int err = json_tokener_get_error(tok);
	json_tokener_free(tok);
	if (o == NULL || err != json_tokener_success) {
		json_object_put(o);
		return CAMP_EINVAL;
	}
	arena_defer(a, json_put, o);
	/* Trailing whitespace is fine; anything else means the client sent
	 * something other than what we parsed. */
	if (used > len || !only_space(s + used, len - used) ||
	    !json_object_is_type(o, json_type_object) || !json_strings_ok(o))
		return CAMP_EINVAL;
	*out = o;
	return CAMP_OK;
}

/* ---------------------------------------------------- lookups, integers */

const char *kv_get(const struct kvlist *l, const char *name)
{
	if (l == NULL || name == NULL)
		return NULL;
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].name, name) == 0)
			return l->v[i].value;
	return NULL;
}

size_t kv_get_all(const struct kvlist *l, const char *name, const char **out, size_t max)
{
	size_t n = 0;

	if (l == NULL || name == NULL)
		return 0;
	for (size_t i = 0; i < l->n; i++) {
		if (strcmp(l->v[i].name, name) != 0)
			continue;
		if (n < max && out != NULL)
			out[n] = l->v[i].value;
		n++;
	}
	return n;
}
