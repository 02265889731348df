"""test_books.py: the books — money invariants and WeChat Pay's trade bill through camp-sim (issue #14).

The books check the whole database, so each test runs them on a scratch database of the
test instance (migrated, an admin, camp-sim's merchant settings) with `campctl`, and resets
camp-sim first so that today's bill holds only what the test made.  Payments reach the
scratch database the way a lost callback does: the order is paid at camp-sim and the
reconcile-payments job applies it; refunds are executed by the refunds job against
camp-sim.  Both jobs are the production code, run by campctl on the scratch database.
"""
import gzip
import hashlib
import os
import re
import secrets
import subprocess
import tempfile
import time
import uuid

import psycopg2
import pytest
import requests

from conftest import ENV, HTTP, admin_password, add_user, dsn, login, new_session
from simlib import new_order, pay_request, settings, sim_post, verify_response

APP_BIN = ENV["CAMP_RUNTIME_DIR"] + "/app/bin/"
COLUMNS = ("交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,"
           "付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,"
           "退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注")
SUMMARY = "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额"


def day(offset=0):
    """A Shanghai calendar date, as WeChat's bill dates are."""
    return time.strftime("%Y-%m-%d", time.gmtime(time.time() + 8 * 3600 + offset * 86400))


def reset_sim():
    assert sim_post("/sim/reset").status_code == 200


