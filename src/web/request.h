/* request.h: building a struct req from libfcgi. */
#ifndef CAMP_REQUEST_H
#define CAMP_REQUEST_H

#include <fcgiapp.h>

#include "http.h"

/* Fills r from f (r->a and r->db already set).  On failure *status is the
 * HTTP status to answer (400, 405, 413) and nothing else runs. */
int request_build(struct req *r, FCGX_Request *f, int *status);

#endif
