"""test_sim_wechatpay.py: camp-sim's WeChat Pay v3 against openssl and Python's AES-GCM."""
import base64
import json
import re
import secrets
import subprocess
import time

import pytest
import requests
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from conftest import SIM

from simlib import (Receiver, new_order, openssl_verify, pay_request, settings, sim_post,
                    verify_response)


@pytest.fixture(autouse=True)
def reset():
    assert sim_post("/sim/reset").status_code == 200
    yield


def decrypt(resource):
    key = settings()["wechat.pay_key"].encode()
    ct = base64.b64decode(resource["ciphertext"])
    return AESGCM(key).decrypt(resource["nonce"].encode(), ct,
                               resource["associated_data"].encode())


def verify_callback(headers, body):
    msg = (headers["Wechatpay-Timestamp"] + "\n" + headers["Wechatpay-Nonce"] + "\n").encode() \
        + body + b"\n"
    return openssl_verify(msg, headers["Wechatpay-Signature"])


def test_openssl_signed_request_is_accepted_and_response_verifies():
    body, r = new_order()
    assert r.status_code == 200, r.text
    assert r.json()["prepay_id"].startswith("wx")
    assert verify_response(r)
    assert r.headers["Wechatpay-Serial"] == settings()["wechat.pay_public_key_id"]
    assert r.headers["Wechatpay-Serial"].startswith("PUB_KEY_ID_")


def test_tampered_or_unsigned_request_is_refused():
    def tamper(data):
        return data.replace('"total":9900', '"total":1')
    s = settings()
    b = {"appid": s["wechat.pay_appid"], "mchid": s["wechat.pay_merchant_id"],
         "description": "x", "out_trade_no": "T" + secrets.token_hex(6),
         "notify_url": "https://127.0.0.1:9/n", "amount": {"total": 9900, "currency": "CNY"}}
    r = pay_request("POST", "/v3/pay/transactions/native", b, tamper=tamper)
    assert r.status_code == 401 and r.json()["code"] == "SIGN_ERROR"
    r = pay_request("GET", "/v3/pay/transactions/out-trade-no/ABCDEF?mchid=" + s["wechat.pay_merchant_id"],
                    ts=int(time.time()) - 3600)
    assert r.status_code == 401
    import requests
    from conftest import SIM
    r = requests.get(SIM + "/v3/certificates", headers={"User-Agent": "t"}, timeout=5)
    assert r.status_code == 401 and r.json()["code"] == "SIGN_ERROR"


def test_order_validation_and_same_parameters_rule():
    no = "T" + secrets.token_hex(8)
    body, r1 = new_order(no)
    _, r2 = new_order(no)
    assert r1.status_code == r2.status_code == 200
    assert r1.json()["prepay_id"] != r2.json()["prepay_id"]
    _, r3 = new_order(no, total=100)
    assert r3.status_code == 400 and r3.json()["code"] == "INVALID_REQUEST"
    for bad in [dict(no="abc"), dict(total=0), dict(notify="http://x/n"),
                dict(notify="https://x/n?a=1"), dict(time_expire="tomorrow"),
                dict(attach="a" * 129), dict(description="字" * 128)]:
        kw = dict(bad)
        extra = {k: kw.pop(k) for k in ("time_expire", "attach", "description") if k in kw}
        _, r = new_order(**kw, **extra)
        assert r.status_code == 400, bad
    s = settings()
    b = {"appid": s["wechat.pay_appid"], "mchid": s["wechat.pay_merchant_id"],
         "description": "x", "out_trade_no": "T" + secrets.token_hex(6),
         "notify_url": "https://127.0.0.1:9/n", "amount": {"total": 1, "currency": "CNY"}}
    r = pay_request("POST", "/v3/pay/transactions/jsapi", b)   # no payer.openid
    assert r.status_code == 400 and "/payer/openid" in r.json()["message"]
    assert r.json()["detail"] == {"location": "body", "value": ""}
    _, r = new_order(kind="native")
    assert r.json()["code_url"].startswith("weixin://")
    _, r = new_order(kind="h5", scene_info={"payer_client_ip": "1.2.3.4", "h5_info": {"type": "Wap"}})
    assert r.status_code == 200 and "h5_url" in r.json()