class Scratch:
    """A scratch database of the test instance for one test."""

    def __init__(self, configure=True):
        self.name = "camp_books_" + uuid.uuid4().hex[:8]
        self.admin = psycopg2.connect(dsn())
        self.admin.autocommit = True
        with self.admin.cursor() as c:
            c.execute(f'CREATE DATABASE "{self.name}"')   # a generated name, not input
        self.env = dict(os.environ)
        self.env.update(ENV)
        self.env["CAMP_DB_URL"] = re.sub(r"/camp$", "/" + self.name, ENV["CAMP_DB_URL"])
        assert self.ctl("migrate").returncode == 0
        with tempfile.NamedTemporaryFile("w", suffix=".pw") as f:
            f.write("admin-password-for-books\n")
            f.flush()
            assert self.ctl("user", "add", "admin", "--role", "admin",
                            "--password-file", f.name).returncode == 0
        self.conn = psycopg2.connect(self.env["CAMP_DB_URL"])
        self.conn.autocommit = True
        # refund and exception numbers (RF<id>N1, RE<id>T…) reach camp-sim, which the
        # main test database uses too: keep ids far from its
        base = 900_000_000 + secrets.randbelow(90_000_000)
        for seq in ("refund_record_id_seq", "payment_exception_id_seq", "payment_record_id_seq",
                    "camp_member_id_seq", "training_camp_id_seq"):
            self.sql(f"SELECT setval('{seq}', %s)", base)
        if configure:
            self.configure()

    def configure(self):
        for k, v in settings().items():
            if k.startswith("wechat.pay_"):
                r = self.ctl("config", "set", k, v)
                assert r.returncode == 0, r.stderr

    def ctl(self, *args):
        return subprocess.run([APP_BIN + "campctl", *args], env=self.env, capture_output=True,
                              text=True, timeout=120)

    def sql(self, query, *args):
        with self.conn.cursor() as c:
            c.execute(query, args)
            return c.fetchall() if c.description else None

    def close(self):
        self.conn.close()
        with self.admin.cursor() as c:
            c.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                      " WHERE datname = %s AND pid <> pg_backend_pid()", (self.name,))
            c.execute(f'DROP DATABASE IF EXISTS "{self.name}"')
        self.admin.close()

    # ---- money through the production code ----------------------------------------

    def camp(self, deposit="99.00"):
        return self.sql("INSERT INTO training_camp (name, deposit, start_date, end_date, total_days,"
                        " required_days, planet_project_id, status) VALUES (%s, %s, current_date - 20,"
                        " current_date - 1, 20, 15, '1', 'finished') RETURNING id",
                        "对账营 " + secrets.token_hex(3), deposit)[0][0]

    def order(self, camp, fen=9900):
        """An order as enrollment leaves it (member + pending payment), created at camp-sim."""
        no = "BK" + secrets.token_hex(10)
        mid = self.sql("INSERT INTO camp_member (camp_id, filled_planet_user_id, filled_planet_nickname,"
                       " filled_wechat_nickname, created_at) VALUES (%s, %s, '对账', '对账',"
                       " now() - interval '10 minutes') RETURNING id",
                       camp, str(10 ** 12 + secrets.randbelow(10 ** 12)))[0][0]
        self.sql("INSERT INTO payment_record (order_no, camp_id, member_id, pay_amount, pay_status,"
                 " trade_type, time_expire, created_at) VALUES (%s, %s, %s, %s::numeric / 100,"
                 " 'pending', 'NATIVE', now() + interval '20 minutes', now() - interval '10 minutes')",
                 no, camp, mid, fen)
        _, r = new_order(no=no, total=fen, kind="native")
        assert r.status_code == 200, r.text
        return no

    def pay(self, *nos):
        """Paid at camp-sim; the callback cannot reach this database, the reconcile job applies it."""
        for no in nos:
            assert sim_post(f"/sim/wechatpay/orders/{no}/pay").status_code == 200
        r = self.ctl("job", "run", "reconcile-payments")
        assert r.returncode == 0, r.stderr
        paid = self.sql("SELECT count(*) FROM payment_record WHERE order_no = ANY(%s)"
                        " AND pay_status = 'success'", list(nos))[0][0]
        assert paid == len(nos)

    def paid_orders(self, camp, n, fen=9900):
        nos = [self.order(camp, fen) for _ in range(n)]
        self.pay(*nos)
        return nos

    def refund(self, *nos):
        """Approved refunds (as an audit leaves them), executed by the refunds job at camp-sim."""
        for no in nos:
            self.sql("INSERT INTO refund_record (camp_id, member_id, payment_id, refund_amount,"
                     " refund_status, audit_status, audit_time) SELECT camp_id, member_id, id,"
                     " pay_amount, 'approved', 'approved', now() FROM payment_record WHERE order_no = %s", no)
        assert self.ctl("job", "run", "refunds").returncode == 0
        deadline = time.monotonic() + 20
        while True:
            left = self.sql("SELECT count(*) FROM refund_record r JOIN payment_record p ON p.id = r.payment_id"
                            " WHERE p.order_no = ANY(%s) AND r.refund_status <> 'success'", list(nos))[0][0]
            if left == 0:
                return
            assert time.monotonic() < deadline, "refunds never succeeded"
            time.sleep(0.3)   # camp-sim keeps a refund PROCESSING for a moment
            # the REFUND.SUCCESS callback goes to the main instance: query instead
            self.sql("UPDATE refund_record SET next_retry_at = now() - interval '1 second'"
                     " WHERE refund_status = 'processing'")
            assert self.ctl("job", "run", "refunds").returncode == 0

    def books(self, date=None):
        """campctl books; (exit code, stdout, {(check, ref)}, runs)."""
        before = self.sql("SELECT COALESCE(max(id), 0) FROM books_run")[0][0]
        r = self.ctl("books", *(["--date", date] if date else []))
        runs = self.sql("SELECT id, bill_date::text, bill_status, ok, invariant_diffs, bill_diffs"
                        " FROM books_run WHERE id > %s ORDER BY id", before)
        diffs = self.sql("SELECT check_name, ref_no FROM books_difference WHERE run_id > %s", before)
        return r.returncode, r.stdout + r.stderr, {(c, ref) for c, ref in diffs}, runs


@pytest.fixture
def scratch():
    reset_sim()
    s = Scratch()
    yield s
    s.close()


# ---- camp-sim serves WeChat's bill ------------------------------------------------------

