/* sim_keys.c: camp-sim's identities and RSA keys (made once, kept in --state), signing, encryption. */
#include "sim.h"
#include "camp.h"
#include "crypto.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	if (b.s == NULL)
		buf_putc(&b, '\0');
	return buf_detach(&b, NULL);
}

static int write_file(const char *path, const char *text, mode_t mode)
{
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd < 0)
		return CAMP_ERR;
	size_t len = strlen(text);
	int ok = write(fd, text, len) == (ssize_t)len;
	fchmod(fd, mode);
	ok = close(fd) == 0 && ok;
	if (!ok || rename(tmp, path) != 0) {
		unlink(tmp);
		return CAMP_ERR;
	}
	return CAMP_OK;
}

static char *bio_text(BIO *b)
{
	char *p;
	long n = BIO_get_mem_data(b, &p);
	char *s = malloc((size_t)n + 1);
	if (s == NULL)
		abort();
	memcpy(s, p, (size_t)n);
	s[n] = '\0';
	return s;
}

/* A new RSA-2048 pair as PKCS#8 and SubjectPublicKeyInfo PEM. */
static int make_rsa(char **priv, char **pub, EVP_PKEY **keep)
{
	EVP_PKEY *k = EVP_RSA_gen(2048);
	if (k == NULL)
		return CAMP_ECRYPTO;
	BIO *a = BIO_new(BIO_s_mem()), *b = BIO_new(BIO_s_mem());
	int ok = a && b && PEM_write_bio_PrivateKey(a, k, NULL, NULL, 0, NULL, NULL) == 1 &&
	         PEM_write_bio_PUBKEY(b, k) == 1;
	if (ok) {
		*priv = bio_text(a);
		*pub = bio_text(b);
	}
	BIO_free(a);
	BIO_free(b);
	if (ok && keep != NULL)
		*keep = k;
	else
		EVP_PKEY_free(k);
	return ok ? CAMP_OK : CAMP_ECRYPTO;
}

/* A self-signed "platform certificate" over key k, valid for days from now. */
static char *make_cert(EVP_PKEY *k, const char *serial_hex, int days)
{
	X509 *x = X509_new();
	BIGNUM *bn = NULL;
	char *pem = NULL;
	BIO *b = BIO_new(BIO_s_mem());
	if (x == NULL || b == NULL || BN_hex2bn(&bn, serial_hex) == 0)
		goto out;
	X509_set_version(x, 2);
	BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), (long)days * 86400);
	X509_NAME *nm = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC,
	                           (const unsigned char *)"Tenpay.com Root CA (camp-sim)", -1, -1, 0);
	X509_set_issuer_name(x, nm);
	X509_set_pubkey(x, k);
	if (X509_sign(x, k, EVP_sha256()) > 0 && PEM_write_bio_X509(b, x) == 1)
		pem = bio_text(b);
out:
	BN_free(bn);
	BIO_free(b);
	X509_free(x);
	return pem;
}

static void rand_hex(char *out, size_t nbytes, int upper)
{
	unsigned char r[32];
	crypto_random(r, nbytes);
	crypto_hex(r, nbytes, out);
	for (size_t i = 0; upper && out[i]; i++)
		if (out[i] >= 'a' && out[i] <= 'f')
			out[i] = (char)(out[i] - 'a' + 'A');
}

static void generate_ids(struct sim_keys *k)
{
	char hex[65];
	rand_hex(hex, 16, 1);
	snprintf(k->pay_pub_key_id, sizeof(k->pay_pub_key_id), "PUB_KEY_ID_01%.30s", hex);
	rand_hex(k->mch_serial, 20, 1);
	crypto_random_alnum(k->apiv3_key, 32);
	snprintf(k->mchid, sizeof(k->mchid), "19");
	sim_digits(k->mchid + 2, 8);
	rand_hex(hex, 8, 0);
	snprintf(k->appid, sizeof(k->appid), "wx%.16s", hex);
	rand_hex(k->app_secret, 16, 0);
	rand_hex(hex, 8, 0);
	snprintf(k->corp_id, sizeof(k->corp_id), "ww%.16s", hex);
	snprintf(k->agent_id, sizeof(k->agent_id), "1000002");
	crypto_random_alnum(k->corp_secret, 43);
	crypto_random_alnum(k->externalpay_secret, 43);
	rand_hex(hex, 20, 1);
	snprintf(k->zsxq_token, sizeof(k->zsxq_token), "%.8s-%.4s-%.4s-%.4s-%.12s_%.8s",
	         hex, hex + 8, hex + 12, hex + 16, hex + 20, hex + 32);
	snprintf(k->group_id, sizeof(k->group_id), "15");
	sim_digits(k->group_id + 2, 12);
}

