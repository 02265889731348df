"""test_rekey.py: campctl rekey NEW_KEY_FILE on the running test instance (issue #17).

Money is made under the old key (a member to refund later, a member who paid inside WeChat, a
payment exception, a camp robot key) and a backup is taken.  The rotation re-seals settings and
payment data in one transaction and says what to do next; afterwards no sealed value anywhere
opens under the old key, and the services — still holding the old key — refuse to write what
they could only seal under it (a callback gets 500, WeChat delivers it again).  Then the test
does what the operator is told: installs the new key file and restarts camp-web, camp-pay and
camp-worker, and reads everything back: every setting, /h5/mine by openid, the exception's payer,
a refund of a payment made before the rotation, the callback refused meanwhile.  The backup
made before the rotation restores only with the old key (and can then be rotated itself).
"""
import os
import pathlib
import secrets
import shutil
import signal
import subprocess
import time

import pytest
import requests

from conftest import ENV, HTTP, HTTPS, campctl
from paylib import (enroll, envelope, exceptions, h5, make_camp, order_no_of, post_callback, sim_pay, sql,
                    transaction, wait_state, wechat_member)
from sealing import key_id, open_sealed, seal_setting
from synclib import planet_id
from test_refunds import admin, finished_camp, post, propose, wait_status
from test_restore import dump_in, restore, run_backup, scratch_db
from test_scale_out import wait_until

KEY_FILE = pathlib.Path(ENV["CAMP_MASTER_KEY_FILE"])
RT = pathlib.Path(ENV["CAMP_RUNTIME_DIR"])
SECRETS = ("planet.cookie", "wechat.app_secret", "wechat.externalpay_secret", "wechat.pay_key",
           "wechat.pay_app_secret", "wechat.pay_private_key")

# Every sealed value of the database: (associated data, sealed, use) — the row identities of
# sql/011_sealed_payment_data.sql.
SEALED = """
SELECT config_key, config_value, 'settings' FROM system_config WHERE is_encrypted AND config_value <> ''
UNION ALL SELECT 'camp.robot_webhook_key', robot_webhook_key, 'settings' FROM training_camp
  WHERE robot_webhook_key <> ''
UNION ALL SELECT 'camp_member.openid#' || id, openid_sealed, 'paydata' FROM camp_member
  WHERE openid_sealed IS NOT NULL
UNION ALL SELECT 'payment_record.openid#' || id, openid_sealed, 'paydata' FROM payment_record
  WHERE openid_sealed IS NOT NULL
UNION ALL SELECT 'payment_record.callback_data#' || id, callback_sealed, 'paydata' FROM payment_record
  WHERE callback_sealed IS NOT NULL
UNION ALL SELECT 'payment_transaction.openid#' || COALESCE(transaction_id, ''), openid_sealed, 'paydata'
  FROM payment_transaction WHERE openid_sealed IS NOT NULL
UNION ALL SELECT 'payment_transaction.raw#' || COALESCE(transaction_id, ''), raw_sealed, 'paydata'
  FROM payment_transaction WHERE raw_sealed IS NOT NULL
UNION ALL SELECT 'payment_exception.payer_openid#' || COALESCE(transaction_id, '') || '/' || COALESCE(out_trade_no, ''),
  payer_openid_sealed, 'paydata' FROM payment_exception WHERE payer_openid_sealed IS NOT NULL
UNION ALL SELECT 'payment_exception.raw#' || COALESCE(transaction_id, '') || '/' || COALESCE(out_trade_no, ''),
  raw_sealed, 'paydata' FROM payment_exception WHERE raw_sealed IS NOT NULL
UNION ALL SELECT 'payment_audit_log.request_data#' || COALESCE(payment_id, 0) || '/' || action_type,
  request_sealed, 'paydata' FROM payment_audit_log WHERE request_sealed IS NOT NULL
UNION ALL SELECT 'payment_audit_log.response_data#' || COALESCE(payment_id, 0) || '/' || action_type,
  response_sealed, 'paydata' FROM payment_audit_log WHERE response_sealed IS NOT NULL
"""


def settings_now():
    out = {}
    for k in SECRETS:
        r = campctl("config", "get", k, check=False)
        out[k] = r.stdout if r.returncode == 0 else None
    return out


# ---------------------------------------------------------------- restarting the services

