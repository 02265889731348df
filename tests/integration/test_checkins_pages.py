"""test_checkins_pages.py: 打卡记录 (filters, CSV, scoping), the progress calendar, camp tabs, the H5 calendar."""
import csv
import io
import re

from conftest import HTTP
from paylib import enroll, h5, order_no_of, sim_pay, wait_state
from synclib import checkin, member, planet_id, run_sync, sql, sync_camp, today, zsxq_configured
from test_binding import signed_in

assert zsxq_configured  # autouse fixture, imported to apply here


def synced_camp():
    cid, proj = sync_camp(start=-4, end=5, required=3)
    a, b = planet_id(), planet_id()
    ma = member(cid, a, "日历甲")
    mb = member(cid, b, "日历乙")
    checkin(proj, a, "日历甲", date=today(-3))
    checkin(proj, a, "日历甲", date=today(-1))
    checkin(proj, b, "日历乙", date=today(-2))
    assert run_sync(cid)[0] == "done"
    return cid, (a, ma), (b, mb)


def test_list_filters_csv_and_calendar():
    cid, (a, ma), (b, mb) = synced_camp()
    s, _ = signed_in("manager")
    page = s.get(HTTP + "/admin/checkins", params={"camp_id": cid}, timeout=10).text
    assert sorted(re.findall(r'class="checkin-date">([0-9-]+)<', page)) == sorted([today(-3), today(-1), today(-2)])
    # date range and search
    page = s.get(HTTP + "/admin/checkins", params={"camp_id": cid, "from": today(-2), "to": today(-1)},
                 timeout=10).text
    assert sorted(re.findall(r'class="checkin-date">([0-9-]+)<', page)) == sorted([today(-2), today(-1)])
    page = s.get(HTTP + "/admin/checkins", params={"camp_id": cid, "q": "日历乙"}, timeout=10).text
    assert re.findall(r'class="checkin-date">([0-9-]+)<', page) == [today(-2)]
    bad = s.get(HTTP + "/admin/checkins", params={"from": "2026-13-01"}, timeout=10)
    assert bad.status_code == 200 and "请输入有效日期" in bad.text
    # the calendar: one column per camp day up to today
    page = s.get(HTTP + "/admin/checkins", params={"camp_id": cid}, timeout=10).text
    row = re.search(rf'data-progress-member="{ma}">(.*?)</tr>', page, re.S).group(1)
    marks = re.findall(r'title="([0-9-]+)">(✅|❌)<', row)
    assert len(marks) == 5                                   # start (-4) .. today
    assert dict(marks) == {today(-4): "❌", today(-3): "✅", today(-2): "❌", today(-1): "✅", today(0): "❌"}
    assert '<span class="num" data-stat="total">2</span>' in page
    # CSV
    r = s.get(HTTP + "/admin/checkins", params={"camp_id": cid, "format": "csv"}, timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][0] == "会员" and len(rows) == 4
    assert {(x[2], x[4]) for x in rows[1:]} == {(a, today(-3)), (a, today(-1)), (b, today(-2))}


def test_coach_sees_no_checkins_of_other_camps():
    cid, _, _ = synced_camp()
    s, _ = signed_in("coach")
    page = s.get(HTTP + "/admin/checkins", params={"camp_id": cid}, timeout=10).text
    assert "checkin-date" not in page and "data-progress-member" not in page
    r = s.get(HTTP + "/admin/checkins", params={"camp_id": cid, "format": "csv"}, timeout=10)
    assert len(list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))) == 1


def test_camp_tabs_show_members_and_progress():
    cid, (a, ma), (b, mb) = synced_camp()
    s, _ = signed_in("admin")
    members = s.get(f"{HTTP}/admin/camps/{cid}", params={"tab": "members"}, timeout=10).text
    assert {int(x) for x in re.findall(r'data-member-id="(\d+)"', members)} == {ma, mb}
    assert "上线后会显示" not in members
    checkins = s.get(f"{HTTP}/admin/camps/{cid}", params={"tab": "checkins"}, timeout=10).text
    assert f'data-progress-member="{ma}"' in checkins and "✅" in checkins


def test_h5_progress_shows_the_calendar():
    cid, proj = sync_camp(start=-3, end=5, required=3)
    pid = planet_id()
    s = h5()
    no = order_no_of(enroll(s, cid, pid, nickname="日历丙"))
    sim_pay(no)
    st = wait_state(s, no, "paid")
    checkin(proj, pid, "日历丙", date=today(-2))
    assert run_sync(cid)[0] == "done"
    page = s.get(HTTP + st["ticket_url"] + "/progress", timeout=10)
    assert page.status_code == 200
    cells = dict(re.findall(r'data-date="([0-9-]+)">\d+<span class="cal__mark">(✅|❌|)</span>', page.text))
    assert cells[today(-2)] == "✅" and cells[today(-3)] == "❌" and cells[today(-1)] == "❌"
    assert cells[today(1)] == ""
