/* h5_enroll.c: 报名支付 — camp page, enrollment, WeChat OAuth, paying page, status. */
#include "pages.h"
#include "alerts.h"
#include "camp.h"
#include "camps.h"
#include "clock.h"
#include "config.h"
#include "db.h"
#include "enroll.h"
#include "env.h"
#include "httpc.h"
#include "log.h"
#include "money.h"
#include "page.h"
#include "pagecache.h"
#include "payments.h"
#include "qrpng.h"
#include "crypto.h"
#include "session.h"
#include "text.h"
#include "wechatpay.h"
#include "wechatpay_api.h"
#include "wxoauth.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#define OAUTH_COOKIE "camp_oauth"
#define DEPOSIT_SUFFIX " 押金"      /* the WeChat order's description: "<camp name> 押金" */

/* ---- the camp page -------------------------------------------------------- */

static void fill_camp(struct req *r, tpl_dict *b, const struct camp *c)
{
	char s1[12], s2[12], dep[24];
	tpl_set_int(b, "ID", c->id);
	tpl_set(b, "NAME", c->name);
	tpl_set(b, "POSTER_URL", c->poster_sha256 ? arena_printf(r->a, "/media/%s", c->poster_sha256)
	                                          : "/static/img/poster-default.svg");
	tpl_set(b, "DEPOSIT", money_format(c->deposit_fen, dep, sizeof(dep)));
	tpl_set(b, "START_DATE", cday_format(c->start_date, s1, sizeof(s1)));
	tpl_set(b, "END_DATE", cday_format(c->end_date, s2, sizeof(s2)));
	tpl_set(b, "RULE", arena_printf(r->a, "%d天%d打卡", c->total_days, c->required_days));
	tpl_set(b, "REFUND_RULE", arena_printf(r->a, "结营后完成 %d 天打卡即全额退还押金 ¥%s",
	                                       c->required_days, dep));
	tpl_set(b, "DESCRIPTION", c->description);
	tpl_set_int(b, "MEMBER_COUNT", c->paid_members);
	char last[12];
	tpl_set(b, "LAST_ENROLL_DATE", cday_format(c->end_date - c->required_days + 1, last, sizeof(last)));
}

static void render_camp(struct req *r, struct resp *w, const struct camp *c,
                        const struct enroll_form *f, const struct form_errors *e)
{
	struct page *p = page_new(r, c->name, "h5/camp.tpl");
	page_script(p, "/static/js/h5.js");
	tpl_dict *b = p->body;
	fill_camp(r, b, c);
	cday today = cday_of(camp_now());
	int open = camp_enroll_open(c, today);
	int full = c->capacity > 0 && c->paid_members + c->held_seats >= c->capacity;
	if (!open)
		tpl_show(b, "CLOSED");
	else if (full)
		tpl_show(b, "FULL");
	else
		tpl_show(b, "FORM");
	if (c->capacity > 0) {
		long long left = c->capacity - c->paid_members - c->held_seats;
		tpl_set_int(tpl_add_section(b, "SEATS_LEFT"), "N", left > 0 ? left : 0);
	}
	if (f) {
		tpl_set(b, "PLANET_NICKNAME", f->planet_nickname);
		tpl_set(b, "PLANET_USER_ID", f->planet_user_id);
		tpl_set(b, "WECHAT_NICKNAME", f->wechat_nickname);
		if (f->agree)
			tpl_show(b, "AGREED");
		if (f->later)
			tpl_show(b, "LATER_CHOSEN");
	}
	static const char *const fields[] = { "planet_nickname", "planet_user_id",
	                                      "wechat_nickname", "agree" };
	for (size_t i = 0; e && i < CAMP_ARRAY_LEN(fields); i++) {
		const char *msg = form_error_for(e, fields[i]);
		if (msg == NULL)
			continue;
		char key[40] = "ERR_";
		for (size_t k = 0; fields[i][k] && k < 30; k++)
			key[4 + k] = (char)(fields[i][k] >= 'a' ? fields[i][k] - 32 : fields[i][k]);
		tpl_set(tpl_add_section(b, key), "MSG", msg);
	}
	if (e && e->n)
		w->status = 422;
	page_h5(r, w, p);
}

