"""test_reconcile.py: reconcile-payments applies lost callbacks and closes expired orders."""
import secrets

from conftest import campctl
from paylib import make_camp, pay_row, sim_pay, sql
from simlib import new_order


def pending(cid, expired=False):
    """A pending order whose callback can never arrive (notify_url on a dead port)."""
    no = "CPREC" + secrets.token_hex(8)
    mid = sql("INSERT INTO camp_member (camp_id, filled_planet_nickname, filled_planet_user_id,"
              " filled_wechat_nickname) VALUES (%s, '对账', %s, '对账') RETURNING id",
              cid, "7" + str(secrets.randbelow(10 ** 14)).zfill(14))[0][0]
    sql("INSERT INTO payment_record (order_no, camp_id, member_id, pay_amount, trade_type, time_expire,"
        " created_at) VALUES (%s, %s, %s, 99, 'NATIVE', now() + %s::interval, now() - interval '40 minutes')",
        no, cid, mid, "-5 minutes" if expired else "25 minutes")
    body, r = new_order(no=no, total=9900, kind="native")
    assert r.status_code == 200, r.text
    return no, mid


def run_job():
    r = campctl("job", "run", "reconcile-payments", check=False)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_lost_callback_is_applied_by_the_query():
    cid = make_camp()
    no, mid = pending(cid)
    sim_pay(no)                      # the callback goes to a dead port: lost
    assert pay_row(no)[0] == "pending"
    out = run_job()
    assert '"applied":' in out
    status, bind, method, paid, txn = pay_row(no)
    assert (status, paid) == ("success", True) and txn
    rows = sql("SELECT source FROM payment_transaction WHERE transaction_id = %s", txn)
    assert rows == [("query",)]
    run_job()                        # a second run changes nothing
    assert sql("SELECT member_count FROM training_camp WHERE id = %s", cid)[0][0] == 1


def test_expired_unpaid_order_is_queried_then_closed():
    cid = make_camp()
    no, mid = pending(cid, expired=True)
    run_job()
    assert sql("SELECT pay_status FROM payment_record WHERE order_no = %s", no)[0][0] == "closed"
    assert sql("SELECT deleted_at IS NOT NULL FROM camp_member WHERE id = %s", mid)[0][0] is True
    actions = [r[0] for r in sql("SELECT action_type FROM payment_audit_log a JOIN payment_record p"
                                 " ON p.id = a.payment_id WHERE p.order_no = %s ORDER BY a.id", no)]
    assert actions[-2:] == ["QUERY", "CLOSE"]
    events = [r[0] for r in sql("SELECT event FROM order_status_log o JOIN payment_record p ON p.id = o.order_id"
                                " WHERE p.order_no = %s", no)]
    assert "CANCEL" in events


def test_order_unknown_to_wechat_is_closed_when_expired():
    cid = make_camp()
    no = "CPGONE" + secrets.token_hex(6)
    mid = sql("INSERT INTO camp_member (camp_id, filled_wechat_nickname) VALUES (%s, 'x') RETURNING id", cid)[0][0]
    sql("INSERT INTO payment_record (order_no, camp_id, member_id, pay_amount, trade_type, time_expire,"
        " created_at) VALUES (%s, %s, %s, 99, 'NATIVE', now() - interval '1 minute', now() - interval '40 minutes')",
        no, cid, mid)
    run_job()
    assert sql("SELECT pay_status FROM payment_record WHERE order_no = %s", no)[0][0] == "closed"


