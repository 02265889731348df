/* wechatpay.c: the cryptographic half of the WeChat Pay v3 client. */
#include "wechatpay.h"
#include "camp.h"
#include "crypto.h"
#include "dates.h"
#include "jsonget.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

char *wxpay_authorization(const struct wxpay_cfg *c, const char *method,
                          const char *canonical_url, const char *body,
                          time_t ts, const char *nonce)
{
	if (c->mchid == NULL || c->merchant_serial == NULL || c->merchant_key_pem == NULL)
		return NULL;
	char tsbuf[24];
	snprintf(tsbuf, sizeof(tsbuf), "%lld", (long long)ts);
	size_t need = strlen(method) + strlen(canonical_url) + strlen(tsbuf) +
	              strlen(nonce) + strlen(body) + 6;
	char *msg = malloc(need);
	if (msg == NULL)
		return NULL;
	/* five lines, each ending in \n — the last one too, even for an empty body */
	int n = snprintf(msg, need, "%s\n%s\n%s\n%s\n%s\n", method, canonical_url, tsbuf, nonce, body);
	char *sig = crypto_rsa_sign_b64(c->merchant_key_pem, msg, (size_t)n);
	free(msg);
	if (sig == NULL)
		return NULL;
	const char *fmt = "WECHATPAY2-SHA256-RSA2048 mchid=\"%s\",nonce_str=\"%s\","
	                  "signature=\"%s\",timestamp=\"%s\",serial_no=\"%s\"";
	size_t hlen = strlen(fmt) + strlen(c->mchid) + strlen(nonce) + strlen(sig) +
	              strlen(tsbuf) + strlen(c->merchant_serial) + 1;
	char *h = malloc(hlen);
	if (h != NULL)
		snprintf(h, hlen, fmt, c->mchid, nonce, sig, tsbuf, c->merchant_serial);
	free(sig);
	return h;
}

static int parse_ts(const char *s, long long *out)
{
	if (s == NULL || *s == '\0' || strlen(s) > 12)
		return CAMP_EINVAL;
	long long v = 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return CAMP_EINVAL;
		v = v * 10 + (*p - '0');
	}
	*out = v;
	return CAMP_OK;
}

int wxpay_is_pub_key_id(const char *serial)
{
	return serial != NULL && strncmp(serial, "PUB_KEY_ID_", 11) == 0;
}

static const char *skip_zeros(const char *s)
{
	while (*s == '0')
		s++;
	return s;
}

int wxpay_serial_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL || *a == '\0' || *b == '\0')
		return 0;
	return strcasecmp(skip_zeros(a), skip_zeros(b)) == 0;
}

const char *wxpay_key_for_serial(const struct wxpay_cfg *c, const char *serial, time_t now)
{
	if (serial == NULL || *serial == '\0')
		return NULL;
	if (wxpay_is_pub_key_id(serial))
		return c->pub_key_id != NULL && c->pub_key_pem != NULL &&
		       strcmp(serial, c->pub_key_id) == 0 ? c->pub_key_pem : NULL;
	for (size_t i = 0; i < c->ncerts; i++) {
		const struct wxpay_cert *k = &c->certs[i];
		if (wxpay_serial_eq(k->serial, serial) && now >= k->effective && now < k->expire)
			return k->pem;
	}
	return NULL;
}

int wxpay_verify(const struct wxpay_cfg *c, const struct wxpay_sig *s,
                 const char *body, size_t len, time_t now, const char **reason)
{
	*reason = NULL;
	if (s->timestamp == NULL || s->nonce == NULL || s->signature == NULL || s->serial == NULL) {
		*reason = "missing signature headers";
		return CAMP_ECRYPTO;
	}
	if (s->signature_type != NULL && *s->signature_type != '\0' &&
	    strcmp(s->signature_type, "WECHATPAY2-SHA256-RSA2048") != 0) {
		*reason = "unsupported signature type";
		return CAMP_ECRYPTO;
	}
	long long ts;
	if (parse_ts(s->timestamp, &ts) != CAMP_OK) {
		*reason = "malformed timestamp";
		return CAMP_ECRYPTO;
	}
	long long skew = (long long)now - ts;
	if (skew >= WXPAY_MAX_SKEW || skew <= -WXPAY_MAX_SKEW) {
		*reason = "timestamp outside the 5-minute window";
		return CAMP_ECRYPTO;
	}
	const char *key = wxpay_key_for_serial(c, s->serial, now);
	if (key == NULL) {
		*reason = "unknown serial";
		return CAMP_ENOTFOUND;
	}
	/* SIGNTEST probes ("WECHATPAY/SIGNTEST/…") simply fail verification */
	size_t need = strlen(s->timestamp) + strlen(s->nonce) + len + 4;
	char *msg = malloc(need);
	if (msg == NULL) {
		*reason = "out of memory";
		return CAMP_ECRYPTO;
	}
	size_t off = (size_t)snprintf(msg, need, "%s\n%s\n", s->timestamp, s->nonce);
	memcpy(msg + off, body, len);
	off += len;
	msg[off++] = '\n';
	int rc = crypto_rsa_verify_b64(key, msg, off, s->signature);
	free(msg);
	if (rc != CAMP_OK) {
		*reason = "bad signature";
		return CAMP_ECRYPTO;
	}
	return CAMP_OK;
}