def signed_get(url_path):
    return pay_request("GET", url_path)


def test_sim_serves_the_trade_bill_in_wechat_format():
    reset_sim()
    a, b = "SB" + secrets.token_hex(8), "SB" + secrets.token_hex(8)
    for no, total in ((a, 9900), (b, 6600)):
        assert new_order(no=no, total=total, kind="native")[1].status_code == 200
        assert sim_post(f"/sim/wechatpay/orders/{no}/pay").status_code == 200
    rf = "RFSIM" + secrets.token_hex(4)
    r = pay_request("POST", "/v3/refund/domestic/refunds", {
        "out_trade_no": b, "out_refund_no": rf, "amount": {"refund": 6600, "total": 6600, "currency": "CNY"}})
    assert r.status_code == 200, r.text

    r = signed_get(f"/v3/bill/tradebill?bill_date={day()}&bill_type=ALL")
    assert r.status_code == 200, r.text
    assert verify_response(r), "the apply answer is signed like every answer"
    meta = r.json()
    assert meta["hash_type"] == "SHA1" and re.fullmatch(r"[0-9a-f]{40}", meta["hash_value"])
    path = meta["download_url"].split("//", 1)[1].split("/", 1)[1]
    unsigned = requests.get(meta["download_url"], timeout=10, headers={"User-Agent": "t"})
    assert unsigned.status_code == 401, "the download is a signed request too"
    f = signed_get("/" + path)
    assert f.status_code == 200
    assert "Wechatpay-Signature" not in f.headers, "WeChat does not sign the file itself"
    assert hashlib.sha1(f.content).hexdigest() == meta["hash_value"]
    lines = f.content.decode("utf-8").split("\r\n")
    assert lines[0] == COLUMNS
    rows = lines[1:lines.index(SUMMARY)]
    assert len(rows) == 3 and all(x.startswith("`") and len(x.split(",`")) == 27 for x in rows)
    fields = {x.split(",`")[6]: x.split(",`") for x in rows if x.split(",`")[9] == "SUCCESS"}
    assert set(fields) == {a, b}
    assert fields[a][12] == "99.00" and fields[a][24] == "99.00" and fields[a][15] == "0"
    refund = [x.split(",`") for x in rows if x.split(",`")[9] == "REFUND"][0]
    assert refund[6] == b and refund[15] == rf and refund[25] == "66.00" and refund[16] == "66.00"
    assert refund[19] in ("PROCESSING", "SUCCESS") and refund[18] == "ORIGINAL"
    assert lines[-3] == SUMMARY and lines[-2].startswith("`3,`165.00,`66.00,") and lines[-1] == ""

    # the same bill gzipped; its SHA1 is that of the unzipped file
    g = signed_get(f"/v3/bill/tradebill?bill_date={day()}&tar_type=GZIP").json()
    z = signed_get("/" + g["download_url"].split("//", 1)[1].split("/", 1)[1])
    assert z.content[:2] == b"\x1f\x8b"
    assert hashlib.sha1(gzip.decompress(z.content)).hexdigest() == g["hash_value"] == meta["hash_value"]
    # only payments, only refunds
    s = signed_get(f"/v3/bill/tradebill?bill_date={day()}&bill_type=REFUND").json()
    text = signed_get("/" + s["download_url"].split("//", 1)[1].split("/", 1)[1]).content.decode()
    assert rf in text and "`SUCCESS,`OTHERS" not in text


def test_sim_bill_refusals():
    reset_sim()
    r = signed_get(f"/v3/bill/tradebill?bill_date={day(-3)}")
    assert r.status_code == 400 and r.json()["code"] == "NO_STATEMENT_EXIST"
    r = signed_get(f"/v3/bill/tradebill?bill_date={day(1)}")
    assert r.status_code == 400 and r.json()["code"] == "INVALID_REQUEST"
    for bad in ("2026-13-01", "20261101", "2026-02-30"):
        r = signed_get(f"/v3/bill/tradebill?bill_date={bad}")
        assert r.status_code == 400 and r.json()["code"] == "PARAM_ERROR", bad
    assert signed_get(f"/v3/bill/tradebill?bill_date={day()}&bill_type=X").status_code == 400
    assert signed_get("/v3/billdownload/file?token=nosuchtoken").status_code == 400


