/* paydata.c: sealing openids and WeChat Pay's decrypted JSON for their table, column and row. */
#include "paydata.h"
#include "camp.h"
#include "log.h"
#include "secret.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

const char *pd_row_id(arena *a, long long id)
{
	return arena_i64(a, id);
}

const char *pd_row_txn(const char *transaction_id)
{
	return transaction_id ? transaction_id : "";
}

const char *pd_row_exception(arena *a, const char *transaction_id, const char *out_trade_no)
{
	return arena_printf(a, "%s/%s", transaction_id ? transaction_id : "",
	                    out_trade_no ? out_trade_no : "");
}

const char *pd_row_audit(arena *a, long long payment_id, const char *action)
{
	return arena_printf(a, "%lld/%s", payment_id, action ? action : "");
}

/* "table.column#row": where the value belongs. */
const char *pd_aad(arena *a, const char *column, const char *row)
{
	return arena_printf(a, "%s#%s", column, row ? row : "");
}

int pd_seal(arena *a, const char *column, const char *row, const char *value, const char **out)
{
	*out = NULL;
	if (value == NULL || *value == '\0')
		return CAMP_OK;
	char *s = secret_seal_with(secret_own_master(), SECRET_PAYDATA, pd_aad(a, column, row), value);
	if (s == NULL) {
		log_err("paydata: cannot seal %s (no master key loaded?)", column);
		return CAMP_ECRYPTO;
	}
	*out = arena_strdup(a, s);
	free(s);
	return CAMP_OK;
}

const char *pd_open(arena *a, const char *column, const char *row, const char *sealed)
{
	if (sealed == NULL || *sealed == '\0')
		return NULL;
	char *p = secret_open_with(secret_own_master(), SECRET_PAYDATA, pd_aad(a, column, row), sealed);
	if (p == NULL) {
		char kid[SECRET_KEY_ID_LEN + 1];
		secret_sealed_key_id(sealed, kid);
		log_err("paydata: %s#%s does not open under master key %s (sealed under %s)", column,
		        row ? row : "", secret_master_id(secret_own_master()), *kid ? kid : "?");
		return NULL;
	}
	const char *out = arena_strdup(a, p);
	OPENSSL_cleanse(p, strlen(p));
	free(p);
	return out;
}

const char *pd_index(arena *a, const char *openid)
{
	char hex[65];
	if (openid == NULL || *openid == '\0' ||
	    secret_index_with(secret_own_master(), openid, hex) != CAMP_OK)
		return NULL;
	return arena_strdup(a, hex);
}
