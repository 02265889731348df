"""test_reminders.py: job reminders (issue #16) with the test clock — each reminder once, at the
right Shanghai time, never in the quiet hours, never to members who joined, left or were refunded;
then sent by notify through camp-sim's official account (template messages) and WeCom."""
from remindlib import (camp, coach_of, enrolled, member_channel, notices,  # noqa: F401
                       real_clock_afterwards, run, set_clock, sql, staff_alerts, templates_to)


def test_join_reminder_24_hours_after_paying_once_and_only_to_who_has_not_joined():
    cid = camp()
    coach, wid = coach_of(cid)
    paid = "2020-03-05T10:00:00+08:00"
    a, _, a_oid = enrolled(cid, "阿甲", paid)
    b, _, _ = enrolled(cid, "阿乙", paid, joined=True)
    c, _, _ = enrolled(cid, "阿丙", paid, openid=False)
    d, _, _ = enrolled(cid, "阿丁", paid)
    sql("UPDATE camp_member SET deleted_at = now() WHERE id = %s", d)          # left the camp
    e, e_pay, _ = enrolled(cid, "阿戊", paid)
    sql("INSERT INTO refund_record (camp_id, member_id, payment_id, refund_amount, refund_status, audit_status)"
        " VALUES (%s, %s, %s, 99, 'refunded_offline', 'approved')", cid, e, e_pay)   # refunded
    late, _, _ = enrolled(cid, "阿己", "2020-03-05T10:05:00+08:00")

    set_clock("2020-03-06T09:59:00+08:00")
    run("reminders")
    assert notices(a) == [] and notices(c) == []

    set_clock("2020-03-06T10:00:00+08:00")
    run("reminders")
    (kind, status, err, content, url), = notices(a)
    assert kind == "join_remind" and status in ("pending", "sent") and err is None   # camp-worker may send it
    assert "扫码进群" in content and url.endswith("/h5/mine")
    assert [(k, s) for k, s, *_ in notices(c)] == [("join_remind", "failed")]   # no openid: unreachable
    assert "openid" in notices(c)[0][2]
    assert notices(b) == notices(d) == notices(e) == notices(late) == []
    (who, text, _), = staff_alerts(cid, "join_overdue")
    assert who == coach and "阿甲" in text and "阿丙" in text and "2 名" in text
    assert "阿乙" not in text and "阿丁" not in text and "阿戊" not in text

    run("notify")
    assert notices(a)[0][1] == "sent"
    (sent,) = templates_to(a_oid)
    assert sent["request"]["template_id"] == "simTplJoinRemind"
    assert "扫码进群" in sent["request"]["data"]["keyword2"]["value"]
    assert sent["response"]["errcode"] == 0
    assert staff_alerts(cid, "join_overdue")[0][2] == "sent"

    run("reminders")                      # a re-run adds nothing
    run("notify")
    assert len(notices(a)) == 1 and len(templates_to(a_oid)) == 1
    assert len(staff_alerts(cid, "join_overdue")) == 1

    set_clock("2020-03-06T10:05:00+08:00")
    run("reminders")                      # the later payer's 24 h, alone in a new coach list
    assert [k for k, *_ in notices(late)] == ["join_remind"]
    lists = staff_alerts(cid, "join_overdue")
    assert len(lists) == 2 and "阿己" in lists[1][1] and "阿甲" not in lists[1][1]


def test_due_in_the_quiet_hours_waits_until_morning():
    cid = camp()
    m, _, oid = enrolled(cid, "夜猫", "2020-03-05T23:30:00+08:00")
    set_clock("2020-03-06T23:30:00+08:00")          # due now, but 22:00–08:00 is quiet
    assert run("reminders")["quiet"] is True
    assert notices(m) == []
    set_clock("2020-03-07T07:59:00+08:00")
    run("reminders")
    assert notices(m) == []
    set_clock("2020-03-07T08:00:00+08:00")
    run("reminders")
    assert notices(m)[0][0] == "join_remind"
    run("notify")
    assert notices(m)[0][1] == "sent" and len(templates_to(oid)) == 1


