/* t_wechatpay.c: v3 signing, verification and decryption against the openssl CLI. */
#include "tap.h"
#include "camp.h"
#include "crypto.h"
#include "wechatpay.h"
#include "wechatpay_api.h"
#include "payments.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/t_wxpay.XXXXXX";

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	char *s = calloc(1, 1 << 16);
	size_t n = fread(s, 1, (1 << 16) - 1, f);
	s[n] = '\0';
	fclose(f);
	return s;
}

static int sh(const char *fmt, const char *a, const char *b)
{
	char cmd[2048];
	snprintf(cmd, sizeof(cmd), fmt, a, b);
	return system(cmd);
}

static void write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	fwrite(p, 1, n, f);
	fclose(f);
}

static char *path(const char *name)
{
	static char buf[4][512];
	static int i;
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

/* Signs msg with the openssl CLI (an independent implementation). */
static char *openssl_sign(const char *key, const char *msg)
{
	write_file(path("msg"), msg, strlen(msg));
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "openssl dgst -sha256 -sign %s -out %s/sig.bin %s/msg", key, dir, dir);
	if (system(cmd) != 0)
		return NULL;
	snprintf(cmd, sizeof(cmd), "openssl base64 -A -in %s/sig.bin -out %s/sig.b64", dir, dir);
	if (system(cmd) != 0)
		return NULL;
	return slurp(path("sig.b64"));
}

static int openssl_verify(const char *pub, const char *msg, const char *sig_b64)
{
	write_file(path("vmsg"), msg, strlen(msg));
	write_file(path("vsig.b64"), sig_b64, strlen(sig_b64));
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "openssl base64 -d -A -in %s/vsig.b64 -out %s/vsig.bin && "
	         "openssl dgst -sha256 -verify %s -signature %s/vsig.bin %s/vmsg >/dev/null",
	         dir, dir, pub, dir, dir);
	return system(cmd) == 0;
}

/* A callback signed by openssl with key, as serial, at ts. */
static struct wxpay_sig signed_by(const char *key, const char *serial, const char *ts,
                                  const char *body, char **sig)
{
	char msg[512];
	snprintf(msg, sizeof(msg), "%s\n%s\n%s\n", ts, "nonce-c", body);
	*sig = openssl_sign(key, msg);
	struct wxpay_sig s = { ts, "nonce-c", *sig, serial, NULL };
	return s;
}

