/* admin_sync.c: POST /admin/camps/{id}/sync — "立即同步" queues the camp's check-in sync. */
#include "pages.h"
#include "audit_req.h"
#include "camp.h"
#include "checkins.h"
#include "db.h"
#include "page.h"

void page_admin_camp_sync(struct req *r, struct resp *w)
{
	long long id = req_cap_id(r, 0), job = 0;
	const char *back = arena_printf(r->a, "/admin/camps/%lld", id);
	if (page_refuse_archived(r, w, id, 0))   /* issue #17 */
		return;
	if (db_begin(r->db) != CAMP_OK) {
		resp_unavailable(r, w);
		return;
	}
	int rc = checkin_sync_request(r->db, r->a, id, r->user->id, &job);
	if (rc == CAMP_OK) {
		struct audit e;
		audit_from_req(r, &e, "SYNC_CHECKINS");
		e.target_type = "camp";
		e.target_id = id;
		e.desc = "立即同步打卡";
		rc = audit_log(r->db, r->a, &e);
	}
	if (rc != CAMP_OK || db_commit(r->db) != CAMP_OK) {
		db_rollback(r->db);
		if (rc == CAMP_ENOTFOUND) {
			resp_error(r, w, 404, "训练营不存在");
		} else if (rc == CAMP_EBUSY || rc == CAMP_EINVAL) {
			resp_flash(r, w, "warning", rc == CAMP_EBUSY ? "同步进行中，请稍后再试" :
			           "该训练营未填写知识星球项目ID，无法同步");
			resp_redirect(w, back);
		} else {
			resp_error(r, w, 500, "同步请求失败，请重试");
		}
		return;
	}
	resp_redirect(w, arena_printf(r->a, "/admin/jobs/%lld", job));
}
