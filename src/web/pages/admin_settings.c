/* admin_settings.c: 系统配置 — edit the settings registry group by group. */
#include "pages.h"
#include "alerts.h"
#include "audit_req.h"
#include "camp.h"
#include "clock.h"
#include "jobs.h"
#include "config.h"
#include "db.h"
#include "env.h"
#include "page.h"
#include "password.h"
#include "planet_token.h"
#include "session.h"
#include "settings.h"
#include "users.h"
#include "wxpay_certs.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

static const char *const groups[] = { "知识星球", "企业微信", "微信支付", "通知", "退款", "安全" };

/* What the last POST left for the page: the group, its values and errors. */
struct posted {
	const char *group;
	const char **value;     /* per config_keys index; plain keys only */
	const char **err;
	const char *confirm_err;
	int nerr;
};

static char *heap_to_arena(arena *a, char *s)
{
	char *c = arena_strdup(a, s);
	free(s);
	return c;
}

/* ---- 通知 (issue #15): switches per alert type, recipients chosen from the staff ------ */

/* 1 when the JSON list (a setting's text) holds the string or number v. */
static int json_list_has(const char *list, const char *v)
{
	json_object *o = list ? json_tokener_parse(list) : NULL;
	int found = 0;
	for (size_t i = 0; o && json_object_is_type(o, json_type_array) &&
	                   i < json_object_array_length(o); i++) {
		const char *s = json_object_get_string(json_object_array_get_idx(o, i));
		found |= s != NULL && !strcmp(s, v);
	}
	json_object_put(o);
	return found;
}

static const char *current(struct req *r, size_t i, const struct posted *ps)
{
	return ps && ps->value[i] ? ps->value[i] : heap_to_arena(r->a, config_get(r->db, config_keys[i].key));
}

/* 应用消息开关: one checkbox per alert type; security notices cannot be switched off. */
static void fill_alert_switches(struct req *r, tpl_dict *d, size_t i, const struct posted *ps)
{
	const char *off = current(r, i, ps);
	tpl_dict *box = tpl_add_section(d, "ALERTS");
	for (size_t t = 0; t < alert_ntypes; t++) {
		tpl_dict *x = tpl_add_section(box, "TYPE");
		tpl_set(x, "NAME", alert_types[t].name);
		tpl_set(x, "LABEL", alert_types[t].label);
		tpl_set(x, "ID", t == 0 ? arena_printf(r->a, "cfg-%zu", i)
		                        : arena_printf(r->a, "alert-%s", alert_types[t].name));
		if (alert_types[t].always)
			tpl_show(x, "ALWAYS");
		else if (!json_list_has(off, alert_types[t].name))
			tpl_show(x, "ON");
	}
}

/* 通知接收人: a multi-select of the staff (empty = every active 超级管理员). */
static void fill_recipients(struct req *r, tpl_dict *d, size_t i, const struct posted *ps)
{
	const char *chosen = current(r, i, ps);
	tpl_dict *box = tpl_add_section(d, "RECIPIENTS");
	struct user *users;
	int n = 0;
	if (user_list(r->db, r->a, &users, &n) != CAMP_OK)
		return;
	for (int u = 0; u < n; u++) {
		tpl_dict *o = tpl_add_section(box, "STAFF");
		tpl_set_int(o, "ID", users[u].id);
		int no_wecom = users[u].wecom_userid == NULL || *users[u].wecom_userid == '\0';
		tpl_set(o, "NAME", arena_printf(r->a, "%s（%s%s%s）", users[u].username,
		        role_label(role_parse(users[u].role)),
		        strcmp(users[u].status, "active") ? "，已禁用" : "",
		        no_wecom ? "，未填企业微信 userid" : ""));
		if (json_list_has(chosen, arena_i64(r->a, users[u].id)))
			tpl_show(o, "SELECTED");
	}
}

/* The two inputs above, folded back into the settings' JSON values before the
 * usual checks: unchecked switchable types → notification.alerts_off,
 * selected staff → notification.admin_users. */
