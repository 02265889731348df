"""test_h5_cookie.py: a browser that enrolls many times keeps working — headers of any
length, and a ticket cookie that keeps only recent valid tokens (issue #14, hole 5)."""
import secrets

from conftest import HTTP
from paylib import enroll, h5, make_camp, sim_pay, sql, wait_state

TOKEN = 35                       # "tk_" + 32 hex digits


def planet_id():
    return "8" + "".join(str(secrets.randbelow(10)) for _ in range(14))


def cookie_of(s):
    return s.cookies.get("camp_tickets") or ""


def test_a_browser_that_enrolls_100_times_gets_a_location_every_time():
    s = h5()
    camps = []
    paid_no = None
    try:
        for i in range(100):
            if i % 3 == 0:                  # 3 pending orders per browser and camp
                camps.append(make_camp(name=f"百次报名营{i // 3}-" + secrets.token_hex(2)))
            r = enroll(s, camps[-1], planet_id())
            assert r.status_code == 303, (i, r.status_code, r.text[:300])
            loc = r.headers.get("Location", "")
            assert loc.startswith("/h5/orders/"), (i, dict(r.headers))
            assert len(cookie_of(s)) < 1024, (i, len(cookie_of(s)))
            if i == 5:
                paid_no = loc.rsplit("/", 1)[1]
                sim_pay(paid_no)
                wait_state(s, paid_no, "paid")
        # the newest order opens, and so does a paid ticket kept among the recent ones
        page = s.get(HTTP + loc, timeout=10)
        assert page.status_code == 200, page.status_code
        tokens = cookie_of(s).split(".")
        assert all(len(t) == TOKEN for t in tokens) and len(tokens) == len(set(tokens))
    finally:
        sql("UPDATE training_camp SET deleted_at = now() WHERE id = ANY(%s)", camps)


def test_the_cookie_drops_tokens_that_open_nothing():
    cid = make_camp()
    s = h5()
    r = enroll(s, cid, planet_id())
    first = cookie_of(s)
    no = r.headers["Location"].rsplit("/", 1)[1]
    # the order expired and was closed: its token opens nothing any more
    sql("UPDATE payment_record SET pay_status = 'closed', time_expire = now() - interval '1 hour'"
        " WHERE order_no = %s", no)
    enroll(s, cid, planet_id())
    assert first not in cookie_of(s).split(".")
    assert len(cookie_of(s).split(".")) == 1
