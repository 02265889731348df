"""test_seat_holds.py: what one enrollment takes and holds — the WeChat order, the seat, the
limits per browser and per IP (issue #14, holes 3, 7 and 10)."""
import pathlib
import secrets
import sys
import threading
import time

import psycopg2
import requests

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "bench"))
from benchlib import FromAddress  # noqa: E402  (the benches' adapter: connections from one address)
from conftest import HTTP, SIM, admin_password, csrf_of, dsn, login, new_session
from paylib import csrf, enroll, h5, make_camp, order_no_of, pay_row, sim_pay, sql


def planet_id():
    return "8" + "".join(str(secrets.randbelow(10)) for _ in range(14))


def order_requests(order_no):
    """What camp-sim received when the app created this WeChat order."""
    log = requests.get(SIM + "/sim/log", timeout=10).json()
    return [e for e in log if e.get("method") == "POST" and e.get("path", "").startswith("/v3/pay/transactions/")
            and isinstance(e.get("request"), dict) and e["request"].get("out_trade_no") == order_no]


# ---- hole 10: the order description is cut by characters, never inside one ----------

def test_order_description_is_cut_by_characters_within_127_bytes():
    # 'A' then 49 three-byte characters: a cut by bytes at 60 splits a character
    name = "A" + "长" * 49                      # 50 characters, 148 bytes
    cid = make_camp(name=name)
    s = h5()
    r = enroll(s, cid, planet_id())
    no = order_no_of(r)
    reqs = order_requests(no)
    assert len(reqs) == 1
    desc = reqs[0]["request"]["description"]
    raw = desc.encode("utf-8")                  # the sim's log is JSON: valid UTF-8 or not there
    assert len(raw) <= 127, (len(raw), desc)
    assert desc.endswith(" 押金") and desc.startswith("A长长")
    assert len(desc) - len(" 押金") == 1 + (127 - len(" 押金".encode()) - 1) // 3


def test_short_names_are_not_cut():
    cid = make_camp(name="短名营" + secrets.token_hex(2))
    s = h5()
    no = order_no_of(enroll(s, cid, planet_id()))
    name = sql("SELECT name FROM training_camp WHERE id = %s", cid)[0][0]
    assert order_requests(no)[0]["request"]["description"] == name + " 押金"


# ---- hole 3: the seat count is taken after the camp's enrollment lock ----------------

ENROLL_LOCK = "SELECT pg_advisory_xact_lock(hashtextextended('camp-enroll:' || %s, 0))"


def lock_waiters(conn, pattern="%%camp-enroll:%%"):
    cur = conn.cursor()
    cur.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                " AND query LIKE %s AND pid <> pg_backend_pid()", (pattern,))
    return cur.fetchone()[0]


def wait_for_waiters(n, pattern="%%camp-enroll:%%", settle=0.3):
    watcher = psycopg2.connect(dsn())
    watcher.autocommit = True
    try:
        deadline = time.time() + 15
        while time.time() < deadline and lock_waiters(watcher, pattern) < n:
            time.sleep(0.05)
        time.sleep(settle)
        return lock_waiters(watcher, pattern)
    finally:
        watcher.close()


def enroll_form(b, cid, i):
    return {"_csrf": csrf(b, f"/h5/camps/{cid}"), "planet_nickname": f"抢座{i}",
            "planet_user_id": planet_id(), "wechat_nickname": f"抢{i}", "agree": "1"}


def test_twelve_simultaneous_enrollments_into_one_seat_take_one_hold():
    cid = make_camp(capacity=1)
    browsers = [h5() for _ in range(12)]
    forms = [enroll_form(b, cid, i) for i, b in enumerate(browsers)]
    results = [None] * 12

    def go(i):
        results[i] = browsers[i].post(HTTP + f"/h5/camps/{cid}/enroll", data=forms[i],
                                      allow_redirects=False, timeout=30)

    # the test holds the camp's enrollment lock: every enrollment that gets this far
    # waits on it, as they do when they all arrive at once
    holder = psycopg2.connect(dsn())
    try:
        holder.cursor().execute(ENROLL_LOCK, (str(cid),))
        threads = [threading.Thread(target=go, args=(i,)) for i in range(12)]
        for t in threads:
            t.start()
        assert wait_for_waiters(2) >= 2       # every free web child reaches the lock
    finally:
        holder.commit()
        holder.close()
    for t in threads:
        t.join()
    codes = sorted(r.status_code for r in results)
    holds = sql("SELECT count(*) FROM payment_record WHERE camp_id = %s AND pay_status = 'pending'", cid)[0][0]
    assert holds == 1, codes
    assert codes == [303] + [409] * 11, codes


