/* t_tpl.c: the template shim and the real templates: escaping, layouts, sections, memory, errors. */
#define _POSIX_C_SOURCE 200809L

#include "tap.h"
#include "tpl.h"
#include "camp.h"

#include <limits.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define EVIL "<script>alert(1)</script>\"'&"
#define EVIL_ESCAPED "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;"

static char tmpdir[] = "/tmp/t_tpl.XXXXXX";
static int have_tmpdir, have_tidy;

static int count(const char *hay, const char *needle)
{
	int n = 0;
	size_t len = strlen(needle);
	if (hay == NULL)
		return -1;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + len, needle))
		n++;
	return n;
}

static int has(const char *hay, const char *needle)
{
	return hay != NULL && strstr(hay, needle) != NULL;
}

/* Writes a page to the temp dir and runs tidy over it: 0 = no errors. */
static int tidy_errors(const char *name, const char *html)
{
	char path[PATH_MAX], cmd[PATH_MAX + 64];
	snprintf(path, sizeof path, "%s/%s.html", tmpdir, name);
	FILE *f = fopen(path, "w");
	if (f == NULL)
		return -1;
	fputs(html, f);
	fclose(f);
	snprintf(cmd, sizeof cmd, "tidy -errors -q '%s' >&2", path);
	int st = system(cmd);
	if (st == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st) >= 2;   /* 1 = warnings only, 2 = errors */
}

static void check_html(const char *name, const char *html)
{
	if (!have_tidy || !have_tmpdir || html == NULL) {
		ok(1, "# SKIP tidy unavailable for %s", name);
		return;
	}
	is_int(tidy_errors(name, html), 0, "%s validates with tidy", name);
}

static void add_camp(tpl_dict *d, int id, const char *name, const char *status,
                     const char *status_label, int seats)
{
	tpl_dict *c = tpl_add_section(d, "CAMP");
	tpl_set_int(c, "ID", id);
	tpl_set(c, "POSTER_URL", "/static/img/poster-default.svg");
	tpl_set(c, "NAME", name);
	tpl_set(c, "STATUS_CLASS", status);
	tpl_set(c, "STATUS_LABEL", status_label);
	tpl_set(c, "DEPOSIT", "99.00");
	tpl_set(c, "START_DATE", "2025-03-01");
	tpl_set(c, "END_DATE", "2025-03-21");
	tpl_set(c, "RULE", "21天15打卡");
	tpl_set_int(c, "MEMBER_COUNT", 128);
	if (seats >= 0)
		tpl_set_int(tpl_add_section(c, "SEATS_LEFT"), "N", seats);
	tpl_show(c, strcmp(status, "open") == 0 ? "ENROLL_OPEN" : "ENROLL_CLOSED");
}

/* The member camp list inside the H5 layout, with three camps. */
static tpl_dict *h5_list_dict(const char *evil)
{
	tpl_dict *d = tpl_dict_new();
	tpl_set(d, "TITLE", "训练营");
	tpl_dict *f = tpl_add_section(d, "FLASH");
	tpl_set(f, "KIND", "success");
	tpl_set(f, "TEXT", evil);
	tpl_dict *body = tpl_include(d, "BODY", "h5/index.tpl");
	tpl_show(body, "MINE_LINK");
	add_camp(body, 1, "21天早起打卡训练营（第3期）", "open", "报名中", 12);
	add_camp(body, 2, evil, "running", "进行中", -1);
	add_camp(body, 3, "30天英语晨读营", "open", "报名中", -1);
	return d;
}

static char *render(const char *file, tpl_dict *d)
{
	size_t len = 0;
	char *s = tpl_render(file, d, &len);
	if (s != NULL && strlen(s) != len) {
		free(s);
		return NULL;
	}
	return s;
}

