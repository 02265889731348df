/* rekey.c: every sealed value of the database sealed again — under a new master key, or the first time. */
#include "rekey.h"
#include "audit.h"
#include "buf.h"
#include "camp.h"
#include "camps.h"
#include "db.h"
#include "env.h"
#include "log.h"
#include "paydata.h"
#include "secret.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rows sealed again per round trip (two statements: read a page, write it back). */
#define PAGE 500
#define PAGE_SQL "500"

/* ---- the sealed payment columns, table by table ------------------------------- */

/* Each page statement: $1 = the last id done; the next rows holding a sealed value as
 * id, row (the row identity of paydata.h, the same text), c0, c1. */
static const struct db_stmt q_page_member = DB_STMT(
	"SELECT id, id::text AS row, openid_sealed AS c0, NULL::text AS c1 FROM camp_member"
	" WHERE id > $1::bigint AND openid_sealed IS NOT NULL ORDER BY id LIMIT " PAGE_SQL);
static const struct db_stmt q_page_payment = DB_STMT(
	"SELECT id, id::text AS row, openid_sealed AS c0, callback_sealed AS c1 FROM payment_record"
	" WHERE id > $1::bigint AND (openid_sealed IS NOT NULL OR callback_sealed IS NOT NULL)"
	" ORDER BY id LIMIT " PAGE_SQL);
static const struct db_stmt q_page_txn = DB_STMT(
	"SELECT id, COALESCE(transaction_id, '') AS row, openid_sealed AS c0, raw_sealed AS c1"
	" FROM payment_transaction"
	" WHERE id > $1::bigint AND (openid_sealed IS NOT NULL OR raw_sealed IS NOT NULL)"
	" ORDER BY id LIMIT " PAGE_SQL);
static const struct db_stmt q_page_exception = DB_STMT(
	"SELECT id, COALESCE(transaction_id, '') || '/' || COALESCE(out_trade_no, '') AS row,"
	" payer_openid_sealed AS c0, raw_sealed AS c1 FROM payment_exception"
	" WHERE id > $1::bigint AND (payer_openid_sealed IS NOT NULL OR raw_sealed IS NOT NULL)"
	" ORDER BY id LIMIT " PAGE_SQL);
static const struct db_stmt q_page_audit = DB_STMT(
	"SELECT id, COALESCE(payment_id, 0)::text || '/' || action_type AS row,"
	" request_sealed AS c0, response_sealed AS c1 FROM payment_audit_log"
	" WHERE id > $1::bigint AND (request_sealed IS NOT NULL OR response_sealed IS NOT NULL)"
	" ORDER BY id LIMIT " PAGE_SQL);
/* Migration 011: the plaintext its SQL set aside, in the same shape ($2 = the table). */
static const struct db_stmt q_page_legacy = DB_STMT(
	"SELECT id, row, c0, c1 FROM seal_011 WHERE tbl = $2 AND id > $1::bigint"
	" ORDER BY id LIMIT " PAGE_SQL);

/* Each store statement writes one page back: $1 ids, $2 c0, $3 c1, $4 blind indexes. */
#define STORE_FROM \
	" FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) AS v(id, c0, c1, i)" \
	" WHERE t.id = v.id"
static const struct db_stmt q_store_member = DB_STMT(
	"UPDATE camp_member t SET openid_sealed = v.c0, openid_index = v.i" STORE_FROM);
static const struct db_stmt q_store_payment = DB_STMT(
	"UPDATE payment_record t SET openid_sealed = v.c0, openid_index = v.i, callback_sealed = v.c1"
	STORE_FROM);
static const struct db_stmt q_store_txn = DB_STMT(
	"UPDATE payment_transaction t SET openid_sealed = v.c0, raw_sealed = v.c1" STORE_FROM);
static const struct db_stmt q_store_exception = DB_STMT(
	"UPDATE payment_exception t SET payer_openid_sealed = v.c0, raw_sealed = v.c1" STORE_FROM);
static const struct db_stmt q_store_audit = DB_STMT(
	"UPDATE payment_audit_log t SET request_sealed = v.c0, response_sealed = v.c1" STORE_FROM);

