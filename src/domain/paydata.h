/* paydata.h: payment data sealed at rest (PRD §5.2, issue #17) — openids and WeChat
 * Pay's decrypted JSON, each bound to its table, column and row, and the blind index
 * that finds an openid without storing it. */
#ifndef CAMP_DOMAIN_PAYDATA_H
#define CAMP_DOMAIN_PAYDATA_H

#include "arena.h"

/* The sealed columns, as the associated data names them (sql/011_sealed_payment_data.sql). */
#define PD_MEMBER_OPENID  "camp_member.openid"
#define PD_PAY_OPENID     "payment_record.openid"
#define PD_PAY_CALLBACK   "payment_record.callback_data"
#define PD_TXN_OPENID     "payment_transaction.openid"
#define PD_TXN_RAW        "payment_transaction.raw"
#define PD_EXC_OPENID     "payment_exception.payer_openid"
#define PD_EXC_RAW        "payment_exception.raw"
#define PD_AUDIT_REQUEST  "payment_audit_log.request_data"
#define PD_AUDIT_RESPONSE "payment_audit_log.response_data"

/* The row part of the associated data, the same text SQL computes for it (rekey):
 * camp_member and payment_record by id; payment_transaction by transaction_id;
 * payment_exception by transaction_id "/" out_trade_no; payment_audit_log by
 * payment_id "/" action_type.  NULL is written as "" (a payment_id as 0). */
const char *pd_row_id(arena *a, long long id);
const char *pd_row_txn(const char *transaction_id);
const char *pd_row_exception(arena *a, const char *transaction_id, const char *out_trade_no);
const char *pd_row_audit(arena *a, long long payment_id, const char *action);

/* The associated data of one sealed value: "column#row". */
const char *pd_aad(arena *a, const char *column, const char *row);

/* Seals value for column/row under the process's master key: *out (on the arena)
 * is NULL for a NULL or empty value.  CAMP_OK, or CAMP_ECRYPTO without a master
 * key — never store NULL instead of a value that could not be sealed. */
int pd_seal(arena *a, const char *column, const char *row, const char *value, const char **out);
/* The plaintext (on the arena), NULL when there is none or it does not open. */
const char *pd_open(arena *a, const char *column, const char *row, const char *sealed);
/* The openid's blind index (on the arena), NULL for NULL or "" — and when no
 * master key is loaded, which finds nothing. */
const char *pd_index(arena *a, const char *openid);

#endif