def admin_session():
    s = new_session()
    assert login(s, "admin", admin_password()).status_code == 303
    return s


def stalled_enrollment(cid):
    """An enrollment of camp cid stopped half-way, its camp lock taken: its writes wait for
    the test's lock on access_token (only an enrollment writes there).  Returns the thread,
    its result box and the connection holding the table (commit it to let go)."""
    b = h5()
    form = enroll_form(b, cid, 0)
    table = psycopg2.connect(dsn())
    table.cursor().execute("LOCK TABLE access_token IN SHARE MODE")
    box = {}
    t = threading.Thread(target=lambda: box.update(r=b.post(HTTP + f"/h5/camps/{cid}/enroll", data=form,
                                                            allow_redirects=False, timeout=60)))
    t.start()
    assert wait_for_waiters(1, "%%INSERT INTO access_token%%", settle=0) == 1
    return t, box, table


def test_a_payment_does_not_wait_for_an_enrollment_of_its_camp():
    # issue #18: enrollments took the camp's row lock, and every payment of the camp (its
    # counters live on that row) waited until the enrollment under way had committed
    cid = make_camp()
    no = order_no_of(enroll(h5(), cid, planet_id()))
    t, box, table = stalled_enrollment(cid)
    try:
        sim_pay(no)
        deadline = time.time() + 15
        while time.time() < deadline and pay_row(no)[0] != "success":
            time.sleep(0.1)
        assert pay_row(no)[0] == "success"
        assert t.is_alive()                   # the enrollment is still under way
        assert sql("SELECT member_count FROM training_camp WHERE id = %s", cid)[0][0] == 1
    finally:
        table.commit()
        table.close()
    t.join()
    assert box["r"].status_code == 303
    assert sql("SELECT count(*) FROM payment_record WHERE camp_id = %s", cid)[0][0] == 2


def h5_from(ip):
    """A member's session from another loopback address (the app sees it as the client's)."""
    s = h5()
    s.mount("http://", FromAddress(ip))
    return s


def test_enrollments_from_other_addresses_go_on_while_one_is_under_way():
    # issue #18: a camp without a capacity counts only the holds of an address and its
    # browsers, so one enrollment under way holds up those from its address, not the rest
    cid = make_camp()
    first, same, other = h5_from("127.0.0.1"), h5_from("127.0.0.1"), h5_from("127.0.0.9")
    forms = [enroll_form(b, cid, i) for i, b in enumerate((first, same, other))]
    # the next member row is taken, uncommitted: the first enrollment stops at its insert
    blocker = psycopg2.connect(dsn())
    cur = blocker.cursor()
    cur.execute("SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END FROM camp_member_id_seq")
    cur.execute("INSERT INTO camp_member (id, camp_id) VALUES (%s, %s)", (cur.fetchone()[0], cid))
    results = {}

    def go(name, b, form, timeout=60):
        results[name] = b.post(HTTP + f"/h5/camps/{cid}/enroll", data=form, allow_redirects=False,
                               timeout=timeout)

    threads = {}
    try:
        threads["first"] = threading.Thread(target=go, args=("first", first, forms[0]))
        threads["first"].start()
        assert wait_for_waiters(1, "%%INSERT INTO camp_member%%", settle=0) == 1
        threads["same"] = threading.Thread(target=go, args=("same", same, forms[1]))
        threads["same"].start()
        assert wait_for_waiters(1) == 1            # the same address waits for its turn
        go("other", other, forms[2], timeout=15)   # another address does not
        assert results["other"].status_code == 303
        assert threads["first"].is_alive() and threads["same"].is_alive()
    finally:
        blocker.rollback()
        blocker.close()
    for t in threads.values():
        t.join()
    assert results["first"].status_code == 303 and results["same"].status_code == 303
    assert sql("SELECT count(*) FROM payment_record WHERE camp_id = %s AND pay_status = 'pending'", cid)[0][0] == 3


