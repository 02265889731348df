"""test_payments.py: enroll, pay through camp-sim, get the ticket; every callback failure."""
import json
import re
import secrets
import threading
import time
import urllib.parse

import pytest
import requests

from conftest import CA, HTTP, HTTPS, SIM, campctl
from paylib import (csrf, enroll, envelope, exceptions, h5, make_camp, order_no_of, pay_row,
                    post_callback, sim_pay, sql, transaction, wait_state)
from sealing import index, open_sealed
from simlib import settings


def planet_id():
    return "8" + "".join(str(secrets.randbelow(10)) for _ in range(14))


# ---- the main paths ----------------------------------------------------------

def test_native_path_outside_wechat():
    cid = make_camp()
    s = h5()
    page = s.get(HTTP + f"/h5/camps/{cid}", timeout=10)
    assert page.status_code == 200 and "确认报名并支付 ¥99.00" in page.text
    no = order_no_of(enroll(s, cid, planet_id()))
    order = s.get(HTTP + f"/h5/orders/{no}", timeout=10)
    assert order.status_code == 200 and no in order.text and "扫码支付" in order.text
    qr = s.get(HTTP + f"/h5/orders/{no}/qrcode.png", timeout=10)
    assert qr.status_code == 200 and qr.headers["Content-Type"] == "image/png"
    assert wait_state(s, no, "pending")["state"] == "pending"
    txn = sim_pay(no)
    st = wait_state(s, no, "paid")
    ticket = s.get(HTTP + st["ticket_url"], timeout=10)
    assert ticket.status_code == 200 and "报名成功" in ticket.text and "/media/" in ticket.text
    status, bind, method, paid, txid = pay_row(no)
    assert (status, bind, method, paid, txid) == ("success", "completed", "h5_bindplanet", True, txn)
    rows = sql("SELECT event FROM order_status_log o JOIN payment_record p ON p.id = o.order_id"
               " WHERE p.order_no = %s ORDER BY o.id", no)
    assert [r[0] for r in rows] == ["CREATE", "PAY_SUCCESS"]
    assert sql("SELECT count(*) FROM payment_transaction WHERE transaction_id = %s", txn)[0][0] == 1
    assert sql("SELECT member_count, paid_amount::text FROM training_camp WHERE id = %s", cid)[0] == (1, "99.00")
    # the ticket URL is only given to the browser that created the order
    other = h5()
    assert other.get(HTTP + f"/h5/orders/{no}/status", timeout=10).status_code == 404


def test_jsapi_path_inside_wechat_with_oauth():
    cid = make_camp()
    s = h5(wechat=True)
    r = s.get(HTTP + f"/h5/camps/{cid}", allow_redirects=False, timeout=10)
    assert r.status_code == 302
    auth = r.headers["Location"]
    assert auth.startswith(SIM + "/connect/oauth2/authorize?appid=") and "scope=snsapi_base" in auth
    assert auth.endswith("#wechat_redirect")
    openid = "o_" + secrets.token_hex(8)
    url = auth.split("#")[0] + "&sim_openid=" + openid
    back = s.get(url, allow_redirects=False, timeout=10)
    assert back.status_code in (301, 302)
    cb = back.headers["Location"]
    assert cb.startswith(HTTPS + "/h5/oauth?")
    done = s.get(cb, allow_redirects=False, timeout=10, verify=CA)
    assert done.status_code == 303 and done.headers["Location"] == f"/h5/camps/{cid}"
    # the same code cannot be used twice (40029 at WeChat → a clear error)
    again = s.get(cb, allow_redirects=False, timeout=10, verify=CA)
    assert again.status_code == 400
    # WeChat pages are HTTPS: the openid cookie is Secure
    no = order_no_of(enroll(s, cid, planet_id(), base=HTTPS))
    page = s.get(HTTPS + f"/h5/orders/{no}", timeout=10, verify=CA).text
    m = re.search(r'data-appid="([^"]+)" data-timestamp="(\d+)" data-nonce="(\w+)" '
                  r'data-package="(prepay_id=[^"]+)" data-paysign="([^"]+)"', page)
    assert m, page[:1000]
    appid, ts, nonce, pkg, sign = m.groups()
    from simlib import openssl_verify, STATE
    msg = f"{appid}\n{ts}\n{nonce}\n{pkg}\n".encode()
    assert openssl_verify(msg, sign.replace("&#43;", "+").replace("&#x2B;", "+"),
                          pub=STATE + "/apiclient_public.pem")
    sim_pay(no, openid)
    wait_state(s, no, "paid", base=HTTPS)
    # the payer's openid, sealed for its row, found by its blind index (issue #17)
    pid, sealed, idx = sql("SELECT id, openid_sealed, openid_index FROM payment_record WHERE order_no = %s",
                           no)[0]
    assert open_sealed(f"payment_record.openid#{pid}", sealed) == openid and idx == index(openid)


