"""test_exports.py: every list answers ?format=csv and ?format=xlsx with the page's filters and every row,
not one page (issue #15) — each export read back (CSV parsed, XLSX opened as a zip) and compared with
the page's rows."""
import re
import secrets

from consolelib import (camps_end_with_the_module, admin, checkins, exports, finished_camp, paid_member,
                        planet_user, same_table, sql)
from conftest import HTTP
from paylib import make_camp

assert camps_end_with_the_module  # autouse fixture, imported to apply here


def bulk_members(cid, n, nick="批量"):
    """n paid members with orders, in one statement; returns their ids."""
    return [r[0] for r in sql(
        "WITH m AS (INSERT INTO camp_member (camp_id, filled_planet_user_id, filled_planet_nickname,"
        "   filled_wechat_nickname, paid, paid_at, checkin_count, match_confidence, eligible_for_refund)"
        "   SELECT %s, 'X' || %s || g, %s || g, '微信' || g, true, now(), 10, 100, true"
        "     FROM generate_series(1, %s) g RETURNING id, camp_id),"
        " p AS (INSERT INTO payment_record (order_no, camp_id, member_id, pay_amount, trade_type, pay_status,"
        "   pay_time, bind_status, bind_method)"
        "   SELECT 'CPEXP' || m.id, m.camp_id, m.id, 99, 'NATIVE', 'success', now(), 'completed',"
        "          'h5_bindplanet' FROM m RETURNING member_id)"
        " SELECT member_id FROM p ORDER BY member_id", cid, cid, nick, n)]


def bulk_refunds(cid, status):
    sql("INSERT INTO refund_record (camp_id, member_id, payment_id, refund_amount, refund_status, audit_status,"
        " audit_comment)"
        " SELECT camp_id, member_id, id, pay_amount, %s, %s, CASE WHEN %s = 'rejected' THEN '不符' END"
        "   FROM payment_record WHERE camp_id = %s", status, status, status, cid)


def ids_on_page(html, pattern):
    return [int(x) for x in re.findall(pattern, html)]


def column(rows, title):
    i = rows[0].index(title)
    return [r[i] for r in rows[1:]]


def test_camps_every_row_with_the_filters():
    tag = secrets.token_hex(3)
    made = [make_camp(name=f"导出营 {tag} {i:02d}") for i in range(21)]
    s = admin()
    html = s.get(HTTP + f"/admin/camps?q={tag}", timeout=10).text
    shown = ids_on_page(html, r'<tr data-camp-id="(\d+)">')
    assert len(shown) == 20 and "共 21 个训练营" in html          # one page of 20
    c, x = exports(s, "/admin/camps", q=tag)
    same_table(c, x)
    assert c[0][:3] == ["ID", "训练营名称", "押金"]
    ids = [int(v) for v in column(c, "ID")]
    assert sorted(ids) == sorted(made)                         # every row, not one page
    assert ids[:20] == shown                                   # in the page's order
    assert set(column(c, "押金")) == {"99.00"}
    # the other filters apply too
    c, _ = exports(s, "/admin/camps", q=tag, status="finished")
    assert len(c) == 1


def test_members_every_row_and_formulas_defused():
    cid = make_camp()
    ids = bulk_members(cid, 54)
    evil, _ = paid_member(cid, nick="=HYPERLINK(\"http://x\")")
    s = admin()
    html = s.get(HTTP + f"/admin/members?camp_id={cid}", timeout=10).text
    shown = ids_on_page(html, r'<tr data-member-id="(\d+)">')
    assert len(shown) == 50 and ">55</span> 人" in html
    c, x = exports(s, "/admin/members", camp_id=cid)
    same_table(c, x)
    got = [int(v) for v in column(c, "会员ID")]
    assert sorted(got) == sorted(ids + [evil]) and got[:50] == shown
    row = c[got.index(evil) + 1]
    assert row[c[0].index("星球昵称")] == "'=HYPERLINK(\"http://x\")"   # CSV: not a formula
    xrow = x[got.index(evil) + 1]
    assert xrow[c[0].index("星球昵称")] == ("=HYPERLINK(\"http://x\")", "s")  # XLSX: a string cell
    assert set(column(c, "支付金额")) == {"99.00"}
    # money and counts are numbers in the workbook
    assert {k for _, k in (r[c[0].index("支付金额")] for r in x[1:])} == {"n"}
    # filters apply: nobody of this camp is 待绑定
    c, x = exports(s, "/admin/members", camp_id=cid, bind_status="pending")
    assert len(c) == 1 and len(x) == 1


