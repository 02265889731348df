"""test_sealing.py: payment data encrypted at rest (PRD §5.2, issue #17).

Real payments through camp-sim — JSAPI inside WeChat (OAuth openid), Native with the payer's
openid, a lost callback applied by the hourly query, a verified callback that becomes a payment
exception — and then a pg_dump of the whole database holds none of the openids and none of the
decrypted WeChat JSON; the values are there, sealed for their rows, and /h5/mine still finds a
member by openid (blind index).  Values copied to another row do not open, and a value sealed
under a master key the database does not hold is refused on the way in.
"""
import json
import os
import secrets
import subprocess

import psycopg2
import psycopg2.errors as pgerr
import pytest

from conftest import ENV, HTTPS, campctl, dsn
from paylib import (enroll, envelope, exceptions, make_camp, order_no_of, post_callback, sim_pay, sql,
                    transaction, wait_state, wechat_member, h5)
from sealing import index, key_id, open_sealed, seal
from synclib import planet_id
from test_reconcile import pending, run_job

DEVICE = "SEALED-DEVICE-" + secrets.token_hex(4)


def dump():
    return subprocess.run(["pg_dump", "--no-owner", "-d", dsn()], capture_output=True, text=True,
                          check=True, timeout=120).stdout


@pytest.fixture(scope="module")
def paid():
    """Money through every path that stores an openid or WeChat's decrypted JSON."""
    openids = {k: "o" + k + secrets.token_hex(11) for k in ("Jsapi", "Native", "Query", "Exception")}
    cid = make_camp()
    # JSAPI inside WeChat: the openid from OAuth, the order with payer.openid, the callback
    s = wechat_member(openids["Jsapi"], cid)
    jsapi = order_no_of(enroll(s, cid, planet_id(), base=HTTPS))
    sim_pay(jsapi, openids["Jsapi"])
    wait_state(s, jsapi, base=HTTPS)
    # Native: the payer's openid arrives with the callback only
    b = h5()
    native = order_no_of(enroll(b, cid, planet_id()))
    sim_pay(native, openids["Native"])
    wait_state(b, native)
    # a lost callback: the hourly query's answer is the transaction itself
    query, _ = pending(cid)
    sim_pay(query, openids["Query"])
    run_job()
    # a verified callback that cannot be applied: a payment exception with WeChat's JSON
    unknown = "CPSEAL" + secrets.token_hex(6)
    txn = transaction(unknown, 9900, payer={"openid": openids["Exception"]}, scene_info={"device_id": DEVICE})
    assert post_callback(envelope(txn)).status_code in (200, 204)
    assert exceptions(unknown) == ["unknown_order"]
    return {"camp": cid, "openids": openids, "orders": (jsapi, native, query), "unknown": unknown,
            "txn": txn}


def test_a_dump_holds_no_openid_and_no_decrypted_wechat_json(paid):
    text = dump()
    for name, openid in paid["openids"].items():
        assert openid not in text, name
    assert DEVICE not in text, "a field only WeChat's decrypted transaction holds"
    assert '"payer"' not in text and '"trade_state":' not in text, "no decrypted transaction JSON at all"
    # the rows are in the dump — their secrets sealed
    for no in paid["orders"] + (paid["unknown"],):
        assert no in text, no


