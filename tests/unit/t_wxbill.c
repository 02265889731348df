/* t_wxbill.c: the WeChat Pay trade bill parser on bills shaped exactly like WeChat's, gzip and SHA-1. */
#include "tap.h"
#include "camp.h"
#include "dates.h"
#include "gzsha1.h"
#include "wechatpay_bill.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HEAD "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型," \
	"交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额," \
	"充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注"
#define SUMHEAD "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额"

/* A day of the ALL bill as WeChat writes it: BOM, CRLF, a backtick before
 * every detail field, a product name with a comma in it, a payment, its
 * refund (SUCCESS), a refund still PROCESSING, a closed one, the summary. */
static const char bill[] =
	"\xEF\xBB\xBF" HEAD "\r\n"
	"`2026-11-21 10:34:56,`wx8888888888888888,`1900000109,`0,`,`4200002026112112345678901234,"
	"`CD20261121ABC,`oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,`JSAPI,`SUCCESS,`OTHERS,`CNY,`99.00,`0.00,`0,`0,"
	"`0.00,`0.00,`,`,`21天晨读打卡营,第8期 押金,`{\"c\":3,\"m\":41},`0.59400,`0.60%,`99.00,`0.00,`\r\n"
	"`2026-11-21  23:59:59,`wx8888888888888888,`1900000109,`0,`,`4200002026112012345678900001,"
	"`CD20261120XYZ,`oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,`NATIVE,`REFUND,`OTHERS,`CNY,`0.00,`0.00,"
	"`50300908092026112112345678901,`RF17N1,`66.00,`0.00,`ORIGINAL,`SUCCESS,`14天写作训练营 押金,`,"
	"`-0.39600,`0.60%,`0.00,`66.00,`\r\n"
	"`2026-11-21 08:00:01,`wx8888888888888888,`1900000109,`0,`,`4200002026112012345678900002,"
	"`CD20261120QQQ,`oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,`JSAPI,`REFUND,`OTHERS,`CNY,`0.00,`0.00,"
	"`50300908092026112112345678902,`RF18N1,`199.00,`0.00,`ORIGINAL,`PROCESSING,`英语营 押金,`,"
	"`-1.19400,`0.60%,`0.00,`199.00,`\r\n"
	"`2026-11-21 09:00:00,`wx8888888888888888,`1900000109,`0,`,`4200002026112012345678900003,"
	"`CD20261120RRR,`oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,`JSAPI,`REFUND,`OTHERS,`CNY,`0.00,`0.00,"
	"`50300908092026112112345678903,`RF19N1,`99.00,`0.00,`ORIGINAL,`REFUNDCLOSE,`跑步营 押金,`,"
	"`0.00000,`0.60%,`0.00,`99.00,`\r\n"
	SUMHEAD "\r\n"
	"`4,`99.00,`364.00,`0.00,`-1.00000,`99.00,`364.00\r\n";

static void test_parse(void)
{
	arena *a = arena_new();
	struct wxbill b;
	char err[256];
	int rc = wxbill_parse(a, bill, sizeof(bill) - 1, &b, "1900000109", err, sizeof(err));
	is_int(rc, CAMP_OK, "a WeChat bill parses (%s)", err);
	is_int(b.n, 4, "four detail rows");
	is_int(b.summary_count, 4, "总交易单数 read from the summary");
	const struct wxbill_line *p = &b.lines[0];
	is_int(p->kind, WXBILL_PAYMENT, "SUCCESS is a payment row");
	is_str(p->out_trade_no, "CD20261121ABC", "商户订单号 without its backtick");
	is_str(p->transaction_id, "4200002026112112345678901234", "微信订单号 kept as text (28 digits)");
	is_str(p->trade_type, "JSAPI", "交易类型");
	is_int(p->total_fen, 9900, "订单金额 in fen");
	is_int(p->at, cday_start(cday_from_ymd(2026, 11, 21)) + 10 * 3600 + 34 * 60 + 56,
	       "交易时间 read as Asia/Shanghai");
	const struct wxbill_line *r = &b.lines[1];
	is_int(r->kind, WXBILL_REFUND, "REFUND is a refund row");
	is_str(r->out_refund_no, "RF17N1", "商户退款单号");
	is_str(r->refund_id, "50300908092026112112345678901", "微信退款单号");
	is_str(r->refund_status, "SUCCESS", "退款状态");
	is_int(r->refund_fen, 6600, "申请退款金额 in fen");
	is_int(r->total_fen, 0, "a refund row has no order amount");
	is_int(r->at, cday_start(cday_from_ymd(2026, 11, 21)) + 86399, "two spaces in 交易时间 are fine");
	is_str(b.lines[2].refund_status, "PROCESSING", "a refund still processing");
	is_str(b.lines[3].refund_status, "REFUNDCLOSE", "a closed refund");
	is_int(b.paid_fen, 9900, "payments add up");
	is_int(b.refund_fen, 36400, "refunds add up");
	arena_free(a);
}

/* The same bill with its columns in another order and LF line ends. */
static void test_column_order(void)
{
	static const char t[] =
		"商户订单号,交易状态,订单金额,交易时间,微信订单号,商户退款单号,申请退款金额,退款状态\n"
		"`CD1,`SUCCESS,`0.01,`2026-01-02 00:00:00,`4200001,`0,`0.00,`\n"
		SUMHEAD "\n`1,`0.01,`0.00,`0.00,`0.00000,`0.01,`0.00\n";
	arena *a = arena_new();
	struct wxbill b;
	char err[256];
	is_int(wxbill_parse(a, t, sizeof(t) - 1, &b, NULL, err, sizeof(err)), CAMP_OK,
	       "columns are found by name (%s)", err);
	is_str(b.lines[0].out_trade_no, "CD1", "商户订单号 from the first column");
	is_int(b.lines[0].total_fen, 1, "0.01 yuan is 1 fen");
	arena_free(a);
}

