/* wxpay_certs.h: WeChat Pay platform certificates kept in the database (PROTOCOLS §1.7):
 * download and keep, look up by serial, refresh when an unknown serial shows up. */
#ifndef CAMP_DOMAIN_WXPAY_CERTS_H
#define CAMP_DOMAIN_WXPAY_CERTS_H

#include <stddef.h>
#include <time.h>

#include "arena.h"

struct db;
struct wxpay_cfg;
struct wxpay_cert;

#define WXPAY_CERT_REFRESH_GAP 60          /* unknown serials refresh at most once a minute */
#define WXPAY_CERT_WARN_DAYS 7             /* alert before the last valid certificate expires */

/* The certificates valid at now (effective ≤ now < expire), oldest expiry
 * first.  CAMP_OK or CAMP_EDB. */
int wxpay_certs_load(struct db *d, arena *a, time_t now, struct wxpay_cert **out, size_t *n);

/* Gives cfg the certificates held and the refresh hook wxpay_call uses when
 * an answer to our own request names a certificate serial not held: the
 * caller already waits on WeChat, so the hook downloads at once (at most
 * once a minute, never inside a transaction).  Callbacks do not get here:
 * they ask wxpay_certs_request_refresh (the pay pool never calls out). */
int wxpay_certs_attach(struct db *d, arena *a, struct wxpay_cfg *cfg);

/* What one download did. */
struct wxpay_certs_result {
	int fetched;          /* certificates in the answer */
	int added;            /* serials not held before */
	int pruned;           /* expired rows deleted */
	const char *error;    /* for people, NULL on success */
};

/* Downloads /v3/certificates, keeps every certificate by serial (in one
 * transaction) and deletes expired ones; cfg->certs is reloaded.  Must be
 * called outside a transaction.  CAMP_OK, CAMP_EDB, or the provider's code
 * with res->error. */
int wxpay_certs_refresh(struct db *d, arena *a, struct wxpay_cfg *cfg, time_t now,
                        struct wxpay_certs_result *res);

/* An unknown certificate serial in a callback (camp-web: never an outside
 * call there): queues the wxpay-certs job unless an unknown serial already
 * asked for a refresh within the minute.  *queued = 1 when it did.  CAMP_OK
 * or CAMP_EDB. */
int wxpay_certs_request_refresh(struct db *d, arena *a, const char *serial, time_t now,
                                int *queued);

/* Queues wxpay-certs after the payment settings changed (in the caller's
 * transaction), unless one is already waiting.  CAMP_OK or CAMP_EDB. */
int wxpay_certs_queue_after_settings(struct db *d, arena *a, long long user_id);

/* The alert of WXPAY_CERT_WARN_DAYS: once a day (Shanghai date) while the
 * last valid certificate expires within 7 days.  *alerted = rows queued. */
int wxpay_certs_check_expiry(struct db *d, arena *a, time_t now, long *alerted);

/* For the 系统配置 page. */
struct wxpay_cert_row {
	const char *serial, *effective, *expire;   /* "2026-11-22 10:00" Shanghai */
	int days_left;
};
int wxpay_certs_list(struct db *d, arena *a, time_t now, struct wxpay_cert_row **out, int *n);

#endif
