/* t_matching.c: member ↔ ZSXQ user confidence levels, normalisation and Levenshtein. */
#include "tap.h"
#include "matching.h"
#include "zsxq.h"

static const struct match_user users[] = {
	{ "88885555123456", "小明", "明哥" },
	{ "88885555000002", "Ａｌｉｃｅ🌸", "" },
	{ "88885555000003", "李雷", "lilei" },
};
#define NU (sizeof(users) / sizeof(users[0]))

static void conf(const char *id, const char *nick, const char *wx, int want, long user,
                 const char *why)
{
	struct match_member m = { id, nick, wx };
	struct match_result r;
	match_member(&m, users, NU, &r);
	ok(r.confidence == want && r.user == user, "%s: %d (user %ld), got %d (user %ld)", why,
	   want, user, r.confidence, r.user);
}

int main(void)
{
	conf("88885555123456", "小明", "x", 100, 0, "id and nickname");
	conf(" 88885555123456 ", " 小明　", "x", 100, 0, "trimmed, ideographic space");
	conf("88885555123456", "大明", "x", 66, 0, "copied id, another nickname");
	{
		struct match_member m = { "88885555123456", "大明", "x" };
		struct match_result r;
		match_member(&m, users, NU, &r);
		ok(r.flags && !strcmp(r.flags, MATCH_FLAG_NICK), "flag 昵称不符");
	}
	conf("99999999999999", "李雷", "x", 66, 2, "nickname only");
	conf("", "Alice🌸", "x", 66, 1, "fullwidth folded, emoji kept");
	conf("", "alice🌸", "x", 0, -1, "case is kept");
	conf("", "无名", "明哥", 33, 0, "wechat = alias");
	conf("", "无名", "李雷", 33, 2, "wechat = name");
	conf("", "无名", "路人", 0, -1, "nothing");
	conf("", "", "", 0, -1, "empty never matches");
	ok(match_names_equal("ＡＢＣ１２３", "ABC123"), "width folding");
	ok(!match_names_equal("", ""), "empty names are not equal");
	is_int((long long)match_levenshtein("小明", "小明"), 0, "same");
	is_int((long long)match_levenshtein("小明", "小明明"), 1, "insert over code points");
	is_int((long long)match_levenshtein("小明同学", "小红同学"), 1, "substitute a CJK char");
	is_int((long long)match_levenshtein("kitten", "sitting"), 3, "classic");
	is_int((long long)match_levenshtein("😀a", "😁a"), 1, "emoji is one code point");
	ok(zsxq_is_expired(401, 0, NULL) && zsxq_is_expired(403, 0, NULL), "401/403 expired");
	ok(zsxq_is_expired(200, 401, ""), "code 401 in a 200 body expired");
	ok(zsxq_is_expired(200, 0, "登录已失效，请重新登录"), "登录 expired");
	ok(zsxq_is_expired(200, 0, "Token invalid"), "token expired");
	ok(!zsxq_is_expired(500, 0, "内部错误") && !zsxq_is_expired(200, 0, NULL), "others not");
	ok(!zsxq_is_expired(200, 1059, "不支持非官方工具访问，请登录官方客户端"), "a code other than 401 is not expiry");
	return done_testing();
}