static void test_h5_list(void)
{
	tpl_dict *d = h5_list_dict(EVIL);
	char *s = render("layout_h5.tpl", d);
	ok(s != NULL, "h5 list renders");
	ok(has(s, "<title>训练营 - 训练营押金</title>"), "title from the layout");
	ok(has(s, "class=\"camp-list\""), "layout includes the body");
	is_int(count(s, "<li class=\"camp-card\">"), 3, "CAMP repeats 3 times");
	ok(!has(s, "<script>alert"), "no raw script anywhere");
	ok(!has(s, "\"'&"), "raw quote characters do not survive");
	ok(has(s, "<h2 class=\"camp-card__name\">" EVIL_ESCAPED "</h2>"),
	   "text context escaped");
	ok(has(s, "alt=\"" EVIL_ESCAPED " 海报\""), "attribute context escaped");
	ok(has(s, "role=\"status\">" EVIL_ESCAPED "</div>"), "flash text escaped");
	ok(has(s, "href=\"/h5/camps/2\""), "card links to the camp");
	ok(has(s, "¥99.00"), "deposit with ¥");
	is_int(count(s, "剩余名额 12"), 1, "SEATS_LEFT shown only where added");
	is_int(count(s, "立即报名"), 2, "CTA per open camp");
	ok(has(s, "href=\"/h5/mine\""), "MINE_LINK shown");
	ok(!has(s, "暂时没有可报名的训练营"), "EMPTY hidden");
	ok(has(s, "width=\"640\" height=\"360\" loading=\"lazy\""), "poster sized and lazy");
	ok(!has(s, "<script"), "no script tag without SCRIPT");
	ok(!has(s, "style="), "no inline style");
	check_html("h5_list", s);
	free(s);
	tpl_dict_free(d);

	d = tpl_dict_new();
	tpl_set(d, "TITLE", "训练营");
	tpl_set(tpl_add_section(d, "SCRIPT"), "SRC", "/static/js/list.js");
	tpl_show(tpl_include(d, "BODY", "h5/index.tpl"), "EMPTY");
	s = render("layout_h5.tpl", d);
	ok(has(s, "暂时没有可报名的训练营"), "EMPTY shown");
	ok(!has(s, "/h5/mine"), "MINE_LINK hidden by default");
	ok(has(s, "<script src=\"/static/js/list.js\" defer></script>"), "SCRIPT adds a script");
	ok(!has(s, "class=\"flash"), "no flash without FLASH");
	free(s);
	tpl_dict_free(d);
}

static void test_url_attribute(void)
{
	tpl_dict *d = tpl_dict_new();
	tpl_dict *c = tpl_add_section(tpl_include(d, "BODY", "h5/index.tpl"), "CAMP");
	tpl_set(c, "POSTER_URL", "javascript:alert(1)");
	tpl_set(c, "ID", "1\" onclick=\"x");
	char *s = render("layout_h5.tpl", d);
	ok(s != NULL && !has(s, "javascript:"), "unsafe URL scheme neutralised");
	ok(!has(s, "\" onclick"), "attribute breakout escaped");
	free(s);
	tpl_dict_free(d);
}

