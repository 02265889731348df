/* t_parse.c: hostile inputs for the request parsers (query, forms, multipart, cookies, JSON, integers). */
#include "tap.h"
#include "../../src/core/arena.h"
#include "../../src/core/buf.h"
#include "../../src/core/camp.h"
#include "../../src/web/parse.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

/* Parsers get exact-sized heap copies so ASan sees any read past the end
 * (a string literal would hide it behind its NUL). */
static char *exact(const void *p, size_t n)
{
	char *c = malloc(n ? n : 1);
	if (c == NULL)
		abort();
	memcpy(c, p, n);
	return c;
}

static int url(arena *a, const char *s, const struct parse_limits *lim, struct kvlist *out)
{
	size_t n = strlen(s);
	char *c = exact(s, n);
	int rc = parse_urlencoded(a, c, n, lim, out);
	free(c);   /* the kvlist must own copies, not point into the input */
	return rc;
}

static int url_n(arena *a, const char *s, size_t n, struct kvlist *out)
{
	char *c = exact(s, n);
	int rc = parse_urlencoded(a, c, n, NULL, out);
	free(c);
	return rc;
}

static int url_rc(arena *a, const char *s)
{
	struct kvlist l;
	return url(a, s, NULL, &l);
}

/* ---------------------------------------------------------------- UTF-8 */

static void test_utf8(void)
{
	ok(utf8_valid("", 0), "utf8: empty is valid");
	ok(utf8_valid("plain ascii", 11), "utf8: ascii");
	ok(utf8_valid("\xC3\xA9\xE4\xBD\xA0\xF0\x9F\x98\x80", 9), "utf8: 2, 3 and 4 byte sequences");
	ok(utf8_valid("\xED\x9F\xBF", 3), "utf8: U+D7FF just below the surrogates");
	ok(utf8_valid("\xEE\x80\x80", 3), "utf8: U+E000 just above the surrogates");
	ok(utf8_valid("\xF4\x8F\xBF\xBF", 4), "utf8: U+10FFFF is the last code point");
	ok(!utf8_valid("\xC0\x80", 2), "utf8: overlong NUL refused");
	ok(!utf8_valid("\xC1\xBF", 2), "utf8: overlong 2-byte refused");
	ok(!utf8_valid("\xE0\x80\xAF", 3), "utf8: overlong '/' in 3 bytes refused");
	ok(!utf8_valid("\xF0\x80\x80\xAF", 4), "utf8: overlong 4-byte refused");
	ok(!utf8_valid("\x80", 1), "utf8: lone continuation refused");
	ok(!utf8_valid("a\xBF" "b", 3), "utf8: continuation in the middle refused");
	ok(!utf8_valid("\xED\xA0\x80", 3), "utf8: high surrogate refused");
	ok(!utf8_valid("\xED\xBF\xBF", 3), "utf8: low surrogate refused");
	ok(!utf8_valid("\xF4\x90\x80\x80", 4), "utf8: above U+10FFFF refused");
	ok(!utf8_valid("\xF5\x80\x80\x80", 4), "utf8: F5 lead refused");
	ok(!utf8_valid("\xFF", 1), "utf8: FF refused");
	ok(!utf8_valid("\xE4\xBD", 2), "utf8: truncated 3-byte sequence refused");
	ok(!utf8_valid("\xE4\x41\xA0", 3), "utf8: ASCII inside a sequence refused");
	ok(utf8_valid("a\0b", 3), "utf8: NUL itself is valid UTF-8 (parsers refuse it separately)");
}

/* ---------------------------------------------------------- urlencoded */

static void test_url_basic(arena *a)
{
	struct kvlist l;

	is_int(url(a, "a=1&b=x+y%20z&c=%E4%BD%A0", NULL, &l), CAMP_OK, "url: simple form");
	is_int(l.n, 3, "url: three pairs");
	is_str(l.v[0].name, "a", "url: first name");
	is_str(kv_get(&l, "b"), "x y z", "url: '+' and %%20 are spaces");
	is_str(kv_get(&l, "c"), "\xE4\xBD\xA0", "url: UTF-8 escapes decoded");
	is_int(l.v[1].value_len, 5, "url: value_len is the decoded length");
	ok(kv_get(&l, "missing") == NULL, "url: kv_get of a missing name is NULL");

	is_int(url(a, "a=1&&b=2&", NULL, &l), CAMP_OK, "url: empty pairs");
	is_int(l.n, 2, "url: empty pairs skipped");
	is_int(url(a, "flag&x=", NULL, &l), CAMP_OK, "url: names without values");
	is_str(kv_get(&l, "flag"), "", "url: name without '=' has value \"\"");
	is_str(kv_get(&l, "x"), "", "url: 'x=' has value \"\"");
	is_int(url(a, "=x&a=1", NULL, &l), CAMP_OK, "url: empty name");
	is_int(l.n, 1, "url: pair with an empty name skipped");
	is_int(url(a, "a==b%3D", NULL, &l), CAMP_OK, "url: '=' in a value");
	is_str(kv_get(&l, "a"), "=b=", "url: only the first '=' splits");
	is_int(url(a, "a%26b=c%26d", NULL, &l), CAMP_OK, "url: encoded '&'");
	is_str(kv_get(&l, "a&b"), "c&d", "url: %%26 does not split pairs");
	is_int(url(a, "", NULL, &l), CAMP_OK, "url: empty input");
	is_int(l.n, 0, "url: empty input gives no pairs");
	is_int(parse_urlencoded(a, NULL, 0, NULL, &l), CAMP_OK, "url: NULL input");
	is_int(url(a, "&&&&", NULL, &l), CAMP_OK, "url: only separators");
	is_int(l.n, 0, "url: only separators gives no pairs");
	is_int(url(a, "%41%62=%7e", NULL, &l), CAMP_OK, "url: mixed-case hex");
	is_str(kv_get(&l, "Ab"), "~", "url: hex decoded");
}

