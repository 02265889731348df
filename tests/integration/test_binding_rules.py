"""test_binding_rules.py: who may bind, and what a binding may be (issue #14, hole 1) — manual
binding and 标记进群 are admin/manager only; one ZSXQ user is bound to at most one paid member
per camp (a database constraint); changing a completed binding needs a reason."""
import psycopg2
import pytest

from conftest import HTTP, dsn
from synclib import checkin, member, planet_id, run_sync, sql, sync_camp, today, zsxq_configured
from test_binding import log_of, paid_order, post, signed_in

assert zsxq_configured


def zsxq_user(nickname):
    zid = planet_id()
    pu = sql("INSERT INTO planet_user (planet_user_id, planet_nickname) VALUES (%s, %s) RETURNING id",
             zid, nickname)[0][0]
    return zid, pu


def flash(s, mid):
    return s.get(f"{HTTP}/admin/members/{mid}", timeout=10).text


@pytest.mark.parametrize("role", ["coach", "volunteer"])
def test_coaches_and_volunteers_cannot_bind_or_mark_joined(role):
    cid, _ = sync_camp()
    mid = member(cid, None, "教练营学员")
    pay = paid_order(cid, mid, status="manual_review")
    zid, _ = zsxq_user("最活跃的人")
    s, uid = signed_in(role)
    sql("INSERT INTO camp_member_relation (camp_id, user_id, role_type) VALUES (%s, %s, %s)", cid, uid, role)
    page = s.get(f"{HTTP}/admin/members/{mid}", timeout=10).text
    assert "手动绑定" not in page and "标记进群" not in page
    assert "标记进群" not in s.get(f"{HTTP}/admin/members?camp_id={cid}", timeout=10).text
    assert post(s, f"/admin/members/{mid}/bind", planet_user_id=zid).status_code == 403
    assert post(s, f"/admin/members/{mid}/joined").status_code == 403
    assert sql("SELECT bind_status FROM payment_record WHERE id = %s", pay)[0][0] == "manual_review"
    assert sql("SELECT joined_group, match_confidence FROM camp_member WHERE id = %s", mid)[0] == (False, 0)


def test_one_zsxq_user_is_bound_to_one_paid_member_per_camp():
    cid, _ = sync_camp()
    zid, pu = zsxq_user("本人")
    owner = member(cid, zid, "本人")
    sql("UPDATE camp_member SET planet_user_id = %s, match_confidence = 100, match_status = 'matched'"
        " WHERE id = %s", pu, owner)
    paid_order(cid, owner, status="completed")
    other = member(cid, None, "冒名者")
    pay = paid_order(cid, other, status="manual_review")
    s, _ = signed_in("manager")
    r = post(s, f"/admin/members/{other}/bind", planet_user_id=zid)
    assert r.status_code == 303
    assert "已绑定本营的另一名会员" in flash(s, other)
    assert sql("SELECT bind_status FROM payment_record WHERE id = %s", pay)[0][0] == "manual_review"
    assert sql("SELECT planet_user_id, match_confidence FROM camp_member WHERE id = %s", other)[0] == (None, 0)
    # the database itself refuses a second bound member
    conn = psycopg2.connect(dsn())
    try:
        with pytest.raises(psycopg2.errors.UniqueViolation):
            conn.cursor().execute("UPDATE camp_member SET planet_user_id = %s, match_confidence = 100"
                                  " WHERE id = %s", (pu, other))
    finally:
        conn.rollback()
        conn.close()
    # another camp may bind the same ZSXQ user
    cid2, _ = sync_camp()
    elsewhere = member(cid2, None, "另一营")
    paid_order(cid2, elsewhere, status="manual_review")
    assert post(s, f"/admin/members/{elsewhere}/bind", planet_user_id=zid).status_code == 303
    assert sql("SELECT match_confidence FROM camp_member WHERE id = %s", elsewhere)[0][0] == 100


def test_changing_a_completed_binding_needs_a_reason_in_the_operation_log():
    cid, _ = sync_camp()
    first, _ = zsxq_user("原来的号")
    second, pu2 = zsxq_user("真正的号")
    mid = member(cid, first, "改绑学员")
    pay = paid_order(cid, mid, status="completed")
    s, uid = signed_in("admin")
    r = post(s, f"/admin/members/{mid}/bind", planet_user_id=second)
    assert r.status_code == 303 and "请填写修改原因" in flash(s, mid)
    assert log_of(pay) == []
    page = s.get(f"{HTTP}/admin/members/{mid}", timeout=10).text
    assert 'name="reason"' in page
    r = post(s, f"/admin/members/{mid}/bind", planet_user_id=second, reason="学员换了星球账号，截图核实")
    assert r.status_code == 303
    assert sql("SELECT planet_user_id, match_confidence FROM camp_member WHERE id = %s", mid)[0] == (pu2, 100)
    assert log_of(pay)[-1] == ("completed", "completed", "MANUAL_BIND", uid)
    desc = sql("SELECT operation_desc FROM operation_log WHERE operation_type = 'MANUAL_BIND'"
               " AND target_id = %s", mid)
    assert len(desc) == 1 and "学员换了星球账号，截图核实" in desc[0][0] and second in desc[0][0]
    extra = sql("SELECT extra_data FROM payment_bind_log WHERE payment_id = %s ORDER BY id DESC LIMIT 1", pay)[0][0]
    assert extra["reason"] == "学员换了星球账号，截图核实"


def test_sync_leaves_a_hand_bound_zsxq_user_with_its_member():
    cid, proj = sync_camp()
    zid = planet_id()
    checkin(proj, zid, "打卡达人", date=today(-1))
    assert run_sync(cid)[0] == "done"
    pu = sql("SELECT id FROM planet_user WHERE planet_user_id = %s", zid)[0][0]
    # staff bound C to the ZSXQ user by hand; then A, who typed that ID and name, is synced
    c = member(cid, None, "人工绑定者")
    paid_order(cid, c, status="manual_review")
    s, _ = signed_in("manager")
    assert post(s, f"/admin/members/{c}/bind", planet_user_id=zid).status_code == 303
    a = member(cid, zid, "打卡达人")
    paid_order(cid, a, status="completed")
    state, error, _, _ = run_sync(cid)
    assert state == "done", error
    assert sql("SELECT match_confidence FROM camp_member WHERE id = %s", c)[0][0] == 100
    conf, flags = sql("SELECT match_confidence, match_flags FROM camp_member WHERE id = %s", a)[0]
    assert conf < 100 and "已绑定其他会员" in (flags or ""), (conf, flags)