def test_a_capacity_set_during_an_enrollment_is_counted_under_the_whole_camps_lock():
    # the page read a camp without a capacity; one set before the enrollment counts its seats
    # sends it back to count under the camp's exclusive lock, after every enrollment under way
    cid = make_camp()
    b = h5()
    form = enroll_form(b, cid, 0)
    address = psycopg2.connect(dsn())
    address.cursor().execute("SELECT pg_advisory_xact_lock(hashtextextended('camp-enroll:' || %s || '@' || %s, 0))",
                             (str(cid), "127.0.0.1"))
    box = {}
    t = threading.Thread(target=lambda: box.update(r=b.post(HTTP + f"/h5/camps/{cid}/enroll", data=form,
                                                            allow_redirects=False, timeout=60)))
    other = psycopg2.connect(dsn())
    try:
        t.start()
        assert wait_for_waiters(1, settle=0) == 1            # at its address's lock
        sql("UPDATE training_camp SET capacity = 5 WHERE id = %s", cid)
        # another address's enrollment under way: the camp's lock held shared
        other.cursor().execute("SELECT pg_advisory_xact_lock_shared(hashtextextended('camp-enroll:' || %s, 0))",
                               (str(cid),))
        address.commit()
        # now it wants the camp whole, and waits for the other enrollment
        assert wait_for_waiters(1, "%%pg_advisory_xact_lock(hashtextextended('camp-enroll:' || $1, 0))%%",
                                settle=0.2) == 1
        assert t.is_alive()
    finally:
        address.rollback()
        address.close()
        other.commit()
        other.close()
    t.join()
    assert box["r"].status_code == 303
    assert pending_in(cid) == 1


def test_editing_a_camp_waits_for_the_enrollment_under_way():
    # a capacity saved while an enrollment counts would let it count with the old one
    from test_camps import _edit_form, make_user, post_camp
    cid = make_camp(start=3, end=24)
    t, box, table = stalled_enrollment(cid)
    admin = admin_session()
    form = dict(_edit_form(admin, cid), coach_ids=str(make_user("coach")[0]), description="", capacity="5")
    done = {}
    e = threading.Thread(target=lambda: done.update(
        r=post_camp(admin, form, files={}, path=f"/admin/camps/{cid}/edit")))
    try:
        e.start()
        assert wait_for_waiters(1) == 1       # the edit waits for the enrollment's lock
        assert sql("SELECT capacity FROM training_camp WHERE id = %s", cid)[0][0] is None
    finally:
        table.commit()
        table.close()
    t.join()
    e.join()
    assert box["r"].status_code == 303 and done["r"].status_code == 303, done["r"].text[:300]
    assert sql("SELECT capacity FROM training_camp WHERE id = %s", cid)[0][0] == 5


def test_cancelling_a_camp_waits_for_the_enrollment_under_way():
    # the cancel counts the camp's pending orders: one being created must be among them,
    # or refused after the cancel, never slip in unseen
    cid = make_camp(start=3, end=24)
    t, box, table = stalled_enrollment(cid)
    admin = admin_session()
    tok = csrf_of(admin.get(HTTP + f"/admin/camps/{cid}", timeout=10).text)
    done = {}
    c = threading.Thread(target=lambda: done.update(r=admin.post(
        HTTP + f"/admin/camps/{cid}/cancel", data={"_csrf": tok, "confirm_password": admin_password()},
        allow_redirects=False, timeout=60)))
    try:
        c.start()
        assert wait_for_waiters(1) == 1       # the cancel waits for the enrollment's lock
        assert sql("SELECT cancelled_at IS NULL FROM training_camp WHERE id = %s", cid)[0][0]
    finally:
        table.commit()
        table.close()
    t.join()
    c.join()
    assert box["r"].status_code == 303 and done["r"].status_code == 303
    assert sql("SELECT remark FROM camp_status_log WHERE camp_id = %s AND event = 'CANCEL'", cid)[0][0] == \
        "取消训练营：0 名已支付会员全额退款待审核，1 笔待支付订单关闭"
    # and after the cancel, nothing more enrolls
    assert enroll(h5(), cid, planet_id(), csrf_from="/h5/bind").status_code == 404