def test_pay_callback_verifies_and_decrypts_then_query_and_close():
    rcv = Receiver(answers=[500])   # the first delivery fails: WeChat retries
    try:
        body, r = new_order(notify=rcv.url, attach="camp=1")
        no = body["out_trade_no"]
        p = sim_post(f"/sim/wechatpay/orders/{no}/pay", {"openid": "oPayer"})
        assert p.status_code == 200
        tid = p.json()["transaction_id"]
        got = rcv.wait(2)
        assert len(got) >= 2
        for headers, raw in got[:2]:
            assert verify_callback(headers, raw)
            env = json.loads(raw)
            assert env["event_type"] == "TRANSACTION.SUCCESS"
            assert env["resource"]["algorithm"] == "AEAD_AES_256_GCM"
            assert len(env["resource"]["nonce"]) == 12
            plain = json.loads(decrypt(env["resource"]))
            assert plain["out_trade_no"] == no and plain["transaction_id"] == tid
            assert plain["trade_state"] == "SUCCESS" and plain["amount"]["total"] == 9900
            assert plain["attach"] == "camp=1" and plain["payer"]["openid"] == "oPayer"
    finally:
        rcv.close()
    mchid = settings()["wechat.pay_merchant_id"]
    q = pay_request("GET", f"/v3/pay/transactions/out-trade-no/{no}?mchid={mchid}")
    assert q.status_code == 200 and q.json()["trade_state"] == "SUCCESS" and verify_response(q)
    c = pay_request("POST", f"/v3/pay/transactions/out-trade-no/{no}/close", {"mchid": mchid})
    assert c.status_code == 400 and c.json()["code"] == "ORDERPAID"
    # an unpaid order closes (204, repeatable) and then cannot be paid
    body2, _ = new_order()
    n2 = body2["out_trade_no"]
    for _ in range(2):
        c = pay_request("POST", f"/v3/pay/transactions/out-trade-no/{n2}/close", {"mchid": mchid})
        assert c.status_code == 204 and verify_response(c)
    assert sim_post(f"/sim/wechatpay/orders/{n2}/pay").status_code == 409
    q = pay_request("GET", f"/v3/pay/transactions/out-trade-no/NOSUCH1?mchid={mchid}")
    assert q.status_code == 404


def test_expired_order_cannot_be_paid():
    body, r = new_order(time_expire="2020-01-01T00:00:00+08:00")
    assert r.status_code == 200
    p = sim_post(f"/sim/wechatpay/orders/{body['out_trade_no']}/pay")
    assert p.status_code == 409 and p.json()["error"] == "ORDER_EXPIRED"


def paid_order(total=9900):
    body, _ = new_order(total=total)
    tid = sim_post(f"/sim/wechatpay/orders/{body['out_trade_no']}/pay").json()["transaction_id"]
    return body["out_trade_no"], tid


def refund(no, rno, amount, total=9900, notify=None):
    b = {"out_trade_no": no, "out_refund_no": rno, "reason": "结营退押金",
         "amount": {"refund": amount, "total": total, "currency": "CNY"}}
    if notify:
        b["notify_url"] = notify
    return pay_request("POST", "/v3/refund/domestic/refunds", b)


def wait_refund(rno, want, timeout=10):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        r = pay_request("GET", "/v3/refund/domestic/refunds/" + rno)
        if r.json().get("status") == want:
            return r
        time.sleep(0.2)
    return r


def test_refund_once_per_out_refund_no_and_never_more_than_paid():
    rcv = Receiver()
    try:
        no, tid = paid_order()
        r1 = refund(no, "R" + no, 5000, notify=rcv.url)
        assert r1.status_code == 200 and r1.json()["status"] == "PROCESSING"
        r2 = refund(no, "R" + no, 5000, notify=rcv.url)
        assert r2.json()["refund_id"] == r1.json()["refund_id"]
        r3 = refund(no, "R2" + no, 5000)
        assert r3.status_code == 403 and r3.json()["code"] == "NOT_ENOUGH"
        assert refund(no, "R3" + no, 4900).status_code == 200
        assert refund("NOSUCHORDER", "R4" + no, 1).status_code == 404
        q = wait_refund("R" + no, "SUCCESS")
        assert q.json()["status"] == "SUCCESS" and verify_response(q)
        got = rcv.wait(1)
        env = json.loads(got[0][1])
        assert verify_callback(got[0][0], got[0][1])
        assert env["event_type"] == "REFUND.SUCCESS"
        plain = json.loads(decrypt(env["resource"]))
        assert plain["out_refund_no"] == "R" + no and plain["refund_status"] == "SUCCESS"
        assert plain["amount"]["refund"] == 5000
    finally:
        rcv.close()


