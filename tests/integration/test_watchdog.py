"""test_watchdog.py: the dead-man alerts (issue #17) — one test per condition, on the test clock.

Each test fixes the clock (test.now) at its own moment, each earlier than the one before: the
running camp-worker sees its clock go back and runs nothing scheduled meanwhile, and rows a test
seeds lie in the future of every later test's moment.
"""
import datetime
import itertools
import os
import secrets
import subprocess

import pytest
import requests

from conftest import ENV, HTTP, add_user, login, new_session
from paylib import make_camp, sql
from synclib import member
from test_binding import paid_order

APP = ENV["CAMP_RUNTIME_DIR"] + "/app"
SH = datetime.timezone(datetime.timedelta(hours=8))
# a year of its own per run (a kept instance runs the module again): no run sees another's rows;
# before 2000, earlier than every other module's clock (test_scale_out's job runs reach back to
# 2010 and would make "a new system gets a day" see an old installation)
_BASE = datetime.datetime(1999 - secrets.randbelow(20), 6, 30, 12, 3, tzinfo=SH)
_moments = itertools.count()


def set_now(t):
    sql("INSERT INTO system_config (config_key, config_value) VALUES ('test.now', %s)"
        " ON CONFLICT (config_key) DO UPDATE SET config_value = EXCLUDED.config_value", t.isoformat())


@pytest.fixture(autouse=True, scope="module")
def test_clock():
    yield
    sql("DELETE FROM system_config WHERE config_key = 'test.now'")


@pytest.fixture
def now():
    """A fixed moment, 30 days before the previous test's."""
    t = _BASE - datetime.timedelta(days=30 * next(_moments))
    set_now(t)
    return t


def ago(t, **kw):
    return (t - datetime.timedelta(**kw)).isoformat()


