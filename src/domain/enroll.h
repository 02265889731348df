/* enroll.h: a member's enrollment — validation, the pending order, the ticket. */
#ifndef CAMP_DOMAIN_ENROLL_H
#define CAMP_DOMAIN_ENROLL_H

#include <stdint.h>
#include <time.h>

#include "arena.h"
#include "camps.h"

struct db;

struct enroll_form {
	const char *planet_nickname;
	const char *planet_user_id;
	const char *wechat_nickname;
	int agree;
	int later;          /* "暂不填写星球信息，先支付": planet fields may be empty */
};

/* Field rules of the H5 form; CAMP_OK or CAMP_EINVAL with messages. */
int enroll_validate(arena *a, struct enroll_form *f, struct form_errors *e);

/* Anonymous seat holds are limited (issue #14): pending orders of one camp
 * at most HOLDS_PER_BROWSER per browser (its ticket tokens) and
 * HOLDS_PER_IP per client address. */
#define HOLDS_PER_BROWSER 3
#define HOLDS_PER_IP 10

/* Who asks for the seat. */
struct enroll_holder {
	const char *openid;          /* WeChat openid or NULL */
	const char *ip;              /* the client's address */
	const char *const *tokens;   /* ticket tokens this browser holds */
	int ntokens;
};

enum enroll_refusal {
	ENROLL_FULL = 1,             /* paid members + held seats reach the capacity */
	ENROLL_BROWSER_LIMIT,        /* this browser holds HOLDS_PER_BROWSER pending orders */
	ENROLL_IP_LIMIT,             /* this address holds HOLDS_PER_IP pending orders */
	ENROLL_GONE,                 /* deleted or cancelled meanwhile */
};

struct enrollment {
	enum enroll_refusal refused; /* with CAMP_ECONFLICT */
	long long member_id, payment_id;
	char order_no[40];
	char token[40];      /* tk_…, shown once: only its SHA-256 is stored */
	char attach[96];     /* the order's attach for WeChat Pay (pay_attach_format), stored with it */
	time_t expires;      /* the order's time_expire */
	int64_t fen;
};

/* An already paid enrollment of this planet ID in this camp: CAMP_OK, with
 * *same_payer = 1 when openid (may be NULL) is its payer's (compared by blind
 * index); CAMP_ENOTFOUND when there is none. */
int enroll_find_paid(struct db *d, arena *a, long long camp_id, const char *planet_user_id,
                     const char *openid, int *same_payer);

/* One transaction: the camp row lock, then (counted after the lock, so two
 * enrollments never both take the last seat) capacity and the holder's
 * limits, the member, the pending payment with the deposit captured now,
 * the ticket token, status logs.  CAMP_ECONFLICT with out->refused. */
int enroll_create(struct db *d, arena *a, const struct camp *c, const struct enroll_form *f,
                  const struct enroll_holder *h, const char *trade_type, time_t now,
                  struct enrollment *out);


/* What a ticket token opens. */
struct ticket {
	long long payment_id, member_id, camp_id;
	const char *order_no, *pay_status, *bind_status, *bind_deadline;
	const char *planet_nickname, *planet_user_id, *wechat_nickname;
	int paid;
};
/* Looks a token up (by its hash) and checks it is still valid: active and
 * before its expiry, or its refund not yet settled.  CAMP_ENOTFOUND otherwise. */
int ticket_get(struct db *d, arena *a, const char *token, time_t now, struct ticket *t);
/* The ticket for an order when this browser holds its token (status polling). */
int ticket_for_order(struct db *d, arena *a, const char *order_no, const char *token,
                     time_t now, struct ticket *t);
/* live[i] = 1 when tokens[i] still opens something worth keeping in the
 * browser: a paid or refunded ticket, or an order holding its seat. */
int ticket_live_set(struct db *d, arena *a, const char *const *tokens, int n, time_t now, int *live);

#endif

/* A fresh ticket token for a paid payment (the bind page and /h5/mine
 * issue one when this browser holds none). */
int ticket_issue(struct db *d, arena *a, long long payment_id, time_t now, char token[40]);

/* A member's own paid enrollments, found by WeChat openid (for /h5/mine). */
struct my_enrollment {
	long long payment_id, camp_id;
	const char *camp_name, *status, *start_date, *end_date;
};
int enroll_by_openid(struct db *d, arena *a, const char *openid,
                     struct my_enrollment **out, int *n);
/* 1 when payment_id is a paid enrollment of openid. */
int enroll_owned_by(struct db *d, arena *a, long long payment_id, const char *openid);

/* Pay now, bind later (PRD §7, user_fill): order_no is our out_trade_no or
 * WeChat's transaction id.  CAMP_ENOTFOUND (no such paid order),
 * CAMP_ECONFLICT (*why: already bound, past the deadline, planet ID taken). */
int enroll_bind_later(struct db *d, arena *a, const char *order_no,
                      const struct enroll_form *f, time_t now,
                      long long *payment_id, const char **why);

/* The member's progress (the H5 progress page). */
struct progress {
	const char *camp_name, *start_date, *end_date;
	int total_days, required_days, checkin_count, elapsed_days;
	int eligible;
	const char *refund_status, *audit_status, *audit_comment;
};
int enroll_progress(struct db *d, arena *a, long long member_id, time_t now, struct progress *p);
