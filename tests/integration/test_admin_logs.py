"""test_admin_logs.py: 操作日志 — filters, pagination and the CSV export."""
import csv
import io
import secrets

from conftest import HTTP, add_user, login, new_session


def test_filters_and_csv(as_role, dbc):
    s = as_role("admin")
    name, pw = add_user("coach", name="-sum_" + secrets.token_hex(3))
    v = new_session()
    assert login(v, name, pw).status_code == 303
    with dbc.cursor() as c:
        c.execute("SELECT id FROM system_user WHERE username = %s", (name,))
        uid = c.fetchone()[0]
    r = s.get(HTTP + "/admin/logs", params={"operator": uid, "operation_type": "LOGIN"},
              timeout=10)
    assert r.status_code == 200
    assert "共 <span class=\"num\">1</span> 条" in r.text and "登录" in r.text
    assert "127.0.0.1" in r.text
    r = s.get(HTTP + "/admin/logs", params={"operator": uid, "format": "csv"}, timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    assert r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["时间", "操作人", "操作类型"]
    assert len(rows) == 2
    assert rows[1][1] == "'" + name          # CSV injection defused
    assert rows[1][2] == "登录" and rows[1][7] == "127.0.0.1"
    assert "python-requests" in rows[1][8]


def test_date_filter_and_bad_dates(as_role):
    s = as_role("admin")
    r = s.get(HTTP + "/admin/logs", params={"from": "2000-01-01", "to": "2000-01-02"}, timeout=10)
    assert r.status_code == 200 and "没有符合条件的操作记录" in r.text
    r = s.get(HTTP + "/admin/logs", params={"from": "2000-13-01", "to": "x"}, timeout=10)
    assert r.status_code == 200 and r.text.count("请输入有效日期") == 2
    r = s.get(HTTP + "/admin/logs", params={"from": "2000-01-05", "to": "2000-01-01"}, timeout=10)
    assert "结束日期不能早于开始日期" in r.text


def test_pagination(as_role, dbc):
    s = as_role("admin")
    with dbc.cursor() as c:
        c.execute("INSERT INTO operation_log (operator_name, operation_type, operation_desc,"
                  " success) SELECT 'pager', 'PAGER_TEST', 'row ' || g, true"
                  " FROM generate_series(1, 60) g")
    r = s.get(HTTP + "/admin/logs", params={"operation_type": "PAGER_TEST"}, timeout=10)
    assert "共 <span class=\"num\">60</span> 条，第 1 / 2 页" in r.text
    assert r.text.count("<td>pager</td>") == 50
    r = s.get(HTTP + "/admin/logs", params={"operation_type": "PAGER_TEST", "page": 2},
              timeout=10)
    assert r.text.count("<td>pager</td>") == 10 and "上一页" in r.text
    r = s.get(HTTP + "/admin/logs", params={"operation_type": "PAGER_TEST", "format": "csv"},
              timeout=10)
    assert len(r.content.decode("utf-8-sig").strip().split("\r\n")) == 61
