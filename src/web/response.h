/* response.h: writing a struct resp to libfcgi. */
#ifndef CAMP_RESPONSE_H
#define CAMP_RESPONSE_H

#include <fcgiapp.h>

#include "http.h"

struct buf;
/* Appends the CGI status line and headers (with the blank line) to b. */
void response_head(const struct req *r, const struct resp *w, struct buf *b);
void response_send(FCGX_Request *f, const struct req *r, const struct resp *w);

#endif
