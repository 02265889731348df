/* pages.h: every handler the route table names (one file per page or group). */
#ifndef CAMP_PAGES_H
#define CAMP_PAGES_H

#include "http.h"

/* sys.c */
void page_healthz(struct req *r, struct resp *w);
void page_metrics(struct req *r, struct resp *w);
void page_media(struct req *r, struct resp *w);

/* h5_index.c */
void page_h5_index(struct req *r, struct resp *w);

/* admin_login.c */
void page_admin_login(struct req *r, struct resp *w);

/* admin_camps.c */
void page_admin_camps(struct req *r, struct resp *w);
void page_admin_camp_new(struct req *r, struct resp *w);
void page_admin_camp_create(struct req *r, struct resp *w);
void page_admin_camp_view(struct req *r, struct resp *w);
void page_admin_camp_edit(struct req *r, struct resp *w);
void page_admin_camp_update(struct req *r, struct resp *w);
void page_admin_camp_delete(struct req *r, struct resp *w);
void page_admin_camp_qrcode(struct req *r, struct resp *w);
/* admin_jobs.c */
void page_admin_job(struct req *r, struct resp *w);
/* --- issue #5: sign-in, 工作台, 系统管理 --- */
/* admin_login.c */
void page_admin_login_post(struct req *r, struct resp *w);
void page_admin_logout(struct req *r, struct resp *w);
/* admin_dashboard.c */
void page_admin_dashboard(struct req *r, struct resp *w);
/* admin_users.c */
void page_admin_users(struct req *r, struct resp *w);
/* admin_user_form.c */
void page_admin_user_new(struct req *r, struct resp *w);
void page_admin_user_edit(struct req *r, struct resp *w);
/* admin_user_actions.c */
void page_admin_user_delete(struct req *r, struct resp *w);
void page_admin_user_reset_password(struct req *r, struct resp *w);
/* admin_settings.c */
void page_admin_settings(struct req *r, struct resp *w);
void page_admin_settings_post(struct req *r, struct resp *w);
void page_admin_settings_test(struct req *r, struct resp *w);
/* admin_logs.c */
void page_admin_logs(struct req *r, struct resp *w);
/* --- end issue #5 --- */

/* h5_enroll.c */
void page_h5_camp(struct req *r, struct resp *w);
void page_h5_oauth(struct req *r, struct resp *w);
void page_h5_enroll(struct req *r, struct resp *w);
void page_h5_order(struct req *r, struct resp *w);
void page_h5_order_qr(struct req *r, struct resp *w);
void page_h5_order_status(struct req *r, struct resp *w);

/* h5_ticket.c — H5 cookies: the tickets this browser holds, the member's openid */
#define TICKETS_COOKIE "camp_tickets"
#define OPENID_COOKIE "camp_openid"
#define H5_COOKIE_MAX_AGE (400L * 86400)
#define H5_TICKETS_MAX 24          /* tokens kept in TICKETS_COOKIE: 24 × 36 bytes < 1 KB */
void h5_remember_ticket(struct req *r, struct resp *w, const char *token);
/* The ticket tokens this browser holds (newest first); *out on the arena. */
int h5_ticket_tokens(struct req *r, const char ***out);
void page_h5_ticket(struct req *r, struct resp *w);
void page_h5_progress(struct req *r, struct resp *w);
void page_h5_mine(struct req *r, struct resp *w);
void page_h5_mine_open(struct req *r, struct resp *w);
void page_h5_bind_form(struct req *r, struct resp *w);
void page_h5_bind(struct req *r, struct resp *w);

/* admin_payments.c */
void page_admin_payment_exceptions(struct req *r, struct resp *w);
void page_admin_exception_refund(struct req *r, struct resp *w);
void page_admin_exception_resolve(struct req *r, struct resp *w);

/* wxpay_notify.c: the verified, decrypted resource of a WeChat Pay callback, or
 * NULL once the request has been answered (refused, or an event not acted on).
 * prefix names the audit actions ("NOTIFY" → NOTIFY_REJECTED …). */
struct wxpay_cfg;
const char *wxpay_notify_open(struct req *r, struct resp *w, struct wxpay_cfg *cfg,
                              const char *prefix, const char *event_prefix,
                              const char *original_type);