static void test_url_repeated(arena *a)
{
	struct kvlist l;
	const char *vals[2];

	is_int(url(a, "ids=3&x=0&ids=1&ids=2", NULL, &l), CAMP_OK, "url: repeated names");
	is_str(kv_get(&l, "ids"), "3", "url: kv_get returns the first");
	is_int(kv_get_all(&l, "ids", vals, 2), 3, "url: kv_get_all counts all three");
	is_str(vals[0], "3", "url: kv_get_all in order (0)");
	is_str(vals[1], "1", "url: kv_get_all in order (1), stops at max");
	is_int(kv_get_all(&l, "nope", vals, 2), 0, "url: kv_get_all of a missing name");
	is_int(kv_get_all(&l, "ids", NULL, 0), 3, "url: kv_get_all can just count");
}

static void test_url_bad(arena *a)
{
	struct kvlist l;
	static const char *const bad[] = {
		"%", "a=%", "a=%4", "a=%G1", "a=%4G", "%zz=1", "a=1&b=%2", "a=%%41",
		"a=%00", "%00=1", "a=x%00y",
		"a=%C0%80", "a=%C1%BF", "a=%E0%80%AF", "a=%80", "a=%ED%A0%80",
		"a=%ED%BF%BF", "a=%F4%90%80%80", "a=%FF", "a=%E4%BD", "%80=1",
		"ok=1&bad=%E4%BD&later=2",
	};

	for (size_t i = 0; i < CAMP_ARRAY_LEN(bad); i++)
		is_int(url_rc(a, bad[i]), CAMP_EINVAL, "url: refuses \"%s\"", bad[i]);
	is_int(url_n(a, "a=x\0y", 5, &l), CAMP_EINVAL, "url: literal NUL in a value refused");
	is_int(url_n(a, "a\0=1", 4, &l), CAMP_EINVAL, "url: literal NUL in a name refused");
	is_int(url_n(a, "a=\xC0\x80", 4, &l), CAMP_EINVAL, "url: raw overlong refused");
	is_int(url_n(a, "a=\xED\xA0\x80", 5, &l), CAMP_EINVAL, "url: raw surrogate refused");
	ok(l.v == NULL && l.n == 0, "url: output emptied on error");
}

static char *repeat(arena *a, const char *unit, size_t times, const char *prefix)
{
	size_t u = strlen(unit), p = strlen(prefix);
	char *s = arena_alloc(a, p + u * times + 1);
	memcpy(s, prefix, p);
	for (size_t i = 0; i < times; i++)
		memcpy(s + p + i * u, unit, u);
	return s;
}

static void test_url_sizes(arena *a)
{
	struct kvlist l;
	char *s;

	s = repeat(a, "n", 256, "");
	strcat(s, "=1");
	is_int(url(a, s, NULL, &l), CAMP_OK, "url: 256-byte name accepted");
	is_int(strlen(l.v[0].name), 256, "url: ... and kept whole");
	s = repeat(a, "n", 257, "");
	strcat(s, "=1");
	is_int(url(a, s, NULL, &l), CAMP_ETOOBIG, "url: 257-byte name refused");
	s = repeat(a, "%41", 257, "");
	is_int(url(a, s, NULL, &l), CAMP_ETOOBIG, "url: 257-byte encoded name refused");

	s = repeat(a, "v", 65536, "a=");
	is_int(url(a, s, NULL, &l), CAMP_OK, "url: 64 KiB value accepted");
	is_int(l.v[0].value_len, 65536, "url: ... and kept whole");
	s = repeat(a, "v", 65537, "a=");
	is_int(url(a, s, NULL, &l), CAMP_ETOOBIG, "url: 64 KiB + 1 value refused");
	s = repeat(a, "%41", 65536, "a=");
	is_int(url(a, s, NULL, &l), CAMP_OK, "url: 64 KiB value written as %%XX accepted");
	is_int(l.v[0].value_len, 65536, "url: ... decoded to 64 KiB");
	s = repeat(a, "%41", 65537, "a=");
	is_int(url(a, s, NULL, &l), CAMP_ETOOBIG, "url: 64 KiB + 1 decoded bytes refused");
	s = repeat(a, "v", 10 * 1024 * 1024, "a=");
	is_int(url(a, s, NULL, &l), CAMP_ETOOBIG, "url: 10 MiB value refused");
	arena_reset(a);
}

static void test_url_fields(arena *a)
{
	struct kvlist l;
	struct parse_limits lim = parse_default_limits;
	char *s;

	s = repeat(a, "f=1&", 2000, "");
	is_int(url(a, s, NULL, &l), CAMP_OK, "url: 2000 fields accepted (the limit)");
	is_int(l.n, 2000, "url: ... all 2000 kept");
	s = repeat(a, "f=1&", 2001, "");
	is_int(url(a, s, NULL, &l), CAMP_ETOOBIG, "url: 2001 fields refused");
	s = repeat(a, "f=1&", 10000, "");
	is_int(url(a, s, NULL, &l), CAMP_ETOOBIG, "url: 10k fields refused at the default limit");
	lim.max_fields = 10000;
	is_int(url(a, s, &lim, &l), CAMP_OK, "url: 10k fields accepted at a limit of 10k");
	is_int(l.n, 10000, "url: ... all 10k kept");
	is_str(l.v[9999].name, "f", "url: ... the last one too");
	s = repeat(a, "&", 100000, "a=1");
	is_int(url(a, s, NULL, &l), CAMP_OK, "url: 100k empty pairs are no fields");
	is_int(l.n, 1, "url: ... just the one real pair");
	lim.max_fields = 0;
	is_int(url(a, "a=1", &lim, &l), CAMP_ETOOBIG, "url: a limit of 0 fields refuses one");
	is_int(url(a, "&", &lim, &l), CAMP_OK, "url: ... but not an empty form");
	arena_reset(a);
}

