"""test_refunds.py: refund proposals, audit, execution through camp-sim, retries, callbacks (issue #10)."""
import os
import re
import time

import pytest
import requests

from conftest import HTTP, SIM, admin_password, campctl, csrf_of, login, new_session, add_user
from paylib import enroll, h5, make_camp, order_no_of, sim_pay, sql, wait_state


def fault(mode, count=0):
    r = requests.post(SIM + "/sim/faults", json={"service": "wechatpay", "mode": mode, "count": count},
                      timeout=5)
    assert r.status_code == 200, r.text


@pytest.fixture(autouse=True)
def no_faults():
    fault("ok")
    yield
    fault("ok")


def paid_member(camp_id, planet_id, nickname="小明"):
    s = h5()
    no = order_no_of(enroll(s, camp_id, planet_id=planet_id, nickname=nickname))
    sim_pay(no)
    wait_state(s, no)
    mid, pid = sql("SELECT member_id, id FROM payment_record WHERE order_no = %s", no)[0]
    return mid, pid, no


def finished_camp(*members, required=15):
    """A camp with paid members, then finished; members = (planet_id, days, confidence)."""
    camp = make_camp(required=required)
    out = []
    for planet_id, days, conf in members:
        mid, pid, no = paid_member(camp, planet_id)
        sql("UPDATE camp_member SET checkin_count = %s, match_confidence = %s,"
            " eligible_for_refund = %s + 1 >= %s WHERE id = %s", days, conf, days, required, mid)
        out.append((mid, pid, no))
    sql("UPDATE training_camp SET status = 'finished' WHERE id = %s", camp)
    return camp, out


def propose(camp):
    r = campctl("job", "run", "refund-list")
    assert r.returncode == 0, r.stderr
    return {m: (i, st, au) for i, m, st, au in
            sql("SELECT id, member_id, refund_status, audit_status FROM refund_record"
                " WHERE camp_id = %s AND deleted_at IS NULL", camp)}


def admin():
    s = new_session()
    assert login(s, "admin", admin_password()).status_code == 303
    return s


def post(s, path, **data):
    tok = csrf_of(s.get(HTTP + "/admin/refunds/pending", timeout=10).text)
    return s.post(HTTP + path, data=dict(data, _csrf=tok), allow_redirects=False, timeout=15)


def status_of(rid):
    return sql("SELECT refund_status FROM refund_record WHERE id = %s", rid)[0][0]


def wait_status(rid, want, timeout=30):
    deadline = time.time() + timeout
    st = None
    while time.time() < deadline:
        st = status_of(rid)
        if st == want:
            return
        time.sleep(0.3)
    raise AssertionError(f"refund {rid} is {st}, never {want}")


def refund_creates(out_trade_no):
    """The refund requests camp-sim received for one order: their out_refund_no."""
    log = requests.get(SIM + "/sim/log", timeout=10).json()
    nos = []
    for e in log:
        if e.get("method") == "POST" and e.get("path") == "/v3/refund/domestic/refunds":
            req = e.get("request") or {}
            if isinstance(req, dict) and req.get("out_trade_no", "") == out_trade_no or \
               isinstance(req, dict) and req.get("transaction_id") and req.get("transaction_id") == \
               sql("SELECT wechat_transaction_id FROM payment_record WHERE order_no = %s", out_trade_no)[0][0]:
                nos.append((req["out_refund_no"], e.get("status")))
    return nos


def run_refunds(crash=False):
    if crash:
        os.environ["CAMP_TEST_REFUND_CRASH"] = "after-submit"
    try:
        return campctl("job", "run", "refunds", check=False)
    finally:
        os.environ.pop("CAMP_TEST_REFUND_CRASH", None)


