/* alerts.h: staff alerts — one table of alert types, one place that decides who hears what. */
#ifndef CAMP_DOMAIN_ALERTS_H
#define CAMP_DOMAIN_ALERTS_H

#include "arena.h"

struct db;

/* Every alert the system sends to staff.  `name` is notification_message's
 * message_type; `label` is what the 系统配置 page shows next to its switch.
 * A type with `always` set is not switchable and goes to every active admin
 * (security notices: the people who can act on them must hear of them). */
struct alert_type {
	const char *name;
	const char *label;
	int always;
};

extern const struct alert_type alert_types[];
extern const size_t alert_ntypes;
const struct alert_type *alert_type_find(const char *name);

/* One alert.  camp_id/member_id 0 = none.  once_key NULL = queue it every
 * time; otherwise it is queued at most once per once_key and recipient (put
 * the Shanghai date in the key for "once a day": "zsxq-token:2026-11-30"). */
struct alert {
	const char *type;
	const char *title;
	const char *content;
	long long camp_id, member_id;
	const char *once_key;
};

/* Queues the alert (WeCom app message, notify job) in the caller's
 * transaction when one is open.  Recipients: the staff listed in
 * notification.admin_users, or every active admin when that list is empty;
 * for the types alert_to_coaches() names, the active coaches of camp_id;
 * nobody when the type is switched off (notification.alerts_off).
 * *queued (may be NULL) = rows written.  CAMP_OK, CAMP_EINVAL for an
 * unknown type, CAMP_EDB. */
int alert_staff(struct db *d, arena *a, const struct alert *al, long *queued);

/* 1 for the types that go to the coaches of the alert's camp instead of the
 * admins (issue #16: reminders the coaches act on). */
int alert_to_coaches(const char *type);

/* 1 when the type is switched on (always-types are always on). */
int alert_enabled(struct db *d, const char *type);

#endif