#define ID_FIELDS(X) X(pay_pub_key_id) X(pay_cert_serial) X(mch_serial) X(apiv3_key) \
	X(mchid) X(appid) X(app_secret) X(corp_id) X(agent_id) X(corp_secret) \
	X(externalpay_secret) X(zsxq_token) X(group_id)

static char *ids_json(const struct sim_keys *k)
{
	struct json_object *o = json_object_new_object();
#define PUT(f) json_object_object_add(o, #f, json_object_new_string(k->f));
	ID_FIELDS(PUT)
#undef PUT
	char *s = sim_strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
	json_object_put(o);
	return s;
}

static int ids_load(struct sim_keys *k, const char *text)
{
	struct json_object *o = json_tokener_parse(text);
	if (o == NULL)
		return CAMP_EINVAL;
	int rc = CAMP_OK;
#define GET(f) { const char *v = sim_jstr(o, #f); \
	if (v == NULL || strlen(v) >= sizeof(k->f)) rc = CAMP_EINVAL; \
	else snprintf(k->f, sizeof(k->f), "%s", v); }
	ID_FIELDS(GET)
#undef GET
	json_object_put(o);
	return rc;
}

static char *path_in(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);
	if (p == NULL)
		abort();
	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

static int save_all(const char *dir, const struct sim_keys *k)
{
	struct { const char *name; const char *text; mode_t mode; } files[] = {
		{ "wechatpay_private.pem", k->pay_priv_pem, 0600 },
		{ "wechatpay_public.pem", k->pay_pub_pem, 0644 },
		{ "wechatpay_cert.pem", k->pay_cert_pem, 0644 },
		{ "wechatpay_cert_private.pem", k->pay_cert_key_pem, 0600 },
		{ "apiclient_key.pem", k->mch_priv_pem, 0600 },
		{ "apiclient_public.pem", k->mch_pub_pem, 0644 },
	};
	int rc = CAMP_OK;
	for (size_t i = 0; i < CAMP_ARRAY_LEN(files) && rc == CAMP_OK; i++) {
		char *p = path_in(dir, files[i].name);
		rc = write_file(p, files[i].text, files[i].mode);
		free(p);
	}
	if (rc == CAMP_OK) {
		char *j = ids_json(k);
		char *p = path_in(dir, "ids.json");
		rc = write_file(p, j, 0600);
		free(p);
		free(j);
	}
	return rc;
}

/* The settings the app needs, one "key value" per line; `dev` feeds each
 * to `campctl config set`.  Keys (PEM) are given as @FILE. */
