"""paylib.py: helpers for the payment tests — camps in the DB, H5 sessions, forged callbacks."""
import base64
import hashlib
import json
import os
import re
import secrets
import time

import psycopg2
import requests
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from conftest import CA, ENV, HTTP, HTTPS, SIM, dsn
from simlib import openssl_sign, settings, STATE

WECHAT_UA = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
             "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI")

PNG_1x1 = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")


def sql(query, *args):
    conn = psycopg2.connect(dsn())
    conn.autocommit = True
    try:
        cur = conn.cursor()
        cur.execute(query, args)
        return cur.fetchall() if cur.description else None
    finally:
        conn.close()


def today(offset=0):
    return time.strftime("%Y-%m-%d", time.gmtime(time.time() + 8 * 3600 + offset * 86400))


def make_camp(deposit="99.00", start=-2, end=19, required=15, capacity=None, name=None):
    """An ongoing camp with a group QR, straight into the database."""
    sha = hashlib.sha256(PNG_1x1).hexdigest()
    sql("INSERT INTO media (sha256, mime, bytes, size, width, height) VALUES (%s, 'image/png', %s, %s, 1, 1)"
        " ON CONFLICT DO NOTHING", sha, PNG_1x1, len(PNG_1x1))
    name = name or "支付测试营 " + secrets.token_hex(3)
    status = "ongoing" if start <= 0 else "not_started"
    total = end - start + 1
    rows = sql("INSERT INTO training_camp (name, deposit, start_date, end_date, total_days, required_days,"
               " group_qrcode_sha256, poster_sha256, planet_project_id, status, capacity)"
               " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, '51111', %s, %s) RETURNING id",
               name, deposit, today(start), today(end), total, required, sha, sha, status, capacity)
    return rows[0][0]


def h5(wechat=False):
    s = requests.Session()
    s.verify = CA
    if wechat:
        s.headers["User-Agent"] = WECHAT_UA
    return s


def csrf(s, path, base=HTTP):
    r = s.get(base + path, timeout=10, verify=CA)
    m = re.search(r'name="_csrf" value="([0-9a-f]{64})"', r.text)
    assert m, (r.status_code, r.text[:400])
    return m.group(1)


def enroll(s, camp_id, planet_id=None, nickname="小明", wechat="明明", later=False, agree=True,
           csrf_from=None, base=HTTP):
    """POSTs the enrollment form; csrf_from names another page to take the token from
    (a closed or full camp shows no form, but a forged POST must still be refused)."""
    data = {"_csrf": csrf(s, csrf_from or f"/h5/camps/{camp_id}", base), "wechat_nickname": wechat}
    if planet_id is not None:
        data["planet_user_id"] = planet_id
        data["planet_nickname"] = nickname
    if agree:
        data["agree"] = "1"
    if later:
        data["later"] = "1"
    return s.post(base + f"/h5/camps/{camp_id}/enroll", data=data, allow_redirects=False, timeout=15,
                  verify=CA)


def order_no_of(resp):
    assert resp.status_code == 303, (resp.status_code, resp.text[:500])
    loc = resp.headers["Location"]
    assert loc.startswith("/h5/orders/")
    return loc.rsplit("/", 1)[1]


def sim_pay(order_no, openid=None):
    body = {} if openid is None else {"openid": openid}
    r = requests.post(SIM + f"/sim/wechatpay/orders/{order_no}/pay", json=body, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()["transaction_id"]


def wait_state(s, order_no, want="paid", timeout=20, base=HTTP):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        r = s.get(base + f"/h5/orders/{order_no}/status", headers={"Accept": "application/json"},
                  timeout=10, verify=CA)
        last = r.json() if r.status_code == 200 else r.status_code
        if isinstance(last, dict) and last.get("state") == want:
            return last
        time.sleep(0.2)
    raise AssertionError(f"order {order_no} never reached {want}: {last}")


def pay_row(order_no):
    rows = sql("SELECT p.pay_status, p.bind_status, p.bind_method, m.paid, p.wechat_transaction_id"
               " FROM payment_record p JOIN camp_member m ON m.id = p.member_id WHERE p.order_no = %s", order_no)
    return rows[0] if rows else None


def exceptions(order_no):
    return [r[0] for r in sql("SELECT reason FROM payment_exception WHERE out_trade_no = %s ORDER BY id", order_no)]


# ---- forged callbacks (signed with the simulator's "WeChat Pay" key) ----------

def transaction(order_no, total, **over):
    s = settings()
    t = {"appid": s["wechat.pay_appid"], "mchid": s["wechat.pay_merchant_id"],
         "out_trade_no": order_no, "transaction_id": "42000" + secrets.token_hex(10),
         "trade_type": "NATIVE", "trade_state": "SUCCESS", "trade_state_desc": "支付成功",
         "bank_type": "OTHERS", "attach": "", "success_time": time.strftime("%Y-%m-%dT%H:%M:%S+08:00",
                                                                          time.gmtime(time.time() + 8 * 3600)),
         "payer": {"openid": "o_forged"}, "amount": {"total": total, "payer_total": total, "currency": "CNY"}}
    t.update(over)
    return t


def envelope(txn, key=None, aad="transaction", nonce=None):
    key = (key or settings()["wechat.pay_key"]).encode()
    nonce = nonce or secrets.token_hex(6)
    ct = AESGCM(key).encrypt(nonce.encode(), json.dumps(txn, ensure_ascii=False).encode(), aad.encode())
    return {"id": "EV-" + secrets.token_hex(6), "create_time": "2026-11-22T10:00:00+08:00",
            "event_type": "TRANSACTION.SUCCESS", "resource_type": "encrypt-resource", "summary": "支付成功",
            "resource": {"algorithm": "AEAD_AES_256_GCM", "ciphertext": base64.b64encode(ct).decode(),
                         "associated_data": aad, "original_type": "transaction", "nonce": nonce}}


def post_callback(env, ts=None, serial=None, signature=None, body=None, key=STATE + "/wechatpay_private.pem"):
    data = body if body is not None else json.dumps(env, ensure_ascii=False, separators=(",", ":")).encode()
    ts = str(int(time.time())) if ts is None else str(ts)
    nonce = secrets.token_hex(16)
    sig = signature if signature is not None else openssl_sign(f"{ts}\n{nonce}\n".encode() + data + b"\n", key)
    headers = {"Content-Type": "application/json", "Wechatpay-Timestamp": ts, "Wechatpay-Nonce": nonce,
               "Wechatpay-Signature": sig,
               "Wechatpay-Serial": serial or settings()["wechat.pay_public_key_id"]}
    return requests.post(HTTPS + "/pay/wechat/notify", data=data, headers=headers, verify=CA, timeout=10)


def wechat_member(openid, camp_id=None):
    """A browser inside WeChat that went through OAuth as openid (camp-sim's authorize page):
    the sealed openid cookie is Secure, so it speaks HTTPS from here on."""
    s = h5(wechat=True)
    r = s.get(HTTP + (f"/h5/camps/{camp_id}" if camp_id else "/h5/mine"), allow_redirects=False, timeout=10)
    assert r.status_code == 302, (r.status_code, r.text[:300])
    back = s.get(r.headers["Location"].split("#")[0] + "&sim_openid=" + openid, allow_redirects=False,
                 timeout=10)
    assert back.status_code in (301, 302), back.text[:300]
    done = s.get(back.headers["Location"], allow_redirects=False, timeout=10, verify=CA)
    assert done.status_code == 303, (done.status_code, done.text[:300])
    return s