static void fold_notification_form(struct req *r)
{
	if (req_form(r, "alerts_form") == NULL && req_form(r, "recipients_form") == NULL)
		return;
	static const char *vals[200];
	json_object *off = json_object_new_array(), *ids = json_object_new_array();
	size_t n = kv_get_all(&r->form, "alert_on", vals, CAMP_ARRAY_LEN(vals));
	for (size_t t = 0; t < alert_ntypes; t++) {
		int on = alert_types[t].always;
		for (size_t k = 0; k < n && k < CAMP_ARRAY_LEN(vals); k++)
			on |= !strcmp(vals[k], alert_types[t].name);
		if (!on)
			json_object_array_add(off, json_object_new_string(alert_types[t].name));
	}
	n = kv_get_all(&r->form, "admin_user_ids", vals, CAMP_ARRAY_LEN(vals));
	for (size_t k = 0; k < n && k < CAMP_ARRAY_LEN(vals); k++) {
		long long id;
		/* a malformed id stays text, so the usual check refuses the list */
		json_object_array_add(ids, parse_i64(vals[k], 1, 1LL << 53, &id) == CAMP_OK
		                           ? json_object_new_int64(id) : json_object_new_string(vals[k]));
	}
	struct kv *v = arena_alloc(r->a, sizeof(*v) * (r->form.n + 2));
	size_t m = 0;
	if (req_form(r, "alerts_form") != NULL)
		v[m++] = (struct kv){ "notification.alerts_off",
		                      arena_strdup(r->a, json_object_to_json_string_ext(off, JSON_C_TO_STRING_PLAIN)), 0 };
	if (req_form(r, "recipients_form") != NULL)
		v[m++] = (struct kv){ "notification.admin_users",
		                      arena_strdup(r->a, json_object_to_json_string_ext(ids, JSON_C_TO_STRING_PLAIN)), 0 };
	for (size_t k = 0; k < m; k++)
		v[k].value_len = strlen(v[k].value);
	memcpy(v + m, r->form.v, sizeof(*v) * r->form.n);   /* first match wins */
	r->form.v = v;
	r->form.n += m;
	json_object_put(off);
	json_object_put(ids);
}

static void fill_key(struct req *r, tpl_dict *g, size_t i, const struct posted *ps)
{
	const struct config_key *k = &config_keys[i];
	tpl_dict *d = tpl_add_section(g, "KEY");
	tpl_set(d, "FIELD", k->key);
	tpl_set(d, "FIELD_ID", arena_printf(r->a, "cfg-%zu", i));
	tpl_set(d, "LABEL", k->label);
	int alerts = !strcmp(k->key, "notification.alerts_off");
	if (alerts || !strcmp(k->key, "notification.admin_users")) {
		if (alerts)
			fill_alert_switches(r, d, i, ps);
		else
			fill_recipients(r, d, i, ps);
		if (ps && ps->err[i])
			tpl_set(tpl_add_section(d, "ERR"), "TEXT", ps->err[i]);
		return;
	}
	tpl_dict *box = tpl_add_section(d, settings_is_multiline(k->key) ? "AREA" : "LINE");
	if (k->encrypted) {
		tpl_set(box, "TYPE", "password");
		char *at = config_updated_at(r->db, k->key);
		tpl_set(tpl_add_section(d, "SECRET"), "STATE", at
		        ? arena_printf(r->a, "已设置 · 更新于 %s（留空则保持不变）", at) : "未设置");
		free(at);
	} else {
		tpl_set(box, "TYPE", "text");
		const char *v = ps && ps->value[i] ? ps->value[i]
		              : heap_to_arena(r->a, config_get(r->db, k->key));
		tpl_set(box, "VALUE", v);
	}
	if (ps && ps->err[i])   /* the box inherits ERR for its is-invalid class */
		tpl_set(tpl_add_section(d, "ERR"), "TEXT", ps->err[i]);
}

/* The settings groups that talk to an outside service have a 测试连接 button. */
static const char *test_provider(const char *group)
{
	if (!strcmp(group, "知识星球"))
		return "zsxq";
	if (!strcmp(group, "企业微信"))
		return "wecom";
	if (!strcmp(group, "微信支付"))
		return "wechatpay";
	return NULL;
}