/* ------------------------------------------------------------- cookies */

static void test_cookies(arena *a)
{
	struct kvlist l;
	const char *v[3];

	is_int(parse_cookies(a, "a=1; b=2", &l), CAMP_OK, "cookie: simple");
	is_int(l.n, 2, "cookie: two");
	is_str(kv_get(&l, "b"), "2", "cookie: second value");
	parse_cookies(a, "  a = 1 ;b=2;;  c=\"quoted value\"  ;d=\"\"; e=", &l);
	is_int(l.n, 5, "cookie: spaces, empty segments, quotes");
	is_str(kv_get(&l, "a"), "1", "cookie: spaces around '=' trimmed");
	is_str(kv_get(&l, "c"), "quoted value", "cookie: quotes removed");
	is_str(kv_get(&l, "d"), "", "cookie: empty quoted value");
	is_str(kv_get(&l, "e"), "", "cookie: empty value");
	parse_cookies(a, "junk; =x; a b=1; good=yes; x=\x01y; q=\"open; "
	    "r=a\"b; s=\xC0\x80; t=\xE4\xBD\xA0; (u)=1; v=1=2", &l);
	is_int(l.n, 3, "cookie: junk pairs skipped, not fatal");
	is_str(kv_get(&l, "good"), "yes", "cookie: the good one survives junk");
	is_str(kv_get(&l, "t"), "\xE4\xBD\xA0", "cookie: UTF-8 value kept");
	is_str(kv_get(&l, "v"), "1=2", "cookie: '=' inside a value");
	ok(kv_get(&l, "x") == NULL, "cookie: control character skipped");
	ok(kv_get(&l, "s") == NULL, "cookie: invalid UTF-8 skipped");
	ok(kv_get(&l, "r") == NULL, "cookie: stray quote skipped");
	parse_cookies(a, "sid=old; sid=new", &l);
	is_int(kv_get_all(&l, "sid", v, 3), 2, "cookie: repeated names kept");
	is_str(v[0], "old", "cookie: ... in order");
	is_int(parse_cookies(a, NULL, &l), CAMP_OK, "cookie: no header");
	is_int(l.n, 0, "cookie: no header, no cookies");
	parse_cookies(a, "", &l);
	is_int(l.n, 0, "cookie: empty header");
	parse_cookies(a, ";;; ;", &l);
	is_int(l.n, 0, "cookie: only separators");
	parse_cookies(a, "\"", &l);
	is_int(l.n, 0, "cookie: lone quote");
	parse_cookies(a, "a=\"", &l);
	is_int(l.n, 0, "cookie: value that is a lone quote skipped");
}

static void test_cookie_limits(arena *a)
{
	struct kvlist l;
	struct buf b = BUF_INIT;

	for (int i = 0; i < 150; i++)
		buf_printf(&b, "c%d=%d; ", i, i);
	is_int(parse_cookies(a, b.s, &l), CAMP_OK, "cookie: 150 cookies not fatal");
	is_int(l.n, 100, "cookie: at most 100 kept");
	is_str(l.v[99].name, "c99", "cookie: the first 100 are the ones kept");
	buf_reset(&b);
	buf_puts(&b, "big=");
	for (int i = 0; i < 4096; i++)
		buf_putc(&b, 'x');
	buf_puts(&b, "; ok=1");
	parse_cookies(a, b.s, &l);
	is_int(l.n, 2, "cookie: 4096-byte value kept");
	buf_reset(&b);
	buf_puts(&b, "big=");
	for (int i = 0; i < 4097; i++)
		buf_putc(&b, 'x');
	buf_puts(&b, "; ok=1");
	parse_cookies(a, b.s, &l);
	is_int(l.n, 1, "cookie: 4097-byte value skipped");
	is_str(kv_get(&l, "ok"), "1", "cookie: ... the next one still read");
	buf_free(&b);
}

/* ----------------------------------------------------------- multipart */

#define CT "multipart/form-data; boundary=XyZ"

static int mp(arena *a, const char *ct, const void *body, size_t len,
    const struct parse_limits *lim, struct kvlist *f, struct uploads *u)
{
	char *c = exact(body, len);
	int rc = parse_multipart(a, ct, (const unsigned char *)c, len, lim, f, u);
	/* Upload data points into the body: tests check it before freeing. */
	arena_defer(a, free, c);
	return rc;
}

static int mps(arena *a, const char *ct, const char *body, struct kvlist *f, struct uploads *u)
{
	return mp(a, ct, body, strlen(body), NULL, f, u);
}

static const char good_body[] =
	"--XyZ\r\n"
	"Content-Disposition: form-data; name=\"name\"\r\n"
	"\r\n"
	"Camp \xE4\xBD\xA0\r\n"
	"--XyZ\r\n"
	"content-disposition: form-data; name=\"poster\"; filename=\"p.png\"\r\n"
	"Content-Type: image/png\r\n"
	"\r\n"
	"\x89PNG\r\n\x1a\n\0\xff\r\n--Xy\r\n"
	"--XyZ\r\n"
	"Content-Disposition: form-data; name=ids\r\n"
	"\r\n"
	"1\r\n"
	"--XyZ\r\n"
	"Content-Disposition: form-data; name=\"ids\"\r\n"
	"\r\n"
	"2\r\n"
	"--XyZ--\r\n";

