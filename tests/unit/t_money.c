/* t_money.c: yuan text <-> fen. */
#include "tap.h"
#include "camp.h"
#include "money.h"

#include <stdint.h>

static void accepts(const char *s, int64_t want)
{
	int64_t fen = -1;
	int rc = money_parse(s, &fen);
	ok(rc == CAMP_OK && fen == want, "\"%s\" is %lld fen", s, (long long)want);
}

static void refuses(const char *s)
{
	int64_t fen = 12345;
	ok(money_parse(s, &fen) == CAMP_EINVAL && fen == 12345, "\"%s\" refused", s);
}

int main(void)
{
	accepts("99", 9900);
	accepts("99.9", 9990);
	accepts("99.00", 9900);
	accepts("0.01", 1);
	accepts("0", 0);
	accepts("99999999.99", 9999999999LL);
	refuses("9.999");
	refuses("-1");
	refuses("1e3");
	refuses("");
	refuses(" 99");
	refuses("99 ");
	refuses("99.");
	refuses(".5");
	refuses("+5");
	refuses("1,000");
	refuses("100000000");
	refuses("0x10");
	refuses("９９");
	ok(money_parse(NULL, NULL) == CAMP_EINVAL, "NULL refused");

	char buf[32];
	is_str(money_format(9900, buf, sizeof(buf)), "99.00", "format 9900");
	is_str(money_format(1, buf, sizeof(buf)), "0.01", "format 1");
	is_str(money_format(0, buf, sizeof(buf)), "0.00", "format 0");
	is_str(money_format(-250, buf, sizeof(buf)), "-2.50", "format negative");
	is_str(money_format_grouped(118800, buf, sizeof(buf)), "1,188.00", "grouped");
	is_str(money_format_grouped(123456789012LL, buf, sizeof(buf)), "1,234,567,890.12", "grouped big");
	is_str(money_format_grouped(99, buf, sizeof(buf)), "0.99", "grouped small");
	return done_testing();
}
