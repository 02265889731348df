"""fixtures.py: data the browser tests need that only the real payment path can make
(payments camp-sim knows, so their refunds can be executed).  Prints JSON."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))

from paylib import enroll, h5, make_camp, order_no_of, sim_pay, sql, wait_state  # noqa: E402


def refund_batch(n=2):
    """A finished camp with n paid, eligible, matched members and their proposals."""
    cid = make_camp(start=-2, end=19)
    members = []
    for i in range(n):
        s = h5()
        no = order_no_of(enroll(s, cid, str(9 * 10 ** 14 + os.getpid() * 10 + i), nickname=f"退款{i}"))
        sim_pay(no)
        wait_state(s, no, "paid")
        members.append(sql("SELECT member_id FROM payment_record WHERE order_no = %s", no)[0][0])
    sql("UPDATE training_camp SET status = 'finished', start_date = current_date - 22,"
        " end_date = current_date - 1 WHERE id = %s", cid)
    sql("UPDATE camp_member SET checkin_count = 15, eligible_for_refund = true, match_confidence = 100,"
        " match_status = 'matched' WHERE camp_id = %s AND paid", cid)
    ids = []
    for mid in members:
        ids.append(sql("INSERT INTO refund_record (camp_id, member_id, payment_id, refund_amount)"
                       " SELECT camp_id, member_id, id, pay_amount FROM payment_record"
                       " WHERE member_id = %s AND pay_status = 'success' RETURNING id", mid)[0][0])
    return {"camp_id": cid, "refund_ids": ids}


def manual_bind():
    """A paid member waiting for a manual bind, and a ZSXQ user to bind to."""
    cid = make_camp()
    s = h5()
    no = order_no_of(enroll(s, cid, None, later=True))
    sim_pay(no)
    wait_state(s, no, "paid")
    sql("UPDATE payment_record SET bind_status = 'manual_review' WHERE order_no = %s", no)
    mid = sql("SELECT member_id FROM payment_record WHERE order_no = %s", no)[0][0]
    pid = str(8 * 10 ** 14 + os.getpid())
    sql("INSERT INTO planet_user (planet_user_id, planet_nickname) VALUES (%s, '手动绑定')"
        " ON CONFLICT DO NOTHING", pid)
    return {"member_id": mid, "planet_user_id": pid, "order_no": no}


# --- issue #15: the operator's console ---------------------------------------------------

def console():
    """A finished camp with a refunded, a pending, a near-miss and an unmatched member; Markdown."""
    from consolelib import finished_camp, paid_member  # noqa: E402
    cid = finished_camp(required=10, name="控制台演示营 %d" % (os.getpid() % 10000))
    sql("UPDATE training_camp SET description = %s WHERE id = %s",
        "**21 天写作营**：每天一篇。\n\n- 完成 10 天打卡退押金\n- [打卡说明](https://example.com)", cid)
    _, paid = paid_member(cid, nick="已退款", days=10, pay_time="2026-10-20T10:00:00+08:00")
    sql("INSERT INTO refund_record (camp_id, member_id, payment_id, refund_amount, refund_status, audit_status,"
        " success_time, out_refund_no) SELECT camp_id, member_id, id, pay_amount, 'success', 'approved', now(),"
        " 'RFE2E' || id FROM payment_record WHERE id = %s", paid)
    sql("UPDATE payment_record SET refunded_amount = pay_amount, pay_status = 'refunded' WHERE id = %s", paid)
    pend = [paid_member(cid, nick=f"待审{i}", days=10)[0] for i in range(2)]
    ids = [sql("INSERT INTO refund_record (camp_id, member_id, payment_id, refund_amount)"
               " SELECT camp_id, member_id, id, pay_amount FROM payment_record WHERE member_id = %s"
               " RETURNING id", m)[0][0] for m in pend]
    paid_member(cid, nick="差一天", days=8)
    paid_member(cid, nick="待绑定", days=0, conf=0, bind="manual_review", matched=False)
    return {"camp_id": cid, "refund_ids": ids}


def h5_progress():
    """A paid enrollment with three check-in days; the ticket URL of its browser."""
    from consolelib import checkins, planet_user  # noqa: E402
    cid = make_camp(start=-4, end=16, required=10)
    s = h5()
    pid = str(6 * 10 ** 14 + os.getpid())
    no = order_no_of(enroll(s, cid, pid, nickname="进度演示"))
    sim_pay(no)
    st = wait_state(s, no, "paid")
    pu, _ = planet_user("进度演示", pid)
    mid = sql("SELECT member_id FROM payment_record WHERE order_no = %s", no)[0][0]
    sql("UPDATE camp_member SET planet_user_id = %s, match_confidence = 100 WHERE id = %s", pu, mid)
    checkins(cid, pu, 3, mid)
    sql("SELECT update_member_checkin_stats(%s, 1)", cid)
    return {"ticket_url": st["ticket_url"], "camp_id": cid}


if __name__ == "__main__":
    print(json.dumps({"refund_batch": refund_batch, "manual_bind": manual_bind, "console": console,
                      "h5_progress": h5_progress}[sys.argv[1]]()))
