"""test_refund_life.py: the refund list's whole life (issue #15, PRD §3.3, §4.2.4, §9.3) — late binding →
生成退款名单 again → proposal; near miss → 手动提议退款; reject → 重新提议; 关闭绑定; 待审核 paged."""
import re

from consolelib import (camps_end_with_the_module, admin, checkins, finished_camp, flash_after, paid_member,
                        planet_user, post, proposals, refund_list, sql, staff)
from conftest import HTTP
from paylib import make_camp

assert camps_end_with_the_module  # autouse fixture, imported to apply here


def events(rid):
    return [r[0] for r in sql("SELECT event FROM refund_status_log WHERE refund_id = %s ORDER BY id", rid)]


def oplog(type_, rid):
    return sql("SELECT operator_name, operation_desc FROM operation_log WHERE operation_type = %s"
               " AND target_id = %s ORDER BY id", type_, rid)


def test_late_binding_then_regenerating_proposes_and_keeps_what_was_decided():
    cid = finished_camp(required=10)
    ok, _ = paid_member(cid, days=10)
    # paid later, never bound: the ZSXQ user who checked in 10 days is not linked to anyone yet
    late, late_pay = paid_member(cid, nick="迟到", conf=0, bind="manual_review", matched=False)
    pu, planet_id = planet_user("迟到的星球号")
    checkins(cid, pu, 10)
    # and one eligible member whose identity nobody could match (需人工绑定)
    paid_member(cid, nick="对不上", days=10, conf=0, eligible=True, matched=False)
    s = admin()
    j = refund_list(cid, s)
    assert j["state"] == "done"
    assert j["result"]["summary"] == "新增 1 条待审核，1 名会员仍需人工绑定"
    first = proposals(cid)
    assert set(first) == {ok}
    # the job page says it in words, and leads back to the camp's 退款情况
    page = s.get(HTTP + f"/admin/jobs/{j['id']}", timeout=10).text
    assert "新增 1 条待审核，1 名会员仍需人工绑定" in page and f"/admin/camps/{cid}?tab=refunds" in page
    # a decision is taken on the first proposal
    rid = first[ok][0]
    r = post(s, "/admin/refunds/reject", page="/admin/refunds/pending", ids=str(rid), reason="截图不符")
    assert r.status_code == 303
    # the late member is bound by hand; a new run proposes for it and leaves the decision alone
    r = post(s, f"/admin/members/{late}/bind", page=f"/admin/members/{late}", planet_user_id=planet_id)
    assert r.status_code == 303
    assert sql("SELECT checkin_count, eligible_for_refund FROM camp_member WHERE id = %s", late)[0] == (10, True)
    j = refund_list(cid, s)
    assert j["result"]["summary"].startswith("新增 1 条待审核")
    now = proposals(cid)
    assert set(now) == {ok, late}
    assert now[ok] == (rid, "rejected", None)
    assert now[late][1] == "pending" and now[late][2] is None
    # once more: nothing new, nothing withdrawn
    assert refund_list(cid, s)["result"]["summary"] == "新增 0 条待审核"
    assert proposals(cid) == now


def test_near_miss_gets_a_manual_proposal_with_a_reason():
    cid = finished_camp(required=10)
    near, _ = paid_member(cid, nick="差一天", days=8)      # 8 + grace 1 < 10: not eligible, short by 1
    s = admin()
    uid = sql("SELECT id FROM system_user WHERE username = 'admin'")[0][0]
    html = s.get(HTTP + f"/admin/refunds/pending?camp_id={cid}", timeout=10).text
    assert f'data-member-id="{near}"' in html and "手动提议退款" in html
    # a reason is required; nothing is written without one
    r = post(s, "/admin/refunds/propose", page="/admin/refunds/pending", member_id=str(near), reason="  ")
    assert "请填写提议退款的原因" in flash_after(s, r)
    assert proposals(cid) == {}
    r = post(s, "/admin/refunds/propose", page="/admin/refunds/pending", member_id=str(near),
             reason="第 5 天截图为证，系统漏同步")
    assert "已手动提议退款" in flash_after(s, r)
    (rid, status, by), = proposals(cid).values()
    assert status == "pending" and by == uid
    assert sql("SELECT proposal_reason, refund_amount::text FROM refund_record WHERE id = %s", rid)[0] == \
        ("第 5 天截图为证，系统漏同步", "99.00")
    assert events(rid) == ["PROPOSE_MANUAL"]
    (who, desc), = oplog("PROPOSE_REFUND", rid)
    assert who == "admin" and "第 5 天截图为证" in desc and "8/10" in desc
    # marked as manual in the lists
    html = s.get(HTTP + f"/admin/refunds/pending?camp_id={cid}", timeout=10).text
    row = html[html.index(f'id="refund-{rid}"'):]
    assert "人工提议 · admin" in row[:1500]
    assert f'data-member-id="{near}"' not in html          # no longer a near miss to act on
    # the refund-list job never withdraws a proposal a person made
    assert refund_list(cid, s)["result"]["summary"].startswith("新增 0 条待审核")
    assert proposals(cid)[near] == (rid, "pending", uid)
    # a second proposal for the same payment is refused with a reason
    r = post(s, "/admin/refunds/propose", page="/admin/refunds/pending", member_id=str(near), reason="再来")
    assert "已有待审核的退款提议" in flash_after(s, r)
    assert len(proposals(cid)) == 1


