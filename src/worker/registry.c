/* registry.c: every job camp-worker knows, with its schedule (ARCHITECTURE §7). */
#include "worker.h"
#include "jobs/jobfns.h"

#include <string.h>

/* Only jobs that exist are listed; the others of §7 join as their issues land. */
const struct job_def job_defs[] = {
	{ "camp-status", job_camp_status, { SCHED_DAILY, 0 * 60 + 5, 1 }, "训练营状态更新" },
	{ "reconcile-payments", job_reconcile_payments, { SCHED_EVERY, 60, 0 }, "支付对账" },
	/* --- refunds (issue #10) --- */
	{ "refund-list", job_refund_list, { SCHED_NONE, 0, 0 }, "生成退款名单" },
	{ "refunds", job_refunds, { SCHED_EVERY, 1, 0 }, "执行退款" },
	/* issue #9 */
	{ "sync-checkins", job_sync_checkins, { SCHED_DAILY, 1 * 60, 0 }, "打卡同步" },
	{ "expire-bindings", job_expire_bindings, { SCHED_EVERY, 60, 0 }, "绑定超期处理" },
	{ "notify", job_notify, { SCHED_EVERY, 1, 0 }, "通知发送" },
	{ "zsxq-publish", job_zsxq_publish, { SCHED_NONE, 0, 0 }, "发布到知识星球" },
	{ "test-connection", job_test_connection, { SCHED_NONE, 0, 0 }, "测试连接" },
	/* issue #14 (books): 04:00, after the hourly reconcile-payments of that tick */
	{ "books", job_books, { SCHED_DAILY, 4 * 60, 0 }, "对账" },
	/* --- issue #13: WeChat Pay platform certificates (02:30 Asia/Shanghai) --- */
	{ "wxpay-certs", job_wxpay_certs, { SCHED_DAILY, 2 * 60 + 30, 0 }, "微信支付平台证书" },
	/* --- issue #17: operations --- */
	{ "retention", job_retention, { SCHED_DAILY, 3 * 60, 0 }, "历史数据清理" },
	{ "watchdog", job_watchdog, { SCHED_EVERY, 10, 0 }, "运行监控" },
	/* --- issue #16 --- */
	{ "reminders", job_reminders, { SCHED_EVERY, 10, 0 }, "会员与员工提醒" },
};

const size_t job_ndefs = sizeof(job_defs) / sizeof(job_defs[0]);

const struct job_def *job_def_find(const char *name)
{
	for (size_t i = 0; name && i < job_ndefs; i++)
		if (strcmp(job_defs[i].name, name) == 0)
			return &job_defs[i];
	return NULL;
}

const char *job_names(void)
{
	static char buf[512];
	if (buf[0] == '\0') {
		for (size_t i = 0; i < job_ndefs; i++) {
			if (i > 0)
				strncat(buf, ", ", sizeof(buf) - strlen(buf) - 1);
			strncat(buf, job_defs[i].name, sizeof(buf) - strlen(buf) - 1);
		}
	}
	return buf;
}
