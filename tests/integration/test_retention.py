"""test_retention.py: the retention job and what it may never touch (issue #17, PRD §5.3, §9.5).

Financial rows are never deleted: the database refuses DELETE and TRUNCATE on each financial
table.  History older than 3 months goes; settled camps that ended more than 3 months ago are
archived: out of the default lists, read-only, still in the statistics.
"""
import secrets

import psycopg2
import pytest

from conftest import HTTP, add_user, campctl, dsn, login, new_session
from paylib import make_camp, sql
from synclib import member
from test_binding import paid_order

FINANCIAL = ["payment_record", "payment_transaction", "order_status_log", "payment_bind_log",
             "refund_record", "refund_status_log", "payment_exception", "payment_audit_log"]


@pytest.fixture
def cur():
    conn = psycopg2.connect(dsn())
    c = conn.cursor()
    try:
        yield c
    finally:
        conn.rollback()
        conn.close()


def refused(cur, statement):
    cur.execute("SAVEPOINT s")
    with pytest.raises(psycopg2.Error) as e:
        cur.execute(statement)
    cur.execute("ROLLBACK TO SAVEPOINT s")
    return str(e.value)


@pytest.mark.parametrize("table", FINANCIAL)
def test_the_database_refuses_to_delete_financial_rows(cur, table):
    cur.execute(f"SELECT count(*) FROM {table}")
    before = cur.fetchone()[0]
    for statement in (f"DELETE FROM {table}", f"DELETE FROM {table} WHERE false",
                      f"TRUNCATE {table} CASCADE"):
        msg = refused(cur, statement)
        assert "financial records are never deleted" in msg, (statement, msg)
    cur.execute(f"SELECT count(*) FROM {table}")
    assert cur.fetchone()[0] == before


def test_a_real_payment_row_cannot_be_deleted_but_can_be_soft_deleted(cur):
    cid = make_camp()
    pid = paid_order(cid, member(cid, None, "不可删", paid=True), status="completed")
    msg = refused(cur, f"DELETE FROM payment_record WHERE id = {int(pid)}")
    assert "DELETE on payment_record refused" in msg
    cur.execute("UPDATE payment_record SET deleted_at = now() WHERE id = %s RETURNING id", (pid,))
    assert cur.fetchone() == (pid,)


def old(months=4):
    return f"now() - interval '{months} months'"


def test_retention_deletes_old_history_and_keeps_money_and_recent_rows():
    tag = "ret-" + secrets.token_hex(4)
    admin = sql("SELECT id FROM system_user WHERE username = 'admin'")[0][0]
    for when in ("4 months", "2 months"):
        at = f"now() - interval '{when}'"
        sql(f"INSERT INTO operation_log (operator_name, operation_type, operation_desc, success, created_at)"
            f" VALUES ('t', 'TEST', %s, true, {at})", f"{tag} {when}")
        sql(f"INSERT INTO login_attempt (username, ip, success, created_at) VALUES (%s, '10.9.9.9', false, {at})",
            f"{tag} {when}")
        sql(f"INSERT INTO job_run (job, started_at, finished_at, outcome, detail)"
            f" VALUES ('camp-status', {at}, {at}, 'success', %s::jsonb)", '{"tag": "%s %s"}' % (tag, when))
        for status in ("sent", "failed"):
            sql(f"INSERT INTO notification_message (recipient_type, recipient_id, message_type, title, content,"
                f" channel, send_status, created_at) VALUES ('admin', %s, 'test_alert', 't', %s, 'wechat', %s, {at})",
                admin, f"{tag} {when} {status}", status)
        sql(f"INSERT INTO backup_run (finished_at, outcome, error) VALUES ({at}, 'failed', %s)", f"{tag} {when}")
    qid = sql(f"INSERT INTO job_queue (kind, state, finished_at, created_at, error)"
              f" VALUES ('camp-status', 'done', {old()}, {old()}, %s) RETURNING id", tag)[0][0]
    # money of the same age
    cid = make_camp()
    mid = member(cid, None, tag, paid=True)
    pid = paid_order(cid, mid, status="completed")
    sql(f"UPDATE payment_record SET created_at = {old(6)}, pay_time = {old(6)} WHERE id = %s", pid)
    sql(f"INSERT INTO order_status_log (order_id, to_status, event, created_at) VALUES (%s, 'success', 'PAY_SUCCESS',"
        f" {old(6)})", pid)
    sql(f"INSERT INTO payment_audit_log (payment_id, action_type, action_detail, created_at)"
        f" VALUES (%s, 'NOTIFY', %s, {old(6)})", pid, tag)
    pu = sql("INSERT INTO planet_user (planet_user_id, planet_nickname) VALUES (%s, %s) RETURNING id",
             "9" + secrets.token_hex(6), tag)[0][0]
    sql(f"INSERT INTO checkin_record (camp_id, planet_user_id, member_id, checkin_date, checkin_time,"
        f" raw_data, synced_at) VALUES (%s, %s, %s, current_date - 130, {old(5)}, '{{\"topic\": 1}}', {old(5)})",
        cid, pu, mid)

    r = campctl("job", "run", "retention", check=False)
    assert r.returncode == 0, r.stderr
    assert "retention: success" in r.stdout

    def left(q, *a):
        return sorted(x for (x,) in sql(q, *a))
    assert left("SELECT operation_desc FROM operation_log WHERE operation_desc LIKE %s", tag + "%") == \
        [f"{tag} 2 months"]
    assert left("SELECT username FROM login_attempt WHERE username LIKE %s", tag + "%") == [f"{tag} 2 months"]
    assert left("SELECT detail->>'tag' FROM job_run WHERE detail->>'tag' LIKE %s", tag + "%") == \
        [f"{tag} 2 months"]
    assert left("SELECT content FROM notification_message WHERE content LIKE %s", tag + "%") == \
        [f"{tag} 2 months failed", f"{tag} 2 months sent", f"{tag} 4 months failed"]
    assert left("SELECT error FROM backup_run WHERE error LIKE %s", tag + "%") == [f"{tag} 2 months"]
    assert sql("SELECT count(*) FROM job_queue WHERE id = %s", qid)[0][0] == 0
    # money stays, and so do the check-in facts; only the raw ZSXQ payload goes
    assert sql("SELECT count(*) FROM payment_record WHERE id = %s", pid)[0][0] == 1
    assert sql("SELECT count(*) FROM order_status_log WHERE order_id = %s", pid)[0][0] == 1
    assert sql("SELECT count(*) FROM payment_audit_log WHERE action_detail = %s", tag)[0][0] == 1
    assert sql("SELECT raw_data IS NULL, checkin_date IS NOT NULL FROM checkin_record WHERE member_id = %s",
               mid) == [(True, True)]