def test_the_values_are_there_sealed_for_their_rows(paid):
    jsapi, native, query = paid["orders"]
    for no, who in ((jsapi, "Jsapi"), (native, "Native"), (query, "Query")):
        pid, mid, sealed, idx, callback, txid = sql(
            "SELECT id, member_id, openid_sealed, openid_index, callback_sealed, wechat_transaction_id"
            " FROM payment_record WHERE order_no = %s", no)[0]
        openid = paid["openids"][who]
        assert sealed.startswith(f"v2:{key_id()}:")
        assert open_sealed(f"payment_record.openid#{pid}", sealed) == openid and idx == index(openid), who
        assert json.loads(open_sealed(f"payment_record.callback_data#{pid}", callback))["payer"]["openid"] == openid
        msealed, midx = sql("SELECT openid_sealed, openid_index FROM camp_member WHERE id = %s", mid)[0]
        assert open_sealed(f"camp_member.openid#{mid}", msealed) == openid and midx == idx
        tsealed, raw, source = sql("SELECT openid_sealed, raw_sealed, source FROM payment_transaction"
                                   " WHERE transaction_id = %s", txid)[0]
        assert open_sealed(f"payment_transaction.openid#{txid}", tsealed) == openid
        assert json.loads(open_sealed(f"payment_transaction.raw#{txid}", raw))["out_trade_no"] == no
        assert source == ("query" if who == "Query" else "notify")
    # the order creation (payer.openid) and the query's answer, sealed in the audit log
    pid = sql("SELECT id FROM payment_record WHERE order_no = %s", jsapi)[0][0]
    req = sql("SELECT request_sealed FROM payment_audit_log WHERE payment_id = %s AND action_type = 'CREATE_ORDER'",
              pid)[0][0]
    assert json.loads(open_sealed(f"payment_audit_log.request_data#{pid}/CREATE_ORDER", req))["payer"]["openid"] == \
        paid["openids"]["Jsapi"]
    qpid = sql("SELECT id FROM payment_record WHERE order_no = %s", query)[0][0]
    res = sql("SELECT response_sealed FROM payment_audit_log WHERE payment_id = %s AND action_type = 'QUERY'"
              " ORDER BY id DESC LIMIT 1", qpid)[0][0]
    assert json.loads(open_sealed(f"payment_audit_log.response_data#{qpid}/QUERY", res))["payer"]["openid"] == \
        paid["openids"]["Query"]
    # the exception: the payer and WeChat's JSON, with the field we never copy out
    txid = paid["txn"]["transaction_id"]
    psealed, raw = sql("SELECT payer_openid_sealed, raw_sealed FROM payment_exception WHERE transaction_id = %s",
                       txid)[0]
    row = f"{txid}/{paid['unknown']}"
    assert open_sealed(f"payment_exception.payer_openid#{row}", psealed) == paid["openids"]["Exception"]
    assert json.loads(open_sealed(f"payment_exception.raw#{row}", raw))["scene_info"]["device_id"] == DEVICE


def test_mine_finds_the_member_by_openid_through_the_blind_index(paid):
    s = wechat_member(paid["openids"]["Jsapi"])
    page = s.get(HTTPS + "/h5/mine", timeout=10).text
    name = sql("SELECT name FROM training_camp WHERE id = %s", paid["camp"])[0][0]
    assert name in page and "mine-open" in page
    other = wechat_member("oNobody" + secrets.token_hex(10))
    assert name not in other.get(HTTPS + "/h5/mine", timeout=10).text


def test_admins_see_the_payer_of_an_exception(paid):
    from test_refunds import admin
    page = admin().get(ENV["CAMP_HTTP_URL"] + "/admin/payments/exceptions", timeout=10).text
    assert paid["unknown"] in page and paid["openids"]["Exception"] in page


def test_a_value_moved_to_another_row_does_not_open(paid, tmp_path):
    """Swap two members' sealed openids: neither opens where it landed, and a key rotation (which
    opens everything) refuses to go on, names the row and changes nothing."""
    jsapi, native, _ = paid["orders"]
    (m1, s1), (m2, s2) = sql("SELECT m.id, m.openid_sealed FROM camp_member m JOIN payment_record p"
                             " ON p.member_id = m.id WHERE p.order_no IN (%s, %s) ORDER BY m.id", jsapi, native)
    sql("UPDATE camp_member SET openid_sealed = %s WHERE id = %s", s2, m1)
    try:
        assert open_sealed(f"camp_member.openid#{m1}", s2) is None
        key = tmp_path / "next.key"
        key.write_text(secrets.token_hex(32) + "\n")
        before = sql("SELECT key_id FROM master_key")[0][0]
        r = campctl("rekey", str(key), check=False)
        assert r.returncode == 1 and f"camp_member.openid#{m1}" in r.stderr and "nothing was changed" in r.stderr
        assert sql("SELECT key_id FROM master_key")[0][0] == before == key_id()
        assert sql("SELECT openid_sealed FROM camp_member WHERE id = %s", m2)[0][0] == s2
    finally:
        sql("UPDATE camp_member SET openid_sealed = %s WHERE id = %s", s1, m1)


