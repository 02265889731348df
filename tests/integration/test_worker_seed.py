"""test_worker_seed.py: `campctl seed-demo` in a scratch database of the test instance."""
import json
import os
import re
import subprocess
import tempfile
import time
import uuid

import psycopg2
import pytest

from conftest import ENV, dsn

APP_BIN = ENV["CAMP_RUNTIME_DIR"] + "/app/bin/"


@pytest.fixture(scope="module")
def seeded():
    """Migrates a fresh database, adds the admin, seeds it; yields (conn, env, first run)."""
    name = "camp_seed_" + uuid.uuid4().hex[:8]
    admin = psycopg2.connect(dsn())
    admin.autocommit = True
    with admin.cursor() as c:
        c.execute(f'CREATE DATABASE "{name}"')   # a generated name, not input
    env = dict(os.environ)
    env.update(ENV)
    env["CAMP_DB_URL"] = re.sub(r"/camp$", "/" + name, ENV["CAMP_DB_URL"])

    def ctl(*args):
        return subprocess.run([APP_BIN + "campctl", *args], env=env, capture_output=True,
                              text=True, timeout=120)

    conn = None
    try:
        assert ctl("migrate").returncode == 0
        with tempfile.NamedTemporaryFile("w", suffix=".pw") as f:
            f.write("admin-password-for-seed\n")
            f.flush()
            assert ctl("user", "add", "admin", "--role", "admin",
                       "--password-file", f.name).returncode == 0
        first = ctl("seed-demo")
        conn = psycopg2.connect(env["CAMP_DB_URL"])
        conn.autocommit = True
        yield conn, ctl, first
    finally:
        if conn is not None:
            conn.close()
        with admin.cursor() as c:
            c.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                      " WHERE datname = %s AND pid <> pg_backend_pid()", (name,))
            c.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


def values(conn, sql):
    with conn.cursor() as c:
        c.execute(sql)
        return {r[0] for r in c.fetchall()}


def one(conn, sql):
    with conn.cursor() as c:
        c.execute(sql)
        return c.fetchone()


def test_seed_succeeds_and_prints_demo_passwords_once(seeded):
    _, _, first = seeded
    assert first.returncode == 0, first.stderr
    assert "seeded 4 camps" in first.stdout
    assert len(re.findall(r"demo user \S+ +\((coach|volunteer)\) password: \S{12,}",
                          first.stdout)) == 3


def test_camps_in_every_state_with_images(seeded):
    conn, _, _ = seeded
    assert values(conn, "SELECT status FROM training_camp") == {"not_started", "ongoing", "finished"}
    # status agrees with the dates (Asia/Shanghai today)
    assert one(conn, "SELECT count(*) FROM training_camp WHERE status <> CASE"
                     " WHEN start_date > (now() AT TIME ZONE 'Asia/Shanghai')::date THEN 'not_started'"
                     " WHEN end_date >= (now() AT TIME ZONE 'Asia/Shanghai')::date THEN 'ongoing'"
                     " ELSE 'finished' END")[0] == 0
    assert one(conn, "SELECT count(*) FROM training_camp"
                     " WHERE poster_sha256 IS NULL OR group_qrcode_sha256 IS NULL"
                     " OR enroll_url NOT LIKE '%/h5/camps/' || id")[0] == 0
    rows = one(conn, "SELECT count(*), bool_and(substr(bytes, 1, 8) = '\\x89504e470d0a1a0a'::bytea),"
                     " bool_and(sha256 = encode(sha256(bytes), 'hex')),"
                     " bool_and(width > 0 AND height > 0) FROM media")
    assert rows == (8, True, True, True)
    # camp history logged, coaches and volunteers assigned
    assert values(conn, "SELECT event FROM camp_status_log") == {"START", "END"}
    assert values(conn, "SELECT role_type FROM camp_member_relation") == {"coach", "volunteer"}
    assert values(conn, "SELECT role FROM system_user WHERE username <> 'admin'") == \
        {"coach", "volunteer"}


def test_group_qr_decodes_to_a_wechat_group_link(seeded, tmp_path):
    conn, _, _ = seeded
    with conn.cursor() as c:
        c.execute("SELECT m.bytes FROM training_camp t JOIN media m"
                  " ON m.sha256 = t.group_qrcode_sha256 ORDER BY t.id LIMIT 1")
        png = bytes(c.fetchone()[0])
    path = tmp_path / "qr.png"
    path.write_bytes(png)
    out = subprocess.run(["zbarimg", "--quiet", "--raw", str(path)], capture_output=True,
                         text=True, timeout=30)
    assert out.stdout.strip() == "https://weixin.qq.com/g/DEMO0001"