static int load_camp(struct req *r, struct resp *w, struct camp *c)
{
	long long id = req_cap_id(r, 0);
	int rc = id ? camp_get(r->db, r->a, id, c) : CAMP_ENOTFOUND;
	if (rc == CAMP_OK && c->cancelled)
		rc = CAMP_ENOTFOUND;          /* 取消训练营: off the H5 pages (tickets still open) */
	if (rc == CAMP_ENOTFOUND)
		resp_error(r, w, 404, "训练营不存在或已下线");
	else if (rc != CAMP_OK)
		resp_unavailable(r, w);
	return rc;
}

/* 1 when the Official Account is set up for OAuth (else Native payment in WeChat too). */
static int wechat_oauth_on(struct req *r)
{
	char *appid = config_get(r->db, "wechat.pay_appid");
	int on = appid != NULL && *appid != '\0';
	free(appid);
	return on;
}

/* Inside WeChat the openid comes from OAuth before the member fills the form. */
int h5_need_openid(struct req *r, struct resp *w, const char *back)
{
	if (!req_is_wechat(r) || h5_cookie_open(r, OPENID_COOKIE) != NULL)
		return 0;
	char *appid = config_get(r->db, "wechat.pay_appid");
	if (appid == NULL)
		return 0;      /* not configured: fall back to Native payment */
	char state[17];
	crypto_random_alnum(state, 16);
	const char *redirect = arena_printf(r->a, "%s/h5/oauth", camp_env()->base_url);
	const char *url = wxoauth_authorize_url(r->a, camp_env()->wxopen_base, appid, redirect, state);
	free(appid);
	resp_cookie(r, w, OAUTH_COOKIE, h5_cookie_seal(r->a, OAUTH_COOKIE,
	            arena_printf(r->a, "%s~%s", state, back)), 600);
	w->status = 302;
	resp_header(w, "Location", url);
	return 1;
}

void page_h5_camp(struct req *r, struct resp *w)
{
	/* issue #18: inside WeChat a member without an openid is sent to OAuth first (no page);
	 * everyone else gets the same page but for the form's token, kept until it changes */
	long long id = req_cap_id(r, 0);
	int cacheable = id > 0 && !(req_is_wechat(r) && h5_cookie_open(r, OPENID_COOKIE) == NULL);
	const char *key = cacheable ? arena_printf(r->a, "h5_camp %lld", id) : NULL;
	unsigned long version = 0;
	if (cacheable && pagecache_serve(r, w, key, &version))
		return;
	struct camp c;
	if (load_camp(r, w, &c) != CAMP_OK)
		return;
	if (h5_need_openid(r, w, arena_printf(r->a, "c%lld", c.id)))
		return;
	render_camp(r, w, &c, NULL, NULL);
	if (cacheable) {
		time_t now = camp_now(), until = pagecache_day_end(now);
		pagecache_store(r, w, key, version, c.held_until > now && c.held_until < until ? c.held_until : until);
	}
}

/* GET /h5/oauth?code=…&state=…: the state must be the one this browser got. */
void page_h5_oauth(struct req *r, struct resp *w)
{
	const char *code = req_param(r, "code"), *state = req_param(r, "state");
	const char *sealed = h5_cookie_open(r, OAUTH_COOKIE);
	const char *tilde = sealed ? strchr(sealed, '~') : NULL;
	if (code == NULL || state == NULL || tilde == NULL ||
	    strlen(state) != (size_t)(tilde - sealed) || strncmp(state, sealed, (size_t)(tilde - sealed))) {
		resp_error(r, w, 400, "授权已失效，请重新打开页面");
		return;
	}
	const char *back = tilde + 1;
	char *appid = config_get(r->db, "wechat.pay_appid");
	char *secret = config_get(r->db, "wechat.pay_app_secret");
	const char *openid = NULL;
	int rc = appid && secret ? wxoauth_openid(r->a, camp_env()->wxapi_base, appid, secret, code, &openid)
	                         : CAMP_ENOTFOUND;
	free(appid);
	free(secret);
	resp_cookie(r, w, OAUTH_COOKIE, "", 0);
	if (rc == CAMP_ECONFLICT) {
		/* 朋友圈 snapshot: a virtual openid, never stored, never paid with */
		struct page *p = page_new(r, "请在微信中打开", "h5/open_in_wechat.tpl");
		long long id;
		if (back[0] == 'c' && parse_i64(back + 1, 1, 1LL << 53, &id) == CAMP_OK)
			tpl_set_int(tpl_add_section(p->body, "CAMP"), "ID", id);
		page_h5(r, w, p);
		return;
	}
	if (rc != CAMP_OK) {
		resp_error(r, w, rc == CAMP_EINVAL ? 400 : 503, "微信授权失败，请返回重新打开页面");
		return;
	}
	resp_cookie(r, w, OPENID_COOKIE, h5_cookie_seal(r->a, OPENID_COOKIE, openid), H5_COOKIE_MAX_AGE);
	long long cid;
	if (back[0] == 'c' && parse_i64(back + 1, 1, 1LL << 53, &cid) == CAMP_OK)
		resp_redirect(w, arena_printf(r->a, "/h5/camps/%lld", cid));
	else
		resp_redirect(w, "/h5/mine");
}

