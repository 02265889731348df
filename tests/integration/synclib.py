"""synclib.py: helpers for the check-in sync tests — ZSXQ projects in camp-sim, members, queued syncs."""
import json
import secrets
import time

import pytest
import requests

from conftest import ENV, SIM, campctl
from simlib import settings
from paylib import make_camp, sql, today


@pytest.fixture(autouse=True)
def zsxq_configured():
    """The app talks to camp-sim's ZSXQ with no pacing, whatever earlier tests saved."""
    st = settings()
    want = {"planet.cookie": st["planet.cookie"], "planet.group_id": st["planet.group_id"],
            "planet.min_interval_ms": "0"}
    changed = False
    for k, v in want.items():
        if campctl("config", "get", k, check=False).stdout.rstrip("\n") != v:
            campctl("config", "set", k, v)
            changed = True
    if changed:
        time.sleep(2.2)              # settings reach camp-worker within 2 s


def project_id():
    return str(7_000_000_000 + secrets.randbelow(1_000_000_000))


def planet_id():
    return "8" + str(secrets.randbelow(10 ** 14)).zfill(14)


def checkin(project, user_id, name, date=None, at=None):
    body = {"checkin_id": int(project), "user_id": int(user_id), "name": name}
    if date is not None:
        body["date"] = date
    if at is not None:
        body["time"] = at
    r = requests.post(SIM + "/sim/zsxq/checkins", json=body, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()["topic_id"]


def fault(mode, count=1, service="zsxq", rate=None):
    body = {"service": service, "mode": mode, "count": count}
    if rate is not None:
        body["rate"] = rate
    r = requests.post(SIM + "/sim/faults", json=body, timeout=10)
    assert r.status_code == 200, r.text


# --- issue #13: the simulator's ZSXQ warts -------------------------------------

def sim_control(path, body):
    r = requests.post(SIM + path, json=body, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def token_life(seconds):
    """The ZSXQ token's remaining life as camp-sim's x-expire-in will say it."""
    return sim_control("/sim/zsxq/token", {"expire_in": seconds})


def join(project, user_id):
    """A member joins the project without checking in (joined_count, not the leaderboard)."""
    return sim_control("/sim/zsxq/joins", {"checkin_id": int(project), "user_id": int(user_id)})


def sim_log_mark():
    return len(requests.get(SIM + "/sim/log", timeout=10).json())


def sim_log_since(mark, service="zsxq"):
    return [e for e in requests.get(SIM + "/sim/log", timeout=10).json()[mark:] if e["service"] == service]


class LogTail:
    """What a service wrote to its log after this point (worker.log by default)."""

    def __init__(self, name="worker.log"):
        self.path = ENV["CAMP_LOG_DIR"] + "/" + name
        with open(self.path, "rb") as f:
            self.pos = f.seek(0, 2)

    def text(self):
        with open(self.path, "rb") as f:
            f.seek(self.pos)
            return f.read().decode("utf-8", "replace")


def sync_camp(start=-5, end=15, required=10):
    """An ongoing camp bound to a fresh ZSXQ project (created in the sim by a stranger's post)."""
    cid = make_camp(start=start, end=end, required=required)
    proj = project_id()
    sql("UPDATE training_camp SET planet_project_id = %s WHERE id = %s", proj, cid)
    return cid, proj


def member(cid, pid, nick, wechat="微信用户", paid=True):
    return sql("INSERT INTO camp_member (camp_id, filled_planet_user_id, filled_planet_nickname,"
               " filled_wechat_nickname, paid, paid_at) VALUES (%s, %s, %s, %s, %s, now()) RETURNING id",
               cid, pid, nick, wechat, paid)[0][0]


def run_sync(cid, timeout=60):
    """Queues sync-checkins for one camp and waits for camp-worker; returns (state, error, camp outcome)."""
    jid = sql("INSERT INTO job_queue (kind, args, run_after) VALUES ('sync-checkins', %s::jsonb, '-infinity')"
              " RETURNING id", json.dumps({"camp_id": cid}))[0][0]
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        state, error = sql("SELECT state, error FROM job_queue WHERE id = %s", jid)[0]
        if state in ("done", "failed"):
            break
        time.sleep(0.2)
    assert state in ("done", "failed"), state
    detail = sql("SELECT detail FROM job_run WHERE queue_id = %s AND outcome <> 'skipped'"
                 " ORDER BY id DESC LIMIT 1", jid)[0][0]
    mine = [c for c in detail.get("camps", []) if c["id"] == str(cid)]
    return state, error, (mine[0] if mine else None), detail


def no_sync_running(timeout=300):
    """Waits until camp-worker runs no sync-checkins of its own (a scheduled night the moved test
    clock made due, a queued 立即同步): a fault armed now meets only the test's own calls."""
    end = time.monotonic() + timeout
    while sql("SELECT count(*) FROM job_run WHERE job = 'sync-checkins' AND outcome = 'running'")[0][0]:
        assert time.monotonic() < end, "camp-worker's own sync-checkins never finished"
        time.sleep(0.2)


def run_sync_with_fault(cid, mode, count=1, rate=None, timeout=60):
    """run_sync while camp-sim's ZSXQ answers with a fault; the fault is cleared afterwards."""
    fault(mode, count, rate=rate)
    try:
        return run_sync(cid, timeout=timeout)
    finally:
        fault("ok", 0)


def member_row(mid):
    return sql("SELECT checkin_count, checkin_rate::text, eligible_for_refund, match_confidence,"
               " match_flags, planet_user_id IS NOT NULL FROM camp_member WHERE id = %s", mid)[0]


def days_of(cid, pid):
    return [r[0].isoformat() for r in sql(
        "SELECT cr.checkin_date FROM checkin_record cr JOIN planet_user pu ON pu.id = cr.planet_user_id"
        " WHERE cr.camp_id = %s AND pu.planet_user_id = %s ORDER BY 1", cid, pid)]


__all__ = ["zsxq_configured", "project_id", "planet_id", "checkin", "fault", "sync_camp", "member", "run_sync",
           "member_row", "days_of", "today", "sql", "sim_control", "run_sync_with_fault", "token_life", "join", "sim_log_mark",
           "sim_log_since", "LogTail"]