def test_validation_messages_and_nothing_written():
    cid = make_camp()
    s = h5()
    before = sql("SELECT count(*) FROM camp_member WHERE camp_id = %s", cid)[0][0]
    for fields, msg in [({"planet_id": None}, "请填写星球ID"),
                        ({"planet_id": "12ab"}, "5–20 位数字"),
                        ({"planet_id": planet_id(), "nickname": ""}, "请填写星球昵称"),
                        ({"planet_id": planet_id(), "wechat": ""}, "请填写微信昵称"),
                        ({"planet_id": planet_id(), "agree": False}, "请阅读并同意"),
                        ({"planet_id": planet_id(), "nickname": "长" * 51}, "最多 50 个字")]:
        kw = dict(fields)
        pid = kw.pop("planet_id")
        r = enroll(s, cid, pid, **kw)
        assert r.status_code == 422 and msg in r.text, (fields, r.status_code)
    assert sql("SELECT count(*) FROM camp_member WHERE camp_id = %s", cid)[0][0] == before


def test_enroll_needs_csrf():
    cid = make_camp()
    r = h5().post(HTTP + f"/h5/camps/{cid}/enroll", data={"planet_user_id": planet_id()},
                  allow_redirects=False, timeout=10)
    assert r.status_code == 403


def test_enrollment_closes_when_the_requirement_cannot_be_met():
    cid = make_camp(start=-10, end=5, required=10)    # last day to enroll: end-10+1 = day -4
    page = h5().get(HTTP + f"/h5/camps/{cid}", timeout=10)
    assert "已截止报名" in page.text and "确认报名并支付" not in page.text
    r = enroll(h5(), cid, planet_id(), csrf_from="/h5/bind")
    assert r.status_code == 409 and "已截止报名" in r.text
    assert sql("SELECT count(*) FROM camp_member WHERE camp_id = %s", cid)[0][0] == 0


def test_capacity_counts_held_seats():
    cid = make_camp(capacity=1)
    a = h5()
    order_no_of(enroll(a, cid, planet_id()))
    b = h5()
    assert "名额已满" in b.get(HTTP + f"/h5/camps/{cid}", timeout=10).text
    r = enroll(b, cid, planet_id(), csrf_from="/h5/bind")
    assert r.status_code == 409 and "名额已满" in r.text


# ---- duplicates and races ------------------------------------------------------

def test_duplicate_planet_id_shows_no_qr_and_alerts_admins():
    cid = make_camp()
    pid = planet_id()
    a = h5()
    no = order_no_of(enroll(a, cid, pid))
    sim_pay(no)
    wait_state(a, no, "paid")
    before = sql("SELECT count(*) FROM notification_message WHERE message_type = 'planet_id_claimed'")[0][0]
    b = h5()
    r = enroll(b, cid, pid)
    assert r.status_code == 409 and "该星球ID已报名" in r.text
    assert "/media/" not in r.text and "/h5/mine" in r.text
    after = sql("SELECT count(*) FROM notification_message WHERE message_type = 'planet_id_claimed'")[0][0]
    assert after > before


