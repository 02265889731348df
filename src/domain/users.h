/* users.h: admin console accounts — sign-in, throttling, and user management. */
#ifndef CAMP_DOMAIN_USERS_H
#define CAMP_DOMAIN_USERS_H

#include "arena.h"

struct db;

#define LOGIN_WINDOW_MIN 15

struct user {
	long long id;
	const char *username;
	const char *real_name;
	const char *role;            /* admin | manager | coach | volunteer */
	const char *status;          /* active | disabled */
	const char *wecom_userid;
	const char *created;         /* "2026-11-22 10:00" Asia/Shanghai */
	const char *last_login;      /* NULL when never */
	const char *password_hash;   /* only from user_find_login */
	int epoch;
};

/* ---- sign-in --------------------------------------------------------- */
/* The active, live user of that name (case-insensitive) with its hash;
 * CAMP_ENOTFOUND otherwise (disabled and deleted users cannot sign in). */
int user_find_login(struct db *d, arena *a, const char *username, struct user *out);
/* Failed attempts in the last LOGIN_WINDOW_MIN minutes (camp_now()) for the
 * lower-cased name since its last success, and for the IP. */
int login_failures(struct db *d, arena *a, const char *lname, const char *ip,
                   long long *user_fails, long long *ip_fails);
int login_record(struct db *d, arena *a, const char *lname, const char *ip, int success);
int user_mark_login(struct db *d, arena *a, long long id, const char *ip);
/* Revokes every session of the user (logout, password change, disable, delete). */
int user_bump_epoch(struct db *d, arena *a, long long id);

/* ---- management ------------------------------------------------------ */
struct user_input {
	const char *username, *password, *role, *status, *wecom_userid, *real_name;
};
/* One message per field (NULL = fine) and their count. */
struct user_errors {
	const char *username, *password, *role, *status, *wecom_userid, *real_name;
	int n;
};

int user_list(struct db *d, arena *a, struct user **out, int *n);
int user_get(struct db *d, arena *a, long long id, struct user *out);  /* live users */
/* Checks every field; editing (id != 0) ignores username and password.
 * self_id is the acting admin: nobody disables or demotes themselves or
 * the last active admin.  CAMP_OK, CAMP_EINVAL (see e) or CAMP_EDB.
 * Call inside the transaction that then writes. */
int user_validate(struct db *d, arena *a, long long id, long long self_id,
                  const struct user_input *in, struct user_errors *e);
int user_create(struct db *d, arena *a, const struct user_input *in, long long *id);
/* Saves role, status, wecom_userid, real_name; disabling revokes sessions. */
int user_update(struct db *d, arena *a, long long id, const struct user_input *in);
/* Why the user may not be deleted by self_id (NULL = may), after locking
 * the admins' rows. */
int user_delete_check(struct db *d, arena *a, long long id, long long self_id,
                      const char **why);
int user_soft_delete(struct db *d, arena *a, long long id);
/* Stores a new hash and revokes every session. */
int user_set_password(struct db *d, arena *a, long long id, const char *hash);

const char *user_status_label(const char *status);   /* 启用 / 禁用 */

/* ---- issue #13: WeCom userids that WeCom refused ------------------------ */
/* A live user whose WeCom userid got nothing: WeCom named it in invaliduser
 * (no such member) or unlicenseduser (no license).  Changing the userid
 * clears it (a trigger), so does the next message that reaches it. */
struct wecom_refusal {
	long long id;
	const char *username, *real_name, *wecom_userid;
	const char *reason;          /* invaliduser | unlicenseduser */
	const char *at;              /* "2026-11-22 10:00" Asia/Shanghai */
};
int user_wecom_refusals(struct db *d, arena *a, struct wecom_refusal **out, int *n);
/* Marks user id (while its userid is still `userid`) as refused for reason,
 * or clears the mark (reason NULL). */
int user_wecom_mark(struct db *d, arena *a, long long id, const char *userid, const char *reason);
const char *user_wecom_refusal_label(const char *reason);

#endif