def test_manual_proposal_needs_a_finished_camp_and_a_settled_identity():
    s = admin()
    ongoing = make_camp(required=10)
    m1, _ = paid_member(ongoing, days=8)
    r = post(s, "/admin/refunds/propose", page="/admin/refunds/pending", member_id=str(m1), reason="理由")
    assert "训练营结束后才能提议退款" in flash_after(s, r)
    cid = finished_camp(required=10)
    m2, _ = paid_member(cid, days=0, conf=0, bind="manual_review", matched=False)
    r = post(s, "/admin/refunds/propose", page="/admin/refunds/pending", member_id=str(m2), reason="理由")
    assert "请先手动绑定" in flash_after(s, r)
    m66, _ = paid_member(cid, days=8, conf=66)              # bound, but the nickname does not match
    r = post(s, "/admin/refunds/propose", page="/admin/refunds/pending", member_id=str(m66), reason="理由")
    assert "匹配度不足 100" in flash_after(s, r)
    r = post(s, "/admin/refunds/propose", page="/admin/refunds/pending", member_id="999999999", reason="理由")
    assert r.status_code == 404
    assert proposals(cid) == {} and proposals(ongoing) == {}
    # coaches review refunds but do not propose them (admin and manager)
    c = staff("coach")
    assert post(c, "/admin/refunds/propose", member_id=str(m2), reason="理由").status_code == 403
    m = staff("manager")
    m3, _ = paid_member(cid, days=8)
    r = post(m, "/admin/refunds/propose", page="/admin/refunds/pending", member_id=str(m3), reason="经理提议")
    assert "已手动提议退款" in flash_after(m, r)


def test_a_rejected_refund_is_reopened_with_a_reason():
    cid = finished_camp(required=10)
    mid, _ = paid_member(cid, days=10)
    s = admin()
    refund_list(cid, s)
    rid = proposals(cid)[mid][0]
    assert post(s, "/admin/refunds/reject", page="/admin/refunds/pending", ids=str(rid),
                reason="重复报名").status_code == 303
    html = s.get(HTTP + f"/admin/refunds?camp_id={cid}", timeout=10).text
    assert f'action="/admin/refunds/{rid}/reopen"' in html
    # a coach sees the record but not the button
    c = staff("coach")
    sql("INSERT INTO camp_member_relation (camp_id, user_id, role_type) VALUES (%s, %s, 'coach')", cid, c.uid)
    assert f'action="/admin/refunds/{rid}/reopen"' not in c.get(HTTP + f"/admin/refunds?camp_id={cid}",
                                                                  timeout=10).text
    r = post(s, f"/admin/refunds/{rid}/reopen", page="/admin/refunds", reason="")
    assert "请填写重新提议的原因" in flash_after(s, r)
    assert proposals(cid)[mid][1] == "rejected"
    r = post(s, f"/admin/refunds/{rid}/reopen", page="/admin/refunds", reason="会员补交了证明")
    assert "已重新提议" in flash_after(s, r)
    row = sql("SELECT refund_status, audit_status, auditor_id, audit_comment, proposal_reason"
              " FROM refund_record WHERE id = %s", rid)[0]
    assert row == ("pending", "pending", None, None, "会员补交了证明")
    assert events(rid) == ["PROPOSE", "REJECT", "REOPEN"]
    assert sql("SELECT remark FROM refund_status_log WHERE refund_id = %s AND event = 'REOPEN'", rid) == \
        [("重新提议：会员补交了证明",)]
    assert oplog("REOPEN_REFUND", rid)[0][0] == "admin"
    # back on the pending list, marked as a person's proposal
    html = s.get(HTTP + f"/admin/refunds/pending?camp_id={cid}", timeout=10).text
    assert f'id="refund-{rid}"' in html and "会员补交了证明" in html
    # only a rejected refund can be reopened
    r = post(s, f"/admin/refunds/{rid}/reopen", page="/admin/refunds", reason="再一次")
    assert "只有已拒绝的退款可以重新提议" in flash_after(s, r)
    assert post(s, "/admin/refunds/999999999/reopen", page="/admin/refunds", reason="x").status_code == 404
    # it can be decided again as usual
    assert post(s, "/admin/refunds/reject", page="/admin/refunds/pending", ids=str(rid),
                reason="仍不符合").status_code == 303
    assert proposals(cid)[mid][1] == "rejected"


