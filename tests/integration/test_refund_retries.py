"""test_refund_retries.py: refund attempts against WeChat's real behaviour — PROCESSING for days,
polling glitches, late outcomes, NOT_ENOUGH, two staff at once (issue #14 holes 4 and 9,
issue #13 NOT_ENOUGH)."""
import base64
import json
import re
import secrets
import threading
import time

import psycopg2
import requests
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from conftest import CA, HTTPS, SIM, dsn
from paylib import sql
from simlib import openssl_sign, settings, STATE
from test_refunds import (admin, fault, finished_camp, no_faults, post, propose, refund_creates,
                          run_refunds, status_of, wait_status)

assert no_faults  # autouse: every test starts and ends with camp-sim's faults cleared


def approved(camp, mid):
    rid = propose(camp)[mid][0]
    sql("UPDATE refund_record SET refund_status = 'approved', audit_status = 'approved' WHERE id = %s", rid)
    return rid


def due_now(rid):
    sql("UPDATE refund_record SET next_retry_at = NULL WHERE id = %s", rid)


def row(rid):
    return sql("SELECT refund_status, retry_count, wechat_status, failure_reason, out_refund_no"
               " FROM refund_record WHERE id = %s", rid)[0]


def refund_delay(ms):
    r = requests.post(SIM + "/sim/wechatpay/refund-delay", json={"ms": ms}, timeout=5)
    assert r.status_code == 200, r.text


def failed_alerts(mid):
    return sql("SELECT count(*) FROM notification_message WHERE message_type = 'refund_failed'"
               " AND member_id = %s", mid)[0][0]


def refund_callback(out_refund_no, status, pid):
    """A REFUND.<status> callback signed and encrypted as WeChat sends it (PROTOCOLS §1.5)."""
    st = settings()
    order_no, txn, amount = sql("SELECT order_no, wechat_transaction_id, (pay_amount * 100)::int"
                                " FROM payment_record WHERE id = %s", pid)[0]
    plain = {"mchid": st["wechat.pay_merchant_id"], "out_trade_no": order_no, "transaction_id": txn,
             "refund_id": "50" + secrets.token_hex(10), "out_refund_no": out_refund_no,
             "refund_status": status, "user_received_account": "支付用户零钱",
             "amount": {"total": amount, "refund": amount, "payer_total": amount, "payer_refund": amount}}
    if status == "SUCCESS":
        plain["success_time"] = time.strftime("%Y-%m-%dT%H:%M:%S+08:00", time.gmtime(time.time() + 8 * 3600))
    nonce = secrets.token_hex(6)
    ct = AESGCM(st["wechat.pay_key"].encode()).encrypt(nonce.encode(), json.dumps(plain).encode(), b"refund")
    env = {"id": "EV-" + secrets.token_hex(6), "create_time": "2026-11-22T10:00:00+08:00",
           "event_type": "REFUND." + status, "resource_type": "encrypt-resource", "summary": "退款结果",
           "resource": {"algorithm": "AEAD_AES_256_GCM", "ciphertext": base64.b64encode(ct).decode(),
                        "associated_data": "refund", "original_type": "refund", "nonce": nonce}}
    body = json.dumps(env, separators=(",", ":")).encode()
    ts, n = str(int(time.time())), secrets.token_hex(16)
    sig = openssl_sign(f"{ts}\n{n}\n".encode() + body + b"\n", STATE + "/wechatpay_private.pem")
    return requests.post(HTTPS + "/pay/wechat/refund-notify", data=body, verify=CA, timeout=10,
                         headers={"Content-Type": "application/json", "Wechatpay-Timestamp": ts,
                                  "Wechatpay-Nonce": n, "Wechatpay-Signature": sig,
                                  "Wechatpay-Serial": st["wechat.pay_public_key_id"]})


# ---- hole 4: consecutive failures only, and never fail what WeChat still processes -------