/* ---- enrolling ------------------------------------------------------------- */

static void alert_claim(struct req *r, const struct camp *c, const char *planet_id)
{
	struct alert al = { "planet_id_claimed", "星球ID重复报名",
	                    arena_printf(r->a, "训练营「%s」：星球ID %s 已报名，另一位微信用户又尝试用它报名，请核实是否冒用。",
	                                 c->name, planet_id),
	                    c->id, 0, NULL };
	if (alert_staff(r->db, r->a, &al, NULL) != CAMP_OK)
		log_err("enroll: cannot queue the duplicate-claim alert");
}

static void render_duplicate(struct req *r, struct resp *w, const struct camp *c, int other_payer)
{
	struct page *p = page_new(r, "该星球ID已报名", "h5/duplicate.tpl");
	tpl_set(p->body, "NAME", c->name);
	if (other_payer)
		tpl_show(p->body, "OTHER_PAYER");
	w->status = 409;
	page_h5(r, w, p);
}

static void refuse_enrollment(struct req *r, struct resp *w, enum enroll_refusal why)
{
	switch (why) {
	case ENROLL_BROWSER_LIMIT:
		resp_error(r, w, 429, arena_printf(r->a, "你已有 %d 笔待支付订单，请先完成支付，"
		                                   "或等待订单过期（30 分钟）后再报名", HOLDS_PER_BROWSER));
		break;
	case ENROLL_IP_LIMIT:
		resp_error(r, w, 429, "当前网络下待支付订单过多，请先完成支付或稍后再试");
		break;
	case ENROLL_GONE:
		resp_error(r, w, 404, "训练营不存在或已下线");
		break;
	default:
		resp_error(r, w, 409, "名额已满，请关注下一期");
		break;
	}
}

