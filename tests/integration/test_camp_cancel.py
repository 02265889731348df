"""test_camp_cancel.py: a camp with money in it is never simply deleted; 取消训练营 closes its
pending orders at WeChat, proposes a full refund for every paid member through the normal audit,
and hides it from H5; a payment that still arrives becomes an exception (issue #14, hole 2)."""
import html
import secrets
import time

import requests

from conftest import HTTP, SIM, admin_password, campctl, csrf_of, login, new_session, add_user
from paylib import enroll, envelope, h5, make_camp, order_no_of, post_callback, sim_pay, sql, transaction, wait_state
from test_refunds import admin, no_faults, run_refunds, wait_status

assert no_faults


def planet_id():
    return "8" + "".join(str(secrets.randbelow(10)) for _ in range(14))


def paid(cid):
    s = h5()
    no = order_no_of(enroll(s, cid, planet_id()))
    sim_pay(no)
    wait_state(s, no)
    return no


def pending(cid):
    return order_no_of(enroll(h5(), cid, planet_id()))


def camp_post(s, cid, action, **data):
    tok = csrf_of(s.get(HTTP + f"/admin/camps/{cid}", timeout=10).text)
    return s.post(HTTP + f"/admin/camps/{cid}/{action}", data=dict(data, _csrf=tok),
                  allow_redirects=False, timeout=15)


def test_deleting_a_camp_with_orders_is_refused_and_says_why():
    cid = make_camp(start=3, end=24)
    no = pending(cid)
    s = admin()
    r = camp_post(s, cid, "delete")
    assert r.status_code == 409 and "待支付" in r.text and "取消训练营" in r.text, (r.status_code, r.text[:300])
    sim_pay(no)
    deadline = time.time() + 20
    while time.time() < deadline and sql("SELECT pay_status FROM payment_record WHERE order_no = %s",
                                         no)[0][0] != "success":
        time.sleep(0.2)
    r = camp_post(s, cid, "delete")
    assert r.status_code == 409 and "已支付" in r.text and "取消训练营" in r.text
    assert sql("SELECT deleted_at IS NULL FROM training_camp WHERE id = %s", cid)[0][0]
    # the camp page offers no delete button, it offers 取消训练营
    page = s.get(HTTP + f"/admin/camps/{cid}", timeout=10).text
    assert f'action="/admin/camps/{cid}/delete"' not in page
    assert f'action="/admin/camps/{cid}/cancel"' in page


def test_cancel_is_for_admins_with_their_password():
    cid = make_camp(start=3, end=24)
    s = admin()
    r = camp_post(s, cid, "cancel", confirm_password="wrong-password")
    assert r.status_code == 303
    assert "登录密码不正确" in s.get(HTTP + f"/admin/camps/{cid}", timeout=10).text
    r = camp_post(s, cid, "cancel")
    assert r.status_code == 303
    assert sql("SELECT cancelled_at IS NULL FROM training_camp WHERE id = %s", cid)[0][0]
    m = new_session()
    assert login(m, *add_user("manager")).status_code == 303
    assert f'action="/admin/camps/{cid}/cancel"' not in m.get(HTTP + f"/admin/camps/{cid}", timeout=10).text
    assert camp_post(m, cid, "cancel", confirm_password="x").status_code == 403


