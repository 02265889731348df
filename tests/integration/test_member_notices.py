"""test_member_notices.py: the official-account channel to members (PROTOCOLS §2.1, issue #16) —
43004/40003/40037/45009 and a stale token through camp-sim's fault modes; a member who cannot be
reached sees the notice on the ticket and progress pages, staff see it on the camp's member tab
and the member's detail page."""
import datetime
import hashlib
import secrets

import requests

from conftest import HTTP, SIM, admin_password, login, new_session
from remindlib import (camp, enrolled, fault, member_channel, notices, real_clock_afterwards,  # noqa: F401
                       run, set_clock, sim_log, sql, templates_to)

NOW = "2020-03-06T10:00:00+08:00"
HOLD = "2099-01-01T00:00:00+08:00"


def queued(kind="join_remind", paid="2020-03-05T10:00:00+08:00", openid=True, nick=None):
    """A member of a fresh camp with one notice, held until due_now(): (camp, member, payment, openid).
    camp-worker runs notify every minute by itself; a notice becomes due only once the test has
    armed its fault, so the worker's run and the test's meet the same state."""
    cid = camp()
    mid, pid, oid = enrolled(cid, nick or "会员" + secrets.token_hex(2), paid, openid=openid)
    sql("INSERT INTO notification_message (recipient_type, recipient_id, message_type, title, content,"
        " camp_id, member_id, channel, dedupe_key, extra_data, created_at, next_retry_at) VALUES ('member',"
        " %s, %s, '请扫码进群', %s, %s, %s, 'mp', %s, '{\"url\": \"https://example.invalid/h5/mine\"}', %s, %s)",
        mid, kind, "内容 " + secrets.token_hex(4), cid, mid, kind, NOW, HOLD)
    return cid, mid, pid, oid


def due_now(*mids):
    """The held notices of these members due at once (one statement)."""
    sql("UPDATE notification_message SET next_retry_at = NULL WHERE recipient_type = 'member'"
        " AND recipient_id = ANY(%s) AND next_retry_at = %s", list(mids), HOLD)


def ticket(pid, cid, mid):
    token = "tk_" + secrets.token_hex(16)
    sql("INSERT INTO access_token (token_sha256, payment_id, camp_id, member_id, status, expires_at)"
        " VALUES (%s, %s, %s, %s, 'active', '2099-01-01')", hashlib.sha256(token.encode()).hexdigest(),
        pid, cid, mid)
    return token


def admin():
    s = new_session()
    assert login(s, "admin", admin_password()).status_code == 303
    return s


def test_not_following_is_unreachable_and_shown_to_the_member_and_to_staff():
    set_clock(NOW)
    cid, mid, pid, oid = queued(nick="没关注")
    fault("not-following", 1)
    due_now(mid)
    run("notify")
    (_, status, why, content, _), = notices(mid)
    assert status == "failed" and "未关注公众号（43004）" in why
    (attempt,) = templates_to(oid)
    assert attempt["response"]["errcode"] == 43004
    run("notify")                                        # failed for good: not tried again
    assert len(templates_to(oid)) == 1
    # the member's own pages show what could not be sent
    tok = ticket(pid, cid, mid)
    for path in (f"/h5/t/{tok}", f"/h5/t/{tok}/progress"):
        page = requests.get(HTTP + path, timeout=10)
        assert page.status_code == 200 and "给你的提醒" in page.text and content in page.text, path
    # staff: the camp's member tab lists the unreachable, the detail page the delivery state
    s = admin()
    tab = s.get(HTTP + f"/admin/camps/{cid}?tab=members", timeout=10).text
    assert "公众号通知未触达的会员" in tab and f'data-unreached-id="{mid}"' in tab and "43004" in tab
    detail = s.get(HTTP + f"/admin/members/{mid}", timeout=10).text
    assert "通知记录" in detail and "进群提醒" in detail and "未送达" in detail and "43004" in detail


def test_a_delivered_notice_is_not_repeated_on_the_members_pages():
    set_clock(NOW)
    cid, mid, pid, oid = queued()
    due_now(mid)
    run("notify")
    assert notices(mid)[0][1] == "sent"
    page = requests.get(HTTP + f"/h5/t/{ticket(pid, cid, mid)}", timeout=10).text
    assert "给你的提醒" not in page
    detail = admin().get(HTTP + f"/admin/members/{mid}", timeout=10).text
    assert "已送达" in detail and "公众号模板消息" in detail


def test_no_openid_is_unreachable_without_a_call():
    set_clock(NOW)
    cid, mid, _, _ = queued(openid=False)
    due_now(mid)
    run("notify")
    (_, status, why, _, _), = notices(mid)
    assert status == "failed" and "openid" in why


