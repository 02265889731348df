/* wxoauth.h: WeChat web authorization (snsapi_base) to learn a member's openid (PROTOCOLS §2). */
#ifndef CAMP_WXOAUTH_H
#define CAMP_WXOAUTH_H

#include "arena.h"

/* https://open.weixin.qq.com/connect/oauth2/authorize?appid=…&redirect_uri=…
 * &response_type=code&scope=snsapi_base&state=…#wechat_redirect (parameters in this order). */
const char *wxoauth_authorize_url(arena *a, const char *open_base, const char *appid,
                                  const char *redirect_uri, const char *state);
/* Exchanges a one-use code for the openid.  CAMP_OK with *openid;
 * CAMP_EINVAL when WeChat refuses the code (40029: reused or expired);
 * CAMP_ECONFLICT for a snapshot page ("is_snapshotuser": 1, a 朋友圈
 * preview): its openid is virtual and not handed out (PROTOCOLS §2);
 * CAMP_EPROVIDER when WeChat cannot be reached. */
int wxoauth_openid(arena *a, const char *api_base, const char *appid, const char *secret,
                   const char *code, const char **openid);

#endif
