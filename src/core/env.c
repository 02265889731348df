/* env.c: process configuration from the environment (systemd EnvironmentFile). */
#include "env.h"

#include <stdlib.h>
#include <string.h>

static struct camp_env E;
static int loaded;

static const char *get(const char *name, const char *dflt)
{
	const char *v = getenv(name);
	return (v != NULL && *v != '\0') ? v : dflt;
}

const struct camp_env *camp_env_load(void)
{
	E.env = get("CAMP_ENV", "production");
	E.db_url = get("CAMP_DB_URL", "postgresql:///camp");
	E.base_url = get("CAMP_BASE_URL", "https://localhost");
	E.master_key_file = get("CAMP_MASTER_KEY_FILE", "/etc/camp-deposit/master.key");
	E.template_dir = get("CAMP_TEMPLATE_DIR", TEMPLATE_DIR_DEFAULT);
	E.wechatpay_base = get("CAMP_WECHATPAY_BASE_URL", "https://api.mch.weixin.qq.com");
	E.wxopen_base = get("CAMP_WXOPEN_BASE_URL", "https://open.weixin.qq.com");
	E.wxapi_base = get("CAMP_WXAPI_BASE_URL", "https://api.weixin.qq.com");
	E.wecom_base = get("CAMP_WECOM_BASE_URL", "https://qyapi.weixin.qq.com");
	E.zsxq_base = get("CAMP_ZSXQ_BASE_URL", "https://api.zsxq.com");
	E.ca_file = get("CAMP_CA_FILE", NULL);
	E.is_test = strcmp(E.env, "test") == 0;
	E.is_production = strcmp(E.env, "production") == 0;
	/* the dev CA is a dev/test convenience: production trusts the system store */
	if (E.is_production)
		E.ca_file = NULL;
	loaded = 1;
	return &E;
}

const struct camp_env *camp_env(void)
{
	return loaded ? &E : camp_env_load();
}