static void test_admin_layout(void)
{
	tpl_dict *d = tpl_dict_new();
	tpl_set(d, "TITLE", "工作台");
	tpl_show(d, "CHROME");
	tpl_set(d, "USER_NAME", EVIL);
	tpl_set(d, "ROLE_LABEL", "教练");
	tpl_set(d, "CSRF", EVIL);
	tpl_show(d, "NAV_DASHBOARD");
	tpl_set(d, "NAV_DASHBOARD_ACTIVE", "page");
	tpl_show(d, "NAV_MEMBERS");
	tpl_show(d, "NAV_CHECKINS");
	tpl_show(d, "NAV_REFUNDS_PENDING");
	tpl_show(d, "NAV_REFUNDS");
	tpl_dict *f = tpl_add_section(d, "FLASH");
	tpl_set(f, "KIND", "success");
	tpl_set(f, "TEXT", "已保存");
	/* The include sees only its own dictionary: the welcome line needs the
	 * name again. */
	tpl_dict *body = tpl_include(d, "BODY", "admin/dashboard.tpl");
	tpl_set(body, "USER_NAME", "王教练");
	tpl_set(tpl_add_section(body, "TODAY"), "DATE", "2025年3月18日");
	tpl_set_int(tpl_add_section(body, "REFUNDS_TO_AUDIT"), "COUNT", 12);
	tpl_dict *ending = tpl_add_section(body, "CAMPS_ENDING");
	tpl_set_int(ending, "COUNT", 2);
	for (int i = 0; i < 2; i++) {
		tpl_dict *c = tpl_add_section(ending, "CAMP");
		tpl_set_int(c, "ID", 40 + i);
		tpl_set(c, "NAME", i ? "30天英语晨读营" : EVIL);
		tpl_set(c, "END_DATE", "2025-03-20");
	}
	tpl_dict *sync = tpl_add_section(body, "LAST_SYNC");
	tpl_set(sync, "RESULT_CLASS", "danger");
	tpl_set(sync, "RESULT_LABEL", "同步失败");
	tpl_set(sync, "TIME", "2025-03-18 01:00");
	tpl_show(sync, "TOKEN_EXPIRED");

	char *s = render("layout_admin.tpl", d);
	ok(s != NULL, "admin dashboard renders");
	ok(has(s, "<h1 class=\"page-head__title\">工作台</h1>"), "layout includes the body");
	ok(has(s, "王教练，你好"), "welcome line from the body dictionary");
	ok(has(s, "href=\"/admin/members\""), "shown nav item present");
	ok(has(s, "href=\"/admin/refunds/pending\""), "shown nav item present (refunds)");
	ok(!has(s, "href=\"/admin/camps\""), "hidden nav item absent (camps)");
	ok(!has(s, "href=\"/admin/users\""), "hidden nav item absent (users)");
	ok(!has(s, "系统管理"), "hidden nav heading absent");
	ok(!has(s, "/admin/payments/exceptions"), "hidden nav item absent (payments)");
	is_int(count(s, "aria-current=\"page\""), 1, "one active item");
	ok(has(s, "href=\"/admin/\" aria-current=\"page\""), "the active one is the dashboard");
	ok(has(s, "name=\"_csrf\" value=\"" EVIL_ESCAPED "\""), "CSRF escaped in attribute");
	ok(has(s, "admin-user__name\">" EVIL_ESCAPED "<"), "user name escaped in text");
	ok(has(s, "action=\"/admin/logout\""), "logout form in the chrome");
	ok(has(s, "<div class=\"alert alert-success\" role=\"status\">已保存</div>"), "flash shown");
	ok(has(s, "<p class=\"todo-card__count\">12</p>"), "REFUNDS_TO_AUDIT count");
	is_int(count(s, "href=\"/admin/camps/4"), 2, "CAMPS_ENDING lists its camps");
	ok(!has(s, "<script>alert"), "no raw script in admin page");
	ok(!has(s, "待人工绑定"), "MANUAL_BINDS hidden");
	ok(!has(s, "退款失败"), "FAILED_REFUNDS hidden");
	ok(has(s, "Token 已失效"), "TOKEN_EXPIRED shown");
	ok(!has(s, "style="), "no inline style");
	check_html("admin_dashboard", s);
	free(s);
	tpl_dict_free(d);
}

static void test_login(void)
{
	tpl_dict *d = tpl_dict_new();
	tpl_set(d, "TITLE", "登录");
	tpl_dict *body = tpl_include(d, "BODY", "admin/login.tpl");
	tpl_set(body, "CSRF", "tok123");
	tpl_set(body, "USERNAME", EVIL);
	tpl_set(tpl_add_section(body, "ERROR"), "MESSAGE", "用户名或密码错误");
	char *s = render("layout_admin.tpl", d);
	ok(s != NULL, "login renders");
	ok(!has(s, "admin-sidebar") && !has(s, "/admin/logout"), "bare layout: no chrome");
	ok(has(s, "name=\"_csrf\" value=\"tok123\""), "csrf field");
	ok(has(s, "<label class=\"form-label\" for=\"username\">"), "label for username");
	ok(has(s, "<label class=\"form-label\" for=\"password\">"), "label for password");
	ok(has(s, "value=\"" EVIL_ESCAPED "\""), "username refilled, escaped");
	ok(has(s, "用户名或密码错误"), "ERROR shown");
	ok(strstr(s ? s : "", "用户名或密码错误") < strstr(s ? s : "", "<form"),
	   "error above the form");
	check_html("admin_login", s);
	free(s);
	tpl_dict_free(d);

	d = tpl_dict_new();
	tpl_include(d, "BODY", "admin/login.tpl");
	s = render("layout_admin.tpl", d);
	ok(s != NULL && !has(s, "alert-danger"), "ERROR hidden by default");
	ok(has(s, "<title> - 训练营押金管理后台</title>"), "unset values render empty");
	free(s);
	tpl_dict_free(d);
}

