"""consolelib.py: helpers for the operator's console tests (issue #15) — signed-in staff, rows made
straight in the database, and exports read back: CSV parsed, XLSX opened as a zip and its sheet read."""
import csv
import io
import json
import re
import secrets
import time
import zipfile
import xml.etree.ElementTree as ET

import pytest

from conftest import HTTP, add_user, admin_password, csrf_of, login, new_session
from paylib import make_camp, sql, today

NS = {"x": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


@pytest.fixture(autouse=True, scope="module")
def camps_end_with_the_module():
    """The camps a module made are put away (soft-deleted) when it ends: the H5 list shows at
    most 100 open camps and later browser tests look for theirs in it, and a nightly sync of
    every camp would alert every admin once per camp."""
    first = sql("SELECT COALESCE(max(id), 0) FROM training_camp")[0][0]
    yield
    sql("UPDATE training_camp SET deleted_at = now() WHERE id > %s AND deleted_at IS NULL", first)


def admin():
    s = new_session()
    assert login(s, "admin", admin_password()).status_code == 303
    return s


def staff(role):
    """A signed-in session of a fresh user of that role, with .uid."""
    name, pw = add_user(role)
    s = new_session()
    assert login(s, name, pw).status_code == 303
    s.uid = sql("SELECT id FROM system_user WHERE username = %s", name)[0][0]
    s.username, s.password = name, pw
    return s


def post(s, path, page="/admin/", **data):
    tok = csrf_of(s.get(HTTP + page, timeout=10).text)
    return s.post(HTTP + path, data=dict(data, _csrf=tok), allow_redirects=False, timeout=15)


def flash_after(s, r):
    """The page a form redirected to, with its flash message."""
    assert r.status_code == 303, (r.status_code, r.text[:300])
    return s.get(HTTP + r.headers["Location"], timeout=10).text


def finished_camp(required=10, name=None, start=-21, end=-1):
    cid = make_camp(start=start, end=end, required=required, name=name)
    sql("UPDATE training_camp SET status = 'finished' WHERE id = %s", cid)
    return cid


def planet_user(nick, planet_id=None):
    """A ZSXQ user as the sync would have stored it; returns (row id, planet user id)."""
    planet_id = planet_id or "7" + str(secrets.randbelow(10 ** 14)).zfill(14)
    rid = sql("INSERT INTO planet_user (planet_user_id, planet_nickname) VALUES (%s, %s)"
              " ON CONFLICT (planet_user_id) DO UPDATE SET planet_nickname = EXCLUDED.planet_nickname"
              " RETURNING id", planet_id, nick)[0][0]
    return rid, planet_id


def checkins(cid, pu_row, days, member_id=None):
    """days check-in records of that ZSXQ user on the camp's first days."""
    sql("INSERT INTO checkin_record (camp_id, planet_user_id, member_id, checkin_date, checkin_time)"
        " SELECT c.id, %s, %s, c.start_date + g,"
        "        ((c.start_date + g)::timestamp + time '20:15') AT TIME ZONE 'Asia/Shanghai'"
        "   FROM training_camp c, generate_series(0, %s - 1) g WHERE c.id = %s",
        pu_row, member_id, days, cid)


def paid_member(cid, nick=None, days=0, conf=100, eligible=None, bind="completed", method="h5_bindplanet",
                amount="99.00", matched=True, pay_time=None):
    """A paid member and its successful order, straight into the database; when matched, a ZSXQ
    user with `days` check-ins that the camp's statistics agree with (days, rate, eligibility)."""
    nick = nick or "会员" + secrets.token_hex(3)
    required = sql("SELECT required_days FROM training_camp WHERE id = %s", cid)[0][0]
    pu, planet_id = planet_user(nick)
    if eligible is None:
        eligible = days + 1 >= required
    rate = round(days * 100.0 / required, 2)
    mid = sql("INSERT INTO camp_member (camp_id, planet_user_id, filled_planet_user_id, filled_planet_nickname,"
              " filled_wechat_nickname, paid, paid_at, checkin_count, checkin_rate, match_confidence,"
              " match_status, eligible_for_refund, last_checkin_time)"
              " VALUES (%s, %s, %s, %s, '微信' || %s, true, now(), %s, %s, %s, %s, %s,"
              "         CASE WHEN %s > 0 THEN now() END) RETURNING id",
              cid, pu if matched else None, planet_id, nick, nick, days, rate, conf,
              "matched" if conf else "pending", eligible, days)[0][0]
    if matched and days:
        checkins(cid, pu, days, mid)
    pid = sql("INSERT INTO payment_record (order_no, camp_id, member_id, pay_amount, trade_type, pay_status,"
              " pay_time, bind_status, bind_method)"
              " VALUES (%s, %s, %s, %s, 'NATIVE', 'success', COALESCE(%s::timestamptz, now()), %s, %s)"
              " RETURNING id", "CPCON" + secrets.token_hex(8), cid, mid, amount, pay_time, bind,
              method if bind == "completed" else None)[0][0]
    return mid, pid


def refund_list(cid, s=None):
    """生成退款名单 through the camp page's button; returns the finished job's JSON."""
    s = s or admin()
    r = post(s, f"/admin/camps/{cid}/refund-list", page=f"/admin/camps/{cid}?tab=refunds")
    assert r.status_code == 303 and r.headers["Location"].startswith("/admin/jobs/"), r.status_code
    return wait_job(s, r.headers["Location"])


def wait_job(s, location, timeout=60):
    url = HTTP + location
    deadline = time.time() + timeout
    j = None
    while time.time() < deadline:
        j = s.get(url, headers={"Accept": "application/json"}, timeout=10).json()
        if j["state"] in ("done", "failed"):
            return j
        time.sleep(0.3)
    raise AssertionError(f"job {location} did not finish: {j}")


def proposals(cid):
    return {m: (i, st, by) for i, m, st, by in
            sql("SELECT id, member_id, refund_status, proposed_by FROM refund_record"
                " WHERE camp_id = %s AND deleted_at IS NULL", cid)}


# ---- exports --------------------------------------------------------------------------

def csv_rows(resp):
    """A CSV export: UTF-8 with a BOM; returns [header, rows…]."""
    assert resp.status_code == 200, resp.text[:300]
    assert resp.headers["Content-Type"].startswith("text/csv")
    assert resp.content.startswith(b"\xef\xbb\xbf"), "no UTF-8 BOM"
    return list(csv.reader(io.StringIO(resp.content[3:].decode("utf-8"), newline="")))


def _col(ref):
    n = 0
    for ch in re.match(r"[A-Z]+", ref).group(0):
        n = n * 26 + ord(ch) - 64
    return n - 1


def xlsx_rows(resp):
    """An XLSX export opened as a zip: the first sheet's cells as text ("99" for numbers),
    with each cell's kind: [(value, kind)…] per row; kind s = string, n = number, f = formula."""
    assert resp.status_code == 200, resp.text[:300]
    assert resp.headers["Content-Type"] == \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    z = zipfile.ZipFile(io.BytesIO(resp.content))
    shared = []
    if "xl/sharedStrings.xml" in z.namelist():
        for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("x:si", NS):
            shared.append("".join(t.text or "" for t in si.iter("{%s}t" % NS["x"])))
    sheet = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
    rows = []
    for row in sheet.find("x:sheetData", NS).findall("x:row", NS):
        cells = {}
        for c in row.findall("x:c", NS):
            t = c.get("t")
            v = c.find("x:v", NS)
            if c.find("x:f", NS) is not None:
                cells[_col(c.get("r"))] = (None, "f")
            elif t == "s":
                cells[_col(c.get("r"))] = (shared[int(v.text)], "s")
            elif t == "inlineStr":
                cells[_col(c.get("r"))] = ("".join(x.text or "" for x in c.iter("{%s}t" % NS["x"])), "s")
            elif v is not None:
                cells[_col(c.get("r"))] = (v.text, "n")
        width = max(cells) + 1 if cells else 0
        rows.append([cells.get(i, ("", "")) for i in range(width)])
    return rows


def xlsx_text(rows, ncols):
    """XLSX cells as CSV would show them (numbers of money columns with two decimals)."""
    out = []
    for row in rows:
        row = row + [("", "")] * (ncols - len(row))
        out.append([v for v, _ in row])
    return out


def exports(s, path, **params):
    """Both exports of one list with the same filters: (csv rows, xlsx rows)."""
    q = "&".join(f"{k}={v}" for k, v in params.items())
    sep = "&" if q else ""
    c = csv_rows(s.get(f"{HTTP}{path}?{q}{sep}format=csv", timeout=30))
    x = xlsx_rows(s.get(f"{HTTP}{path}?{q}{sep}format=xlsx", timeout=30))
    return c, x


def same_table(c, x, money_cols=()):
    """The CSV and the XLSX carry the same header and cells (numbers compared as numbers)."""
    assert len(c) == len(x), (len(c), len(x))
    assert c[0] == [v for v, _ in x[0]]
    for crow, xrow in zip(c[1:], x[1:]):
        xrow = xrow + [("", "")] * (len(crow) - len(xrow))
        for i, (cv, (xv, kind)) in enumerate(zip(crow, xrow)):
            assert kind != "f", f"formula in column {i}"
            if kind == "n":
                want = float(cv)
                assert abs(float(xv) - want) < 1e-9, (i, cv, xv)
            else:
                assert cv == xv or (cv.startswith("'") and cv[1:] == xv), (i, cv, xv)


def json_of(s, path):
    return json.loads(s.get(HTTP + path, headers={"Accept": "application/json"}, timeout=10).text)


__all__ = ["camps_end_with_the_module", "admin", "staff", "post", "flash_after", "finished_camp", "paid_member", "planet_user",
           "checkins", "refund_list",
           "wait_job", "proposals", "csv_rows", "xlsx_rows", "xlsx_text", "exports", "same_table",
           "json_of", "sql", "today", "make_camp"]
