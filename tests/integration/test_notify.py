"""test_notify.py: the notify job sends the outbox through camp-sim's WeCom (app messages, robots packed
and paced per robot key)."""
import hashlib
import secrets

import requests

from conftest import HTTP, SIM, add_user, campctl
from sealing import seal_setting
from synclib import fault, sql, sync_camp


def seal(name, value):
    """secret_seal's format, independently (sealing.py)."""
    return seal_setting(name, value)


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


def test_a_burst_of_alerts_drains_in_one_run():
    """An alert to every admin of many camps (issue #16's reminders) must not hold back the
    next alert for minutes: one run takes batch after batch."""
    name, _ = add_user("admin")
    nobody = sql("SELECT id FROM system_user WHERE username = %s", name)[0][0]
    sql("INSERT INTO notification_message (recipient_type, recipient_id, message_type, title, content, channel)"
        " SELECT 'admin', %s, 'test_alert', '积压', '积压 ' || g, 'wechat' FROM generate_series(1, 450) g", nobody)
    uid, wid = admin_with_wecom()
    last = outbox("admin", uid, "积压之后 " + secrets.token_hex(4))
    run_notify()
    assert row(last)[0] == "sent"
    assert sql("SELECT count(*) FROM notification_message WHERE recipient_id = %s AND recipient_type = 'admin'"
               " AND send_status = 'pending'", nobody)[0][0] == 0


def test_admin_without_wecom_userid_fails_at_once():
    name, _ = add_user("admin")
    uid = sql("SELECT id FROM system_user WHERE username = %s", name)[0][0]
    nid = outbox("admin", uid, "无人接收")
    run_notify_until_handled(nid)
    status, tries, _, err = row(nid)
    assert status == "failed" and "userid" in err


def robot_camp(key):
    cid, _ = sync_camp()
    sql("UPDATE training_camp SET robot_webhook_key = %s WHERE id = %s", seal("camp.robot_webhook_key", key), cid)
    return cid


def robot_notice(cid, line, age="2 minutes"):
    """A refund notice as refund_apply queues it, `age` ago."""
    return sql("INSERT INTO notification_message (recipient_type, recipient_id, message_type, title, content,"
               " channel, camp_id, created_at) VALUES ('robot', %s, 'refund_success', '退款通知', %s, 'robot', %s,"
               " now() - %s::interval) RETURNING id", cid, line, cid, age)[0][0]


def hooks(key):
    return [e for e in sim_log("/cgi-bin/webhook/send") if key in e["path"]]


def test_robot_notices_of_a_camp_go_as_one_message_naming_everyone():
    key = "robot-" + secrets.token_hex(8)
    cid = robot_camp(key)
    ids = [robot_notice(cid, f"@学员{i:02d} 打卡天数：15/15天，退款金额：99.00元") for i in range(22)]
    run_notify()
    assert [row(i)[:2] for i in ids] == [("sent", 0)] * 22
    (hook,) = hooks(key)
    text = hook["request"]["markdown"]["content"]
    assert text.startswith("**【退款通知】**\n恭喜以下学员完成训练营打卡，押金已退回！")
    assert all(f"@学员{i:02d} " in text for i in range(22)) and hook["response"]["errcode"] == 0
    sent = sql("SELECT lines, bytes FROM robot_send_log WHERE camp_id = %s", cid)
    assert sent == [(22, len(text.encode()))]
    run_notify()                      # sent rows are never sent again
    assert len(hooks(key)) == 1


def test_a_growing_batch_waits_for_its_last_message():
    key = "robot-" + secrets.token_hex(8)
    cid = robot_camp(key)
    fresh = robot_notice(cid, "@刚退 打卡天数：15/15天，退款金额：99.00元", age="5 seconds")
    run_notify()
    assert row(fresh)[:2] == ("pending", 0) and hooks(key) == []    # more refunds may follow
    sql("UPDATE notification_message SET created_at = now() - interval '61 seconds' WHERE id = %s", fresh)
    run_notify()
    assert row(fresh)[0] == "sent" and len(hooks(key)) == 1