def test_members_payments_checkins_and_refunds(seeded):
    conn, _, _ = seeded
    assert values(conn, "SELECT bind_status FROM payment_record") == \
        {"pending", "completed", "expired", "manual_review", "closed"}
    assert values(conn, "SELECT bind_method FROM payment_record WHERE bind_status = 'completed'") == \
        {"h5_bindplanet", "user_fill", "manual"}
    assert one(conn, "SELECT count(*) FROM payment_record WHERE bind_status <> 'completed'"
                     " AND bind_method IS NOT NULL")[0] == 0
    assert values(conn, "SELECT pay_status FROM payment_record") == {"success", "pending", "refunded"}
    assert one(conn, "SELECT count(*) FROM payment_record WHERE pay_status IN ('success', 'refunded')"
                     " AND (wechat_transaction_id IS NULL OR pay_time IS NULL)")[0] == 0
    assert values(conn, "SELECT refund_status || '/' || audit_status FROM refund_record") == {
        "pending/pending", "approved/approved", "success/approved", "failed/approved",
        "rejected/rejected"}
    # refunds only in finished camps; a successful one marks its payment refunded
    assert values(conn, "SELECT t.status FROM refund_record r JOIN training_camp t"
                        " ON t.id = r.camp_id") == {"finished"}
    assert one(conn, "SELECT count(*) FROM refund_record r JOIN payment_record p"
                     " ON p.id = r.payment_id WHERE r.refund_status = 'success'"
                     " AND p.pay_status <> 'refunded'")[0] == 0
    # check-ins exist, are counted, and only inside camp dates of matched members
    assert one(conn, "SELECT count(*) FROM checkin_record")[0] > 30
    assert one(conn, "SELECT count(*) FROM checkin_record c JOIN training_camp t ON t.id = c.camp_id"
                     " WHERE c.checkin_date NOT BETWEEN t.start_date AND t.end_date")[0] == 0
    assert one(conn, "SELECT count(*) FROM camp_member WHERE checkin_count > 0")[0] > 5
    assert one(conn, "SELECT count(*) FROM planet_user")[0] > 10
    # the camps' counters agree with the rows
    assert one(conn, "SELECT count(*) FROM training_camp t JOIN v_camp_statistics s"
                     " ON s.camp_id = t.id WHERE t.member_count <> s.member_count"
                     " OR t.paid_amount <> s.total_paid"
                     " OR t.refunded_amount <> s.total_refunded")[0] == 0


def test_second_run_refuses_without_writing(seeded):
    conn, ctl, _ = seeded
    before = one(conn, "SELECT (SELECT count(*) FROM training_camp),"
                       " (SELECT count(*) FROM camp_member), (SELECT count(*) FROM media)")
    again = ctl("seed-demo")
    assert again.returncode == 0
    assert "already seeded" in again.stdout
    after = one(conn, "SELECT (SELECT count(*) FROM training_camp),"
                      " (SELECT count(*) FROM camp_member), (SELECT count(*) FROM media)")
    assert after == before


# --- issue #13: the demo world holds together with ZSXQ (camp-sim) ---------------

