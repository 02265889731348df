"""test_refund_eligibility.py: who enters the refund list (PRD §7.4, ARCHITECTURE §7; issue #14
hole 11) — only members whose identity is settled; the rest are listed under 需人工绑定."""
import re

from conftest import HTTP
from paylib import sql
from test_refunds import admin, finished_camp, no_faults, propose

assert no_faults


def test_only_settled_identities_are_proposed():
    camp, ms = finished_camp(("891001", 15, 100), ("891002", 15, 66), ("891003", 15, 33),
                             ("891004", 15, 100), ("891005", 15, 0))
    (settled, _, _), (nick_differs, _, _), (wechat_like, _, _), (by_hand, pid, _), (nobody, _, _) = ms
    # 33: the WeChat nickname merely resembles a ZSXQ name; the member never bound
    sql("UPDATE payment_record SET bind_status = 'manual_review', bind_method = NULL"
        " WHERE member_id = %s", wechat_like)
    sql("UPDATE payment_record SET bind_method = 'manual' WHERE id = %s", pid)
    props = propose(camp)
    assert set(props) == {settled, by_hand}, props
    html = admin().get(HTTP + f"/admin/refunds/pending?camp_id={camp}", timeout=10).text
    unmatched = re.findall(r'<tr class="unmatched"[^>]*>(.*?)</tr>', html, re.S)
    assert len(unmatched) == 3, unmatched
    for m in (nick_differs, wechat_like, nobody):
        assert f'href="/admin/members/{m}#bind"' in html


def test_a_proposal_whose_identity_is_no_longer_settled_is_withdrawn():
    camp, ms = finished_camp(("891101", 15, 100))
    mid = ms[0][0]
    assert set(propose(camp)) == {mid}
    sql("UPDATE camp_member SET match_confidence = 66, match_flags = '昵称不符' WHERE id = %s", mid)
    assert propose(camp) == {}