def test_wecom_bills_are_imported_as_pending_bind_payments():
    import requests
    from conftest import HTTP, SIM
    from paylib import csrf, h5
    payee = "payee_" + secrets.token_hex(4)
    cid = make_camp()
    sql("UPDATE training_camp SET wechat_pay_code_id = %s WHERE id = %s", payee, cid)
    good = requests.post(SIM + "/sim/wechatpay/bills", json={"payee_userid": payee, "total_fee": 9900,
                                                            "remark": "押金"}, timeout=10).json()
    bad = requests.post(SIM + "/sim/wechatpay/bills", json={"payee_userid": payee, "total_fee": 100},
                        timeout=10).json()
    run_job()
    rows = sql("SELECT p.source, p.pay_status, p.bind_status, m.paid FROM payment_record p"
               " JOIN camp_member m ON m.id = p.member_id WHERE p.wechat_transaction_id = %s",
               good["transaction_id"])
    assert rows == [("wecom_bill", "success", "pending", True)]
    assert sql("SELECT reason FROM payment_exception WHERE transaction_id = %s", bad["transaction_id"]) == \
        [("wrong_amount",)]
    run_job()                                        # idempotent by transaction id
    assert sql("SELECT count(*) FROM payment_record WHERE camp_id = %s", cid)[0][0] == 1
    assert sql("SELECT member_count FROM training_camp WHERE id = %s", cid)[0][0] == 1
    # the member binds with the transaction id from the WeCom receipt
    b = h5()
    r = b.post(HTTP + "/h5/bind", data={"_csrf": csrf(b, "/h5/bind"), "order_no": good["transaction_id"],
                                         "planet_nickname": "企微", "planet_user_id": "77" + "1" * 13,
                                         "wechat_nickname": "企微"}, allow_redirects=False, timeout=10)
    assert r.status_code == 303
    assert sql("SELECT bind_status, bind_method FROM payment_record WHERE wechat_transaction_id = %s",
               good["transaction_id"]) == [("completed", "user_fill")]


# ---- issue #13: bills refunded in WeCom, bills of the older revision ------------------

def test_refunded_and_legacy_bills():
    import json
    import requests
    from conftest import SIM
    payee = "payee_" + secrets.token_hex(4)
    cid = make_camp()
    sql("UPDATE training_camp SET wechat_pay_code_id = %s WHERE id = %s", payee, cid)

    def bill(**kw):
        r = requests.post(SIM + "/sim/wechatpay/bills", json={"payee_userid": payee, "total_fee": 9900, **kw},
                          timeout=10)
        assert r.status_code == 200, r.text
        return r.json()["transaction_id"]
    legacy = bill(legacy=True)                                   # no bill_type: a payment
    full = bill(total_refund_fee=9900, trade_state=1)            # refunded in full in WeCom
    state3 = bill(trade_state=3)                                 # "done with refund"
    part = bill(total_refund_fee=1000, trade_state=1)            # refunded in part
    out = run_job()
    detail = json.loads(out.split("success ", 1)[1])
    assert detail["bills_imported"] >= 1 and detail["bills_refunded"] >= 2 and detail["bills_exceptions"] >= 1
    assert sql("SELECT source, pay_status FROM payment_record WHERE wechat_transaction_id = %s", legacy) == \
        [("wecom_bill", "success")]
    for tid in (full, state3):
        assert sql("SELECT count(*) FROM payment_record WHERE wechat_transaction_id = %s", tid)[0][0] == 0
        assert sql("SELECT count(*) FROM payment_exception WHERE transaction_id = %s", tid)[0][0] == 0
    assert sql("SELECT count(*) FROM payment_record WHERE wechat_transaction_id = %s", part)[0][0] == 0
    (reason, detail_text, amount), = sql("SELECT reason, detail, amount_fen FROM payment_exception"
                                         " WHERE transaction_id = %s", part)
    assert reason == "other" and "部分退款" in detail_text and "10.00" in detail_text and amount == 9900
    assert sql("SELECT member_count FROM training_camp WHERE id = %s", cid)[0][0] == 1
    run_job()                                                    # nothing twice
    assert sql("SELECT count(*) FROM payment_exception WHERE transaction_id = %s", part)[0][0] == 1
    assert sql("SELECT member_count FROM training_camp WHERE id = %s", cid)[0][0] == 1
