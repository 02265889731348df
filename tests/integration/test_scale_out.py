"""test_scale_out.py: several camp-worker processes against one database (issue #17).

Two workers of our own join the test instance's worker: every scheduled slot runs once, however
many workers reach it, and no queued job is processed twice.  Their logs also show that every job
line carries the job run id.
"""
import datetime
import os
import re
import secrets
import signal
import subprocess
import time

import pytest

from conftest import ENV
from paylib import sql

APP = ENV["CAMP_RUNTIME_DIR"] + "/app"
SH = datetime.timezone(datetime.timedelta(hours=8))


def set_now(t):
    sql("INSERT INTO system_config (config_key, config_value) VALUES ('test.now', %s)"
        " ON CONFLICT (config_key) DO UPDATE SET config_value = EXCLUDED.config_value", t.isoformat())


def clear_now():
    sql("DELETE FROM system_config WHERE config_key = 'test.now'")


@pytest.fixture
def workers(tmp_path):
    """Starts n camp-worker daemons logging into tmp_path; stops them (exit 0) afterwards."""
    started = []

    def start(n):
        for i in range(n):
            log = tmp_path / f"worker{i}.log"
            f = open(log, "w")
            e = dict(os.environ)
            e.update(ENV)
            p = subprocess.Popen([APP + "/bin/camp-worker"], env=e, stdout=f, stderr=subprocess.STDOUT)
            started.append((p, f, log))
        return [log for _, _, log in started]
    yield start
    codes = []
    for p, f, _ in started:
        p.send_signal(signal.SIGTERM)
        codes.append(p.wait(timeout=60))
        f.close()
    clear_now()
    assert codes == [0] * len(codes)


def wait_until(pred, timeout, what):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return
        time.sleep(0.2)
    assert pred(), what


def handled(log, job, slot):
    """This worker ran the slot or found it taken (both lines name the slot)."""
    text = log.read_text()
    return (f"job {job}: slot {slot.isoformat()} claimed" in text or
            f"job {job}: slot {slot.isoformat()} already claimed by another worker" in text)


def runs_at(job, t):
    return sql("SELECT count(*) FROM job_run WHERE job = %s AND queue_id IS NULL AND started_at = %s",
               job, t.isoformat())[0][0]


def test_each_scheduled_slot_runs_once_however_many_workers(workers):
    # a clock far behind everything: every worker sees it go back and only then moves on
    # (a day of its own per run: a kept instance's earlier runs left their slots behind)
    t0 = datetime.datetime(2018, 5, 31, 10, 39, 30, tzinfo=SH) - \
        datetime.timedelta(days=secrets.randbelow(3000))
    set_now(t0)
    logs = workers(2)
    start_slot = t0.replace(second=0)
    # both ran their start-up pass (camp-status "at start") at t0: their previous tick is t0
    wait_until(lambda: all(handled(log, "camp-status", start_slot) for log in logs), 60,
               "both workers passed their start-up slot")
    assert runs_at("camp-status", t0) == 1, "two workers started together run camp-status once"

    t1 = t0 + datetime.timedelta(minutes=3)                   # 10:42:30
    due = {"notify": t1.replace(second=0), "refunds": t1.replace(second=0),
           "watchdog": t1.replace(minute=40, second=0)}
    set_now(t1)
    for job, slot in due.items():
        wait_until(lambda: all(handled(log, job, slot) for log in logs), 60,
                   f"both workers reached {job} at {slot}")
    for job, slot in due.items():
        assert runs_at(job, t1) == 1, f"{job} ran {runs_at(job, t1)} times in slot {slot}"
        assert sql("SELECT count(*) FROM job_slot WHERE job = %s AND slot_at = %s",
                   job, slot.isoformat())[0][0] == 1
    not_due = sql("SELECT count(*) FROM job_run WHERE job IN ('sync-checkins', 'retention', 'camp-status')"
                  " AND started_at = %s", t1.isoformat())[0][0]
    assert not_due == 0

    # every line about a job run names the run
    lines = [l for log in logs for l in log.read_text().splitlines()
             if re.search(r" job [a-z-]+: (started|success|failed)", l)]
    assert lines and all(re.search(r" job=[a-z-]+ run=\d+", l) for l in lines), lines[:5]
    for line in lines:
        run = int(re.search(r" run=(\d+)", line).group(1))
        job = re.search(r" job=([a-z-]+)", line).group(1)
        assert sql("SELECT job FROM job_run WHERE id = %s", run) == [(job,)]


def test_no_queued_job_is_processed_twice(workers):
    clear_now()
    workers(2)
    ids = [sql("INSERT INTO job_queue (kind, run_after) VALUES ('camp-status', '-infinity') RETURNING id")[0][0]
           for _ in range(12)]
    wait_until(lambda: sql("SELECT count(*) FROM job_queue WHERE id = ANY(%s) AND state IN ('done', 'failed')",
                           ids)[0][0] == len(ids), 120, "every queued job finished")
    for jid in ids:
        state, error = sql("SELECT state, error FROM job_queue WHERE id = %s", jid)[0]
        assert state == "done", error
        runs = sql("SELECT outcome FROM job_run WHERE queue_id = %s AND outcome <> 'skipped'", jid)
        assert runs == [("success",)], f"queued job {jid} ran {runs}"
