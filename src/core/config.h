/* config.h: settings in system_config, secrets sealed with secret.h. */
#ifndef CAMP_CONFIG_H
#define CAMP_CONFIG_H

#include <stddef.h>

struct db;

struct config_key {
	const char *key;
	const char *group;     /* 知识星球, 企业微信, 微信支付, 通知, 退款, 安全 */
	const char *label;     /* what the settings page shows */
	int encrypted;         /* (e) in ARCHITECTURE §4 */
	const char *dflt;      /* NULL = unset */
};

extern const struct config_key config_keys[];
extern const size_t config_nkeys;
const struct config_key *config_key_find(const char *key);

/* The plain value (decrypted), the default when unset, or NULL.  malloc'd.
 * Reads go through a per-process cache refreshed every 2 seconds, so a value
 * saved by one process takes effect in all of them within seconds. */
char *config_get(struct db *d, const char *key);
long long config_get_ll(struct db *d, const char *key, long long dflt);
/* Stores value (sealing it when the key is encrypted).  user_id 0 = system.
 * Unknown keys are refused with CAMP_EINVAL.  Runs in the caller's
 * transaction when one is open. */
int config_set(struct db *d, const char *key, const char *value, long long user_id);
/* When the key was last updated ("2026-11-22 10:00"), NULL when never set.  malloc'd. */
char *config_updated_at(struct db *d, const char *key);
void config_invalidate(void);

#endif