static const struct sealed_table {
	const char *name;
	const char *col[2];              /* the columns as the associated data names them */
	int indexed;                     /* col[0] is an openid: its blind index is stored too */
	const struct db_stmt *page, *store;
} tables[] = {
	{ "camp_member", { PD_MEMBER_OPENID, NULL }, 1, &q_page_member, &q_store_member },
	{ "payment_record", { PD_PAY_OPENID, PD_PAY_CALLBACK }, 1, &q_page_payment, &q_store_payment },
	{ "payment_transaction", { PD_TXN_OPENID, PD_TXN_RAW }, 0, &q_page_txn, &q_store_txn },
	{ "payment_exception", { PD_EXC_OPENID, PD_EXC_RAW }, 0, &q_page_exception, &q_store_exception },
	{ "payment_audit_log", { PD_AUDIT_REQUEST, PD_AUDIT_RESPONSE }, 0, &q_page_audit, &q_store_audit },
};

/* One element of a PostgreSQL array literal ("{…}"): NULL or a quoted string. */
static void array_add(struct buf *b, const char *v)
{
	buf_putc(b, b->len == 0 ? '{' : ',');
	if (v == NULL) {
		buf_puts(b, "NULL");
		return;
	}
	buf_putc(b, '"');
	for (const char *p = v; *p; p++) {
		if (*p == '"' || *p == '\\')
			buf_putc(b, '\\');
		buf_putc(b, *p);
	}
	buf_putc(b, '"');
}

static const char *array_end(struct buf *b)
{
	if (b->len == 0)
		buf_putc(b, '{');
	buf_putc(b, '}');
	return b->s;
}

static void wipe(char *plain)
{
	if (plain != NULL) {
		OPENSSL_cleanse(plain, strlen(plain));
		free(plain);
	}
}

/* One value: opened under from (or taken as it is: legacy plaintext), sealed
 * under to; the blind index too when asked.  CAMP_OK or CAMP_ECRYPTO. */
static int reseal_value(const char *aad, const char *v, int legacy,
                        const struct secret_master *from, const struct secret_master *to,
                        char **sealed, char index[65])
{
	*sealed = NULL;
	char *plain = legacy ? strdup(v) : secret_open_with(from, SECRET_PAYDATA, aad, v);
	if (plain == NULL)
		return CAMP_ECRYPTO;
	*sealed = secret_seal_with(to, SECRET_PAYDATA, aad, plain);
	int rc = *sealed != NULL ? CAMP_OK : CAMP_ECRYPTO;
	if (rc == CAMP_OK && index != NULL)
		rc = secret_index_with(to, plain, index);
	wipe(plain);
	return rc;
}

/* Every sealed value of one table, page by page. */
static int reseal_table(struct db *d, const struct sealed_table *tb, int legacy,
                        const struct secret_master *from, const struct secret_master *to,
                        struct rekey_tally *t, char *why, size_t n)
{
	char last[24] = "0";
	int rc = CAMP_OK, rows;
	do {
		arena *a = arena_new();
		struct buf ids = BUF_INIT, c[2] = { BUF_INIT, BUF_INIT }, idx = BUF_INIT;
		const char *p[] = { last, tb->name };
		PGresult *res = legacy ? db_q(d, a, &q_page_legacy, 2, p) : db_q(d, a, tb->page, 1, p);
		rows = res ? PQntuples(res) : 0;
		if (res == NULL) {
			rc = CAMP_EDB;
			snprintf(why, n, "cannot read %s: %s", tb->name, db_errmsg(d));
		}
		for (int i = 0; rc == CAMP_OK && i < rows; i++) {
			const char *id = db_get(res, i, "id"), *row = db_get(res, i, "row");
			char index[65];
			array_add(&ids, id);
			for (int k = 0; k < 2; k++) {
				const char *v = db_get(res, i, k ? "c1" : "c0");
				char *sealed = NULL;
				int want_index = k == 0 && tb->indexed;
				if (v != NULL && *v != '\0' && tb->col[k] != NULL) {
					rc = reseal_value(pd_aad(a, tb->col[k], row), v, legacy, from, to, &sealed,
					                  want_index ? index : NULL);
					if (rc != CAMP_OK) {
						snprintf(why, n, "%s#%s (%s.id %s) does not open under master key %s",
						         tb->col[k], row, tb->name, id, secret_master_id(from));
						break;
					}
					t->values++;
					t->indexes += want_index;
				}
				array_add(&c[k], sealed);
				if (k == 0)
					array_add(&idx, sealed && want_index ? index : NULL);
				free(sealed);
			}
		}
		if (rc == CAMP_OK && rows > 0) {
			snprintf(last, sizeof(last), "%s", db_get(res, rows - 1, "id"));
			const char *sp[] = { array_end(&ids), array_end(&c[0]), array_end(&c[1]), array_end(&idx) };
			if (db_q(d, a, tb->store, 4, sp) == NULL) {
				rc = CAMP_EDB;
				snprintf(why, n, "cannot write %s: %s", tb->name, db_errmsg(d));
			}
		}
		buf_free(&ids);
		buf_free(&c[0]);
		buf_free(&c[1]);
		buf_free(&idx);
		arena_free(a);
	} while (rc == CAMP_OK && rows == PAGE);
	return rc;
}