def children(pid):
    kids = []
    for d in pathlib.Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if int((d / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    kids.append(int(d.name))
            except (OSError, IndexError, ValueError):
                pass
    return kids


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


def restart_services():
    """What `systemctl restart camp-web camp-pay camp-worker` does in production, done to the
    test instance as ./dev runs it: each camp-web child of the two multiwatch pools is stopped
    (multiwatch starts a fresh one, which reads the key file), the worker is stopped and started
    again the way ./dev starts it (its pid file, its log, its own session)."""
    run = RT / "run"
    for pool in ("web", "pay"):
        watcher = int((run / f"{pool}.pid").read_text())
        old = children(watcher)
        assert old, pool
        for k in old:
            os.kill(k, signal.SIGTERM)
        wait_until(lambda: len(set(children(watcher)) - set(old)) == len(old) and not any(map(alive, old)),
                   60, f"{pool} pool restarted")
    worker = int((run / "worker.pid").read_text())
    os.kill(worker, signal.SIGTERM)
    wait_until(lambda: not alive(worker), 60, "worker stopped")
    env = dict(os.environ)
    env.update(ENV)
    with open(RT / "log" / "worker.log", "ab") as log:
        p = subprocess.Popen(["setsid", "setpriv", "--reuid=camp", "--regid=camp", "--init-groups", "--",
                              str(RT / "app/bin/camp-worker")], cwd=RT, env=env, stdin=subprocess.DEVNULL,
                             stdout=log, stderr=subprocess.STDOUT)
    (run / "worker.pid").write_text(f"{p.pid}\n")
    wait_until(lambda: requests.get(HTTP + "/healthz", timeout=5).status_code == 200, 30, "healthy")


# ---------------------------------------------------------------- the rotation

@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    d = tmp_path_factory.mktemp("keys")
    old, new = d / "old.key", d / "new.key"
    shutil.copy(KEY_FILE, old)
    new.write_text(secrets.token_hex(32) + "\n")
    os.chmod(new, 0o640)
    return {"old": old, "new": new, "dir": d}


@pytest.fixture(scope="module")
def before(keys):
    """Money, settings and a backup, all under the old key."""
    openid = "oRekey" + secrets.token_hex(10)
    camp, ms = finished_camp((planet_id(), 15, 100))
    cid = make_camp()
    s = wechat_member(openid, cid)
    no = order_no_of(enroll(s, cid, planet_id(), base=HTTPS))
    sim_pay(no, openid)
    wait_state(s, no, base=HTTPS)
    unknown = "CPREKEY" + secrets.token_hex(5)
    payer = "oRekeyExc" + secrets.token_hex(8)
    assert post_callback(envelope(transaction(unknown, 9900, payer={"openid": payer}))).status_code in (200, 204)
    sql("UPDATE training_camp SET robot_webhook_key = %s WHERE id = %s",
        seal_setting("camp.robot_webhook_key", "robot-" + secrets.token_hex(4)), cid)
    # an order whose callback will come while the services still hold the old key
    b = h5()
    late = order_no_of(enroll(b, cid, planet_id()))
    r = run_backup(keys["dir"] / "backups")
    assert r.returncode == 0, r.stderr
    return {"openid": openid, "refund_camp": camp, "member": ms[0][0], "camp": cid, "unknown": unknown,
            "payer": payer, "late": late, "late_session": b, "settings": settings_now(),
            "dump": dump_in(keys["dir"] / "backups"), "old_id": key_id(), "new_id": key_id(keys["new"])}


def test_rekey_seals_everything_again_and_the_old_key_opens_nothing(keys, before):
    old, new = keys["old"], keys["new"]
    assert before["old_id"] != before["new_id"]
    n_before = len(sql(SEALED))
    r = campctl("rekey", str(new), check=False)
    try:
        assert r.returncode == 0, r.stderr
        out = r.stdout
        assert f"sealed under master key {before['new_id']} (it was {before['old_id']})" in out
        assert f"install -o root -g camp -m 0640 {new} {KEY_FILE}" in out
        assert "systemctl restart camp-web camp-pay camp-worker" in out
        assert f"Keep the old key file (id {before['old_id']})" in out
        assert sql("SELECT key_id FROM master_key")[0][0] == before["new_id"]
        assert sql("SELECT operation_type, target_name FROM operation_log ORDER BY id DESC LIMIT 1")[0] == \
            ("REKEY", before["new_id"])

        values = sql(SEALED)
        assert len(values) == n_before and len(values) > 20
        assert {use for _, _, use in values} == {"settings", "paydata"}
        for aad, v, use in values:
            assert v.startswith(f"v2:{before['new_id']}:"), aad
            assert open_sealed(aad, v, use, path=old) is None, aad
            assert open_sealed(aad, v, use, path=new) is not None, aad
        # campctl with the old key reads nothing and writes nothing
        e = dict(os.environ)
        e.update(ENV)
        e["CAMP_MASTER_KEY_FILE"] = str(old)
        got = subprocess.run([str(RT / "app/bin/campctl"), "config", "get", "wechat.pay_key"], env=e,
                             capture_output=True, text=True)
        assert got.returncode != 0 and f"sealed under master key {before['new_id']}" in got.stderr
        again = subprocess.run([str(RT / "app/bin/campctl"), "rekey", str(new)], env=e, capture_output=True,
                               text=True)
        assert again.returncode == 1 and "nothing was changed" in again.stderr

        # the services still hold the old key: a callback now writes nothing and asks for a retry
        no, pid = before["late"], sql("SELECT id FROM payment_record WHERE order_no = %s", before["late"])[0][0]
        mark = sql("SELECT max(id) FROM payment_audit_log")[0][0]
        time.sleep(2.5)          # past the settings cache of the pools (2 s)
        txn = transaction(no, 9900, trade_type="NATIVE", payer={"openid": "oLateCallback0001"})
        before["late_txn"] = txn
        assert post_callback(envelope(txn)).status_code == 500
        assert sql("SELECT pay_status FROM payment_record WHERE id = %s", pid)[0][0] == "pending"
        assert sql("SELECT count(*) FROM payment_audit_log WHERE id > %s", mark)[0][0] == 0
    finally:
        if sql("SELECT key_id FROM master_key")[0][0] == before["new_id"]:
            # what the operator is told to do next
            KEY_FILE.write_bytes(new.read_bytes())
            restart_services()


def test_after_the_restart_everything_reads_back(keys, before):
    assert sql("SELECT key_id FROM master_key")[0][0] == key_id() == before["new_id"]
    # every setting, unchanged
    assert settings_now() == before["settings"]
    assert before["settings"]["wechat.pay_key"]
    # the callback refused during the rotation, delivered again, is applied
    assert post_callback(envelope(before["late_txn"])).status_code in (200, 204)
    wait_state(before["late_session"], before["late"])
    # /h5/mine by openid (a fresh OAuth: cookies sealed under the old key are gone)
    s = wechat_member(before["openid"])
    page = s.get(HTTPS + "/h5/mine", timeout=10).text
    assert sql("SELECT name FROM training_camp WHERE id = %s", before["camp"])[0][0] in page
    # the exception's payer, opened for the admin
    page = admin().get(HTTP + "/admin/payments/exceptions", timeout=10).text
    assert before["unknown"] in page and before["payer"] in page
    assert exceptions(before["unknown"]) == ["unknown_order"]
    # a refund of a payment made before the rotation: the worker and the refund callback
    rid = propose(before["refund_camp"])[before["member"]][0]
    assert post(admin(), "/admin/refunds/approve", ids=str(rid)).status_code == 303
    wait_status(rid, "success")
    # and a new payment is sealed under the new key
    no = sql("SELECT order_no FROM payment_record WHERE order_no = %s", before["late"])[0][0]
    v = sql("SELECT openid_sealed FROM payment_record WHERE order_no = %s", no)[0][0]
    assert v.startswith(f"v2:{before['new_id']}:")


def test_a_backup_from_before_the_rotation_restores_with_the_old_key(keys, before):
    with scratch_db() as url:
        r = restore(url, str(before["dump"]))
        assert r.returncode == 1, r.stdout + r.stderr
        assert f"sealed under master key {before['old_id']}" in r.stderr and "campctl rekey" in r.stderr
    with scratch_db() as url:
        e = dict(os.environ)
        e.update(ENV)
        e.update(CAMP_DB_URL=url, CAMP_MASTER_KEY_FILE=str(keys["old"]))
        r = subprocess.run([str(RT / "app/bin/campctl"), "restore", str(before["dump"])], env=e,
                           capture_output=True, text=True, timeout=600)
        # (3: the books of that moment differ, which is the books' business, not the key's)
        assert r.returncode in (0, 3) and "sealed under master key" not in r.stderr, r.stdout + r.stderr
        # rotated to today's key, it is today's database again
        r = subprocess.run([str(RT / "app/bin/campctl"), "rekey", str(KEY_FILE)], env=e, capture_output=True,
                           text=True, timeout=300)
        assert r.returncode == 0, r.stderr
        e["CAMP_MASTER_KEY_FILE"] = str(KEY_FILE)
        got = subprocess.run([str(RT / "app/bin/campctl"), "config", "get", "wechat.pay_key"], env=e,
                             capture_output=True, text=True)
        assert got.returncode == 0 and got.stdout == before["settings"]["wechat.pay_key"]
