/* sim.h: camp-sim's shared state, service handlers and helpers (dev/test only). */
#ifndef CAMP_SIM_H
#define CAMP_SIM_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "http.h"

struct json_object;

enum sim_service { SVC_WECHATPAY, SVC_WXOAUTH, SVC_WECOM, SVC_ZSXQ,
                   SVC_WXMP,   /* issue #16: the official account's token and template messages */
                   SVC_SIM, SVC__MAX };

enum sim_fault {
	FAULT_OK = 0, FAULT_500, FAULT_TIMEOUT, FAULT_EXPIRED_COOKIE, FAULT_RATE_LIMIT,
	FAULT_SIGNTEST, FAULT_DUPLICATE_CALLBACK, FAULT_REORDER_CALLBACKS,
	FAULT_REFUND_CLOSED, FAULT_REFUND_ABNORMAL,
	FAULT_NOT_ENOUGH,        /* issue #13/#14: refund creates answer 403 NOT_ENOUGH */
	/* issue #13: WeChat Pay answers compressed whatever the client accepts */
	FAULT_GZIP, FAULT_DEFLATE,
	/* issue #13 (ZSXQ as the real one answers) */
	FAULT_ANTIBOT, FAULT_EXPIRED_COOKIE_200, FAULT_MAINTENANCE,
	/* issue #16: template sends of the official account (43004, 40003, 40037) */
	FAULT_NOT_FOLLOWING, FAULT_INVALID_OPENID, FAULT_BAD_TEMPLATE,
	FAULT__MAX
};

/* Whose key signs WeChat Pay answers and callbacks (PROTOCOLS §1.2, §1.7). */
enum sim_signing {
	SIGN_PUBLIC_KEY = 0,     /* the "WeChat Pay public key" (PUB_KEY_ID_…) */
	SIGN_CERTIFICATE,        /* the newest platform certificate */
	SIGN_SWITCHING,          /* a merchant mid-switch: either, at random, per message */
};

#define SIM_VEC(T) struct { T *v; size_t n, cap; }

/* Identities and keys, generated once into the state directory. */
struct sim_keys {
	char *pay_priv_pem;      /* "WeChat Pay" platform key: signs responses, callbacks */
	char *pay_pub_pem;
	char *pay_cert_pem;      /* the first platform certificate (/v3/certificates) */
	char *pay_cert_key_pem;  /* ... and its own key: certificate mode signs with it */
	char pay_cert_serial[41];
	char pay_pub_key_id[64]; /* PUB_KEY_ID_… */
	char *mch_priv_pem;      /* the merchant's key: the app signs with it */
	char *mch_pub_pem;
	char mch_serial[41];
	char apiv3_key[33];
	char mchid[16];
	char appid[24];
	char app_secret[33];
	char corp_id[24];
	char agent_id[16];
	char corp_secret[44];
	char externalpay_secret[44];
	char zsxq_token[80];
	char group_id[20];
};

/* A platform certificate WeChat lists and may sign with (real X.509). */
struct sim_cert {
	char serial[41];         /* 40 upper-case hex digits */
	char *key_pem, *cert_pem;
	time_t effective, expire;
};

struct sim_order {
	char out_trade_no[33];
	char trade_type[8];
	char fingerprint[65];    /* SHA-256 of every parameter: the same-parameters rule */
	char *description, *attach, *notify_url, *openid, *payer_openid;
	time_t time_expire;      /* 0 = the default 2 h after creation */
	time_t created;
	int64_t total;
	int64_t refunded;        /* accepted refunds not closed */
	char state[12];          /* NOTPAY SUCCESS CLOSED REFUND */
	char transaction_id[33];
	char success_time[32];
	char h5_prepay[40];      /* issue #16: the prepay_id of the latest h5_url */
	time_t h5_until;         /* an h5_url is valid 5 minutes */
};

struct sim_refund {
	char out_refund_no[65];
	char refund_id[33];
	char out_trade_no[33];
	char transaction_id[33];
	char *notify_url;
	int64_t refund, total;
	char status[12];         /* PROCESSING SUCCESS CLOSED ABNORMAL */
	char create_time[32];
	char success_time[32];
	int64_t due_ms;          /* monotonic ms when PROCESSING ends */
	enum sim_fault outcome;  /* FAULT_OK, FAULT_REFUND_CLOSED or FAULT_REFUND_ABNORMAL */
};

struct sim_delivery {
	char *url;
	char *body;              /* the envelope JSON */
	int attempt;             /* deliveries made so far */
	int signtest;            /* the next attempt carries a probe signature */
	char serial[64];         /* Wechatpay-Serial of the attempt being sent */
	int64_t due_ms;
	struct sim_delivery *next;
};

