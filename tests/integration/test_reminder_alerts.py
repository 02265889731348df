"""test_reminder_alerts.py: the staff alerts of the reminders job (issue #16) honour their switch
(notification.alerts_off) and go where they should — join_overdue and camp_ending to the camp's
own coaches whatever the recipient list says, refund_review and member_notice_failed to the
configured staff (src/domain/alerts.c)."""
import json
import secrets
import time

import pytest

from conftest import add_user, campctl
from remindlib import (camp, coach_of, enrolled, fault, member_channel, real_clock_afterwards,  # noqa: F401
                       run, set_clock, sql)


def configure(key, value):
    campctl("config", "set", key, value)
    time.sleep(2.2)            # camp-worker re-reads settings within 2 s


def staff(role):
    name, _ = add_user(role)
    return sql("SELECT id FROM system_user WHERE username = %s", name)[0][0]


def recipients(cid, kind, since):
    return sorted(r[0] for r in sql("SELECT recipient_id FROM notification_message WHERE message_type = %s"
                                    " AND id > %s AND (camp_id = %s OR %s::bigint IS NULL)",
                                    kind, since, cid, cid))


def join_overdue(day):
    cid = camp(start=f"2020-04-{day:02d}", end=f"2020-04-{day + 20:02d}")
    coach, _ = coach_of(cid)
    enrolled(cid, "进群提醒", f"2020-04-{day:02d}T10:00:00+08:00")
    set_clock(f"2020-04-{day + 1:02d}T10:00:00+08:00")
    run("reminders")
    return cid, [coach]


def camp_ending(day):
    cid = camp(start=f"2020-05-{day:02d}", end=f"2020-05-{day + 10:02d}", required=5)
    coach, _ = coach_of(cid)
    enrolled(cid, "结营提醒", f"2020-05-{day:02d}T09:00:00+08:00", joined=True)
    set_clock(f"2020-05-{day + 9:02d}T08:00:00+08:00")
    run("reminders")
    return cid, [coach]


def refund_review(day):
    cid = camp(start=f"2020-06-{day:02d}", end=f"2020-06-{day + 10:02d}", status="finished")
    mid, pid, _ = enrolled(cid, "审核提醒", f"2020-06-{day:02d}T09:00:00+08:00", joined=True)
    sql("INSERT INTO refund_record (camp_id, member_id, payment_id, refund_amount) VALUES (%s, %s, %s, 99)",
        cid, mid, pid)
    set_clock(f"2020-06-{day + 12:02d}T09:00:00+08:00")
    run("reminders")
    return cid, None


def member_notice_failed(day):
    now = f"2020-07-{day:02d}T10:00:00+08:00"
    set_clock(now)
    cid = camp(start=f"2020-07-{day:02d}", end=f"2020-07-{day + 10:02d}")
    mid, _, _ = enrolled(cid, "模板失效", now)
    fault("bad-template", 1)    # armed before the notice exists: camp-worker's own notify may send it
    sql("INSERT INTO notification_message (recipient_type, recipient_id, message_type, title, content,"
        " camp_id, member_id, channel, dedupe_key, created_at) VALUES ('member', %s, 'join_remind',"
        " '请扫码进群', %s, %s, %s, 'mp', %s, %s)", mid, "内容 " + secrets.token_hex(4), cid, mid,
        "join_remind", now)
    run("notify")
    return None, None          # a daily alert about the channel, not about one camp


TRIGGERS = {"join_overdue": join_overdue, "camp_ending": camp_ending,
            "refund_review": refund_review, "member_notice_failed": member_notice_failed}


@pytest.mark.parametrize("kind", sorted(TRIGGERS))
def test_reminder_alert_goes_where_it_should_and_obeys_its_switch(kind):
    listed = staff("manager")
    try:
        configure("notification.admin_users", json.dumps([listed]))
        mark = sql("SELECT COALESCE(max(id), 0) FROM notification_message")[0][0]
        cid, coaches = TRIGGERS[kind](1)
        assert recipients(cid, kind, mark) == (coaches or [listed])
        configure("notification.alerts_off", json.dumps([kind]))
        mark = sql("SELECT COALESCE(max(id), 0) FROM notification_message")[0][0]
        cid, _ = TRIGGERS[kind](3)
        assert recipients(cid, kind, mark) == []
    finally:
        campctl("config", "set", "notification.admin_users", "[]")
        campctl("config", "set", "notification.alerts_off", "[]")
