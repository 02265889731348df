"""test_exception_refunds.py: a payment exception's full refund that WeChat refuses ends — after 3
refusals it is failed with the reason, alerts once, and staff close it (issue #14, hole 8)."""
import json
import secrets

import pytest
import requests

from conftest import HTTP, SIM, add_user, campctl, csrf_of, login, new_session
from paylib import envelope, post_callback, sql, transaction


@pytest.fixture(autouse=True)
def one_recipient():
    """Alerts go to one admin here (the outbox is shared with the tests that follow)."""
    name, _ = add_user("admin")
    uid = sql("SELECT id FROM system_user WHERE username = %s", name)[0][0]
    campctl("config", "set", "notification.admin_users", json.dumps([uid]))
    yield uid
    campctl("config", "set", "notification.admin_users", "[]")


def refused_exception():
    """An unknown-order payment whose transaction WeChat does not know: every refund is refused."""
    no = "CPEXR" + secrets.token_hex(6)
    post_callback(envelope(transaction(no, 4321)))
    exc_id = sql("SELECT id FROM payment_exception WHERE out_trade_no = %s", no)[0][0]
    s = new_session()
    name, pw = add_user("manager")
    assert login(s, name, pw).status_code == 303
    page = s.get(HTTP + "/admin/payments/exceptions", timeout=10).text
    r = s.post(HTTP + f"/admin/payments/exceptions/{exc_id}/refund", data={"_csrf": csrf_of(page)},
               allow_redirects=False, timeout=10)
    assert r.status_code == 303
    return exc_id, s


def sim_calls(out_refund_no):
    log = requests.get(SIM + "/sim/log", timeout=10).json()
    return [e for e in log if "/v3/refund/domestic/refunds" in e.get("path", "") and
            (out_refund_no in e["path"] or (isinstance(e.get("request"), dict) and
                                            e["request"].get("out_refund_no") == out_refund_no))]


def alerts_for(exc_id, since):
    return sql("SELECT recipient_id FROM notification_message WHERE message_type = 'exception_refund_failed'"
               " AND id > %s AND content LIKE %s", since, f"%#{exc_id}%")


def run_refunds():
    return campctl("job", "run", "refunds", check=False)


def test_three_refusals_fail_the_exception_alert_once_and_stop_calling(one_recipient):
    exc_id, s = refused_exception()
    mark = sql("SELECT COALESCE(max(id), 0) FROM notification_message")[0][0]
    no = sql("SELECT out_refund_no FROM payment_exception WHERE id = %s", exc_id)[0][0]
    for _ in range(3):
        run_refunds()
    status, detail = sql("SELECT status, detail FROM payment_exception WHERE id = %s", exc_id)[0]
    assert status == "failed", (status, detail)
    assert "RESOURCE_NOT_EXISTS" in detail
    assert alerts_for(exc_id, mark) == [(one_recipient,)]
    calls = len(sim_calls(no))
    run_refunds()
    run_refunds()
    assert len(sim_calls(no)) == calls            # no more calls: the loop has ended
    assert alerts_for(exc_id, mark) == [(one_recipient,)]
    page = s.get(HTTP + "/admin/payments/exceptions?status=failed", timeout=10).text
    assert "退款失败" in page and f"/admin/payments/exceptions/{exc_id}/resolve" in page
    assert "已线下退款" in page


def test_a_failed_exception_is_closed_as_refunded_offline():
    exc_id, s = refused_exception()
    for _ in range(3):
        run_refunds()
    assert sql("SELECT status FROM payment_exception WHERE id = %s", exc_id)[0][0] == "failed"
    tok = csrf_of(s.get(HTTP + "/admin/payments/exceptions", timeout=10).text)
    r = s.post(HTTP + f"/admin/payments/exceptions/{exc_id}/resolve",
               data={"_csrf": tok, "outcome": "offline", "reason": "已通过企业微信转账退回"},
               allow_redirects=False, timeout=10)
    assert r.status_code == 303
    status, detail, by = sql("SELECT status, detail, resolved_by IS NOT NULL FROM payment_exception"
                             " WHERE id = %s", exc_id)[0]
    assert status == "refunded" and "已线下退款" in detail and by, (status, detail)
    assert sql("SELECT count(*) FROM operation_log WHERE operation_type = 'RESOLVE_EXCEPTION'"
               " AND target_id = %s AND operation_desc LIKE '%%线下退款%%'", exc_id)[0][0] == 1


def test_a_failed_exception_is_closed_as_handled():
    exc_id, s = refused_exception()
    for _ in range(3):
        run_refunds()
    tok = csrf_of(s.get(HTTP + "/admin/payments/exceptions", timeout=10).text)
    r = s.post(HTTP + f"/admin/payments/exceptions/{exc_id}/resolve",
               data={"_csrf": tok, "reason": "付款人确认放弃退款"}, allow_redirects=False, timeout=10)
    assert r.status_code == 303
    assert sql("SELECT status FROM payment_exception WHERE id = %s", exc_id)[0][0] == "resolved"


def test_refunding_a_second_payment_leaves_the_orders_own_payment_paid():
    """A second transaction for an already-paid order is an exception holding the order's
    payment_id; settling that exception must not mark the order's own payment refunded."""
    from test_payments import pending_order
    cid, _, no = pending_order()
    assert post_callback(envelope(transaction(no, 9900))).status_code == 204
    assert post_callback(envelope(transaction(no, 9900))).status_code == 204   # another transaction
    exc_id = sql("SELECT id FROM payment_exception WHERE out_trade_no = %s", no)[0][0]
    s = new_session()
    name, pw = add_user("admin")
    assert login(s, name, pw).status_code == 303
    tok = csrf_of(s.get(HTTP + "/admin/payments/exceptions", timeout=10).text)
    r = s.post(HTTP + f"/admin/payments/exceptions/{exc_id}/resolve",
               data={"_csrf": tok, "outcome": "offline", "reason": "第二笔已线下退回"},
               allow_redirects=False, timeout=10)
    assert r.status_code == 303
    assert sql("SELECT status FROM payment_exception WHERE id = %s", exc_id)[0][0] == "refunded"
    assert sql("SELECT pay_status, refunded_amount FROM payment_record WHERE order_no = %s", no) == \
        [("success", 0)]
    books = campctl("books", check=False).stdout.splitlines()
    assert not [line for line in books if no in line and line.startswith(("refunded_status", "camp_balance"))]
