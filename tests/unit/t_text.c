/* t_text.c: cutting text between characters, counting characters, trimming. */
#include "tap.h"
#include "arena.h"
#include "camp.h"
#include "text.h"

#include <string.h>

int main(void)
{
	arena *a = arena_new();
	/* "A" + three-byte characters: byte 60 falls inside a character */
	const char *s = "A长长长长长长长长长长长长长长长长长长长长长长长长";
	const char *c = text_cut(a, s, 60);
	is_int(strlen(c), 58, "cut at 60 bytes ends before the split character");
	ok(utf8_valid(c, strlen(c)), "the cut text is valid UTF-8");
	is_int(text_chars(c), 20, "'A' and 19 whole characters");
	is_str(text_cut(a, s, 59), c, "59 bytes cut at the same boundary");
	is_int(strlen(text_cut(a, s, 61)), 61, "61 bytes is a character boundary");
	is_str(text_cut(a, "短名", 127), "短名", "short text is not cut");
	is_str(text_cut(a, "长", 2), "", "no room for one character: empty");
	is_str(text_cut(a, NULL, 10), "", "NULL is empty");
	is_str(text_cut(a, "\xF0\x9F\x98\x80x", 3), "", "a four-byte character is never split");
	is_int(strlen(text_cut(a, "\xF0\x9F\x98\x80x", 4)), 4, "and kept whole when it fits");
	is_int(text_chars("训练营 A"), 5, "characters, not bytes");
	is_str(text_trim(a, "  小明 \n"), "小明", "trimmed");
	long long v = 0;
	ok(parse_i64("123", 0, 1000, &v) == CAMP_OK && v == 123, "parse_i64 reads digits");
	ok(parse_i64("12a", 0, 1000, &v) == CAMP_EINVAL, "parse_i64 refuses trailing garbage");
	arena_free(a);
	return done_testing();
}
