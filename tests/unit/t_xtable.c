/* t_xtable.c: the one export shape (issue #15): CSV bytes exactly, an XLSX workbook that holds the cells. */
#define _POSIX_C_SOURCE 200809L

#include "tap.h"
#include "camp.h"
#include "xtable.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct xcol cols[] = {
	{ "名称", XC_TEXT, 0 }, { "人数", XC_INT, 0 }, { "金额", XC_MONEY, 0 },
};

static struct xtable *sample(arena *a)
{
	struct xtable *t = xtable_new(a, "测试", cols, 3);
	xtable_text(t, "=SUM(A1:A2)");
	xtable_int(t, 12);
	xtable_money(t, 9900);
	xtable_text(t, "引号\"和,逗号");
	xtable_text(t, "—");          /* a text cell in a numeric column */
	xtable_money(t, 118800);
	xtable_text(t, NULL);
	xtable_int(t, -3);
	xtable_money(t, 0);
	return t;
}

/* The sheet's XML through the system's unzip, or NULL when it is not there. */
static char *sheet_xml(const char *bytes, size_t len, const char *part)
{
	char path[] = "/tmp/t_xtable.XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0 || write(fd, bytes, len) != (ssize_t)len) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	close(fd);
	char cmd[256];
	snprintf(cmd, sizeof cmd, "unzip -p '%s' %s 2>/dev/null", path, part);
	FILE *p = popen(cmd, "r");
	char *out = NULL;
	size_t cap = 0, n = 0;
	if (p != NULL) {
		char buf[4096];
		size_t k;
		while ((k = fread(buf, 1, sizeof buf, p)) > 0) {
			out = realloc(out, cap = n + k + 1);
			memcpy(out + n, buf, k);
			n += k;
			out[n] = '\0';
		}
		pclose(p);
	}
	unlink(path);
	return out;
}

int main(void)
{
	arena *a = arena_new();
	struct xtable *t = sample(a);
	is_int(xtable_rows(t), 3, "three complete rows");

	char *csv;
	size_t len;
	ok(xtable_csv(t, &csv, &len) == CAMP_OK, "CSV written");
	is_str(csv, "\xEF\xBB\xBF\"名称\",\"人数\",\"金额\"\r\n"
	            "\"'=SUM(A1:A2)\",\"12\",\"99.00\"\r\n"
	            "\"引号\"\"和,逗号\",\"—\",\"1188.00\"\r\n"
	            "\"\",\"'-3\",\"0.00\"\r\n", "BOM, quoting, formula guard, money in yuan");
	is_int(len, strlen(csv), "length");
	free(csv);

	char *x;
	ok(xtable_xlsx(t, &x, &len) == CAMP_OK, "XLSX written");
	ok(len > 100 && memcmp(x, "PK\x03\x04", 4) == 0, "a zip file");
	char *sheet = sheet_xml(x, len, "xl/worksheets/sheet1.xml");
	char *strings = sheet_xml(x, len, "xl/sharedStrings.xml");
	if (sheet == NULL || strings == NULL) {
		ok(1, "# SKIP unzip unavailable");
	} else {
		ok(strstr(sheet, "<f>") == NULL, "no formula anywhere");
		ok(strstr(sheet, "<c r=\"B2\"><v>12</v></c>") != NULL, "a count is a number");
		ok(strstr(sheet, "<c r=\"C2\" s=\"2\"><v>99</v></c>") != NULL, "money is a number in yuan, formatted");
		ok(strstr(sheet, "<c r=\"C3\" s=\"2\"><v>1188</v></c>") != NULL, "and grouped by the format");
		ok(strstr(sheet, "<c r=\"B3\" t=\"s\">") != NULL, "a text cell in a numeric column stays text");
		ok(strstr(strings, "<t>=SUM(A1:A2)</t>") != NULL, "the formula text is a plain string");
		ok(strstr(strings, "<t>引号\"和,逗号</t>") != NULL || strstr(strings, "<t>引号&quot;和,逗号</t>") != NULL,
		   "UTF-8 text kept");
		ok(strstr(sheet, "state=\"frozen\"") != NULL, "the header row stays in view");
	}
	free(sheet);
	free(strings);
	free(x);

	/* control characters cannot enter XML */
	struct xtable *c = xtable_new(a, "控制", cols, 1);
	xtable_text(c, "a\x01" "b");
	ok(xtable_xlsx(c, &x, &len) == CAMP_OK, "control characters do not break the workbook");
	strings = sheet_xml(x, len, "xl/sharedStrings.xml");
	ok(strings == NULL || strstr(strings, "<t>a b</t>") != NULL, "replaced by a space");
	free(strings);
	free(x);
	arena_free(a);
	return done_testing();
}