void wxpay_notify_fail(struct resp *w, int status, const char *message, arena *a);
void wxpay_notify_audit(struct req *r, long long payment_id, const char *action,
                        const char *detail, const char *error);

/* pay_notify.c */
void page_pay_notify(struct req *r, struct resp *w);

/* --- refunds (issue #10) --- */
/* admin_refunds.c */
void page_admin_refunds_pending(struct req *r, struct resp *w);
void page_admin_refunds_approve(struct req *r, struct resp *w);
void page_admin_refunds_reject(struct req *r, struct resp *w);
void page_admin_refunds(struct req *r, struct resp *w);
void page_admin_refund_retry(struct req *r, struct resp *w);
void page_admin_camp_refund_list(struct req *r, struct resp *w);
/* refund_notify.c */
void page_refund_notify(struct req *r, struct resp *w);
/* --- end issue #10 --- */
/* --- issue #9: check-in sync, members, check-ins --- */
/* admin_sync.c */
void page_admin_camp_sync(struct req *r, struct resp *w);
/* admin_member_actions.c */
void page_admin_member_bind(struct req *r, struct resp *w);
void page_admin_member_joined(struct req *r, struct resp *w);
/* admin_members.c */
void page_admin_members(struct req *r, struct resp *w);
void page_admin_member_view(struct req *r, struct resp *w);
/* admin_checkins.c (progress_fill also fills the camp's 打卡情况 tab) */
struct camp_progress;
struct tpl_dict;
void page_admin_checkins(struct req *r, struct resp *w);
void progress_fill(struct req *r, struct tpl_dict *b, const struct camp_progress *pg);
/* CAMP_OK when it filled the tab (members, checkins), else the caller shows a placeholder. */
int camp_tab_fill(struct req *r, struct tpl_dict *b, long long camp_id, const char *tab);
/* h5_calendar.c: start/end are cday values of the camp */
void h5_calendar_fill(struct req *r, struct tpl_dict *b, long long member_id, long start, long end);
/* --- end issue #9 --- */
/* --- issue #14: money integrity --- */
/* admin_camp_cancel.c: 取消训练营 (admin, password again); camp_cancel_fill
 * puts its form (with the consequence) on the camp page, and hides 删除
 * while the camp holds money. */
struct camp;
void page_admin_camp_cancel(struct req *r, struct resp *w);
void camp_cancel_fill(struct req *r, struct tpl_dict *b, const struct camp *c);
/* --- end issue #14 --- */
/* --- issue #15: the operator's console --- */
/* admin_refunds.c: one row of a refund list (pending, records, a camp's 退款情况) */
struct refund_row;
void refund_row_fill(struct req *r, struct tpl_dict *row, const struct refund_row *x);
/* admin_refund_life.c: 手动提议退款, 重新提议, 关闭绑定, and the camp's 退款情况 tab */
struct camp;
void page_admin_refund_propose(struct req *r, struct resp *w);
void page_admin_refund_reopen(struct req *r, struct resp *w);
void page_admin_member_close_binding(struct req *r, struct resp *w);
int camp_refunds_tab_fill(struct req *r, struct tpl_dict *b, const struct camp *c);
/* Where a form goes back to: its "back" field when that is a path of this
 * console (/admin/…, never another site), else dflt. */
const char *form_back(struct req *r, const char *dflt);
/* admin_reports.c */
void page_admin_reports(struct req *r, struct resp *w);
/* h5_calendar.c: the progress page's 打卡记录 list (start/end are cday values of the camp) */
void h5_records_fill(struct req *r, struct tpl_dict *b, long long member_id, long start, long end);
/* --- end issue #15 --- */
/* --- issue #14 (books) --- */
/* admin_books.c */
void page_admin_books(struct req *r, struct resp *w);
/* --- end issue #14 (books) --- */
/* --- issue #16 --- */
/* h5_enroll.c: inside WeChat without an openid, starts OAuth and answers 1
 * (back: "c<camp id>" returns to the camp page, anything else to /h5/mine). */
int h5_need_openid(struct req *r, struct resp *w, const char *back);
/* --- end issue #16 --- */

#endif