/* --- issue #13: what the 微信支付 and 企业微信 groups report ------------------- */

static const char *run_label(const char *outcome)
{
	return !strcmp(outcome, "success") ? "成功" : !strcmp(outcome, "failed") ? "失败"
	       : !strcmp(outcome, "running") ? "运行中" : "跳过";
}

/* 微信支付: which ways of verifying WeChat are on (both while a merchant
 * switches), every platform certificate held, the last download. */
static void fill_verify(struct req *r, tpl_dict *g)
{
	tpl_dict *v = tpl_add_section(g, "VERIFY");
	char *pub = config_get(r->db, "wechat.pay_public_key");
	char *id = config_get(r->db, "wechat.pay_public_key_id");
	if (pub != NULL && id != NULL)
		tpl_set(tpl_add_section(v, "PUBKEY_ON"), "ID", id);
	else
		tpl_show(v, "PUBKEY_OFF");
	free(pub);
	free(id);
	struct wxpay_cert_row *rows;
	int n = 0, valid = 0;
	if (wxpay_certs_list(r->db, r->a, camp_now(), &rows, &n) == CAMP_OK && n > 0) {
		tpl_dict *t = tpl_add_section(v, "CERT_TABLE");
		for (int i = 0; i < n; i++) {
			tpl_dict *row = tpl_add_section(t, "CERT");
			tpl_set(row, "SERIAL", rows[i].serial);
			tpl_set(row, "EFFECTIVE", rows[i].effective);
			tpl_set(row, "EXPIRE", rows[i].expire);
			tpl_set_int(row, "DAYS", rows[i].days_left);
			if (rows[i].days_left < WXPAY_CERT_WARN_DAYS)
				tpl_show(row, "SOON");
			valid++;
		}
	}
	if (valid > 0)
		tpl_set_int(tpl_add_section(v, "CERTS_ON"), "COUNT", valid);
	else
		tpl_show(v, "CERTS_OFF");
	struct job_last last;
	if (job_last_run(r->db, r->a, "wxpay-certs", &last) == CAMP_OK) {
		tpl_dict *l = tpl_add_section(v, "LAST_RUN");
		tpl_set(l, "AT", last.at);
		tpl_set(l, "OUTCOME", run_label(last.outcome));
		if (last.error)
			tpl_set(tpl_add_section(l, "ERROR"), "TEXT", last.error);
	}
}

/* 企业微信: staff whose userid WeCom refused (they get no alerts). */
static void fill_wecom_refusals(struct req *r, tpl_dict *g)
{
	struct wecom_refusal *list;
	int n;
	if (user_wecom_refusals(r->db, r->a, &list, &n) != CAMP_OK || n == 0)
		return;
	tpl_dict *s = tpl_add_section(g, "WECOM_REFUSED");
	for (int i = 0; i < n; i++) {
		tpl_dict *row = tpl_add_section(s, "USER");
		tpl_set_int(row, "ID", list[i].id);
		tpl_set(row, "USERNAME", list[i].username);
		tpl_set(row, "REAL_NAME", list[i].real_name ? list[i].real_name : "");
		tpl_set(row, "WECOM_USERID", list[i].wecom_userid);
		tpl_set(row, "REASON", user_wecom_refusal_label(list[i].reason));
		tpl_set(row, "AT", list[i].at);
	}
}

/* What ZSXQ said of the token's life (x-expire-in), under the token field. */
static void token_life(struct req *r, tpl_dict *g)
{
	struct planet_token t;
	if (planet_token_load(r->db, r->a, &t) != CAMP_OK)
		return;
	tpl_dict *d = tpl_add_section(g, "TOKEN_LIFE");
	tpl_set(d, "TEXT", planet_token_text(r->a, &t));
	tpl_set(d, "CLASS", t.rejected || (t.known && t.days_left <= PLANET_TOKEN_WARN_DAYS) ? "danger"
	                    : t.known ? "success" : "secondary");
}