@pytest.mark.parametrize("mode,status", [("refund-closed", "CLOSED"), ("refund-abnormal", "ABNORMAL")])
def test_refund_fault_outcomes(mode, status):
    no, _ = paid_order()
    assert sim_post("/sim/faults", {"service": "wechatpay", "mode": mode, "count": 1}).status_code == 200
    assert refund(no, "F" + no, 100).json()["status"] == "PROCESSING"
    assert wait_refund("F" + no, status).json()["status"] == status
    assert refund(no, "G" + no, 100).status_code == 200
    assert wait_refund("G" + no, "SUCCESS").json()["status"] == "SUCCESS"


def test_certificates_decrypt_to_a_certificate():
    r = pay_request("GET", "/v3/certificates")
    assert r.status_code == 200 and verify_response(r)
    ec = r.json()["data"][0]["encrypt_certificate"]
    pem = decrypt(ec)
    assert pem.startswith(b"-----BEGIN CERTIFICATE-----")


@pytest.mark.parametrize("mode,status,code", [
    ("500", 500, "SYSTEM_ERROR"), ("rate-limit", 429, "RATELIMIT_EXCEEDED")])
def test_request_faults(mode, status, code):
    assert sim_post("/sim/faults", {"service": "wechatpay", "mode": mode, "count": 1}).status_code == 200
    _, r = new_order()
    assert r.status_code == status and r.json()["code"] == code
    _, r = new_order()
    assert r.status_code == 200


def test_timeout_fault_outlasts_a_5s_client():
    import requests
    sim_post("/sim/faults", {"service": "wechatpay", "mode": "timeout", "count": 1})
    with pytest.raises(requests.exceptions.Timeout):
        from conftest import SIM
        requests.get(SIM + "/v3/certificates", timeout=5)
    sim_post("/sim/faults", {"service": "wechatpay", "mode": "ok"})


def test_signtest_then_a_valid_callback():
    rcv = Receiver(answers=[401])
    try:
        sim_post("/sim/faults", {"service": "wechatpay", "mode": "signtest", "count": 1})
        no, _ = paid_order_to(rcv.url)
        got = rcv.wait(2)
        assert got[0][0]["Wechatpay-Signature"].startswith("WECHATPAY/SIGNTEST/")
        assert verify_callback(*got[1])
    finally:
        rcv.close()


def paid_order_to(url):
    body, _ = new_order(notify=url)
    tid = sim_post(f"/sim/wechatpay/orders/{body['out_trade_no']}/pay").json()["transaction_id"]
    return body["out_trade_no"], tid


def test_duplicate_and_reordered_callbacks():
    rcv = Receiver()
    try:
        sim_post("/sim/faults", {"service": "wechatpay", "mode": "duplicate-callback", "count": 1})
        paid_order_to(rcv.url)
        got = rcv.wait(2)
        assert len(got) == 2 and json.loads(got[0][1])["id"] == json.loads(got[1][1])["id"]
        rcv.got.clear()
        sim_post("/sim/faults", {"service": "wechatpay", "mode": "reorder-callbacks", "count": 2})
        a, _ = paid_order_to(rcv.url)
        b, _ = paid_order_to(rcv.url)
        got = rcv.wait(2)
        order = [json.loads(decrypt(json.loads(raw)["resource"]))["out_trade_no"] for _, raw in got]
        assert order == [b, a]
    finally:
        rcv.close()


def test_log_records_requests_and_callbacks():
    rcv = Receiver()
    try:
        no, _ = paid_order_to(rcv.url)
        rcv.wait(1)
        time.sleep(0.2)
        import requests
        from conftest import SIM
        log = requests.get(SIM + "/sim/log", timeout=5).json()
        paths = [(e["service"], e["method"], e["path"], e["status"]) for e in log]
        assert ("wechatpay", "POST", "/v3/pay/transactions/jsapi", 200) in paths
        assert ("wechatpay", "POST", rcv.url, 200) in paths
        first = next(e for e in log if e["path"] == "/v3/pay/transactions/jsapi")
        assert first["request"]["out_trade_no"] == no and "prepay_id" in first["response"]
        assert set(first) == {"time", "service", "method", "path", "status", "request", "response",
                              "wechatpay_serial"}
        assert first["wechatpay_serial"] == settings()["wechat.pay_public_key_id"]
    finally:
        rcv.close()