static int write_settings(const char *dir, const struct sim_keys *k)
{
	struct buf b = BUF_INIT;
	buf_printf(&b, "wechat.pay_merchant_id %s\n", k->mchid);
	buf_printf(&b, "wechat.pay_key %s\n", k->apiv3_key);
	buf_printf(&b, "wechat.pay_appid %s\n", k->appid);
	buf_printf(&b, "wechat.pay_app_secret %s\n", k->app_secret);
	buf_printf(&b, "wechat.pay_merchant_serial %s\n", k->mch_serial);
	buf_printf(&b, "wechat.pay_private_key @%s/apiclient_key.pem\n", dir);
	buf_printf(&b, "wechat.pay_public_key @%s/wechatpay_public.pem\n", dir);
	buf_printf(&b, "wechat.pay_public_key_id %s\n", k->pay_pub_key_id);
	buf_printf(&b, "wechat.corp_id %s\n", k->corp_id);
	buf_printf(&b, "wechat.agent_id %s\n", k->agent_id);
	buf_printf(&b, "wechat.app_secret %s\n", k->corp_secret);
	buf_printf(&b, "wechat.externalpay_secret %s\n", k->externalpay_secret);
	buf_printf(&b, "planet.cookie %s\n", k->zsxq_token);
	buf_printf(&b, "planet.group_id %s\n", k->group_id);
	/* issue #16: the official account's template ids (camp-sim accepts any) */
	buf_printf(&b, "notification.tpl_join_remind simTplJoinRemind\n");
	buf_printf(&b, "notification.tpl_end_remind simTplEndRemind\n");
	buf_printf(&b, "notification.tpl_refund_success simTplRefundSuccess\n");
	buf_printf(&b, "notification.tpl_bind_remind simTplBindRemind\n");
	char *p = path_in(dir, "settings");
	int rc = write_file(p, b.s, 0600);
	free(p);
	buf_free(&b);
	return rc;
}

static int load_existing(const char *dir, struct sim_keys *k)
{
	const char *names[] = { "wechatpay_private.pem", "wechatpay_public.pem",
	                        "wechatpay_cert.pem", "apiclient_key.pem",
	                        "apiclient_public.pem", "ids.json" };
	char **dst[] = { &k->pay_priv_pem, &k->pay_pub_pem, &k->pay_cert_pem,
	                 &k->mch_priv_pem, &k->mch_pub_pem, NULL };
	char *ids = NULL;
	for (size_t i = 0; i < CAMP_ARRAY_LEN(names); i++) {
		char *p = path_in(dir, names[i]);
		char *t = read_file(p);
		free(p);
		if (t == NULL)
			return CAMP_ENOTFOUND;
		if (dst[i] != NULL)
			*dst[i] = t;
		else
			ids = t;
	}
	int rc = ids_load(k, ids);
	free(ids);
	return rc;
}

#define CERT_DAYS (5 * 365)

/* A platform certificate with a key of its own (not the public key's: a
 * callback verified under the wrong one must fail), 40 upper-case hex serial. */
static int new_cert(char serial[41], char **key_pem, char **cert_pem, int days)
{
	char *pub = NULL;
	EVP_PKEY *key = NULL;
	if (make_rsa(key_pem, &pub, &key) != CAMP_OK)
		return CAMP_ECRYPTO;
	free(pub);
	rand_hex(serial, 20, 1);
	serial[0] = (char)('1' + serial[0] % 7);   /* a positive DER integer, no leading zero */
	*cert_pem = make_cert(key, serial, days);
	EVP_PKEY_free(key);
	return *cert_pem ? CAMP_OK : CAMP_ECRYPTO;
}

static int generate(const char *dir, struct sim_keys *k)
{
	generate_ids(k);
	if (make_rsa(&k->pay_priv_pem, &k->pay_pub_pem, NULL) != CAMP_OK ||
	    make_rsa(&k->mch_priv_pem, &k->mch_pub_pem, NULL) != CAMP_OK ||
	    new_cert(k->pay_cert_serial, &k->pay_cert_key_pem, &k->pay_cert_pem, CERT_DAYS) != CAMP_OK)
		return CAMP_ECRYPTO;
	return save_all(dir, k);
}

/* A state directory from before certificates had a key of their own. */
static int upgrade(const char *dir, struct sim_keys *k)
{
	char *p = path_in(dir, "wechatpay_cert_private.pem");
	k->pay_cert_key_pem = read_file(p);
	free(p);
	if (k->pay_cert_key_pem != NULL)
		return CAMP_OK;
	free(k->pay_cert_pem);
	k->pay_cert_pem = NULL;
	log_info("a platform certificate with its own key into %s", dir);
	if (new_cert(k->pay_cert_serial, &k->pay_cert_key_pem, &k->pay_cert_pem, CERT_DAYS) != CAMP_OK)
		return CAMP_ECRYPTO;
	return save_all(dir, k);
}