static void show(struct req *r, struct resp *w, const struct posted *ps)
{
	struct page *p = page_new(r, "系统配置", "admin/settings.tpl");
	for (size_t gi = 0; gi < CAMP_ARRAY_LEN(groups); gi++) {
		tpl_dict *g = tpl_add_section(p->body, "GROUP");
		tpl_set(g, "NAME", groups[gi]);
		tpl_set_int(g, "INDEX", (long long)gi);
		tpl_set(g, "CSRF", csrf_token(r));
		for (size_t i = 0; i < config_nkeys; i++)
			if (!strcmp(config_keys[i].group, groups[gi]))
				fill_key(r, g, i, ps);
		if (!strcmp(groups[gi], "知识星球"))
			token_life(r, g);
		const char *provider = test_provider(groups[gi]);
		if (provider != NULL)
			tpl_set(tpl_add_section(g, "TESTABLE"), "PROVIDER", provider);
		if (!strcmp(groups[gi], "企业微信"))
			fill_wecom_refusals(r, g);
		if (!strcmp(groups[gi], "微信支付")) {
			fill_verify(r, g);
			tpl_dict *c = tpl_add_section(g, "CALLBACKS");
			const char *base = camp_env()->base_url ? camp_env()->base_url : "";
			tpl_set(c, "NOTIFY_URL", arena_printf(r->a, "%s/pay/wechat/notify", base));
			tpl_set(c, "REFUND_NOTIFY_URL",
			        arena_printf(r->a, "%s/pay/wechat/refund-notify", base));
			if (ps && ps->confirm_err)
				tpl_set(tpl_add_section(c, "CONFIRM_ERR"), "TEXT", ps->confirm_err);
		}
	}
	if (ps && ps->nerr > 0) {
		tpl_dict *s = tpl_add_section(p->body, "SUMMARY");
		tpl_set(s, "GROUP", ps->group);
		tpl_set_int(s, "COUNT", ps->nerr);
		for (size_t i = 0; i < config_nkeys; i++)
			if (ps->err[i])
				tpl_set(tpl_add_section(s, "ITEM"), "TEXT",
				        arena_printf(r->a, "%s：%s", config_keys[i].label, ps->err[i]));
		if (ps->confirm_err)
			tpl_set(tpl_add_section(s, "ITEM"), "TEXT", ps->confirm_err);
		w->status = 422;
	}
	page_admin(r, w, p, "/admin/settings");
}

void page_admin_settings(struct req *r, struct resp *w)
{
	config_invalidate();   /* this page shows what is stored, not a 2-second-old copy */
	show(r, w, NULL);
}

static const char *strip_cr(arena *a, const char *v)
{
	char *c = arena_strdup(a, v), *o = c;
	for (const char *s = c; *s; s++)
		if (*s != '\r')
			*o++ = *s;
	*o = '\0';
	return c;
}

/* Marks changed[i] for every submitted key of the group whose value differs. */
static int collect(struct req *r, struct posted *ps, int *changed, int *payment)
{
	for (size_t i = 0; i < config_nkeys; i++) {
		const struct config_key *k = &config_keys[i];
		const char *v = req_form(r, k->key);
		if (strcmp(k->group, ps->group) != 0 || v == NULL)
			continue;
		v = strip_cr(r->a, v);
		if (k->encrypted && *v == '\0')
			continue;   /* empty secret = keep */
		if (!k->encrypted)
			ps->value[i] = v;
		char *cur = config_get(r->db, k->key);
		changed[i] = cur == NULL ? *v != '\0' : strcmp(cur, v) != 0;
		free(cur);
		if (!changed[i])
			continue;
		int err_db;
		ps->err[i] = settings_check(r->db, r->a, k->key, v, &err_db);
		if (err_db)
			return CAMP_EDB;
		ps->nerr += ps->err[i] != NULL;
		*payment |= settings_is_payment(k->key);
	}
	return CAMP_OK;
}

static int confirm_password(struct req *r, struct posted *ps)
{
	const char *pw = req_form(r, "confirm_password");
	int ok = 0;
	if (session_reauth(r, pw, &ok) != CAMP_OK)
		return CAMP_EDB;
	if (pw == NULL || *pw == '\0')
		ps->confirm_err = "修改微信支付配置需要输入你的登录密码";
	else if (!ok)
		ps->confirm_err = "登录密码不正确";
	ps->nerr += ps->confirm_err != NULL;
	return CAMP_OK;
}

