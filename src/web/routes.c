/* routes.c: the route table — every URL camp-web answers, with its guard. */
#include "router.h"
#include "pages/pages.h"

const struct route routes[] = {
	/* health and operations */
	{ M_GET, "/healthz", page_healthz, 0, RF_NO_DB | RF_JSON, "healthz" },
	{ M_GET, "/metrics", page_metrics, 0, RF_LOOPBACK, "metrics" },
	{ M_GET, "/media/{sha256}", page_media, 0, 0, "media" },

	/* member H5 */
	{ M_GET, "/h5/", page_h5_index, 0, 0, "h5_index" },

	/* admin console */
	{ M_GET, "/admin/login", page_admin_login, 0, 0, "admin_login" },

	/* --- admin: sign-in, 工作台, 系统管理 (issue #5) --- */
	{ M_POST, "/admin/login", page_admin_login_post, 0, RF_CSRF, "admin_login_post" },
	{ M_POST, "/admin/logout", page_admin_logout, ROLE_STAFF, RF_CSRF, "admin_logout" },
	{ M_GET, "/admin/", page_admin_dashboard, R_DASHBOARD, 0, "admin_dashboard" },
	/* --- end issue #5 --- */
};

const size_t nroutes = sizeof(routes) / sizeof(routes[0]);