int sim_keys_load(const char *dir)
{
	struct sim_keys *k = &sim.k;
	if (load_existing(dir, k) != CAMP_OK) {
		sim_keys_free();
		log_info("generating keys into %s", dir);
		if (generate(dir, k) != CAMP_OK) {
			log_err("cannot create keys in %s: %s", dir, strerror(errno));
			return CAMP_ERR;
		}
	} else if (upgrade(dir, k) != CAMP_OK) {
		log_err("cannot create a platform certificate in %s: %s", dir, strerror(errno));
		return CAMP_ERR;
	}
	sim_certs_reset();
	return write_settings(dir, k);
}

void sim_keys_free(void)
{
	struct sim_keys *k = &sim.k;
	free(k->pay_priv_pem);
	free(k->pay_pub_pem);
	free(k->pay_cert_pem);
	free(k->pay_cert_key_pem);
	free(k->mch_priv_pem);
	free(k->mch_pub_pem);
	memset(k, 0, sizeof(*k));
}

/* ---- platform certificates ------------------------------------------------- */

static void cert_free(struct sim_cert *c)
{
	free(c->key_pem);
	free(c->cert_pem);
}

void sim_certs_free(void)
{
	for (size_t i = 0; i < sim.certs.n; i++)
		cert_free(&sim.certs.v[i]);
	sim.certs.n = 0;
}

static int cert_dates(struct sim_cert *c)
{
	struct x509_info x;
	if (crypto_x509_info(c->cert_pem, &x) != CAMP_OK)
		return CAMP_ECRYPTO;
	c->effective = x.not_before;
	c->expire = x.not_after;
	return CAMP_OK;
}

void sim_certs_reset(void)
{
	sim_certs_free();
	sim.signing = SIGN_PUBLIC_KEY;
	if (sim.k.pay_cert_pem == NULL || sim.k.pay_cert_key_pem == NULL)
		return;
	struct sim_cert *c = SIM_PUSH(&sim.certs);
	snprintf(c->serial, sizeof(c->serial), "%s", sim.k.pay_cert_serial);
	c->key_pem = sim_strdup(sim.k.pay_cert_key_pem);
	c->cert_pem = sim_strdup(sim.k.pay_cert_pem);
	if (cert_dates(c) != CAMP_OK)
		log_err("the platform certificate in the state directory is unreadable");
}

const struct sim_cert *sim_certs_rotate(int days, int keep_old)
{
	struct sim_cert n = { .serial = "" };
	if (new_cert(n.serial, &n.key_pem, &n.cert_pem, days) != CAMP_OK || cert_dates(&n) != CAMP_OK) {
		cert_free(&n);
		return NULL;
	}
	if (!keep_old)
		sim_certs_free();
	*SIM_PUSH(&sim.certs) = n;
	return &sim.certs.v[sim.certs.n - 1];
}

const char *sim_signing_name(enum sim_signing s)
{
	return s == SIGN_CERTIFICATE ? "certificate" : s == SIGN_SWITCHING ? "switching" : "public-key";
}

/* The key and Wechatpay-Serial of the next signature: the public key, the
 * newest platform certificate, or (switching) either at random. */
static void signer(const char **key, const char **serial)
{
	int cert = sim.certs.n > 0 && sim.signing != SIGN_PUBLIC_KEY;
	if (cert && sim.signing == SIGN_SWITCHING) {
		unsigned char b = 0;
		crypto_random(&b, 1);
		cert = b & 1;
	}
	if (cert) {
		*key = sim.certs.v[sim.certs.n - 1].key_pem;
		*serial = sim.certs.v[sim.certs.n - 1].serial;
	} else {
		*key = sim.k.pay_priv_pem;
		*serial = sim.k.pay_pub_key_id;
	}
}

/* TIMESTAMP\nNONCE\nBODY\n signed with key. */
static char *sign_message(const char *key, const char *ts, const char *nonce, const char *body,
                          size_t len)
{
	struct buf m = BUF_INIT;
	buf_printf(&m, "%s\n%s\n", ts, nonce);
	buf_append(&m, body, len);
	buf_putc(&m, '\n');
	char *sig = crypto_rsa_sign_b64(key, m.s, m.len);
	buf_free(&m);
	return sig;
}

