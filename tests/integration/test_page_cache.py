"""test_page_cache.py: the H5 list and camp pages camp-web keeps in memory (issue #18) show every
change on the very next request, in every web child; pages without a form mint no CSRF cookie."""
import datetime
import re
import secrets

import psycopg2
import pytest
import requests

from conftest import HTTP, dsn
from paylib import enroll, h5, make_camp, order_no_of, sim_pay, sql, wait_state

CHILDREN_ROUNDS = 16    # the test instance runs 4 web children: every one of them has the page


def planet_id():
    return "7" + "".join(str(secrets.randbelow(10)) for _ in range(14))


def card(html, camp_id):
    """The text of one camp's card on the H5 list."""
    m = re.search(r'<li class="camp-card">\s*<a class="camp-card__link" href="/h5/camps/%d">(.*?)</li>'
                  % camp_id, html, re.S)
    assert m, f"camp {camp_id} is not on the list"
    return m.group(1)


def warm(*paths):
    """Every web child renders (and keeps) each page."""
    for _ in range(CHILDREN_ROUNDS):
        for p in paths:
            assert requests.get(HTTP + p, timeout=10).status_code == 200


def every_child(path, check):
    """The next request, then one per child: each one must pass check(html)."""
    for _ in range(CHILDREN_ROUNDS):
        r = requests.get(HTTP + path, timeout=10)
        assert r.status_code == 200
        check(r.text)


def set_now(t):
    sql("INSERT INTO system_config (config_key, config_value) VALUES ('test.now', %s)"
        " ON CONFLICT (config_key) DO UPDATE SET config_value = EXCLUDED.config_value", t.isoformat())


def clear_now():
    sql("DELETE FROM system_config WHERE config_key = 'test.now'")


def open_camp(**kw):
    """A camp that is open for enrollment and sorts early on the list (it starts long ago)."""
    return make_camp(start=-60, end=60, required=10, **kw)


def test_a_page_without_a_form_sets_no_csrf_cookie():
    r = requests.get(HTTP + "/h5/", timeout=10)
    assert r.status_code == 200 and "camp_csrf=" not in r.headers.get("Set-Cookie", "")
    cid = open_camp()
    r = requests.get(HTTP + f"/h5/camps/{cid}", timeout=10)
    assert 'name="_csrf"' in r.text and "camp_csrf=" in r.headers.get("Set-Cookie", "")


def test_a_kept_camp_page_carries_each_visitors_own_token():
    cid = open_camp()
    warm(f"/h5/camps/{cid}")
    tokens = set()
    for _ in range(6):
        s = h5()
        page = s.get(HTTP + f"/h5/camps/{cid}", timeout=10)
        tokens.add(re.search(r'name="_csrf" value="([0-9a-f]{64})"', page.text).group(1))
        assert s.cookies.get("camp_csrf")
        # the token of the page is the one of this browser's cookie: the form goes through
        r = enroll(s, cid, planet_id())
        order_no_of(r)
    assert len(tokens) == 6


def test_a_new_camp_and_an_edit_show_on_the_next_request():
    cid = open_camp(name="缓存测试营 " + secrets.token_hex(3))
    warm("/h5/", f"/h5/camps/{cid}")
    other = open_camp(name="新开营 " + secrets.token_hex(3))
    every_child("/h5/", lambda html: card(html, other))
    sql("UPDATE training_camp SET name = %s, deposit = 123.45, description = %s WHERE id = %s",
        "改名后的营", "新的介绍文字", cid)
    every_child("/h5/", lambda html: card(html, cid).count("改名后的营") == 2 and "¥123.45" in card(html, cid)
                or pytest.fail("the edit is not on the list"))
    every_child(f"/h5/camps/{cid}", lambda html: ("改名后的营" in html and "新的介绍文字" in html
                                                  and "123.45" in html) or pytest.fail("edit not shown"))
    sql("UPDATE training_camp SET deleted_at = now() WHERE id = %s", other)
    every_child("/h5/", lambda html: f"/h5/camps/{other}\"" not in html or pytest.fail("deleted camp shown"))


def test_a_payment_and_held_seats_show_on_the_next_request():
    cid = open_camp(capacity=2)
    warm("/h5/", f"/h5/camps/{cid}")
    every_child("/h5/", lambda html: "已报名 0 人" in card(html, cid) and "剩余名额 2" in card(html, cid)
                or pytest.fail("not the fresh camp"))
    s = h5()
    no = order_no_of(enroll(s, cid, planet_id()))          # a pending order holds a seat
    every_child("/h5/", lambda html: "已报名 0 人" in card(html, cid) and "剩余名额 1" in card(html, cid)
                or pytest.fail("the held seat is not counted"))
    every_child(f"/h5/camps/{cid}", lambda html: "0 人，剩余名额 1" in html or pytest.fail("held seat"))
    sim_pay(no)
    wait_state(s, no)
    every_child("/h5/", lambda html: "已报名 1 人" in card(html, cid) and "剩余名额 1" in card(html, cid)
                or pytest.fail("the payment is not counted"))
    every_child(f"/h5/camps/{cid}", lambda html: "1 人，剩余名额 1" in html or pytest.fail("payment"))
    order_no_of(enroll(h5(), cid, planet_id()))            # the last seat, held
    every_child(f"/h5/camps/{cid}", lambda html: "名额已满" in html or pytest.fail("full camp still open"))