static void test_error_pages(void)
{
	char *s = render("unavailable.tpl", NULL);
	ok(s != NULL && has(s, "系统维护中") && has(s, "请稍后再试"), "503 page renders");
	ok(has(s, "<!DOCTYPE html>") && has(s, "</html>"), "503 page is standalone");
	check_html("unavailable", s);
	free(s);

	tpl_dict *d = tpl_dict_new();
	tpl_set(d, "TITLE", "页面不存在");
	tpl_dict *b = tpl_include(d, "BODY", "error.tpl");
	tpl_set_int(b, "STATUS", 404);
	tpl_set(b, "MESSAGE", "页面不存在");
	tpl_set(tpl_add_section(b, "REQUEST_ID"), "ID", "req-1");
	s = render("layout_admin.tpl", d);
	ok(has(s, ">404<") && has(s, "页面不存在") && has(s, "href=\"/admin/\""),
	   "admin error page");
	ok(has(s, "req-1"), "request id shown");
	free(s);
	tpl_dict_free(d);

	d = tpl_dict_new();
	tpl_set(d, "TITLE", "出错了");
	b = tpl_include(d, "BODY", "h5/error.tpl");
	tpl_set_int(b, "STATUS", 500);
	tpl_set(b, "MESSAGE", "系统繁忙，请稍后再试");
	s = render("layout_h5.tpl", d);
	ok(has(s, ">500<") && has(s, "href=\"/h5/\""), "h5 error page");
	check_html("h5_error", s);
	free(s);
	tpl_dict_free(d);
}

static void test_values(void)
{
	tpl_dict *d = tpl_dict_new();
	tpl_dict *b = tpl_include(d, "BODY", "error.tpl");
	tpl_set_int(b, "STATUS", LLONG_MIN);
	tpl_set(b, "MESSAGE", NULL);
	char *s = render("layout_admin.tpl", d);
	ok(has(s, "-9223372036854775808"), "tpl_set_int full range");
	ok(has(s, "<h1 class=\"h3\"></h1>"), "NULL value renders empty");
	free(s);
	tpl_dict_free(d);
	tpl_dict_free(NULL);
	tpl_set(NULL, "X", "y");
	tpl_show(NULL, "X");
	ok(tpl_add_section(NULL, "X") == NULL, "NULL dictionary tolerated");
}

/* issue #15: {{DESCRIPTION:x-markdown}} renders staff Markdown once, safely; other values
 * on the same page are escaped as always. */
static void test_markdown(void)
{
	tpl_dict *d = tpl_dict_new();
	tpl_dict *b = tpl_include(d, "BODY", "h5/camp.tpl");
	tpl_set(b, "NAME", EVIL);
	tpl_set(b, "DESCRIPTION", "**加粗** <script>alert(1)</script> & \"q\"\n\n"
	                          "<img src=x onerror=alert(2)>\n\n[x](javascript:alert(3)) [y](https://a.example/?b=1&c=2)\n\n"
	                          "- 一\n- 二\n\n{{NAME}}");
	char *s = render("layout_h5.tpl", d);
	ok(has(s, "<strong>加粗</strong>"), "Markdown becomes HTML");
	ok(has(s, "<li>一</li>") && has(s, "<li>二</li>"), "lists");
	ok(has(s, "&amp; &quot;q&quot;"), "text escaped once");
	ok(!has(s, "<script>alert(1)") && !has(s, "onerror") && !has(s, "javascript:"),
	   "raw HTML and unsafe links dropped");
	ok(has(s, "<a href=\"https://a.example/?b=1&amp;c=2\">y</a>"), "a safe link kept");
	ok(!has(s, "&lt;strong&gt;") && !has(s, "&amp;amp;"), "nothing escaped twice");
	ok(has(s, "{{NAME}}"), "the rendered text is not a template");
	ok(has(s, EVIL_ESCAPED), "other values stay escaped");
	check_html("markdown", s);
	free(s);
	tpl_dict_free(d);
}

static void test_errors(const char *root)
{
	size_t len = 123;
	ok(tpl_render("no/such.tpl", NULL, &len) == NULL, "missing template → NULL");
	tpl_dict *d = tpl_dict_new();
	tpl_include(d, "BODY", "no/such-body.tpl");
	ok(tpl_render("layout_h5.tpl", d, NULL) == NULL, "missing include → NULL");
	tpl_dict_free(d);
	ok(tpl_render(NULL, NULL, NULL) == NULL, "NULL file → NULL");

	if (have_tmpdir) {
		char path[PATH_MAX];
		snprintf(path, sizeof path, "%s/bad.tpl", tmpdir);
		FILE *f = fopen(path, "w");
		if (f) {
			fputs("{{%AUTOESCAPE context=\"HTML\"}}\n{{#OPEN}}never closed\n", f);
			fclose(f);
		}
		ok(tpl_render(path, NULL, NULL) == NULL, "malformed template → NULL");
		unlink(path);
	}
	is_int(tpl_init("/nonexistent/templates"), CAMP_ERR, "init rejects a missing dir");
	is_int(tpl_init(root), CAMP_OK, "init again with the real dir");
	tpl_reload_if_changed();
	char *s = tpl_render("unavailable.tpl", NULL, NULL);
	ok(s != NULL, "renders after reload");
	free(s);
}

