/* audit_req.h: an audit record pre-filled from the request (operator, IP, user agent). */
#ifndef CAMP_AUDIT_REQ_H
#define CAMP_AUDIT_REQ_H

#include "audit.h"
#include "http.h"

/* Zeroes e and fills who and where from r; the caller adds the rest. */
void audit_from_req(const struct req *r, struct audit *e, const char *type);

#endif