def test_a_hold_that_expires_frees_its_seat_without_any_write():
    cid = open_camp(capacity=1)
    order_no_of(enroll(h5(), cid, planet_id()))
    warm("/h5/", f"/h5/camps/{cid}")
    every_child(f"/h5/camps/{cid}", lambda html: "名额已满" in html or pytest.fail("the seat is not held"))
    # a pending order holds its seat until 5 minutes past its time_expire (a late callback may pay it)
    expire = sql("SELECT time_expire + interval '5 minutes' FROM payment_record WHERE camp_id = %s", cid)[0][0]
    try:
        set_now(expire + datetime.timedelta(seconds=1))
        every_child(f"/h5/camps/{cid}", lambda html: "名额已满" not in html and "0 人，剩余名额 1" in html
                    or pytest.fail("the expired hold still counts"))
        every_child("/h5/", lambda html: "剩余名额 1" in card(html, cid) or pytest.fail("list: expired hold"))
        set_now(expire - datetime.timedelta(seconds=60))       # a clock set back: the hold again,
        # unless camp-worker's reconcile-payments closed the order meanwhile (then it is free for good)
        held = sql("SELECT pay_status FROM payment_record WHERE camp_id = %s", cid)[0][0] == "pending"
        every_child(f"/h5/camps/{cid}", lambda html: ("名额已满" in html) == held or pytest.fail("hold"))
    finally:
        clear_now()


def test_the_day_turning_closes_enrollment_without_any_write():
    """The last day to enroll is end − required + 1: the day after, the kept page says so."""
    cid = make_camp(start=-5, end=10, required=10)             # last day to enroll: day 1
    warm(f"/h5/camps/{cid}")
    every_child(f"/h5/camps/{cid}", lambda html: "确认报名并支付" in html or pytest.fail("not open"))
    sh = datetime.timezone(datetime.timedelta(hours=8))
    day2 = datetime.datetime.now(sh).replace(hour=0, minute=0, second=1, microsecond=0) + datetime.timedelta(days=2)
    try:
        set_now(day2)
        every_child(f"/h5/camps/{cid}", lambda html: "已截止报名" in html and "确认报名并支付" not in html
                    or pytest.fail("the closed camp is still open"))
    finally:
        clear_now()


def test_a_change_whose_notice_never_came_shows_within_the_page_age_bound():
    """A change that sends no notice (as the payment fast path's own transaction, which notifies
    after its commit: were that notice lost) is on every page after H5_PAGE_MAX_AGE_S (300 s)."""
    cid = open_camp()
    warm("/h5/", f"/h5/camps/{cid}")
    renamed = "改名的训练营" + secrets.token_hex(3)
    conn = psycopg2.connect(dsn())
    try:
        with conn, conn.cursor() as c:
            c.execute("SELECT set_config('camp.pages_notify', 'after_commit', true)")
            c.execute("UPDATE training_camp SET name = %s WHERE id = %s", (renamed, cid))
    finally:
        conn.close()
    try:
        set_now(datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=301))
        every_child(f"/h5/camps/{cid}", lambda html: renamed in html or pytest.fail("a page older than 300 s"))
        every_child("/h5/", lambda html: renamed in card(html, cid) or pytest.fail("list older than 300 s"))
    finally:
        clear_now()


def test_a_kept_list_goes_compressed_to_browsers_that_accept_gzip():
    import gzip
    warm("/h5/")
    plain = requests.get(HTTP + "/h5/", headers={"Accept-Encoding": "identity"}, timeout=10)
    assert plain.headers.get("Content-Encoding") is None and "camp-card" in plain.text
    compressed = 0
    for _ in range(CHILDREN_ROUNDS):
        r = requests.get(HTTP + "/h5/", headers={"Accept-Encoding": "gzip, deflate, br"}, timeout=10,
                         stream=True)
        raw = r.raw.read(decode_content=False)
        if r.headers.get("Content-Encoding") == "gzip":
            assert gzip.decompress(raw) == plain.content and len(raw) < len(plain.content) / 4
            compressed += 1
        else:
            assert raw == plain.content     # a child that had to render it just now
        assert "Accept-Encoding" in r.headers.get("Vary", "Accept-Encoding")
    assert compressed >= CHILDREN_ROUNDS - 4