/* PROTOCOLS §1.7: platform certificates, alone and next to the public key. */
static void certificates(const struct wxpay_cfg *base, const char *mkey)
{
	/* a real X.509 certificate by the openssl CLI, with WeChat's serial shape */
	sh("openssl req -x509 -newkey rsa:2048 -nodes -keyout %s/plat.key -days 30 -subj /CN=Tenpay.com"
	   " -set_serial 0x3B36D2B0CCA86C814D8A3663A8B82A6EC9E5DC34 -out %s/plat.pem 2>/dev/null",
	   dir, dir);
	char *pem = slurp(path("plat.pem"));
	struct x509_info x;
	is_int(crypto_x509_info(pem, &x), CAMP_OK, "the certificate reads");
	is_str(x.serial, "3B36D2B0CCA86C814D8A3663A8B82A6EC9E5DC34", "its serial, 40 upper-case hex digits");
	ok(x.not_after - x.not_before == 30 * 86400, "its validity");
	struct x509_info none;
	is_int(crypto_x509_info(mkey, &none), CAMP_ECRYPTO, "a private key is no certificate");

	const char *cb = "{\"id\":\"EV-2\",\"event_type\":\"TRANSACTION.SUCCESS\"}";
	char ts[24];
	snprintf(ts, sizeof(ts), "%lld", (long long)x.not_before + 3600);
	time_t now = x.not_before + 3600;
	struct wxpay_cert cert = { "3B36D2B0CCA86C814D8A3663A8B82A6EC9E5DC34", pem, x.not_before, x.not_after };
	const char *why;
	char *sig;

	/* certificate mode: no public key at all */
	struct wxpay_cfg c = *base;
	c.pub_key_pem = c.pub_key_id = NULL;
	c.certs = &cert;
	c.ncerts = 1;
	struct wxpay_sig s = signed_by(path("plat.key"), cert.serial, ts, cb, &sig);
	is_int(wxpay_verify(&c, &s, cb, strlen(cb), now, &why), CAMP_OK, "a callback under a held certificate verifies");
	s.serial = "3b36d2b0cca86c814d8a3663a8b82a6ec9e5dc34";
	is_int(wxpay_verify(&c, &s, cb, strlen(cb), now, &why), CAMP_OK, "... whatever the serial's case");
	s.serial = "003B36D2B0CCA86C814D8A3663A8B82A6EC9E5DC34";
	is_int(wxpay_verify(&c, &s, cb, strlen(cb), now, &why), CAMP_OK, "... and leading zeros");
	s.serial = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1";
	is_int(wxpay_verify(&c, &s, cb, strlen(cb), now, &why), CAMP_ENOTFOUND, "an unknown certificate serial: not found (refresh, then refuse)");
	s.serial = "PUB_KEY_ID_0114232134912410000000000000";
	is_int(wxpay_verify(&c, &s, cb, strlen(cb), now, &why), CAMP_ENOTFOUND, "a public key id without a public key: not found");
	s.serial = cert.serial;
	cert.expire = now;
	is_int(wxpay_verify(&c, &s, cb, strlen(cb), now, &why), CAMP_ENOTFOUND, "an expired certificate is not used");
	cert.expire = x.not_after;
	cert.effective = now + 1;
	is_int(wxpay_verify(&c, &s, cb, strlen(cb), now, &why), CAMP_ENOTFOUND, "nor one not yet effective");
	cert.effective = x.not_before;
	free(sig);
	s = signed_by(path("wx.pem"), cert.serial, ts, cb, &sig);
	is_int(wxpay_verify(&c, &s, cb, strlen(cb), now, &why), CAMP_ECRYPTO, "another key under the certificate's serial fails");
	is_str(why, "bad signature", "... as a bad signature");
	free(sig);

	/* switching: both at once, each message under the key its serial names */
	c.pub_key_pem = base->pub_key_pem;
	c.pub_key_id = base->pub_key_id;
	s = signed_by(path("wx.pem"), base->pub_key_id, ts, cb, &sig);
	is_int(wxpay_verify(&c, &s, cb, strlen(cb), now, &why), CAMP_OK, "switching: the public key's callback verifies");
	free(sig);
	s = signed_by(path("plat.key"), cert.serial, ts, cb, &sig);
	is_int(wxpay_verify(&c, &s, cb, strlen(cb), now, &why), CAMP_OK, "switching: the certificate's callback verifies");
	s.serial = base->pub_key_id;
	is_int(wxpay_verify(&c, &s, cb, strlen(cb), now, &why), CAMP_ECRYPTO, "the certificate's signature under the public key id fails");
	free(sig);
	ok(wxpay_key_for_serial(&c, cert.serial, now) == pem, "key lookup by serial");
	ok(wxpay_is_pub_key_id("PUB_KEY_ID_01") && !wxpay_is_pub_key_id(cert.serial), "public key ids tell themselves apart");
	free(pem);
}