def test_proposals_follow_eligibility_and_matching():
    camp, ms = finished_camp(("880001", 15, 100), ("880002", 14, 100), ("880003", 15, 0),
                             ("880004", 12, 100), ("880005", 5, 100))
    props = propose(camp)
    (ok, _, _), (grace, _, _), (unmatched, _, _), (near, _, _), (far, _, _) = ms
    assert set(props) == {ok, grace}
    assert all(st == "pending" and au == "pending" for _, st, au in props.values())
    amounts = sql("SELECT r.refund_amount = p.pay_amount FROM refund_record r JOIN payment_record p"
                  " ON p.id = r.payment_id WHERE r.camp_id = %s", camp)
    assert all(a for (a,) in amounts)
    # re-running proposes nothing new; an eligibility change updates unaudited proposals
    assert propose(camp) == props
    sql("UPDATE camp_member SET eligible_for_refund = false WHERE id = %s", grace)
    props2 = propose(camp)
    assert set(props2) == {ok}
    # the auditors see the unmatched and the near miss, not proposed
    html = admin().get(HTTP + f"/admin/refunds/pending?camp_id={camp}", timeout=10).text
    assert "需人工绑定" in html and html.count('class="unmatched"') == 1
    assert html.count('class="near-miss"') == 2      # 12/15 and (now) 14/15
    assert f'id="refund-{props[ok][0]}"' in html


def test_reject_needs_a_reason_and_is_logged():
    camp, ms = finished_camp(("881001", 15, 100))
    rid = propose(camp)[ms[0][0]][0]
    s = admin()
    r = post(s, "/admin/refunds/reject", ids=str(rid), reason="")
    assert r.status_code == 400 and "请填写拒绝原因" in r.text
    assert status_of(rid) == "pending"
    r = post(s, "/admin/refunds/reject", ids=str(rid), reason="打卡截图造假")
    assert r.status_code == 303
    assert sql("SELECT refund_status, audit_status, audit_comment FROM refund_record WHERE id = %s", rid)[0] \
        == ("rejected", "rejected", "打卡截图造假")
    assert sql("SELECT event, remark FROM refund_status_log WHERE refund_id = %s AND event = 'REJECT'", rid) \
        == [("REJECT", "打卡截图造假")]
    assert sql("SELECT operator_name FROM operation_log WHERE operation_type = 'REJECT_REFUND'"
               " AND target_id = %s", rid) == [("admin",)]
    # rejected is final: the next refund-list does not propose it again
    propose(camp)
    assert sql("SELECT count(*) FROM refund_record WHERE camp_id = %s AND deleted_at IS NULL", camp)[0][0] == 1


def test_double_approval_refunds_once_and_success_books_everything():
    camp, ms = finished_camp(("882001", 15, 100))
    mid, pid, no = ms[0]
    rid = propose(camp)[mid][0]
    s = admin()
    assert post(s, "/admin/refunds/approve", ids=str(rid)).status_code == 303
    assert post(s, "/admin/refunds/approve", ids=str(rid)).status_code == 404
    wait_status(rid, "success")
    assert len({n for n, _ in refund_creates(no)}) == 1
    assert sql("SELECT pay_status, refunded_amount = pay_amount FROM payment_record WHERE id = %s", pid)[0] \
        == ("refunded", True)
    assert sql("SELECT refunded_amount::text FROM training_camp WHERE id = %s", camp)[0][0] == "99.00"
    robot = sql("SELECT recipient_id, channel, content FROM notification_message"
                " WHERE message_type = 'refund_success' AND member_id = %s AND recipient_type = 'robot'", mid)
    assert len(robot) == 1 and robot[0][0] == camp and robot[0][1] == "robot"
    # one line per member: the notify job packs a batch into few messages (issue #16)
    assert robot[0][2] == "@小明 打卡天数：15/15天，退款金额：99.00元"
    assert sql("SELECT count(*) FROM operation_log WHERE operation_type = 'APPROVE_REFUND'"
               " AND target_id = %s", rid)[0][0] == 1