def test_notify_holds_member_notices_in_the_quiet_hours():
    cid = camp(start="2020-02-01", end="2020-02-20", status="finished")
    m, _, oid = enrolled(cid, "晚归", "2020-02-01T09:00:00+08:00", joined=True)
    set_clock("2020-03-06T22:00:00+08:00")
    # queued just before 22:00 (a refund that succeeded in the evening)
    sql("INSERT INTO notification_message (recipient_type, recipient_id, message_type, title, content,"
        " camp_id, member_id, channel, dedupe_key, created_at) VALUES ('member', %s, 'refund_success',"
        " '押金已退回', '押金 ¥99.00 已原路退回', %s, %s, 'mp', 'refund_success', '2020-03-06T21:59:00+08:00')",
        m, cid, m)
    assert run("notify")["members_held"] is True
    assert notices(m)[0][1] == "pending" and templates_to(oid) == []
    set_clock("2020-03-07T07:59:00+08:00")
    run("notify")
    assert notices(m)[0][1] == "pending"
    set_clock("2020-03-07T08:00:00+08:00")
    run("notify")
    assert notices(m)[0][1] == "sent" and len(templates_to(oid)) == 1


def test_quiet_hours_are_settings():
    from conftest import campctl
    cid = camp()
    m, _, _ = enrolled(cid, "午休", "2020-03-05T12:30:00+08:00")
    campctl("config", "set", "notification.quiet_start", "12:00")
    campctl("config", "set", "notification.quiet_end", "14:00")
    set_clock("2020-03-06T12:30:00+08:00")
    run("reminders")
    assert notices(m) == []
    set_clock("2020-03-06T14:00:00+08:00")
    run("reminders")
    assert [k for k, *_ in notices(m)] == ["join_remind"]
    bad = campctl("config", "set", "notification.quiet_start", "25:00", check=False)
    assert bad.returncode != 0 and "HH:MM" in bad.stderr


def test_end_reminder_the_day_before_the_camp_ends():
    cid = camp(end="2020-03-20", required=10)
    later = camp(end="2020-03-21")
    coach, _ = coach_of(cid)
    done, _, _ = enrolled(cid, "达标", "2020-03-01T09:00:00+08:00", joined=True, checkins=10, eligible=True)
    short, _, _ = enrolled(cid, "差点", "2020-03-01T09:00:00+08:00", joined=True, checkins=5)
    gone, gone_pay, _ = enrolled(cid, "已退", "2020-03-01T09:00:00+08:00", joined=True)
    sql("UPDATE payment_record SET bind_status = 'closed' WHERE id = %s", gone_pay)   # binding closed: left
    other, _, _ = enrolled(later, "后结营", "2020-03-01T09:00:00+08:00", joined=True)

    set_clock("2020-03-19T07:59:00+08:00")
    run("reminders")
    assert notices(done) == [] and staff_alerts(cid, "camp_ending") == []
    set_clock("2020-03-19T08:00:00+08:00")
    run("reminders")
    (_, _, _, text, _), = notices(done, "end_remind")
    assert "明天（2020-03-20）结束" in text and "10/10" in text and "已达到退款要求" in text
    (_, _, _, text, _), = notices(short, "end_remind")
    assert "5/10" in text and "还需打卡 4 天" in text       # grace 1 day
    assert notices(gone) == [] and notices(other) == []
    (who, summary, _), = staff_alerts(cid, "camp_ending")
    assert who == coach and "在营 2 人" in summary and "已达到退款要求 1 人" in summary
    run("reminders")
    assert len(notices(done)) == 1 and len(staff_alerts(cid, "camp_ending")) == 1