struct sim_bill {
	char transaction_id[33];
	char payee_userid[65];
	char *remark;
	int64_t total_fee;
	int64_t total_refund_fee;   /* refunded in WeCom */
	int trade_state;            /* 1 done, 3 done with refund */
	int legacy;                 /* the older revision: no bill_type */
	time_t pay_time;
};

/* One user's line of a project's leaderboard. */
struct sim_rank {
	long long user_id;
	const char *name;        /* of the user's latest post (owned by the topic) */
	int days;                /* distinct Asia/Shanghai days */
	int64_t first_ms;
};

struct sim_project {
	long long checkin_id;
	char *title, *text;
	int checkin_days;
	char status[10];
	time_t created;
	char *expiration;        /* "" for a long_period project */
	int long_period;
	SIM_VEC(size_t) tix;     /* its topics, indices into sim.topics */
	int tix_sorted;          /* tix is ordered by time (then topic id) */
	SIM_VEC(long long) joined;          /* joined without a post (sorted) */
	struct sim_rank *ranks;  /* the leaderboard, cached while ranks_at == tix.n */
	size_t nranks, ranks_at;
};

struct sim_topic {
	long long topic_id, checkin_id, user_id;
	char *name, *text;
	int64_t ms;              /* create_time, Unix milliseconds */
};

struct sim_msg {
	char kind[12];           /* app | webhook */
	char *to;                /* touser or robot key */
	char *content;
	time_t at;
};

struct sim_token {
	char token[65];
	int externalpay;         /* made from the external-pay secret */
	int mp;                  /* issue #16: an official-account token (/cgi-bin/token) */
	time_t expires;
};

struct sim_code {
	char code[33];
	char openid[33];
	time_t created;
	int used;
	int snapshot;            /* a 朋友圈 snapshot page: is_snapshotuser, a virtual openid */
};

struct sim_state {
	pthread_mutex_t mu;
	pthread_cond_t wake;     /* the delivery thread's alarm clock */
	struct sim_keys k;
	double time_factor;
	long refund_delay_ms;
	int stopping;
	/* count: how many next requests; rate > 0 instead: that share of requests, until "ok" */
	struct { enum sim_fault mode; int count; double rate; } fault[SVC__MAX];
	time_t zsxq_token_expires;           /* x-expire-in counts down to it */
	SIM_VEC(struct sim_order) orders;
	SIM_VEC(struct sim_refund) refunds;
	SIM_VEC(struct sim_bill) bills;
	SIM_VEC(struct sim_project) projects;
	SIM_VEC(struct sim_topic) topics;
	SIM_VEC(struct sim_msg) msgs;
	SIM_VEC(struct sim_token) tokens;
	SIM_VEC(struct sim_code) codes;
	SIM_VEC(time_t) webhook_times;      /* parallel to webhook_keys */
	SIM_VEC(char *) webhook_keys;
	enum sim_signing signing;
	SIM_VEC(struct sim_cert) certs;      /* listed by /v3/certificates; the last one signs */
	SIM_VEC(char *) invalid_users;       /* WeCom: message/send names them in invaliduser */
	SIM_VEC(char *) unlicensed_users;    /* ... in unlicenseduser */
	struct sim_delivery *queue;          /* due deliveries, unordered */
	struct sim_delivery *held;           /* reorder-callbacks: waiting to go out reversed */
	struct json_object *log;             /* array */
	long long seq;                       /* ids */
};

extern struct sim_state sim;

/* The request as the sim sees it: the parsed req plus raw FastCGI values. */
struct sim_ctx {
	struct req *r;
	struct resp *w;
	const char *request_uri;   /* path + query exactly as sent */
	const char *authorization;
	const char *wechatpay_serial;
	enum sim_service svc;
	struct json_object *log_request;   /* logged with the response (owned by ctx) */
	const char *signed_by;             /* Wechatpay-Serial of a signed answer */
};

