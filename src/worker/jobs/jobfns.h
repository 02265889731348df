/* jobfns.h: the job functions the registry names, one file each. */
#ifndef CAMP_WORKER_JOBFNS_H
#define CAMP_WORKER_JOBFNS_H

struct job_ctx;

/* camp_status.c: not_started → ongoing → finished by the Shanghai date. */
int job_camp_status(struct job_ctx *c);
/* reconcile_payments.c: lost callbacks applied, expired orders closed. */
int job_reconcile_payments(struct job_ctx *c);

/* refund_list.c: refund proposals (issue #10). */
int job_refund_list(struct job_ctx *c);
/* refunds.c: refund execution and queued audit batches (issue #10). */
int job_refunds(struct job_ctx *c);
/* sync_checkins.c: ZSXQ check-ins → planet_user, checkin_record, member counts and matching. */
int job_sync_checkins(struct job_ctx *c);
/* expire_bindings.c: pending past bind_deadline → expired → manual_review. */
int job_expire_bindings(struct job_ctx *c);
/* notify.c: the staff-alert and robot outbox, with backoff and pacing. */
int job_notify(struct job_ctx *c);

/* zsxq_publish.c: 保存并发布知识星球 (queued with {"camp_id", "user_id"}). */
int job_zsxq_publish(struct job_ctx *c);

/* test_connection.c: 测试连接 (queued with {"provider": "zsxq"|"wecom"|"wechatpay"}). */
int job_test_connection(struct job_ctx *c);

/* books.c: the money invariants and WeChat Pay's trade bill (issue #14); queued or run
 * with {"date": "YYYY-MM-DD"} for one day. */
int job_books(struct job_ctx *c);
/* --- issue #13: WeChat Pay platform certificates --- */
/* wxpay_certs.c: download and keep /v3/certificates, warn before the last one expires. */
int job_wxpay_certs(struct job_ctx *c);
/* --- issue #17: operations --- */
#include "arena.h"
struct db;
/* retention.c: history older than 3 months deleted, settled old camps archived; never money. */
int job_retention(struct job_ctx *c);
/* watchdog.c: dead-man checks, alerts once a day per condition, 工作台 and /metrics figures. */
int job_watchdog(struct job_ctx *c);
/* watchdog.c: free space of the database volume, when this host can see it (every worker
 * calls it every 10 minutes; the watchdog job too). */
void watchdog_sample_volume(struct db *d, arena *a);
/* --- issue #16 --- */
/* reminders.c: PRD §8.1 reminders to members (official account) and staff (WeCom). */
int job_reminders(struct job_ctx *c);

#endif