# ---- green books ----------------------------------------------------------------------

def test_fresh_instance_books_are_green(scratch):
    rc, out, diffs, runs = scratch.books(day())
    assert rc == 0, out
    assert diffs == set()
    assert runs == [(runs[0][0], day(), "empty", True, 0, 0)]
    assert f"books {day()}: OK" in out
    # without a date: the latest bill WeChat has published (after 10:00, yesterday's)
    rc, out, diffs, runs = scratch.books()
    assert rc == 0, out
    hour = time.gmtime(time.time() + 8 * 3600).tm_hour
    assert [x[1] for x in runs] == [day(-1 if hour >= 10 else -2)]


def test_books_hold_on_the_demo_data():
    reset_sim()
    s = Scratch(configure=False)
    try:
        seeded = s.ctl("seed-demo")
        assert seeded.returncode == 0, seeded.stderr
        last = s.sql("SELECT max(pay_time AT TIME ZONE 'Asia/Shanghai')::date::text FROM payment_record")[0][0]
        # without a merchant there is no bill: the invariants alone, and they hold
        rc, out, diffs, runs = s.books(last)
        assert rc == 0, out
        assert diffs == set() and runs[0][2] == "not_configured"
        # with camp-sim's merchant: the demo's payments were never made at WeChat, and the
        # bill says exactly that — nothing else differs
        s.configure()
        rc, out, diffs, runs = s.books(last)
        made_up = {no for (no,) in s.sql(
            "SELECT order_no FROM payment_record WHERE pay_status IN ('success', 'refunded')"
            " AND (pay_time AT TIME ZONE 'Asia/Shanghai')::date = %s::date", last)}
        assert made_up and rc == 1
        assert diffs == {("bill_missing_theirs", no) for no in made_up}, out
        assert runs[0][4] == 0, "the demo's own books hold"
    finally:
        s.close()


def test_books_green_after_a_refund_batch(scratch):
    camp = scratch.camp()
    nos = scratch.paid_orders(camp, 6)
    scratch.refund(*nos[:4])
    # a WeCom collection-code payment, refunded by hand in WeCom: counted like any refund
    # (and not a merchant order, so not expected in the trade bill)
    mid = scratch.sql("INSERT INTO camp_member (camp_id, filled_wechat_nickname, paid, paid_at)"
                      " VALUES (%s, '企业微信付款', true, now()) RETURNING id", camp)[0][0]
    pid = scratch.sql("INSERT INTO payment_record (order_no, camp_id, member_id, pay_amount, pay_status,"
                      " pay_time, source, trade_type, wechat_transaction_id, bind_status)"
                      " VALUES (%s, %s, %s, 99, 'refunded', now(), 'wecom_bill', 'WECOM', %s, 'pending')"
                      " RETURNING id", "WB" + secrets.token_hex(8), camp, mid,
                      "4200" + secrets.token_hex(12))[0][0]
    scratch.sql("UPDATE payment_record SET refunded_amount = 99 WHERE id = %s", pid)
    scratch.sql("INSERT INTO refund_record (camp_id, member_id, payment_id, refund_amount, refund_status,"
                " audit_status, success_time) VALUES (%s, %s, %s, 99, 'refunded_offline', 'approved', now())",
                camp, mid, pid)
    scratch.sql("UPDATE training_camp SET member_count = member_count + 1, paid_amount = paid_amount + 99,"
                " refunded_amount = refunded_amount + 99 WHERE id = %s", camp)

    rc, out, diffs, runs = scratch.books(day())
    assert rc == 0, out
    assert diffs == set()
    run = runs[0][0]
    assert runs[0][2:] == ("compared", True, 0, 0)
    kinds = scratch.sql("SELECT kind, count(*) FROM books_bill_line WHERE run_id = %s GROUP BY 1", run)
    assert dict(kinds) == {"payment": 6, "refund": 4}
    assert scratch.sql("SELECT bill_paid_fen, bill_refund_fen FROM books_run WHERE id = %s", run) == \
        [(6 * 9900, 4 * 9900)]
    assert scratch.sql("SELECT paid_amount::text, refunded_amount::text, member_count FROM training_camp"
                       " WHERE id = %s", camp) == [("693.00", "495.00", 7)]