def test_invalid_openid_fails_for_good():
    set_clock(NOW)
    _, mid, _, oid = queued()
    fault("invalid-openid", 1)
    due_now(mid)
    run("notify")
    (_, status, why, _, _), = notices(mid)
    assert status == "failed" and "40003" in why


def test_bad_template_id_fails_and_alerts_admins_once_a_day():
    set_clock(NOW)
    before = sql("SELECT count(*) FROM notification_message WHERE message_type = 'member_notice_failed'")[0][0]
    _, m1, _, _ = queued()
    _, m2, _, _ = queued()
    fault("bad-template", 2)
    due_now(m1, m2)
    run("notify")
    assert [notices(m)[0][1] for m in (m1, m2)] == ["failed", "failed"]
    assert "40037" in notices(m1)[0][2]
    alerts = sql("SELECT content FROM notification_message WHERE message_type = 'member_notice_failed'"
                 " AND dedupe_key = 'member-notice:2020-03-06'")
    admins = sql("SELECT count(*) FROM system_user WHERE role = 'admin' AND status = 'active'"
                 " AND deleted_at IS NULL")[0][0]
    assert len(alerts) == admins and all("40037" in a[0] for a in alerts)   # once, not per member
    assert sql("SELECT count(*) FROM notification_message WHERE message_type = 'member_notice_failed'")[0][0] \
        == before + admins


def test_daily_limit_defers_the_rest_until_the_morning():
    set_clock(NOW)
    _, m1, _, o1 = queued()
    _, m2, _, o2 = queued()
    fault("rate-limit", 1)                               # 45009 on the next send
    due_now(m1, m2)                                      # both in whichever run sends first
    run("notify")
    rows = sql("SELECT send_status, retry_count, next_retry_at FROM notification_message"
               " WHERE recipient_type = 'member' AND recipient_id IN (%s, %s)", m1, m2)
    morning = datetime.datetime(2020, 3, 7, 8, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    assert [(s, n) for s, n, _ in rows] == [("pending", 0)] * 2
    assert all(t == morning for _, _, t in rows)         # not a failure: tomorrow, after the quiet hours
    set_clock("2020-03-06T23:00:00+08:00")
    run("notify")
    assert [notices(m)[0][1] for m in (m1, m2)] == ["pending", "pending"]
    set_clock("2020-03-07T08:00:00+08:00")
    run("notify")
    assert [notices(m)[0][1] for m in (m1, m2)] == ["sent", "sent"]
    assert templates_to(o2)[-1]["response"]["errcode"] == 0


def test_a_stale_token_is_fetched_again_once():
    set_clock(NOW)
    _, mid, _, oid = queued()
    fault("expired-cookie", 1)                           # 42001 on the next send
    due_now(mid)
    run("notify")
    assert notices(mid)[0][1] == "sent"
    tries = templates_to(oid)
    assert [t["response"]["errcode"] for t in tries] == [42001, 0]
    log = requests.get(SIM + "/sim/log", timeout=10).json()
    first, second = (log.index(t) for t in tries)
    assert any(e["path"].startswith("/cgi-bin/token?grant_type=client_credential") for e in log[first:second])


def test_sim_official_account_refuses_bad_credentials():
    from simlib import settings
    st = settings()
    bad = requests.get(SIM + "/cgi-bin/token", params={"grant_type": "client_credential",
                       "appid": st["wechat.pay_appid"], "secret": "wrong"}, timeout=5).json()
    assert bad["errcode"] == 40125
    ok = requests.get(SIM + "/cgi-bin/token", params={"grant_type": "client_credential",
                      "appid": st["wechat.pay_appid"], "secret": st["wechat.pay_app_secret"]}, timeout=5).json()
    assert ok["expires_in"] == 7200 and ok["access_token"]
    send = SIM + "/cgi-bin/message/template/send?access_token="
    body = {"touser": "oSimTest", "template_id": "tpl1", "data": {"first": {"value": "你好"}}}
    assert requests.post(send + "nope", json=body, timeout=5).json()["errcode"] == 40001
    r = requests.post(send + ok["access_token"], json=body, timeout=5).json()
    assert r["errcode"] == 0 and r["msgid"]
    assert requests.post(send + ok["access_token"], json=dict(body, touser=""), timeout=5).json()["errcode"] == 40003
    assert "oSimTest" in requests.get(SIM + "/sim/", timeout=5).text          # shown in the sim UI
    assert sim_log("/cgi-bin/message/template/send")[-1]["request"]["touser"] == ""