static size_t heap_used(void)
{
	struct mallinfo2 mi = mallinfo2();
	return mi.uordblks;
}

static void test_memory(void)
{
	/* Warm up: parses and caches the templates, sizes internal buffers. */
	for (int i = 0; i < 50; i++) {
		tpl_dict *d = h5_list_dict(EVIL);
		free(tpl_render("layout_h5.tpl", d, NULL));
		tpl_dict_free(d);
	}
	size_t before = heap_used();
	tpl_dict *d = h5_list_dict(EVIL);
	int fails = 0;
	for (int i = 0; i < 10000; i++) {
		char *s = tpl_render("layout_h5.tpl", d, NULL);
		if (s == NULL && ++fails > 3)
			break;
		free(s);
	}
	tpl_dict_free(d);
	size_t mid = heap_used();
	for (int i = 0; i < 10000 && fails == 0; i++) {
		d = h5_list_dict(EVIL);
		free(tpl_render("layout_h5.tpl", d, NULL));
		tpl_dict_free(d);
	}
	size_t after = heap_used();
	is_int(fails, 0, "10,000 renders all succeed");
	long long grow1 = (long long)mid - (long long)before;
	long long grow2 = (long long)after - (long long)mid;
	ok(grow1 < 16384, "10,000 renders do not grow the heap (%lld bytes)", grow1);
	ok(grow2 < 16384, "10,000 dict+render+free cycles do not grow the heap (%lld bytes)",
	   grow2);
}

/* Every template opens with a one-line {{! }} comment, then the AUTOESCAPE pragma. */
static void test_headers(const char *root)
{
	static const char *const files[] = {
		"layout_h5.tpl", "layout_admin.tpl", "error.tpl", "unavailable.tpl",
		"h5/index.tpl", "h5/error.tpl", "admin/login.tpl", "admin/dashboard.tpl",
	};
	for (size_t i = 0; i < CAMP_ARRAY_LEN(files); i++) {
		char path[PATH_MAX], l1[512] = "", l2[512] = "";
		snprintf(path, sizeof path, "%s/%s", root, files[i]);
		FILE *f = fopen(path, "r");
		if (f) {
			if (!fgets(l1, sizeof l1, f) || !fgets(l2, sizeof l2, f))
				l1[0] = '\0';
			fclose(f);
		}
		/* "}}" only at the end: an earlier one would end the comment
		 * and put text before the pragma. */
		char *close = strstr(l1, "}}");
		ok(strncmp(l1, "{{! ", 4) == 0 && close && strcmp(close, "}}\n") == 0 &&
		   strcmp(l2, "{{%AUTOESCAPE context=\"HTML\"}}\n") == 0,
		   "%s: comment line, then the HTML AUTOESCAPE pragma", files[i]);
	}
}

int main(int argc, char **argv)
{
	const char *root = argc > 1 ? argv[1] : getenv("CAMP_TEMPLATE_DIR");
	if (root == NULL || *root == '\0')
		root = "templates";
	have_tmpdir = mkdtemp(tmpdir) != NULL;
	have_tidy = system("command -v tidy >/dev/null 2>&1") == 0;

	if (!ok(tpl_init(root) == CAMP_OK, "tpl_init(%s)", root))
		return done_testing();
	test_headers(root);
	test_h5_list();
	test_url_attribute();
	test_admin_layout();
	test_login();
	test_error_pages();
	test_values();
	test_markdown();
	test_errors(root);
	test_memory();

	if (have_tmpdir) {
		if (getenv("CAMP_TPL_KEEP")) {
			printf("# renders kept in %s\n", tmpdir);
		} else {
			char cmd[PATH_MAX + 16];
			snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
			if (system(cmd) != 0)
				printf("# could not remove %s\n", tmpdir);
		}
	}
	return done_testing();
}
