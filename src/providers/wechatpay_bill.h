/* wechatpay_bill.h: the WeChat Pay v3 trade bill — apply, download, verify, parse.
 *
 * GET /v3/bill/tradebill?bill_date=YYYY-MM-DD&bill_type=ALL[&tar_type=GZIP] answers
 * {hash_type, hash_value, download_url}; the download_url (valid 30 s) is fetched with
 * a signed GET of its own, whose answer is NOT signed: the SHA-1 of the (unzipped)
 * file proves it.  The file is CSV: a header row of column names, one detail row per
 * payment (交易状态 SUCCESS) or refund (交易状态 REFUND), every detail field prefixed
 * with a backtick, then a summary header (总交易单数,…) and one summary row.
 * No database here. */
#ifndef CAMP_WECHATPAY_BILL_H
#define CAMP_WECHATPAY_BILL_H

#include <stdint.h>
#include <time.h>

#include "arena.h"
#include "wechatpay.h"

enum wxbill_kind { WXBILL_PAYMENT, WXBILL_REFUND, WXBILL_OTHER };

/* One detail row.  Strings are the field values without the backtick. */
struct wxbill_line {
	int line_no;                 /* 1-based line of the file */
	enum wxbill_kind kind;       /* by 交易状态: SUCCESS, REFUND, anything else */
	time_t at;                   /* 交易时间 (Asia/Shanghai); refunds: when applied for */
	const char *appid, *mchid;
	const char *transaction_id;  /* 微信订单号 */
	const char *out_trade_no;    /* 商户订单号 */
	const char *trade_type;      /* 交易类型 */
	const char *trade_state;     /* 交易状态 */
	const char *refund_id;       /* 微信退款单号 (refunds; "0" on payments) */
	const char *out_refund_no;   /* 商户退款单号 (refunds) */
	const char *refund_status;   /* 退款状态: SUCCESS, PROCESSING, REFUNDCLOSE, CHANGE … */
	int64_t total_fen;           /* 订单金额 (payments), else 应结订单金额; 0 on refunds */
	int64_t refund_fen;          /* 申请退款金额 (refunds), else 退款金额; 0 on payments */
};

struct wxbill {
	struct wxbill_line *lines;
	int n;
	long long summary_count;     /* 总交易单数 */
	int64_t paid_fen;            /* Σ total_fen of the payment rows */
	int64_t refund_fen;          /* Σ refund_fen of the refund rows */
};

/* Parses the bill text (an optional UTF-8 BOM, LF or CRLF).  Columns are
 * found by their header names, so their order does not matter; detail
 * fields are split on ",`" because every field starts with a backtick and
 * a product name may hold a comma.  The summary's 总交易单数 must equal the
 * number of detail rows (a cut file fails here).  mchid (may be NULL)
 * refuses rows of another merchant.  CAMP_OK, or CAMP_EINVAL with a
 * Chinese reason in err. */
int wxbill_parse(arena *a, const char *text, size_t len, struct wxbill *out,
                 const char *mchid, char *err, size_t errn);

/* 1 when SHA-1 of the bytes is hex (case-insensitive) and type is "SHA1". */
int wxbill_hash_ok(const char *hash_type, const char *hash_value, const void *p, size_t n);

enum wxbill_state {
	WXBILL_READY,        /* text holds the verified bill */
	WXBILL_NONE,         /* NO_STATEMENT_EXIST: no trade and no refund that day */
	WXBILL_CREATING,     /* STATEMENT_CREATING: ready after 10:00 the next day */
	WXBILL_FAILED,       /* anything else: reason says what */
};

struct wxbill_fetch {
	enum wxbill_state state;
	const char *reason;          /* Chinese, for FAILED (and the WeChat code) */
	const char *hash;            /* hash_value as WeChat gave it */
	const char *text;            /* the unzipped bill (READY) */
	size_t len;
};

/* Applies for the ALL trade bill of date (YYYY-MM-DD) with tar_type=GZIP,
 * downloads it (only from the configured base URL's origin), unzips it
 * and checks its SHA-1.  CAMP_OK whenever out->state says what happened. */
int wxpay_tradebill(const struct wxpay_cfg *c, arena *a, const char *date, time_t now,
                    struct wxbill_fetch *out);

#endif
