/* pages.h: every handler the route table names (one file per page or group). */
#ifndef CAMP_PAGES_H
#define CAMP_PAGES_H

#include "http.h"

/* sys.c */
void page_healthz(struct req *r, struct resp *w);
void page_metrics(struct req *r, struct resp *w);
void page_media(struct req *r, struct resp *w);

/* h5_index.c */
void page_h5_index(struct req *r, struct resp *w);

/* admin_login.c */
void page_admin_login(struct req *r, struct resp *w);

/* admin_camps.c */
void page_admin_camps(struct req *r, struct resp *w);
void page_admin_camp_new(struct req *r, struct resp *w);
void page_admin_camp_create(struct req *r, struct resp *w);
void page_admin_camp_view(struct req *r, struct resp *w);
void page_admin_camp_edit(struct req *r, struct resp *w);
void page_admin_camp_update(struct req *r, struct resp *w);
void page_admin_camp_delete(struct req *r, struct resp *w);
void page_admin_camp_qrcode(struct req *r, struct resp *w);
/* admin_jobs.c */
void page_admin_job(struct req *r, struct resp *w);

#endif