# every sealed column the database guards, with a row of it the paid fixture wrote
GUARDED = [
    ("camp_member", "openid_sealed", "SELECT member_id FROM payment_record WHERE order_no = %s"),
    ("payment_record", "openid_sealed", "SELECT id FROM payment_record WHERE order_no = %s"),
    ("payment_record", "callback_sealed", "SELECT id FROM payment_record WHERE order_no = %s"),
    ("payment_transaction", "openid_sealed",
     "SELECT id FROM payment_transaction WHERE out_trade_no = %s"),
    ("payment_transaction", "raw_sealed", "SELECT id FROM payment_transaction WHERE out_trade_no = %s"),
    ("payment_exception", "payer_openid_sealed",
     "SELECT id FROM payment_exception WHERE out_trade_no = %s"),
    ("payment_exception", "raw_sealed", "SELECT id FROM payment_exception WHERE out_trade_no = %s"),
    ("payment_audit_log", "request_sealed", "SELECT a.id FROM payment_audit_log a JOIN payment_record p"
     " ON p.id = a.payment_id WHERE p.order_no = %s AND a.action_type = 'CREATE_ORDER'"),
    ("payment_audit_log", "response_sealed", "SELECT a.id FROM payment_audit_log a JOIN payment_record p"
     " ON p.id = a.payment_id WHERE p.order_no = %s AND a.action_type = 'CREATE_ORDER'"),
    ("training_camp", "robot_webhook_key", "SELECT id FROM training_camp WHERE id = %s"),
]


@pytest.mark.parametrize("table,column,row", GUARDED, ids=[f"{t}.{c}" for t, c, _ in GUARDED])
def test_every_sealed_column_refuses_a_foreign_seal_and_takes_its_own(paid, table, column, row):
    """Each guarded column, by name (sql/012 reads them without to_jsonb): a value naming another
    master key is refused with the column in the message; the database's own key passes."""
    jsapi, _, _ = paid["orders"]
    arg = {"payment_exception": paid["unknown"], "training_camp": paid["camp"]}.get(table, jsapi)
    rid = sql(row, arg)[0][0]
    conn = psycopg2.connect(dsn())
    try:
        with conn.cursor() as c:
            with pytest.raises(pgerr.CheckViolation) as e:
                c.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", ("v2:0badc0de:AAAA", rid))
            assert f"{table}.{column} is not sealed" in str(e.value), str(e.value)
            assert e.value.diag.message_hint == "stale_master_key"
            conn.rollback()
            c.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", (f"v2:{key_id()}:AAAA", rid))
            assert c.rowcount == 1
    finally:
        conn.rollback()
        conn.close()


def test_a_value_sealed_under_another_master_key_is_refused(tmp_path):
    other = tmp_path / "other.key"
    other.write_text("an-old-master-key-" + secrets.token_hex(16) + "\n")
    os.chmod(other, 0o640)
    cid = make_camp()
    mid = sql("INSERT INTO camp_member (camp_id, filled_wechat_nickname) VALUES (%s, '旧钥') RETURNING id", cid)[0][0]
    conn = psycopg2.connect(dsn())
    try:
        with conn.cursor() as c, pytest.raises(pgerr.CheckViolation) as e:
            c.execute("UPDATE camp_member SET openid_sealed = %s WHERE id = %s",
                      (seal(f"camp_member.openid#{mid}", "oStale", path=other), mid))
        assert "old master key" in str(e.value) and e.value.diag.message_hint == "stale_master_key"
    finally:
        conn.rollback()
        conn.close()
    # campctl holding another key: reads nothing, writes nothing
    e = dict(os.environ)
    e.update(ENV)
    e["CAMP_MASTER_KEY_FILE"] = str(other)
    bin_ = ENV["CAMP_RUNTIME_DIR"] + "/app/bin/campctl"
    got = subprocess.run([bin_, "config", "get", "wechat.pay_key"], env=e, capture_output=True, text=True)
    assert got.returncode != 0 and "sealed under master key " + key_id() in got.stderr, got.stderr
    before = sql("SELECT config_value FROM system_config WHERE config_key = 'wechat.externalpay_secret'")
    put = subprocess.run([bin_, "config", "set", "wechat.externalpay_secret", "stale-secret"], env=e,
                         capture_output=True, text=True)
    assert put.returncode != 0 and "old master key" in put.stderr, put.stderr
    assert sql("SELECT config_value FROM system_config WHERE config_key = 'wechat.externalpay_secret'") == before