static int parse_error(const char *text, const char *mchid, const char *want, const char *what)
{
	arena *a = arena_new();
	struct wxbill b;
	char err[256];
	int rc = wxbill_parse(a, text, strlen(text), &b, mchid, err, sizeof(err));
	int good = rc == CAMP_EINVAL && strstr(err, want) != NULL;
	ok(good, "%s", what);
	if (!good)
		printf("#   rc %d, err \"%s\", want \"%s\"\n", rc, err, want);
	arena_free(a);
	return good;
}

static void test_refusals(void)
{
	/* the file cut after the last detail row */
	char cut[sizeof(bill)];
	memcpy(cut, bill, sizeof(bill));
	*strstr(cut, SUMHEAD) = '\0';
	parse_error(cut, NULL, "缺少汇总行", "a bill without its summary is refused");
	/* one detail row lost: the summary still says 4 */
	char lost[sizeof(bill)];
	const char *second = strstr(bill, "`2026-11-21  23:59:59");
	const char *third = strstr(bill, "`2026-11-21 08:00:01");
	snprintf(lost, sizeof(lost), "%.*s%s", (int)(second - bill), bill, third);
	parse_error(lost, NULL, "总交易单数 4 与明细行数 3 不符", "a lost row is refused by the count");
	parse_error(bill, "1900000999", "不是本商户", "rows of another merchant are refused");
	parse_error(HEAD "\n`2026-11-21 10:00:00,`wx,`1,`0,`,`42,`CD,`o,`JSAPI,`SUCCESS\n",
	            NULL, "有 10 个字段，表头有 27 列", "a short row is refused");
	parse_error("交易时间,微信订单号,商户订单号,交易状态,订单金额,商户退款单号,申请退款金额,退款状态\n"
	            "`2026-11-21 10:00:00,`42,`CD,`SUCCESS,`99.001,`0,`0.00,`\n",
	            NULL, "“订单金额”不是金额", "an amount with three decimals is refused");
	parse_error("交易时间,微信订单号,商户订单号,交易状态,订单金额,商户退款单号,申请退款金额,退款状态\n"
	            "`2026-02-30 10:00:00,`42,`CD,`SUCCESS,`99.00,`0,`0.00,`\n",
	            NULL, "交易时间格式不对", "a date that does not exist is refused");
	parse_error("交易时间,商户订单号,交易状态\n", NULL, "缺少“微信订单号”列",
	            "a header without 微信订单号 is refused");
	parse_error("", NULL, "账单是空的", "an empty file is refused");
}

static void test_hash_and_gzip(void)
{
	ok(wxbill_hash_ok("SHA1", "a9993e364706816aba3e25717850c26c9cd0d89d", "abc", 3),
	   "SHA1 of abc (FIPS 180 test vector)");
	ok(wxbill_hash_ok("sha1", "A9993E364706816ABA3E25717850C26C9CD0D89D", "abc", 3),
	   "hash type and hex compare case-insensitively");
	ok(!wxbill_hash_ok("SHA1", "a9993e364706816aba3e25717850c26c9cd0d89d", "abd", 3),
	   "another file does not verify");
	ok(!wxbill_hash_ok("MD5", "900150983cd24fb0d6963f7d28e17f72", "abc", 3),
	   "only SHA1 is accepted");

	/* a gzip made by the gzip tool, not by us */
	char path[] = "/tmp/t_wxbill.XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "wb");
	fwrite(bill, 1, sizeof(bill) - 1, f);
	fclose(f);
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "gzip -c %s > %s.gz", path, path);
	ok(system(cmd) == 0, "gzip made a .gz");
	snprintf(cmd, sizeof(cmd), "%s.gz", path);
	f = fopen(cmd, "rb");
	static char gz[8192];
	size_t n = f ? fread(gz, 1, sizeof(gz), f) : 0;
	if (f)
		fclose(f);
	unlink(cmd);
	unlink(path);
	ok(gz_is_gzip(gz, n), "it starts like gzip");
	char *out = NULL;
	size_t len = 0;
	is_int(gz_inflate(gz, n, 1 << 20, &out, &len), CAMP_OK, "the gzip tool's file inflates");
	ok(len == sizeof(bill) - 1 && out && memcmp(out, bill, len) == 0, "to the very bill");
	free(out);
	is_int(gz_inflate(gz, n - 9, 1 << 20, &out, &len), CAMP_EINVAL, "a truncated gzip is refused");
	is_int(gz_inflate(gz, n, 100, &out, &len), CAMP_ETOOBIG, "more than the limit is refused");
	is_int(gz_inflate(bill, sizeof(bill) - 1, 1 << 20, &out, &len), CAMP_EINVAL,
	       "plain text is not gzip");
	char *z = NULL;
	size_t zn = 0;
	is_int(gz_deflate(bill, sizeof(bill) - 1, &z, &zn), CAMP_OK, "our gzip");
	is_int(gz_inflate(z, zn, 1 << 20, &out, &len), CAMP_OK, "round trip");
	ok(len == sizeof(bill) - 1 && memcmp(out, bill, len) == 0, "round trip is exact");
	free(out);
	free(z);
}

int main(void)
{
	test_parse();
	test_column_order();
	test_refusals();
	test_hash_and_gzip();
	return done_testing();
}