def test_glitches_spread_over_a_long_processing_never_fail_the_refund():
    camp, ms = finished_camp(("890101", 15, 100))
    mid, pid, no = ms[0]
    rid = approved(camp, mid)
    refund_delay(3_600_000)               # WeChat keeps it PROCESSING (it may for days)
    try:
        run_refunds()
        assert row(rid)[:3] == ("processing", 0, "PROCESSING")
        # two earlier polling glitches, then a good answer: the count starts again
        sql("UPDATE refund_record SET retry_count = 2 WHERE id = %s", rid)
        due_now(rid)
        run_refunds()
        assert row(rid)[:3] == ("processing", 0, "PROCESSING")
        # WeChat accepted it and says PROCESSING: glitches in a row never fail it
        fault("500", 100)
        for _ in range(5):
            due_now(rid)
            run_refunds()
        fault("ok")
        st, retries, wx, reason, _ = row(rid)
        assert (st, wx) == ("processing", "PROCESSING"), (st, retries, reason)
        assert failed_alerts(mid) == 0
        assert sql("SELECT next_retry_at > now() FROM refund_record WHERE id = %s", rid)[0][0]
    finally:
        refund_delay(2000)


def test_a_late_success_applies_to_a_failed_attempt():
    camp, ms = finished_camp(("890201", 15, 100))
    mid, pid, no = ms[0]
    rid = approved(camp, mid)
    # what the old code did: the attempt was given up while WeChat was still on it
    sql("UPDATE refund_record SET refund_status = 'failed', out_refund_no = 'RF' || id || 'N1',"
        " failure_reason = '重试 3 次仍未成功' WHERE id = %s", rid)
    r = refund_callback(f"RF{rid}N1", "SUCCESS", pid)
    assert r.status_code in (200, 204)
    assert status_of(rid) == "success"
    assert sql("SELECT pay_status, refunded_amount::text FROM payment_record WHERE id = %s", pid)[0] == \
        ("refunded", "99.00")
    assert sql("SELECT refunded_amount::text FROM training_camp WHERE id = %s", camp)[0][0] == "99.00"
    # a redelivery changes nothing
    refund_callback(f"RF{rid}N1", "SUCCESS", pid)
    assert sql("SELECT refunded_amount::text FROM training_camp WHERE id = %s", camp)[0][0] == "99.00"


def test_a_late_close_applies_to_a_failed_attempt():
    camp, ms = finished_camp(("890301", 15, 100))
    mid, pid, no = ms[0]
    rid = approved(camp, mid)
    sql("UPDATE refund_record SET refund_status = 'failed', out_refund_no = 'RF' || id || 'N1'"
        " WHERE id = %s", rid)
    assert refund_callback(f"RF{rid}N1", "CLOSED", pid).status_code in (200, 204)
    assert status_of(rid) == "closed"
    # now a new attempt may be started
    s = admin()
    assert post(s, f"/admin/refunds/{rid}/retry", action="attempt").status_code == 303


# ---- issue #13: NOT_ENOUGH waits, with one alert per batch ----------------------------

def not_enough_alerts(since):
    return sql("SELECT recipient_id, content FROM notification_message WHERE message_type = 'refund_not_enough'"
               " AND id > %s", since)


def test_not_enough_waits_and_retries_with_the_same_number_and_alerts_once():
    camp, ms = finished_camp(("890401", 15, 100), ("890402", 15, 100), ("890403", 15, 100))
    props = propose(camp)
    rids = [props[m][0] for m, _, _ in ms]
    mark = sql("SELECT COALESCE(max(id), 0) FROM notification_message")[0][0]
    # the balance is low before the three are approved together: whichever run of the
    # refunds job takes them (camp-worker's minute or ours) meets NOT_ENOUGH for all three
    fault("not-enough", 50)
    sql("UPDATE refund_record SET refund_status = 'approved', audit_status = 'approved' WHERE id = ANY(%s)", rids)
    run_refunds()
    fault("ok")
    for rid in rids:
        st, retries, wx, reason, out_no = row(rid)
        assert (st, retries) == ("processing", 0) and "余额不足" in reason, (st, retries, reason)
        # it waits: not due again for a while
        assert sql("SELECT next_retry_at > now() + interval '10 minutes' FROM refund_record WHERE id = %s",
                   rid)[0][0]
    # one alert for the batch (not one per refund): each recipient got one naming them all
    alerts = not_enough_alerts(mark)
    batch = [r for r, c in alerts if re.search(r"商户可用余额不足，([3-9]|\d\d+) 笔退款等待中", c)]
    assert batch and len(batch) == len(set(batch)), alerts
    assert all(failed_alerts(m) == 0 for m, _, _ in ms)
    # the balance is topped up: the same out_refund_no goes through
    for rid in rids:
        due_now(rid)
    run_refunds()
    for (mid, pid, no), rid in zip(ms, rids):
        wait_status(rid, "success")
        nos = [n for n, _ in refund_creates(no)]
        assert len(set(nos)) == 1 and len(nos) == 2, nos          # refused once, then accepted
    assert sql("SELECT refunded_amount::text FROM training_camp WHERE id = %s", camp)[0][0] == "297.00"


