/* env.h: process configuration read once from the environment. */
#ifndef CAMP_ENV_H
#define CAMP_ENV_H

#include <stdbool.h>

struct camp_env {
	const char *env;            /* CAMP_ENV: production | dev | test */
	const char *db_url;         /* CAMP_DB_URL */
	const char *base_url;       /* CAMP_BASE_URL (https origin) */
	const char *master_key_file;/* CAMP_MASTER_KEY_FILE */
	const char *template_dir;   /* CAMP_TEMPLATE_DIR */
	const char *wechatpay_base; /* CAMP_WECHATPAY_BASE_URL */
	const char *wxopen_base;    /* CAMP_WXOPEN_BASE_URL */
	const char *wxapi_base;     /* CAMP_WXAPI_BASE_URL */
	const char *wecom_base;     /* CAMP_WECOM_BASE_URL */
	const char *zsxq_base;      /* CAMP_ZSXQ_BASE_URL */
	const char *ca_file;        /* CAMP_CA_FILE (dev/test only) */
	bool is_test;
	bool is_production;
};

/* Loads the variables (with production defaults for the provider hosts). */
const struct camp_env *camp_env_load(void);
const struct camp_env *camp_env(void);

#endif
