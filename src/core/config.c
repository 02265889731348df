/* config.c: the settings registry and its cached, decrypted reads. */
#include "config.h"
#include "camp.h"
#include "db.h"
#include "env.h"
#include "log.h"
#include "secret.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const struct config_key config_keys[] = {
	{ "planet.cookie", "知识星球", "知识星球 Token（Cookie）", 1, NULL },
	{ "planet.group_id", "知识星球", "星球 ID（group_id）", 0, NULL },
	{ "planet.min_interval_ms", "知识星球", "调用间隔（毫秒）", 0, "500" },
	{ "wechat.corp_id", "企业微信", "企业 ID", 0, NULL },
	{ "wechat.agent_id", "企业微信", "应用 AgentId", 0, NULL },
	{ "wechat.app_secret", "企业微信", "应用 Secret", 1, NULL },
	{ "wechat.externalpay_secret", "企业微信", "对外收款应用 Secret", 1, NULL },
	{ "wechat.pay_merchant_id", "微信支付", "商户号", 0, NULL },
	{ "wechat.pay_key", "微信支付", "APIv3 密钥", 1, NULL },
	{ "wechat.pay_appid", "微信支付", "公众号 AppID", 0, NULL },
	{ "wechat.pay_app_secret", "微信支付", "公众号 AppSecret", 1, NULL },
	{ "wechat.pay_merchant_serial", "微信支付", "商户证书序列号", 0, NULL },
	{ "wechat.pay_private_key", "微信支付", "商户 API 私钥（PEM）", 1, NULL },
	{ "wechat.pay_public_key", "微信支付", "微信支付公钥（PEM）", 0, NULL },
	{ "wechat.pay_public_key_id", "微信支付", "微信支付公钥 ID", 0, NULL },
	{ "notification.admin_users", "通知", "通知接收人", 0, "[]" },
	{ "notification.alerts_off", "通知", "应用消息开关", 0, "[]" },
	{ "refund.grace_days", "退款", "宽限天数", 0, "1" },
	{ "security.login_user_limit", "安全", "单用户登录失败上限（15 分钟）", 0, "5" },
	{ "security.login_ip_limit", "安全", "单 IP 登录失败上限（15 分钟）", 0, "20" },
	{ "test.now", "测试", "测试时钟（仅 CAMP_ENV=test）", 0, NULL },
	/* --- issue #16: member notices (official-account template messages) --- */
	{ "notification.tpl_join_remind", "通知", "会员模板消息 ID：进群提醒", 0, NULL },
	{ "notification.tpl_end_remind", "通知", "会员模板消息 ID：结营提醒", 0, NULL },
	{ "notification.tpl_refund_success", "通知", "会员模板消息 ID：退款到账", 0, NULL },
	{ "notification.tpl_bind_remind", "通知", "会员模板消息 ID：绑定提醒", 0, NULL },
	{ "notification.quiet_start", "通知", "会员通知免打扰开始（HH:MM，北京时间）", 0, "22:00" },
	{ "notification.quiet_end", "通知", "会员通知免打扰结束（HH:MM，北京时间）", 0, "08:00" },
};
const size_t config_nkeys = CAMP_ARRAY_LEN(config_keys);

const struct config_key *config_key_find(const char *key)
{
	for (size_t i = 0; i < config_nkeys; i++)
		if (strcmp(config_keys[i].key, key) == 0)
			return &config_keys[i];
	return NULL;
}

struct cached {
	char *key;
	char *value;      /* as stored (sealed for secrets) */
	char *updated;
	char *plain;      /* a secret opened once per load (issue #18: every payment callback read
	                   * seven settings, and opened the merchant's sealed private key, again) */
	int opened;       /* plain is what opening gave (NULL: it did not open) */
};

static struct cached *cache;
static size_t ncache;
static time_t cache_at;   /* real time: the cache ages by the wall clock */

static void cache_clear(void)
{
	for (size_t i = 0; i < ncache; i++) {
		free(cache[i].key);
		free(cache[i].value);
		free(cache[i].updated);
		if (cache[i].plain != NULL) {
			OPENSSL_cleanse(cache[i].plain, strlen(cache[i].plain));
			free(cache[i].plain);
		}
	}
	free(cache);
	cache = NULL;
	ncache = 0;
	cache_at = 0;
}

void config_invalidate(void)
{
	cache_clear();
}

static const struct db_stmt q_all = DB_STMT(
	"SELECT config_key, config_value,"
	" to_char(updated_at, 'YYYY-MM-DD HH24:MI') AS updated"
	" FROM system_config");