/* ---- settings and robot keys (sealed with the settings key) ------------------- */

static const struct db_stmt q_settings = DB_STMT(
	"SELECT config_key AS id, config_value AS sealed FROM system_config"
	" WHERE is_encrypted AND config_value <> '' ORDER BY config_key");
static const struct db_stmt q_setting_store = DB_STMT(
	"UPDATE system_config SET config_value = $2 WHERE config_key = $1");
static const struct db_stmt q_robots = DB_STMT(
	"SELECT id, robot_webhook_key AS sealed FROM training_camp WHERE robot_webhook_key <> ''"
	" ORDER BY id");
static const struct db_stmt q_robot_store = DB_STMT(
	"UPDATE training_camp SET robot_webhook_key = $2 WHERE id = $1");

/* A list of values sealed with the settings key: rows of (id, sealed), each written back by
 * (id, sealed again).  The associated data is the setting's own key, or one fixed name. */
struct settings_sealed {
	const struct db_stmt *read, *store;
	const char *aad;          /* NULL: the row's id */
	const char *what;         /* for the message, with the row's id */
};
static const struct settings_sealed settings_list = { &q_settings, &q_setting_store, NULL, "the setting" };
static const struct settings_sealed robot_list = { &q_robots, &q_robot_store, CAMP_ROBOT_KEY_NAME,
                                                   "the robot key of camp" };

static int reseal_list(struct db *d, arena *a, const struct settings_sealed *ss,
                       const struct secret_master *from, const struct secret_master *to,
                       long long *count, char *why, size_t n)
{
	PGresult *res = db_q(d, a, ss->read, 0, NULL);
	if (res == NULL)
		return CAMP_EDB;
	for (int i = 0; i < PQntuples(res); i++) {
		const char *id = db_get(res, i, "id");
		const char *aad = ss->aad ? ss->aad : id;
		char *plain = secret_open_with(from, SECRET_SETTINGS, aad, db_get(res, i, "sealed"));
		char *s = plain ? secret_seal_with(to, SECRET_SETTINGS, aad, plain) : NULL;
		wipe(plain);
		if (s == NULL) {
			snprintf(why, n, "%s %s does not open under master key %s", ss->what, id,
			         secret_master_id(from));
			return CAMP_ECRYPTO;
		}
		PGresult *w = db_q(d, a, ss->store, 2, (const char *[]){ id, s });
		free(s);
		if (w == NULL)
			return CAMP_EDB;
		(*count)++;
	}
	return CAMP_OK;
}

static int reseal_settings(struct db *d, arena *a, const struct secret_master *from,
                           const struct secret_master *to, struct rekey_tally *t,
                           char *why, size_t n)
{
	int rc = reseal_list(d, a, &settings_list, from, to, &t->settings, why, n);
	return rc == CAMP_OK ? reseal_list(d, a, &robot_list, from, to, &t->robot_keys, why, n) : rc;
}

/* ---- the two entry points ---------------------------------------------------- */

/* Resealing changes no row's meaning: updated_at stays, archived camps take their
 * robot key (sql/011: update_updated_at_column, refuse_archived_camp_change). */
static const struct db_stmt q_resealing = DB_STMT(
	"SELECT set_config('camp.resealing', 'on', true)");
/* Writers wait (readers do not) until the new key is in place everywhere: a value
 * sealed under the old key meanwhile would be lost.  Camp first, as enrolling locks. */
static const struct db_stmt q_lock = DB_STMT(
	"LOCK TABLE training_camp, camp_member, payment_record, payment_transaction,"
	" payment_exception, payment_audit_log, system_config, master_key IN EXCLUSIVE MODE");
static const struct db_stmt q_key_get = DB_STMT(
	"SELECT key_id FROM master_key");
static const struct db_stmt q_key_set = DB_STMT(
	"UPDATE master_key SET key_id = $1, since = now()");
static const struct db_stmt q_key_first = DB_STMT(
	"INSERT INTO master_key (key_id) VALUES ($1)");