def test_ui_pay_button_pays_the_order():
    import requests
    from conftest import SIM
    body, _ = new_order(kind="native")
    no = body["out_trade_no"]
    page = requests.get(SIM + "/sim/", timeout=5).text
    assert f"/sim/wechatpay/orders/{no}/pay" in page and "支付" in page
    r = requests.post(SIM + f"/sim/wechatpay/orders/{no}/pay", data={"ui": "1", "openid": ""},
                      allow_redirects=False, timeout=5)
    assert r.status_code == 303 and r.headers["Location"] == "/sim/"
    mchid = settings()["wechat.pay_merchant_id"]
    q = pay_request("GET", f"/v3/pay/transactions/out-trade-no/{no}?mchid={mchid}").json()
    assert q["trade_state"] == "SUCCESS" and q["trade_type"] == "NATIVE"


# ---- issue #13: errors, unpaid answers, signing modes, certificates, compression ------

def test_error_detail_is_location_and_value():
    _, r = new_order(total=0)
    j = r.json()
    assert r.status_code == 400 and j["code"] == "PARAM_ERROR" and "/amount/total" in j["message"]
    assert j["detail"] == {"location": "body", "value": 0}
    _, r = new_order(description="字" * 128)
    assert r.json()["detail"] == {"location": "body", "value": "字" * 128}
    s = settings()
    b = {"appid": s["wechat.pay_appid"], "mchid": s["wechat.pay_merchant_id"], "description": "x",
         "out_trade_no": "T" + secrets.token_hex(6), "notify_url": "https://127.0.0.1:9/n",
         "amount": {"total": 1, "currency": "CNY"}, "payer": {"openid": ["a", 1]}}
    r = pay_request("POST", "/v3/pay/transactions/jsapi", b)
    assert r.json()["detail"] == {"location": "body", "value": ["a", 1]}
    r = pay_request("GET", "/v3/pay/transactions/out-trade-no/ABCDEFG?mchid=1")
    assert r.json()["detail"] == {"location": "query", "value": "1"}


def test_unpaid_query_has_the_real_notpay_shape():
    body, _ = new_order(kind="native")
    mchid = settings()["wechat.pay_merchant_id"]
    q = pay_request("GET", f"/v3/pay/transactions/out-trade-no/{body['out_trade_no']}?mchid={mchid}")
    t = q.json()
    assert q.status_code == 200 and verify_response(q) and t["trade_state"] == "NOTPAY"
    for absent in ("transaction_id", "payer", "success_time", "bank_type", "trade_type"):
        assert absent not in t, absent
    assert t["amount"] == {"total": 9900}


def cert_pubkey(pem, tmp_path):
    path = tmp_path / ("c%s.pem" % secrets.token_hex(3))
    path.write_bytes(pem)
    return subprocess.run(["openssl", "x509", "-pubkey", "-noout", "-in", str(path)],
                          capture_output=True, check=True).stdout


def listed_certificates():
    r = pay_request("GET", "/v3/certificates")
    assert r.status_code == 200
    return r, {d["serial_no"]: (d, decrypt(d["encrypt_certificate"])) for d in r.json()["data"]}


def signed_by(msg, sig, pub, tmp_path):
    path = tmp_path / ("k%s.pem" % secrets.token_hex(3))
    path.write_bytes(pub)
    return openssl_verify(msg, sig, pub=str(path))


def test_certificate_mode_signs_with_a_real_platform_certificate(tmp_path):
    r = sim_post("/sim/wechatpay/signing", {"mode": "certificate"})
    serial = r.json()["certificate_serial"]
    assert r.json()["mode"] == "certificate" and re.fullmatch(r"[0-9A-F]{40}", serial)
    ans, certs = listed_certificates()
    assert ans.headers["Wechatpay-Serial"] == serial and list(certs) == [serial]
    d, pem = certs[serial]
    assert d["encrypt_certificate"]["associated_data"] == "certificate"
    assert d["effective_time"] < d["expire_time"]
    serial_hex = subprocess.run(["openssl", "x509", "-noout", "-serial"], input=pem,
                                capture_output=True, check=True).stdout.decode().strip()
    assert serial_hex == "serial=" + serial
    pub = cert_pubkey(pem, tmp_path)
    msg = (ans.headers["Wechatpay-Timestamp"] + "\n" + ans.headers["Wechatpay-Nonce"] + "\n").encode() \
        + ans.content + b"\n"
    assert signed_by(msg, ans.headers["Wechatpay-Signature"], pub, tmp_path)
    assert not verify_response(ans)        # not the public key's signature
    rcv = Receiver()
    try:
        paid_order_to(rcv.url)
        headers, raw = rcv.wait(1)[0]
        assert headers["Wechatpay-Serial"] == serial
        m = (headers["Wechatpay-Timestamp"] + "\n" + headers["Wechatpay-Nonce"] + "\n").encode() + raw + b"\n"
        assert signed_by(m, headers["Wechatpay-Signature"], pub, tmp_path)
    finally:
        rcv.close()
    assert sim_post("/sim/wechatpay/signing", {"mode": "nonsense"}).status_code == 400


