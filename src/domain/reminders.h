/* reminders.h: PRD §8.1 reminders to members and staff (job reminders, issue #16). */
#ifndef CAMP_DOMAIN_REMINDERS_H
#define CAMP_DOMAIN_REMINDERS_H

#include <time.h>

#include "arena.h"

struct db;

struct reminder_tally {
	int quiet;           /* inside the quiet hours: nothing was due yet */
	int join, ending, review, refund, bind;   /* member notices (review: camps) queued */
	int unreachable;     /* of those, written 'failed' at once (no openid) */
};

/* Queues every reminder due at now (Asia/Shanghai), once per member and
 * type, never for members who left or were refunded:
 *   join_remind     24 h after paying, not marked 已进群 (+ the list to the camp's coaches)
 *   end_remind      the day before the camp ends (+ a summary to the coaches)
 *   refund_review   the camp ended with proposals awaiting audit (admins, alert)
 *   refund_success  a refund succeeded (amount, when it arrives)
 *   bind_remind     pay-later member, 2 days before the binding deadline
 * During the quiet hours (notification.quiet_start/_end) nothing is queued:
 * due reminders wait until the morning.  One transaction per camp and kind.
 * CAMP_OK or CAMP_EDB. */
int reminders_run(struct db *d, arena *a, time_t now, struct reminder_tally *t);

#endif