def test_books_green_with_payment_exceptions_and_their_refunds(scratch):
    """Money held by payment exceptions is matched to the bill through them, and so are
    their full refunds: a wrong amount, and a second payment for a paid planet ID."""
    camp = scratch.camp()
    # the order says 88.00, WeChat took 99.00: a wrong_amount exception holds it
    wrong = scratch.order(camp, 9900)
    scratch.sql("UPDATE payment_record SET pay_amount = 88 WHERE order_no = %s", wrong)
    # two enrollments with one planet ID, both paid: the second is a duplicate_planet_id
    first, dup = scratch.order(camp), scratch.order(camp)
    scratch.sql("UPDATE camp_member SET filled_planet_user_id = '5550001' WHERE id IN (SELECT member_id"
                " FROM payment_record WHERE order_no IN (%s, %s))", first, dup)
    for no in (wrong, first, dup):
        assert sim_post(f"/sim/wechatpay/orders/{no}/pay").status_code == 200
    assert scratch.ctl("job", "run", "reconcile-payments").returncode == 0
    assert sorted(r[0] for r in scratch.sql("SELECT reason FROM payment_exception")) == \
        ["duplicate_planet_id", "wrong_amount"]
    rc, out, diffs, _ = scratch.books(day())
    assert rc == 0 and diffs == set(), out
    # both refunded in full (what 全额退款 starts), through the refunds job at camp-sim
    scratch.sql("UPDATE payment_exception SET status = 'refunding',"
                " out_refund_no = 'RE' || id || 'T' || to_char(now(), 'YYMMDDHH24MISS')")
    deadline = time.monotonic() + 20
    while scratch.sql("SELECT count(*) FROM payment_exception WHERE status <> 'refunded'")[0][0]:
        assert time.monotonic() < deadline, "exception refunds never succeeded"
        assert scratch.ctl("job", "run", "refunds").returncode == 0
        time.sleep(0.3)
    assert scratch.sql("SELECT pay_status FROM payment_record WHERE order_no = %s", dup) == [("refunded",)]
    rc, out, diffs, runs = scratch.books(day())
    assert rc == 0 and diffs == set(), out
    assert scratch.sql("SELECT kind, count(*) FROM books_bill_line WHERE run_id = %s GROUP BY 1 ORDER BY 1",
                       runs[0][0]) == [("payment", 3), ("refund", 2)]
    # renumbered on our side: WeChat's refund is unknown here, ours is unknown there
    orig = scratch.sql("SELECT out_refund_no FROM payment_exception WHERE reason = 'wrong_amount'")[0][0]
    scratch.sql("UPDATE payment_exception SET out_refund_no = 'RE0RENUMBERED' WHERE reason = 'wrong_amount'")
    rc, out, diffs, _ = scratch.books(day())
    assert rc == 1 and diffs == {("bill_missing_ours", orig), ("bill_missing_theirs", "RE0RENUMBERED")}, out


# ---- differences, by name ---------------------------------------------------------------

