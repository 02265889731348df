"""test_pay_fast_path.py: a callback paying a pending order in full is one statement (issue #18) —
it writes everything the locked path writes, its audit row included, once; whatever it cannot
apply still goes the locked way."""
import json
import secrets

import pytest

from paylib import (enroll, envelope, exceptions, h5, make_camp, order_no_of, post_callback, sql,
                    transaction)


def planet_id():
    return "6" + "".join(str(secrets.randbelow(10)) for _ in range(14))


def rows_of(no):
    pay = sql("SELECT p.id, p.pay_status, p.bind_status, p.bind_method, p.wechat_transaction_id, m.paid,"
              " p.pay_time IS NOT NULL, p.bind_deadline IS NULL FROM payment_record p"
              " JOIN camp_member m ON m.id = p.member_id WHERE p.order_no = %s", no)[0]
    pid = pay[0]
    logs = {
        "order": sql("SELECT from_status, to_status, event, extra_data FROM order_status_log"
                     " WHERE order_id = %s AND event = 'PAY_SUCCESS'", pid),
        "bind": sql("SELECT to_status, event, extra_data FROM payment_bind_log WHERE payment_id = %s", pid),
        "member": sql("SELECT l.from_status, l.to_status, l.event, l.extra_data FROM member_status_log l"
                      " JOIN payment_record p ON p.member_id = l.member_id WHERE p.id = %s AND l.event = 'PAY'", pid),
        "txn": sql("SELECT payment_id, trade_state, amount_total, source FROM payment_transaction"
                   " WHERE out_trade_no = %s", no),
        "audit": sql("SELECT action_type, action_detail, payment_id, request_sealed IS NOT NULL, error_message"
                     " FROM payment_audit_log WHERE action_detail = %s AND action_type LIKE 'NOTIFY%%' ORDER BY id", no),
    }
    return pay, logs


def attach_of(no):
    return sql("SELECT attach FROM payment_record WHERE order_no = %s", no)[0][0]


@pytest.mark.parametrize("attach", ["the order's own", "none"])
def test_a_full_payment_writes_every_row_once_with_its_audit(attach):
    cid = make_camp(deposit="88.00")
    before = sql("SELECT member_count, paid_amount FROM training_camp WHERE id = %s", cid)[0]
    no = order_no_of(enroll(h5(), cid, planet_id()))
    # WeChat echoes the attach we gave the order (its ids spare the statement a read, issue #18);
    # an order placed before the ids were in it has none of them
    t = transaction(no, 8800, attach=attach_of(no) if attach != "none" else "")
    r = post_callback(envelope(t))
    assert r.status_code in (200, 204), r.text
    pay, logs = rows_of(no)
    assert pay[1:] == ("success", "completed", "h5_bindplanet", t["transaction_id"], True, True, True)
    assert [x[:3] for x in logs["order"]] == [("pending", "success", "PAY_SUCCESS")]
    assert logs["order"][0][3] == {"source": "notify"}
    assert logs["bind"] == [("completed", "CREATE_WITH_ATTACH", {"method": "h5_bindplanet"})]
    assert logs["member"] == [("enrolled", "paid", "PAY", {"order_no": no})]
    assert logs["txn"] == [(pay[0], "SUCCESS", 8800, "notify")]
    assert logs["audit"] == [("NOTIFY_APPLIED", no, None, True, None)]
    # one transaction: the order, its member, the logs and the audit row were written together
    same = sql("SELECT count(DISTINCT x) FROM (SELECT p.xmin::text AS x FROM payment_record p WHERE p.order_no = %s"
               " UNION ALL SELECT a.xmin::text FROM payment_audit_log a WHERE a.action_detail = %s"
               "  AND a.action_type = 'NOTIFY_APPLIED'"
               " UNION ALL SELECT t.xmin::text FROM payment_transaction t WHERE t.out_trade_no = %s) s",
               no, no, no)[0][0]
    assert same == 1
    after = sql("SELECT member_count, paid_amount FROM training_camp WHERE id = %s", cid)[0]
    assert after[0] == before[0] + 1 and after[1] == before[1] + 88
    # the same callback again: a duplicate, nothing more written but its own audit row
    assert post_callback(envelope(t)).status_code in (200, 204)
    pay2, logs2 = rows_of(no)
    assert pay2 == pay and logs2["txn"] == logs["txn"] and logs2["order"] == logs["order"]
    assert [a[0] for a in logs2["audit"]] == ["NOTIFY_APPLIED", "NOTIFY_DUPLICATE"]
    assert sql("SELECT member_count FROM training_camp WHERE id = %s", cid)[0][0] == after[0]


def test_pay_later_orders_get_their_bind_deadline():
    cid = make_camp()
    no = order_no_of(enroll(h5(), cid, later=True))
    assert post_callback(envelope(transaction(no, 9900))).status_code in (200, 204)
    pay, logs = rows_of(no)
    assert pay[1:4] == ("success", "pending", None) and pay[7] is False   # a deadline to bind by
    assert logs["bind"] == [("pending", "CREATE_WITHOUT_ATTACH", {"method": "user_fill"})]


