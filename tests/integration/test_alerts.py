"""test_alerts.py: staff alerts go to the configured recipients, honour each type's switch, and
a once-key never repeats (src/domain/alerts.c, exercised through expire-bindings and settings)."""
import datetime
import itertools
import json
import os
import pathlib
import re
import secrets
import subprocess
import tempfile
import time

from conftest import ENV, HTTP, ROOT, SIM, add_user, campctl
from synclib import member, sql, sync_camp, today
from test_binding import paid_order


def staff(role="admin"):
    name, _ = add_user(role)
    return sql("SELECT id FROM system_user WHERE username = %s", name)[0][0]


def alerts_for(member_id):
    return sorted(r[0] for r in sql("SELECT recipient_id FROM notification_message"
                                    " WHERE message_type = 'bind_manual_review' AND member_id = %s",
                                    member_id))


def expire_one():
    cid, _ = sync_camp()
    mid = member(cid, None, "超期", paid=True)
    paid_order(cid, mid)
    r = campctl("job", "run", "expire-bindings", check=False)
    assert r.returncode == 0, r.stderr
    return mid


def restore():
    campctl("config", "set", "notification.admin_users", "[]")
    campctl("config", "set", "notification.alerts_off", "[]")


def test_listed_recipients_only_then_every_admin_when_the_list_is_empty():
    a, coach = staff("admin"), staff("coach")
    try:
        campctl("config", "set", "notification.admin_users", json.dumps([coach]))
        assert alerts_for(expire_one()) == [coach]
        campctl("config", "set", "notification.admin_users", "[]")
        admins = sorted(r[0] for r in sql("SELECT id FROM system_user WHERE role = 'admin'"
                                          " AND status = 'active' AND deleted_at IS NULL"))
        got = alerts_for(expire_one())
        assert a in got and coach not in got and got == admins
    finally:
        restore()


def test_a_switched_off_type_is_not_queued_and_others_still_are():
    try:
        campctl("config", "set", "notification.alerts_off", '["bind_manual_review"]')
        assert alerts_for(expire_one()) == []
        campctl("config", "set", "notification.alerts_off", '["sync_failed"]')
        assert alerts_for(expire_one()) != []
    finally:
        restore()


def test_alerts_off_refuses_unknown_and_unswitchable_types():
    for bad in ('["no_such_alert"]', '["config_changed"]', '{"a": 1}', "sync_failed"):
        r = campctl("config", "set", "notification.alerts_off", bad, check=False)
        assert r.returncode != 0 and "告警类型" in r.stderr, (bad, r.stderr)
    assert campctl("config", "get", "notification.alerts_off").stdout.strip() == "[]"


def test_once_key_is_unique_per_recipient():
    uid = staff("admin")
    sql("INSERT INTO notification_message (recipient_type, recipient_id, message_type, title, content,"
        " channel, dedupe_key) VALUES ('admin', %s, 'sync_failed', 't', 'c', 'wechat', 'k:2026-11-30')", uid)
    sql("INSERT INTO notification_message (recipient_type, recipient_id, message_type, title, content,"
        " channel, dedupe_key) VALUES ('admin', %s, 'sync_failed', 't', 'c', 'wechat', 'k:2026-11-30')"
        " ON CONFLICT (recipient_type, recipient_id, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING", uid)
    assert sql("SELECT count(*) FROM notification_message WHERE recipient_id = %s"
               " AND dedupe_key = 'k:2026-11-30'", uid)[0][0] == 1


# --- issue #15: every alert type honours its switch and the recipients (one test per type) ---------

import pytest  # noqa: E402
import requests  # noqa: E402
from consolelib import camps_end_with_the_module, finished_camp, paid_member  # noqa: E402
from consolelib import staff as signed_in_staff  # noqa: E402

assert camps_end_with_the_module  # autouse fixture, imported to apply here
from paylib import enroll, h5, make_camp  # noqa: E402
from synclib import checkin, fault, planet_id, run_sync  # noqa: E402


def since(marker, kind):
    return sorted(r[0] for r in sql("SELECT recipient_id FROM notification_message WHERE message_type = %s"
                                    " AND id > %s", kind, marker))


def marker():
    return sql("SELECT COALESCE(max(id), 0) FROM notification_message")[0][0]


def trigger_sync_failed():
    cid, proj = sync_camp()
    checkin(proj, planet_id(), "同步失败", date=today(-1))
    fault("500", 3)
    try:
        assert run_sync(cid)[0] == "failed"
    finally:
        fault("ok", 0)


def trigger_cookie_expired():
    cid, proj = sync_camp()
    checkin(proj, planet_id(), "过期", date=today(-1))
    fault("expired-cookie", 100)
    try:
        assert run_sync(cid)[0] == "failed"
    finally:
        fault("ok", 0)


