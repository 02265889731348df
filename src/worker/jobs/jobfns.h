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

#endif