static void test_mp_good(arena *a)
{
	struct kvlist f;
	struct uploads u;
	const char *ids[2];

	is_int(mp(a, CT, good_body, sizeof(good_body) - 1, NULL, &f, &u), CAMP_OK, "mp: good body");
	is_int(f.n, 3, "mp: three text fields");
	is_str(kv_get(&f, "name"), "Camp \xE4\xBD\xA0", "mp: text value without the CRLF");
	is_int(kv_get_all(&f, "ids", ids, 2), 2, "mp: repeated names kept");
	ok(strcmp(ids[0], "1") == 0 && strcmp(ids[1], "2") == 0, "mp: ... in order");
	is_int(u.n, 1, "mp: one upload");
	is_str(u.v[0].field, "poster", "mp: upload field");
	is_str(u.v[0].filename, "p.png", "mp: upload filename");
	is_str(u.v[0].content_type, "image/png", "mp: upload content type");
	is_int(u.v[0].len, 16, "mp: binary data, CRLF and a boundary prefix kept");
	ok(memcmp(u.v[0].data, "\x89PNG\r\n\x1a\n\0\xff\r\n--Xy", 16) == 0, "mp: data bytes exact");

	is_int(mps(a, "multipart/form-data; boundary=\"a b:c\"",
	    "--a b:c\r\nContent-Disposition: form-data; name=x\r\n\r\n1\r\n--a b:c--", &f, &u),
	    CAMP_OK, "mp: quoted boundary with space and colon");
	is_str(kv_get(&f, "x"), "1", "mp: ... value read");
	is_int(mps(a, "Multipart/Form-Data ;Charset=utf-8; BOUNDARY=XyZ;",
	    "--XyZ\r\nContent-Disposition: form-data; name=x\r\n\r\n1\r\n--XyZ--", &f, &u),
	    CAMP_OK, "mp: case-insensitive type and parameter, trailing ';'");
	is_int(mps(a, CT, "--XyZ--\r\n", &f, &u), CAMP_OK, "mp: no parts");
	ok(f.n == 0 && u.n == 0, "mp: no parts, nothing out");
	is_int(mps(a, CT, "--XyZ  \t\r\nContent-Disposition: form-data; name=x\r\n\r\n1\r\n"
	    "--XyZ \r\nContent-Disposition: form-data; name=y\r\n\r\n2\r\n--XyZ--epilogue", &f, &u),
	    CAMP_OK, "mp: transport padding and an epilogue");
	is_int(f.n, 2, "mp: ... both fields");
	is_int(mps(a, CT, "\r\n--XyZ\r\nContent-Disposition: form-data; name=x\r\n\r\n\r\n--XyZ--",
	    &f, &u), CAMP_OK, "mp: leading CRLF (empty preamble)");
	is_str(kv_get(&f, "x"), "", "mp: empty text value");
	is_int(mps(a, CT, "--XyZ\r\nContent-Disposition: form-data; name=\"\"\r\n\r\nx\r\n--XyZ--",
	    &f, &u), CAMP_OK, "mp: part with an empty name");
	is_int(f.n, 0, "mp: ... skipped");
	is_int(mps(a, CT, "--XyZ\r\nX-Other: whatever\r\nContent-Disposition: form-data; "
	    "filename=\"C:\\fakepath\\x.png\"; name=f\r\n\r\nDATA\r\n--XyZ--", &f, &u),
	    CAMP_OK, "mp: path in the filename, other headers");
	is_str(u.v[0].filename, "x.png", "mp: filename reduced to its last component");
	is_str(u.v[0].content_type, "text/plain", "mp: default content type");
}

static void test_mp_empty_files(arena *a)
{
	struct kvlist f;
	struct uploads u;

	is_int(mps(a, CT, "--XyZ\r\nContent-Disposition: form-data; name=f; filename=\"\"\r\n"
	    "Content-Type: application/octet-stream\r\n\r\n\r\n--XyZ--", &f, &u), CAMP_OK,
	    "mp: file input left empty");
	ok(u.n == 0 && f.n == 0, "mp: ... skipped, not a text field");
	is_int(mps(a, CT, "--XyZ\r\nContent-Disposition: form-data; name=f; filename=\"e.txt\"\r\n"
	    "\r\n\r\n--XyZ--", &f, &u), CAMP_OK, "mp: empty file with a name");
	is_int(u.n, 1, "mp: ... is an upload");
	is_int(u.v[0].len, 0, "mp: ... of 0 bytes");
	is_int(mps(a, CT, "--XyZ\r\nContent-Disposition: form-data; name=f; filename=\"\"\r\n"
	    "\r\nabc\r\n--XyZ--", &f, &u), CAMP_OK, "mp: data without a filename");
	is_int(u.n, 1, "mp: ... is an upload");
	is_str(u.v[0].filename, "", "mp: ... with an empty filename");
}

