/* wechatpay_api.h: the WeChat Pay v3 HTTP calls (orders, query, close, refunds). */
#ifndef CAMP_WECHATPAY_API_H
#define CAMP_WECHATPAY_API_H

#include <time.h>

#include "arena.h"
#include "wechatpay.h"

/* The outcome of one call: the HTTP status (0 = no answer: timeout or
 * transport error), WeChat's error code/message for 4xx/5xx, and the
 * verified response body (NULL when there is none). */
struct wxpay_result {
	long status;
	const char *code;        /* "SIGN_ERROR", "ORDERPAID", … */
	const char *message;
	const char *body;        /* JSON text, signature verified */
	const char *request_id;
	const char *request_body;/* what we sent (for the payment audit log) */
};

/* One signed request to path ("/v3/pay/transactions/jsapi") with an optional
 * JSON body; the response signature is verified (an unverifiable 2xx
 * answer is treated as no answer).  An answer under a certificate serial
 * not held gives c->refresh_certs one chance.  CAMP_OK when an answer arrived. */
int wxpay_call(const struct wxpay_cfg *c, arena *a, const char *method, const char *path,
               const char *body, time_t now, struct wxpay_result *out);

#define WXPAY_DESCRIPTION_MAX 127   /* bytes (PROTOCOLS §1.3) */
/* code and message of an error body (PROTOCOLS §1.6): {"code", "message",
 * "detail"?}.  detail's shape varies ({location, value} with value a
 * string, number or array; older {field, issue}) and is never read.
 * NULLs when the body is not such an object. */
void wxpay_error_parse(arena *a, const char *text, const char **code, const char **message);

/* GET /v3/certificates (PROTOCOLS §1.7): every certificate decrypted with
 * the APIv3 key (a successful decryption proves it came from WeChat), its
 * serial checked against the PEM, then the answer's own signature verified
 * with the key its Wechatpay-Serial names — one of the certificates just
 * decrypted, one already held, or the public key.  *certs on the arena;
 * expire is the earlier of expire_time and the certificate's notAfter.
 * CAMP_OK; CAMP_EPROVIDER (no answer or an error status: res says which);
 * CAMP_ECRYPTO (an undecryptable or mismatched certificate, an answer that
 * does not verify); CAMP_EINVAL (a malformed answer).  *why for people. */
int wxpay_certificates_fetch(const struct wxpay_cfg *c, arena *a, time_t now,
                             struct wxpay_cert **certs, size_t *n,
                             struct wxpay_result *res, const char **why);

struct wxpay_order {
	const char *trade_type;      /* "jsapi" | "native" | "h5" */
	const char *description;     /* cut to WXPAY_DESCRIPTION_MAX bytes between characters */
	const char *out_trade_no;
	const char *notify_url;      /* https, no query */
	const char *attach;          /* ≤ 128 bytes */
	long long total;             /* fen */
	time_t time_expire;
	const char *openid;          /* jsapi only */
	const char *client_ip;       /* h5 only: the member's real IP (scene_info.payer_client_ip) */
};

/* Creates the order; *prepay_or_code = prepay_id (jsapi), code_url (native) or
 * h5_url (h5: valid 5 minutes; append &redirect_url=… before sending the browser). */
int wxpay_order_create(const struct wxpay_cfg *c, arena *a, const struct wxpay_order *o,
                       time_t now, struct wxpay_result *res, const char **prepay_or_code);
/* GET /v3/pay/transactions/out-trade-no/{no}?mchid=… ; res->body is the transaction. */
int wxpay_order_query(const struct wxpay_cfg *c, arena *a, const char *out_trade_no,
                      time_t now, struct wxpay_result *res);
/* POST …/close; 204 = closed (safe to repeat). */
int wxpay_order_close(const struct wxpay_cfg *c, arena *a, const char *out_trade_no,
                      time_t now, struct wxpay_result *res);

/* ---- refunds (PROTOCOLS §1.5) ------------------------------------------- */
struct wxpay_refund_req {
	const char *transaction_id;  /* or NULL: then out_trade_no */
	const char *out_trade_no;
	const char *out_refund_no;   /* the same one on every retry of an attempt */
	const char *reason;          /* ≤ 80 characters, may be NULL */
	const char *notify_url;      /* https, no query */
	long long refund, total;     /* fen */
};

/* A refund as WeChat answers it (create, query or the decrypted callback). */
struct wx_refund {
	const char *refund_id, *out_refund_no, *out_trade_no, *transaction_id, *mchid;
	const char *status;          /* SUCCESS | CLOSED | PROCESSING | ABNORMAL */
	const char *success_time, *user_received_account;
	long long refund, total;     /* fen; -1 when absent */
};

/* Parses the refund JSON ("status" or, in callbacks, "refund_status").
 * CAMP_OK / CAMP_EINVAL. */
int wx_refund_parse(arena *a, const char *json, struct wx_refund *out);

/* POST /v3/refund/domestic/refunds.  CAMP_OK when an answer arrived (look
 * at res->status); res->body is the verified refund on 200. */
int wxpay_refund_create(const struct wxpay_cfg *c, arena *a, const struct wxpay_refund_req *q,
                        time_t now, struct wxpay_result *res);
/* GET /v3/refund/domestic/refunds/{out_refund_no}. */
int wxpay_refund_query(const struct wxpay_cfg *c, arena *a, const char *out_refund_no,
                       time_t now, struct wxpay_result *res);

#endif
