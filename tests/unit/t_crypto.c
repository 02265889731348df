/* t_crypto.c: crypto primitives against published vectors and the openssl CLI. */
#include "tap.h"
#include "../../src/core/camp.h"
#include "../../src/core/crypto.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Decodes hex into a static buffer; test vectors are short. */
static size_t unhex(const char *hex, unsigned char *out)
{
	size_t n = strlen(hex) / 2;
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		sscanf(hex + 2 * i, "%2x", &v);
		out[i] = (unsigned char)v;
	}
	return n;
}

static int eq_hex(const unsigned char *p, size_t n, const char *want)
{
	char got[1024];
	crypto_hex(p, n, got);
	if (strcmp(got, want) != 0) {
		printf("#   got  %s\n#   want %s\n", got, want);
		return 0;
	}
	return 1;
}

static void test_sha256(void)
{
	unsigned char md[32];
	char hex[65];

	crypto_sha256("abc", 3, md);
	ok(eq_hex(md, 32, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
	   "sha256(abc) (FIPS 180-2)");
	crypto_sha256("", 0, md);
	ok(eq_hex(md, 32, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
	   "sha256 of the empty string");
	const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	crypto_sha256_hex(m, strlen(m), hex);
	const char *hexp = hex;   /* is_str wants a pointer, not an array */
	is_str(hexp, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
	       "sha256_hex of the two-block vector, lowercase");
	is_int(strlen(hex), 64, "sha256_hex is 64 characters");
}

static void test_hmac(void)
{
	unsigned char key[131], out[32];
	memset(key, 0x0b, 20);
	is_int(crypto_hmac_sha256(key, 20, "Hi There", 8, out), CAMP_OK, "hmac rc");
	ok(eq_hex(out, 32, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
	   "hmac RFC 4231 case 1");
	const char *d2 = "what do ya want for nothing?";
	crypto_hmac_sha256("Jefe", 4, d2, strlen(d2), out);
	ok(eq_hex(out, 32, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
	   "hmac RFC 4231 case 2");
	memset(key, 0xaa, sizeof key);
	const char *d6 = "Test Using Larger Than Block-Size Key - Hash Key First";
	crypto_hmac_sha256(key, sizeof key, d6, strlen(d6), out);
	ok(eq_hex(out, 32, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
	   "hmac RFC 4231 case 6 (key longer than a block)");
	is_int(crypto_hmac_sha256(NULL, 0, "", 0, out), CAMP_OK, "hmac with an empty key works");
	ok(eq_hex(out, 32, "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"),
	   "hmac('', '')");
}

static void test_equal(void)
{
	ok(crypto_equal("abcdef", "abcdef", 6), "equal buffers compare equal");
	ok(!crypto_equal("abcdef", "abcdeg", 6), "last byte differs");
	ok(!crypto_equal("Xbcdef", "abcdef", 6), "first byte differs");
	ok(crypto_equal("a", "b", 0), "zero length is equal");
}

static void test_hkdf(void)
{
	unsigned char ikm[32], out[8160], out2[32];
	memset(ikm, 0x0b, 22);
	is_int(crypto_hkdf_sha256(ikm, 22, "", out, 42), CAMP_OK, "hkdf rc");
	ok(eq_hex(out, 42, "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
	                   "9d201395faa4b61a96c8"),
	   "hkdf RFC 5869 case 3 (no salt, no info)");
	for (int i = 0; i < 32; i++)
		ikm[i] = (unsigned char)i;
	/* Expected value from: openssl kdf -keylen 32 -kdfopt digest:SHA256
	 *   -kdfopt hexkey:000102…1f -kdfopt info:camp-config-v1 HKDF
	 * and independently from Python's cryptography HKDF(salt=None). */
	crypto_hkdf_sha256(ikm, 32, "camp-config-v1", out, 32);
	ok(eq_hex(out, 32, "592c79fe5370d2a05952beee64728c9cbcb0f69c0104092105d32175a8731780"),
	   "hkdf with the label as info matches openssl kdf");
	crypto_hkdf_sha256(ikm, 32, "camp-jwt-v1", out2, 32);
	ok(!crypto_equal(out, out2, 32), "another label gives another key");
	is_int(crypto_hkdf_sha256(ikm, 32, "x", out, 8160), CAMP_OK, "255*32 bytes is allowed");
	ok(crypto_hkdf_sha256(ikm, 32, "x", out, 8161) != CAMP_OK, "more than 255*32 is refused");
	ok(crypto_hkdf_sha256(ikm, 32, "x", out, 0) != CAMP_OK, "zero length is refused");
}

static void test_b64(void)
{
	static const char *const rfc[][2] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
	};
	for (size_t i = 0; i < CAMP_ARRAY_LEN(rfc); i++) {
		char *e = crypto_b64_encode(rfc[i][0], strlen(rfc[i][0]));
		is_str(e, rfc[i][1], "encode '%s' (RFC 4648)", rfc[i][0]);
		free(e);
		size_t n = 99;
		unsigned char *d = crypto_b64_decode(rfc[i][1], &n);
		ok(d != NULL && n == strlen(rfc[i][0]) && memcmp(d, rfc[i][0], n) == 0,
		   "decode '%s'", rfc[i][1]);
		free(d);
	}

	unsigned char hi[2] = { 0xfb, 0xff };
	char *e = crypto_b64_encode(hi, 2);
	is_str(e, "+/8=", "standard alphabet uses + and /");
	free(e);

	/* Every byte value at every length up to 300 survives a round trip. */
	unsigned char all[300];
	for (size_t i = 0; i < sizeof all; i++)
		all[i] = (unsigned char)(i * 7 + 3);
	int bad = 0;
	for (size_t len = 0; len <= sizeof all; len++) {
		char *s = crypto_b64_encode(all, len);
		size_t n = 0;
		unsigned char *d = s ? crypto_b64_decode(s, &n) : NULL;
		if (d == NULL || n != len || memcmp(d, all, len) != 0 ||
		    strlen(s) != 4 * ((len + 2) / 3))
			bad++;
		free(s);
		free(d);
	}
	is_int(bad, 0, "round trips of lengths 0..300");

	static const char *const rejects[] = {
		"WECHATPAY/SIGNTEST/abc",    /* WeChat's probe: length 22 */
		"WECHATPAY/SIGNTEST/xyz=",   /* '=' not closing a valid group */
		"Zg=", "Zg", "Z", "Zm9vY",   /* length not a multiple of 4 */
		"Zm9v\n", "Zm 9v", "Zm9v Zg==",  /* whitespace */
		"Zm-v", "Zm_v",              /* URL-safe alphabet */
		"Zm9v!A==", "Zm\x80v",       /* characters outside the alphabet */
		"Z===", "====", "=Zg=", "Zg==Zg==", "Zm=v", "Z=9v",  /* misplaced padding */
		"Zh==", "Zm9=",              /* non-zero bits under the padding */
	};
	for (size_t i = 0; i < CAMP_ARRAY_LEN(rejects); i++) {
		size_t n = 42;
		unsigned char *d = crypto_b64_decode(rejects[i], &n);
		ok(d == NULL, "decode refuses #%zu", i);
		free(d);
	}
	size_t n;
	ok(crypto_b64_decode(NULL, &n) == NULL, "decode refuses NULL");
	/* every byte: the 64 of the alphabet decode, every other one is refused */
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	int wrong = 0;
	for (int c = 1; c < 256; c++) {
		char s[5] = { 'Z', 'm', '9', (char)c, '\0' };
		unsigned char *d = crypto_b64_decode(s, &n);
		const char *at = c == '=' ? NULL : strchr(alphabet, c);
		if (at != NULL ? d == NULL || n != 3 || (d[2] & 0x3f) != at - alphabet : c != '=' && d != NULL)
			wrong++;
		free(d);
	}
	is_int(wrong, 0, "each of the 255 bytes decodes to its value or is refused");
}

static int all_in(const char *s, const char *set)
{
	return strspn(s, set) == strlen(s);
}

static void test_random(void)
{
	unsigned char a[32], b[32];
	is_int(crypto_random(a, sizeof a), CAMP_OK, "random rc");
	crypto_random(b, sizeof b);
	ok(!crypto_equal(a, b, sizeof a), "two random draws differ");

	char s[40], t[40];
	memset(s, 'Z', sizeof s);
	is_int(crypto_random_alnum(s, 32), CAMP_OK, "alnum rc");
	is_int(strlen(s), 32, "alnum gives exactly n characters");
	ok(all_in(s, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"),
	   "alnum uses [0-9A-Za-z] only");
	crypto_random_alnum(t, 32);
	ok(strcmp(s, t) != 0, "two nonces differ");

	/* 32 * 1000 draws: each of the 62 characters shows up. */
	int seen[256] = { 0 }, missing = 0;
	for (int i = 0; i < 1000; i++) {
		crypto_random_alnum(s, 32);
		for (int j = 0; j < 32; j++)
			seen[(unsigned char)s[j]]++;
	}
	for (const char *c = "09AZaz"; *c; c++)
		missing += seen[(unsigned char)*c] == 0;
	is_int(missing, 0, "alphabet ends are reachable");

	char tok[36], tok2[36];
	is_int(crypto_token("tk_", tok, sizeof tok), CAMP_OK, "token rc");
	is_int(strlen(tok), 35, "token is tk_ + 32 characters");
	ok(strncmp(tok, "tk_", 3) == 0 && all_in(tok + 3, "0123456789abcdef"),
	   "token is lowercase hex after the prefix");
	crypto_token("tk_", tok2, sizeof tok2);
	ok(strcmp(tok, tok2) != 0, "two tokens differ");
	is_int(crypto_token("tk_", tok, 35), CAMP_ETOOBIG, "35-byte buffer is too small");
	const char *tokp = tok;
	is_str(tokp, "", "a refused token leaves an empty string");
	is_int(crypto_token("", tok, 33), CAMP_OK, "empty prefix fits in 33");
	is_int(strlen(tok), 32, "empty prefix: 32 hex characters");
}

static void test_gcm(void)
{
	unsigned char key[32], iv[12], iv8[8], aad[20], pt[60], ct[60], tag[16], out[60];
	unsigned char want_ct[60], want_tag[16];

	/* McGrew & Viega, "The GCM Mode of Operation", test case 16. */
	unhex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308", key);
	unhex("cafebabefacedbaddecaf888", iv);
	unhex("feedfacedeadbeeffeedfacedeadbeefabaddad2", aad);
	unhex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
	      "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39", pt);
	unhex("522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
	      "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662", want_ct);
	unhex("76fc6ece0f4e1768cddf8853bb2d551b", want_tag);

	is_int(crypto_gcm_encrypt(key, iv, aad, 20, pt, 60, ct, tag), CAMP_OK, "gcm encrypt rc");
	ok(memcmp(ct, want_ct, 60) == 0, "gcm test case 16 ciphertext");
	ok(memcmp(tag, want_tag, 16) == 0, "gcm test case 16 tag");
	is_int(crypto_gcm_decrypt(key, iv, 12, aad, 20, want_ct, 60, want_tag, out), CAMP_OK,
	       "gcm test case 16 decrypts");
	ok(memcmp(out, pt, 60) == 0, "gcm test case 16 plaintext");

	/* Test case 17: same key and data, 8-byte IV (decrypt takes any IV length). */
	unhex("cafebabefacedbad", iv8);
	unhex("c3762df1ca787d32ae47c13bf19844cbaf1ae14d0b976afac52ff7d79bba9de0"
	      "feb582d33934a4f0954cc2363bc73f7862ac430e64abe499f47c9b1f", want_ct);
	unhex("3a337dbf46a792c45e454913fe2ea8f2", want_tag);
	is_int(crypto_gcm_decrypt(key, iv8, 8, aad, 20, want_ct, 60, want_tag, out), CAMP_OK,
	       "gcm test case 17 (8-byte IV) decrypts");
	ok(memcmp(out, pt, 60) == 0, "gcm test case 17 plaintext");
	ok(crypto_gcm_decrypt(key, iv8, 0, aad, 20, want_ct, 60, want_tag, out) != CAMP_OK,
	   "empty IV refused");

	/* Test case 13: zero key and IV, empty plaintext and AAD (tag only). */
	unsigned char zkey[32] = { 0 }, ziv[12] = { 0 };
	is_int(crypto_gcm_encrypt(zkey, ziv, NULL, 0, NULL, 0, NULL, tag), CAMP_OK,
	       "gcm of nothing");
	ok(eq_hex(tag, 16, "530f8afbc74536b9a963b4f1c4cb738b"), "gcm test case 13 tag");
	is_int(crypto_gcm_decrypt(zkey, ziv, 12, NULL, 0, NULL, 0, tag, NULL), CAMP_OK,
	       "empty message with the right tag opens");

	/* Tampering: each one must be refused and leave no plaintext behind. */
	crypto_gcm_encrypt(key, iv, aad, 20, pt, 60, ct, tag);
	struct { const char *what; int field; } cases[] = {
		{ "ciphertext", 0 }, { "tag", 1 }, { "aad", 2 }, { "iv", 3 }, { "key", 4 },
	};
	for (size_t i = 0; i < CAMP_ARRAY_LEN(cases); i++) {
		unsigned char c2[60], t2[16], a2[20], i2[12], k2[32];
		memcpy(c2, ct, 60); memcpy(t2, tag, 16); memcpy(a2, aad, 20);
		memcpy(i2, iv, 12); memcpy(k2, key, 32);
		unsigned char *victim[] = { c2 + 30, t2 + 15, a2, i2 + 11, k2 + 31 };
		*victim[cases[i].field] ^= 0x01;
		memset(out, 0xee, sizeof out);
		int rc = crypto_gcm_decrypt(k2, i2, 12, a2, 20, c2, 60, t2, out);
		is_int(rc, CAMP_ECRYPTO, "flipped bit in the %s is refused", cases[i].what);
		unsigned char zero[60] = { 0 };
		ok(memcmp(out, zero, 60) == 0, "refused %s: output wiped", cases[i].what);
	}
	ok(crypto_gcm_decrypt(key, iv, 12, NULL, 0, ct, 60, tag, out) != CAMP_OK,
	   "missing aad is refused");
	ok(crypto_gcm_decrypt(key, iv, 12, aad, 20, ct, 59, tag, out) != CAMP_OK,
	   "truncated ciphertext is refused");
}

/* ---- RSA, with keys and cross-checks from the openssl command line ---- */

static char dir[] = "/tmp/t_crypto.XXXXXX";
static const char *const files[] = {
	"key.pem", "pub.pem", "cert.pem", "key2.pem", "pub2.pem", "key1024.pem",
	"pub1024.pem", "enc.pem", "trad.pem", "msg.txt", "msg2.txt", "cli.sig",
	"cli.b64", "our.b64", "our.sig", "sig1024.bin", "sig1024.b64",
};

/* Runs a shell command (file names are relative to dir); returns its exit
 * status and prints its output as TAP comments when it fails. */
__attribute__((format(printf, 1, 2)))
static int sh(const char *fmt, ...)
{
	char cmd[2048], line[512];
	int off = snprintf(cmd, sizeof cmd, "cd %s && (", dir);
	va_list ap;
	va_start(ap, fmt);
	off += vsnprintf(cmd + off, sizeof cmd - (size_t)off, fmt, ap);
	va_end(ap);
	snprintf(cmd + off, sizeof cmd - (size_t)off, ") 2>&1");
	FILE *p = popen(cmd, "r");
	if (p == NULL)
		return -1;
	char outbuf[4096] = "";
	while (fgets(line, sizeof line, p) != NULL)
		if (strlen(outbuf) + strlen(line) < sizeof outbuf)
			strcat(outbuf, line);
	int st = pclose(p);
	int rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	if (rc != 0) {
		printf("# $ %s\n", cmd);
		for (char *l = strtok(outbuf, "\n"); l != NULL; l = strtok(NULL, "\n"))
			printf("#   %s\n", l);
	}
	return rc;
}

static char *slurp(const char *name, size_t *len)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	char *s = NULL;
	size_t n = 0, cap = 0;
	int c;
	while ((c = fgetc(f)) != EOF) {
		if (n + 1 >= cap) {
			cap = cap ? cap * 2 : 4096;
			s = realloc(s, cap);
		}
		s[n++] = (char)c;
	}
	fclose(f);
	if (s == NULL)
		s = calloc(1, 1);
	else
		s[n] = '\0';
	if (len)
		*len = n;
	return s;
}

static void spit(const char *name, const void *p, size_t n)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (f != NULL) {
		fwrite(p, 1, n, f);
		fclose(f);
	}
}

static void chomp(char *s)
{
	size_t n = s ? strlen(s) : 0;
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
}

static void cleanup_dir(void)
{
	char path[256];
	for (size_t i = 0; i < CAMP_ARRAY_LEN(files); i++) {
		snprintf(path, sizeof path, "%s/%s", dir, files[i]);
		unlink(path);
	}
	ok(rmdir(dir) == 0, "temporary directory removed (nothing left behind)");
}

/* 1 when signing with pem produced a signature; frees it. */
static int signs(const char *pem, const char *msg, size_t n)
{
	char *sig = crypto_rsa_sign_b64(pem, msg, n);
	int made = sig != NULL;
	free(sig);
	return made;
}

static void test_rsa(void)
{
	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp");
		return;
	}
	const char *gen = "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:";
	int setup =
		sh("%s2048 -out key.pem", gen) == 0 &&
		sh("openssl pkey -in key.pem -pubout -out pub.pem") == 0 &&
		sh("openssl req -x509 -new -key key.pem -subj /CN=camp-test -days 1 -out cert.pem") == 0 &&
		sh("%s2048 -out key2.pem && openssl pkey -in key2.pem -pubout -out pub2.pem", gen) == 0 &&
		sh("%s1024 -out key1024.pem && openssl pkey -in key1024.pem -pubout -out pub1024.pem", gen) == 0 &&
		sh("%s2048 -aes256 -pass pass:secret -out enc.pem", gen) == 0 &&
		sh("openssl pkey -in key.pem -traditional -out trad.pem") == 0;
	if (!ok(setup, "openssl CLI made the test keys and certificate")) {
		cleanup_dir();
		return;
	}
	char *key = slurp("key.pem", NULL), *pub = slurp("pub.pem", NULL);
	char *cert = slurp("cert.pem", NULL), *key2 = slurp("key2.pem", NULL);
	char *pub2 = slurp("pub2.pem", NULL), *key1024 = slurp("key1024.pem", NULL);
	char *pub1024 = slurp("pub1024.pem", NULL), *enc = slurp("enc.pem", NULL);
	char *trad = slurp("trad.pem", NULL);
	ok(strstr(key, "BEGIN PRIVATE KEY") != NULL, "the key is PKCS#8 like apiclient_key.pem");
	ok(strstr(cert, "BEGIN CERTIFICATE") != NULL, "the certificate is PEM");

	/* A WeChat Pay request message: five lines, each ending in \n. */
	const char *msg = "POST\n/v3/pay/transactions/jsapi\n1554208460\n"
	                  "593BEC0C930BF1AFEB40B4A08C8FB242\n{\"appid\":\"wx1\",\"amount\":{\"total\":100}}\n";
	size_t mlen = strlen(msg);

	char *sig = crypto_rsa_sign_b64(key, msg, mlen);
	ok(sig != NULL, "sign with the PKCS#8 key");
	size_t rawlen = 0;
	unsigned char *raw = sig ? crypto_b64_decode(sig, &rawlen) : NULL;
	is_int(rawlen, 256, "a 2048-bit signature is 256 bytes");
	is_int(crypto_rsa_verify_b64(pub, msg, mlen, sig), CAMP_OK, "verify with the SPKI public key");
	is_int(crypto_rsa_verify_b64(cert, msg, mlen, sig), CAMP_OK, "verify with a certificate");

	char *modified = strdup(msg);
	modified[mlen - 3] ^= 1;
	is_int(crypto_rsa_verify_b64(pub, modified, mlen, sig), CAMP_ECRYPTO, "modified message refused");
	is_int(crypto_rsa_verify_b64(pub, msg, mlen - 1, sig), CAMP_ECRYPTO, "truncated message refused");
	is_int(crypto_rsa_verify_b64(pub2, msg, mlen, sig), CAMP_ECRYPTO, "another key refuses it");
	is_int(crypto_rsa_verify_b64(key, msg, mlen, sig), CAMP_ECRYPTO,
	       "a private key is not accepted as the public key");
	if (raw != NULL) {
		raw[100] ^= 0x80;
		char *flipped = crypto_b64_encode(raw, rawlen);
		is_int(crypto_rsa_verify_b64(pub, msg, mlen, flipped), CAMP_ECRYPTO,
		       "signature with one flipped bit refused");
		free(flipped);
		crypto_random(raw, rawlen);
		char *garbage = crypto_b64_encode(raw, rawlen);
		is_int(crypto_rsa_verify_b64(pub, msg, mlen, garbage), CAMP_ECRYPTO,
		       "random 256-byte signature refused");
		free(garbage);
	}
	static const char *const probes[] = {
		"WECHATPAY/SIGNTEST/abc", "WECHATPAY/SIGNTEST/x", "WECHATPAY/SIGNTEST/xyz=",
		"", "AAAA", "not base64 at all!",
	};
	for (size_t i = 0; i < CAMP_ARRAY_LEN(probes); i++)
		is_int(crypto_rsa_verify_b64(pub, msg, mlen, probes[i]), CAMP_ECRYPTO,
		       "probe signature '%s' refused", probes[i]);
	is_int(crypto_rsa_verify_b64(pub, msg, mlen, NULL), CAMP_ECRYPTO, "NULL signature refused");
	is_int(crypto_rsa_verify_b64(NULL, msg, mlen, sig), CAMP_ECRYPTO, "NULL key refused");
	is_int(crypto_rsa_verify_b64("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
	                             msg, mlen, sig), CAMP_ECRYPTO, "garbage PEM refused");

	ok(!signs(pub, msg, mlen), "cannot sign with a public key");
	ok(!signs("junk", msg, mlen), "cannot sign with junk");
	ok(!signs(enc, msg, mlen),
	   "an encrypted key fails at once instead of prompting for a passphrase");
	ok(!signs(key1024, msg, mlen), "a 1024-bit key is refused for signing");
	char *tsig = crypto_rsa_sign_b64(trad, msg, mlen);
	is_str(tsig, sig, "a traditional 'RSA PRIVATE KEY' PEM signs the same");
	free(tsig);
	char *esig = crypto_rsa_sign_b64(key, "", 0);
	is_int(crypto_rsa_verify_b64(pub, "", 0, esig), CAMP_OK, "empty message signs and verifies");
	free(esig);

	/* Cross-check 1: the CLI signs, we verify.  PKCS#1 v1.5 is
	 * deterministic, so both signatures must also be the same bytes. */
	spit("msg.txt", msg, mlen);
	spit("msg2.txt", modified, mlen);
	int cli = sh("openssl dgst -sha256 -sign key.pem -out cli.sig msg.txt && "
	             "openssl base64 -A -in cli.sig -out cli.b64") == 0;
	ok(cli, "openssl dgst -sign ran");
	char *clib64 = slurp("cli.b64", NULL);
	chomp(clib64);
	is_int(crypto_rsa_verify_b64(pub, msg, mlen, clib64), CAMP_OK,
	       "signature from openssl dgst -sign verifies");
	is_int(crypto_rsa_verify_b64(cert, msg, mlen, clib64), CAMP_OK,
	       "... also through the certificate");
	is_str(sig, clib64, "our signature equals the CLI's byte for byte");

	/* Cross-check 2: we sign, the CLI verifies (and refuses a changed file). */
	spit("our.b64", sig, sig ? strlen(sig) : 0);
	is_int(sh("openssl base64 -d -A -in our.b64 -out our.sig && "
	          "openssl dgst -sha256 -verify pub.pem -signature our.sig msg.txt"), 0,
	       "openssl dgst -verify accepts our signature");
	printf("# the next command is expected to fail\n");
	ok(sh("openssl dgst -sha256 -verify pub.pem -signature our.sig msg2.txt") != 0,
	   "openssl dgst -verify refuses it for another message");

	/* A weak key is refused on the verify side too, even with a valid signature. */
	sh("openssl dgst -sha256 -sign key1024.pem -out sig1024.bin msg.txt && "
	   "openssl base64 -A -in sig1024.bin -out sig1024.b64");
	char *s1024 = slurp("sig1024.b64", NULL);
	chomp(s1024);
	is_int(crypto_rsa_verify_b64(pub1024, msg, mlen, s1024), CAMP_ECRYPTO,
	       "a valid signature by a 1024-bit key is refused");

	free(s1024); free(clib64); free(modified); free(raw); free(sig);
	free(key); free(pub); free(cert); free(key2); free(pub2);
	free(key1024); free(pub1024); free(enc); free(trad);
	cleanup_dir();
}

int main(void)
{
	/* Line-buffered so the TAP lines survive a sanitizer abort. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_sha256();
	test_hmac();
	test_equal();
	test_hkdf();
	test_b64();
	test_random();
	test_gcm();
	test_rsa();
	return done_testing();
}