const char *sim_wxpay_sign_headers(arena *a, struct resp *w, const char *body, size_t len)
{
	char ts[24], nonce[33], rid[33];
	const char *key, *serial;
	signer(&key, &serial);
	snprintf(ts, sizeof(ts), "%lld", (long long)time(NULL));
	crypto_random_alnum(nonce, 32);
	crypto_random_alnum(rid, 32);
	char *sig = sign_message(key, ts, nonce, body ? body : "", len);
	serial = arena_strdup(a, serial);
	resp_header(w, "Wechatpay-Timestamp", arena_strdup(a, ts));
	resp_header(w, "Wechatpay-Nonce", arena_strdup(a, nonce));
	resp_header(w, "Wechatpay-Signature", arena_strdup(a, sig ? sig : ""));
	resp_header(w, "Wechatpay-Serial", serial);
	resp_header(w, "Wechatpay-Signature-Type", "WECHATPAY2-SHA256-RSA2048");
	resp_header(w, "Request-ID", arena_strdup(a, rid));
	free(sig);
	return serial;
}

char **sim_wxpay_callback_headers(const char *body, int signtest, char *serial_out)
{
	char ts[24], nonce[33];
	const char *key, *serial;
	signer(&key, &serial);
	snprintf(serial_out, 64, "%s", serial);
	snprintf(ts, sizeof(ts), "%lld", (long long)time(NULL));
	crypto_random_alnum(nonce, 32);
	char *sig;
	if (signtest) {
		/* WeChat's probe: deliberately not a signature (not even base64) */
		char junk[33];
		crypto_random_alnum(junk, 32);
		size_t n = strlen(junk) + 32;
		sig = malloc(n);
		if (sig == NULL)
			abort();
		snprintf(sig, n, "WECHATPAY/SIGNTEST/%s", junk);
	} else {
		sig = sign_message(key, ts, nonce, body, strlen(body));
	}
	char **h = calloc(8, sizeof(char *));
	if (h == NULL)
		abort();
	struct buf b = BUF_INIT;
	const char *lines[][2] = {
		{ "Content-Type", "application/json" },
		{ "User-Agent", "Mozilla/4.0" },
		{ "Wechatpay-Timestamp", ts }, { "Wechatpay-Nonce", nonce },
		{ "Wechatpay-Signature", sig ? sig : "" },
		{ "Wechatpay-Serial", serial },
		{ "Wechatpay-Signature-Type", "WECHATPAY2-SHA256-RSA2048" },
	};
	for (size_t i = 0; i < CAMP_ARRAY_LEN(lines); i++) {
		buf_printf(&b, "%s: %s", lines[i][0], lines[i][1]);
		h[i] = buf_detach(&b, NULL);
	}
	free(sig);
	return h;
}

struct json_object *sim_wxpay_encrypt(const char *plaintext, const char *aad,
                                      const char *original_type)
{
	char nonce[13];
	crypto_random_alnum(nonce, 12);
	size_t n = strlen(plaintext);
	unsigned char *ct = malloc(n + 16);
	if (ct == NULL)
		abort();
	crypto_gcm_encrypt((const unsigned char *)sim.k.apiv3_key, (const unsigned char *)nonce,
	                   aad, strlen(aad), plaintext, n, ct, ct + n);
	char *b64 = crypto_b64_encode(ct, n + 16);
	free(ct);
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "algorithm", json_object_new_string("AEAD_AES_256_GCM"));
	json_object_object_add(o, "ciphertext", json_object_new_string(b64 ? b64 : ""));
	json_object_object_add(o, "associated_data", json_object_new_string(aad));
	if (original_type != NULL)
		json_object_object_add(o, "original_type", json_object_new_string(original_type));
	json_object_object_add(o, "nonce", json_object_new_string(nonce));
	free(b64);
	return o;
}