/* sim_util.c */
void *sim_vec_push(void *vec, size_t elem);   /* zeroed new slot of a SIM_VEC */
#define SIM_PUSH(vecp) ((__typeof__((vecp)->v))sim_vec_push((vecp), sizeof(*(vecp)->v)))
int64_t sim_mono_ms(void);
char *sim_strdup(const char *s);
void sim_fmt_rfc3339(time_t t, char *out, size_t n);         /* +08:00 */
void sim_fmt_zsxq(int64_t ms, char *out, size_t n);          /* 2026-11-21T20:15:03.123+0800 */
int sim_parse_rfc3339(const char *s, time_t *out);
int sim_parse_zsxq(const char *s, int64_t *ms);
void sim_digits(char *out, size_t n);                         /* n random digits */
double sim_uniform(void);                                      /* [0, 1) */
void sim_json_reply(struct sim_ctx *c, int status, struct json_object *o);
/* Takes the next fault of a service (FAULT_OK when none), counting it down. */
enum sim_fault sim_fault_take(enum sim_service s);
const char *sim_fault_name(enum sim_fault f);
/* Appends to the log; returns the entry (owned by the log) for extra fields. */
struct json_object *sim_log_add(const char *svc, const char *method, const char *path, int status,
                                const char *req_body, size_t req_len, const char *resp_body,
                                size_t resp_len);
const char *sim_service_name(enum sim_service s);
struct json_object *sim_body_json(struct sim_ctx *c);        /* NULL unless a JSON object */
const char *sim_jstr(struct json_object *o, const char *key);
int sim_jint(struct json_object *o, const char *key, int64_t *out);

/* sim_keys.c */
int sim_keys_load(const char *state_dir);
void sim_keys_free(void);
/* Wechatpay-* headers over body, added to w (values on the arena); returns
 * the Wechatpay-Serial used (the signing mode decides). */
const char *sim_wxpay_sign_headers(arena *a, struct resp *w, const char *body, size_t len);
/* The headers of an outgoing callback as "Name: value" lines (malloc'd);
 * the serial that signed it into serial (≥ 64 bytes).  Caller holds the lock. */
char **sim_wxpay_callback_headers(const char *body, int signtest, char *serial);
/* Platform certificates: back to the one kept in the state directory. */
void sim_certs_reset(void);
void sim_certs_free(void);
/* A new platform certificate (new key, 40-hex serial) valid for days, which
 * signs from now on; keep_old = 0 drops the others from /v3/certificates. */
const struct sim_cert *sim_certs_rotate(int days, int keep_old);
const char *sim_signing_name(enum sim_signing s);
/* Compresses a WeChat Pay answer in place (Content-Encoding gzip|deflate). */
int sim_compress(arena *a, struct resp *w, const char *encoding);
/* Encrypts plaintext into an encrypt-resource object. */
struct json_object *sim_wxpay_encrypt(const char *plaintext, const char *aad,
                                      const char *original_type);

/* services */
void sim_wxpay_handle(struct sim_ctx *c);
void sim_wxpay_pay(struct sim_ctx *c, const char *out_trade_no);
void sim_wxpay_bill(struct sim_ctx *c);
void sim_wxpay_tick(void);     /* ends due refunds (caller holds the lock) */
/* --- issue #13 --- */
void sim_wxpay_signing(struct sim_ctx *c);        /* POST /sim/wechatpay/signing */
void sim_wxpay_certificates(struct sim_ctx *c);   /* POST /sim/wechatpay/certificates */
void sim_wxpay_transactions(struct sim_ctx *c);   /* POST /sim/wechatpay/transactions */
void sim_wecom_users(struct sim_ctx *c);          /* POST /sim/wecom/users */
void sim_oauth_handle(struct sim_ctx *c);
void sim_wecom_handle(struct sim_ctx *c);
void sim_zsxq_handle(struct sim_ctx *c);
void sim_zsxq_add_checkin(struct sim_ctx *c);
void sim_zsxq_project(struct sim_ctx *c);      /* POST /sim/zsxq/projects */
void sim_zsxq_join(struct sim_ctx *c);         /* POST /sim/zsxq/joins */
void sim_zsxq_token(struct sim_ctx *c);        /* POST /sim/zsxq/token */
void sim_zsxq_reset(void);
/* x-expire-in on a ZSXQ answer (not on an expired-token one). */
void sim_zsxq_expire_header(struct sim_ctx *c, enum sim_fault f);     /* frees the projects' indexes (caller holds the lock) */
/* issue #16 */
void sim_wxmp_handle(struct sim_ctx *c);
void sim_wxpay_h5_page(struct sim_ctx *c);   /* GET/POST /sim/h5pay: WeChat's H5 cashier */
void sim_ui_handle(struct sim_ctx *c);
void sim_reset_state(void);    /* caller holds the lock */
/* sim_bill.c (issue #14): GET /v3/bill/tradebill and its download_url */
void sim_bill_tradebill(struct sim_ctx *c);
void sim_bill_download(struct sim_ctx *c);

/* sim_deliver.c: callbacks with WeChat's retry schedule */
void sim_deliver_enqueue(const char *url, const char *body);   /* caller holds the lock */
void *sim_deliver_main(void *arg);
void sim_deliver_free_all(void);

#endif
