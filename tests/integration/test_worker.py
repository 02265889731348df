"""test_worker.py: camp-worker — lock, job_run, queue, SIGTERM, database outages, camp-status."""
import datetime
import os
import signal
import subprocess
import time
import uuid

import psycopg2
import pytest
import requests

from conftest import ENV, HTTP, campctl, dsn, pg_ctl, session_cookie

APP_BIN = ENV["CAMP_RUNTIME_DIR"] + "/app/bin/"


def proc_env():
    e = dict(os.environ)
    e.update(ENV)
    return e


def start_worker(*args):
    """A camp-worker of our own (daemon without args), output captured."""
    return subprocess.Popen([APP_BIN + "camp-worker", *args], env=proc_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def stop_worker(p, timeout=20):
    p.send_signal(signal.SIGTERM)
    out, err = p.communicate(timeout=timeout)
    return p.returncode, out, err


def connect():
    conn = psycopg2.connect(dsn())
    conn.autocommit = True
    return conn


def wait_for(pred, timeout, step=0.2):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return pred()


def q1(conn, sql, *args):
    with conn.cursor() as c:
        c.execute(sql, args)
        return c.fetchone()


def set_test_now(conn, value):
    with conn.cursor() as c:
        c.execute("INSERT INTO system_config (config_key, config_value) VALUES ('test.now', %s)"
                  " ON CONFLICT (config_key) DO UPDATE SET config_value = EXCLUDED.config_value",
                  (value,))


def clear_test_now(conn):
    with conn.cursor() as c:
        c.execute("DELETE FROM system_config WHERE config_key = 'test.now'")


def last_run(conn, job="camp-status"):
    return q1(conn, "SELECT id, outcome, detail, host, finished_at IS NOT NULL"
                    " FROM job_run WHERE job = %s ORDER BY id DESC LIMIT 1", job)


# ---------------------------------------------------------------- the CLI

def test_usage_lists_job_run_and_seed_demo():
    r = campctl(check=False)
    assert r.returncode == 2
    assert "campctl job run" in r.stderr and "seed-demo" in r.stderr


def test_unknown_job_is_refused():
    r = campctl("job", "run", "no-such-job", check=False)
    assert r.returncode == 2
    assert "unknown job" in r.stderr and "camp-status" in r.stderr


def test_job_run_records_a_successful_job_run():
    conn = connect()
    try:
        before = q1(conn, "SELECT COALESCE(max(id), 0) FROM job_run")[0]
        r = campctl("job", "run", "camp-status")
        assert r.returncode == 0
        assert "camp-status: success" in r.stdout
        rid, outcome, detail, host, finished = last_run(conn)
        assert rid > before
        assert outcome == "success" and finished and host
        assert "today" in detail and "started" in detail
    finally:
        conn.close()


def test_camp_worker_run_once_exits_zero():
    p = subprocess.run([APP_BIN + "camp-worker", "run", "camp-status"], env=proc_env(),
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert "success" in p.stdout


def test_cli_waits_for_the_lock_held_by_another():
    holder = connect()
    try:
        q1(holder, "SELECT pg_advisory_lock(hashtextextended('camp-job:camp-status', 0))")
        p = subprocess.Popen([APP_BIN + "campctl", "job", "run", "camp-status"], env=proc_env(),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(2.0)
        assert p.poll() is None, "campctl must wait while the lock is held"
        q1(holder, "SELECT pg_advisory_unlock(hashtextextended('camp-job:camp-status', 0))")
        out, err = p.communicate(timeout=30)
        assert p.returncode == 0, err
        assert "success" in out
    finally:
        holder.close()


# ---------------------------------------------------------------- camp-status

@pytest.fixture
def past_camp():
    """A camp of 2020-03-01..03 not started yet; only the moved clock reaches it."""
    conn = connect()
    name = "worker-test " + uuid.uuid4().hex[:8]
    cid = q1(conn, "INSERT INTO training_camp (name, deposit, start_date, end_date, total_days,"
                   " required_days, status) VALUES (%s, 9.90, '2020-03-01', '2020-03-03', 3, 2,"
                   " 'not_started') RETURNING id", name)[0]
    try:
        yield conn, cid
    finally:
        clear_test_now(conn)
        q1(conn, "UPDATE training_camp SET deleted_at = now() WHERE id = %s RETURNING id", cid)
        conn.close()


def status_of(conn, cid):
    return q1(conn, "SELECT status FROM training_camp WHERE id = %s", cid)[0]


def log_of(conn, cid):
    with conn.cursor() as c:
        c.execute("SELECT from_status, to_status, event, operator_id, remark FROM camp_status_log"
                  " WHERE camp_id = %s ORDER BY id", (cid,))
        return c.fetchall()


def test_camp_status_across_date_boundaries(past_camp):
    conn, cid = past_camp
    set_test_now(conn, "2020-02-29T23:59:59+08:00")
    assert campctl("job", "run", "camp-status").returncode == 0
    assert status_of(conn, cid) == "not_started"
    assert log_of(conn, cid) == []

    set_test_now(conn, "2020-03-01T00:05:00+08:00")
    assert campctl("job", "run", "camp-status").returncode == 0
    assert status_of(conn, cid) == "ongoing"
    log = log_of(conn, cid)
    assert [(f, t, e, op) for f, t, e, op, _ in log] == [("not_started", "ongoing", "START", None)]
    assert "2020-03-01" in log[0][4]

    # idempotent: a second run the same day changes nothing
    assert campctl("job", "run", "camp-status").returncode == 0
    assert len(log_of(conn, cid)) == 1

    set_test_now(conn, "2020-03-03T23:59:59+08:00")   # the last day still runs
    assert campctl("job", "run", "camp-status").returncode == 0
    assert status_of(conn, cid) == "ongoing"

    set_test_now(conn, "2020-03-04T00:00:30+08:00")
    assert campctl("job", "run", "camp-status").returncode == 0
    assert status_of(conn, cid) == "finished"
    log = log_of(conn, cid)
    assert [(f, t, e) for f, t, e, _, _ in log] == [
        ("not_started", "ongoing", "START"), ("ongoing", "finished", "END")]
    created = q1(conn, "SELECT max(created_at) FROM camp_status_log WHERE camp_id = %s", cid)[0]
    shanghai = datetime.timezone(datetime.timedelta(hours=8))
    assert created.astimezone(shanghai).date() == datetime.date(2020, 3, 4), \
        "log time comes from camp_now()"


def test_camp_status_jumps_both_steps_when_both_dates_passed(past_camp):
    conn, cid = past_camp
    set_test_now(conn, "2020-03-10T12:00:00+08:00")
    assert campctl("job", "run", "camp-status").returncode == 0
    assert status_of(conn, cid) == "finished"
    assert [e for _, _, e, _, _ in log_of(conn, cid)] == ["START", "END"]


# ---------------------------------------------------------------- the queue

def enqueue(conn, kind="camp-status", requested_by=None, run_after="-infinity", progress="{}"):
    return q1(conn, "INSERT INTO job_queue (kind, requested_by, run_after, progress)"
                    " VALUES (%s, %s, %s, %s::jsonb) RETURNING id",
              kind, requested_by, run_after, progress)[0]


def queue_state(conn, jid):
    return q1(conn, "SELECT state, result, error FROM job_queue WHERE id = %s", jid)


def test_two_workers_run_a_queued_job_once():
    conn = connect()
    workers = [start_worker(), start_worker()]
    try:
        jid = enqueue(conn)
        done = wait_for(lambda: queue_state(conn, jid)[0] in ("done", "failed"), 30)
        assert done, queue_state(conn, jid)
        state, result, error = queue_state(conn, jid)
        assert state == "done" and error is None
        assert "checked" in result
        # one run did the work; a worker that found the lock taken (by another
        # worker's start-up run) records a skip and puts the row back
        runs = q1(conn, "SELECT count(*) FILTER (WHERE outcome = 'success'),"
                        " count(*) FILTER (WHERE outcome NOT IN ('success', 'skipped'))"
                        " FROM job_run WHERE queue_id = %s", jid)
        assert runs == (1, 0)
        progress = q1(conn, "SELECT progress FROM job_queue WHERE id = %s", jid)[0]
        assert progress.get("done") == progress.get("total")
    finally:
        codes = [stop_worker(p)[0] for p in workers]
        conn.close()
    assert codes == [0, 0]


def test_unknown_queued_kind_fails_with_a_reason():
    conn = connect()
    try:
        jid = enqueue(conn, kind="no-such-job")
        assert wait_for(lambda: queue_state(conn, jid)[0] == "failed", 20)
        assert queue_state(conn, jid)[2]
    finally:
        conn.close()


def test_sigterm_stops_the_daemon_cleanly():
    p = start_worker()
    time.sleep(1.5)
    assert p.poll() is None
    code, _, err = stop_worker(p)
    assert code == 0, err
    assert "stopping" in err


def test_daemon_survives_the_database_going_away():
    p = start_worker()
    try:
        time.sleep(1.0)
        pg_ctl("stop")
        try:
            time.sleep(3.0)
            assert p.poll() is None, "the daemon must not exit while the database is down"
        finally:
            pg_ctl("start")
        conn = connect()
        try:
            jid = enqueue(conn)
            assert wait_for(lambda: queue_state(conn, jid)[0] == "done", 45), \
                queue_state(conn, jid)
        finally:
            conn.close()
        assert p.poll() is None
    finally:
        code, _, err = stop_worker(p)
    assert code == 0, err
    assert "database unavailable" in err and "database is back" in err


# ---------------------------------------------------------------- /admin/jobs/{id}

def make_user(role):
    name = f"w{role[:3]}_{uuid.uuid4().hex[:8]}"
    pwfile = ENV["CAMP_RUNTIME_DIR"] + f"/pw-{name}"
    with open(pwfile, "w") as f:
        f.write("worker-test-password\n")
    try:
        campctl("user", "add", name, "--role", role, "--password-file", pwfile)
    finally:
        os.unlink(pwfile)
    conn = connect()
    try:
        return q1(conn, "SELECT id, session_epoch FROM system_user WHERE username = %s", name)
    finally:
        conn.close()


def get_job(jid, user=None, json=True):
    cookies = session_cookie(*user) if user else {}
    headers = {"Accept": "application/json"} if json else {}
    return requests.get(f"{HTTP}/admin/jobs/{jid}", headers=headers, cookies=cookies,
                        allow_redirects=False, timeout=5)


def test_job_page_json_and_access_rules():
    coach, other_coach, manager = make_user("coach"), make_user("coach"), make_user("manager")
    conn = connect()
    # never due, so no worker takes it while we look
    jid = enqueue(conn, requested_by=coach[0], run_after="infinity",
                  progress='{"done": 2, "total": 5}')
    try:
        assert get_job(jid).status_code == 401
        r = get_job(jid, coach)
        assert r.status_code == 200
        assert r.json() == {"id": jid, "kind": "camp-status", "state": "queued",
                            "progress": {"done": 2, "total": 5}, "result": None, "error": None}
        assert get_job(jid, other_coach).status_code == 403
        assert get_job(jid, manager).status_code == 200
        assert get_job(jid + 1000000, manager).status_code == 404
        assert get_job("abc", manager).status_code == 404
        page = get_job(jid, coach, json=False)
        assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
        assert "排队中" in page.text and "job-progress.js" in page.text
        # a revoked session (epoch moved on) is no session
        assert get_job(jid, (coach[0], coach[1] + 1)).status_code == 401
    finally:
        q1(conn, "DELETE FROM job_queue WHERE id = %s RETURNING id", jid)
        conn.close()


def test_job_page_shows_the_result_of_a_finished_job():
    manager = make_user("manager")
    conn = connect()
    try:
        jid = enqueue(conn, requested_by=manager[0])
        assert wait_for(lambda: queue_state(conn, jid)[0] == "done", 30)
        r = get_job(jid, manager)
        assert r.status_code == 200
        body = r.json()
        assert body["state"] == "done" and body["result"]["checked"] >= 0
        page = get_job(jid, manager, json=False)
        assert "已完成" in page.text and "job-progress.js" not in page.text
    finally:
        conn.close()