def test_a_hold_lasts_until_time_expire_plus_five_minutes():
    cid = make_camp(capacity=1)
    a = h5()
    no = order_no_of(enroll(a, cid, planet_id()))
    # expired two minutes ago: a late callback may still arrive, the seat stays held
    sql("UPDATE payment_record SET time_expire = now() - interval '2 minutes' WHERE order_no = %s", no)
    b = h5()
    assert "名额已满" in b.get(HTTP + f"/h5/camps/{cid}", timeout=10).text
    r = enroll(b, cid, planet_id(), csrf_from="/h5/bind")
    assert r.status_code == 409 and "名额已满" in r.text
    # six minutes: the seat is free again
    sql("UPDATE payment_record SET time_expire = now() - interval '6 minutes' WHERE order_no = %s", no)
    assert "名额已满" not in b.get(HTTP + f"/h5/camps/{cid}", timeout=10).text
    assert enroll(b, cid, planet_id()).status_code == 303


# ---- hole 7: anonymous seat holds are limited per browser and per IP -------------------

def pending_in(cid):
    return sql("SELECT count(*) FROM payment_record WHERE camp_id = %s AND pay_status = 'pending'", cid)[0][0]


def test_one_browser_holds_at_most_three_pending_orders_per_camp():
    cid = make_camp()
    s = h5()
    for _ in range(3):
        order_no_of(enroll(s, cid, planet_id()))
    r = enroll(s, cid, planet_id())
    assert r.status_code == 429 and "待支付" in r.text, (r.status_code, r.text[:300])
    assert pending_in(cid) == 3
    # another camp is another count
    assert enroll(s, make_camp(), planet_id()).status_code == 303


def test_one_ip_holds_at_most_ten_pending_orders_per_camp():
    cid = make_camp()
    for _ in range(10):
        order_no_of(enroll(h5(), cid, planet_id()))
    r = enroll(h5(), cid, planet_id())
    assert r.status_code == 429 and "待支付" in r.text, (r.status_code, r.text[:300])
    assert pending_in(cid) == 10


def test_an_order_wechat_did_not_accept_holds_no_seat():
    cid = make_camp(capacity=1)
    a = h5()
    requests.post(SIM + "/sim/faults", json={"service": "wechatpay", "mode": "500", "count": 1}, timeout=5)
    try:
        r = enroll(a, cid, planet_id())
    finally:
        requests.post(SIM + "/sim/faults", json={"service": "wechatpay", "mode": "ok"}, timeout=5)
    assert r.status_code == 503
    assert pending_in(cid) == 0
    assert sql("SELECT count(*) FROM camp_member WHERE camp_id = %s AND deleted_at IS NULL", cid)[0][0] == 0
    # the seat is free for the next member, and the failed try does not count for this browser
    assert enroll(h5(), cid, planet_id()).status_code == 303


# ---- a browser's tickets are found through their index -----------------------------

def access_token_scans(wait=0):
    time.sleep(wait)
    return sql("SELECT seq_scan, idx_scan FROM pg_stat_user_tables WHERE relname = 'access_token'")[0]


def test_a_browsers_tickets_are_looked_up_through_their_index():
    # token_sha256 is char(64): compared with a text[] it was cast, its unique index went
    # unused, and every ticket ever issued was read twice on each enrollment (issue #18)
    cid = make_camp()
    b = h5()
    first = order_no_of(enroll(b, cid, planet_id()))         # the browser now holds a ticket
    pid = sql("SELECT id FROM payment_record WHERE order_no = %s", first)[0][0]
    sql("INSERT INTO access_token (token_sha256, payment_id, camp_id, expires_at)"
        " SELECT encode(sha256(convert_to('filler' || %s || '.' || g, 'UTF8')), 'hex'), %s, %s,"
        "        now() - interval '1 day' FROM generate_series(1, 5000) g", str(cid), pid, cid)
    try:
        sql("ANALYZE access_token")
        # an idle backend reports its table statistics at most 10 s after its last transaction:
        # what the tests before this one read is counted before the enrollment, not during it
        before = access_token_scans(wait=11)
        r = enroll(b, cid, planet_id())      # counts this browser's holds, then keeps its tickets
        assert r.status_code == 303
        after = access_token_scans(wait=11)
        assert after[0] == before[0], f"access_token read whole: seq_scan {before[0]} -> {after[0]}"
        assert after[1] > before[1], (before, after)
    finally:
        sql("DELETE FROM access_token WHERE camp_id = %s AND member_id IS NULL", cid)
