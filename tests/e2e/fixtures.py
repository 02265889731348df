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


if __name__ == "__main__":
    print(json.dumps({"refund_batch": refund_batch, "manual_bind": manual_bind}[sys.argv[1]]()))