int wxpay_decrypt_resource(const struct wxpay_cfg *c, struct json_object *resource,
                           char **plain, size_t *len)
{
	*plain = NULL;
	*len = 0;
	const char *alg = jget_str(resource, "algorithm");
	const char *ct64 = jget_str(resource, "ciphertext");
	const char *nonce = jget_str(resource, "nonce");
	const char *aad = jget_str(resource, "associated_data");
	if (alg == NULL || strcmp(alg, "AEAD_AES_256_GCM") != 0 || ct64 == NULL ||
	    nonce == NULL || strlen(nonce) == 0 || strlen(nonce) > 64)
		return CAMP_EINVAL;
	if (c->apiv3_key == NULL || strlen(c->apiv3_key) != 32)
		return CAMP_ECRYPTO;
	if (aad == NULL)
		aad = "";
	size_t n;
	unsigned char *ct = crypto_b64_decode(ct64, &n);
	if (ct == NULL || n < 16) {
		free(ct);
		return CAMP_EINVAL;
	}
	size_t ptlen = n - 16;
	char *pt = malloc(ptlen + 1);
	int rc = CAMP_ECRYPTO;
	if (pt != NULL &&
	    crypto_gcm_decrypt((const unsigned char *)c->apiv3_key, (const unsigned char *)nonce,
	                       strlen(nonce), aad, strlen(aad), ct, ptlen, ct + ptlen,
	                       (unsigned char *)pt) == CAMP_OK) {
		pt[ptlen] = '\0';
		*plain = pt;
		*len = ptlen;
		pt = NULL;
		rc = CAMP_OK;
	}
	free(pt);
	free(ct);
	return rc;
}

char *wxpay_pay_sign(const struct wxpay_cfg *c, const char *timestamp,
                     const char *nonce, const char *package)
{
	if (c->appid == NULL || c->merchant_key_pem == NULL)
		return NULL;
	size_t need = strlen(c->appid) + strlen(timestamp) + strlen(nonce) + strlen(package) + 5;
	char *msg = malloc(need);
	if (msg == NULL)
		return NULL;
	int n = snprintf(msg, need, "%s\n%s\n%s\n%s\n", c->appid, timestamp, nonce, package);
	char *sig = crypto_rsa_sign_b64(c->merchant_key_pem, msg, (size_t)n);
	free(msg);
	return sig;
}

int wxpay_new_trade_no(const char *prefix, time_t now, char *out, size_t n)
{
	/* CP + yyMMddHHmmss (Asia/Shanghai) + 10 random: sortable, 24 chars, unguessable */
	cday d = cday_of(now);
	int y, m, dd;
	cday_ymd(d, &y, &m, &dd);
	long sec = (long)(now + CST_OFFSET - (time_t)d * 86400);
	char rnd[11];
	if (crypto_random_alnum(rnd, sizeof(rnd) - 1) != CAMP_OK)   /* 10 chars + NUL */
		return CAMP_ECRYPTO;
	int k = snprintf(out, n, "%s%02d%02d%02d%02ld%02ld%02ld%s", prefix, y % 100, m, dd,
	                 sec / 3600, (sec / 60) % 60, sec % 60, rnd);
	return (k > 0 && (size_t)k < n && k >= 6 && k <= 32) ? CAMP_OK : CAMP_EINVAL;
}