void page_h5_enroll(struct req *r, struct resp *w)
{
	struct camp c;
	if (load_camp(r, w, &c) != CAMP_OK)
		return;
	struct enroll_form f = {
		req_form(r, "planet_nickname"), req_form(r, "planet_user_id"),
		req_form(r, "wechat_nickname"), req_form(r, "agree") != NULL,
		req_form(r, "later") != NULL,
	};
	struct form_errors e = { 0 };
	time_t now = camp_now();
	if (!camp_enroll_open(&c, cday_of(now))) {
		resp_error(r, w, 409, "本期训练营已截止报名");
		return;
	}
	if (enroll_validate(r->a, &f, &e) != CAMP_OK) {
		render_camp(r, w, &c, &f, &e);
		return;
	}
	const char *openid = h5_cookie_open(r, OPENID_COOKIE);
	if (req_is_wechat(r) && openid == NULL && wechat_oauth_on(r)) {
		/* inside WeChat a payment needs the member's real openid first (a
		 * snapshot page never gets one): back to the camp page and OAuth */
		resp_redirect(w, arena_printf(r->a, "/h5/camps/%lld", c.id));
		return;
	}
	int same_payer;
	int rc = enroll_find_paid(r->db, r->a, c.id, f.planet_user_id, openid, &same_payer);
	if (rc == CAMP_OK) {
		int other = !same_payer;
		if (other)
			alert_claim(r, &c, f.planet_user_id);
		render_duplicate(r, w, &c, other);
		return;
	}
	struct wxpay_cfg cfg;
	if (wxpay_cfg_load(r->db, r->a, &cfg) != CAMP_OK) {
		resp_error(r, w, 503, "支付暂不可用，请稍后再试");
		return;
	}
	/* inside WeChat JSAPI; phone browsers outside WeChat H5 (a phone cannot scan
	 * its own screen); desktops a Native QR code (issue #16) */
	int jsapi = req_is_wechat(r) && openid != NULL;
	int h5 = !jsapi && !req_is_wechat(r) && req_is_mobile(r);
	const char **tokens;
	int ntokens = h5_ticket_tokens(r, &tokens);
	struct enroll_holder holder = { openid, r->remote_addr ? r->remote_addr : "", tokens, ntokens };
	struct enrollment en;
	rc = enroll_create(r->db, r->a, &c, &f, &holder, jsapi ? "JSAPI" : h5 ? "MWEB" : "NATIVE", now, &en);
	if (rc == CAMP_ECONFLICT) {
		refuse_enrollment(r, w, en.refused);
		return;
	}
	if (rc != CAMP_OK) {
		resp_error(r, w, 503, "报名失败，请稍后再试");
		return;
	}
	h5_remember_ticket(r, w, en.token);
	/* the order at WeChat, outside any database transaction */
	struct wxpay_order o = {
		.trade_type = jsapi ? "jsapi" : h5 ? "h5" : "native",
		.description = arena_printf(r->a, "%s" DEPOSIT_SUFFIX, text_cut(r->a, c.name,
		               WXPAY_DESCRIPTION_MAX - strlen(DEPOSIT_SUFFIX))),
		.out_trade_no = en.order_no,
		.notify_url = arena_printf(r->a, "%s/pay/wechat/notify", camp_env()->base_url),
		.attach = en.attach,
		.total = en.fen, .time_expire = en.expires, .openid = openid,
		.client_ip = r->remote_addr,     /* nginx's $remote_addr: the member's real IP */
	};
	struct wxpay_result res;
	const char *prepay = NULL;
	rc = wxpay_order_create(&cfg, r->a, &o, now, &res, &prepay);
	struct pay_audit pa = {
		.payment_id = en.payment_id, .action = "CREATE_ORDER", .detail = o.trade_type,
		.ip = r->remote_addr, .user_agent = r->user_agent, .request_json = res.request_body,
		.response_json = res.body, .error = rc == CAMP_OK ? NULL : res.code ? res.code : "no answer",
	};
	/* the audit row comes with the answer stored (one statement), or alone without it */
	int stored = rc == CAMP_OK && payment_set_prepay(r->db, r->a, &pa, prepay) == CAMP_OK;
	if (!stored) {
		payment_audit(r->db, r->a, &pa);
		/* no WeChat order, no seat: the member can pay nothing, so nothing is held */
		if (payment_close_pending(r->db, r->a, en.payment_id, "order_not_created") != CAMP_OK)
			log_err("enroll: order %s not released", en.order_no);
		resp_error(r, w, 503, "微信支付下单失败，请稍后重试");
		return;
	}
	/* every kind goes to the paying page; for H5 it sends the browser on to
	 * WeChat's h5_url (this POST may not redirect off-site: CSP form-action 'self') */
	resp_redirect(w, arena_printf(r->a, "/h5/orders/%s", en.order_no));
}

/* ---- paying --------------------------------------------------------------- */

/* The token from this browser's ticket list that opens order_no, if any. */
static int browser_ticket(struct req *r, const char *order_no, struct ticket *t, const char **token)
{
	const char **tokens;
	int n = h5_ticket_tokens(r, &tokens);
	time_t now = camp_now();
	for (int i = 0; i < n; i++) {
		if (ticket_for_order(r->db, r->a, order_no, tokens[i], now, t) == CAMP_OK) {
			*token = tokens[i];
			return CAMP_OK;
		}
	}
	return CAMP_ENOTFOUND;
}

static const char *order_state(const struct order_view *o, time_t now)
{
	if (!strcmp(o->pay_status, "success"))
		return o->member_paid ? "paid" : "exception";
	if (!strcmp(o->pay_status, "pending") && o->time_expire > now)
		return "pending";
	return "closed";
}