static void test_mp_content_type(arena *a)
{
	struct kvlist f;
	struct uploads u;
	static const char *const bad[] = {
		"multipart/form-data", "multipart/form-data; boundary=",
		"multipart/form-data; boundary=\"\"", "multipart/form-data; boundary=\"XyZ",
		"multipart/form-data boundary=XyZ", "multipart/mixed; boundary=XyZ",
		"application/x-www-form-urlencoded", "", "multipart/form-data; boundary=XyZ; boundary=XyZ",
		"multipart/form-data; boundary=a\\b", "multipart/form-data; boundary=\"a\\\"b\"",
		"multipart/form-data; boundary=\"trailing \"", "multipart/form-data; boundary=X y",
		"multipart/form-data; =XyZ", "multipart/form-data; boundary=\"XyZ\"junk",
		"multipart/form-dataa; boundary=XyZ",
	};
	const char *body = "--XyZ--";

	for (size_t i = 0; i < CAMP_ARRAY_LEN(bad); i++)
		is_int(mps(a, bad[i], body, &f, &u), CAMP_EINVAL, "mp: content type '%s' refused", bad[i]);
	is_int(mps(a, NULL, body, &f, &u), CAMP_EINVAL, "mp: no content type refused");
	char ct[128] = "multipart/form-data; boundary=";
	char bnd[80];
	memset(bnd, 'b', 70);
	bnd[70] = '\0';
	strcat(ct, bnd);
	char body70[90];
	snprintf(body70, sizeof(body70), "--%s--", bnd);
	is_int(mps(a, ct, body70, &f, &u), CAMP_OK, "mp: 70-char boundary accepted");
	strcat(ct, "b");
	snprintf(body70, sizeof(body70), "--%sb--", bnd);
	is_int(mps(a, ct, body70, &f, &u), CAMP_EINVAL, "mp: 71-char boundary refused");
}

static void test_mp_bad_bodies(arena *a)
{
	struct kvlist f;
	struct uploads u;
	static const char *const bad[] = {
		"",                                      /* empty body */
		"--XyZ",                                 /* nothing after the first delimiter */
		"--ABC\r\nContent-Disposition: form-data; name=x\r\n\r\n1\r\n--ABC--",  /* other boundary */
		"preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=x\r\n\r\n1\r\n--XyZ--",
		"--XyZ\r\nContent-Disposition: form-data; name=x\r\n\r\n1\r\n",        /* no final */
		"--XyZ\r\nContent-Disposition: form-data; name=x\r\n\r\n1\r\n--XyZ\r\n",
		"--XyZ\r\nContent-Disposition: form-data; name=x\r\n\r\n1",            /* truncated */
		"--XyZ\r\nContent-Disposition: form-data; name=x\r\n",
		"--XyZ\r\nContent-Disposition: form-data; name=x\r\n\r\n--XyZ--",  /* no CRLF: data */
		"--XyZ\nContent-Disposition: form-data; name=x\n\n1\n--XyZ--\n",       /* LF only */
		"--XyZ\r\nContent-Disposition: form-data; name=x\n\r\n1\r\n--XyZ--",
		"--XyZ\r\nContent-Disposition: form-data; name=x\r\r\n\r\n1\r\n--XyZ--",
		"--XyZ\r\nContent-Disposition: form-data; name=x\r\n\r\n1\r\n--XyZjunk\r\n--XyZ--",
		"--XyZ\r\n--XyZ\r\nContent-Disposition: form-data; name=x\r\n\r\n1\r\n--XyZ--",
		"--XyZ\r\n\r\n1\r\n--XyZ--",                                            /* no headers */
		"--XyZ\r\nContent-Type: text/plain\r\n\r\n1\r\n--XyZ--",
		"--XyZ\r\nContent-Disposition: attachment; name=x\r\n\r\n1\r\n--XyZ--",
		"--XyZ\r\nContent-Disposition: form-data\r\n\r\n1\r\n--XyZ--",
		"--XyZ\r\nContent-Disposition: form-data; filename=a\r\n\r\n1\r\n--XyZ--",
		"--XyZ\r\nContent-Disposition: form-data name=x\r\n\r\n1\r\n--XyZ--",
		"--XyZ\r\nContent-Disposition: form-data; name=\"x\r\n\r\n1\r\n--XyZ--",
		"--XyZ\r\nContent-Disposition: form-data; name=x; name=y\r\n\r\n1\r\n--XyZ--",
		"--XyZ\r\nContent-Disposition: form-data; name=x\r\nContent-Disposition: form-data; "
		    "name=y\r\n\r\n1\r\n--XyZ--",
		"--XyZ\r\nContent-Disposition: form-data; name=x; filename=a; filename=b\r\n\r\n1\r\n--XyZ--",
		"--XyZ\r\nContent-Disposition: form-data;\r\n name=x\r\n\r\n1\r\n--XyZ--",   /* folding */
		"--XyZ\r\nContent-Disposition : form-data; name=x\r\n\r\n1\r\n--XyZ--",
		"--XyZ\r\nno colon here\r\n\r\n1\r\n--XyZ--",
		"--XyZ\r\nContent-Disposition: form-data; name=\"\xC0\x80\"\r\n\r\n1\r\n--XyZ--",
		"--XyZ\r\nContent-Disposition: form-data; name=x\r\n\r\n\xED\xA0\x80\r\n--XyZ--",
		"--XyZ\r\nContent-Disposition: form-data; name=x\r\n\r\n\x80\r\n--XyZ--",
		"--XyZ\r\nContent-Disposition: form-data; name=x; filename=\"\xFF.png\"\r\n\r\n1\r\n--XyZ--",
		"--XyZ\r\nContent-Disposition: form-data; name=x\r\nContent-Type: a\r\nContent-Type: b"
		    "\r\n\r\n1\r\n--XyZ--",
		"--XyZ\r\nContent-Disposition: form-data; name=x\x01\r\n\r\n1\r\n--XyZ--",
		"--XyZ-\r\n",
		"--XyZ--",   /* valid, used below as the sanity check of this table */
	};

	for (size_t i = 0; i + 1 < CAMP_ARRAY_LEN(bad); i++) {
		int rc = mps(a, CT, bad[i], &f, &u);
		ok(rc == CAMP_EINVAL, "mp: bad body %zu refused (rc %d)", i, rc);
		if (i == 0)
			ok(f.v == NULL && f.n == 0 && u.v == NULL && u.n == 0, "mp: outputs emptied on error");
	}
	is_int(mps(a, CT, bad[CAMP_ARRAY_LEN(bad) - 1], &f, &u), CAMP_OK, "mp: table sanity check");
	static const char nul_text[] =
		"--XyZ\r\nContent-Disposition: form-data; name=x\r\n\r\na\0b\r\n--XyZ--";
	static const char nul_file[] =
		"--XyZ\r\nContent-Disposition: form-data; name=x; filename=f\r\n\r\na\0b\r\n--XyZ--";
	is_int(mp(a, CT, nul_text, sizeof(nul_text) - 1, NULL, &f, &u), CAMP_EINVAL,
	    "mp: NUL in a text field refused");
	is_int(mp(a, CT, nul_file, sizeof(nul_file) - 1, NULL, &f, &u), CAMP_OK,
	    "mp: NUL in a file accepted");
	ok(u.n == 1 && u.v[0].len == 3 && memcmp(u.v[0].data, "a\0b", 3) == 0, "mp: ... and kept");
	is_int(parse_multipart(a, CT, NULL, 0, NULL, &f, &u), CAMP_EINVAL, "mp: NULL body refused");
}

