/* t_notices.c: member-notice quiet hours and the group robot's packing (issue #16). */
#include "tap.h"
#include "camp.h"
#include "notices.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int mins(const char *hhmm)
{
	int m = -1;
	notice_parse_hhmm(hhmm, &m);
	return m;
}

int main(void)
{
	int m;
	/* HH:MM */
	ok(notice_parse_hhmm("22:00", &m) == CAMP_OK && m == 1320, "22:00 is minute 1320");
	ok(notice_parse_hhmm("00:00", &m) == CAMP_OK && m == 0, "00:00 is minute 0");
	ok(notice_parse_hhmm("23:59", &m) == CAMP_OK && m == 1439, "23:59 is minute 1439");
	ok(notice_parse_hhmm("24:00", &m) == CAMP_EINVAL, "24:00 refused");
	ok(notice_parse_hhmm("8:00", &m) == CAMP_EINVAL, "8:00 refused (HH:MM)");
	ok(notice_parse_hhmm("08:60", &m) == CAMP_EINVAL, "08:60 refused");
	ok(notice_parse_hhmm("0800", &m) == CAMP_EINVAL, "0800 refused");
	ok(notice_parse_hhmm(NULL, &m) == CAMP_EINVAL, "NULL refused");

	/* 22:00–08:00 wraps past midnight */
	int from = mins("22:00"), to = mins("08:00");
	ok(!notice_quiet_at(mins("21:59"), from, to), "21:59 is not quiet");
	ok(notice_quiet_at(mins("22:00"), from, to), "22:00 is quiet");
	ok(notice_quiet_at(mins("23:59"), from, to), "23:59 is quiet");
	ok(notice_quiet_at(mins("00:00"), from, to), "midnight is quiet");
	ok(notice_quiet_at(mins("07:59"), from, to), "07:59 is quiet");
	ok(!notice_quiet_at(mins("08:00"), from, to), "08:00 is not quiet");
	ok(!notice_quiet_at(mins("12:00"), from, to), "noon is not quiet");
	/* a window inside one day, and none */
	ok(notice_quiet_at(mins("13:30"), mins("13:00"), mins("14:00")), "13:30 in 13:00–14:00");
	ok(!notice_quiet_at(mins("14:00"), mins("13:00"), mins("14:00")), "14:00 not in 13:00–14:00");
	ok(!notice_quiet_at(mins("03:00"), mins("08:00"), mins("08:00")), "equal ends: never quiet");

	/* 1000 refund lines with longish nicknames pack into at most 50 messages of ≤ 4096 bytes,
	 * every line in exactly one message */
	enum { N = 1000 };
	const char *header = "【退款通知】\n恭喜以下学员完成训练营打卡，押金已退回！";
	const char **lines = calloc(N, sizeof(*lines));
	char **owned = calloc(N, sizeof(*owned));
	for (int i = 0; i < N; i++) {
		owned[i] = malloc(200);
		snprintf(owned[i], 200, "@长长的星球昵称第%04d号学员 打卡天数：15/15天，退款金额：199.00元", i);
		lines[i] = owned[i];
	}
	int msgs = 0, covered = 0, all_fit = 1, all_named = 1;
	for (int i = 0, k; i < N; i += k) {
		k = notice_robot_fit(header, lines, i, N, NOTICE_ROBOT_MAX_BYTES);
		char *text = notice_robot_text(header, lines, i, k, NOTICE_ROBOT_MAX_BYTES);
		all_fit &= strlen(text) <= NOTICE_ROBOT_MAX_BYTES && !strncmp(text, header, strlen(header));
		for (int j = i; j < i + k; j++)
			all_named &= strstr(text, lines[j]) != NULL;
		free(text);
		covered += k;
		msgs++;
	}
	ok(all_fit, "every message within 4096 bytes and opening with the header");
	ok(all_named, "every member named in its message");
	is_int(covered, N, "every line in exactly one message");
	ok(msgs <= 50, "1000 notices in %d messages (≤ 50)", msgs);
	ok(msgs >= 10, "and not crammed past the limit (%d)", msgs);

	/* an oversize line goes alone and is cut on a UTF-8 boundary */
	char *big = malloc(6000);
	big[0] = '\0';
	for (int i = 0; i < 1900; i++)
		strcat(big, "退");        /* 3 bytes each: 5700 bytes */
	const char *odd[] = { "@短", big, "@后" };
	is_int(notice_robot_fit(header, odd, 0, 3, NOTICE_ROBOT_MAX_BYTES), 1, "the short line before it goes alone");
	is_int(notice_robot_fit(header, odd, 1, 3, NOTICE_ROBOT_MAX_BYTES), 1, "the oversize line goes alone");
	char *cut = notice_robot_text(header, odd, 1, 1, NOTICE_ROBOT_MAX_BYTES);
	size_t len = strlen(cut);
	ok(len <= NOTICE_ROBOT_MAX_BYTES && len > NOTICE_ROBOT_MAX_BYTES - 3, "cut to the limit (%zu)", len);
	ok(((unsigned char)cut[len - 1] & 0xC0) == 0x80 && ((unsigned char)cut[len - 3] & 0xE0) == 0xE0,
	   "cut after a whole character");
	free(cut);
	free(big);
	is_int(notice_robot_fit(header, odd, 3, 3, NOTICE_ROBOT_MAX_BYTES), 0, "nothing left, nothing fits");

	for (int i = 0; i < N; i++)
		free(owned[i]);
	free(owned);
	free(lines);
	return done_testing();
}
