/* t_secret.c: master key loading, sealing of settings and payment data, key ids, blind indexes. */
#include "tap.h"
#include "../../src/core/camp.h"
#include "../../src/core/crypto.h"
#include "../../src/core/secret.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/t_secret.XXXXXX";
static char path_buf[16][256];
static int npaths;

/* Writes a file under the temp dir and returns its path. */
static const char *put(const char *name, const void *p, size_t n)
{
	char *path = path_buf[npaths++];
	snprintf(path, sizeof path_buf[0], "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (f != NULL) {
		fwrite(p, 1, n, f);
		fclose(f);
	}
	return path;
}

/* 1 when sealed opens under name; frees whatever came out. */
static int opens(const char *name, const char *sealed)
{
	char *v = secret_open(name, sealed);
	int made = v != NULL;
	free(v);
	return made;
}

/* Same for seal: 1 when it produced something. */
static int seals(const char *name, const char *value)
{
	char *v = secret_seal(name, value);
	int made = v != NULL;
	free(v);
	return made;
}

/* The payload's start: after "v2:<id>:" (or "v1:"). */
static size_t head_len(const char *sealed)
{
	return (size_t)(strrchr(sealed, ':') - sealed) + 1;
}

/* The same prefix with another payload. */
static char *reframe(const char *sealed, const unsigned char *blob, size_t n)
{
	size_t h = head_len(sealed);
	char *b64 = crypto_b64_encode(blob, n);
	char *out = malloc(h + strlen(b64) + 1);
	memcpy(out, sealed, h);
	strcpy(out + h, b64);
	free(b64);
	return out;
}

/* Re-encodes a sealed value with one bit of its payload flipped. */
static char *flip(const char *sealed, size_t at)
{
	size_t n = 0;
	unsigned char *blob = crypto_b64_decode(sealed + head_len(sealed), &n);
	if (blob == NULL || at >= n) {
		free(blob);
		return NULL;
	}
	blob[at] ^= 0x01;
	char *out = reframe(sealed, blob, n);
	free(blob);
	return out;
}

/* The same prefix + base64 of the first n payload bytes. */
static char *truncated(const char *sealed, size_t n)
{
	size_t len = 0;
	unsigned char *blob = crypto_b64_decode(sealed + head_len(sealed), &len);
	char *out = reframe(sealed, blob, n < len ? n : len);
	free(blob);
	return out;
}

/* A settings value as sealed before key ids existed: "v1:" + base64(iv || ct || tag)
 * under HKDF(master, "camp-config-v1"), the settings key name as associated data. */
static char *seal_v1(const char *name, const char *value)
{
	unsigned char k[32], blob[256];
	size_t n = strlen(value);
	if (n + 28 > sizeof blob || secret_derive("camp-config-v1", k) != CAMP_OK)
		return NULL;
	memset(blob, 7, 12);
	if (crypto_gcm_encrypt(k, blob, name, strlen(name), value, n, blob + 12, blob + 12 + n) != CAMP_OK)
		return NULL;
	char *b64 = crypto_b64_encode(blob, n + 28);
	char *out = malloc(strlen(b64) + 4);
	sprintf(out, "v1:%s", b64);
	free(b64);
	return out;
}