/* PROTOCOLS §1.6: code and message only; detail's value is a string, a number or an array. */
static void error_bodies(void)
{
	static const char *const bodies[] = {
		"{\"code\":\"PARAM_ERROR\",\"detail\":{\"location\":\"body\",\"value\":7},"
		"\"message\":\"无法将 JSON 输入源“/body/amount/total”映射到目标字段“总金额”中\"}",
		"{\"code\":\"PARAM_ERROR\",\"detail\":{\"location\":\"body\",\"value\":\"2026-13-01\"},"
		"\"message\":\"time_expire 格式错误\"}",
		"{\"code\":\"PARAM_ERROR\",\"detail\":{\"location\":\"body\",\"value\":[1,\"a\",{\"b\":null}]},"
		"\"message\":\"参数错误\"}",
		"{\"code\":\"PARAM_ERROR\",\"detail\":{\"field\":\"/amount/total\",\"value\":0,"
		"\"issue\":\"must be >= 1\",\"location\":\"body\"},\"message\":\"参数错误\"}",
		"{\"code\":\"NOT_ENOUGH\",\"message\":\"基本账户余额不足，请充值后重新发起\"}",
	};
	static const char *const messages[] = {
		"无法将 JSON 输入源“/body/amount/total”映射到目标字段“总金额”中", "time_expire 格式错误",
		"参数错误", "参数错误", "基本账户余额不足，请充值后重新发起",
	};
	arena *a = arena_new();
	const char *code, *message;
	for (size_t i = 0; i < CAMP_ARRAY_LEN(bodies); i++) {
		wxpay_error_parse(a, bodies[i], &code, &message);
		is_str(code, i == 4 ? "NOT_ENOUGH" : "PARAM_ERROR", "error body %zu: code", i + 1);
		is_str(message, messages[i], "error body %zu: message", i + 1);
	}
	wxpay_error_parse(a, "<html>502 Bad Gateway</html>", &code, &message);
	ok(code == NULL && message == NULL, "not JSON: no code, no crash");
	wxpay_error_parse(a, "[\"SYSTEM_ERROR\"]", &code, &message);
	ok(code == NULL && message == NULL, "not an object: no code");
	wxpay_error_parse(a, "{\"code\":500,\"message\":null}", &code, &message);
	ok(code == NULL && message == NULL, "code of another type is no code");
	arena_free(a);
}

/* PROTOCOLS §1.3: unpaid answers carry little beyond out_trade_no and trade_state. */
static void unpaid_queries(void)
{
	arena *a = arena_new();
	struct wx_txn t;
	const char *notpay = "{\"amount\":{\"total\":9900},\"appid\":\"wxd930ea5d5a258f4f\","
	                     "\"mchid\":\"1900000001\",\"out_trade_no\":\"CP2611221000001a2b3c\","
	                     "\"promotion_detail\":[],\"scene_info\":{\"device_id\":\"\"},"
	                     "\"trade_state\":\"NOTPAY\",\"trade_state_desc\":\"订单未支付\"}";
	is_int(wx_txn_parse(a, notpay, &t), CAMP_OK, "the real NOTPAY answer parses");
	is_str(t.trade_state, "NOTPAY", "... NOTPAY");
	ok(t.transaction_id == NULL && t.openid == NULL && t.success_time == NULL &&
	   t.currency == NULL && t.payer_total == -1 && t.total == 9900,
	   "... without transaction_id, payer, success_time, currency, payer_total");
	const char *closed = "{\"appid\":\"wxd930ea5d5a258f4f\",\"mchid\":\"1900000001\","
	                     "\"out_trade_no\":\"CP2611221000001a2b3d\",\"trade_state\":\"CLOSED\","
	                     "\"trade_state_desc\":\"订单已关闭\",\"attach\":\"\"}";
	is_int(wx_txn_parse(a, closed, &t), CAMP_OK, "a CLOSED answer without amount parses");
	ok(t.total == -1 && !strcmp(t.trade_state, "CLOSED"), "... CLOSED, no amount");
	is_int(wx_txn_parse(a, "{\"out_trade_no\":\"CP1\"}", &t), CAMP_EINVAL, "no trade_state: refused");
	is_int(wx_txn_parse(a, "{\"trade_state\":\"NOTPAY\"}", &t), CAMP_EINVAL, "no out_trade_no: refused");
	arena_free(a);
}