def trigger_refund_failed():
    cid = finished_camp(required=10)
    mid, pid = paid_member(cid, days=10)
    rid = sql("INSERT INTO refund_record (camp_id, member_id, payment_id, refund_amount, refund_status,"
              " audit_status) SELECT camp_id, member_id, id, pay_amount, 'approved', 'approved'"
              " FROM payment_record WHERE id = %s RETURNING id", pid)[0][0]
    fault("500", 50, service="wechatpay")
    try:
        for _ in range(4):
            campctl("job", "run", "refunds", check=False)
            sql("UPDATE refund_record SET next_retry_at = NULL WHERE id = %s AND refund_status = 'processing'", rid)
    finally:
        fault("ok", 0, service="wechatpay")
    assert sql("SELECT refund_status FROM refund_record WHERE id = %s", rid)[0][0] == "failed"


def trigger_bind_manual_review():
    expire_one()


def trigger_planet_id_claimed():
    cid = make_camp()
    mid, _ = paid_member(cid, days=0)
    taken = sql("SELECT filled_planet_user_id FROM camp_member WHERE id = %s", mid)[0][0]
    r = enroll(h5(), cid, taken)
    assert r.status_code == 409 and "该星球ID已报名" in r.text


def trigger_wxpay_cert_expiring():
    """WeChat Pay lists one platform certificate, three days from expiry, and nothing newer."""
    from test_wxpay_certs import forget_certs, run_certs
    try:
        r = requests.post(SIM + "/sim/wechatpay/certificates", json={"valid_days": 3, "keep_old": False},
                          timeout=10)
        assert r.status_code == 200, r.text
        forget_certs()
        run_certs()
    finally:
        requests.post(SIM + "/sim/reset", timeout=10)
        forget_certs()
        run_certs()


# The watchdog's conditions (issue #17), each at a moment of its own on the test clock, years before
# the ones test_watchdog.py uses: the running camp-worker sees its clock go back and runs nothing.
SH = datetime.timezone(datetime.timedelta(hours=8))
_BASE = datetime.datetime(1985 - secrets.randbelow(5), 3, 15, 12, 0, tzinfo=SH)
_moments = itertools.count()


def at_moment(seed, **env):
    """Seeds a condition at a fresh moment, runs the watchdog there, undoes the seed."""
    t = _BASE - datetime.timedelta(days=3 * next(_moments))
    sql("INSERT INTO system_config (config_key, config_value) VALUES ('test.now', %s)"
        " ON CONFLICT (config_key) DO UPDATE SET config_value = EXCLUDED.config_value", t.isoformat())
    undo = None
    try:
        undo = seed(t)
        e = dict(os.environ, **ENV, **env)
        r = subprocess.run([ENV["CAMP_RUNTIME_DIR"] + "/app/bin/campctl", "job", "run", "watchdog"],
                           env=e, capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
    finally:
        if undo:
            undo()
        sql("DELETE FROM system_config WHERE config_key = 'test.now'")


def ago(t, **kw):
    return (t - datetime.timedelta(**kw)).isoformat()


def job_run(job, finished):
    sql("INSERT INTO job_run (job, started_at, finished_at, outcome, detail, host)"
        " VALUES (%s, %s::timestamptz - interval '1 second', %s, 'success', '{}', 'test')", job, finished, finished)


def trigger_job_stale():
    at_moment(lambda t: job_run("expire-bindings", ago(t, hours=3)))          # hourly: 3 h is stale


def trigger_backup_stale():
    at_moment(lambda t: job_run("camp-status", ago(t, hours=30)))             # 30 h up, never backed up


def trigger_refund_stuck():
    def seed(t):
        cid = make_camp()
        mid, pid = paid_member(cid, days=0)
        rid = sql("INSERT INTO refund_record (camp_id, member_id, payment_id, refund_amount, refund_status,"
                  " audit_status, out_refund_no, execute_time, next_retry_at)"
                  " VALUES (%s, %s, %s, 99, 'processing', 'approved', %s, %s, 'infinity') RETURNING id",
                  cid, mid, pid, "RFAL" + secrets.token_hex(8), ago(t, days=4))[0][0]
        return lambda: sql("UPDATE refund_record SET refund_status = 'closed', next_retry_at = NULL"
                           " WHERE id = %s", rid)
    at_moment(seed)


def trigger_order_unclosed():
    def seed(t):
        pid = sql("INSERT INTO payment_record (order_no, camp_id, pay_amount, pay_status, trade_type,"
                  " time_expire, created_at) VALUES (%s, %s, 99, 'pending', 'NATIVE', %s,"
                  " %s::timestamptz - interval '30 minutes') RETURNING id",
                  "CPAL" + secrets.token_hex(8), make_camp(), ago(t, hours=3), ago(t, hours=3))[0][0]
        return lambda: sql("UPDATE payment_record SET pay_status = 'closed' WHERE id = %s", pid)
    at_moment(seed)


def trigger_outbox_failing():
    def seed(t):
        uid = sql("SELECT id FROM system_user WHERE username = 'admin'")[0][0]
        nid = sql("INSERT INTO notification_message (recipient_type, recipient_id, message_type, title,"
                  " content, channel, send_status, retry_count, next_retry_at, created_at, error_message)"
                  " VALUES ('admin', %s, 'test_alert', '测试', '告警测试', 'wechat', 'pending', 2, 'infinity',"
                  " %s, 'errcode 60020') RETURNING id", uid, ago(t, hours=2))[0][0]
        return lambda: sql("UPDATE notification_message SET send_status = 'failed', next_retry_at = NULL"
                           " WHERE id = %s", nid)
    at_moment(seed)


def trigger_disk_low():
    mnt = pathlib.Path(tempfile.mkdtemp(prefix="camp-alert-vol-"))
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)]).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        (mnt / "fill").write_bytes(b"\0" * (960 * 1024))      # a real, nearly full volume
        at_moment(lambda t: None, CAMP_DB_DATA_DIR=str(mnt))
    finally:
        subprocess.run(["umount", str(mnt)], check=True)
        mnt.rmdir()


