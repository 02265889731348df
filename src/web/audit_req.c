/* audit_req.c: fills the request's part of an operation_log row. */
#include "audit_req.h"

#include <string.h>

void audit_from_req(const struct req *r, struct audit *e, const char *type)
{
	memset(e, 0, sizeof(*e));
	e->type = type;
	if (r->user != NULL) {
		e->operator_id = r->user->id;
		e->operator_name = r->user->username;
	}
	e->ip = r->remote_addr;
	e->user_agent = r->user_agent;
	e->request_id = r->request_id;
	e->url = r->path;
	e->method = r->method_name;
}