def run_watchdog(**env):
    e = dict(os.environ)
    e.update(ENV)
    e.update(env)
    r = subprocess.run([APP + "/bin/campctl", "job", "run", "watchdog"], env=e,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return r


def finding(condition, subject=""):
    rows = sql("SELECT ok, value, message FROM watchdog_status WHERE condition = %s AND subject = %s",
               condition, subject)
    assert rows, f"no figure for {condition} {subject}"
    ok, value, message = rows[0]
    return ok, -1 if value is None else value, message


def alerts(t, condition, subject=""):
    """Outbox rows of this alert on t's Shanghai day (one per recipient)."""
    return sql("SELECT count(*) FROM notification_message WHERE message_type = %s AND dedupe_key = %s",
               condition, f"watchdog:{condition}:{subject}:{t.date().isoformat()}")[0][0]


def job_run(job, finished, outcome="success"):
    sql("INSERT INTO job_run (job, started_at, finished_at, outcome, detail, host)"
        " VALUES (%s, %s::timestamptz - interval '1 second', %s, %s, '{}', 'test')",
        job, finished, finished, outcome)


# ---------------------------------------------------------------- jobs

def test_a_job_without_success_in_two_periods_alerts_once_a_day(now):
    job_run("expire-bindings", ago(now, hours=3))             # hourly: 3 h is stale
    job_run("expire-bindings", ago(now, minutes=20), "failed")  # a failure is no success
    job_run("camp-status", ago(now, hours=30))                # daily: 30 h is fine
    job_run("notify", ago(now, seconds=50))                   # every minute: fine
    run_watchdog()
    ok, value, msg = finding("job_stale", "expire-bindings")
    assert not ok and value == 3 * 3600
    assert "绑定超期处理" in msg and "已超过 2 小时" in msg
    assert finding("job_stale", "camp-status")[0] and finding("job_stale", "notify")[0]
    sent = alerts(now, "job_stale", "expire-bindings")
    assert sent >= 1
    assert alerts(now, "job_stale", "camp-status") == 0
    run_watchdog()                                             # the same day: nothing new
    assert alerts(now, "job_stale", "expire-bindings") == sent
    job_run("expire-bindings", ago(now, minutes=5))
    run_watchdog()
    assert finding("job_stale", "expire-bindings")[0]
    detail = sql("SELECT detail FROM job_run WHERE job = 'watchdog' AND started_at = %s"
                 " ORDER BY id DESC LIMIT 1", now.isoformat())[0][0]
    assert {"condition": "job_stale", "subject": "expire-bindings"} not in \
        [{k: p[k] for k in ("condition", "subject")} for p in detail["problems"]]


# ---------------------------------------------------------------- money

def refund(cid, execute_time):
    mid = member(cid, None, "退款中", paid=True)
    pid = paid_order(cid, mid, status="completed")
    return sql("INSERT INTO refund_record (camp_id, member_id, payment_id, refund_amount, refund_status,"
               " audit_status, out_refund_no, execute_time, next_retry_at)"
               " VALUES (%s, %s, %s, 99, 'processing', 'approved', %s, %s, 'infinity') RETURNING id",
               cid, mid, pid, "RFWD" + secrets.token_hex(8), execute_time)[0][0]


def test_refunds_processing_for_more_than_three_days(now):
    cid = make_camp()
    stuck, young = refund(cid, ago(now, days=4)), refund(cid, ago(now, days=2))
    try:
        run_watchdog()
        ok, value, msg = finding("refund_stuck")
        assert not ok and value == 1 and "超过 3 天" in msg
        assert alerts(now, "refund_stuck") >= 1
        # on the 工作台 of an admin, not of a coach; and in /metrics
        name, pw = add_user("admin")
        s = new_session()
        assert login(s, name, pw).status_code == 303
        page = s.get(HTTP + "/admin/", timeout=10).text
        assert "运行监控" in page and "1 笔退款处于“退款中”超过 3 天" in page
        name, pw = add_user("coach")
        c = new_session()
        assert login(c, name, pw).status_code == 303
        assert "运行监控" not in c.get(HTTP + "/admin/", timeout=10).text
        metrics = requests.get(HTTP + "/metrics", timeout=10).text
        assert 'camp_watchdog_ok{condition="refund_stuck",subject=""} 0' in metrics
        assert 'camp_watchdog_value{condition="refund_stuck",subject=""} 1' in metrics
        assert "camp_watchdog_checked_timestamp_seconds %d" % now.timestamp() in metrics
    finally:
        sql("UPDATE refund_record SET refund_status = 'closed', next_retry_at = NULL"
            " WHERE id IN (%s, %s)", stuck, young)
    run_watchdog()
    assert finding("refund_stuck")[:2] == (True, 0)


def pending(cid, expire):
    return sql("INSERT INTO payment_record (order_no, camp_id, pay_amount, pay_status, trade_type,"
               " time_expire, created_at) VALUES (%s, %s, 99, 'pending', 'NATIVE', %s,"
               " %s::timestamptz - interval '30 minutes') RETURNING id",
               "CPWD" + secrets.token_hex(8), cid, expire, expire)[0][0]


def test_expired_orders_not_closed_for_two_hours(now):
    cid = make_camp()
    old, recent = pending(cid, ago(now, hours=3)), pending(cid, ago(now, hours=1))
    try:
        run_watchdog()
        ok, value, msg = finding("order_unclosed")
        assert not ok and value == 1 and "2 小时" in msg
        assert alerts(now, "order_unclosed") >= 1
    finally:
        sql("UPDATE payment_record SET pay_status = 'closed' WHERE id IN (%s, %s)", old, recent)
    run_watchdog()
    assert finding("order_unclosed")[:2] == (True, 0)


def outbox(uid, created, status, retries):
    return sql("INSERT INTO notification_message (recipient_type, recipient_id, message_type, title,"
               " content, channel, send_status, retry_count, next_retry_at, created_at, error_message)"
               " VALUES ('admin', %s, 'test_alert', '测试', '监控测试', 'wechat', %s, %s, 'infinity', %s,"
               " 'errcode 60020') RETURNING id", uid, status, retries, created)[0][0]


def test_outbox_messages_failing_for_more_than_an_hour(now):
    uid = sql("SELECT id FROM system_user WHERE username = 'admin'")[0][0]
    ids = [outbox(uid, ago(now, hours=2), "pending", 2),       # failing for 2 h: counts
           outbox(uid, ago(now, hours=3), "failed", 5),        # given up, today: counts
           outbox(uid, ago(now, hours=2), "pending", 0),       # never tried yet (notify's business)
           outbox(uid, ago(now, minutes=30), "pending", 1),    # failing, but not for an hour
           outbox(uid, ago(now, days=2), "failed", 5)]         # an old failure was reported then
    # issue #16: a member the official account cannot reach is no outbox failure
    ids.append(sql("INSERT INTO notification_message (recipient_type, recipient_id, message_type, title,"
                   " content, channel, send_status, retry_count, created_at, error_message) VALUES"
                   " ('member', 0, 'join_remind', '请扫码进群', '监控测试', 'mp', 'failed', 1, %s,"
                   " '会员未关注公众号（43004）') RETURNING id", ago(now, hours=2))[0][0])
    try:
        run_watchdog()
        ok, value, msg = finding("outbox_failing")
        assert not ok and value == 2 and "1 小时" in msg
        assert alerts(now, "outbox_failing") >= 1
    finally:
        sql("UPDATE notification_message SET send_status = 'failed', next_retry_at = NULL"
            " WHERE id = ANY(%s)", ids)


# ---------------------------------------------------------------- backups

def backup_run(finished, outcome="verified", offsite="off", error=None):
    sql("INSERT INTO backup_run (finished_at, outcome, file_name, sha256, offsite, error, host)"
        " VALUES (%s, %s, 'camp-x.sql.gz', %s, %s, %s, 'test')",
        finished, outcome, None if outcome == "failed" else secrets.token_hex(32), offsite, error)


def test_backup_older_than_26_hours_or_unverified(now):
    run_watchdog()
    ok, _, msg = finding("backup_stale")
    assert ok and "未满 26 小时" in msg                      # a new system gets a day
    job_run("camp-status", ago(now, hours=30))                # running for 30 h, never backed up
    run_watchdog()
    ok, value, msg = finding("backup_stale")
    assert not ok and value == -1 and "没有任何" in msg
    first = alerts(now, "backup_stale")
    assert first >= 1
    backup_run(ago(now, hours=27))
    run_watchdog()
    ok, value, msg = finding("backup_stale")
    assert not ok and value == 27 * 3600 and "已超过 26 小时" in msg
    backup_run(ago(now, hours=2), offsite="copied")
    run_watchdog()
    ok, value, msg = finding("backup_stale")
    assert ok and value == 2 * 3600 and "复制到异地" in msg
    backup_run(ago(now, hours=1), outcome="failed", error="dumping the database failed (exit 1)")
    run_watchdog()
    ok, _, msg = finding("backup_stale")
    assert not ok and "最近一次备份失败" in msg and "dumping the database" in msg
    backup_run(ago(now, minutes=30), offsite="failed")
    run_watchdog()
    ok, _, msg = finding("backup_stale")
    assert not ok and "复制到异地失败" in msg
    assert alerts(now, "backup_stale") == first              # once a day, whatever the reason


def test_a_backup_recorded_by_campctl_is_seen(now):
    sha = secrets.token_hex(32)
    job_run("camp-status", ago(now, hours=30))
    r = subprocess.run([APP + "/bin/campctl", "backup", "record", "--outcome", "verified", "--file",
                        "camp-now.sql.gz", "--sha256", sha, "--bytes", "1234", "--offsite", "copied"],
                       env=dict(os.environ, **ENV), capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert sql("SELECT finished_at = %s::timestamptz FROM backup_run WHERE sha256 = %s",
               now.isoformat(), sha)[0][0], "recorded at camp_now()"
    run_watchdog()
    assert finding("backup_stale")[:2] == (True, 0)


# ---------------------------------------------------------------- disk

def test_database_volume_below_ten_percent(now, tmp_path):
    mnt = tmp_path / "vol"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)]).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        with open(mnt / "fill", "wb") as f:                  # a real, nearly full volume
            f.write(b"\0" * (960 * 1024))
        run_watchdog(CAMP_DB_DATA_DIR=str(mnt))
        ok, value, msg = finding("disk_low")
        assert not ok and 0 <= value < 100 and str(mnt) in msg and "低于 10%" in msg
        assert alerts(now, "disk_low") >= 1
    finally:
        subprocess.run(["umount", str(mnt)], check=True)
    try:
        # without CAMP_DB_DATA_DIR the worker asks PostgreSQL (same host, unix socket)
        run_watchdog()
        data_dir = sql("SHOW data_directory")[0][0]
        path, free_b, total = sql("SELECT path, free_bytes, total_bytes FROM db_volume")[0]
        assert path == data_dir
        st = os.statvfs(data_dir)
        assert total == st.f_blocks * st.f_frsize
        assert abs(free_b - st.f_bavail * st.f_frsize) < 64 * 1024 * 1024
        assert finding("disk_low")[1] == free_b * 1000 // total
    finally:
        sql("DELETE FROM db_volume")
    # nowhere to measure (a worker on another host than the database): said, not alerted
    run_watchdog(CAMP_DB_DATA_DIR=str(tmp_path / "not-here"))
    ok, value, msg = finding("disk_low")
    assert ok and value == -1 and "无法测量" in msg