TRIGGERS = {"sync_failed": trigger_sync_failed, "cookie_expired": trigger_cookie_expired,
            "refund_failed": trigger_refund_failed, "bind_manual_review": trigger_bind_manual_review,
            "planet_id_claimed": trigger_planet_id_claimed,
            "wxpay_cert_expiring": trigger_wxpay_cert_expiring,
            "job_stale": trigger_job_stale, "backup_stale": trigger_backup_stale,
            "refund_stuck": trigger_refund_stuck, "order_unclosed": trigger_order_unclosed,
            "outbox_failing": trigger_outbox_failing, "disk_low": trigger_disk_low}
# books_mismatch runs in a scratch database of its own: its test is below


def test_every_switchable_alert_type_has_its_test_here():
    from_c = re.findall(r'\{ "([a-z_]+)", "[^"]+", 0 \}', (ROOT / "src/domain/alerts.c").read_text())
    assert set(from_c) == set(TRIGGERS) | {"books_mismatch"}, from_c


def configure(key, value):
    """A setting every process (camp-worker too) sees: they re-read settings within 2 s."""
    campctl("config", "set", key, value)
    time.sleep(2.2)


@pytest.mark.parametrize("kind", sorted(TRIGGERS))
def test_alert_type_goes_to_the_chosen_staff_and_obeys_its_switch(kind):
    coach = staff("coach")
    try:
        configure("notification.admin_users", json.dumps([coach]))
        m = marker()
        TRIGGERS[kind]()
        got = since(m, kind)
        assert got and set(got) == {coach}, got
        configure("notification.alerts_off", json.dumps([kind]))
        m = marker()
        TRIGGERS[kind]()
        assert since(m, kind) == []
    finally:
        restore()


def test_config_changed_is_always_on_and_goes_to_every_admin():
    """A security notice: no switch, and every active 超级管理员 hears of it whatever the list says."""
    coach = staff("coach")
    s = signed_in_staff("admin")
    try:
        configure("notification.admin_users", json.dumps([coach]))
        m = marker()
        tok = re.search(r'name="_csrf" value="([0-9a-f]{64})"', s.get(HTTP + "/admin/settings", timeout=10).text)
        r = s.post(HTTP + "/admin/settings", data={
            "_csrf": tok.group(1), "group": "微信支付", "confirm_password": s.password,
            "wechat.pay_merchant_id": campctl("config", "get", "wechat.pay_merchant_id").stdout.strip() + "9"},
            allow_redirects=False, timeout=10)
        assert r.status_code == 303
        admins = sorted(x[0] for x in sql("SELECT id FROM system_user WHERE role = 'admin' AND status = 'active'"
                                          " AND deleted_at IS NULL"))
        assert since(m, "config_changed") == admins and coach not in admins
    finally:
        restore()
        configure("wechat.pay_merchant_id", campctl("config", "get", "wechat.pay_merchant_id").stdout.strip()[:-1])


def test_books_mismatch_goes_to_the_chosen_staff_and_obeys_its_switch():
    """The books run in a scratch database (issue #14): its own settings, its own outbox."""
    from test_books import Scratch, day, reset_sim
    reset_sim()
    box = Scratch()
    try:
        with tempfile.NamedTemporaryFile("w", suffix=".pw") as f:
            f.write("coach-password-123\n")
            f.flush()
            os.chmod(f.name, 0o644)
            assert box.ctl("user", "add", "books_coach", "--role", "coach", "--password-file", f.name).returncode == 0
        coach = box.sql("SELECT id FROM system_user WHERE username = 'books_coach'")[0][0]
        assert box.ctl("config", "set", "notification.admin_users", json.dumps([coach])).returncode == 0
        camp = box.camp()
        box.sql("UPDATE training_camp SET paid_amount = paid_amount + 0.01 WHERE id = %s", camp)
        assert box.books(day())[0] == 1
        got = box.sql("SELECT recipient_id FROM notification_message WHERE message_type = 'books_mismatch'")
        assert got == [(coach,)]
        box.sql("DELETE FROM notification_message WHERE message_type = 'books_mismatch'")   # once a day
        assert box.ctl("config", "set", "notification.alerts_off", '["books_mismatch"]').returncode == 0
        assert box.books(day())[0] == 1
        assert box.sql("SELECT count(*) FROM notification_message WHERE message_type = 'books_mismatch'") == [(0,)]
    finally:
        box.close()
