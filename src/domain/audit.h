/* audit.h: the operation log — one row per sensitive action, in the action's transaction. */
#ifndef CAMP_DOMAIN_AUDIT_H
#define CAMP_DOMAIN_AUDIT_H

#include "arena.h"

struct db;

/* What happened, who did it and from where.  NULL strings are stored as
 * NULL (operator_name defaults to "system", description to the type). */
struct audit {
	long long operator_id;      /* 0 = system / job */
	const char *operator_name;
	const char *type;           /* LOGIN, CREATE_USER, UPDATE_CONFIG … */
	const char *desc;           /* Chinese, for people; never a secret */
	const char *target_type;    /* user, config, camp … */
	long long target_id;        /* 0 = none */
	const char *target_name;
	const char *ip;             /* nginx REMOTE_ADDR */
	const char *user_agent;
	const char *request_id;
	const char *url;
	const char *method;
	int failed;                 /* 0 = success */
	const char *error;
};

/* Writes one operation_log row (created_at = camp_now()).  Call it inside
 * the transaction of the action it records.  CAMP_OK or CAMP_EDB. */
int audit_log(struct db *d, arena *a, const struct audit *e);

/* A filtered page of the log (newest first). */
struct audit_filter {
	long long operator_id;      /* 0 = any */
	const char *type;           /* NULL = any */
	const char *from, *to;      /* "YYYY-MM-DD" Asia/Shanghai, inclusive; NULL = open */
	long limit, offset;         /* limit 0 = every row (export) */
};

struct audit_row {
	const char *time;           /* "2026-11-22 10:00:00" Asia/Shanghai */
	long long operator_id;
	const char *operator_name, *type, *desc, *target_type, *target_name;
	long long target_id;
	const char *ip, *user_agent, *request_id;
	int success;
};

int audit_list(struct db *d, arena *a, const struct audit_filter *f,
               struct audit_row **out, int *n, long long *total);
/* The distinct operation types seen, for the filter menu. */
int audit_types(struct db *d, arena *a, const char ***out, int *n);
/* The Chinese label of an operation type ("LOGIN" → "登录"), or the type itself. */
const char *audit_type_label(const char *type);

#endif
