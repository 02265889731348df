/* t_wecom.c: WeCom answers shaped as PROTOCOLS §3 says — external-pay bills (older items
 * without bill_type, refunds in WeCom) and message/send's invaliduser/unlicenseduser. */
#include "tap.h"
#include "camp.h"
#include "payments.h"
#include "wecom.h"

#include <json-c/json.h>
#include <string.h>

/* get_bill_list's answer: an item of the older revision (no bill_type), one refunded in
 * full (trade_state 3, total_refund_fee = total_fee), one refunded in part, a refund bill,
 * one with trade_state 3 but no total_refund_fee, and a plain payment. */
static const char *bills_answer =
	"{\"errcode\":0,\"errmsg\":\"ok\",\"next_cursor\":\"\",\"bill_list\":["
	"{\"transaction_id\":\"4200002000202611220000000001\",\"trade_state\":1,\"pay_time\":1763779200,"
	"\"out_trade_no\":\"mch000001\",\"external_userid\":\"wmABC\",\"total_fee\":9900,"
	"\"payee_userid\":\"zhangsan\",\"payment_type\":1,\"mch_id\":\"1900000001\",\"remark\":\"押金\","
	"\"commodity_list\":[{\"description\":\"押金\",\"amount\":1}],\"total_refund_fee\":0,"
	"\"refund_list\":[],\"contact_info\":{\"name\":\"小明\",\"phone\":\"\",\"address\":\"\"}},"
	"{\"transaction_id\":\"4200002000202611220000000002\",\"bill_type\":0,\"trade_state\":3,"
	"\"pay_time\":1763779300,\"out_trade_no\":\"mch000002\",\"total_fee\":9900,"
	"\"payee_userid\":\"zhangsan\",\"payment_type\":1,\"mch_id\":\"1900000001\",\"remark\":\"\","
	"\"commodity_list\":[],\"total_refund_fee\":9900,\"refund_list\":[{\"out_refund_no\":\"r1\","
	"\"refund_userid\":\"zhangsan\",\"refund_comment\":\"\",\"refund_reqtime\":1763780000,"
	"\"refund_status\":1,\"refund_fee\":9900}],\"payer_info\":{\"name\":\"小红\"}},"
	"{\"transaction_id\":\"4200002000202611220000000003\",\"bill_type\":0,\"trade_state\":1,"
	"\"pay_time\":1763779400,\"total_fee\":9900,\"payee_userid\":\"zhangsan\",\"total_refund_fee\":1000,"
	"\"refund_list\":[{\"out_refund_no\":\"r2\",\"refund_fee\":1000,\"refund_status\":1}]},"
	"{\"transaction_id\":\"4200002000202611220000000004\",\"bill_type\":1,\"trade_state\":1,"
	"\"pay_time\":1763779500,\"total_fee\":9900,\"payee_userid\":\"zhangsan\"},"
	"{\"transaction_id\":\"4200002000202611220000000005\",\"bill_type\":0,\"trade_state\":3,"
	"\"pay_time\":1763779600,\"total_fee\":9900,\"payee_userid\":\"zhangsan\"},"
	"{\"transaction_id\":\"4200002000202611220000000006\",\"bill_type\":0,\"trade_state\":1,"
	"\"pay_time\":1763779700,\"total_fee\":9900,\"payee_userid\":\"zhangsan\",\"total_refund_fee\":0}"
	"]}";

int main(void)
{
	struct json_object *o = json_tokener_parse(bills_answer), *list = NULL;
	ok(o && json_object_object_get_ex(o, "bill_list", &list), "the answer parses");
	struct wecom_bill b[6];
	for (size_t i = 0; i < 6; i++)
		wecom_bill_from_json(json_object_array_get_idx(list, i), &b[i]);

	is_int(b[0].bill_type, 0, "no bill_type (older revision): a payment");
	is_int(b[0].total_fee, 9900, "total_fee in fen");
	is_str(b[0].payer_name, "小明", "payer from contact_info");
	is_int(payment_bill_kind(&b[0]), BILL_IMPORTED, "... imported as a deposit");

	is_int(b[1].total_refund_fee, 9900, "total_refund_fee read");
	is_str(b[1].payer_name, "小红", "payer from payer_info");
	is_int(payment_bill_kind(&b[1]), BILL_REFUNDED, "refunded in full: not imported");

	is_int(payment_bill_kind(&b[2]), BILL_EXCEPTION, "refunded in part: a payment exception");
	is_int(payment_bill_kind(&b[3]), BILL_IGNORED, "a refund bill is no payment");
	is_int(b[4].total_refund_fee, 0, "absent total_refund_fee reads as 0");
	is_int(payment_bill_kind(&b[4]), BILL_REFUNDED, "trade_state 3: not imported");
	is_int(payment_bill_kind(&b[5]), BILL_IMPORTED, "a plain payment is imported");
	b[5].trade_state = 2;
	is_int(payment_bill_kind(&b[5]), BILL_IGNORED, "an unfinished bill is not");
	json_object_put(o);

	/* message/send: errcode 0, yet some recipients got nothing */
	struct wecom_result r;
	memset(&r, 0, sizeof(r));
	snprintf(r.invaliduser, sizeof(r.invaliduser), "%s", "zhangsan|li");
	snprintf(r.unlicenseduser, sizeof(r.unlicenseduser), "%s", "wangwu");
	is_str(wecom_refused(&r, "zhangsan"), "invaliduser", "first of invaliduser");
	is_str(wecom_refused(&r, "li"), "invaliduser", "last of invaliduser");
	is_str(wecom_refused(&r, "wangwu"), "unlicenseduser", "unlicenseduser");
	ok(wecom_refused(&r, "zhang") == NULL, "a prefix of a listed id got it");
	ok(wecom_refused(&r, "lisi") == NULL, "an id a listed one is a prefix of got it");
	r.invaliduser[0] = r.unlicenseduser[0] = '\0';
	ok(wecom_refused(&r, "zhangsan") == NULL, "empty lists: everyone got it");
	return done_testing();
}