# ---------------------------------------------------------------- archiving

def finished_camp(days_ago, refund_status=None, exception=False):
    """A finished camp that ended days_ago, with one paid member (and a refund or an exception)."""
    cid = make_camp(start=-days_ago - 20, end=-days_ago, required=10)
    sql("UPDATE training_camp SET status = 'finished' WHERE id = %s", cid)
    mid = member(cid, None, "归档", paid=True)
    pid = paid_order(cid, mid, status="completed")
    if refund_status:
        sql("INSERT INTO refund_record (camp_id, member_id, payment_id, refund_amount, refund_status,"
            " audit_status, out_refund_no) VALUES (%s, %s, %s, 99, %s, 'approved', %s)",
            cid, mid, pid, refund_status, "RFAR" + secrets.token_hex(8))
    if exception:
        sql("INSERT INTO payment_exception (camp_id, out_trade_no, amount_fen, reason, status)"
            " VALUES (%s, %s, 100, 'wrong_amount', 'open')", cid, "CPAR" + secrets.token_hex(6))
    return cid


def archived(cid):
    return sql("SELECT archived_at IS NOT NULL FROM training_camp WHERE id = %s", cid)[0][0]


def admin_session():
    name, pw = add_user("admin")
    s = new_session()
    assert login(s, name, pw).status_code == 303
    return s


def test_settled_camps_finished_three_months_ago_are_archived_and_read_only():
    settled = finished_camp(100, refund_status="success")
    open_refund = finished_camp(100, refund_status="failed")
    open_exception = finished_camp(100, exception=True)
    recent = finished_camp(60)
    r = campctl("job", "run", "retention", check=False)
    assert r.returncode == 0, r.stderr
    assert archived(settled)
    assert not archived(open_refund) and not archived(open_exception) and not archived(recent)
    assert sql("SELECT event, from_status, to_status FROM camp_status_log WHERE camp_id = %s"
               " AND event = 'ARCHIVE'", settled) == [("ARCHIVE", "finished", "finished")]

    s = admin_session()
    name = sql("SELECT name FROM training_camp WHERE id = %s", settled)[0][0]
    # hidden from the default list, found under 已归档, still viewable
    row = f'href="/admin/camps/{settled}"'
    assert row not in s.get(HTTP + "/admin/camps", params={"q": name}, timeout=10).text
    assert row not in s.get(HTTP + "/admin/camps", params={"q": name, "status": "finished"}, timeout=10).text
    listed = s.get(HTTP + "/admin/camps", params={"q": name, "status": "archived"}, timeout=10).text
    assert row in listed and "已归档" in listed
    view = s.get(HTTP + f"/admin/camps/{settled}", timeout=10)
    assert view.status_code == 200 and "已归档" in view.text
    assert f"/admin/camps/{settled}/edit" not in view.text
    # read-only: every way of changing it is refused with a message
    assert s.get(HTTP + f"/admin/camps/{settled}/edit", timeout=10).status_code == 409
    tok = view.text.split('name="_csrf" value="')[1][:64]
    for path, data in ((f"/admin/camps/{settled}/edit", {"name": "改名"}),
                       (f"/admin/camps/{settled}/sync", {}),
                       (f"/admin/camps/{settled}/refund-list", {})):
        resp = s.post(HTTP + path, data=dict(data, _csrf=tok), allow_redirects=False, timeout=10)
        assert resp.status_code == 409 and "已归档" in resp.text, (path, resp.status_code)
    mid = sql("SELECT id FROM camp_member WHERE camp_id = %s", settled)[0][0]
    for path in (f"/admin/members/{mid}/joined", f"/admin/members/{mid}/bind"):
        resp = s.post(HTTP + path, data={"_csrf": tok, "planet_user_id": "123"}, allow_redirects=False,
                      timeout=10)
        assert resp.status_code == 409, path
    # and in the database itself, for every writer; money counters still move
    with pytest.raises(Exception) as e:
        sql("UPDATE training_camp SET name = 'x' WHERE id = %s", settled)
    assert "archived" in str(e.value)
    sql("UPDATE training_camp SET refunded_amount = refunded_amount WHERE id = %s", settled)
    # still in the statistics the reports read
    assert sql("SELECT total_paid::text FROM v_camp_statistics WHERE camp_id = %s", settled) == [("99.00",)]