def test_two_browsers_racing_with_one_planet_id():
    cid = make_camp()
    pid = planet_id()
    a, b = h5(), h5()
    no_a = order_no_of(enroll(a, cid, pid))
    no_b = order_no_of(enroll(b, cid, pid))
    threads = [threading.Thread(target=sim_pay, args=(n,)) for n in (no_a, no_b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    deadline = time.time() + 20
    while time.time() < deadline:
        paid = sql("SELECT count(*) FROM camp_member WHERE camp_id = %s AND paid", cid)[0][0]
        exc = sql("SELECT count(*) FROM payment_exception WHERE camp_id = %s", cid)[0][0]
        if paid + exc == 2:
            break
        time.sleep(0.2)
    assert (paid, exc) == (1, 1)
    assert sql("SELECT reason FROM payment_exception WHERE camp_id = %s", cid)[0][0] == "duplicate_planet_id"


# ---- callbacks: every failure -------------------------------------------------------

def pending_order(deposit="99.00"):
    cid = make_camp(deposit=deposit)
    s = h5()
    return cid, s, order_no_of(enroll(s, cid, planet_id()))


def audit_actions(since_id):
    return [r[0] for r in sql("SELECT action_type FROM payment_audit_log WHERE id > %s ORDER BY id", since_id)]


def last_audit():
    return sql("SELECT COALESCE(max(id), 0) FROM payment_audit_log")[0][0]


@pytest.mark.parametrize("kind", ["bad_signature", "stale", "unknown_serial", "signtest",
                                  "signtest_b64", "no_headers", "tampered_body"])
def test_unverifiable_callbacks_are_refused_and_change_nothing(kind):
    cid, s, no = pending_order()
    env = envelope(transaction(no, 9900))
    mark = last_audit()
    if kind == "bad_signature":
        r = post_callback(env, signature="A" * 344)
    elif kind == "stale":
        r = post_callback(env, ts=int(time.time()) - 301)
    elif kind == "unknown_serial":
        r = post_callback(env, serial="PUB_KEY_ID_0000000000000000000000000000")
    elif kind == "signtest":
        r = post_callback(env, signature="WECHATPAY/SIGNTEST/abcdef")
    elif kind == "signtest_b64":
        r = post_callback(env, signature="V0VDSEFUUEFZL1NJR05URVNU")
    elif kind == "no_headers":
        r = requests.post(HTTPS + "/pay/wechat/notify", json=env, verify=CA, timeout=10)
    else:
        import paylib
        import simlib
        body = json.dumps(env).encode()
        ts, nonce = str(int(time.time())), "n" + secrets.token_hex(8)
        sig = simlib.openssl_sign(f"{ts}\n{nonce}\n".encode() + body + b"\n",
                                  simlib.STATE + "/wechatpay_private.pem")
        r = requests.post(HTTPS + "/pay/wechat/notify", data=body.replace(b"SUCCESS", b"SUCCESs", 1),
                          headers={"Content-Type": "application/json", "Wechatpay-Timestamp": ts,
                                   "Wechatpay-Nonce": nonce, "Wechatpay-Signature": sig,
                                   "Wechatpay-Serial": settings()["wechat.pay_public_key_id"]},
                          verify=CA, timeout=10)
    assert 400 <= r.status_code < 600 and r.json()["code"] == "FAIL"
    assert pay_row(no)[0] == "pending"
    assert exceptions(no) == []
    assert audit_actions(mark) == ["NOTIFY_REJECTED"]


def test_bad_ciphertext_refused():
    cid, s, no = pending_order()
    env = envelope(transaction(no, 9900), key="0" * 32)     # encrypted under another key
    r = post_callback(env)
    assert r.status_code == 400 and pay_row(no)[0] == "pending"


def test_wrong_amount_becomes_an_exception():
    cid, s, no = pending_order()
    r = post_callback(envelope(transaction(no, 100)))
    assert r.status_code in (200, 204)
    assert pay_row(no)[0] == "failed" and pay_row(no)[3] is False
    assert exceptions(no) == ["wrong_amount"]


def test_amount_is_the_order_amount_even_after_a_deposit_edit():
    cid, s, no = pending_order()
    sql("UPDATE training_camp SET deposit = 199 WHERE id = %s", cid)
    r = post_callback(envelope(transaction(no, 9900)))
    assert r.status_code in (200, 204) and pay_row(no)[0] == "success"


def test_unknown_order_becomes_an_exception():
    no = "CPUNKNOWN" + secrets.token_hex(6)
    r = post_callback(envelope(transaction(no, 9900)))
    assert r.status_code in (200, 204)
    assert exceptions(no) == ["unknown_order"]


def test_foreign_merchant_becomes_an_exception():
    cid, s, no = pending_order()
    r = post_callback(envelope(transaction(no, 9900, mchid="1999999999")))
    assert r.status_code in (200, 204) and pay_row(no)[0] == "pending"
    assert exceptions(no) == ["other"]


def test_duplicate_callback_applies_once():
    cid, s, no = pending_order()
    env = envelope(transaction(no, 9900))
    assert post_callback(env).status_code == 204
    assert post_callback(env).status_code == 204
    assert sql("SELECT member_count FROM training_camp WHERE id = %s", cid)[0][0] == 1
    assert exceptions(no) == []
    rows = sql("SELECT count(*) FROM order_status_log o JOIN payment_record p ON p.id = o.order_id"
               " WHERE p.order_no = %s AND o.event = 'PAY_SUCCESS'", no)
    assert rows[0][0] == 1


def test_second_payment_for_a_paid_order_is_an_exception():
    cid, s, no = pending_order()
    assert post_callback(envelope(transaction(no, 9900))).status_code == 204
    assert post_callback(envelope(transaction(no, 9900))).status_code == 204   # another transaction id
    assert exceptions(no) == ["other"]


def test_callback_for_a_closed_order_is_an_exception():
    cid, s, no = pending_order()
    sql("UPDATE payment_record SET pay_status = 'closed' WHERE order_no = %s", no)
    assert post_callback(envelope(transaction(no, 9900))).status_code == 204
    assert exceptions(no) == ["order_closed"]


def test_not_success_state_changes_nothing():
    cid, s, no = pending_order()
    assert post_callback(envelope(transaction(no, 9900, trade_state="NOTPAY"))).status_code == 204
    assert pay_row(no)[0] == "pending"


def test_simulator_duplicate_and_reordered_callbacks():
    cid, s, no = pending_order()
    requests.post(SIM + "/sim/faults", json={"service": "wechatpay", "mode": "duplicate-callback", "count": 1},
                  timeout=5)
    sim_pay(no)
    wait_state(s, no, "paid")
    time.sleep(0.5)
    assert sql("SELECT member_count FROM training_camp WHERE id = %s", cid)[0][0] == 1
    requests.post(SIM + "/sim/faults", json={"service": "wechatpay", "mode": "ok", "count": 0}, timeout=5)


# ---- pay now, bind later -------------------------------------------------------------

def test_pay_later_then_bind_within_the_deadline():
    cid = make_camp()
    s = h5()
    no = order_no_of(enroll(s, cid, None, later=True))
    txn = sim_pay(no)
    st = wait_state(s, no, "paid")
    assert pay_row(no)[1] == "pending"
    ticket = s.get(HTTP + st["ticket_url"], timeout=10).text
    assert "请在 7 天内完成星球绑定" in ticket
    b = h5()
    data = {"_csrf": csrf(b, "/h5/bind"), "order_no": txn, "planet_nickname": "晚绑",
            "planet_user_id": planet_id(), "wechat_nickname": "晚绑"}
    r = b.post(HTTP + "/h5/bind", data=data, allow_redirects=False, timeout=10)
    assert r.status_code == 303 and r.headers["Location"].startswith("/h5/t/tk_")
    assert pay_row(no)[1:3] == ("completed", "user_fill")
    again = b.post(HTTP + "/h5/bind", data=dict(data, _csrf=csrf(b, "/h5/bind")), timeout=10)
    assert again.status_code == 422 and "已完成绑定" in again.text


def test_pay_later_bind_after_the_deadline_is_refused():
    cid = make_camp()
    s = h5()
    no = order_no_of(enroll(s, cid, None, later=True))
    sim_pay(no)
    wait_state(s, no, "paid")
    sql("UPDATE payment_record SET bind_deadline = now() - interval '1 minute' WHERE order_no = %s", no)
    b = h5()
    r = b.post(HTTP + "/h5/bind", data={"_csrf": csrf(b, "/h5/bind"), "order_no": no,
                                         "planet_nickname": "迟", "planet_user_id": planet_id(),
                                         "wechat_nickname": "迟"}, timeout=10)
    assert r.status_code == 422 and "已超过 7 天绑定期限" in r.text
    assert pay_row(no)[1] == "pending"


def test_bind_unknown_order_refused():
    b = h5()
    r = b.post(HTTP + "/h5/bind", data={"_csrf": csrf(b, "/h5/bind"), "order_no": "CPNOPE123456",
                                         "planet_nickname": "x", "planet_user_id": planet_id(),
                                         "wechat_nickname": "x"}, timeout=10)
    assert r.status_code == 422 and "没有找到这笔已支付的订单" in r.text


# ---- finding the ticket again ------------------------------------------------------

def test_mine_lists_tickets_of_this_browser():
    cid = make_camp(name="找回测试营 " + secrets.token_hex(3))
    s = h5()
    no = order_no_of(enroll(s, cid, planet_id()))
    sim_pay(no)
    wait_state(s, no, "paid")
    mine = s.get(HTTP + "/h5/mine", timeout=10).text
    assert "找回测试营" in mine
    assert "这里还没有你的训练营" in h5().get(HTTP + "/h5/mine", timeout=10).text


def test_ticket_token_invalid_or_forged():
    assert h5().get(HTTP + "/h5/t/tk_" + "0" * 32, timeout=10).status_code == 404
    assert h5().get(HTTP + "/h5/t/nonsense", timeout=10).status_code == 404


def test_ticket_expires_after_camp_end_once_refund_settled():
    cid = make_camp(start=-20, end=-10, required=5)
    sql("UPDATE training_camp SET status = 'ongoing' WHERE id = %s", cid)
    s = h5()
    # enrollment is closed for a finished camp: create the paid order directly via the callback path
    sql("UPDATE training_camp SET end_date = %s WHERE id = %s", time.strftime("%Y-%m-%d", time.gmtime(time.time() + 8 * 3600 + 86400 * 30)), cid)
    no = order_no_of(enroll(s, cid, planet_id()))
    sim_pay(no)
    st = wait_state(s, no, "paid")
    url = HTTP + st["ticket_url"]
    assert s.get(url, timeout=10).status_code == 200
    sql("UPDATE training_camp SET end_date = start_date + 5 WHERE id = %s", cid)
    sql("UPDATE access_token SET expires_at = now() - interval '1 day'"
        " WHERE payment_id = (SELECT id FROM payment_record WHERE order_no = %s)", no)
    assert s.get(url, timeout=10).status_code == 200          # refund not settled yet
    pay = sql("SELECT id, member_id, camp_id FROM payment_record WHERE order_no = %s", no)[0]
    sql("INSERT INTO refund_record (camp_id, member_id, payment_id, refund_amount, refund_status, audit_status)"
        " VALUES (%s, %s, %s, 99, 'success', 'approved')", pay[2], pay[1], pay[0])
    assert s.get(url, timeout=10).status_code == 404          # settled and expired


def test_admin_sees_payment_exceptions():
    from conftest import add_user, login, new_session
    no = "CPEXC" + secrets.token_hex(6)
    post_callback(envelope(transaction(no, 4321)))
    s = new_session()
    name, pw = add_user("manager")
    assert login(s, name, pw).status_code == 303
    page = s.get(HTTP + "/admin/payments/exceptions?status=open", timeout=10)
    assert page.status_code == 200 and no in page.text and "未知订单" in page.text and "¥43.21" in page.text
    coach = new_session()
    name, pw = add_user("coach")
    login(coach, name, pw)
    assert coach.get(HTTP + "/admin/payments/exceptions", timeout=10).status_code == 403


def test_exception_refunded_in_full_through_the_merchant_api():
    """The race loser's payment is refunded in full from the exceptions page."""
    from conftest import add_user, csrf_of, login, new_session
    cid = make_camp()
    pid = planet_id()
    a, b = h5(), h5()
    no_a = order_no_of(enroll(a, cid, pid))
    no_b = order_no_of(enroll(b, cid, pid))
    sim_pay(no_a)
    wait_state(a, no_a, "paid")
    sim_pay(no_b)
    deadline = time.time() + 20
    while time.time() < deadline and not exceptions(no_b):
        time.sleep(0.2)
    assert exceptions(no_b) == ["duplicate_planet_id"]
    exc_id = sql("SELECT id FROM payment_exception WHERE out_trade_no = %s", no_b)[0][0]
    s = new_session()
    name, pw = add_user("manager")
    assert login(s, name, pw).status_code == 303
    page = s.get(HTTP + "/admin/payments/exceptions", timeout=10).text
    assert f"/admin/payments/exceptions/{exc_id}/refund" in page and "将向付款人原路全额退款 ¥99.00" in page
    r = s.post(HTTP + f"/admin/payments/exceptions/{exc_id}/refund", data={"_csrf": csrf_of(page)},
               allow_redirects=False, timeout=10)
    assert r.status_code == 303
    status, refund_no = sql("SELECT status, out_refund_no FROM payment_exception WHERE id = %s", exc_id)[0]
    assert status == "refunding" and refund_no.startswith(f"RE{exc_id}T")
    again = s.post(HTTP + f"/admin/payments/exceptions/{exc_id}/refund", data={"_csrf": csrf_of(page)},
                   allow_redirects=False, timeout=10)
    assert again.status_code == 409                       # one refund, never two
    deadline = time.time() + 30
    while time.time() < deadline:
        campctl("job", "run", "refunds", check=False)
        if sql("SELECT status FROM payment_exception WHERE id = %s", exc_id)[0][0] == "refunded":
            break
        time.sleep(1)
    assert sql("SELECT status FROM payment_exception WHERE id = %s", exc_id)[0][0] == "refunded"
    assert sql("SELECT pay_status, refunded_amount::text FROM payment_record WHERE order_no = %s", no_b)[0] == \
        ("refunded", "99.00")
    log = requests.get(SIM + "/sim/log", timeout=10).json()
    creates = [e for e in log if e["path"] == "/v3/refund/domestic/refunds" and e["method"] == "POST"
               and isinstance(e.get("request"), dict) and e["request"].get("out_refund_no") == refund_no]
    assert len(creates) == 1


def test_exception_marked_resolved_needs_a_note():
    from conftest import add_user, csrf_of, login, new_session
    no = "CPRES" + secrets.token_hex(6)
    post_callback(envelope(transaction(no, 1234)))
    exc_id = sql("SELECT id FROM payment_exception WHERE out_trade_no = %s", no)[0][0]
    s = new_session()
    name, pw = add_user("admin")
    login(s, name, pw)
    tok = csrf_of(s.get(HTTP + "/admin/payments/exceptions", timeout=10).text)
    r = s.post(HTTP + f"/admin/payments/exceptions/{exc_id}/resolve", data={"_csrf": tok, "reason": ""},
               allow_redirects=False, timeout=10)
    assert r.status_code == 303
    assert sql("SELECT status FROM payment_exception WHERE id = %s", exc_id)[0][0] == "open"
    r = s.post(HTTP + f"/admin/payments/exceptions/{exc_id}/resolve",
               data={"_csrf": tok, "reason": "已通过企业微信线下退回"}, allow_redirects=False, timeout=10)
    assert r.status_code == 303
    assert sql("SELECT status FROM payment_exception WHERE id = %s", exc_id)[0][0] == "resolved"
    assert sql("SELECT count(*) FROM operation_log WHERE operation_type = 'RESOLVE_EXCEPTION'"
               " AND target_id = %s", exc_id)[0][0] == 1


# ---- issue #13: a 朋友圈 snapshot page (is_snapshotuser) ------------------------------

def test_snapshot_user_is_asked_to_open_wechat_and_cannot_pay():
    cid = make_camp()
    s = h5(wechat=True)
    auth = s.get(HTTP + f"/h5/camps/{cid}", allow_redirects=False, timeout=10).headers["Location"]
    back = s.get(auth.split("#")[0] + "&sim_openid=oSnap&sim_snapshot=1", allow_redirects=False,
                 timeout=10)
    page = s.get(back.headers["Location"], allow_redirects=False, timeout=10, verify=CA)
    assert page.status_code == 200
    assert "请在微信中打开本页面" in page.text and "使用完整服务" in page.text
    assert f'href="/h5/camps/{cid}"' in page.text
    # no openid stored: the camp page asks WeChat again, and a forged enrollment pays nothing
    assert "camp_openid" not in s.cookies
    again = s.get(HTTPS + f"/h5/camps/{cid}", allow_redirects=False, timeout=10, verify=CA)
    assert again.status_code == 302 and "/connect/oauth2/authorize" in again.headers["Location"]
    r = enroll(s, cid, planet_id(), csrf_from="/h5/bind", base=HTTPS)
    assert r.status_code == 303 and r.headers["Location"] == f"/h5/camps/{cid}"
    assert sql("SELECT count(*) FROM payment_record WHERE camp_id = %s", cid)[0][0] == 0
    assert sql("SELECT count(*) FROM camp_member WHERE camp_id = %s", cid)[0][0] == 0
    assert sql("SELECT count(*) FROM payment_record WHERE openid_index = %s",
               index("o6_bmasdasdsad6_2sgVt7hMZOPfL"))[0][0] == 0


def test_h5_list_puts_camps_still_taking_members_first():
    """A camp whose enrollment window has closed (ongoing, too late to meet the requirement)
    comes after every camp a member can still join, whatever its start date."""
    closed = make_camp(start=-10, end=5, required=15, name="报名已截止营 " + secrets.token_hex(3))
    open_ = make_camp(start=3, end=23, required=15, name="报名中营 " + secrets.token_hex(3))
    page = requests.get(HTTP + "/h5/", timeout=5).text
    assert f"/h5/camps/{open_}" in page
    if f"/h5/camps/{closed}" in page:        # the list shows at most 100 camps
        assert page.index(f"/h5/camps/{open_}") < page.index(f"/h5/camps/{closed}")
