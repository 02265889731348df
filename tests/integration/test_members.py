"""test_members.py: 会员列表 filters and scoping, 会员详情 with suggestions and a manual bind from the page."""
import html
import re
import secrets

from conftest import HTTP
from synclib import checkin, member, planet_id, run_sync, sql, sync_camp, today, zsxq_configured
from test_binding import paid_order, post, signed_in

assert zsxq_configured  # autouse fixture, imported to apply here


def listed(s, **params):
    r = s.get(HTTP + "/admin/members", params=params, timeout=10)
    assert r.status_code == 200, r.text[:300]
    return {int(x) for x in re.findall(r'data-member-id="(\d+)"', r.text)}, r.text


def test_filters_and_search_by_order_number():
    cid, _ = sync_camp()
    a = member(cid, planet_id(), "筛选甲" + secrets.token_hex(2))
    b = member(cid, planet_id(), "筛选乙", "微信乙" + secrets.token_hex(2))
    unpaid = member(cid, planet_id(), "未付", paid=False)
    pa = paid_order(cid, a, status="completed")
    paid_order(cid, b, status="manual_review")
    sql("UPDATE camp_member SET joined_group = true WHERE id = %s", a)
    no = sql("SELECT order_no FROM payment_record WHERE id = %s", pa)[0][0]
    txn = "4200" + secrets.token_hex(8)
    sql("UPDATE payment_record SET wechat_transaction_id = %s WHERE id = %s", txn, pa)
    s, _ = signed_in("volunteer")
    sql("INSERT INTO camp_member_relation (camp_id, user_id, role_type) SELECT %s, id, 'volunteer'"
        " FROM system_user WHERE id = (SELECT max(id) FROM system_user)", cid)
    assert listed(s, camp_id=cid)[0] == {a, b}            # unpaid members are not listed
    assert unpaid not in listed(s, camp_id=cid)[0]
    assert listed(s, camp_id=cid, bind_status="manual_review")[0] == {b}
    assert listed(s, camp_id=cid, joined="1")[0] == {a}
    assert listed(s, camp_id=cid, joined="0")[0] == {b}
    assert listed(s, q=no)[0] == {a}
    assert listed(s, q=txn)[0] == {a}
    ids, page = listed(s, camp_id=cid, q="微信乙")
    assert ids == {b} and "待人工审核" in page


def test_coach_sees_only_assigned_camps():
    mine, _ = sync_camp()
    other, _ = sync_camp()
    m1 = member(mine, planet_id(), "我的学员")
    m2 = member(other, planet_id(), "别人的学员")
    s, uid = signed_in("coach")
    sql("INSERT INTO camp_member_relation (camp_id, user_id, role_type) VALUES (%s, %s, 'coach')", mine, uid)
    ids, _ = listed(s)
    assert m1 in ids and m2 not in ids
    assert s.get(f"{HTTP}/admin/members/{m2}", timeout=10).status_code == 404
    assert s.get(f"{HTTP}/admin/members/{m1}", timeout=10).status_code == 200


def test_manual_bind_from_the_member_page_with_a_suggestion():
    cid, proj = sync_camp()
    zid = planet_id()
    checkin(proj, zid, "张小三", date=today(-1))
    checkin(proj, planet_id(), "完全不同的人", date=today(-1))
    mid = member(cid, planet_id(), "张小叁")                  # a typo: nothing matches
    pay = paid_order(cid, mid, status="manual_review")
    assert run_sync(cid)[0] == "done"
    assert sql("SELECT match_confidence FROM camp_member WHERE id = %s", mid)[0][0] == 0
    s, _ = signed_in("manager")
    page = s.get(f"{HTTP}/admin/members/{mid}", timeout=10).text
    forms = re.findall(r'<form class="[^"]*suggestion" method="post" action="([^"]+)">\s*'
                       r'<input type="hidden" name="_csrf" value="([0-9a-f]{64})">\s*'
                       r'<input type="hidden" name="planet_user_id" value="(\d+)">', page)
    assert forms and forms[0][2] == zid, page[:2000]  # the nearest name comes first
    action, tok, pid = forms[0]
    r = s.post(HTTP + html.unescape(action), data={"_csrf": tok, "planet_user_id": pid},
               allow_redirects=True, timeout=10)
    assert r.status_code == 200 and "已手动绑定" in r.text
    assert sql("SELECT bind_status, bind_method FROM payment_record WHERE id = %s", pay) == [("completed", "manual")]
    assert sql("SELECT match_confidence, checkin_count FROM camp_member WHERE id = %s", mid) == [(100, 1)]
    # the next sync keeps the manual bind
    assert run_sync(cid)[0] == "done"
    assert sql("SELECT match_confidence, checkin_count FROM camp_member WHERE id = %s", mid) == [(100, 1)]
    assert "张小三" in s.get(f"{HTTP}/admin/members/{mid}", timeout=10).text


def test_bad_planet_id_is_explained_on_the_page():
    cid, _ = sync_camp()
    mid = member(cid, planet_id(), "错号")
    paid_order(cid, mid, status="manual_review")
    s, _ = signed_in("admin")
    r = s.post(f"{HTTP}/admin/members/{mid}/bind", data={"_csrf": s.tok, "planet_user_id": "12ab"},
               timeout=10)
    assert r.status_code == 200 and "纯数字" in r.text
    r = s.post(f"{HTTP}/admin/members/{mid}/bind", data={"_csrf": s.tok, "planet_user_id": "123"},
               timeout=10)
    assert r.status_code == 200 and "未找到该星球用户" in r.text
