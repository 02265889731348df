/* wxoauth.c: the two steps of WeChat's snsapi_base web authorization. */
#include "wxoauth.h"
#include "camp.h"
#include "httpc.h"
#include "jsonget.h"
#include "log.h"

#include <json-c/json.h>
#include <string.h>

static const char *urlenc(arena *a, const char *s)
{
	return httpc_urlencode(a, s);
}

const char *wxoauth_authorize_url(arena *a, const char *open_base, const char *appid,
                                  const char *redirect_uri, const char *state)
{
	return arena_printf(a, "%s/connect/oauth2/authorize?appid=%s&redirect_uri=%s"
	                    "&response_type=code&scope=snsapi_base&state=%s#wechat_redirect",
	                    open_base, urlenc(a, appid), urlenc(a, redirect_uri), urlenc(a, state));
}

int wxoauth_openid(arena *a, const char *api_base, const char *appid, const char *secret,
                   const char *code, const char **openid)
{
	*openid = NULL;
	const char *url = arena_printf(a, "%s/sns/oauth2/access_token?appid=%s&secret=%s&code=%s"
	                               "&grant_type=authorization_code", api_base, urlenc(a, appid),
	                               urlenc(a, secret), urlenc(a, code));
	const char *headers[] = { "Accept: application/json", NULL };
	struct httpc_request rq = { .method = "GET", .url = url, .headers = headers };
	struct httpc_response rs = HTTPC_RESPONSE_INIT;
	int rc = httpc_do(&rq, &rs);
	if (rc != CAMP_OK || rs.status != 200) {
		log_warn("wxoauth: no usable answer (%ld %s)", rs.status, rs.error);
		httpc_response_free(&rs);
		return CAMP_EPROVIDER;
	}
	struct json_object *o = json_tokener_parse(rs.body.s ? rs.body.s : "");
	httpc_response_free(&rs);
	if (o == NULL)
		return CAMP_EPROVIDER;
	arena_json(a, o);
	struct json_object *v;
	if (json_object_object_get_ex(o, "errcode", &v) && json_object_get_int(v) != 0) {
		log_info("wxoauth: code refused, errcode %d", json_object_get_int(v));
		return CAMP_EINVAL;
	}
	if (json_object_object_get_ex(o, "is_snapshotuser", &v) && json_object_get_int(v) == 1) {
		log_info("wxoauth: a snapshot page (is_snapshotuser): no openid");
		return CAMP_ECONFLICT;
	}
	if (!json_object_object_get_ex(o, "openid", &v) || !json_object_is_type(v, json_type_string))
		return CAMP_EPROVIDER;
	*openid = arena_strdup(a, json_object_get_string(v));
	return **openid ? CAMP_OK : CAMP_EPROVIDER;
}