def test_payment_exceptions_export():
    cid = make_camp()
    tag = secrets.token_hex(4)
    for i in range(3):
        sql("INSERT INTO payment_exception (out_trade_no, transaction_id, camp_id, amount_fen, reason, detail)"
            " VALUES (%s, %s, %s, 9900, 'wrong_amount', '金额不符')", f"CPX{tag}{i}", f"42X{tag}{i}", cid)
    s = admin()
    html = s.get(HTTP + f"/admin/payments/exceptions?camp_id={cid}", timeout=10).text
    shown = ids_on_page(html, r'<tr data-exception-id="(\d+)">')
    assert len(shown) == 3
    c, x = exports(s, "/admin/payments/exceptions", camp_id=cid)
    same_table(c, x)
    assert [int(v) for v in column(c, "ID")] == shown
    assert column(c, "原因") == ["金额不符"] * 3 and column(c, "金额") == ["99.00"] * 3


def test_pending_and_records_exports_are_not_capped_to_a_page():
    cid = finished_camp()
    bulk_members(cid, 101)
    bulk_refunds(cid, "pending")
    s = admin()
    html = s.get(HTTP + f"/admin/refunds/pending?camp_id={cid}", timeout=10).text
    shown = ids_on_page(html, r'<tr id="refund-(\d+)">')
    assert len(shown) == 100
    c, x = exports(s, "/admin/refunds/pending", camp_id=cid)
    same_table(c, x)
    got = [int(v) for v in column(c, "退款ID")]
    assert len(got) == 101 and got[:100] == shown
    assert set(column(c, "提议方式")) == {"自动"}
    # the same camp, every proposal rejected: the records list
    sql("UPDATE refund_record SET refund_status = 'rejected', audit_status = 'rejected', audit_comment = '不符'"
        " WHERE camp_id = %s", cid)
    html = s.get(HTTP + f"/admin/refunds?camp_id={cid}", timeout=10).text
    shown = ids_on_page(html, r'<tr id="refund-(\d+)" data-status="rejected">')
    assert len(shown) == 100 and "第 1 / 2 页" in html
    c, x = exports(s, "/admin/refunds", camp_id=cid, status="rejected")
    same_table(c, x)
    got = [int(v) for v in column(c, "退款ID")]
    assert len(got) == 101 and got[:100] == shown
    assert set(column(c, "退款状态")) == {"已拒绝"}
    c, _ = exports(s, "/admin/refunds", camp_id=cid, status="success")
    assert len(c) == 1


def test_checkins_export():
    cid = make_camp(start=-25, end=-5, required=10)
    planets = []
    for i in range(3):
        pu, pid = planet_user(f"打卡{i}")
        checkins(cid, pu, 20)
        planets.append(pid)
    s = admin()
    html = s.get(HTTP + f"/admin/checkins?camp_id={cid}", timeout=10).text
    page_rows = re.findall(r'<span class="num text-muted">(\d+)</span></td>\s*<td>[^<]*</td>\s*'
                           r'<td class="checkin-date">([0-9-]+)</td>', html)
    assert len(page_rows) == 50 and ">60</span> 条" in html
    c, x = exports(s, "/admin/checkins", camp_id=cid)
    same_table(c, x)
    got = list(zip(column(c, "星球ID"), column(c, "打卡日期")))
    assert len(got) == 60 and got[:50] == page_rows
    assert set(column(c, "星球ID")) == set(planets)