/* Every strict prefix of a valid body (short of its final CRLF) is refused. */
static void test_mp_truncated(arena *a)
{
	size_t len = sizeof(good_body) - 1, bad = 0, okn = 0;
	struct kvlist f;
	struct uploads u;

	for (size_t n = 0; n < len; n++) {
		int rc = mp(a, CT, good_body, n, NULL, &f, &u);
		if (n >= len - 2)
			okn += rc == CAMP_OK;
		else
			bad += rc != CAMP_OK;
		arena_reset(a);
	}
	is_int(bad, len - 2, "mp: every truncation before the close delimiter refused");
	is_int(okn, 2, "mp: ... and the close delimiter alone is enough");
}

static void file_part(struct buf *b, const char *name, size_t size)
{
	buf_printf(b, "--XyZ\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"f.bin\"\r\n"
	    "Content-Type: application/octet-stream\r\n\r\n", name);
	for (size_t i = 0; i < size; i++)
		buf_putc(b, (char)(i * 7));
	buf_puts(b, "\r\n");
}

static void text_part(struct buf *b, const char *name, const char *value)
{
	buf_printf(b, "--XyZ\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n", name, value);
}

static int mpbuf(arena *a, struct buf *b, const struct parse_limits *lim,
    struct kvlist *f, struct uploads *u)
{
	buf_puts(b, "--XyZ--\r\n");
	int rc = mp(a, CT, b->s, b->len, lim, f, u);
	buf_reset(b);
	return rc;
}

static void test_mp_limits(arena *a)
{
	struct kvlist f;
	struct uploads u;
	struct buf b = BUF_INIT;
	struct parse_limits lim = parse_default_limits;

	lim.max_file_size = 10;
	file_part(&b, "f", 10);
	is_int(mpbuf(a, &b, &lim, &f, &u), CAMP_OK, "mp: file at the size limit accepted");
	is_int(u.v[0].len, 10, "mp: ... whole");
	file_part(&b, "f", 11);
	is_int(mpbuf(a, &b, &lim, &f, &u), CAMP_ETOOBIG, "mp: file over the size limit refused");
	file_part(&b, "f", 2 * 1024 * 1024);
	is_int(mpbuf(a, &b, NULL, &f, &u), CAMP_OK, "mp: 2 MiB file accepted by default");
	file_part(&b, "f", 2 * 1024 * 1024 + 1);
	is_int(mpbuf(a, &b, NULL, &f, &u), CAMP_ETOOBIG, "mp: 2 MiB + 1 refused by default");
	arena_reset(a);

	for (int i = 0; i < 4; i++)
		file_part(&b, "f", 3);
	is_int(mpbuf(a, &b, NULL, &f, &u), CAMP_OK, "mp: 4 files accepted");
	is_int(u.n, 4, "mp: ... all four");
	for (int i = 0; i < 5; i++)
		file_part(&b, "f", 3);
	is_int(mpbuf(a, &b, NULL, &f, &u), CAMP_ETOOBIG, "mp: 5 files refused");

	for (int i = 0; i < 2000; i++)
		text_part(&b, "n", "v");
	is_int(mpbuf(a, &b, NULL, &f, &u), CAMP_OK, "mp: 2000 small parts accepted");
	is_int(f.n, 2000, "mp: ... all kept");
	for (int i = 0; i < 10000; i++)
		text_part(&b, "n", "v");
	is_int(mpbuf(a, &b, NULL, &f, &u), CAMP_ETOOBIG, "mp: 10k small parts refused");
	for (int i = 0; i < 10000; i++)
		buf_puts(&b, "--XyZ\r\nContent-Disposition: form-data; name=f; filename=\"\"\r\n\r\n\r\n");
	is_int(mpbuf(a, &b, NULL, &f, &u), CAMP_ETOOBIG, "mp: 10k empty file parts refused too");
	arena_reset(a);

	char *name = repeat(a, "n", 256, "");
	text_part(&b, name, "v");
	is_int(mpbuf(a, &b, NULL, &f, &u), CAMP_OK, "mp: 256-byte name accepted");
	text_part(&b, repeat(a, "n", 257, ""), "v");
	is_int(mpbuf(a, &b, NULL, &f, &u), CAMP_ETOOBIG, "mp: 257-byte name refused");
	file_part(&b, repeat(a, "n", 257, ""), 1);
	is_int(mpbuf(a, &b, NULL, &f, &u), CAMP_ETOOBIG, "mp: 257-byte file field name refused");
	text_part(&b, "v", repeat(a, "v", 65536, ""));
	is_int(mpbuf(a, &b, NULL, &f, &u), CAMP_OK, "mp: 64 KiB value accepted");
	is_int(f.v[0].value_len, 65536, "mp: ... whole");
	text_part(&b, "v", repeat(a, "v", 65537, ""));
	is_int(mpbuf(a, &b, NULL, &f, &u), CAMP_ETOOBIG, "mp: 64 KiB + 1 value refused");
	buf_free(&b);
	arena_reset(a);
}

