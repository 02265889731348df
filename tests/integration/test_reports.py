"""test_reports.py: 统计报表 (issue #15, PRD §4.2.5.1) — figures from SQL that agree with the camp pages
and with the payments and refunds themselves; periods, camp filter, coaches' own camps; chart data."""
import html as htmllib
import json
import re
import secrets

from consolelib import camps_end_with_the_module, admin, finished_camp, paid_member, sql, staff
from conftest import HTTP
from paylib import make_camp, today

assert camps_end_with_the_module  # autouse fixture, imported to apply here


def cards(page):
    return {k: v for k, v in re.findall(r'data-card="([a-z_]+)">([^<]*)<', page)}


def table(page):
    rows = {}
    for cid, body in re.findall(r'<tr data-camp-id="(\d+)">(.*?)</tr>', page, re.S):
        rows[int(cid)] = dict(re.findall(r'data-col="([a-z_]+)"[^>]*>([^<]*)<', body))
    return rows


def chart(page):
    m = re.search(r'data-chart="([^"]*)"', page)
    return json.loads(htmllib.unescape(m.group(1)))


def camp_page_stats(s, cid):
    page = s.get(HTTP + f"/admin/camps/{cid}", timeout=10).text
    return dict(re.findall(r'<p class="stat__label">([^<]+)</p><p class="stat__value[^"]*">([^<]+)</p>', page))


def refunded(cid, pid, amount="99.00", when=None):
    """A refund that went through (what v_camp_statistics and the books count)."""
    sql("INSERT INTO refund_record (camp_id, member_id, payment_id, refund_amount, refund_status, audit_status,"
        " success_time, out_refund_no)"
        " SELECT camp_id, member_id, id, %s, 'success', 'approved', COALESCE(%s::timestamptz, now()), %s"
        "   FROM payment_record WHERE id = %s", amount, when, "RFT" + secrets.token_hex(6), pid)
    sql("UPDATE payment_record SET refunded_amount = refunded_amount + %s::numeric,"
        " pay_status = CASE WHEN refunded_amount + %s::numeric >= pay_amount THEN 'refunded' ELSE pay_status END"
        " WHERE id = %s", amount, amount, pid)


def test_figures_agree_with_the_camp_page_and_the_books():
    cid = finished_camp(required=10, name="报表营 " + secrets.token_hex(2))
    _, p1 = paid_member(cid, days=10, pay_time="2026-10-20T10:00:00+08:00")
    paid_member(cid, days=9, pay_time="2026-10-21T10:00:00+08:00")
    paid_member(cid, days=3, pay_time="2026-11-02T10:00:00+08:00")
    refunded(cid, p1, when="2026-11-15T12:00:00+08:00")
    s = admin()
    page = s.get(HTTP + f"/admin/reports?camp_id={cid}", timeout=10).text
    row = table(page)[cid]
    stats = camp_page_stats(s, cid)
    # the camp page and the report read the same figures
    assert row["members"] == stats["报名人数"] == "3"
    assert row["paid"] == stats["支付金额总计"] == "¥297.00"
    assert row["refunded"] == stats["退款金额总计"] == "¥99.00"
    assert row["avg_rate"] == stats["平均打卡率"] == "73.33%"
    assert row["net"] == "¥198.00"
    assert row["completion"] == "66.67%"          # 10 and 9 (+1 grace) of 10
    assert row["participation"] == "100.00%"
    # ... and the books: what was paid and refunded, row by row
    paid, back = sql("SELECT (SELECT sum(pay_amount) FROM payment_record WHERE camp_id = %s"
                     "        AND pay_status IN ('success', 'refunded') AND deleted_at IS NULL)::text,"
                     "       (SELECT sum(refund_amount) FROM refund_record WHERE camp_id = %s"
                     "        AND refund_status IN ('success', 'refunded_offline') AND deleted_at IS NULL)::text",
                     cid, cid)[0]
    assert "¥" + paid == row["paid"] and "¥" + back == row["refunded"]
    c = cards(page)
    assert c == {"camps": "1", "members": "3", "paid": "¥297.00", "refunded": "¥99.00", "held": "¥198.00",
                 "refund_rate": "33.33%", "avg_rate": "73.33%"}
    # the monthly chart is the same money by month (Asia/Shanghai)
    data = chart(page)
    assert data["months"] == ["2026-10", "2026-11"]
    assert data["income"] == ["198.00", "99.00"] and data["refunds"] == ["0.00", "99.00"]
    assert data["camps"] == [row_name(page, cid)] and data["rates"] == ["73.33"]


