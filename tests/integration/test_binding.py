"""test_binding.py: binding transitions — expire-bindings, 手动绑定, 标记进群 (admins and managers)."""
import re
import secrets

from conftest import HTTP, add_user, campctl, login, new_session
from synclib import member, planet_id, sql, sync_camp


def paid_order(cid, mid, status="pending", deadline="-1 hour"):
    no = "CPBIND" + secrets.token_hex(6)
    return sql("INSERT INTO payment_record (order_no, camp_id, member_id, pay_amount, trade_type, pay_status,"
               " pay_time, bind_status, bind_method, bind_deadline)"
               " VALUES (%s, %s, %s, 99, 'NATIVE', 'success', now(), %s, NULL, now() + %s::interval)"
               " RETURNING id", no, cid, mid, status, deadline)[0][0]


def log_of(pid):
    return sql("SELECT from_status, to_status, event, operator_id FROM payment_bind_log"
               " WHERE payment_id = %s ORDER BY id", pid)


def signed_in(role):
    name, pw = add_user(role)
    s = new_session()
    assert login(s, name, pw).status_code == 303
    uid = sql("SELECT id FROM system_user WHERE username = %s", name)[0][0]
    page = s.get(HTTP + "/admin/", timeout=10)
    s.tok = re.search(r'name="_csrf" value="([0-9a-f]{64})"', page.text).group(1)
    return s, uid


def post(s, path, **data):
    return s.post(HTTP + path, data=dict(data, _csrf=s.tok), allow_redirects=False, timeout=10)


def test_expire_moves_pending_past_deadline_to_manual_review():
    cid, _ = sync_camp()
    late = paid_order(cid, member(cid, None, "迟到", paid=True))
    fresh = paid_order(cid, member(cid, None, "还早", paid=True), deadline="3 days")
    r = campctl("job", "run", "expire-bindings", check=False)
    assert r.returncode == 0, r.stderr
    assert sql("SELECT bind_status FROM payment_record WHERE id = %s", late)[0][0] == "manual_review"
    assert sql("SELECT bind_status FROM payment_record WHERE id = %s", fresh)[0][0] == "pending"
    assert log_of(late) == [("pending", "expired", "EXPIRE", None),
                            ("expired", "manual_review", "TO_MANUAL_REVIEW", None)]
    assert log_of(fresh) == []
    alerts = sql("SELECT count(*) FROM notification_message WHERE message_type = 'bind_manual_review'"
                 " AND member_id = (SELECT member_id FROM payment_record WHERE id = %s)", late)[0][0]
    assert alerts >= 1
    # a second run moves nothing again
    campctl("job", "run", "expire-bindings")
    assert len(log_of(late)) == 2


def test_manual_bind_from_manual_review():
    cid, _ = sync_camp()
    mid = member(cid, None, "人工", paid=True)
    pay = paid_order(cid, mid, status="manual_review")
    zid = planet_id()
    pu = sql("INSERT INTO planet_user (planet_user_id, planet_nickname) VALUES (%s, '人工本人') RETURNING id",
             zid)[0][0]
    s, uid = signed_in("manager")
    # bad input: nothing written
    assert post(s, f"/admin/members/{mid}/bind", planet_user_id="abc").status_code == 303
    assert post(s, f"/admin/members/{mid}/bind", planet_user_id="123456789").status_code == 303
    assert sql("SELECT bind_status FROM payment_record WHERE id = %s", pay)[0][0] == "manual_review"
    r = post(s, f"/admin/members/{mid}/bind", planet_user_id=f" {zid} ")
    assert r.status_code == 303 and r.headers["Location"] == f"/admin/members/{mid}"
    assert sql("SELECT bind_status, bind_method FROM payment_record WHERE id = %s", pay) == [("completed", "manual")]
    assert log_of(pay)[-1] == ("manual_review", "completed", "MANUAL_BIND", uid)
    assert sql("SELECT planet_user_id, match_confidence, match_status FROM camp_member WHERE id = %s", mid) == \
        [(pu, 100, "matched")]
    assert sql("SELECT count(*) FROM operation_log WHERE operation_type = 'MANUAL_BIND' AND target_id = %s",
               mid)[0][0] == 1


def test_closed_binding_cannot_be_bound():
    cid, _ = sync_camp()
    mid = member(cid, None, "关闭", paid=True)
    pay = paid_order(cid, mid, status="closed")
    zid = planet_id()
    sql("INSERT INTO planet_user (planet_user_id, planet_nickname) VALUES (%s, 'x')", zid)
    s, _ = signed_in("admin")
    post(s, f"/admin/members/{mid}/bind", planet_user_id=zid)
    assert sql("SELECT bind_status FROM payment_record WHERE id = %s", pay)[0][0] == "closed"
    assert log_of(pay) == []


def test_mark_joined_once_and_only_by_admins_and_managers():
    cid, _ = sync_camp()
    mid = member(cid, planet_id(), "进群")
    coach, uid = signed_in("coach")
    sql("INSERT INTO camp_member_relation (camp_id, user_id, role_type) VALUES (%s, %s, 'coach')", cid, uid)
    assert post(coach, f"/admin/members/{mid}/joined").status_code == 403     # issue #14: view only
    assert sql("SELECT joined_group FROM camp_member WHERE id = %s", mid)[0][0] is False
    s, _ = signed_in("manager")
    assert post(s, "/admin/members/999999999/joined").status_code == 404
    r = post(s, f"/admin/members/{mid}/joined")
    assert r.status_code == 303
    post(s, f"/admin/members/{mid}/joined")          # again: no second log row
    assert sql("SELECT joined_group, joined_at IS NOT NULL FROM camp_member WHERE id = %s", mid) == [(True, True)]
    assert sql("SELECT event FROM member_status_log WHERE member_id = %s", mid) == [("JOIN_GROUP",)]
    assert sql("SELECT count(*) FROM operation_log WHERE operation_type = 'MARK_JOINED' AND target_id = %s",
               mid)[0][0] == 1