static void test_mp_headers(arena *a)
{
	struct kvlist f;
	struct uploads u;
	struct buf b = BUF_INIT;

	buf_puts(&b, "--XyZ\r\nContent-Disposition: form-data; name=x\r\n");
	for (int i = 0; i < 63; i++)
		buf_printf(&b, "X-H%d: v\r\n", i);
	buf_puts(&b, "\r\n1\r\n");
	is_int(mpbuf(a, &b, NULL, &f, &u), CAMP_OK, "mp: 64 headers accepted");
	buf_puts(&b, "--XyZ\r\nContent-Disposition: form-data; name=x\r\n");
	for (int i = 0; i < 64; i++)
		buf_printf(&b, "X-H%d: v\r\n", i);
	buf_puts(&b, "\r\n1\r\n");
	is_int(mpbuf(a, &b, NULL, &f, &u), CAMP_ETOOBIG, "mp: 65 headers refused");

	/* 8192 bytes of header block, counting the empty line's CRLF */
	buf_puts(&b, "--XyZ\r\nContent-Disposition: form-data; name=x\r\nX-Pad: ");
	size_t block = strlen("Content-Disposition: form-data; name=x\r\nX-Pad: ");
	for (size_t i = block; i < 8192 - 4; i++)
		buf_putc(&b, 'p');
	buf_puts(&b, "\r\n\r\n1\r\n");
	is_int(mpbuf(a, &b, NULL, &f, &u), CAMP_OK, "mp: 8 KiB header block accepted");
	buf_puts(&b, "--XyZ\r\nContent-Disposition: form-data; name=x\r\nX-Pad: ");
	for (size_t i = block; i < 8192 - 3; i++)
		buf_putc(&b, 'p');
	buf_puts(&b, "\r\n\r\n1\r\n");
	is_int(mpbuf(a, &b, NULL, &f, &u), CAMP_ETOOBIG, "mp: 8 KiB + 1 header block refused");
	buf_puts(&b, "--XyZ\r\nX-Pad: ");
	for (int i = 0; i < 100000; i++)
		buf_putc(&b, 'p');
	is_int(mpbuf(a, &b, NULL, &f, &u), CAMP_ETOOBIG, "mp: endless header line refused");
	buf_free(&b);
	arena_reset(a);
}

/* ---------------------------------------------------------------- JSON */

static int js(arena *a, const char *s, struct json_object **o)
{
	size_t n = strlen(s);
	char *c = exact(s, n);
	int rc = parse_json_object(a, c, n, o);
	free(c);
	return rc;
}

static char *nest(arena *a, int depth, char open, char close)
{
	char *s = arena_alloc(a, (size_t)depth * 8 + 16);
	size_t n = 0;

	s[n++] = '{';
	memcpy(s + n, "\"a\":", 4);
	n += 4;
	for (int i = 1; i < depth; i++) {
		s[n++] = open;
		if (open == '{') {
			memcpy(s + n, "\"a\":", 4);
			n += 4;
		}
	}
	s[n++] = '1';
	for (int i = 1; i < depth; i++)
		s[n++] = close;
	s[n++] = '}';
	s[n] = '\0';
	return s;
}

