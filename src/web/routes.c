/* routes.c: the route table — every URL camp-web answers, with its guard. */
#include "router.h"
#include "pages/pages.h"

const struct route routes[] = {
	/* health and operations */
	{ M_GET, "/healthz", page_healthz, 0, RF_NO_DB | RF_JSON, "healthz" },
	{ M_GET, "/metrics", page_metrics, 0, RF_LOOPBACK, "metrics" },
	{ M_GET, "/media/{sha256}", page_media, 0, 0, "media" },

	/* WeChat Pay callbacks (the pay pool) */
	{ M_POST, "/pay/wechat/notify", page_pay_notify, 0, RF_JSON, "pay_notify" },

	/* member H5 */
	{ M_GET, "/h5/", page_h5_index, 0, 0, "h5_index" },
	{ M_GET, "/h5/camps/{id}", page_h5_camp, 0, 0, "h5_camp" },
	{ M_POST, "/h5/camps/{id}/enroll", page_h5_enroll, 0, RF_CSRF, "h5_enroll" },
	{ M_GET, "/h5/oauth", page_h5_oauth, 0, 0, "h5_oauth" },
	{ M_GET, "/h5/orders/{order_no}", page_h5_order, 0, 0, "h5_order" },
	{ M_GET, "/h5/orders/{order_no}/status", page_h5_order_status, 0, RF_JSON, "h5_order_status" },
	{ M_GET, "/h5/orders/{order_no}/qrcode.png", page_h5_order_qr, 0, 0, "h5_order_qr" },
	{ M_GET, "/h5/t/{token}", page_h5_ticket, 0, 0, "h5_ticket" },
	{ M_GET, "/h5/t/{token}/progress", page_h5_progress, 0, 0, "h5_progress" },
	{ M_GET, "/h5/mine", page_h5_mine, 0, 0, "h5_mine" },
	{ M_POST, "/h5/mine/{payment_id}", page_h5_mine_open, 0, RF_CSRF, "h5_mine_open" },
	{ M_GET, "/h5/bind", page_h5_bind_form, 0, 0, "h5_bind_form" },
	{ M_POST, "/h5/bind", page_h5_bind, 0, RF_CSRF, "h5_bind" },

	/* admin console */
	{ M_GET, "/admin/login", page_admin_login, 0, 0, "admin_login" },

	/* 训练营管理 (admin, manager) */
	{ M_GET, "/admin/camps", page_admin_camps, R_CAMPS, 0, "admin_camps" },
	{ M_GET, "/admin/camps/new", page_admin_camp_new, R_CAMPS, 0, "admin_camp_new" },
	{ M_POST, "/admin/camps/new", page_admin_camp_create, R_CAMPS, RF_CSRF | RF_UPLOAD, "admin_camp_create" },
	{ M_GET, "/admin/camps/{id}", page_admin_camp_view, R_CAMPS, 0, "admin_camp_view" },
	{ M_GET, "/admin/camps/{id}/edit", page_admin_camp_edit, R_CAMPS, 0, "admin_camp_edit" },
	{ M_POST, "/admin/camps/{id}/edit", page_admin_camp_update, R_CAMPS, RF_CSRF | RF_UPLOAD, "admin_camp_update" },
	{ M_POST, "/admin/camps/{id}/delete", page_admin_camp_delete, R_CAMPS, RF_CSRF, "admin_camp_delete" },
	{ M_GET, "/admin/camps/{id}/qrcode.png", page_admin_camp_qrcode, R_CAMPS, 0, "admin_camp_qrcode" },
	/* 支付异常 (money: admin and manager) */
	{ M_GET, "/admin/payments/exceptions", page_admin_payment_exceptions, R_PAYMENTS, 0, "admin_payment_exceptions" },
	{ M_POST, "/admin/payments/exceptions/{id}/refund", page_admin_exception_refund, R_PAYMENTS, RF_CSRF, "admin_exception_refund" },
	{ M_POST, "/admin/payments/exceptions/{id}/resolve", page_admin_exception_resolve, R_PAYMENTS, RF_CSRF, "admin_exception_resolve" },

	/* queued jobs (camp-worker) */
	{ M_GET, "/admin/jobs/{id}", page_admin_job, R_JOBS, 0, "admin_job" },
	/* --- issue #9: check-in sync, members, check-ins --- */
	{ M_POST, "/admin/camps/{id}/sync", page_admin_camp_sync, R_CAMPS, RF_CSRF, "admin_camp_sync" },
	{ M_GET, "/admin/members", page_admin_members, R_MEMBERS, 0, "admin_members" },
	{ M_GET, "/admin/checkins", page_admin_checkins, R_CHECKINS, 0, "admin_checkins" },
	{ M_GET, "/admin/members/{id}", page_admin_member_view, R_MEMBERS, 0, "admin_member_view" },
	{ M_POST, "/admin/members/{id}/bind", page_admin_member_bind, R_BINDING, RF_CSRF, "admin_member_bind" },
	{ M_POST, "/admin/members/{id}/joined", page_admin_member_joined, R_BINDING, RF_CSRF, "admin_member_joined" },
	/* --- end issue #9 --- */
	/* --- admin: sign-in, 工作台, 系统管理 (issue #5) --- */
	{ M_POST, "/admin/login", page_admin_login_post, 0, RF_CSRF, "admin_login_post" },
	{ M_POST, "/admin/logout", page_admin_logout, ROLE_STAFF, RF_CSRF, "admin_logout" },
	{ M_GET, "/admin/", page_admin_dashboard, R_DASHBOARD, 0, "admin_dashboard" },
	{ M_GET, "/admin/users", page_admin_users, R_SYSTEM, 0, "admin_users" },
	{ M_GET | M_POST, "/admin/users/new", page_admin_user_new, R_SYSTEM, RF_CSRF, "admin_user_new" },
	{ M_GET | M_POST, "/admin/users/{id}/edit", page_admin_user_edit, R_SYSTEM, RF_CSRF, "admin_user_edit" },
	{ M_POST, "/admin/users/{id}/delete", page_admin_user_delete, R_SYSTEM, RF_CSRF, "admin_user_delete" },
	{ M_POST, "/admin/users/{id}/reset-password", page_admin_user_reset_password, R_SYSTEM, RF_CSRF, "admin_user_reset_password" },
	{ M_GET, "/admin/settings", page_admin_settings, R_SYSTEM, 0, "admin_settings" },
	{ M_POST, "/admin/settings", page_admin_settings_post, R_SYSTEM, RF_CSRF, "admin_settings_post" },
	{ M_POST, "/admin/settings/test", page_admin_settings_test, R_SYSTEM, RF_CSRF, "admin_settings_test" },
	{ M_GET, "/admin/logs", page_admin_logs, R_SYSTEM, 0, "admin_logs" },
	/* --- end issue #5 --- */
	/* --- refunds (issue #10): 退款审核 admin+manager+coach (coaches: own camps, in SQL) --- */
	{ M_POST, "/pay/wechat/refund-notify", page_refund_notify, 0, RF_JSON, "refund_notify" },
	{ M_GET, "/admin/refunds/pending", page_admin_refunds_pending, R_REFUNDS, 0, "admin_refunds_pending" },
	{ M_POST, "/admin/refunds/approve", page_admin_refunds_approve, R_REFUNDS, RF_CSRF, "admin_refunds_approve" },
	{ M_POST, "/admin/refunds/reject", page_admin_refunds_reject, R_REFUNDS, RF_CSRF, "admin_refunds_reject" },
	{ M_GET, "/admin/refunds", page_admin_refunds, R_REFUNDS, 0, "admin_refunds" },
	{ M_POST, "/admin/refunds/{id}/retry", page_admin_refund_retry, R_REFUNDS, RF_CSRF, "admin_refund_retry" },
	{ M_POST, "/admin/camps/{id}/refund-list", page_admin_camp_refund_list, R_CAMPS, RF_CSRF, "admin_camp_refund_list" },
	/* --- end issue #10 --- */
	/* --- issue #14: money integrity --- */
	{ M_POST, "/admin/camps/{id}/cancel", page_admin_camp_cancel, ROLE_ADMIN, RF_CSRF, "admin_camp_cancel" },
	/* --- end issue #14 --- */
	/* --- issue #15: the operator's console (reports; the refund list's whole life) --- */
	{ M_GET, "/admin/reports", page_admin_reports, R_REPORTS, 0, "admin_reports" },
	{ M_POST, "/admin/refunds/propose", page_admin_refund_propose, R_REFUND_LIFE, RF_CSRF, "admin_refund_propose" },
	{ M_POST, "/admin/refunds/{id}/reopen", page_admin_refund_reopen, R_REFUND_LIFE, RF_CSRF, "admin_refund_reopen" },
	{ M_POST, "/admin/members/{id}/close-binding", page_admin_member_close_binding, R_REFUND_LIFE, RF_CSRF, "admin_member_close_binding" },
	/* --- end issue #15 --- */
	/* --- issue #14 (books): 对账 (money: admin and manager) --- */
	{ M_GET, "/admin/books", page_admin_books, R_PAYMENTS, 0, "admin_books" },
	/* --- end issue #14 (books) --- */
};

const size_t nroutes = sizeof(routes) / sizeof(routes[0]);