def test_coaches_only_for_their_camps():
    camp, ms = finished_camp(("883001", 15, 100))
    rid = propose(camp)[ms[0][0]][0]
    name, pw = add_user("coach")
    c = new_session()
    assert login(c, name, pw).status_code == 303
    assert f'id="refund-{rid}"' not in c.get(HTTP + "/admin/refunds/pending", timeout=10).text
    assert post(c, "/admin/refunds/reject", ids=str(rid), reason="不是我的营").status_code == 404
    assert status_of(rid) == "pending"
    uid = sql("SELECT id FROM system_user WHERE username = %s", name)[0][0]
    sql("INSERT INTO camp_member_relation (camp_id, user_id, role_type) VALUES (%s, %s, 'coach')", camp, uid)
    assert f'id="refund-{rid}"' in c.get(HTTP + "/admin/refunds/pending", timeout=10).text
    assert post(c, "/admin/refunds/reject", ids=str(rid), reason="教练拒绝").status_code == 303
    assert status_of(rid) == "rejected"


def test_worker_killed_after_the_api_call_converges_without_a_second_refund():
    camp, ms = finished_camp(("884001", 15, 100))
    mid, pid, no = ms[0]
    rid = propose(camp)[mid][0]
    sql("UPDATE refund_record SET refund_status = 'approved', audit_status = 'approved' WHERE id = %s", rid)
    run_refunds(crash=True)
    # WeChat accepted it; our row only knows the attempt's number
    (out_no, wx) = sql("SELECT out_refund_no, wechat_status FROM refund_record WHERE id = %s", rid)[0]
    assert out_no and [n for n, _ in refund_creates(no)] == [out_no]
    # restart (time passes): the worker queries first and never refunds twice
    sql("UPDATE refund_record SET next_retry_at = NULL WHERE id = %s", rid)
    assert run_refunds().returncode == 0
    wait_status(rid, "success")
    assert {n for n, _ in refund_creates(no)} == {out_no}
    assert sql("SELECT refunded_amount::text FROM payment_record WHERE id = %s", pid)[0][0] == "99.00"


def test_retry_exhaustion_fails_and_alerts_admins():
    camp, ms = finished_camp(("885001", 15, 100))
    mid, pid, no = ms[0]
    rid = propose(camp)[mid][0]
    sql("UPDATE refund_record SET refund_status = 'approved', audit_status = 'approved' WHERE id = %s", rid)
    fault("500", 50)
    for _ in range(4):
        run_refunds()
        sql("UPDATE refund_record SET next_retry_at = NULL WHERE id = %s AND refund_status = 'processing'", rid)
    fault("ok")
    assert sql("SELECT refund_status, retry_count FROM refund_record WHERE id = %s", rid)[0] == ("failed", 3)
    admins = sql("SELECT count(*) FROM system_user WHERE role = 'admin' AND status = 'active'"
                 " AND deleted_at IS NULL")[0][0]
    alerts = sql("SELECT recipient_type, channel FROM notification_message"
                 " WHERE message_type = 'refund_failed' AND member_id = %s", mid)
    assert len(alerts) == admins and set(alerts) == {("admin", "wechat")}
    # a person retries later: same out_refund_no, now it goes through
    s = admin()
    assert f'action="/admin/refunds/{rid}/retry"' in s.get(HTTP + f"/admin/refunds?status=failed&camp_id={camp}",
                                                           timeout=10).text
    assert post(s, f"/admin/refunds/{rid}/retry", action="retry").status_code == 303
    wait_status(rid, "success")
    assert len({n for n, _ in refund_creates(no)}) == 1