static void test_load(void)
{
	unsigned char k[32];
	char big[5000];

	ok(!secret_have_master(), "no master key at start");
	ok(!seals("a", "b"), "seal refuses without a master key");
	ok(secret_derive("camp-config-v1", k) != CAMP_OK, "derive refuses without a master key");

	is_int(secret_load_master("/nonexistent/master.key"), CAMP_ENOTFOUND, "missing file");
	is_int(secret_load_master(put("short", "0123456789abcdef0123456789abcde", 31)),
	       CAMP_EINVAL, "31 bytes are too few");
	is_int(secret_load_master(put("short-nl", "0123456789abcdef0123456789abcde\n", 32)),
	       CAMP_EINVAL, "31 bytes plus a newline are still too few");
	memset(big, 'k', sizeof big);
	is_int(secret_load_master(put("big", big, sizeof big)), CAMP_ETOOBIG, "a 5000-byte file is refused");
	ok(secret_load_master(dir) != CAMP_OK, "a directory is refused");
	ok(!secret_have_master(), "failed loads leave no key");

	/* Independent value: openssl kdf -keylen 32 -kdfopt digest:SHA256
	 *   -kdfopt key:0123456789abcdef0123456789abcdef
	 *   -kdfopt info:camp-config-v1 HKDF */
	const char *want = "1c690211c2c13a98f643834768d5844b7a5326d04f5f6c93c0c71f7af435681d";
	char hex[65];
	const char *hexp = hex;   /* is_str wants a pointer, not an array */
	is_int(secret_load_master(put("nl", "0123456789abcdef0123456789abcdef\n", 33)), CAMP_OK,
	       "32 bytes and a newline load");
	ok(secret_have_master(), "have_master after loading");
	is_int(secret_derive("camp-config-v1", k), CAMP_OK, "derive rc");
	crypto_hex(k, 32, hex);
	is_str(hexp, want, "derive = HKDF-SHA256(file minus newline, label)");
	is_int(secret_load_master(put("plain", "0123456789abcdef0123456789abcdef", 32)), CAMP_OK,
	       "the same 32 bytes without a newline load");
	secret_derive("camp-config-v1", k);
	crypto_hex(k, 32, hex);
	is_str(hexp, want, "with or without the trailing newline: the same key");
	secret_load_master(put("nlnl", "0123456789abcdef0123456789abcdef\n\n", 34));
	secret_derive("camp-config-v1", k);
	crypto_hex(k, 32, hex);
	ok(strcmp(hex, want) != 0, "only one trailing newline is stripped");

	unsigned char j[32];
	secret_derive("camp-jwt-v1", j);
	secret_derive("camp-config-v1", k);
	ok(!crypto_equal(j, k, 32), "the JWT key differs from the config key");
}