def test_every_demo_camp_syncs_from_the_simulator(seeded):
    """seed-demo put each demo camp's ZSXQ project and check-ins into camp-sim (CAMP_SIM_URL):
    a sync of every demo camp succeeds and finds exactly the seeded check-ins."""
    from simlib import settings
    conn, ctl, first = seeded
    assert "ZSXQ in the simulator" in first.stdout, first.stdout + first.stderr
    st = settings()
    for k, v in (("planet.cookie", st["planet.cookie"]), ("planet.group_id", st["planet.group_id"]),
                 ("planet.min_interval_ms", "0")):
        assert ctl("config", "set", k, v).returncode == 0
    # seed-demo on a seeded database replays the ZSXQ world into camp-sim (as ./dev up does
    # after a restart): earlier tests may have reset the simulator
    replay = ctl("seed-demo")
    assert "ZSXQ in the simulator" in replay.stdout, replay.stdout + replay.stderr
    before = values(conn, "SELECT camp_id || '/' || planet_user_id || '/' || checkin_date FROM checkin_record")
    topic_ids = values(conn, "SELECT planet_checkin_id FROM checkin_record")
    assert all(len(t) == 17 for t in topic_ids)             # the simulator's topic ids
    with conn.cursor() as c:
        c.execute("SELECT id, start_date, end_date FROM training_camp ORDER BY id")
        camps = c.fetchall()
    outcomes = {}
    try:
        for cid, start, end in camps:        # the nightly run on a day inside each camp
            with conn.cursor() as c:
                c.execute("INSERT INTO system_config (config_key, config_value) VALUES ('test.now', %s)"
                          " ON CONFLICT (config_key) DO UPDATE SET config_value = EXCLUDED.config_value",
                          (f"{end.isoformat()}T22:00:00+08:00",))
            r = ctl("job", "run", "sync-checkins")
            detail = one(conn, "SELECT detail FROM job_run WHERE job = 'sync-checkins' ORDER BY id DESC LIMIT 1")[0]
            for camp in detail["camps"]:
                outcomes.setdefault(int(camp["id"]), []).append((camp["outcome"], camp.get("error")))
            assert r.returncode == 0, r.stderr
    finally:
        with conn.cursor() as c:
            c.execute("DELETE FROM system_config WHERE config_key = 'test.now'")
    assert set(outcomes) == {c[0] for c in camps}
    assert all(o == "ok" for runs in outcomes.values() for o, _ in runs), outcomes
    after = values(conn, "SELECT camp_id || '/' || planet_user_id || '/' || checkin_date FROM checkin_record")
    assert after == before
    assert values(conn, "SELECT planet_checkin_id FROM checkin_record") == topic_ids
    # the members bound in the demo who checked in are matched to their ZSXQ user with full confidence
    assert one(conn, "SELECT count(*) FROM camp_member m JOIN payment_record p ON p.member_id = m.id"
                     " WHERE p.bind_status = 'completed' AND p.bind_method <> 'manual' AND m.checkin_count > 0"
                     " AND m.match_confidence <> 100")[0] == 0
    assert one(conn, "SELECT count(*) FROM camp_member WHERE checkin_count > 0")[0] > 5


# ---- issue #13: the WeChat Pay world behind the demo payments --------------------------
# (after the ZSXQ test above: it resets camp-sim, which forgets the demo's ZSXQ projects)

def test_demo_refund_is_paid_back_once_camp_sim_knows_the_demo_world(seeded):
    """./dev recreates the transactions behind the seeded payments in camp-sim
    (src/sim/sim-world); approving a demo refund then ends in 已退款."""
    import requests
    from conftest import ROOT, SIM
    from simlib import settings
    conn, ctl, _ = seeded
    assert requests.post(SIM + "/sim/reset", timeout=10).status_code == 200
    for key, value in settings().items():
        assert ctl("config", "set", key, value).returncode == 0
    env = dict(os.environ)
    env.update(ENV)
    world = subprocess.run([str(ROOT / "src/sim/sim-world"), re.sub(r"/camp$", "/" + conn.info.dbname,
                                                                     ENV["CAMP_DB_URL"]),
                            SIM, ENV["CAMP_BASE_URL"]], capture_output=True, text=True, timeout=60)
    assert world.returncode == 0, world.stderr
    made = json.loads(world.stdout)
    paid = one(conn, "SELECT count(*) FROM payment_record WHERE pay_status IN ('success', 'refunded')")[0]
    assert made == {"created": paid + 1, "known": 0, "invalid": 0}     # + the open order
    # the approved demo refund goes out, WeChat accepts it, and it settles
    rid, no = one(conn, "SELECT r.id, p.order_no FROM refund_record r JOIN payment_record p"
                        " ON p.id = r.payment_id WHERE r.refund_status = 'approved'")
    assert ctl("job", "run", "refunds").returncode == 0
    assert one(conn, "SELECT refund_status FROM refund_record WHERE id = %s" % int(rid))[0] == "processing"
    time.sleep(2.5)                  # camp-sim keeps a refund PROCESSING for 2 s
    with conn.cursor() as c:
        c.execute("UPDATE refund_record SET next_retry_at = now() - interval '1 second' WHERE id = %s", (rid,))
    assert ctl("job", "run", "refunds").returncode == 0
    assert one(conn, "SELECT r.refund_status, p.pay_status FROM refund_record r JOIN payment_record p"
                     " ON p.id = r.payment_id WHERE r.id = %s" % int(rid)) == ("success", "refunded")
    # the sim holds the refunded demo payments as refunded, and the open order as payable
    again = subprocess.run([str(ROOT / "src/sim/sim-world"), re.sub(r"/camp$", "/" + conn.info.dbname,
                                                                     ENV["CAMP_DB_URL"]),
                            SIM, ENV["CAMP_BASE_URL"]], capture_output=True, text=True, timeout=60)
    assert json.loads(again.stdout) == {"created": 0, "known": paid + 1, "invalid": 0}
    assert no.startswith("DEMO")
