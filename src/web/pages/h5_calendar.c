/* h5_calendar.c: the month calendar of check-in days on the H5 progress page. */
#include "pages.h"
#include "camp.h"
#include "checkins.h"
#include "clock.h"
#include "dates.h"
#include "members.h"
#include "page.h"

#include <string.h>

void h5_calendar_fill(struct req *r, tpl_dict *b, long long member_id, long start, long end)
{
	const char *dates = "";
	if (checkin_member_dates(r->db, r->a, member_id, &dates) != CAMP_OK)
		return;
	tpl_dict *cal = tpl_include(b, "CALENDAR", "h5/calendar.tpl");
	cday today = cday_of(camp_now());
	int y, m, d;
	cday_ymd((cday)start, &y, &m, &d);
	for (int guard = 0; guard < 24; guard++) {
		cday first = cday_from_ymd(y, m, 1);
		if (first > (cday)end)
			break;
		int ny = m == 12 ? y + 1 : y, nm = m == 12 ? 1 : m + 1;
		cday next = cday_from_ymd(ny, nm, 1);
		tpl_dict *month = tpl_add_section(cal, "MONTH");
		tpl_set(month, "TITLE", arena_printf(r->a, "%d年%d月", y, m));
		/* 1970-01-01 was a Thursday: Monday-first weekday of a cday */
		int lead = (int)(((first % 7) + 7 + 3) % 7);
		tpl_dict *week = tpl_add_section(month, "WEEK");
		for (int i = 0; i < lead; i++)
			tpl_set(tpl_add_section(week, "DAY"), "STATE", "blank");
		int col = lead;
		for (cday x = first; x < next; x++) {
			if (col == 7) {
				week = tpl_add_section(month, "WEEK");
				col = 0;
			}
			char buf[12];
			cday_format(x, buf, sizeof(buf));
			tpl_dict *cell = tpl_add_section(week, "DAY");
			int dd;
			cday_ymd(x, &y, &m, &dd);
			tpl_set_int(cell, "N", dd);
			const char *state = "out";
			if (x >= (cday)start && x <= (cday)end) {
				if (strstr(dates, buf) != NULL)
					state = "done";
				else if (x < today)
					state = "missed";
				else
					state = "todo";
			}
			tpl_set(cell, "STATE", state);
			tpl_set(cell, "MARK", !strcmp(state, "done") ? "✅" : !strcmp(state, "missed") ? "❌" : "");
			tpl_set(cell, "DATE", arena_strdup(r->a, buf));
			col++;
		}
		y = ny;
		m = nm;
	}
}

/* issue #15 (PRD §4.1.4 打卡记录列表): every camp day so far, newest first — date, the time
 * of that day's check-in and its state. */
void h5_records_fill(struct req *r, tpl_dict *b, long long member_id, long start, long end)
{
	struct member_checkin *ck;
	int n = 0;
	if (member_checkins(r->db, r->a, member_id, &ck, &n) != CAMP_OK)
		return;
	cday today = cday_of(camp_now());
	cday last = (cday)end < today ? (cday)end : today;
	tpl_dict *list = tpl_include(b, "RECORDS", "h5/records.tpl");
	if (last < (cday)start)
		tpl_show(list, "NOT_STARTED");
	for (cday x = last; x >= (cday)start; x--) {
		char buf[12];
		cday_format(x, buf, sizeof(buf));
		const char *time = NULL;
		for (int i = 0; i < n && time == NULL; i++)
			if (!strcmp(ck[i].date, buf))
				time = ck[i].time;
		tpl_dict *row = tpl_add_section(list, "DAY");
		tpl_set(row, "DATE", arena_strdup(r->a, buf));
		tpl_set(row, "TIME", time ? time : "—");
		tpl_set(row, "STATE", time ? "done" : x == today ? "todo" : "missed");
		tpl_set(row, "LABEL", time ? "✅ 已打卡" : x == today ? "今日待打卡" : "❌ 未打卡");
	}
}