void page_h5_order(struct req *r, struct resp *w)
{
	struct ticket t;
	const char *token;
	struct order_view o;
	if (browser_ticket(r, r->cap[0], &t, &token) != CAMP_OK ||
	    payment_order_view(r->db, r->a, t.payment_id, &o) != CAMP_OK) {
		resp_error(r, w, 404, "订单不存在，请从训练营页面重新报名");
		return;
	}
	time_t now = camp_now();
	const char *state = order_state(&o, now);
	if (!strcmp(state, "paid")) {
		resp_redirect(w, arena_printf(r->a, "/h5/t/%s", token));
		return;
	}
	struct page *p = page_new(r, "支付押金", "h5/order.tpl");
	page_script(p, "/static/js/pay.js");
	tpl_dict *b = p->body;
	tpl_set(b, "ORDER_NO", o.order_no);
	tpl_set_money(b, "AMOUNT", o.fen);
	tpl_set(b, "CAMP_NAME", o.camp_name);
	tpl_set_int(b, "CAMP_ID", o.camp_id);
	tpl_set(b, "STATUS_URL", arena_printf(r->a, "/h5/orders/%s/status", o.order_no));
	tpl_set_int(b, "EXPIRES_IN", o.time_expire > now ? (long long)(o.time_expire - now) : 0);
	if (!strcmp(state, "pending")) {
		if (!strcmp(o.trade_type, "JSAPI") && o.prepay) {
			struct wxpay_cfg cfg;
			char ts[24], nonce[33];
			snprintf(ts, sizeof(ts), "%lld", (long long)now);
			crypto_random_alnum(nonce, 32);
			const char *pkg = arena_printf(r->a, "prepay_id=%s", o.prepay);
			char *sign = wxpay_cfg_load(r->db, r->a, &cfg) == CAMP_OK
			             ? wxpay_pay_sign(&cfg, ts, nonce, pkg) : NULL;
			if (sign) {
				tpl_dict *j = tpl_add_section(b, "JSAPI");
				tpl_set(j, "APPID", cfg.appid);
				tpl_set(j, "TIMESTAMP", ts);
				tpl_set(j, "NONCE", nonce);
				tpl_set(j, "PACKAGE", pkg);
				tpl_set(j, "PAYSIGN", sign);
				free(sign);
			}
		} else if (!strcmp(o.trade_type, "MWEB") && o.prepay) {
			/* WeChat Pay H5 (issue #16): WeChat's page, then back here to poll */
			tpl_dict *h = tpl_add_section(b, "H5");
			const char *back = arena_printf(r->a, "%s/h5/orders/%s?from=wxpay",
			                                camp_env()->base_url, o.order_no);
			tpl_set(h, "PAY_URL", arena_printf(r->a, "%s&redirect_url=%s", o.prepay,
			                                   httpc_urlencode(r->a, back)));
			tpl_show(h, req_param(r, "from") ? "BACK" : "AUTO");
		} else if (o.prepay) {
			tpl_dict *n = tpl_add_section(b, "NATIVE");
			tpl_set(n, "QR_URL", arena_printf(r->a, "/h5/orders/%s/qrcode.png", o.order_no));
		}
		tpl_show(b, "PENDING");
	} else {
		tpl_show(b, !strcmp(state, "exception") ? "EXCEPTION" : "EXPIRED");
	}
	page_h5(r, w, p);
}

void page_h5_order_qr(struct req *r, struct resp *w)
{
	struct ticket t;
	const char *token;
	struct order_view o;
	if (browser_ticket(r, r->cap[0], &t, &token) != CAMP_OK ||
	    payment_order_view(r->db, r->a, t.payment_id, &o) != CAMP_OK || o.prepay == NULL ||
	    strcmp(o.trade_type, "NATIVE") != 0) {
		resp_error(r, w, 404, "二维码不存在");
		return;
	}
	size_t len;
	unsigned char *png = qrpng_encode(o.prepay, 6, &len, NULL);
	if (png == NULL) {
		resp_error(r, w, 500, "二维码生成失败");
		return;
	}
	arena_defer(r->a, free, png);
	resp_body(w, 200, "image/png", (const char *)png, len);
}

/* {"state": "pending"|"paid"|"closed"|"exception"} (+ ticket_url once paid),
 * only for the browser that created the order. */
void page_h5_order_status(struct req *r, struct resp *w)
{
	struct ticket t;
	const char *token;
	struct order_view o;
	if (browser_ticket(r, r->cap[0], &t, &token) != CAMP_OK ||
	    payment_order_view(r->db, r->a, t.payment_id, &o) != CAMP_OK) {
		resp_error(r, w, 404, "订单不存在");
		return;
	}
	const char *state = order_state(&o, camp_now());
	struct json_object *j = json_object_new_object();
	json_object_object_add(j, "state", json_object_new_string(state));
	if (!strcmp(state, "paid"))
		json_object_object_add(j, "ticket_url",
		                       json_object_new_string(arena_printf(r->a, "/h5/t/%s", token)));
	resp_json(w, 200, j, r->a);
}
