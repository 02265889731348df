"""test_migrate.py: migrations apply from empty, record themselves, and re-run as a no-op."""
import os
import subprocess

import psycopg2

from conftest import ENV, campctl


def test_rerun_is_noop():
    r = campctl("migrate")
    assert r.returncode == 0
    assert r.stdout.strip() == "up to date"


def test_every_file_recorded(db):
    sql_dir = ENV["CAMP_SQL_DIR"]
    files = sorted(f for f in os.listdir(sql_dir) if f.endswith(".sql") and f[:3].isdigit())
    cur = db.cursor()
    cur.execute("SELECT version FROM schema_migrations ORDER BY version")
    assert [r[0] for r in cur.fetchall()] == files


def test_from_empty_database():
    """A brand-new database migrates fully with the same tool."""
    base = ENV["CAMP_DB_URL"]
    admin = psycopg2.connect(base.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    cur = admin.cursor()
    cur.execute("DROP DATABASE IF EXISTS camp_migrate_check")
    cur.execute("CREATE DATABASE camp_migrate_check")
    try:
        env = dict(os.environ)
        env.update(ENV)
        env["CAMP_DB_URL"] = base.rsplit("/", 1)[0] + "/camp_migrate_check"
        r = subprocess.run([ENV["CAMP_RUNTIME_DIR"] + "/app/bin/campctl", "migrate"],
                           env=env, capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        assert r.stdout.startswith("applied ")
        r2 = subprocess.run([ENV["CAMP_RUNTIME_DIR"] + "/app/bin/campctl", "migrate"],
                            env=env, capture_output=True, text=True)
        assert r2.stdout.strip() == "up to date"
    finally:
        cur.execute("DROP DATABASE IF EXISTS camp_migrate_check")
        admin.close()


# --- issue #17: migration 011 seals what the schema before it stored in plain text ----------
import contextlib
import json
import shutil

from sealing import index, key_id, open_sealed, seal_setting_v1

SERVER = ENV["CAMP_DB_URL"].rsplit("/", 1)[0]
SQL = ENV["CAMP_SQL_DIR"]


@contextlib.contextmanager
def scratch(name):
    admin = psycopg2.connect(SERVER + "/postgres")
    admin.autocommit = True
    try:
        with admin.cursor() as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            c.execute(f'CREATE DATABASE "{name}"')
        yield SERVER + "/" + name
    finally:
        with admin.cursor() as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def migrate(url, sql_dir=SQL, key=None):
    env = dict(os.environ)
    env.update(ENV)
    env.update(CAMP_DB_URL=url, CAMP_SQL_DIR=str(sql_dir))
    if key:
        env["CAMP_MASTER_KEY_FILE"] = str(key)
    return subprocess.run([ENV["CAMP_RUNTIME_DIR"] + "/app/bin/campctl", "migrate"], env=env,
                          capture_output=True, text=True, timeout=120)


def columns(cur, table):
    cur.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s", (table,))
    return {r[0] for r in cur.fetchall()}


PAYER, PAYER2, MARK = "oLegacyPayer0000000000001", "oLegacyPayer0000000000002", "LEGACY-DEVICE-7731"


def populate_before_011(cur):
    """Rows as the releases before migration 011 wrote them: openids and decrypted JSON in plain text."""
    txn = {"out_trade_no": "CPLEG1", "transaction_id": "4200LEG1", "trade_state": "SUCCESS",
           "payer": {"openid": PAYER}, "scene_info": {"device_id": MARK}, "amount": {"total": 9900}}
    cur.execute("INSERT INTO training_camp (name, deposit, start_date, end_date, total_days, required_days,"
                " robot_webhook_key) VALUES ('迁移营', 99, '2026-01-01', '2026-01-21', 21, 15, %s) RETURNING id",
                (seal_setting_v1("camp.robot_webhook_key", "robot-key-legacy"),))
    cid = cur.fetchone()[0]
    cur.execute("INSERT INTO system_config (config_key, config_value, config_type, is_encrypted)"
                " VALUES ('wechat.app_secret', %s, 'encrypted', true)",
                (seal_setting_v1("wechat.app_secret", "legacy-app-secret"),))
    cur.execute("INSERT INTO camp_member (camp_id, filled_wechat_nickname, openid, paid) VALUES (%s, '旧', %s, true)"
                " RETURNING id", (cid, PAYER))
    mid = cur.fetchone()[0]
    cur.execute("INSERT INTO camp_member (camp_id, filled_wechat_nickname, openid) VALUES (%s, '空', '')", (cid,))
    cur.execute("INSERT INTO payment_record (order_no, camp_id, member_id, pay_amount, pay_status, openid,"
                " callback_data, wechat_transaction_id) VALUES ('CPLEG1', %s, %s, 99, 'success', %s, %s, '4200LEG1')"
                " RETURNING id, updated_at", (cid, mid, PAYER, json.dumps(txn)))
    pid, updated = cur.fetchone()
    cur.execute("INSERT INTO payment_transaction (transaction_id, payment_id, out_trade_no, trade_state, openid,"
                " raw, source) VALUES ('4200LEG1', %s, 'CPLEG1', 'SUCCESS', %s, %s, 'notify') RETURNING id",
                (pid, PAYER, json.dumps(txn)))
    tid = cur.fetchone()[0]
    cur.execute("INSERT INTO payment_exception (out_trade_no, transaction_id, camp_id, amount_fen, payer_openid,"
                " reason, raw) VALUES ('CPLEG2', NULL, %s, 1, %s, 'other', %s) RETURNING id",
                (cid, PAYER2, json.dumps(dict(txn, payer={"openid": PAYER2}))))
    eid = cur.fetchone()[0]
    cur.execute("INSERT INTO payment_audit_log (payment_id, action_type, request_data, response_data) VALUES"
                " (%s, 'CREATE_ORDER', %s, '{\"prepay_id\": \"wx1\"}'),"
                " (%s, 'REFUND_CREATE', '{\"out_refund_no\": \"RFLEG1\"}',"
                "  '{\"out_refund_no\": \"RFLEG1\", \"create_time\": \"2026-01-25T10:00:00+08:00\"}'),"
                " (NULL, 'NOTIFY_REJECTED', '{\"head\": \"x\"}', NULL)",
                (pid, json.dumps({"payer": {"openid": PAYER}}), pid))
    return {"camp": cid, "member": mid, "payment": pid, "txn": tid, "exception": eid, "updated": updated}


def test_011_seals_what_the_schema_before_it_left_in_plain_text(tmp_path):
    before = tmp_path / "sql-before-011"
    before.mkdir()
    for f in os.listdir(SQL):
        if f.endswith(".sql") and f < "011":
            shutil.copy(os.path.join(SQL, f), before)
    wrong = tmp_path / "wrong.key"
    wrong.write_text("another-master-key-0123456789abcdef\n")
    with scratch("camp_migrate_011") as url:
        r = migrate(url, before)
        assert r.returncode == 0, r.stderr
        conn = psycopg2.connect(url)
        conn.autocommit = True
        cur = conn.cursor()
        made = populate_before_011(cur)

        # the data step cannot open the settings under another key: nothing changes at all
        r = migrate(url, key=wrong)
        assert r.returncode == 1 and "does not open under master key" in r.stderr, r.stderr
        assert "this database's master key" in r.stderr
        assert "openid" in columns(cur, "camp_member") and "openid_sealed" not in columns(cur, "camp_member")
        cur.execute("SELECT count(*) FROM schema_migrations WHERE version LIKE '011%%'")
        assert cur.fetchone()[0] == 0
        cur.execute("SELECT openid FROM camp_member WHERE id = %s", (made["member"],))
        assert cur.fetchone()[0] == PAYER

        r = migrate(url)
        later = sorted(f for f in os.listdir(SQL) if f.endswith(".sql") and f[:3].isdigit() and f[:3] >= "011")
        assert r.returncode == 0 and r.stdout.strip() == f"applied {len(later)} migration(s)", r.stderr
        cur.execute("SELECT data_step FROM schema_migrations WHERE version LIKE '011%%'")
        assert cur.fetchone()[0] == (f"sealed 12 payment values (2 openid indexes), 1 settings and 1 robot keys"
                                     f" under master key {key_id()}")
        cur.execute("SELECT key_id FROM master_key")
        assert cur.fetchone()[0] == key_id()
        for table, gone in (("camp_member", {"openid"}), ("payment_record", {"openid", "callback_data"}),
                            ("payment_transaction", {"openid", "raw"}),
                            ("payment_exception", {"payer_openid", "raw"}),
                            ("payment_audit_log", {"request_data", "response_data"})):
            assert not gone & columns(cur, table), table

        m, p = made["member"], made["payment"]
        cur.execute("SELECT openid_sealed, openid_index FROM camp_member WHERE id = %s", (m,))
        sealed, idx = cur.fetchone()
        assert open_sealed(f"camp_member.openid#{m}", sealed) == PAYER and idx == index(PAYER)
        assert open_sealed(f"camp_member.openid#{m + 1}", sealed) is None, "bound to its row"
        cur.execute("SELECT count(*) FROM camp_member WHERE openid_sealed IS NULL AND openid_index IS NULL")
        assert cur.fetchone()[0] == 1, "an empty openid stays empty"
        cur.execute("SELECT openid_sealed, openid_index, callback_sealed, updated_at FROM payment_record"
                    " WHERE id = %s", (p,))
        sealed, idx, callback, updated = cur.fetchone()
        assert open_sealed(f"payment_record.openid#{p}", sealed) == PAYER and idx == index(PAYER)
        assert json.loads(open_sealed(f"payment_record.callback_data#{p}", callback))["scene_info"]["device_id"] == MARK
        assert updated == made["updated"], "sealing is no change of the row"
        cur.execute("SELECT openid_sealed, raw_sealed FROM payment_transaction WHERE id = %s", (made["txn"],))
        sealed, raw = cur.fetchone()
        assert open_sealed("payment_transaction.openid#4200LEG1", sealed) == PAYER
        assert json.loads(open_sealed("payment_transaction.raw#4200LEG1", raw))["payer"]["openid"] == PAYER
        cur.execute("SELECT payer_openid_sealed, raw_sealed FROM payment_exception WHERE id = %s", (made["exception"],))
        sealed, raw = cur.fetchone()
        assert open_sealed("payment_exception.payer_openid#/CPLEG2", sealed) == PAYER2
        assert json.loads(open_sealed("payment_exception.raw#/CPLEG2", raw))["payer"]["openid"] == PAYER2
        cur.execute("SELECT action_type, request_sealed, response_sealed, out_refund_no, wechat_created_at"
                    " FROM payment_audit_log ORDER BY id")
        (a1, req1, res1, no1, at1), (a2, req2, res2, no2, at2), (a3, req3, res3, no3, at3) = cur.fetchall()
        assert json.loads(open_sealed(f"payment_audit_log.request_data#{p}/CREATE_ORDER", req1)) == \
            {"payer": {"openid": PAYER}}
        assert json.loads(open_sealed(f"payment_audit_log.response_data#{p}/CREATE_ORDER", res1)) == {"prepay_id": "wx1"}
        assert (no1, at1) == (None, None)
        assert json.loads(open_sealed(f"payment_audit_log.response_data#{p}/REFUND_CREATE", res2))["out_refund_no"] == "RFLEG1"
        assert no2 == "RFLEG1" and at2.isoformat() == "2026-01-25T02:00:00+00:00", "what the books read stays plain"
        assert json.loads(open_sealed("payment_audit_log.request_data#0/NOTIFY_REJECTED", req3)) == {"head": "x"}
        assert res3 is None

        # settings and the robot key: sealed again with the key id, the same values
        cur.execute("SELECT config_value FROM system_config WHERE config_key = 'wechat.app_secret'")
        v = cur.fetchone()[0]
        assert v.startswith(f"v2:{key_id()}:") and open_sealed("wechat.app_secret", v, "settings") == "legacy-app-secret"
        cur.execute("SELECT robot_webhook_key FROM training_camp WHERE id = %s", (made["camp"],))
        v = cur.fetchone()[0]
        assert open_sealed("camp.robot_webhook_key", v, "settings") == "robot-key-legacy"
        env = dict(os.environ)
        env.update(ENV)
        env["CAMP_DB_URL"] = url
        got = subprocess.run([ENV["CAMP_RUNTIME_DIR"] + "/app/bin/campctl", "config", "get", "wechat.app_secret"],
                             env=env, capture_output=True, text=True)
        assert got.stdout.strip() == "legacy-app-secret", got.stderr

        # nothing plain is left anywhere in the database
        dump = subprocess.run(["pg_dump", "--no-owner", "-d", url], capture_output=True, text=True, check=True).stdout
        for secret in (PAYER, PAYER2, MARK, "legacy-app-secret", "robot-key-legacy", '"payer"'):
            assert secret not in dump, secret
        assert "CPLEG1" in dump and "RFLEG1" in dump
        assert migrate(url).stdout.strip() == "up to date"
        conn.close()


def test_011_needs_the_master_key(tmp_path):
    with scratch("camp_migrate_nokey") as url:
        r = migrate(url, key=tmp_path / "missing.key")
        assert r.returncode == 1 and "needs the master key" in r.stderr, r.stderr
        conn = psycopg2.connect(url)
        try:
            with conn.cursor() as c:
                c.execute("SELECT count(*) FROM schema_migrations WHERE version LIKE '011%%'")
                assert c.fetchone()[0] == 0
                c.execute("SELECT count(*) FROM schema_migrations")
                assert c.fetchone()[0] > 0, "the migrations before 011 stay applied"
        finally:
            conn.close()
# --- end issue #17 ---