def test_switching_signs_callbacks_with_either_at_random():
    r = sim_post("/sim/wechatpay/signing", {"mode": "switching"}).json()
    rcv = Receiver()
    try:
        seen = set()
        for _ in range(30):
            paid_order_to(rcv.url)
            seen = {h["Wechatpay-Serial"] for h, _ in rcv.wait(len(rcv.got) + 1)}
            if len(seen) == 2:
                break
        assert seen == {r["public_key_id"], r["certificate_serial"]}
    finally:
        rcv.close()
    log = requests.get(SIM + "/sim/log", timeout=5).json()
    assert {e["wechatpay_serial"] for e in log if e["path"] == rcv.url} == seen


def test_rotation_lists_old_and_new_until_told_otherwise():
    _, before = listed_certificates()
    new = sim_post("/sim/wechatpay/certificates", {"valid_days": 3}).json()
    _, after = listed_certificates()
    assert set(after) == set(before) | {new["serial_no"]}
    sim_post("/sim/wechatpay/signing", {"mode": "certificate"})
    ans, _ = listed_certificates()
    assert ans.headers["Wechatpay-Serial"] == new["serial_no"]      # the newest signs
    only = sim_post("/sim/wechatpay/certificates", {"valid_days": 2, "keep_old": False}).json()
    _, now = listed_certificates()
    assert list(now) == [only["serial_no"]]
    assert sim_post("/sim/wechatpay/certificates", {"valid_days": 0}).status_code == 400
    sim_post("/sim/reset")
    _, reset = listed_certificates()
    assert set(reset) == set(before)


@pytest.mark.parametrize("mode", ["gzip", "deflate"])
def test_compressed_answers(mode):
    sim_post("/sim/faults", {"service": "wechatpay", "mode": mode, "count": 1})
    s = settings()
    body = {"appid": s["wechat.pay_appid"], "mchid": s["wechat.pay_merchant_id"],
            "description": "x", "out_trade_no": "T" + secrets.token_hex(6),
            "notify_url": "https://127.0.0.1:9/n", "amount": {"total": 1, "currency": "CNY"}}
    r = pay_request("POST", "/v3/pay/transactions/native", body, accept_encoding="identity")
    assert r.headers["Content-Encoding"] == mode      # whatever the client asked for
    assert r.json()["code_url"].startswith("weixin://") and verify_response(r)
    r = pay_request("POST", "/v3/pay/transactions/native", body, accept_encoding="identity")
    assert "Content-Encoding" not in r.headers         # the fault is used up
    r = pay_request("POST", "/v3/pay/transactions/native", body, accept_encoding="gzip")
    assert r.headers["Content-Encoding"] == "gzip" and verify_response(r)


def test_transactions_of_a_world_are_imported_once():
    no, tid = "DEMO" + secrets.token_hex(6), "4200" + "".join(secrets.choice("0123456789") for _ in range(24))
    open_no = "DEMO" + secrets.token_hex(6)
    world = {"transactions": [
        {"out_trade_no": no, "transaction_id": tid, "total": 9900, "refunded": 0,
         "openid": "oDemo1", "trade_type": "JSAPI", "success_time": "2026-11-01T10:00:00+08:00"},
        {"out_trade_no": open_no, "total": 6600, "notify_url": "https://127.0.0.1:9/n",
         "time_expire": int(time.time()) + 600}]}
    assert sim_post("/sim/wechatpay/transactions", world).json() == {"created": 2, "known": 0, "invalid": 0}
    assert sim_post("/sim/wechatpay/transactions", world).json() == {"created": 0, "known": 2, "invalid": 0}
    mchid = settings()["wechat.pay_merchant_id"]
    q = pay_request("GET", f"/v3/pay/transactions/out-trade-no/{no}?mchid={mchid}").json()
    assert (q["trade_state"], q["transaction_id"], q["payer"]["openid"]) == ("SUCCESS", tid, "oDemo1")
    assert q["success_time"] == "2026-11-01T10:00:00+08:00"
    assert refund(no, "R" + no, 9900).status_code == 200
    assert sim_post(f"/sim/wechatpay/orders/{open_no}/pay").status_code == 200
    bad = sim_post("/sim/wechatpay/transactions", {"transactions": [{"out_trade_no": "x", "total": 1}]})
    assert bad.status_code == 400 and bad.json()["invalid"] == 1