def test_tampered_amount_status_and_a_missing_refund_are_seen_by_name(scratch):
    camp = scratch.camp()
    nos = scratch.paid_orders(camp, 4)
    scratch.refund(nos[0])
    assert scratch.books(day())[0] == 0
    # one amount: the camp's received counter is a fen off
    scratch.sql("UPDATE training_camp SET paid_amount = paid_amount + 0.01 WHERE id = %s", camp)
    # one status: a payment says refunded, but nothing was refunded
    scratch.sql("UPDATE payment_record SET pay_status = 'refunded' WHERE order_no = %s", nos[1])
    # one refund we never made: someone refunded in the merchant platform by hand
    rf = "MANUAL" + secrets.token_hex(6)
    r = pay_request("POST", "/v3/refund/domestic/refunds", {
        "out_trade_no": nos[2], "out_refund_no": rf,
        "amount": {"refund": 9900, "total": 9900, "currency": "CNY"}})
    assert r.status_code == 200, r.text

    rc, out, diffs, runs = scratch.books(day())
    assert rc == 1
    assert diffs == {("camp_balance", str(camp)), ("refunded_status", nos[1]),
                     ("bill_missing_ours", rf)}, out
    lines = [ln for ln in out.splitlines() if ln.split(" ")[0] in
             ("camp_balance", "refunded_status", "bill_missing_ours")]
    assert sorted(lines) == sorted([
        f"camp_balance camp {camp}: recorded 297.01, expected 297.00",
        f"refunded_status {nos[1]}: payment 0.00, refunds 0.00 (refunded / success)",
        f"bill_missing_ours {rf}: ours -, wechat 99.00 (- / {lines_state(out, rf)})",
    ]), out
    # one staff alert for the day, however often the books run
    scratch.books(day())
    assert scratch.sql("SELECT count(*), min(dedupe_key) FROM notification_message"
                       " WHERE message_type = 'books_mismatch'") == [(1, f"books:{day()}")]


def lines_state(out, ref):
    """The bill's refund state printed for ref (PROCESSING or SUCCESS, depending on timing)."""
    m = re.search(re.escape(ref) + r": .* \(- / (\w+)\)", out)
    assert m and m.group(1) in ("PROCESSING", "SUCCESS"), out
    return m.group(1)


def test_bill_comparison_through_camp_sim(scratch):
    camp = scratch.camp()
    ok_no, wrong_no = scratch.paid_orders(camp, 2)
    # WeChat has a payment we never heard of
    theirs = "XX" + secrets.token_hex(10)
    assert new_order(no=theirs, total=1234, kind="native")[1].status_code == 200
    assert sim_post(f"/sim/wechatpay/orders/{theirs}/pay").status_code == 200
    # we have a payment WeChat never made (with its member and counters, so only the bill differs)
    ours = "BK" + secrets.token_hex(10)
    mid = scratch.sql("INSERT INTO camp_member (camp_id, filled_wechat_nickname, paid, paid_at)"
                      " VALUES (%s, '无中生有', true, now()) RETURNING id", camp)[0][0]
    scratch.sql("INSERT INTO payment_record (order_no, camp_id, member_id, pay_amount, pay_status, pay_time,"
                " trade_type, wechat_transaction_id, bind_status) VALUES (%s, %s, %s, 99, 'success', now(),"
                " 'NATIVE', %s, 'pending')", ours, camp, mid, "4200" + secrets.token_hex(12))
    scratch.sql("UPDATE training_camp SET member_count = member_count + 1, paid_amount = paid_amount + 99"
                " WHERE id = %s", camp)
    # and one amount is a fen off (the camp's counter follows, so only the bill differs)
    scratch.sql("UPDATE payment_record SET pay_amount = 98.99 WHERE order_no = %s", wrong_no)
    scratch.sql("UPDATE training_camp SET paid_amount = paid_amount - 0.01 WHERE id = %s", camp)

    rc, out, diffs, runs = scratch.books(day())
    assert rc == 1
    assert diffs == {("bill_missing_ours", theirs), ("bill_missing_theirs", ours),
                     ("bill_amount", wrong_no)}, out
    assert runs[0][4:] == (0, 3)
    assert f"bill_amount {wrong_no}: ours 98.99, wechat 99.00 (success / SUCCESS)" in out
    assert f"bill_missing_ours {theirs}: ours -, wechat 12.34 (- / SUCCESS)" in out
    assert f"bill_missing_theirs {ours}: ours 99.00, wechat - (success / -)" in out
    assert ok_no not in out