def test_refund_review_alert_once_with_counts_and_total():
    cid = camp(start="2020-02-01", end="2020-02-20", status="finished")
    rows = [enrolled(cid, f"审{i}", "2020-02-01T09:00:00+08:00", joined=True) for i in range(3)]
    for mid, pid, _ in rows[:2]:
        sql("INSERT INTO refund_record (camp_id, member_id, payment_id, refund_amount) VALUES (%s, %s, %s, 99)",
            cid, mid, pid)
    empty = camp(start="2020-02-01", end="2020-02-20", status="finished")   # finished, no proposals
    running = camp(start="2020-02-20", end="2020-03-20")
    for where in (empty, running):
        mid, pid, _ = enrolled(where, "无关", "2020-02-01T09:00:00+08:00", joined=True)
        if where == running:
            sql("INSERT INTO refund_record (camp_id, member_id, payment_id, refund_amount)"
                " VALUES (%s, %s, %s, 99)", where, mid, pid)
    set_clock("2020-03-02T09:00:00+08:00")
    run("reminders")
    alerts = staff_alerts(cid, "refund_review")
    admins = sql("SELECT count(*) FROM system_user WHERE role = 'admin' AND status = 'active'"
                 " AND deleted_at IS NULL")[0][0]
    assert len(alerts) == admins >= 1
    assert all("请到「退款审核」" in t and "待审核 2 人" in t and "合计 ¥198.00" in t for _, t, _ in alerts)
    run("reminders")
    assert len(staff_alerts(cid, "refund_review")) == admins
    # a camp still running, or finished without proposals, is not announced
    assert staff_alerts(empty, "refund_review") == [] and staff_alerts(running, "refund_review") == []


def test_refund_success_tells_the_member_amount_and_when_it_arrives():
    cid = camp(start="2020-02-01", end="2020-02-20", status="finished")
    m, pid, oid = enrolled(cid, "退了", "2020-02-01T09:00:00+08:00", joined=True)
    rid = sql("INSERT INTO refund_record (camp_id, member_id, payment_id, refund_amount, refund_status,"
              " audit_status, success_time) VALUES (%s, %s, %s, 99, 'success', 'approved',"
              " '2020-03-02T10:00:00+08:00') RETURNING id", cid, m, pid)[0][0]
    set_clock("2020-03-02T10:10:00+08:00")
    run("reminders")
    (kind, status, _, text, _), = notices(m)
    assert kind == "refund_success" and status in ("pending", "sent")
    assert "¥99.00" in text and "2020-03-02 10:00" in text and "1–3 个工作日" in text
    assert sql("SELECT notified FROM refund_record WHERE id = %s", rid)[0][0] is True
    run("notify")
    (sent,) = templates_to(oid)
    assert sent["request"]["template_id"] == "simTplRefundSuccess"
    run("reminders")
    assert len(notices(m)) == 1


def test_bind_reminder_two_days_before_the_deadline():
    cid = camp()
    m, pid, oid = enrolled(cid, "后绑", "2020-03-05T10:00:00+08:00", joined=True, bind="pending",
                           deadline="2020-03-12T10:00:00+08:00")
    bound, _, _ = enrolled(cid, "已绑", "2020-03-05T10:00:00+08:00", joined=True,
                           deadline="2020-03-12T10:00:00+08:00")
    set_clock("2020-03-10T09:59:00+08:00")
    run("reminders")
    assert notices(m) == []
    set_clock("2020-03-10T10:00:00+08:00")
    run("reminders")
    (kind, _, _, text, url), = notices(m)
    order_no = sql("SELECT order_no FROM payment_record WHERE id = %s", pid)[0][0]
    assert kind == "bind_remind" and "2020-03-12 10:00" in text
    assert url.endswith("/h5/bind?order_no=" + order_no)
    assert notices(bound) == []
    run("notify")
    assert templates_to(oid)[0]["request"]["url"].endswith("/h5/bind?order_no=" + order_no)


def test_a_member_who_leaves_before_the_send_is_not_told():
    cid = camp()
    m, _, oid = enrolled(cid, "走了", "2020-03-05T10:00:00+08:00")
    set_clock("2020-03-06T07:00:00+08:00")
    # queued by the reminders, still held by the quiet hours, when the member leaves
    sql("INSERT INTO notification_message (recipient_type, recipient_id, message_type, title, content,"
        " camp_id, member_id, channel, dedupe_key, created_at) VALUES ('member', %s, 'join_remind',"
        " '请扫码进群', '请扫码进群', %s, %s, 'mp', 'join_remind', '2020-03-06T07:00:00+08:00')", m, cid, m)
    sql("UPDATE camp_member SET deleted_at = now() WHERE id = %s", m)
    set_clock("2020-03-06T08:00:00+08:00")
    run("notify")
    (_, status, why, _, _), = notices(m)
    assert status == "cancelled" and "退营" in why and templates_to(oid) == []
