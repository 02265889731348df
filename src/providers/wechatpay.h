/* wechatpay.h: WeChat Pay API v3 — request signing, response/callback
 * verification, resource decryption and the JSAPI paySign (PROTOCOLS §1).
 * No database and no FastCGI here: callers pass the merchant's settings. */
#ifndef CAMP_WECHATPAY_H
#define CAMP_WECHATPAY_H

#include <stddef.h>
#include <time.h>

struct json_object;

/* A WeChat Pay platform certificate (PROTOCOLS §1.7): merchants without the
 * "WeChat Pay public key" are answered and called back under these. */
struct wxpay_cert {
	const char *serial;            /* 40 upper-case hex digits */
	const char *pem;               /* -----BEGIN CERTIFICATE----- */
	time_t effective, expire;      /* valid in [effective, expire) */
};

struct wxpay_cfg {
	const char *base_url;          /* https://api.mch.weixin.qq.com (or camp-sim) */
	const char *mchid;
	const char *appid;
	const char *apiv3_key;         /* exactly 32 bytes */
	const char *merchant_serial;   /* serial of the merchant API certificate */
	const char *merchant_key_pem;  /* PKCS#8 private key */
	const char *pub_key_pem;       /* the WeChat Pay public key (NULL: not switched) */
	const char *pub_key_id;        /* PUB_KEY_ID_… */
	const struct wxpay_cert *certs;/* platform certificates held (may be none) */
	size_t ncerts;
	/* Called by wxpay_call when an answer names a certificate serial that
	 * certs does not hold: the caller's chance to fetch it (at most once a
	 * minute).  CAMP_OK with the certificates now held in *certs, *n: look
	 * again.  NULL = no such chance. */
	int (*refresh_certs)(void *ud, const char *serial, const struct wxpay_cert **certs,
	                     size_t *n);
	void *refresh_ud;
};

/* Signature headers of a response or a callback (PROTOCOLS §1.2). */
struct wxpay_sig {
	const char *timestamp;
	const char *nonce;
	const char *signature;
	const char *serial;
	const char *signature_type;    /* optional: default WECHATPAY2-SHA256-RSA2048 */
};

#define WXPAY_MAX_SKEW 300         /* seconds either way */

/* The value of the Authorization header for one request:
 * WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",signature="…",timestamp="…",serial_no="…"
 * canonical_url is the path plus query exactly as sent; body "" for GET.
 * malloc'd, NULL when the key cannot sign. */
char *wxpay_authorization(const struct wxpay_cfg *c, const char *method,
                          const char *canonical_url, const char *body,
                          time_t ts, const char *nonce);

/* Verifies "TIMESTAMP\nNONCE\nBODY\n" against the WeChat Pay key named by
 * the serial (PROTOCOLS §1.2): PUB_KEY_ID_… → the public key; otherwise a
 * platform certificate of c->certs valid at now — both kinds at once while
 * a merchant switches.  Refuses another signature type, a timestamp 300 s
 * or more away from now, and a bad signature (SIGNTEST probes included):
 * CAMP_ECRYPTO; a serial no key is held for: CAMP_ENOTFOUND (for a
 * certificate serial a refresh may help).  *reason is static text. */
int wxpay_verify(const struct wxpay_cfg *c, const struct wxpay_sig *s,
                 const char *body, size_t len, time_t now, const char **reason);

/* The key (PEM) that verifies what serial signed at now, or NULL. */
const char *wxpay_key_for_serial(const struct wxpay_cfg *c, const char *serial, time_t now);
/* 1 for a public key id (PUB_KEY_ID_…), 0 for a certificate serial. */
int wxpay_is_pub_key_id(const char *serial);
/* Certificate serials compare as numbers: case and leading zeros aside. */
int wxpay_serial_eq(const char *a, const char *b);

/* Decrypts a notification's resource object (AEAD_AES_256_GCM: IV = nonce,
 * AAD = associated_data, last 16 bytes of the ciphertext = tag).
 * *plain is malloc'd and NUL-terminated.  CAMP_OK / CAMP_EINVAL / CAMP_ECRYPTO. */
int wxpay_decrypt_resource(const struct wxpay_cfg *c, struct json_object *resource,
                           char **plain, size_t *len);

/* paySign for WeixinJSBridge getBrandWCPayRequest over
 * "appId\ntimeStamp\nnonceStr\npackage\n".  malloc'd base64 or NULL. */
char *wxpay_pay_sign(const struct wxpay_cfg *c, const char *timestamp,
                     const char *nonce, const char *package);

/* An out_trade_no / out_refund_no: prefix + compact time + random, 6–32 chars of [0-9A-Za-z]. */
int wxpay_new_trade_no(const char *prefix, time_t now, char *out, size_t n);

#endif
