"""test_notify.py: the notify job sends the outbox through camp-sim's WeCom (app messages, robots)."""
import base64
import os
import pathlib
import secrets

import requests
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from conftest import ENV, SIM, _hkdf_sha256, add_user, campctl
from synclib import fault, sql, sync_camp


def seal(name, value):
    """secret_seal's format, independently: v1: + base64(iv || AES-256-GCM(value, aad=name))."""
    raw = pathlib.Path(ENV["CAMP_MASTER_KEY_FILE"]).read_bytes()
    if raw.endswith(b"\n"):
        raw = raw[:-1]
    key = _hkdf_sha256(raw, b"camp-config-v1")
    iv = os.urandom(12)
    return "v1:" + base64.b64encode(iv + AESGCM(key).encrypt(iv, value.encode(), name.encode())).decode()


def admin_with_wecom():
    name, _ = add_user("admin")
    wid = "wx" + secrets.token_hex(5)
    uid = sql("UPDATE system_user SET wecom_userid = %s WHERE username = %s RETURNING id", wid, name)[0][0]
    return uid, wid


def outbox(recipient_type, recipient_id, content, channel="wechat", camp_id=None):
    return sql("INSERT INTO notification_message (recipient_type, recipient_id, message_type, title, content,"
               " channel, camp_id) VALUES (%s, %s, 'test_alert', '测试提醒', %s, %s, %s) RETURNING id",
               recipient_type, recipient_id, content, channel, camp_id)[0][0]


def row(nid):
    return sql("SELECT send_status, retry_count, next_retry_at IS NOT NULL, error_message"
               " FROM notification_message WHERE id = %s", nid)[0]


def sim_log(path):
    return [e for e in requests.get(SIM + "/sim/log", timeout=10).json() if e["path"].startswith(path)]


def run_notify():
    r = campctl("job", "run", "notify", check=False)
    assert r.returncode == 0, r.stderr


def run_notify_until_handled(nid, runs=60):
    """One run takes the 200 oldest due rows: when earlier tests left a backlog (a sync of every
    camp failing alerts every admin), the row waits its turn — run again until it is handled."""
    for _ in range(runs):
        run_notify()
        status, tries, later, _ = row(nid)
        if status != "pending" or tries > 0 or later:
            return


def test_app_message_reaches_the_admin():
    uid, wid = admin_with_wecom()
    text = "同步失败 " + secrets.token_hex(4)
    nid = outbox("admin", uid, text)
    run_notify_until_handled(nid)
    assert row(nid)[0] == "sent"
    sends = [e for e in sim_log("/cgi-bin/message/send")
             if isinstance(e.get("request"), dict) and e["request"].get("touser") == wid]
    assert sends and text in sends[-1]["request"]["text"]["content"]
    assert sends[-1]["response"]["errcode"] == 0


def test_failures_back_off_then_give_up_after_five_tries():
    uid, _ = admin_with_wecom()
    nid = outbox("admin", uid, "退避 " + secrets.token_hex(4))
    fault("500", 20, service="wecom")
    try:
        run_notify_until_handled(nid)
        status, tries, later, err = row(nid)
        assert (status, tries, later) == ("pending", 1, True) and err
        run_notify()                   # not due yet: untouched
        assert row(nid)[1] == 1
        sql("UPDATE notification_message SET retry_count = 4, next_retry_at = now() - interval '1 second'"
            " WHERE id = %s", nid)
        run_notify()
        assert row(nid)[:2] == ("failed", 5)
    finally:
        fault("ok", 0, service="wecom")


def test_admin_without_wecom_userid_fails_at_once():
    name, _ = add_user("admin")
    uid = sql("SELECT id FROM system_user WHERE username = %s", name)[0][0]
    nid = outbox("admin", uid, "无人接收")
    run_notify_until_handled(nid)
    status, tries, _, err = row(nid)
    assert status == "failed" and "userid" in err


def test_robot_messages_are_paced_per_camp():
    cid, _ = sync_camp()
    key = "robot-" + secrets.token_hex(8)
    sql("UPDATE training_camp SET robot_webhook_key = %s WHERE id = %s", seal("camp.robot_webhook_key", key), cid)
    ids = [outbox("robot", cid, f"退款成功 {i}", channel="robot", camp_id=cid) for i in range(22)]
    run_notify_until_handled(ids[-1])
    states = [row(i)[0] for i in ids]
    assert states.count("sent") == 20 and states.count("pending") == 2
    assert all(row(i)[1] == 0 for i in ids)      # deferred, not failed
    hooks = [e for e in sim_log("/cgi-bin/webhook/send") if key in e["path"]]
    assert len(hooks) == 20 and all(e["response"]["errcode"] == 0 for e in hooks)


def test_rows_for_other_senders_are_left_alone():
    cid, _ = sync_camp()
    nid = sql("INSERT INTO notification_message (recipient_type, recipient_id, message_type, title, content,"
              " channel) VALUES ('member', 1, 'test_alert', 't', 'c', 'sms') RETURNING id")[0][0]
    run_notify()
    assert row(nid)[:2] == ("pending", 0)