static int write_changes(struct req *r, const int *changed, int payment)
{
	for (size_t i = 0; i < config_nkeys; i++) {
		if (!changed[i])
			continue;
		const struct config_key *k = &config_keys[i];
		const char *v = strip_cr(r->a, req_form(r, k->key));
		if (config_set(r->db, k->key, v, r->user->id) != CAMP_OK)
			return CAMP_EDB;
		struct audit a;
		audit_from_req(r, &a, "UPDATE_CONFIG");
		a.target_type = "config";
		a.target_name = k->key;
		a.desc = k->encrypted ? arena_printf(r->a, "修改配置「%s」（加密项，值不记录）", k->label)
		       : arena_printf(r->a, "修改配置「%s」", k->label);
		if (audit_log(r->db, r->a, &a) != CAMP_OK)
			return CAMP_EDB;
	}
	if (!payment)
		return CAMP_OK;
	/* new merchant settings: the platform certificates are fetched again at once */
	if (wxpay_certs_queue_after_settings(r->db, r->a, r->user->id) != CAMP_OK)
		return CAMP_EDB;
	return settings_alert_admins(r->db, r->a, "微信支付配置已修改",
	        arena_printf(r->a, "%s 修改了微信支付配置。如非本人或团队操作，请立即登录后台核查。",
	                     r->user->username));
}

void page_admin_settings_post(struct req *r, struct resp *w)
{
	struct posted ps = { 0 };
	ps.group = req_form(r, "group");
	size_t gi = 0;
	while (gi < CAMP_ARRAY_LEN(groups) && (!ps.group || strcmp(groups[gi], ps.group)))
		gi++;
	if (gi == CAMP_ARRAY_LEN(groups)) {
		resp_error(r, w, 400, "未知的配置分组");
		return;
	}
	config_invalidate();   /* compare against what is stored now */
	fold_notification_form(r);   /* issue #15: 通知 checkboxes and staff multi-select */
	ps.value = arena_alloc(r->a, sizeof(char *) * config_nkeys);
	ps.err = arena_alloc(r->a, sizeof(char *) * config_nkeys);
	int *changed = arena_alloc(r->a, sizeof(int) * config_nkeys);
	int payment = 0, nchanged = 0;
	int rc = collect(r, &ps, changed, &payment);
	if (rc == CAMP_OK && payment)
		rc = confirm_password(r, &ps);
	if (rc != CAMP_OK) {
		resp_unavailable(r, w);
		return;
	}
	if (ps.nerr > 0) {
		show(r, w, &ps);
		return;
	}
	for (size_t i = 0; i < config_nkeys; i++)
		nchanged += changed[i];
	if (db_begin(r->db) != CAMP_OK || write_changes(r, changed, payment) != CAMP_OK ||
	    db_commit(r->db) != CAMP_OK) {
		db_rollback(r->db);
		config_invalidate();
		resp_unavailable(r, w);
		return;
	}
	resp_flash(r, w, "success", nchanged
	           ? arena_printf(r->a, "「%s」已保存（%d 项修改）", ps.group, nchanged)
	           : arena_printf(r->a, "「%s」没有修改", ps.group));
	resp_redirect(w, arena_printf(r->a, "/admin/settings#group-%zu", gi));
}

/* POST /admin/settings/test: 测试连接 runs as a queued job (an outside call never holds a
 * page); its page reports success or the provider's error in plain words. */
void page_admin_settings_test(struct req *r, struct resp *w)
{
	const char *provider = req_form(r, "provider");
	if (provider == NULL || (strcmp(provider, "zsxq") && strcmp(provider, "wecom") &&
	                         strcmp(provider, "wechatpay"))) {
		resp_error(r, w, 400, "未知的服务");
		return;
	}
	long long id = job_enqueue(r->db, r->a, "test-connection",
	                           arena_printf(r->a, "{\"provider\":\"%s\"}", provider), r->user->id);
	if (id == 0) {
		resp_unavailable(r, w);
		return;
	}
	resp_redirect(w, arena_printf(r->a, "/admin/jobs/%lld", id));
}