def test_not_enough_and_rate_limit_retry_with_the_same_number():
    camp, ms = finished_camp(("886001", 15, 100))
    mid, pid, no = ms[0]
    rid = propose(camp)[mid][0]
    sql("UPDATE refund_record SET refund_status = 'approved', audit_status = 'approved' WHERE id = %s", rid)
    fault("rate-limit", 1)
    run_refunds()
    fault("ok")
    sql("UPDATE refund_record SET next_retry_at = NULL WHERE id = %s AND refund_status = 'processing'", rid)
    run_refunds()
    wait_status(rid, "success")
    assert len({n for n, _ in refund_creates(no)}) == 1


def test_closed_refund_then_a_new_attempt():
    camp, ms = finished_camp(("887001", 15, 100))
    mid, pid, no = ms[0]
    rid = propose(camp)[mid][0]
    sql("UPDATE refund_record SET refund_status = 'approved', audit_status = 'approved' WHERE id = %s", rid)
    fault("refund-closed", 1)
    run_refunds()
    wait_status(rid, "closed")        # by the callback
    s = admin()
    html = s.get(HTTP + f"/admin/refunds?camp_id={camp}", timeout=10).text
    assert "重新发起" in html and "已线下退款" in html
    assert post(s, f"/admin/refunds/{rid}/retry", action="attempt").status_code == 303
    (nid, attempt) = sql("SELECT id, attempt FROM refund_record WHERE payment_id = %s AND id <> %s", pid, rid)[0]
    assert attempt == 2
    wait_status(nid, "success")
    nos = {n for n, _ in refund_creates(no)}
    assert len(nos) == 2
    assert sql("SELECT refunded_amount::text FROM training_camp WHERE id = %s", camp)[0][0] == "99.00"
    # the closed attempt offers nothing more once a newer one exists
    assert post(s, f"/admin/refunds/{rid}/retry", action="attempt").status_code == 409


def test_batch_approval_is_a_job_whose_progress_survives_a_reload():
    camp, ms = finished_camp(("888001", 15, 100), ("888002", 15, 100), ("888003", 15, 100))
    props = propose(camp)
    # a proposal below the batch's min_confidence (only settled identities are
    # proposed automatically, but a proposal's member may be rebound meanwhile)
    sql("UPDATE camp_member SET match_confidence = 66 WHERE id = %s", ms[2][0])
    ids = [str(props[m][0]) for m, _, _ in ms]
    s = admin()
    r = post(s, "/admin/refunds/approve", ids=ids, min_confidence="100")
    assert r.status_code == 200 and "确认批量通过" in r.text
    assert all(status_of(i) == "pending" for i in ids)
    r = post(s, "/admin/refunds/approve", ids=ids, min_confidence="100", confirm="1")
    assert r.status_code == 303 and re.match(r"/admin/jobs/\d+$", r.headers["Location"])
    url = HTTP + r.headers["Location"]
    deadline = time.time() + 60
    j = None
    while time.time() < deadline:
        j = s.get(url, headers={"Accept": "application/json"}, timeout=10).json()
        if j["state"] in ("done", "failed"):
            break
        time.sleep(0.5)
    assert j["state"] == "done", j
    again = s.get(url, headers={"Accept": "application/json"}, timeout=10).json()   # a reload
    assert again["progress"] == j["progress"]
    assert j["progress"]["note"] == "处理中 0 / 成功 2 / 失败 0" and j["progress"]["done"] == 2
    assert [status_of(i) for i in ids] == ["success", "success", "pending"]   # 66 < min_confidence
    # the end is a sentence, not raw JSON (issue #15)
    assert j["result"]["summary"].startswith("已通过 2 条退款：退款成功 2 条，失败 0 条，仍在处理 0 条")
    assert "跳过 1 条" in j["result"]["summary"]
    page = s.get(url, timeout=10).text
    assert "已通过 2 条退款" in page and "处理中 0 / 成功 2 / 失败 0" in page
    assert '<details class="job__details">' in page


def test_refund_callback_is_verified():
    r = requests.post(HTTP + "/pay/wechat/refund-notify", data=b'{"event_type":"REFUND.SUCCESS"}',
                      headers={"Content-Type": "application/json"}, timeout=10)
    assert r.status_code == 401