static int cache_load(struct db *d)
{
	time_t now = time(NULL);
	if (cache != NULL && now - cache_at < 2)
		return CAMP_OK;
	PGresult *res = db_q_raw(d, &q_all, 0, NULL);
	if (res == NULL)
		return cache != NULL ? CAMP_OK : CAMP_EDB;  /* stale beats nothing */
	cache_clear();
	int n = PQntuples(res);
	cache = calloc((size_t)n + 1, sizeof(*cache));
	if (cache == NULL)
		abort();
	for (int i = 0; i < n; i++) {
		const char *v = db_get(res, i, "config_value");
		cache[i].key = strdup(PQgetvalue(res, i, 0));
		cache[i].value = v ? strdup(v) : NULL;
		cache[i].updated = strdup(PQgetvalue(res, i, 2));
	}
	ncache = (size_t)n;
	cache_at = now;
	PQclear(res);
	return CAMP_OK;
}

static struct cached *cache_find(const char *key)
{
	for (size_t i = 0; i < ncache; i++)
		if (strcmp(cache[i].key, key) == 0)
			return &cache[i];
	return NULL;
}

char *config_get(struct db *d, const char *key)
{
	const struct config_key *k = config_key_find(key);
	if (k == NULL) {
		log_err("config: unknown key %s", key);
		return NULL;
	}
	cache_load(d);
	struct cached *c = cache_find(key);
	if (c == NULL || c->value == NULL || c->value[0] == '\0')
		return k->dflt ? strdup(k->dflt) : NULL;
	if (!k->encrypted)
		return strdup(c->value);
	if (c->opened)
		return c->plain ? strdup(c->plain) : NULL;
	c->opened = 1;
	c->plain = secret_open(key, c->value);
	if (c->plain != NULL)
		return strdup(c->plain);
	/* said once per load of the settings, not on every read */
	char kid[SECRET_KEY_ID_LEN + 1];
	const char *own = secret_master_id(secret_own_master());
	if (secret_sealed_key_id(c->value, kid) == CAMP_OK && *kid && strcmp(kid, own) != 0)
		log_err("config: %s is sealed under master key %s, this process holds %s: after "
		        "`campctl rekey`, install the new key file and restart the process", key, kid,
		        *own ? own : "none");
	else
		log_err("config: %s cannot be decrypted (wrong master key or tampered)", key);
	return NULL;
}

long long config_get_ll(struct db *d, const char *key, long long dflt)
{
	char *v = config_get(d, key);
	if (v == NULL)
		return dflt;
	char *end;
	long long x = strtoll(v, &end, 10);
	if (*v == '\0' || *end != '\0')
		x = dflt;
	free(v);
	return x;
}

char *config_updated_at(struct db *d, const char *key)
{
	cache_load(d);
	const struct cached *c = cache_find(key);
	if (c == NULL || c->value == NULL || c->value[0] == '\0')
		return NULL;
	return strdup(c->updated);
}

static const struct db_stmt q_upsert = DB_STMT(
	"INSERT INTO system_config (config_key, config_value, config_type,"
	"  description, group_name, is_encrypted, updated_by)"
	" VALUES ($1, $2, CASE WHEN $3::boolean THEN 'encrypted' ELSE 'string' END,"
	"  $4, $5, $3::boolean, NULLIF($6, '0')::bigint)"
	" ON CONFLICT (config_key) DO UPDATE SET config_value = EXCLUDED.config_value,"
	"  config_type = EXCLUDED.config_type, is_encrypted = EXCLUDED.is_encrypted,"
	"  updated_by = EXCLUDED.updated_by");

int config_set(struct db *d, const char *key, const char *value, long long user_id)
{
	const struct config_key *k = config_key_find(key);
	if (k == NULL || value == NULL)
		return CAMP_EINVAL;
	if (strcmp(key, "test.now") == 0 && !camp_env()->is_test)
		return CAMP_EINVAL;
	char *stored = NULL;
	if (k->encrypted && value[0] != '\0') {
		stored = secret_seal(key, value);
		if (stored == NULL)
			return CAMP_ECRYPTO;
	}
	char uid[24];
	snprintf(uid, sizeof(uid), "%lld", user_id);
	const char *p[] = { key, stored ? stored : value, k->encrypted ? "t" : "f",
	                    k->label, k->group, uid };
	PGresult *res = db_q_raw(d, &q_upsert, 6, p);
	free(stored);
	if (res == NULL)
		return CAMP_EDB;
	PQclear(res);
	cache_clear();
	return CAMP_OK;
}