/* issue #18: the ids our attach carries back, and nothing from any other text */
static void attach_ids(void)
{
	char buf[96];
	long long m = 0, p = 0;
	pay_attach_format(buf, sizeof(buf), 12, 345, 6789);
	is_str(buf, "{\"c\":12,\"m\":345,\"p\":6789}", "the attach names camp, member and order row");
	ok(strlen(buf) <= 128, "... within WeChat Pay's 128 bytes");
	ok(pay_attach_ids(buf, &m, &p) && m == 345 && p == 6789, "... and gives member and row back");
	pay_attach_format(buf, sizeof(buf), 9223372036854775807LL, 9223372036854775807LL,
	                  9223372036854775807LL);
	ok(strlen(buf) < 80 && pay_attach_ids(buf, &m, &p), "the longest ids fit in 80 bytes");
	static const char *const others[] = {
		"", "{\"c\":12,\"m\":345}",                   /* placed before the row id was in it */
		"{\"c\":12,\"m\":345,\"p\":6789}x", "{\"c\":12,\"m\":345,\"p\":6789,\"q\":1}",
		"{\"c\":12,\"m\":0,\"p\":6789}", "{\"c\":12,\"m\":345,\"p\":-1}",
		"{\"p\":6789,\"c\":12,\"m\":345}", "camp=1", "{\"c\":12,\"m\":345,\"p\":99999999999999999999}",
	};
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		m = p = 7;
		ok(!pay_attach_ids(others[i], &m, &p) && m == 7 && p == 7, "no ids from '%s'", others[i]);
	}
	ok(!pay_attach_ids(NULL, &m, &p), "no ids from no attach");
}