static int reseal_all(struct db *d, arena *a, int legacy, const struct secret_master *from,
                      const struct secret_master *to, struct rekey_tally *t, char *why, size_t n)
{
	int rc = reseal_settings(d, a, from, to, t, why, n);
	for (size_t i = 0; rc == CAMP_OK && i < CAMP_ARRAY_LEN(tables); i++)
		rc = reseal_table(d, &tables[i], legacy, from, to, t, why, n);
	if (rc == CAMP_EDB && *why == '\0')
		snprintf(why, n, "database: %s", db_errmsg(d));
	return rc;
}

int rekey_run(struct db *d, const struct secret_master *from, const struct secret_master *to,
              struct rekey_tally *t, char *why, size_t n)
{
	memset(t, 0, sizeof(*t));
	why[0] = '\0';
	if (!strcmp(secret_master_id(from), secret_master_id(to))) {
		snprintf(why, n, "the new key is the key in use (id %s)", secret_master_id(to));
		return CAMP_ECONFLICT;
	}
	if (db_begin(d) != CAMP_OK) {
		snprintf(why, n, "database: %s", db_errmsg(d));
		return CAMP_EDB;
	}
	arena *a = arena_new();
	int rc = CAMP_EDB;
	PGresult *res = NULL;
	if (db_q(d, a, &q_resealing, 0, NULL) == NULL || db_q(d, a, &q_lock, 0, NULL) == NULL ||
	    (res = db_q(d, a, &q_key_get, 0, NULL)) == NULL) {
		snprintf(why, n, "database: %s", db_errmsg(d));
		goto out;
	}
	const char *have = PQntuples(res) == 1 ? db_get(res, 0, "key_id") : NULL;
	if (have == NULL || strcmp(have, secret_master_id(from)) != 0) {
		rc = CAMP_ECONFLICT;
		if (have == NULL)
			snprintf(why, n, "the database records no master key: run campctl migrate first");
		else
			snprintf(why, n, "the database is sealed under master key %s, the key file holds %s",
			         have, secret_master_id(from));
		goto out;
	}
	if (db_q(d, a, &q_key_set, 1, (const char *[]){ secret_master_id(to) }) == NULL) {
		snprintf(why, n, "database: %s", db_errmsg(d));
		goto out;
	}
	rc = reseal_all(d, a, 0, from, to, t, why, n);
	if (rc == CAMP_OK) {
		struct audit e = {
			.operator_name = "campctl", .type = "REKEY", .target_type = "master_key",
			.target_name = secret_master_id(to),
			.desc = arena_printf(a, "轮换主密钥 %s → %s：重新加密 %lld 项配置、%lld 个群机器人密钥、"
			                     "%lld 项支付数据", secret_master_id(from), secret_master_id(to),
			                     t->settings, t->robot_keys, t->values),
		};
		rc = audit_log(d, a, &e);
	}
	if (rc == CAMP_OK && (rc = db_commit(d)) != CAMP_OK)
		snprintf(why, n, "commit: %s", db_errmsg(d));
out:
	if (rc != CAMP_OK)
		db_rollback(d);
	arena_free(a);
	return rc;
}

int rekey_migrate_011(struct db *d, char *note, size_t n)
{
	struct rekey_tally t = { 0 };
	const char *path = camp_env()->master_key_file;
	if (!secret_have_master() && secret_load_master(path) != CAMP_OK) {
		snprintf(note, n, "sealing payment data needs the master key: cannot read %s "
		         "(CAMP_MASTER_KEY_FILE)", path && *path ? path : "(unset)");
		return CAMP_ECRYPTO;
	}
	const struct secret_master *m = secret_own_master();
	arena *a = arena_new();
	int rc = CAMP_EDB;
	if (db_q(d, a, &q_resealing, 0, NULL) == NULL ||
	    db_q(d, a, &q_key_first, 1, (const char *[]){ secret_master_id(m) }) == NULL) {
		snprintf(note, n, "database: %s", db_errmsg(d));
		goto out;
	}
	/* settings: "v1:" under this key → "v2:<id>:"; payment data: plaintext → sealed */
	note[0] = '\0';
	rc = reseal_all(d, a, 1, m, m, &t, note, n);
	if (rc == CAMP_ECRYPTO)
		snprintf(note + strlen(note), n - strlen(note), " (is %s this database's master key?)", path);
	if (rc == CAMP_OK)
		snprintf(note, n, "sealed %lld payment values (%lld openid indexes), %lld settings and "
		         "%lld robot keys under master key %s", t.values, t.indexes, t.settings,
		         t.robot_keys, secret_master_id(m));
out:
	arena_free(a);
	return rc;
}