static void test_seal(void)
{
	const char *a = put("a.key", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 56);
	const char *b = put("b.key", "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB", 56);
	const char *value = "wx-app-secret-0123456789abcdef";
	is_int(secret_load_master(a), CAMP_OK, "master A loads");

	char *s1 = secret_seal("wechat.app_secret", value);
	char *s2 = secret_seal("wechat.app_secret", value);
	char head[16];
	snprintf(head, sizeof head, "v2:%s:", secret_master_id(secret_own_master()));
	ok(s1 != NULL && strncmp(s1, head, 12) == 0, "sealed value starts with v2:<key id>:");
	ok(s1 && strstr(s1, value) == NULL && strstr(s1, "wx-app") == NULL,
	   "sealed text does not contain the plaintext");
	is_int(s1 ? strlen(s1) : 0, 12 + 4 * ((12 + strlen(value) + 16 + 2) / 3),
	       "length is v2:<id>: + base64(iv 12 + n + tag 16)");
	ok(s1 && s2 && strcmp(s1, s2) != 0, "two seals of one value differ (random IV)");
	char *o1 = secret_open("wechat.app_secret", s1);
	char *o2 = secret_open("wechat.app_secret", s2);
	is_str(o1, value, "round trip");
	is_str(o2, value, "round trip of the second seal");
	free(o1);
	free(o2);

	/* Empty and long values (a PKCS#8 PEM is ~1.7 KB). */
	char *e = secret_seal("x", "");
	char *eo = secret_open("x", e);
	is_str(eo, "", "empty value round trip");
	free(e);
	free(eo);
	char longv[3000];
	for (size_t i = 0; i < sizeof longv - 1; i++)
		longv[i] = (char)('!' + i % 90);
	longv[sizeof longv - 1] = '\0';
	char *l = secret_seal("wechat.pay_private_key", longv);
	char *lo = secret_open("wechat.pay_private_key", l);
	ok(lo != NULL && strcmp(lo, longv) == 0, "3 KB value round trip");
	free(l);
	free(lo);

	/* The settings key name is the associated data. */
	ok(!opens("wechat.pay_key", s1), "value moved to another key is refused");
	ok(!opens("wechat.app_secreT", s1), "a one-letter change of name is refused");
	ok(!opens("", s1), "empty name is refused");

	/* Tampering anywhere: IV (byte 0), ciphertext (byte 12), tag (last byte). */
	size_t plen = 12 + strlen(value) + 16;
	size_t where[] = { 0, 11, 12, 12 + strlen(value) - 1, plen - 16, plen - 1 };
	const char *what[] = { "iv", "iv end", "ciphertext", "ciphertext end", "tag", "tag end" };
	for (size_t i = 0; i < CAMP_ARRAY_LEN(where); i++) {
		char *t = flip(s1, where[i]);
		ok(t != NULL && !opens("wechat.app_secret", t),
		   "flipped bit in the %s is refused", what[i]);
		free(t);
	}
	char *t1 = truncated(s1, plen - 1);
	ok(!opens("wechat.app_secret", t1), "payload missing its last byte refused");
	free(t1);
	char *t2 = truncated(s1, 27);
	ok(!opens("wechat.app_secret", t2), "27 bytes (shorter than iv+tag) refused");
	free(t2);

	/* Framing. */
	char *v2 = strdup(s1);
	v2[1] = '3';
	ok(!opens("wechat.app_secret", v2), "unknown version v3: refused");
	ok(!opens("wechat.app_secret", s1 + 12), "missing prefix refused");
	v2[1] = '2';
	v2[0] = 'V';
	ok(!opens("wechat.app_secret", v2), "V2: (wrong case) refused");
	v2[0] = 'v';
	v2[3] = v2[3] == '0' ? '1' : '0';
	ok(!opens("wechat.app_secret", v2), "another key id refused");
	char kid[SECRET_KEY_ID_LEN + 1];
	is_int(secret_sealed_key_id(v2, kid), CAMP_OK, "the key id of a sealed value is read");
	ok(strlen(kid) == 8 && strcmp(kid, secret_master_id(secret_own_master())) != 0,
	   "... and names the other key");
	v2[3] = 'G';
	ok(!opens("wechat.app_secret", v2), "a key id that is not hex refused");
	ok(secret_sealed_key_id(v2, kid) != CAMP_OK && *kid == '\0', "... and names no key");
	free(v2);
	ok(!opens("wechat.app_secret", head), "empty payload refused");
	char bad[32];
	snprintf(bad, sizeof bad, "%s!!!!", head);
	ok(!opens("wechat.app_secret", bad), "bad base64 refused");
	ok(!opens("wechat.app_secret", value), "a plaintext value refused");
	ok(!opens("wechat.app_secret", NULL), "NULL refused");

	/* Settings sealed before key ids ("v1:") still open, as settings only. */
	char *old = seal_v1("wechat.pay_key", "old-format-secret");
	char *oo = secret_open("wechat.pay_key", old);
	is_str(oo, "old-format-secret", "a v1: setting opens under the same master key");
	free(oo);
	ok(!opens("wechat.app_secret", old), "a v1: setting moved to another key is refused");
	ok(secret_open_with(secret_own_master(), SECRET_PAYDATA, "wechat.pay_key", old) == NULL,
	   "v1: is never payment data");
	is_int(secret_sealed_key_id(old, kid), CAMP_OK, "a v1: value is sealed");
	is_str(kid, "", "... under no named key");
	free(old);

	/* Payment data: its own derived key. */
	const struct secret_master *own = secret_own_master();
	char *pd = secret_seal_with(own, SECRET_PAYDATA, "camp_member.openid#7", "oPayer");
	char *po = secret_open_with(own, SECRET_PAYDATA, "camp_member.openid#7", pd);
	is_str(po, "oPayer", "payment data round trip");
	free(po);
	ok(secret_open_with(own, SECRET_SETTINGS, "camp_member.openid#7", pd) == NULL,
	   "payment data does not open with the settings key");
	ok(secret_open_with(own, SECRET_PAYDATA, "camp_member.openid#8", pd) == NULL,
	   "payment data moved to another row is refused");
	ok(secret_open_with(own, SECRET_PAYDATA, "payment_record.openid#7", pd) == NULL,
	   "payment data moved to another column is refused");
	ok(secret_open_with(own, SECRET_PAYDATA, "camp_member.openid#7", s1) == NULL,
	   "a setting does not open as payment data");
	free(pd);

	/* Another master key. */
	is_int(secret_load_master(b), CAMP_OK, "master B loads");
	ok(!opens("wechat.app_secret", s1), "another master key cannot open it");
	ok(secret_load_master("/nonexistent") != CAMP_OK, "a failed reload...");
	ok(secret_have_master(), "... keeps the loaded key");
	secret_load_master(a);
	char *back = secret_open("wechat.app_secret", s1);
	is_str(back, value, "master A opens it again");
	free(back);

	secret_forget_master();
	ok(!secret_have_master(), "forget_master drops the key");
	ok(!opens("wechat.app_secret", s1), "nothing opens after forgetting");
	ok(!seals("x", "y"), "nothing seals after forgetting");
	free(s1);
	free(s2);
}

