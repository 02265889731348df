/* router.h: the one route table and the checks every request passes first. */
#ifndef CAMP_ROUTER_H
#define CAMP_ROUTER_H

#include "http.h"

typedef void (*handler_fn)(struct req *r, struct resp *w);

enum route_flag {
	RF_CSRF = 1 << 0,       /* state-changing form: _csrf and Origin checked */
	RF_JSON = 1 << 1,       /* answers JSON (errors too) */
	RF_UPLOAD = 1 << 2,     /* multipart bodies allowed */
	RF_NO_DB = 1 << 3,      /* serves without the database (healthz decides itself) */
	RF_LOOPBACK = 1 << 4,   /* only from 127.0.0.0/8 (metrics) */
	RF_JSON_BODY = 1 << 5,  /* body is application/json */
};

struct route {
	unsigned methods;       /* M_GET | M_POST … (HEAD follows GET) */
	const char *pattern;    /* "/admin/camps/{id}/edit": {x} = one path segment */
	handler_fn fn;
	unsigned roles;         /* 0 = public; else the roles allowed (sign-in required) */
	unsigned flags;
	const char *name;       /* metrics label */
};

extern const struct route routes[];
extern const size_t nroutes;

/* Finds the route for r (filling r->cap); NULL with *status 404 or 405. */
const struct route *router_match(struct req *r, int *status, unsigned *allowed);
/* Runs the whole request: match, role, CSRF, handler. */
void router_dispatch(struct req *r, struct resp *w);
/* Index of a route in the table (for metrics); nroutes for "no route". */
size_t router_index(const struct route *rt);



/* The PRD §2.2 permission matrix, one mask per module. */
#define R_DASHBOARD ROLE_STAFF
#define R_CAMPS     (ROLE_ADMIN | ROLE_MANAGER)
#define R_MEMBERS   ROLE_STAFF                         /* coach/volunteer: own camps */
#define R_CHECKINS  ROLE_STAFF                         /* coach/volunteer: own camps */
#define R_REFUNDS   (ROLE_ADMIN | ROLE_MANAGER | ROLE_COACH)
#define R_PAYMENTS  (ROLE_ADMIN | ROLE_MANAGER)
#define R_REPORTS   (ROLE_ADMIN | ROLE_MANAGER | ROLE_COACH)
#define R_SYSTEM    ROLE_ADMIN
#define R_JOBS      ROLE_STAFF
/* issue #14: manual binding and 标记进群 (a bind makes a member refundable) */
#define R_BINDING   (ROLE_ADMIN | ROLE_MANAGER)

/* --- issue #15: who changes the refund list by hand (手动提议, 重新提议, 关闭绑定) --- */
#define R_REFUND_LIFE (ROLE_ADMIN | ROLE_MANAGER)

/* The route of a GET pattern, or NULL (the menu shows only pages that exist). */
const struct route *router_find_page(const char *pattern);
#endif
