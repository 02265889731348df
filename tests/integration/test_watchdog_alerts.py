"""test_watchdog_alerts.py: the staff alerts of camp-worker's own checks (issue #15: a test per alert
type) — the watchdog's conditions (issue #17), the platform certificates' expiry (issue #13) and the
books (issue #14) — go to the chosen staff and obey their switch.

It runs late on purpose, next to test_watchdog.py and before test_worker.py: the watchdog's conditions
are set up at moments of their own on the test clock, and when the clock comes back the running
camp-worker catches up on its daily jobs (a sync of every camp, which alerts); that is better after
the tests that count the outbox.
"""
import datetime
import itertools
import json
import os
import pathlib
import secrets
import subprocess
import tempfile

import pytest
import requests

from conftest import ENV, SIM
from consolelib import camps_end_with_the_module, paid_member
from paylib import make_camp, sql
from test_alerts import chosen_staff_and_switch

assert camps_end_with_the_module  # autouse fixture, imported to apply here


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


TRIGGERS = {"wxpay_cert_expiring": trigger_wxpay_cert_expiring,
            "job_stale": trigger_job_stale, "backup_stale": trigger_backup_stale,
            "refund_stuck": trigger_refund_stuck, "order_unclosed": trigger_order_unclosed,
            "outbox_failing": trigger_outbox_failing, "disk_low": trigger_disk_low}
SEPARATE = {"books_mismatch"}   # in a scratch database of its own, below


@pytest.mark.parametrize("kind", sorted(TRIGGERS))
def test_worker_alert_goes_to_the_chosen_staff_and_obeys_its_switch(kind):
    chosen_staff_and_switch(kind, TRIGGERS[kind])


def test_books_mismatch_goes_to_the_chosen_staff_and_obeys_its_switch():
    """The books run in a scratch database (issue #14): its own settings, its own outbox."""
    from test_books import Scratch, day
    box = Scratch()
    try:
        with tempfile.NamedTemporaryFile("w", suffix=".pw") as f:
            f.write("coach-password-123\n")
            f.flush()
            os.chmod(f.name, 0o644)
            assert box.ctl("user", "add", "books_coach", "--role", "coach", "--password-file", f.name).returncode == 0
        coach = box.sql("SELECT id FROM system_user WHERE username = 'books_coach'")[0][0]
        assert box.ctl("config", "set", "notification.admin_users", json.dumps([coach])).returncode == 0
        camp = box.camp()    # a camp counter a fen off: the books differ, whatever the day's bill
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