def test_close_binding_takes_the_member_out_of_every_to_do_list():
    cid = finished_camp(required=10)
    s = admin()
    stuck, stuck_pay = paid_member(cid, nick="查无此人", days=10, conf=0, eligible=True,
                                   bind="manual_review", matched=False)
    other, _ = paid_member(cid, nick="另一个", days=10, conf=66, bind="manual_review")
    sql("INSERT INTO refund_record (camp_id, member_id, payment_id, refund_amount)"
        " SELECT camp_id, member_id, id, pay_amount FROM payment_record WHERE member_id = %s", other)
    other_rid = proposals(cid)[other][0]
    before = s.get(HTTP + "/admin/", timeout=10).text
    html = s.get(HTTP + f"/admin/refunds/pending?camp_id={cid}", timeout=10).text
    assert f'action="/admin/members/{stuck}/close-binding"' in html          # 需人工绑定, with the action
    # the reason is one of two
    r = post(s, f"/admin/members/{stuck}/close-binding", page=f"/admin/members/{stuck}", reason="不想要了")
    assert "请选择关闭原因" in flash_after(s, r)
    assert sql("SELECT bind_status FROM payment_record WHERE id = %s", stuck_pay)[0][0] == "manual_review"
    r = post(s, f"/admin/members/{stuck}/close-binding", page=f"/admin/members/{stuck}", reason="无法匹配")
    assert "已关闭绑定（无法匹配）" in flash_after(s, r)
    assert sql("SELECT bind_status FROM payment_record WHERE id = %s", stuck_pay)[0][0] == "closed"
    assert sql("SELECT from_status, to_status, event, extra_data->>'reason' FROM payment_bind_log"
               " WHERE payment_id = %s ORDER BY id DESC LIMIT 1", stuck_pay) == \
        [("manual_review", "closed", "CLOSE", "无法匹配")]
    assert sql("SELECT count(*) FROM operation_log WHERE operation_type = 'CLOSE_BINDING'"
               " AND target_id = %s", stuck)[0][0] == 1
    # out of the 需人工绑定 list and the 工作台's count of manual binds
    html = s.get(HTTP + f"/admin/refunds/pending?camp_id={cid}", timeout=10).text
    assert f'data-member-id="{stuck}"' not in html
    n_before = int(re.search(r"待人工绑定</h2>\s*<p class=\"todo-card__count\">(\d+)", before).group(1))
    after = s.get(HTTP + "/admin/", timeout=10).text
    m = re.search(r"待人工绑定</h2>\s*<p class=\"todo-card__count\">(\d+)", after)
    assert (int(m.group(1)) if m else 0) == n_before - 1
    # never proposed, even when it would otherwise qualify
    sql("UPDATE camp_member SET match_confidence = 66 WHERE id = %s", stuck)
    refund_list(cid, s)
    assert stuck not in proposals(cid)
    # closing withdraws a proposal still waiting for its decision
    r = post(s, f"/admin/members/{other}/close-binding", page=f"/admin/members/{other}", reason="信息异常")
    assert "已关闭绑定（信息异常）" in flash_after(s, r)
    assert sql("SELECT deleted_at IS NOT NULL FROM refund_record WHERE id = %s", other_rid)[0][0]
    assert events(other_rid)[-1] == "WITHDRAW"
    # the camp shows them, with the reason
    tab = s.get(HTTP + f"/admin/camps/{cid}?tab=refunds", timeout=10).text
    closed = tab[tab.index("已关闭绑定"):]
    assert f'data-member-id="{stuck}"' in closed and f'data-member-id="{other}"' in closed
    assert "无法匹配" in closed and "信息异常" in closed
    # only manual_review can be closed
    done, _ = paid_member(cid, days=10)
    r = post(s, f"/admin/members/{done}/close-binding", page=f"/admin/members/{done}", reason="无法匹配")
    assert "只有“待人工审核”的绑定可以关闭" in flash_after(s, r)


