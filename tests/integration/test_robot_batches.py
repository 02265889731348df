"""test_robot_batches.py: 1000 refunds of one batch reach the camp's group robot as at most 50
messages of at most 4096 bytes, every member named once (issue #16).  The refunds succeed through
the real callback path (signed REFUND.SUCCESS callbacks → refund_apply), with the test clock."""
import base64
import collections
import concurrent.futures as cf
import json
import secrets
import time

import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from conftest import CA, HTTPS
from remindlib import camp, member_channel, real_clock_afterwards, run, set_clock, sim_log, sql  # noqa: F401
from simlib import STATE, settings

N = 1000
T = "2020-03-25T10:00:00+08:00"
T_EPOCH = 1585101600            # T as Unix seconds


def refund_callback(sess, key, st, out_refund_no, refund_id):
    plain = {"mchid": st["wechat.pay_merchant_id"], "transaction_id": "4200" + secrets.token_hex(12),
             "out_trade_no": "CP" + out_refund_no, "refund_id": refund_id, "out_refund_no": out_refund_no,
             "refund_status": "SUCCESS", "success_time": T, "user_received_account": "支付用户零钱",
             "amount": {"total": 9900, "refund": 9900, "payer_total": 9900, "payer_refund": 9900}}
    nonce = secrets.token_hex(6)
    ct = AESGCM(st["wechat.pay_key"].encode()).encrypt(
        nonce.encode(), json.dumps(plain, ensure_ascii=False).encode(), b"refund")
    body = json.dumps({"id": "EV-" + secrets.token_hex(6), "create_time": T, "event_type": "REFUND.SUCCESS",
                       "resource_type": "encrypt-resource", "summary": "退款成功",
                       "resource": {"algorithm": "AEAD_AES_256_GCM", "original_type": "refund",
                                    "ciphertext": base64.b64encode(ct).decode(),
                                    "associated_data": "refund", "nonce": nonce}},
                      ensure_ascii=False, separators=(",", ":")).encode()
    ts, n = str(T_EPOCH), secrets.token_hex(16)
    sig = base64.b64encode(key.sign(f"{ts}\n{n}\n".encode() + body + b"\n", padding.PKCS1v15(),
                                    hashes.SHA256())).decode()
    r = sess.post(HTTPS + "/pay/wechat/refund-notify", data=body, timeout=30, headers={
        "Content-Type": "application/json", "Wechatpay-Timestamp": ts, "Wechatpay-Nonce": n,
        "Wechatpay-Signature": sig, "Wechatpay-Serial": st["wechat.pay_public_key_id"]})
    return r.status_code


def test_a_thousand_refunds_make_at_most_50_robot_messages_naming_everyone():
    set_clock(T)
    robot = "robot-" + secrets.token_hex(8)
    cid = camp(start="2020-02-01", end="2020-02-20", status="finished", robot_key=robot)
    sql("UPDATE training_camp SET paid_amount = %s WHERE id = %s", 99 * N, cid)
    # 1000 paid members whose refunds are being processed (not due for the refunds job)
    sql("WITH m AS (INSERT INTO camp_member (camp_id, filled_planet_nickname, filled_wechat_nickname, paid, paid_at)"
        "           SELECT %s, '退款学员' || lpad(g::text, 4, '0'), 'w' || g, true, '2020-02-01'"
        "             FROM generate_series(1, %s) g RETURNING id),"
        "     p AS (INSERT INTO payment_record (order_no, camp_id, member_id, pay_amount, trade_type, pay_status,"
        "             pay_time, wechat_transaction_id, bind_status, bind_method)"
        "           SELECT 'CPB' || m.id, %s, m.id, 99, 'NATIVE', 'success', '2020-02-01', '4200B' || m.id,"
        "                  'completed', 'h5_bindplanet' FROM m RETURNING id, member_id)"
        " INSERT INTO refund_record (camp_id, member_id, payment_id, refund_amount, refund_status, audit_status,"
        "                            out_refund_no, next_retry_at)"
        " SELECT %s, p.member_id, p.id, 99, 'processing', 'approved', 'RFB' || p.id, '2030-01-01' FROM p",
        cid, N, cid, cid)
    nos = [r[0] for r in sql("SELECT out_refund_no FROM refund_record WHERE camp_id = %s", cid)]
    assert len(nos) == N

    st = settings()
    with open(STATE + "/wechatpay_private.pem", "rb") as f:
        key = serialization.load_pem_private_key(f.read(), password=None)
    sess = requests.Session()
    sess.verify = CA
    with cf.ThreadPoolExecutor(8) as ex:
        codes = list(ex.map(lambda no: refund_callback(sess, key, st, no, "50" + secrets.token_hex(10)), nos))
    assert collections.Counter(codes) == {204: N}
    assert sql("SELECT count(*) FROM refund_record WHERE camp_id = %s AND refund_status = 'success'", cid)[0][0] == N
    assert sql("SELECT refunded_amount::text FROM training_camp WHERE id = %s", cid)[0][0] == f"{99 * N}.00"
    rows = sql("SELECT count(*) FROM notification_message WHERE recipient_type = 'robot' AND recipient_id = %s",
               cid)[0][0]
    assert rows == N                                      # one notice per refund, as before

    run("notify")                                         # the batch just grew: full messages only
    set_clock("2020-03-25T10:02:00+08:00")
    run("notify")                                         # settled: the last one too
    left = sql("SELECT count(*) FROM notification_message WHERE recipient_type = 'robot'"
               " AND recipient_id = %s AND send_status <> 'sent'", cid)[0][0]
    assert left == 0

    msgs = [e for e in sim_log("/cgi-bin/webhook/send") if robot in e["path"]]
    assert 1 <= len(msgs) <= 50, len(msgs)
    texts = [e["request"]["markdown"]["content"] for e in msgs]
    assert all(e["response"]["errcode"] == 0 for e in msgs)
    assert all(len(t.encode()) <= 4096 and t.startswith("**【退款通知】**") for t in texts)
    named = collections.Counter(line.split(" ")[0] for t in texts for line in t.split("\n")[2:])
    assert len(named) == N and set(named.values()) == {1}, "every member named exactly once"
    assert named["@退款学员0001"] == 1 and named["@退款学员1000"] == 1
    logged = sql("SELECT count(*), sum(lines) FROM robot_send_log WHERE camp_id = %s", cid)[0]
    assert logged == (len(msgs), N)