def test_robot_pacing_counts_per_key_not_per_camp():
    key = "robot-" + secrets.token_hex(8)
    a, b = robot_camp(key), robot_camp(key)              # two camps, one group robot
    other_key = "robot-" + secrets.token_hex(8)
    c = robot_camp(other_key)
    # 19 messages went to this robot in the last minute (from other camps)
    sql("INSERT INTO robot_send_log (key_sha256, camp_id, lines, bytes, sent_at)"
        " SELECT %s, NULL, 1, 10, now() FROM generate_series(1, 19)", hashlib.sha256(key.encode()).hexdigest())
    na, nb, nc = (robot_notice(x, f"@营{x} 打卡天数：15/15天，退款金额：99.00元") for x in (a, b, c))
    run_notify()
    states = {x: row(n) for x, n in ((a, na), (b, nb), (c, nc))}
    assert sorted(s[0] for s in (states[a], states[b])) == ["pending", "sent"]   # 20th, then the limit
    waiting = states[a] if states[a][0] == "pending" else states[b]
    assert waiting[1] == 0 and waiting[2] is True and waiting[3] is None       # deferred, not a failure
    assert states[c][0] == "sent"                                               # another robot, its own 20


def test_rows_for_other_senders_are_left_alone():
    cid, _ = sync_camp()
    nid = sql("INSERT INTO notification_message (recipient_type, recipient_id, message_type, title, content,"
              " channel) VALUES ('member', 1, 'test_alert', 't', 'c', 'sms') RETURNING id")[0][0]
    run_notify()
    assert row(nid)[:2] == ("pending", 0)


# ---- issue #13: errcode 0 is not "everyone got it" ------------------------------------

def wecom_users(**lists):
    r = requests.post(SIM + "/sim/wecom/users", json=lists, timeout=10)
    assert r.status_code == 200, r.text


def staff_alert(uids, content):
    return [outbox("admin", uid, content) for uid in uids]


def refusal(uid):
    return sql("SELECT wecom_invalid FROM system_user WHERE id = %s", uid)[0][0]


def test_invaliduser_and_unlicenseduser_got_nothing():
    good, good_wid = admin_with_wecom()
    ghost, ghost_wid = admin_with_wecom()
    nolic, nolic_wid = admin_with_wecom()
    wecom_users(invaliduser=[ghost_wid], unlicenseduser=[nolic_wid])
    try:
        text = "同一条告警 " + secrets.token_hex(4)
        ids = staff_alert([good, ghost, nolic], text)
        run_notify()
        # one message/send for the three (one notice), then per recipient what WeCom said
        sends = [e for e in sim_log("/cgi-bin/message/send")
                 if isinstance(e.get("request"), dict) and text in e["request"]["text"]["content"]]
        assert len(sends) == 1 and set(sends[0]["request"]["touser"].split("|")) == \
            {good_wid, ghost_wid, nolic_wid}
        assert sends[0]["response"]["errcode"] == 0
        assert row(ids[0])[0] == "sent"
        st, tries, _, err = row(ids[1])
        assert st == "failed" and ghost_wid in err and "invaliduser" in err
        st, _, _, err = row(ids[2])
        assert st == "failed" and nolic_wid in err and "unlicenseduser" in err
        assert (refusal(good), refusal(ghost), refusal(nolic)) == (None, "invaliduser", "unlicenseduser")
        # alone, an invalid recipient is WeCom's 81013: failed at once, no retries
        alone = staff_alert([ghost], "只发给他 " + secrets.token_hex(4))[0]
        run_notify()
        st, tries, _, err = row(alone)
        assert st == "failed" and tries == 1 and "invaliduser" in err
    finally:
        wecom_users(invaliduser=[], unlicenseduser=[])


def test_settings_page_names_staff_with_a_wrong_wecom_userid(as_role):
    ghost, wid = admin_with_wecom()
    name = sql("SELECT username FROM system_user WHERE id = %s", ghost)[0][0]
    wecom_users(invaliduser=[wid])
    try:
        staff_alert([ghost], "坏 userid " + secrets.token_hex(4))
        run_notify()
    finally:
        wecom_users(invaliduser=[])
    s = as_role("admin")
    html = s.get(HTTP + "/admin/settings", timeout=10).text
    box = html[html.index('id="wecom-refused"'):]
    box = box[:box.index("</table>")]
    assert name in box and wid in box and "invaliduser" in box
    assert f'href="/admin/users/{ghost}/edit"' in box
    # a corrected userid is no longer listed (and the next message reaches it)
    sql("UPDATE system_user SET wecom_userid = %s WHERE id = %s", wid + "x", ghost)
    assert refusal(ghost) is None
    html = s.get(HTTP + "/admin/settings", timeout=10).text
    listed = html.split('id="wecom-refused"')[1].split("</table>")[0] if 'id="wecom-refused"' in html else ""
    assert name not in listed
    ok = staff_alert([ghost], "好了 " + secrets.token_hex(4))[0]
    run_notify()
    assert row(ok)[0] == "sent"
