/* t_log.c: a log line is one line of valid UTF-8, however long or hostile the message. */
#include "tap.h"
#include "log.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Runs fn with stderr redirected to a temporary file; returns what it wrote. */
static char *captured(void (*fn)(void))
{
	static char out[8192];
	FILE *tmp = tmpfile();
	int saved = dup(2);
	fflush(stderr);
	dup2(fileno(tmp), 2);
	fn();
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	size_t n = fread(out, 1, sizeof(out) - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
	return out;
}

static void long_chinese(void)
{
	char *s = malloc(3 * 1000 + 1);
	for (int i = 0; i < 1000; i++)
		memcpy(s + 3 * i, "中", 3);      /* 3000 bytes: over the 2 KB line */
	s[3000] = '\0';
	log_info("同步失败：%s", s);
	free(s);
}

static void offset_by_one(void)
{
	char *s = malloc(2100);
	memset(s, 'a', 1);
	for (int i = 0; i < 699; i++)
		memcpy(s + 1 + 3 * i, "文", 3);
	s[1 + 3 * 699] = '\0';
	log_warn("%s", s);
	free(s);
}

static void forged_newline(void)
{
	log_err("bad input: %s", "x\nfake line\r\x7f");
}

int main(void)
{
	log_init("t_log");
	const char *out = captured(long_chinese);
	size_t len = strlen(out);
	ok(utf8_valid(out, len), "a long Chinese message stays valid UTF-8");
	ok(len > 0 && out[len - 1] == '\n' && strchr(out, '\n') == out + len - 1, "and is one line");
	ok(strstr(out, "…\n") != NULL, "and says it was cut");
	out = captured(offset_by_one);
	ok(utf8_valid(out, strlen(out)), "whatever byte the cut falls on");
	out = captured(forged_newline);
	ok(strstr(out, "x\\x0afake line\\x0d\\x7f") != NULL && strchr(out, '\n') == out + strlen(out) - 1,
	   "control characters are escaped: no forged second line");
	return done_testing();
}
