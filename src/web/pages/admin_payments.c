/* admin_payments.c: 支付异常 — verified payments that could not be applied (to refund). */
#include "pages.h"
#include "camp.h"
#include "page.h"
#include "audit_req.h"
#include "export.h"
#include "pay_exceptions.h"
#include "payments.h"
#include "text.h"

#include <string.h>

#define PER_PAGE 50

static const struct xcol exception_cols[] = {
	{ "ID", XC_INT, 6 }, { "时间", XC_TEXT, 20 }, { "训练营", XC_TEXT, 20 },
	{ "商户单号", XC_TEXT, 26 }, { "交易单号", XC_TEXT, 30 }, { "金额", XC_MONEY, 10 },
	{ "付款人 openid", XC_TEXT, 30 }, { "原因", XC_TEXT, 12 }, { "详情", XC_TEXT, 30 },
	{ "状态", XC_TEXT, 8 },
};

static void export_rows(struct req *r, struct resp *w, enum export_format fmt,
                        const struct pay_exception *list, int n)
{
	struct xtable *t = xtable_new(r->a, "支付异常", exception_cols, (int)CAMP_ARRAY_LEN(exception_cols));
	for (int i = 0; i < n; i++) {
		xtable_int(t, list[i].id);
		xtable_text(t, list[i].created);
		xtable_text(t, list[i].camp_name);
		xtable_text(t, list[i].out_trade_no);
		xtable_text(t, list[i].transaction_id);
		xtable_money(t, list[i].fen);
		xtable_text(t, list[i].payer_openid);
		xtable_text(t, payment_exception_reason_label(list[i].reason));
		xtable_text(t, list[i].detail);
		xtable_text(t, payment_exception_status_label(list[i].status));
	}
	export_send(r, w, t, fmt, "payment-exceptions");
}

void page_admin_payment_exceptions(struct req *r, struct resp *w)
{
	const char *status = req_param(r, "status");
	static const char *const statuses[][2] = {
		{ "", "全部" }, { "open", "待处理" }, { "refunding", "退款中" },
		{ "refunded", "已退款" }, { "resolved", "已处理" }, { "failed", "退款失败" },
	};
	int known = 0;
	for (size_t i = 0; i < CAMP_ARRAY_LEN(statuses); i++)
		known |= status && !strcmp(status, statuses[i][0]);
	if (!known)
		status = "";
	long long camp_id = 0, page = 1;
	const char *v = req_param(r, "camp_id");
	if (v && *v && parse_i64(v, 1, 1LL << 53, &camp_id) != CAMP_OK)
		camp_id = 0;
	v = req_param(r, "page");
	if (v && parse_i64(v, 1, 100000, &page) != CAMP_OK)
		page = 1;
	enum export_format fmt = export_requested(r);
	struct pay_exception *list;
	int n;
	long long total;
	if (payment_exceptions(r->db, r->a, status, camp_id, (int)page, fmt ? 0 : PER_PAGE,
	                       &list, &n, &total) != CAMP_OK) {
		resp_unavailable(r, w);
		return;
	}
	if (fmt) {
		export_rows(r, w, fmt, list, n);
		return;
	}
	struct page *p = page_new(r, "支付异常", "admin/payment_exceptions.tpl");
	page_script(p, "/static/js/confirm.js");
	tpl_dict *b = p->body;
	for (size_t i = 0; i < CAMP_ARRAY_LEN(statuses); i++) {
		tpl_dict *o = tpl_add_section(b, "STATUS_OPTION");
		tpl_set(o, "VALUE", statuses[i][0]);
		tpl_set(o, "LABEL", statuses[i][1]);
		if (!strcmp(status, statuses[i][0]))
			tpl_show(o, "SELECTED");
	}
	for (int i = 0; i < n; i++) {
		tpl_dict *row = tpl_add_section(b, "ROW");
		tpl_set(row, "TIME", list[i].created);
		tpl_set(row, "CAMP", list[i].camp_name ? list[i].camp_name : "—");
		tpl_set(row, "ORDER_NO", list[i].out_trade_no);
		tpl_set(row, "TRANSACTION_ID", list[i].transaction_id);
		tpl_set_money(row, "AMOUNT", list[i].fen);
		tpl_set(row, "PAYER", list[i].payer_openid);
		tpl_set(row, "REASON", payment_exception_reason_label(list[i].reason));
		tpl_set(row, "DETAIL", list[i].detail);
		tpl_set(row, "STATUS", payment_exception_status_label(list[i].status));
		tpl_set_int(row, "ID", list[i].id);
		int open = !strcmp(list[i].status, "open"), failed = !strcmp(list[i].status, "failed");
		if (open || failed) {
			tpl_dict *act = tpl_add_section(row, "ACTIONS");
			if (open && list[i].transaction_id && list[i].fen > 0)
				tpl_set_money(tpl_add_section(act, "CAN_REFUND"), "AMOUNT", list[i].fen);
			if (failed)   /* WeChat refused the refund: it went back by hand, or not at all */
				tpl_set_money(tpl_add_section(act, "CAN_OFFLINE"), "AMOUNT", list[i].fen);
		}
	}
	if (n == 0)
		tpl_show(b, "EMPTY");
	tpl_set_int(b, "TOTAL", total);
	tpl_set_int(b, "PAGE", page);
	if (page > 1)
		tpl_set_int(tpl_add_section(b, "PREV"), "N", page - 1);
	if (page * PER_PAGE < total)
		tpl_set_int(tpl_add_section(b, "NEXT"), "N", page + 1);
	tpl_set(b, "STATUS", status);
	if (camp_id > 0)
		tpl_set_int(b, "CAMP_ID", camp_id);
	page_admin(r, w, p, "/admin/payments/exceptions");
}

