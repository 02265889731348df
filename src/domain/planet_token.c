/* planet_token.c: recording x-expire-in per token, showing the days left, warning staff before the token dies. */
#include "planet_token.h"
#include "alerts.h"
#include "camp.h"
#include "clock.h"
#include "config.h"
#include "crypto.h"
#include "dates.h"
#include "db.h"
#include "zsxq.h"

#include <stdlib.h>
#include <string.h>

#define DAY_S 86400L

static const struct db_stmt q_seen = DB_STMT(
	"INSERT INTO provider_token (provider, token_sha256, expires_at, seen_at, rejected_at, updated_at)"
	" VALUES ('zsxq', $1, $2::timestamptz + $3::bigint * interval '1 second', $2::timestamptz, NULL,"
	"         $2::timestamptz)"
	" ON CONFLICT (provider) DO UPDATE SET token_sha256 = EXCLUDED.token_sha256,"
	"    expires_at = EXCLUDED.expires_at, seen_at = EXCLUDED.seen_at, rejected_at = NULL,"
	"    updated_at = EXCLUDED.updated_at");
/* a refused token keeps the life it was said to have, a new one starts unknown */
static const struct db_stmt q_rejected = DB_STMT(
	"INSERT INTO provider_token (provider, token_sha256, rejected_at, updated_at)"
	" VALUES ('zsxq', $1, $2::timestamptz, $2::timestamptz)"
	" ON CONFLICT (provider) DO UPDATE SET rejected_at = EXCLUDED.rejected_at,"
	"    expires_at = CASE WHEN provider_token.token_sha256 = EXCLUDED.token_sha256"
	"                      THEN provider_token.expires_at END,"
	"    seen_at = CASE WHEN provider_token.token_sha256 = EXCLUDED.token_sha256"
	"                   THEN provider_token.seen_at END,"
	"    token_sha256 = EXCLUDED.token_sha256, updated_at = EXCLUDED.updated_at");
static const struct db_stmt q_load = DB_STMT(
	"SELECT token_sha256, extract(epoch FROM expires_at)::bigint AS expires,"
	"       to_char(expires_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') AS expires_text,"
	"       rejected_at IS NOT NULL AS rejected"
	"  FROM provider_token WHERE provider = 'zsxq'");

/* The SHA-256 of the token configured now; NULL when none is. */
static const char *token_hash(struct db *d, arena *a)
{
	char *tok = config_get(d, "planet.cookie");
	if (tok == NULL || *tok == '\0') {
		free(tok);
		return NULL;
	}
	char hex[65];
	crypto_sha256_hex(tok, strlen(tok), hex);
	memset(tok, 0, strlen(tok));
	free(tok);
	return arena_strdup(a, hex);
}

int planet_token_note(struct db *d, arena *a, const struct zsxq_client *z, int rc)
{
	if (rc != CAMP_EEXPIRED && !z->have_expire)
		return CAMP_OK;
	const char *h = token_hash(d, a);
	if (h == NULL)
		return CAMP_OK;
	char at[40];
	if (rc == CAMP_EEXPIRED) {
		const char *p[] = { h, clock_now_param(at, sizeof(at)) };
		return db_q(d, a, &q_rejected, 2, p) ? CAMP_OK : CAMP_EDB;
	}
	const char *p[] = { h, clock_rfc3339(z->expire_seen, at, sizeof(at)), arena_i64(a, z->expire_in) };
	return db_q(d, a, &q_seen, 3, p) ? CAMP_OK : CAMP_EDB;
}

int planet_token_load(struct db *d, arena *a, struct planet_token *out)
{
	memset(out, 0, sizeof(*out));
	PGresult *res = db_q(d, a, &q_load, 0, NULL);
	if (res == NULL)
		return CAMP_EDB;
	const char *h = token_hash(d, a);
	if (PQntuples(res) != 1 || h == NULL || strcmp(db_get(res, 0, "token_sha256"), h) != 0)
		return CAMP_OK;
	out->rejected = db_get_bool(res, 0, "rejected");
	if (db_get(res, 0, "expires") == NULL)
		return CAMP_OK;
	out->known = 1;
	out->expires_at = (time_t)db_get_ll(res, 0, "expires", 0);
	out->expires_text = arena_strdup(a, db_get(res, 0, "expires_text"));
	long long left = (long long)out->expires_at - (long long)camp_now();
	out->days_left = left > 0 ? (long)((left + DAY_S - 1) / DAY_S) : 0;
	return CAMP_OK;
}

const char *planet_token_text(arena *a, const struct planet_token *t)
{
	if (t->rejected)
		return "已失效：知识星球拒绝了当前 Token，请重新登录知识星球并更新 Token";
	if (!t->known)
		return "有效期未知：下次同步或测试连接成功后显示";
	if (t->days_left <= 0)
		return arena_printf(a, "已于 %s 过期", t->expires_text);
	return arena_printf(a, "剩余 %ld 天（%s 到期）", t->days_left, t->expires_text);
}

int planet_token_warn(struct db *d, arena *a, long *queued)
{
	if (queued)
		*queued = 0;
	struct planet_token t;
	if (planet_token_load(d, a, &t) != CAMP_OK)
		return CAMP_EDB;
	if (!t.known || t.rejected || t.expires_at - camp_now() > PLANET_TOKEN_WARN_DAYS * DAY_S)
		return CAMP_OK;
	char today[12];
	cday_format(cday_of(camp_now()), today, sizeof(today));
	struct alert al = {
		.type = "cookie_expired",
		.title = t.days_left > 0 ? "知识星球 Token 即将过期" : "知识星球 Token 已过期",
		.content = arena_printf(a, "知识星球 Token %s。过期后打卡同步会停止：请在知识星球网页版重新登录，"
		                        "把新的 Token 填入「系统配置 → 知识星球」。",
		                        t.days_left > 0 ? arena_printf(a, "将于 %s 过期（剩余 %ld 天）",
		                                                       t.expires_text, t.days_left)
		                                        : arena_printf(a, "已于 %s 过期", t.expires_text)),
		.once_key = arena_printf(a, "zsxq-token-expiring:%s", today),
	};
	return alert_staff(d, a, &al, queued);
}