/* Key ids, a second master key (campctl rekey), blind indexes. */
static void test_keys(void)
{
	const char *a = put("ka.key", "0123456789abcdef0123456789abcdef\n", 33);
	const char *b = put("kb.key", "fedcba9876543210fedcba9876543210", 32);
	int rc = 0;
	is_int(secret_load_master(a), CAMP_OK, "master A loads");
	const struct secret_master *own = secret_own_master();
	/* Independent values (Python: hmac/hashlib HKDF-SHA256, no salt). */
	is_str(secret_master_id(own), "1c875212", "key id = hex of HKDF(master, camp-key-id-v1)[0..4]");
	char ix[65], ix2[65];
	is_int(secret_index_with(own, "oABCdef123", ix), CAMP_OK, "index rc");
	is_str(ix, "793928f36af4a5231b34d13dae20799cdbcc5ae1c69af01ada0c24734a4b424a",
	       "index = HMAC-SHA256(HKDF(master, camp-openid-index-v1), value)");
	secret_index_with(own, "oABCdef124", ix2);
	ok(strcmp(ix, ix2) != 0, "another openid, another index");

	struct secret_master *mb = secret_master_read(b, &rc);
	ok(mb != NULL && rc == CAMP_OK, "a second master key is read");
	ok(mb && strlen(secret_master_id(mb)) == 8 && strcmp(secret_master_id(mb), secret_master_id(own)) != 0,
	   "it has another id");
	is_str(secret_master_id(own), "1c875212", "reading it leaves the process's own key alone");
	secret_index_with(mb, "oABCdef123", ix2);
	ok(strcmp(ix, ix2) != 0, "another key, another index of one openid");

	/* rotation: open under the old key, seal under the new one */
	char *s = secret_seal_with(own, SECRET_PAYDATA, "payment_record.callback_data#9", "{\"x\":1}");
	char *plain = secret_open_with(own, SECRET_PAYDATA, "payment_record.callback_data#9", s);
	char *s2 = secret_seal_with(mb, SECRET_PAYDATA, "payment_record.callback_data#9", plain);
	ok(secret_open_with(mb, SECRET_PAYDATA, "payment_record.callback_data#9", s) == NULL,
	   "the new key does not open what the old one sealed");
	ok(secret_open_with(own, SECRET_PAYDATA, "payment_record.callback_data#9", s2) == NULL,
	   "the old key does not open what the new one sealed");
	char *back = secret_open_with(mb, SECRET_PAYDATA, "payment_record.callback_data#9", s2);
	is_str(back, "{\"x\":1}", "the new key opens its own");
	char kid[SECRET_KEY_ID_LEN + 1];
	secret_sealed_key_id(s2, kid);
	is_str(kid, secret_master_id(mb), "the value names the new key");
	free(s);
	free(plain);
	free(s2);
	free(back);
	secret_master_free(mb);

	ok(secret_master_read("/nonexistent/k", &rc) == NULL && rc == CAMP_ENOTFOUND, "missing file");
	ok(secret_master_read(put("kshort", "short", 5), &rc) == NULL && rc == CAMP_EINVAL, "too short");
	ok(secret_master_read(NULL, &rc) == NULL, "no path");
	is_str(secret_master_id(NULL), "", "no key, no id");
	ok(secret_seal_with(NULL, SECRET_PAYDATA, "x", "y") == NULL, "no key, no seal");
	ok(secret_index_with(NULL, "y", ix) != CAMP_OK && ix[0] == '\0', "no key, no index");
	secret_forget_master();
	ok(secret_own_master() == NULL, "forgotten: no own key");
}

int main(void)
{
	/* Line-buffered so the TAP lines survive a sanitizer abort. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp");
		return done_testing();
	}
	test_load();
	test_seal();
	test_keys();
	for (int i = 0; i < npaths; i++)
		unlink(path_buf[i]);
	ok(rmdir(dir) == 0, "temporary directory removed (nothing left behind)");
	return done_testing();
}