static void test_json(arena *a)
{
	struct json_object *o, *v;
	static const char *const bad[] = {
		"", " ", "{", "{\"a\":", "{\"a\":1", "{\"a\":1,}", "{} x", "{}{}", "{}}", "[1]", "[]", "1",
		"\"s\"", "null", "true", "{'a':1}", "{a:1}", "{\"a\":NaN}", "{\"a\":Infinity}",
		"{\"a\":-Infinity}", "{\"a\":nan}", "{\"a\":1.}", "{\"a\":.5}", "{\"a\":01}", "{\"a\":+1}",
		"{\"a\":TRUE}", "{\"a\":truex}", "/*c*/{}", "{\"a\":1}//", "{\"a\":\"\\u0000\"}",
		"{\"\\u0000k\":1}", "{\"a\":\"\\ud800\"}", "{\"a\":\"\\udc00\"}", "{\"a\":\"\\ud800\\u0041\"}",
		"{\"a\":\"\\x41\"}", "{\"a\":\"\\u12\"}", "{\"a\":\"\x01\"}", "{\"a\":\"tab\there\"}",
		"{\"a\":\"\xC0\x80\"}", "{\"a\":\"\xED\xA0\x80\"}", "{\"a\":\"\x80\"}", "{\"\xFF\":1}",
		"\xEF\xBB\xBF{}", "{\"a\":\"x}", "{\"a\":\"\\\"}",
	};

	is_int(js(a, "{\"a\":1,\"b\":\"x\\u00e9\\ud83d\\ude00\",\"c\":[true,false,null,-0.5e+3]}", &o),
	    CAMP_OK, "json: an object");
	ok(json_object_object_get_ex(o, "b", &v) &&
	    strcmp(json_object_get_string(v), "x\xC3\xA9\xF0\x9F\x98\x80") == 0, "json: escapes decoded");
	is_int(js(a, " \r\n\t{}\n ", &o), CAMP_OK, "json: surrounding whitespace");
	ok(o != NULL && json_object_object_length(o) == 0, "json: empty object");
	for (size_t i = 0; i < CAMP_ARRAY_LEN(bad); i++) {
		o = (struct json_object *)1;
		int rc = js(a, bad[i], &o);
		ok(rc == CAMP_EINVAL && o == NULL, "json: refuses '%s' (rc %d)", bad[i], rc);
	}
	is_int(parse_json_object(a, "{}\0", 3, &o), CAMP_EINVAL, "json: trailing NUL refused");
	is_int(parse_json_object(a, "{\"a\":\"b\0c\"}", 11, &o), CAMP_EINVAL, "json: NUL in a string refused");
	is_int(parse_json_object(a, NULL, 0, &o), CAMP_EINVAL, "json: NULL refused");
	is_int(js(a, nest(a, 20, '{', '}'), &o), CAMP_OK, "json: 20 nested objects accepted");
	is_int(js(a, nest(a, 21, '{', '}'), &o), CAMP_EINVAL, "json: 21 nested objects refused");
	is_int(js(a, nest(a, 20, '[', ']'), &o), CAMP_OK, "json: depth 20 with arrays accepted");
	is_int(js(a, nest(a, 21, '[', ']'), &o), CAMP_EINVAL, "json: depth 21 with arrays refused");
	is_int(js(a, nest(a, 100000, '[', ']'), &o), CAMP_EINVAL, "json: depth 100000 refused");

	size_t big = 1024 * 1024;
	char *s = arena_alloc(a, big + 2);
	memset(s, ' ', big + 1);
	s[0] = '{';
	s[big - 1] = '}';
	is_int(parse_json_object(a, s, big, &o), CAMP_OK, "json: 1 MiB accepted");
	s[big] = '}';
	s[big - 1] = ' ';
	is_int(parse_json_object(a, s, big + 1, &o), CAMP_ETOOBIG, "json: 1 MiB + 1 refused");
	arena_reset(a);   /* json_object_put runs here; ASan reports a leak otherwise */
}

/* ------------------------------------------------------------ integers */

static void test_i64(void)
{
	long long v = 77;

	static const char *const bad[] = {
		"", "-", "+1", " 1", "1 ", "1x", "x1", "0x10", "--1", "-+1", "1e3", "1.0",
		"9223372036854775808", "99999999999999999999999", "-9223372036854775809",
		"18446744073709551616", "\xD9\xA1",
	};
	for (size_t i = 0; i < CAMP_ARRAY_LEN(bad); i++)
		is_int(parse_i64(bad[i], LLONG_MIN, LLONG_MAX, &v), CAMP_EINVAL, "i64: refuses '%s'", bad[i]);
	is_int(v, 77, "i64: out untouched on error");
	is_int(parse_i64(NULL, 0, 10, &v), CAMP_EINVAL, "i64: NULL refused");
	is_int(parse_i64("01", 0, 10, &v), CAMP_OK, "i64: leading zero accepted");
	is_int(v, 1, "i64: '01' is 1");
	is_int(parse_i64("0000000000000000000000042", 0, 100, &v), CAMP_OK, "i64: many leading zeros");
	is_int(v, 42, "i64: ... value 42");
	is_int(parse_i64("0", 0, 0, &v), CAMP_OK, "i64: zero");
	is_int(parse_i64("-1", 0, 10, &v), CAMP_EINVAL, "i64: '-' not allowed when min >= 0");
	is_int(parse_i64("-0", 0, 10, &v), CAMP_EINVAL, "i64: not even '-0'");
	is_int(parse_i64("-0", -1, 10, &v), CAMP_OK, "i64: '-0' when negatives allowed");
	is_int(v, 0, "i64: ... is 0");
	is_int(parse_i64("-5", -10, 10, &v), CAMP_OK, "i64: negative in range");
	is_int(v, -5, "i64: ... value -5");
	is_int(parse_i64("-11", -10, 10, &v), CAMP_EINVAL, "i64: below min refused");
	is_int(parse_i64("11", -10, 10, &v), CAMP_EINVAL, "i64: above max refused");
	is_int(parse_i64("10", -10, 10, &v), CAMP_OK, "i64: max itself accepted");
	is_int(parse_i64("9223372036854775807", LLONG_MIN, LLONG_MAX, &v), CAMP_OK, "i64: LLONG_MAX");
	is_int(v, LLONG_MAX, "i64: ... value");
	is_int(parse_i64("-9223372036854775808", LLONG_MIN, LLONG_MAX, &v), CAMP_OK, "i64: LLONG_MIN");
	ok(v == LLONG_MIN, "i64: ... value");
	is_int(parse_i64("5", 10, 0, &v), CAMP_EINVAL, "i64: min > max refused");
}

int main(void)
{
	arena *a = arena_new();

	test_utf8();
	test_url_basic(a);
	test_url_repeated(a);
	test_url_bad(a);
	test_url_sizes(a);
	test_url_fields(a);
	arena_reset(a);
	test_cookies(a);
	test_cookie_limits(a);
	arena_reset(a);
	test_mp_good(a);
	test_mp_empty_files(a);
	test_mp_content_type(a);
	test_mp_bad_bodies(a);
	arena_reset(a);
	test_mp_truncated(a);
	test_mp_limits(a);
	test_mp_headers(a);
	test_json(a);
	test_i64();
	arena_free(a);
	return done_testing();
}