def test_what_one_statement_cannot_apply_goes_the_locked_way():
    cid = make_camp()
    no = order_no_of(enroll(h5(), cid, planet_id()))
    r = post_callback(envelope(transaction(no, 1)))               # not the order's amount
    assert r.status_code in (200, 204)
    assert exceptions(no) == ["wrong_amount"]
    pay, logs = rows_of(no)
    assert pay[1] == "failed" and logs["order"] == [] and logs["member"] == []
    assert [a[0] for a in logs["audit"]] == ["NOTIFY_EXCEPTION"]
    assert json.dumps(logs["txn"])                                 # the transaction is on record


def test_an_enrolment_order_carries_its_camp_member_and_row_in_its_attach():
    cid = make_camp()
    no = order_no_of(enroll(h5(), cid, planet_id()))
    pid, mid, attach = sql("SELECT id, member_id, attach FROM payment_record WHERE order_no = %s", no)[0]
    assert json.loads(attach) == {"c": cid, "m": mid, "p": pid}
    assert len(attach.encode()) <= 128


def test_an_attach_naming_another_row_pays_only_the_order_the_callback_names():
    """The attach is a hint: a callback whose attach names another pending order (a text mangled
    somewhere) still pays the order of its out_trade_no, and only that one."""
    cid = make_camp()
    a = order_no_of(enroll(h5(), cid, planet_id()))
    b = order_no_of(enroll(h5(), cid, planet_id()))
    t = transaction(a, 9900, attach=attach_of(b))
    assert post_callback(envelope(t)).status_code in (200, 204)
    pay_a, logs_a = rows_of(a)
    pay_b, logs_b = rows_of(b)
    assert pay_a[1] == "success" and pay_a[4] == t["transaction_id"] and pay_a[5] is True
    assert logs_a["txn"] == [(pay_a[0], "SUCCESS", 9900, "notify")]
    assert pay_b[1] == "pending" and pay_b[4] is None and pay_b[5] is False
    assert logs_b["order"] == [] and logs_b["member"] == [] and logs_b["txn"] == []
    # a member or row id that is no order of ours: the same
    for bad in ('{"c":%d,"m":%d,"p":999999999}' % (cid, 1), '{"c":1,"m":999999999,"p":1}'):
        no = order_no_of(enroll(h5(), cid, planet_id()))
        assert post_callback(envelope(transaction(no, 9900, attach=bad))).status_code in (200, 204)
        assert rows_of(no)[0][1] == "success"


# --- issue #17: the one statement writes only sealed payment data -------------------------------
def test_the_one_statement_seals_the_openid_and_the_callback_for_their_rows():
    from sealing import index, open_sealed
    cid = make_camp()
    no = order_no_of(enroll(h5(), cid, planet_id()))
    payer = "oFast" + secrets.token_hex(10)
    t = transaction(no, 9900, payer={"openid": payer})
    assert post_callback(envelope(t)).status_code in (200, 204)
    pid, mid, sealed, idx, callback = sql("SELECT id, member_id, openid_sealed, openid_index, callback_sealed"
                                          " FROM payment_record WHERE order_no = %s", no)[0]
    # the fast path it was: the audit row came in the payment's own transaction
    assert rows_of(no)[1]["audit"] == [("NOTIFY_APPLIED", no, None, True, None)]
    assert sql("SELECT count(DISTINCT x) FROM (SELECT xmin::text AS x FROM payment_record WHERE id = %s"
               " UNION ALL SELECT xmin::text FROM payment_audit_log WHERE action_detail = %s"
               "  AND action_type = 'NOTIFY_APPLIED') s", pid, no)[0][0] == 1
    assert open_sealed(f"payment_record.openid#{pid}", sealed) == payer and idx == index(payer)
    assert json.loads(open_sealed(f"payment_record.callback_data#{pid}", callback))["payer"]["openid"] == payer
    msealed, midx = sql("SELECT openid_sealed, openid_index FROM camp_member WHERE id = %s", mid)[0]
    assert open_sealed(f"camp_member.openid#{mid}", msealed) == payer and midx == idx
    tsealed, raw = sql("SELECT openid_sealed, raw_sealed FROM payment_transaction WHERE transaction_id = %s",
                       t["transaction_id"])[0]
    assert open_sealed(f"payment_transaction.openid#{t['transaction_id']}", tsealed) == payer
    assert json.loads(open_sealed(f"payment_transaction.raw#{t['transaction_id']}", raw))["out_trade_no"] == no
    req = sql("SELECT request_sealed FROM payment_audit_log WHERE action_detail = %s"
              " AND action_type = 'NOTIFY_APPLIED'", no)[0][0]
    assert open_sealed("payment_audit_log.request_data#0/NOTIFY_APPLIED", req) is not None
    # and nothing of it in plain text
    for table in ("payment_record", "camp_member", "payment_transaction", "payment_audit_log"):
        assert sql(f"SELECT count(*) FROM {table} t WHERE t::text LIKE %s", f"%{payer}%")[0][0] == 0, table
# --- end issue #17 ---