int main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	sh("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out %s/merchant.pem 2>/dev/null%s", dir, "");
	sh("openssl pkey -in %s/merchant.pem -pubout -out %s/merchant.pub", dir, dir);
	sh("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out %s/wx.pem 2>/dev/null%s", dir, "");
	sh("openssl pkey -in %s/wx.pem -pubout -out %s/wx.pub", dir, dir);
	char *mkey = slurp(path("merchant.pem"));
	char *wxpub = slurp(path("wx.pub"));
	ok(mkey && wxpub && strstr(mkey, "PRIVATE KEY"), "keys made by the openssl CLI");

	struct wxpay_cfg c = {
		.mchid = "1900000001", .appid = "wxd930ea5d5a258f4f",
		.apiv3_key = "0123456789abcdef0123456789ABCDEF",
		.merchant_serial = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
		.merchant_key_pem = mkey, .pub_key_pem = wxpub, .pub_key_id = "PUB_KEY_ID_0114232134912410000000000000",
	};

	/* 1. request signing: the header's signature verifies with openssl */
	const char *body = "{\"mchid\":\"1900000001\"}";
	char *auth = wxpay_authorization(&c, "POST", "/v3/pay/transactions/jsapi", body,
	                                 1700000000, "593BEC0C930BF1AFEB40B4A08C8FB242");
	ok(auth && !strncmp(auth, "WECHATPAY2-SHA256-RSA2048 mchid=\"1900000001\",nonce_str=\"593BEC0C930BF1AFEB40B4A08C8FB242\",signature=\"", 101),
	   "Authorization header shape");
	ok(auth && strstr(auth, "timestamp=\"1700000000\",serial_no=\"5157F09EFDC096DE15EBE81A47057A7232F1B8E1\""),
	   "timestamp and merchant serial");
	char sig[512] = "";
	const char *s0 = auth ? strstr(auth, "signature=\"") : NULL;
	if (s0) {
		s0 += 11;
		size_t n = strcspn(s0, "\"");
		memcpy(sig, s0, n < sizeof(sig) - 1 ? n : sizeof(sig) - 1);
	}
	ok(openssl_verify(path("merchant.pub"),
	                  "POST\n/v3/pay/transactions/jsapi\n1700000000\n593BEC0C930BF1AFEB40B4A08C8FB242\n{\"mchid\":\"1900000001\"}\n", sig),
	   "openssl verifies the request signature over the five lines");
	ok(!openssl_verify(path("merchant.pub"),
	                   "POST\n/v3/pay/transactions/jsapi\n1700000000\n593BEC0C930BF1AFEB40B4A08C8FB242\n{\"mchid\":\"1900000001\"}", sig),
	   "... and not without the final newline");
	free(auth);
	auth = wxpay_authorization(&c, "GET", "/v3/pay/transactions/out-trade-no/X1?mchid=1900000001", "",
	                           1700000001, "N");
	s0 = auth ? strstr(auth, "signature=\"") + 11 : NULL;
	memset(sig, 0, sizeof(sig));
	if (s0)
		memcpy(sig, s0, strcspn(s0, "\""));
	ok(openssl_verify(path("merchant.pub"),
	                  "GET\n/v3/pay/transactions/out-trade-no/X1?mchid=1900000001\n1700000001\nN\n\n", sig),
	   "GET with a query: empty body line still present");
	free(auth);

	/* 2. callbacks: signed by openssl with the WeChat Pay key, verified here */
	const char *cb = "{\"id\":\"EV-1\",\"event_type\":\"TRANSACTION.SUCCESS\"}";
	char msg[512];
	snprintf(msg, sizeof(msg), "%s\n%s\n%s\n", "1700000100", "nonce-1", cb);
	char *wsig = openssl_sign(path("wx.pem"), msg);
	struct wxpay_sig s = { "1700000100", "nonce-1", wsig, c.pub_key_id, NULL };
	const char *why;
	is_int(wxpay_verify(&c, &s, cb, strlen(cb), 1700000100 + 10, &why), CAMP_OK, "a callback signed by openssl verifies");
	is_int(wxpay_verify(&c, &s, cb, strlen(cb) - 1, 1700000110, &why), CAMP_ECRYPTO, "a changed body is refused");
	is_str(why, "bad signature", "... as a bad signature");
	is_int(wxpay_verify(&c, &s, cb, strlen(cb), 1700000100 + 300, &why), CAMP_ECRYPTO, "300 s late is refused");
	is_str(why, "timestamp outside the 5-minute window", "... for its timestamp");
	is_int(wxpay_verify(&c, &s, cb, strlen(cb), 1700000100 - 300, &why), CAMP_ECRYPTO, "300 s early is refused");
	is_int(wxpay_verify(&c, &s, cb, strlen(cb), 1700000100 + 299, &why), CAMP_OK, "299 s late is accepted");
	s.serial = "PUB_KEY_ID_OTHER";
	is_int(wxpay_verify(&c, &s, cb, strlen(cb), 1700000100, &why), CAMP_ENOTFOUND, "unknown serial refused");
	is_str(why, "unknown serial", "... as unknown");
	s.serial = c.pub_key_id;
	s.signature_type = "WECHATPAY2-SM2-WITH-SM3";
	is_int(wxpay_verify(&c, &s, cb, strlen(cb), 1700000100, &why), CAMP_ECRYPTO, "other signature type refused");
	s.signature_type = NULL;
	s.signature = "WECHATPAY/SIGNTEST/abcdefg";
	is_int(wxpay_verify(&c, &s, cb, strlen(cb), 1700000100, &why), CAMP_ECRYPTO, "SIGNTEST probe fails verification");
	s.signature = "WECHATPAY/SIGNTEST/";
	is_int(wxpay_verify(&c, &s, cb, strlen(cb), 1700000100, &why), CAMP_ECRYPTO, "SIGNTEST probe, not even base64");
	s.signature = wsig;
	s.timestamp = "17000001OO";
	is_int(wxpay_verify(&c, &s, cb, strlen(cb), 1700000100, &why), CAMP_ECRYPTO, "malformed timestamp refused");
	s.timestamp = NULL;
	is_int(wxpay_verify(&c, &s, cb, strlen(cb), 1700000100, &why), CAMP_ECRYPTO, "missing header refused");
	free(wsig);

	/* 3. resource decryption: AES-256-GCM with the tag appended */
	const char *plain = "{\"out_trade_no\":\"CP1\",\"trade_state\":\"SUCCESS\"}";
	unsigned char ct[256], tag[16];
	const char *nonce = "fdasflkja484";
	crypto_gcm_encrypt((const unsigned char *)c.apiv3_key, (const unsigned char *)nonce,
	                   "transaction", 11, plain, strlen(plain), ct, tag);
	unsigned char both[272];
	memcpy(both, ct, strlen(plain));
	memcpy(both + strlen(plain), tag, 16);
	char *b64 = crypto_b64_encode(both, strlen(plain) + 16);
	json_object *res = json_object_new_object();
	json_object_object_add(res, "algorithm", json_object_new_string("AEAD_AES_256_GCM"));
	json_object_object_add(res, "ciphertext", json_object_new_string(b64));
	json_object_object_add(res, "associated_data", json_object_new_string("transaction"));
	json_object_object_add(res, "nonce", json_object_new_string(nonce));
	char *out;
	size_t olen;
	is_int(wxpay_decrypt_resource(&c, res, &out, &olen), CAMP_OK, "resource decrypts");
	is_str(out, plain, "to the transaction JSON");
	free(out);
	json_object_object_add(res, "associated_data", json_object_new_string("refund"));
	is_int(wxpay_decrypt_resource(&c, res, &out, &olen), CAMP_ECRYPTO, "wrong associated data refused");
	ok(out == NULL, "... and no plaintext handed out");
	json_object_object_add(res, "associated_data", json_object_new_string("transaction"));
	json_object_object_add(res, "algorithm", json_object_new_string("AES_128_CBC"));
	is_int(wxpay_decrypt_resource(&c, res, &out, &olen), CAMP_EINVAL, "other algorithm refused");
	json_object_object_add(res, "algorithm", json_object_new_string("AEAD_AES_256_GCM"));
	json_object_object_add(res, "ciphertext", json_object_new_string("AAAA"));
	is_int(wxpay_decrypt_resource(&c, res, &out, &olen), CAMP_EINVAL, "ciphertext shorter than a tag refused");
	json_object_object_add(res, "ciphertext", json_object_new_string("not base64!"));
	is_int(wxpay_decrypt_resource(&c, res, &out, &olen), CAMP_EINVAL, "bad base64 refused");
	json_object_put(res);
	free(b64);

	/* 4. paySign verifies with openssl over the four lines */
	char *ps = wxpay_pay_sign(&c, "1414561699", "5K8264ILTKCH16CQ2502SI8ZNMTM67VS",
	                          "prepay_id=wx201410272009395522657a690389285100");
	ok(ps && openssl_verify(path("merchant.pub"),
	   "wxd930ea5d5a258f4f\n1414561699\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\nprepay_id=wx201410272009395522657a690389285100\n", ps),
	   "paySign verifies with openssl");
	free(ps);

	/* 5. trade numbers */
	char no[40], no2[40];
	is_int(wxpay_new_trade_no("CP", 1700000000, no, sizeof(no)), CAMP_OK, "trade number made");
	is_int(strlen(no), 24, "24 characters");
	ok(!strncmp(no, "CP231115061320", 14), "prefix and Asia/Shanghai time (%s)", no);  /* 2023-11-14T22:13:20Z */
	wxpay_new_trade_no("CP", 1700000000, no2, sizeof(no2));
	ok(strcmp(no, no2) != 0, "two numbers of the same second differ");
	ok(wxpay_new_trade_no("CP", 1700000000, no, 10) != CAMP_OK, "small buffer refused");

	certificates(&c, mkey);
	error_bodies();
	unpaid_queries();
	attach_ids();

	free(mkey);
	free(wxpub);
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	return done_testing();
}