/* POST /admin/payments/exceptions/{id}/refund: 全额退款 through the merchant API. */
void page_admin_exception_refund(struct req *r, struct resp *w)
{
	struct audit who;
	audit_from_req(r, &who, "REFUND_EXCEPTION");
	int rc = exception_refund_start(r->db, r->a, req_cap_id(r, 0), &who);
	if (rc == CAMP_ECONFLICT) {
		resp_error(r, w, 409, "该异常不是待处理状态，或缺少微信交易号，无法原路退款");
		return;
	}
	if (rc != CAMP_OK) {
		resp_unavailable(r, w);
		return;
	}
	resp_flash(r, w, "success", "已提交全额退款，稍后自动执行");
	resp_redirect(w, "/admin/payments/exceptions");
}

/* POST /admin/payments/exceptions/{id}/resolve: 已处理, or with outcome=offline
 * 已线下退款, with a required note. */
void page_admin_exception_resolve(struct req *r, struct resp *w)
{
	const char *outcome = req_form(r, "outcome");
	int offline = outcome != NULL && !strcmp(outcome, "offline");
	const char *note = text_trim(r->a, req_form(r, "reason"));
	if (*note == '\0' || text_chars(note) > 200 || text_has_control(note, 0)) {
		resp_flash(r, w, "danger", "请填写处理说明（最多 200 字）");
		resp_redirect(w, "/admin/payments/exceptions");
		return;
	}
	struct audit who;
	audit_from_req(r, &who, "RESOLVE_EXCEPTION");
	int rc = exception_resolve(r->db, r->a, req_cap_id(r, 0), note, offline, &who);
	if (rc == CAMP_ECONFLICT) {
		resp_error(r, w, 409, "该异常不是待处理或退款失败状态");
		return;
	}
	if (rc != CAMP_OK) {
		resp_unavailable(r, w);
		return;
	}
	resp_flash(r, w, "success", offline ? "已标记为已线下退款" : "已标记为已处理");
	resp_redirect(w, "/admin/payments/exceptions");
}