def test_pending_list_pages_and_totals_with_a_camp_selector():
    cid = finished_camp(required=10, name="批量营 " + str(id(object()) % 100000))
    sql("WITH m AS (INSERT INTO camp_member (camp_id, filled_planet_user_id, filled_planet_nickname, paid,"
        "   paid_at, checkin_count, match_confidence, eligible_for_refund)"
        "   SELECT %s, 'B' || g, '批量' || g, true, now(), 10, 100, true FROM generate_series(1, 101) g"
        "   RETURNING id, camp_id),"
        " p AS (INSERT INTO payment_record (order_no, camp_id, member_id, pay_amount, trade_type, pay_status,"
        "   pay_time, bind_status, bind_method)"
        "   SELECT 'CPBULK' || m.id, m.camp_id, m.id, 99, 'NATIVE', 'success', now(), 'completed', 'h5_bindplanet'"
        "   FROM m RETURNING id, member_id, camp_id)"
        " INSERT INTO refund_record (camp_id, member_id, payment_id, refund_amount)"
        " SELECT camp_id, member_id, id, 99 FROM p", cid)
    s = admin()
    html = s.get(HTTP + f"/admin/refunds/pending?camp_id={cid}", timeout=10).text
    assert re.search(rf'<option value="{cid}" selected>批量营', html)
    assert html.count('class="form-check-input refund-pick"') == 100
    assert "共 <span class=\"num\" id=\"pending-count\">101</span> 条" in html
    assert "¥9,999.00" in html and "第 1 / 2 页" in html
    assert 'id="sel-count"' in html and "refund-select.js" in html
    page2 = s.get(HTTP + f"/admin/refunds/pending?camp_id={cid}&page=2", timeout=10).text
    assert page2.count('class="form-check-input refund-pick"') == 1
    # the confirmation of a batch spells out count and total before anything moves
    ids = [str(i) for (i,) in sql("SELECT id FROM refund_record WHERE camp_id = %s ORDER BY id LIMIT 3", cid)]
    r = post(s, "/admin/refunds/approve", page="/admin/refunds/pending", ids=ids, min_confidence="100")
    assert r.status_code == 200 and "¥297.00" in r.text and "3" in r.text


def test_camp_refunds_tab_shows_every_refund_with_its_reviewer_and_totals():
    cid = finished_camp(required=10)
    a, _ = paid_member(cid, days=10)
    b, _ = paid_member(cid, days=10)
    s = admin()
    tab = s.get(HTTP + f"/admin/camps/{cid}?tab=refunds", timeout=10).text
    assert 'id="generate-refund-list"' in tab and "还没有退款记录" in tab
    assert "此标签页的数据" not in tab
    refund_list(cid, s)
    ra, rb = proposals(cid)[a][0], proposals(cid)[b][0]
    post(s, "/admin/refunds/reject", page="/admin/refunds/pending", ids=str(rb), reason="不符")
    tab = s.get(HTTP + f"/admin/camps/{cid}?tab=refunds", timeout=10).text
    row_a = tab[tab.index(f'id="refund-{ra}"'):][:1200]
    row_b = tab[tab.index(f'id="refund-{rb}"'):][:1500]
    assert "¥99.00" in row_a and "待审核" in row_a and "10/10 天" in row_a
    assert "已拒绝" in row_b and "admin" in row_b and "不符" in row_b and "重新提议" in row_b
    totals = dict(re.findall(r'<p class="stat__label">([^<]+)</p><p class="stat__value"><span class="num">(\d+)</span>',
                             tab))
    assert totals["待审核"] == "1" and totals["已拒绝"] == "1" and totals["已退款"] == "0"
    # an ongoing camp cannot generate yet
    tab = s.get(HTTP + f"/admin/camps/{make_camp()}?tab=refunds", timeout=10).text
    assert 'id="generate-refund-list"' not in tab and "训练营结束后可生成退款名单" in tab
