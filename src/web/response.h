/* response.h: writing a struct resp to libfcgi. */
#ifndef CAMP_RESPONSE_H
#define CAMP_RESPONSE_H

#include <fcgiapp.h>

#include "http.h"

void response_send(FCGX_Request *f, const struct req *r, const struct resp *w);

#endif