def test_operation_log_export():
    kind = "EXPORT_" + secrets.token_hex(4).upper()
    sql("INSERT INTO operation_log (operator_name, operation_type, operation_desc, success, created_at)"
        " SELECT 'tester', %s, '导出测试 #' || g, true, now() - g * interval '1 second'"
        "   FROM generate_series(1, 55) g", kind)
    s = admin()
    html = s.get(HTTP + f"/admin/logs?operation_type={kind}", timeout=10).text
    shown = re.findall(r"<td>(导出测试 #\d+)</td>", html)
    assert len(shown) == 50
    c, x = exports(s, "/admin/logs", operation_type=kind)
    same_table(c, x)
    got = column(c, "操作详情")
    assert len(got) == 55 and got[:50] == shown


def test_users_export():
    s = admin()
    html = s.get(HTTP + "/admin/users", timeout=10).text
    shown = ids_on_page(html, r'<tr data-user-id="(\d+)">')
    c, x = exports(s, "/admin/users")
    same_table(c, x)
    assert [int(v) for v in column(c, "ID")] == shown
    assert "admin" in column(c, "用户名")


def test_report_export_matches_the_table():
    cid = finished_camp(required=10, name="报表导出营 " + secrets.token_hex(2))
    paid_member(cid, days=10)
    paid_member(cid, days=4)
    s = admin()
    html = s.get(HTTP + f"/admin/reports?camp_id={cid}", timeout=10).text
    assert ids_on_page(html, r'<tr data-camp-id="(\d+)">') == [cid]
    c, x = exports(s, "/admin/reports", camp_id=cid)
    same_table(c, x)
    assert len(c) == 2 and int(c[1][0]) == cid
    row = dict(zip(c[0], c[1]))
    assert row["报名人数"] == "2" and row["押金收入"] == "198.00" and row["满足退款条件人数"] == "1"
    assert row["完成率(%)"] == "50.00" and row["平均打卡率(%)"] == "70.00"
    assert f'<td class="text-end num" data-col="avg_rate">{row["平均打卡率(%)"]}%</td>' in html
    assert f'<td class="text-end money" data-col="paid">¥{row["押金收入"]}</td>' in html


def test_unknown_format_is_the_page():
    s = admin()
    r = s.get(HTTP + "/admin/camps?format=pdf", timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")


def test_books_differences_export():
    run = sql("INSERT INTO books_run (bill_date, trigger, started_at, finished_at, bill_status, bill_lines,"
              " bill_paid_fen, bill_refund_fen, invariant_diffs, bill_diffs, ok)"
              " VALUES ('2098-06-30', 'job', now(), now(), 'compared', 2, 19800, 0, 1, 2, false) RETURNING id")[0][0]
    try:
        sql("INSERT INTO books_difference (run_id, check_name, ref_kind, ref_no, left_value, right_value,"
            " unit, left_state, right_state, detail) VALUES"
            " (%s, 'bill_amount', 'order', 'CDEXP0001', 9899, 9900, 'fen', 'success', 'SUCCESS', '金额不符'),"
            " (%s, 'bill_amount', 'order', 'CDEXP0002', 100, 200, 'fen', 'success', 'SUCCESS', '金额不符'),"
            " (%s, 'member_count', 'camp', '77', 5, 4, 'count', NULL, NULL, '人数不符')", run, run, run)
        s = admin()
        html = s.get(HTTP + "/admin/books", params={"date": "2098-06-30"}, timeout=10).text
        assert html.count("CDEXP000") == 2
        c, x = exports(s, "/admin/books", date="2098-06-30")
        same_table(c, x)
        assert len(c) == 4 and set(column(c, "单号")) == {"CDEXP0001", "CDEXP0002", "训练营 #77"}
    finally:
        sql("DELETE FROM books_difference WHERE run_id = %s", run)
        sql("DELETE FROM books_run WHERE id = %s", run)