def row_name(page, cid):
    return re.search(rf'<tr data-camp-id="{cid}">\s*<td><a href="/admin/camps/{cid}">([^<]+)</a>', page).group(1)


def test_cards_add_up_the_table():
    s = admin()
    page = s.get(HTTP + "/admin/reports", timeout=10).text
    rows = table(page)
    c = cards(page)
    money = lambda v: round(float(v.replace("¥", "").replace(",", "")) * 100)   # noqa: E731
    assert int(c["camps"]) == len(rows)
    assert int(c["members"]) == sum(int(r["members"]) for r in rows.values())
    assert money(c["paid"]) == sum(money(r["paid"]) for r in rows.values())
    assert money(c["refunded"]) == sum(money(r["refunded"]) for r in rows.values())
    assert money(c["held"]) == money(c["paid"]) - money(c["refunded"])
    data = chart(page)
    assert sum(money(v) for v in data["income"]) == money(c["paid"])
    assert sum(money(v) for v in data["refunds"]) == money(c["refunded"])
    assert "/javascript/chart.js/chart.min.js" in page and "/static/js/reports.js" in page


def test_periods_select_camps_by_their_dates():
    s = admin()
    tag = secrets.token_hex(2)
    now_camp = make_camp(start=0, end=20, name=f"本月营 {tag}")
    old = make_camp(start=-400, end=-380, name=f"去年营 {tag}")
    page = s.get(HTTP + "/admin/reports", timeout=10).text
    this_month = re.search(r'href="([^"]+)"[^>]*>本月</a>', page).group(1).replace("&amp;", "&")
    assert this_month.startswith("/admin/reports?from=" + today()[:8] + "01&to=" + today()[:8])
    rows = table(s.get(HTTP + this_month, timeout=10).text)
    assert now_camp in rows and old not in rows
    last_month = re.search(r'href="([^"]+)"[^>]*>上月</a>', page).group(1).replace("&amp;", "&")
    assert old not in table(s.get(HTTP + last_month, timeout=10).text)
    rows = table(s.get(HTTP + f"/admin/reports?from={today(-400)}&to={today(-390)}", timeout=10).text)
    assert old in rows and now_camp not in rows
    # a range the wrong way round is said, not a 500
    r = s.get(HTTP + f"/admin/reports?from={today()}&to={today(-10)}", timeout=10)
    assert r.status_code == 200 and "结束日期不能早于开始日期" in r.text
    r = s.get(HTTP + "/admin/reports?from=2026-13-01", timeout=10)
    assert r.status_code == 200 and "请输入有效日期" in r.text


def test_coaches_see_their_own_camps_only_and_volunteers_none():
    mine, other = make_camp(name="教练营 " + secrets.token_hex(2)), make_camp(name="别人的营 " + secrets.token_hex(2))
    paid_member(mine, days=1)
    paid_member(other, days=1)
    coach = staff("coach")
    sql("INSERT INTO camp_member_relation (camp_id, user_id, role_type) VALUES (%s, %s, 'coach')", mine, coach.uid)
    page = coach.get(HTTP + "/admin/reports", timeout=10).text
    assert set(table(page)) == {mine}
    assert cards(page)["camps"] == "1"
    # asking for another camp by id shows nothing of it
    page = coach.get(HTTP + f"/admin/reports?camp_id={other}", timeout=10).text
    assert table(page) == {} and cards(page)["members"] == "0"
    assert f'<option value="{other}"' not in page
    r = coach.get(HTTP + f"/admin/reports?camp_id={other}&format=csv", timeout=10)
    assert r.status_code == 200 and r.text.count("\n") == 1          # the header only
    assert staff("volunteer").get(HTTP + "/admin/reports", timeout=10).status_code == 403