def test_camp_refund_list_button_queues_the_job():
    camp, ms = finished_camp(("889001", 15, 100))
    s = admin()
    r = post(s, f"/admin/camps/{camp}/refund-list")
    assert r.status_code == 303 and r.headers["Location"].startswith("/admin/jobs/")
    url = HTTP + r.headers["Location"]
    deadline = time.time() + 30
    while time.time() < deadline:
        j = s.get(url, headers={"Accept": "application/json"}, timeout=10).json()
        if j["state"] == "done":
            break
        time.sleep(0.3)
    assert sql("SELECT count(*) FROM refund_record WHERE camp_id = %s", camp)[0][0] == 1


def test_abnormal_refund_ends_the_attempt_and_can_be_refunded_offline():
    camp, ms = finished_camp(("888001", 15, 100))
    mid, pid, no = ms[0]
    rid = propose(camp)[mid][0]
    sql("UPDATE refund_record SET refund_status = 'approved', audit_status = 'approved' WHERE id = %s", rid)
    fault("refund-abnormal", 1)
    run_refunds()
    wait_status(rid, "abnormal")      # by the callback or the next query
    assert "异常" in sql("SELECT failure_reason FROM refund_record WHERE id = %s", rid)[0][0]
    assert sql("SELECT refunded_amount::text FROM training_camp WHERE id = %s", camp)[0][0] == "0.00"
    s = admin()
    assert post(s, f"/admin/refunds/{rid}/retry", action="offline").status_code == 303
    assert status_of(rid) == "refunded_offline"
    events = [r[0] for r in sql("SELECT event FROM refund_status_log WHERE refund_id = %s ORDER BY id", rid)]
    assert events[-1] != events[0] and len(events) >= 3


def test_timeout_queries_before_resubmitting_the_same_number():
    camp, ms = finished_camp(("889001", 15, 100))
    mid, pid, no = ms[0]
    rid = propose(camp)[mid][0]
    sql("UPDATE refund_record SET refund_status = 'approved', audit_status = 'approved' WHERE id = %s", rid)
    fault("timeout", 1)               # the create call gets no answer: outcome unknown
    run_refunds()
    fault("ok")
    assert status_of(rid) == "processing"
    sql("UPDATE refund_record SET next_retry_at = NULL WHERE id = %s", rid)
    run_refunds()                     # asks first (the sim never saw it), then resubmits
    wait_status(rid, "success")
    nos = {n for n, _ in refund_creates(no)}
    assert len(nos) == 1              # one out_refund_no for the whole attempt
    assert sql("SELECT refunded_amount::text FROM payment_record WHERE id = %s", pid)[0][0] == "99.00"


def test_refund_settled_by_callback_then_queried_is_applied_once():
    camp, ms = finished_camp(("889501", 15, 100))
    mid, pid, no = ms[0]
    rid = propose(camp)[mid][0]
    sql("UPDATE refund_record SET refund_status = 'approved', audit_status = 'approved' WHERE id = %s", rid)
    run_refunds()                     # submitted: PROCESSING; the callback arrives after the delay
    wait_status(rid, "success")
    before = sql("SELECT count(*) FROM refund_status_log WHERE refund_id = %s", rid)[0][0]
    sql("UPDATE refund_record SET next_retry_at = NULL WHERE id = %s", rid)
    run_refunds()                     # a later query of a settled refund is a repeat
    assert sql("SELECT count(*) FROM refund_status_log WHERE refund_id = %s", rid)[0][0] == before
    assert sql("SELECT refunded_amount::text FROM training_camp WHERE id = %s", camp)[0][0] == "99.00"
    assert sql("SELECT count(*) FROM notification_message WHERE message_type = 'refund_success'"
               " AND member_id = %s AND recipient_type = 'robot'", mid)[0][0] == 1