# ---- hole 9: two staff on one CLOSED refund, and execution over a covered payment ---------

def closed_refund(planet):
    camp, ms = finished_camp((planet, 15, 100))
    mid, pid, no = ms[0]
    rid = propose(camp)[mid][0]
    sql("UPDATE refund_record SET refund_status = 'closed', audit_status = 'approved',"
        " out_refund_no = 'RF' || id || 'N1', wechat_status = 'CLOSED' WHERE id = %s", rid)
    return camp, mid, pid, rid


def waiting_on_lock(conn, pattern):
    cur = conn.cursor()
    cur.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                " AND query LIKE %s AND pid <> pg_backend_pid()", (pattern,))
    return cur.fetchone()[0]


def test_new_attempt_and_offline_at_once_only_one_passes():
    camp, mid, pid, rid = closed_refund("890501")
    s = admin()
    out = {}
    # staff A starts a new attempt (this connection plays it, holding the row lock) …
    a = psycopg2.connect(dsn())
    try:
        cur = a.cursor()
        cur.execute("SELECT id FROM refund_record WHERE id = %s FOR UPDATE", (rid,))
        cur.execute("INSERT INTO refund_record (camp_id, member_id, payment_id, refund_amount, refund_status,"
                    " audit_status, attempt) SELECT camp_id, member_id, payment_id, refund_amount, 'approved',"
                    " 'approved', attempt + 1 FROM refund_record WHERE id = %s", (rid,))
        # … while staff B marks it refunded offline
        t = threading.Thread(target=lambda: out.setdefault(
            "r", post(s, f"/admin/refunds/{rid}/retry", action="offline")))
        t.start()
        w = psycopg2.connect(dsn())
        w.autocommit = True
        deadline = time.time() + 10
        while time.time() < deadline and waiting_on_lock(w, "%refund_record%") == 0:
            time.sleep(0.05)
        w.close()
    finally:
        a.commit()
        a.close()
    t.join()
    assert out["r"].status_code == 409, out["r"].status_code
    assert status_of(rid) == "closed"
    assert sql("SELECT refunded_amount::text FROM payment_record WHERE id = %s", pid)[0][0] == "0.00"


def test_execution_refuses_a_payment_already_refunded():
    camp, mid, pid, rid = closed_refund("890601")
    s = admin()
    assert post(s, f"/admin/refunds/{rid}/retry", action="offline").status_code == 303
    # a stale new attempt (what the race above used to leave behind)
    nid = sql("INSERT INTO refund_record (camp_id, member_id, payment_id, refund_amount, refund_status,"
              " audit_status, attempt) SELECT camp_id, member_id, payment_id, refund_amount, 'approved',"
              " 'approved', attempt + 1 FROM refund_record WHERE id = %s RETURNING id", rid)[0][0]
    no = sql("SELECT order_no FROM payment_record WHERE id = %s", pid)[0][0]
    run_refunds()
    assert refund_creates(no) == []               # nothing was sent to WeChat
    st, _, _, reason, _ = row(nid)
    assert st == "failed" and "已全额退款" in reason, (st, reason)
    assert sql("SELECT pay_status, refunded_amount::text FROM payment_record WHERE id = %s", pid)[0] == \
        ("refunded", "99.00")
