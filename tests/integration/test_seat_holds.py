"""test_seat_holds.py: what one enrollment takes and holds — the WeChat order, the seat, the
limits per browser and per IP (issue #14, holes 3, 7 and 10)."""
import secrets
import threading
import time

import psycopg2
import requests

from conftest import HTTP, SIM, dsn
from paylib import csrf, enroll, h5, make_camp, order_no_of, sql


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


# ---- hole 3: the seat count is taken after the camp's lock ---------------------------

def lock_waiters(conn):
    cur = conn.cursor()
    cur.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                " AND query LIKE '%%training_camp%%' AND pid <> pg_backend_pid()")
    return cur.fetchone()[0]


def test_twelve_simultaneous_enrollments_into_one_seat_take_one_hold():
    cid = make_camp(capacity=1)
    browsers = [h5() for _ in range(12)]
    forms = [{"_csrf": csrf(b, f"/h5/camps/{cid}"), "planet_nickname": f"抢座{i}",
              "planet_user_id": planet_id(), "wechat_nickname": f"抢{i}", "agree": "1"}
             for i, b in enumerate(browsers)]
    results = [None] * 12

    def go(i):
        results[i] = browsers[i].post(HTTP + f"/h5/camps/{cid}/enroll", data=forms[i],
                                      allow_redirects=False, timeout=30)

    # the test holds the camp row: every enrollment that gets this far waits on
    # the same lock, as they do when they all arrive at once
    holder = psycopg2.connect(dsn())
    try:
        holder.cursor().execute("SELECT id FROM training_camp WHERE id = %s FOR UPDATE", (cid,))
        threads = [threading.Thread(target=go, args=(i,)) for i in range(12)]
        for t in threads:
            t.start()
        watcher = psycopg2.connect(dsn())
        watcher.autocommit = True
        deadline = time.time() + 15
        while time.time() < deadline and lock_waiters(watcher) < 2:
            time.sleep(0.05)
        time.sleep(0.3)                       # let every free web child reach the lock
        assert lock_waiters(watcher) >= 2
        watcher.close()
    finally:
        holder.commit()
        holder.close()
    for t in threads:
        t.join()
    codes = sorted(r.status_code for r in results)
    holds = sql("SELECT count(*) FROM payment_record WHERE camp_id = %s AND pay_status = 'pending'", cid)[0][0]
    assert holds == 1, codes
    assert codes == [303] + [409] * 11, codes


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