def test_invariants_each_by_name(scratch):
    """Every invariant check fires on its own breakage, and only there."""
    camp = scratch.camp()
    a, b, c, d = scratch.paid_orders(camp, 4)
    scratch.refund(a)
    assert scratch.books(day())[0] == 0
    # payment_owner: money on an order whose member is not paid, and no exception for it
    scratch.sql("UPDATE camp_member SET paid = false WHERE id = (SELECT member_id FROM payment_record"
                " WHERE order_no = %s)", b)
    # member_count (the counter no longer matches after the member above) — and a second
    # camp whose counter alone is wrong
    other = scratch.camp()
    scratch.sql("UPDATE training_camp SET member_count = 2 WHERE id = %s", other)
    # refunded_status: 1.00 refunded by hand, and the payment does not say so
    scratch.sql("INSERT INTO refund_record (camp_id, member_id, payment_id, refund_amount, refund_status,"
                " audit_status) SELECT camp_id, member_id, id, 1, 'refunded_offline', 'approved'"
                " FROM payment_record WHERE order_no = %s", c)
    # live_attempts: a second live attempt (what the unique index exists to prevent)
    scratch.sql("DROP INDEX uq_rr_live_attempt")
    scratch.sql("INSERT INTO refund_record (camp_id, member_id, payment_id, refund_amount, refund_status,"
                " audit_status) SELECT camp_id, member_id, id, pay_amount, 'approved', 'approved'"
                " FROM payment_record WHERE order_no = %s", a)
    scratch.sql("INSERT INTO refund_record (camp_id, member_id, payment_id, refund_amount, refund_status,"
                " audit_status) SELECT camp_id, member_id, id, pay_amount, 'approved', 'approved'"
                " FROM payment_record WHERE order_no = %s", d)
    rc, out, diffs, _ = scratch.books(day())
    assert rc == 1
    assert diffs == {
        ("payment_owner", b),
        ("member_count", str(camp)), ("member_count", str(other)),
        ("camp_balance", str(camp)),        # b's 99.00 is still in the camp's counters
        ("refunded_status", c),             # 1.00 refunded by hand, the payment says nothing
        ("live_attempts", a),               # a succeeded, and a new attempt is approved
    }, out
    # c's refunds total 1.00 ≤ 99.00, so refund_total is quiet; now they exceed the payment
    scratch.sql("ALTER TABLE refund_record DISABLE TRIGGER trg_refund_record_amount")
    scratch.sql("UPDATE refund_record SET refund_amount = 150 WHERE payment_id = (SELECT id FROM"
                " payment_record WHERE order_no = %s)", c)
    rc, out, diffs, _ = scratch.books(day())
    assert ("refund_total", c) in diffs
    assert f"refund_total {c}: refunded 150.00, paid 99.00" in out


def test_a_bill_that_cannot_be_fetched_is_not_green_and_is_retried(scratch):
    past = day(-3)
    assert sim_post("/sim/faults", {"service": "wechatpay", "mode": "500", "count": 1}).status_code == 200
    rc, out, diffs, runs = scratch.books(past)
    assert rc == 1 and diffs == set()
    assert runs[0][1:4] == (past, "failed", False)
    assert f"bill {past}: not compared: failed" in out
    # the nightly job tries that day again, then the newest bill
    r = scratch.ctl("job", "run", "books")
    assert r.returncode == 0, r.stderr
    runs = scratch.sql("SELECT bill_date::text, bill_status, trigger FROM books_run ORDER BY id")
    hour = time.gmtime(time.time() + 8 * 3600).tm_hour
    assert runs[1:] == [(past, "empty", "job"), (day(-1 if hour >= 10 else -2), "empty", "job")]
    assert scratch.ctl("books", "--date", "2026-13-01").returncode == 2


