"""test_restore.py: backups that restore (issue #17).

camp-backup (the installed script) writes a verified, checksummed dump, copies it off the host and
records its run; `campctl restore` refuses non-empty databases and damaged dumps (scratch
databases); and the drill: the populated live instance is backed up, wiped, restored in place,
every payment, refund and camp total compared, and the running app serves the restored data.
The drill runs last (conftest: runs_last): the browser tests then run on the restored database.
"""
import contextlib
import gzip
import json
import os
import shutil
import subprocess
import time
import uuid

import psycopg2
import pytest
import requests

from conftest import ENV, HTTP, campctl, dsn
from paylib import enroll, envelope, exceptions, h5, order_no_of, post_callback, sim_pay, sql, \
    transaction, wait_state
from synclib import checkin, planet_id, run_sync, sync_camp, today, zsxq_configured  # noqa: F401
from test_refunds import admin, finished_camp, post, propose, wait_status

APP = ENV["CAMP_RUNTIME_DIR"] + "/app"
BACKUP = APP + "/libexec/camp-deposit/camp-backup"
SERVER = ENV["CAMP_DB_URL"].rsplit("/", 1)[0]

# Financial tables and what the figures come from: compared row by row, every column.
TABLES = ["payment_record", "payment_transaction", "order_status_log", "payment_bind_log",
          "refund_record", "refund_status_log", "payment_exception", "payment_audit_log",
          "training_camp", "camp_member", "checkin_record", "access_token", "system_user"]


def proc_env(**over):
    e = dict(os.environ)
    e.update(ENV)
    e.update(over)
    return e


def run_backup(dest, **env):
    """The installed camp-backup; CAMP_CTL because `make install prefix=…` into the runtime
    directory does not re-render the script's @bindir@."""
    return subprocess.run([BACKUP], env=proc_env(CAMP_BACKUP_DIR=str(dest), CAMP_CTL=APP + "/bin/campctl",
                                                 **env),
                          capture_output=True, text=True, timeout=300)


def dump_in(dest):
    dumps = sorted(dest.glob("camp-*.sql.gz"))
    assert len(dumps) == 1, dumps
    return dumps[0]


def restore(url, *args):
    return subprocess.run([APP + "/bin/campctl", "restore", *args], env=proc_env(CAMP_DB_URL=url),
                          capture_output=True, text=True, timeout=600)


def connect(url):
    conn = psycopg2.connect(url)
    conn.autocommit = True
    return conn


