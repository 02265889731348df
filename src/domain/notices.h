/* notices.h: what members are told (official-account template messages), their quiet
 * hours, who could not be reached, and the group robot's packed messages (issue #16). */
#ifndef CAMP_DOMAIN_NOTICES_H
#define CAMP_DOMAIN_NOTICES_H

#include <stddef.h>
#include <time.h>

#include "arena.h"

struct db;

/* The notices a member gets (notification_message.message_type, channel 'mp');
 * template_key is the setting holding the official account's template id. */
struct notice_type {
	const char *name;
	const char *label;
	const char *template_key;
};
extern const struct notice_type notice_types[];
extern const size_t notice_ntypes;
const struct notice_type *notice_type_find(const char *name);

/* "HH:MM" (00:00–23:59) → minutes after midnight.  CAMP_OK or CAMP_EINVAL. */
int notice_parse_hhmm(const char *s, int *minutes);
/* 1 when minute-of-day m lies in [from, to), wrapping past midnight when
 * from > to (22:00–08:00); from == to means no quiet hours. */
int notice_quiet_at(int m, int from, int to);
/* 1 when now (Asia/Shanghai) lies in the configured quiet hours
 * (notification.quiet_start/_end); *until (may be NULL) = when they end. */
int notice_quiet(struct db *d, time_t now, time_t *until);
/* The next end of the quiet hours after now (a daily quota is used up: try
 * again then). */
time_t notice_next_morning(struct db *d, time_t now);

/* One member notice, queued in the caller's transaction at most once per
 * member and type.  A member without an openid cannot be reached: the row
 * is written 'failed' at once, so the member's own pages show it.
 * *queued = 1 when a row was written (may be NULL).  CAMP_OK or CAMP_EDB. */
struct member_notice_in {
	const char *type;            /* a notice_types name */
	long long member_id, camp_id;
	const char *title, *content;
	const char *url;             /* where the message leads; NULL = none */
	int reachable;               /* the member has an openid (sealed) */
};
int notice_member_queue(struct db *d, arena *a, const struct member_notice_in *n, int *queued);

/* The notices of one member, newest first: member notices plus the staff
 * messages and robot notices about the member (detail page); with
 * undelivered_only, only member notices that did not reach the member
 * (ticket and progress pages). */
struct member_notice {
	const char *type, *label, *title, *content, *channel, *recipient;
	const char *created, *sent, *status, *error;
};
int notice_member_list(struct db *d, arena *a, long long member_id, int undelivered_only,
                       struct member_notice **out, int *n);
/* The camp's members still enrolled whose notices could not reach them
 * (camp page, members tab), newest first. */
struct notice_unreachable {
	long long member_id;
	const char *nickname, *label, *error, *created;
};
int notice_unreachable_list(struct db *d, arena *a, long long camp_id,
                            struct notice_unreachable **out, int *n);
const char *notice_status_label(const char *send_status);   /* 已送达 … */
const char *notice_channel_label(const char *channel);      /* 公众号模板消息 … */

/* ---- group robot: many notices in a few messages ------------------------ */
#define NOTICE_ROBOT_MAX_BYTES 4096   /* WeCom's limit for a robot markdown message */
/* A line made inert for WeCom's markdown: the characters that would format,
 * link or @-mention (* _ ` [ ] < > #) become their full-width twins. */
const char *notice_robot_line(arena *a, const char *line);
/* How many of lines[from..n) fit after header in one message of at most max
 * bytes ("header\nline\nline…"); at least 1 (an oversize line goes alone and
 * is cut by notice_robot_text). */
int notice_robot_fit(const char *header, const char **lines, int from, int n, size_t max);
/* The message of lines[from..from+k) (malloc'd), cut to max bytes on a
 * UTF-8 boundary. */
char *notice_robot_text(const char *header, const char **lines, int from, int k, size_t max);

#endif