# ---- /admin/books and the 工作台 card (the main test database) ---------------------------

@pytest.fixture
def stored_run():
    conn = psycopg2.connect(dsn())
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("INSERT INTO books_run (bill_date, trigger, started_at, finished_at, bill_status, bill_lines,"
                " bill_paid_fen, bill_refund_fen, invariant_diffs, bill_diffs, ok)"
                " VALUES ('2099-12-31', 'job', now(), now(), 'compared', 2, 19800, 0, 1, 1, false)"
                " RETURNING id")
    run = cur.fetchone()[0]
    cur.execute("INSERT INTO books_difference (run_id, check_name, ref_kind, ref_no, left_value, right_value,"
                " unit, left_state, right_state, detail) VALUES"
                " (%s, 'bill_amount', 'order', 'CDPAGE0001', 9899, 9900, 'fen', 'success', 'SUCCESS',"
                "  '支付金额与微信账单不符'),"
                " (%s, 'member_count', 'camp', '77', 5, 4, 'count', NULL, NULL, '=HYPERLINK(\"x\")')",
                (run, run))
    yield run
    cur.execute("DELETE FROM books_difference WHERE run_id = %s", (run,))
    cur.execute("DELETE FROM books_run WHERE id = %s", (run,))
    conn.close()


def admin_session():
    s = new_session()
    assert login(s, "admin", admin_password()).status_code == 303
    return s


def test_books_page_lists_days_and_shows_differences(stored_run):
    s = admin_session()
    r = s.get(HTTP + "/admin/books", timeout=10)
    assert r.status_code == 200 and "2099-12-31" in r.text and "有差异" in r.text
    r = s.get(HTTP + "/admin/books", params={"date": "2099-12-31"}, timeout=10)
    assert r.status_code == 200
    assert "CDPAGE0001" in r.text and "¥98.99" in r.text and "¥99.00" in r.text
    assert "金额不符" in r.text and "报名人数不符" in r.text and "训练营 #77" in r.text
    csv = s.get(HTTP + "/admin/books", params={"date": "2099-12-31", "format": "csv"}, timeout=10)
    assert csv.status_code == 200 and csv.headers["Content-Type"].startswith("text/csv")
    body = csv.content.decode("utf-8")
    assert body.startswith("\ufeff\"账单日\"")
    assert '"2099-12-31","金额不符","bill_amount","CDPAGE0001"' in body
    assert "\"'=HYPERLINK" in body, "a formula in a cell is defused"
    # a day never checked, and nonsense, are pages, not errors
    r = s.get(HTTP + "/admin/books", params={"date": "2098-01-01"}, timeout=10)
    assert r.status_code == 200 and "还没有对账记录" in r.text
    r = s.get(HTTP + "/admin/books", params={"date": "2099-13-01", "from": "x", "to": "2000-01-01"}, timeout=10)
    assert r.status_code == 200 and "请输入有效日期" in r.text
    # the 工作台 card: the newest day has differences
    home = s.get(HTTP + "/admin/", timeout=10).text
    assert "对账" in home and "发现 2 处差异" in home and "/admin/books?date=2099-12-31" in home


def test_books_page_is_for_admins_and_managers(stored_run):
    for role, want in (("manager", 200), ("coach", 403), ("volunteer", 403)):
        name, pw = add_user(role)
        s = new_session()
        assert login(s, name, pw).status_code == 303
        assert s.get(HTTP + "/admin/books", timeout=10).status_code == want, role
        home = s.get(HTTP + "/admin/", timeout=10).text
        assert ("/admin/books?date=" in home) == (role == "manager"), role