def relations(url):
    conn = connect(url)
    try:
        with conn.cursor() as c:
            c.execute("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                      " WHERE n.nspname = 'public'")
            return c.fetchone()[0]
    finally:
        conn.close()


@contextlib.contextmanager
def scratch_db():
    name = "camp_restore_" + uuid.uuid4().hex[:8]
    admin_conn = connect(SERVER + "/postgres")
    with admin_conn.cursor() as c:
        c.execute(f'CREATE DATABASE "{name}"')      # a generated name, not input
    try:
        yield SERVER + "/" + name
    finally:
        with admin_conn.cursor() as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin_conn.close()


def books_rc_expected():
    """campctl restore ends with the books job when the build has one (exit 3 when it fails or
    reports "ok": false, at the top of its detail or for a bill date): whatever books says of
    the live database, it must say of its restored copy."""
    r = campctl("job", "run", "books", check=False)
    if r.returncode == 2 and "unknown job" in r.stderr:
        return 0
    if r.returncode != 0:
        return 3
    detail = json.loads(r.stdout.split("success", 1)[1])
    runs = detail.get("runs", []) if isinstance(detail.get("runs"), list) else []
    return 3 if detail.get("ok") is False or any(x.get("ok") is False for x in runs) else 0


@pytest.fixture(scope="module")
def dump(tmp_path_factory):
    """One verified dump of the test instance, made by the installed camp-backup."""
    d = tmp_path_factory.mktemp("backups")
    r = run_backup(d)
    assert r.returncode == 0, r.stderr
    return dump_in(d)


# ---------------------------------------------------------------- camp-backup

def last_backup_run():
    return sql("SELECT outcome, file_name, bytes, sha256, offsite, error FROM backup_run"
               " ORDER BY id DESC LIMIT 1")[0]


def test_backup_is_checksummed_verified_copied_off_host_and_recorded(tmp_path):
    local, offsite = tmp_path / "local", tmp_path / "offsite"
    offsite.mkdir()
    r = run_backup(local, CAMP_BACKUP_COPY_CMD=f'cp -- "$1" "$2" {offsite}/')
    assert r.returncode == 0, r.stderr
    f = dump_in(local)
    side = local / (f.name + ".sha256")
    want = subprocess.run(["sha256sum", str(f)], capture_output=True, text=True).stdout.split()[0]
    assert side.read_text() == f"{want}  {f.name}\n"
    assert subprocess.run(["sha256sum", "--quiet", "-c", side.name], cwd=local).returncode == 0
    assert (offsite / f.name).read_bytes() == f.read_bytes()
    assert (offsite / side.name).read_text() == side.read_text()
    assert last_backup_run() == ("verified", f.name, f.stat().st_size, want, "copied", None)
    text = gzip.decompress(f.read_bytes()).decode()
    assert "-- PostgreSQL database dump complete" in text[-400:]


def test_a_failing_off_host_copy_is_recorded_and_fails_the_run(tmp_path):
    r = run_backup(tmp_path, CAMP_BACKUP_COPY_CMD="exit 7")
    assert r.returncode != 0 and "off the host failed" in r.stderr
    f = dump_in(tmp_path)
    assert last_backup_run()[:2] == ("verified", f.name)
    assert last_backup_run()[4] == "failed"


def test_a_full_disk_is_a_failed_run_without_a_file(tmp_path):
    """A real ENOSPC: the backup directory is a tiny tmpfs."""
    mnt = tmp_path / "full"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4k", "tmpfs", str(mnt)]).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        r = run_backup(mnt)
        assert r.returncode != 0
        assert list(mnt.iterdir()) == []
        outcome, name, _, sha, _, error = last_backup_run()
        assert outcome == "failed" and sha is None and "dumping the database" in error
    finally:
        subprocess.run(["umount", str(mnt)], check=True)


def test_backup_record_refuses_nonsense():
    for args in (["--outcome", "maybe"], ["--outcome", "verified"],
                 ["--outcome", "verified", "--file", "x", "--sha256", "abc"],
                 ["--outcome", "failed", "--offsite", "sometimes"]):
        r = campctl("backup", "record", *args, check=False)
        assert r.returncode == 2, args


# ---------------------------------------------------------------- campctl restore

def test_restore_into_an_empty_database_then_refuse_it_unless_forced(dump):
    expected = books_rc_expected()
    with scratch_db() as url:
        r = restore(url, str(dump))
        assert r.returncode == expected, r.stderr
        assert "restored" in r.stdout and "migrate: up to date" in r.stdout
        conn = connect(url)
        try:
            with conn.cursor() as c:
                c.execute("SELECT version FROM schema_migrations ORDER BY 1")
                assert [v for (v,) in c.fetchall()] == \
                    [v for (v,) in sql("SELECT version FROM schema_migrations ORDER BY 1")]
                c.execute("INSERT INTO system_config (config_key, config_value) VALUES"
                          " ('test.restore_marker', 'written after the restore')")
        finally:
            conn.close()
        again = restore(url, str(dump))
        assert again.returncode == 1 and "not empty" in again.stderr and "--force" in again.stderr
        forced = restore(url, str(dump), "--force")
        assert forced.returncode == expected, forced.stderr
        conn = connect(url)
        try:
            with conn.cursor() as c:
                c.execute("SELECT count(*) FROM system_config WHERE config_key = 'test.restore_marker'")
                assert c.fetchone()[0] == 0, "--force replaces everything"
        finally:
            conn.close()


def test_restore_refuses_a_dump_that_does_not_match_its_checksum(dump, tmp_path):
    bad = tmp_path / dump.name
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0x01
    bad.write_bytes(bytes(data))
    shutil.copy(str(dump) + ".sha256", str(bad) + ".sha256")
    with scratch_db() as url:
        r = restore(url, str(bad))
        assert r.returncode == 1 and "does not match its checksum" in r.stderr
        assert relations(url) == 0


def test_restore_refuses_a_cut_file_and_an_incomplete_dump(dump, tmp_path):
    """No checksum file: gzip and pg_dump's last line are the guards; psql never commits."""
    cut = tmp_path / "cut.sql.gz"
    cut.write_bytes(dump.read_bytes()[: dump.stat().st_size // 2])
    text = gzip.decompress(dump.read_bytes())
    partial = tmp_path / "partial.sql.gz"
    partial.write_bytes(gzip.compress(text[: int(len(text) * 0.8)]))
    with scratch_db() as url:
        r = restore(url, str(cut))
        assert r.returncode == 1 and "not a readable gzip file" in r.stderr
        assert relations(url) == 0
        r = restore(url, str(partial))
        assert r.returncode == 1 and "not a complete pg_dump" in r.stderr
        assert relations(url) == 0, "a partial dump must not leave half a database"


def test_restore_usage_and_missing_file():
    assert campctl("restore", check=False).returncode == 2
    r = campctl("restore", "/nonexistent/camp.sql.gz", check=False)
    assert r.returncode == 1 and "cannot read" in r.stderr


# ---------------------------------------------------------------- the drill

def populate():
    """Real money through the real paths: paid members, a refund executed through camp-sim,
    a pending proposal, a payment exception, a synced check-in and a member's ticket."""
    a, b = planet_id(), planet_id()
    camp, ms = finished_camp((a, 15, 100), (b, 15, 100))
    props = propose(camp)
    rid = props[ms[0][0]][0]
    assert post(admin(), "/admin/refunds/approve", ids=str(rid)).status_code == 303
    wait_status(rid, "success")
    unknown = "CPDRILL" + uuid.uuid4().hex[:10]
    assert post_callback(envelope(transaction(unknown, 9900))).status_code in (200, 204)
    assert exceptions(unknown) == ["unknown_order"]
    cid, proj = sync_camp()
    pid, s = planet_id(), h5()
    no = order_no_of(enroll(s, cid, planet_id=pid, nickname="演练"))
    sim_pay(no)
    ticket = wait_state(s, no)["ticket_url"]
    checkin(proj, pid, "演练", date=today(-1))
    state, error, _, _ = run_sync(cid)
    assert state == "done", error
    assert sql("SELECT count(*) FROM checkin_record WHERE camp_id = %s", cid)[0][0] >= 1
    return {"refund_camp": camp, "sync_camp": cid, "unknown": unknown, "ticket": ticket}


def snapshot(conn):
    out = {}
    with conn.cursor() as c:
        for t in TABLES:
            c.execute(f"SELECT row_to_json(x)::text FROM {t} x ORDER BY id")
            out[t] = [r for (r,) in c.fetchall()]
        c.execute("SELECT row_to_json(s)::text FROM v_camp_statistics s ORDER BY camp_id")
        out["v_camp_statistics"] = [r for (r,) in c.fetchall()]
    return out


def wait_for(pred, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if pred():
                return True
        except (requests.RequestException, psycopg2.Error):
            pass
        time.sleep(0.3)
    return pred()


@pytest.mark.runs_last
def test_drill_backup_wipe_restore_and_serve(tmp_path):
    made = populate()
    expected = books_rc_expected()
    # Writers wait while the snapshot is read and pg_dump runs, so the dump holds exactly
    # the snapshot (pg_dump's ACCESS SHARE locks do not conflict with SHARE).
    conn = psycopg2.connect(dsn())
    try:
        with conn.cursor() as c:
            c.execute("LOCK TABLE " + ", ".join(TABLES) + " IN SHARE MODE")
        before = snapshot(conn)
        r = run_backup(tmp_path)
        assert r.returncode == 0, r.stderr
    finally:
        conn.rollback()
        conn.close()
    f = dump_in(tmp_path)
    paid = {row["camp_id"]: row for row in
            map(json.loads, before["v_camp_statistics"])}[made["refund_camp"]]
    assert float(paid["total_paid"]) == 198.0 and float(paid["total_refunded"]) == 99.0

    # wipe: the database is dropped under the running app and created empty
    server = connect(SERVER + "/postgres")
    try:
        with server.cursor() as c:
            c.execute("DROP DATABASE camp WITH (FORCE)")
            c.execute("CREATE DATABASE camp")
    finally:
        server.close()
    assert relations(dsn()) == 0

    r = restore(dsn(), str(f))
    assert r.returncode == expected, r.stdout + r.stderr

    conn = psycopg2.connect(dsn())
    try:
        after = snapshot(conn)
    finally:
        conn.rollback()
        conn.close()
    for t in before:
        assert after[t] == before[t], f"{t} differs after the restore"

    # the running app (both pools and the worker reconnect by themselves) serves it
    assert wait_for(lambda: requests.get(HTTP + "/healthz", timeout=5).status_code == 200, 30)
    s = admin()
    page = s.get(HTTP + f"/admin/camps/{made['refund_camp']}", timeout=10)
    assert page.status_code == 200
    assert "198.00" in page.text and "99.00" in page.text
    assert made["unknown"] in s.get(HTTP + "/admin/payments/exceptions", timeout=10).text
    ticket = h5().get(HTTP + made["ticket"], timeout=10)
    assert ticket.status_code == 200 and "报名成功" in ticket.text
    name = sql("SELECT name FROM training_camp WHERE id = %s", made["sync_camp"])[0][0]
    assert name in h5().get(HTTP + f"/h5/camps/{made['sync_camp']}", timeout=10).text
    jid = sql("INSERT INTO job_queue (kind, run_after) VALUES ('camp-status', '-infinity') RETURNING id")[0][0]
    assert wait_for(lambda: sql("SELECT state FROM job_queue WHERE id = %s", jid)[0][0] == "done", 60), \
        "camp-worker works on the restored database"
