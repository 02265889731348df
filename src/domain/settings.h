/* settings.h: the rules for values saved on the 系统配置 page. */
#ifndef CAMP_DOMAIN_SETTINGS_H
#define CAMP_DOMAIN_SETTINGS_H

#include "arena.h"

struct db;

/* NULL when value is acceptable for key, else a Chinese message for the
 * field.  *err_db set when the check could not reach the database. */
const char *settings_check(struct db *d, arena *a, const char *key, const char *value,
                           int *err_db);
/* 1 for keys whose change needs the admin's password and alerts admins. */
int settings_is_payment(const char *key);
/* 1 for keys edited in a multi-line box (PEM). */
int settings_is_multiline(const char *key);
/* Queues a config_changed message to every active admin (WeChat channel). */
int settings_alert_admins(struct db *d, arena *a, const char *title, const char *content);

#endif