def test_cancel_closes_orders_proposes_refunds_and_hides_the_camp():
    cid = make_camp(start=3, end=24)
    paid_nos = [paid(cid), paid(cid)]
    late_no = pending(cid)
    s = admin()
    page = s.get(HTTP + f"/admin/camps/{cid}", timeout=10).text
    assert "将关闭 1 笔待支付订单，并为 2 名已支付会员发起全额退款（共 ¥198.00）" in html.unescape(page)
    r = camp_post(s, cid, "cancel", confirm_password=admin_password())
    assert r.status_code == 303
    assert sql("SELECT cancelled_at IS NOT NULL FROM training_camp WHERE id = %s", cid)[0][0]
    assert "已取消" in s.get(HTTP + f"/admin/camps/{cid}", timeout=10).text
    assert sql("SELECT count(*) FROM camp_status_log WHERE camp_id = %s AND event = 'CANCEL'", cid)[0][0] == 1
    assert sql("SELECT count(*) FROM operation_log WHERE operation_type = 'CANCEL_CAMP' AND target_id = %s",
               cid)[0][0] == 1
    # H5: gone from the list, the page and enrollment
    assert f"/h5/camps/{cid}" not in h5().get(HTTP + "/h5/", timeout=10).text
    assert h5().get(HTTP + f"/h5/camps/{cid}", timeout=10).status_code == 404
    assert enroll(h5(), cid, planet_id(), csrf_from="/h5/bind").status_code == 404
    # a full refund proposed for every paid member, waiting for the normal audit
    props = sql("SELECT r.id, r.refund_status, r.audit_status, r.refund_amount = p.pay_amount"
                " FROM refund_record r JOIN payment_record p ON p.id = r.payment_id"
                " WHERE r.camp_id = %s AND r.deleted_at IS NULL ORDER BY r.id", cid)
    assert len(props) == 2 and all(p[1:] == ("pending", "pending", True) for p in props)
    assert {r[0] for r in sql("SELECT remark FROM refund_status_log WHERE refund_id = ANY(%s)",
                              [p[0] for p in props])} == {"训练营取消"}
    # the refund-list job of a finished camp never withdraws them
    sql("UPDATE training_camp SET status = 'finished' WHERE id = %s", cid)
    campctl("job", "run", "refund-list")
    assert sql("SELECT count(*) FROM refund_record WHERE camp_id = %s AND deleted_at IS NULL", cid)[0][0] == 2
    # the pending order is closed at WeChat, then here
    deadline = time.time() + 30
    while time.time() < deadline and sql("SELECT pay_status FROM payment_record WHERE order_no = %s",
                                         late_no)[0][0] == "pending":
        time.sleep(0.3)
    assert sql("SELECT pay_status FROM payment_record WHERE order_no = %s", late_no)[0][0] == "closed"
    log = requests.get(SIM + "/sim/log", timeout=10).json()
    assert any(e["path"].endswith(f"/out-trade-no/{late_no}/close") for e in log)
    # a success callback that still arrives is a payment exception, not a member
    before = sql("SELECT member_count FROM training_camp WHERE id = %s", cid)[0][0]
    post_callback(envelope(transaction(late_no, 9900)))
    assert sql("SELECT reason FROM payment_exception WHERE out_trade_no = %s", late_no)[0][0] in \
        ("camp_cancelled", "order_closed")
    assert sql("SELECT member_count FROM training_camp WHERE id = %s", cid)[0][0] == before
    # approving goes through the usual execution, and WeChat is told why
    rid = props[0][0]
    tok = csrf_of(s.get(HTTP + "/admin/refunds/pending", timeout=10).text)
    assert s.post(HTTP + "/admin/refunds/approve", data={"_csrf": tok, "ids": str(rid)},
                  allow_redirects=False, timeout=10).status_code == 303
    run_refunds()
    wait_status(rid, "success")
    out_no = sql("SELECT out_refund_no FROM refund_record WHERE id = %s", rid)[0][0]
    reasons = [e["request"].get("reason") for e in requests.get(SIM + "/sim/log", timeout=10).json()
               if e.get("path") == "/v3/refund/domestic/refunds" and isinstance(e.get("request"), dict)
               and e["request"].get("out_refund_no") == out_no]
    assert reasons and all("训练营取消" in (x or "") for x in reasons), reasons


def test_a_success_callback_before_the_close_is_an_exception():
    cid = make_camp(start=3, end=24)
    no = pending(cid)
    s = admin()
    # the worker must not close it first: the callback races the cancellation
    sql("UPDATE training_camp SET cancelled_at = now() WHERE id = %s", cid)
    post_callback(envelope(transaction(no, 9900)))
    assert sql("SELECT reason FROM payment_exception WHERE out_trade_no = %s", no) == [("camp_cancelled",)]
    assert sql("SELECT m.paid, p.pay_status FROM payment_record p JOIN camp_member m ON m.id = p.member_id"
               " WHERE p.order_no = %s", no)[0] == (False, "closed")
