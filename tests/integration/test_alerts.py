"""test_alerts.py: staff alerts go to the configured recipients, honour each type's switch, and
a once-key never repeats (src/domain/alerts.c, exercised through expire-bindings and settings)."""
import json
import re
import time

from conftest import HTTP, ROOT, add_user, campctl
from synclib import member, sql, sync_camp, today
from test_binding import paid_order


def staff(role="admin"):
    name, _ = add_user(role)
    return sql("SELECT id FROM system_user WHERE username = %s", name)[0][0]


def alerts_for(member_id):
    return sorted(r[0] for r in sql("SELECT recipient_id FROM notification_message"
                                    " WHERE message_type = 'bind_manual_review' AND member_id = %s",
                                    member_id))


def expire_one():
    cid, _ = sync_camp()
    mid = member(cid, None, "超期", paid=True)
    paid_order(cid, mid)
    r = campctl("job", "run", "expire-bindings", check=False)
    assert r.returncode == 0, r.stderr
    return mid


def restore():
    campctl("config", "set", "notification.admin_users", "[]")
    campctl("config", "set", "notification.alerts_off", "[]")


def test_listed_recipients_only_then_every_admin_when_the_list_is_empty():
    a, coach = staff("admin"), staff("coach")
    try:
        campctl("config", "set", "notification.admin_users", json.dumps([coach]))
        assert alerts_for(expire_one()) == [coach]
        campctl("config", "set", "notification.admin_users", "[]")
        admins = sorted(r[0] for r in sql("SELECT id FROM system_user WHERE role = 'admin'"
                                          " AND status = 'active' AND deleted_at IS NULL"))
        got = alerts_for(expire_one())
        assert a in got and coach not in got and got == admins
    finally:
        restore()


def test_a_switched_off_type_is_not_queued_and_others_still_are():
    try:
        campctl("config", "set", "notification.alerts_off", '["bind_manual_review"]')
        assert alerts_for(expire_one()) == []
        campctl("config", "set", "notification.alerts_off", '["sync_failed"]')
        assert alerts_for(expire_one()) != []
    finally:
        restore()


def test_alerts_off_refuses_unknown_and_unswitchable_types():
    for bad in ('["no_such_alert"]', '["config_changed"]', '{"a": 1}', "sync_failed"):
        r = campctl("config", "set", "notification.alerts_off", bad, check=False)
        assert r.returncode != 0 and "告警类型" in r.stderr, (bad, r.stderr)
    assert campctl("config", "get", "notification.alerts_off").stdout.strip() == "[]"


def test_once_key_is_unique_per_recipient():
    uid = staff("admin")
    sql("INSERT INTO notification_message (recipient_type, recipient_id, message_type, title, content,"
        " channel, dedupe_key) VALUES ('admin', %s, 'sync_failed', 't', 'c', 'wechat', 'k:2026-11-30')", uid)
    sql("INSERT INTO notification_message (recipient_type, recipient_id, message_type, title, content,"
        " channel, dedupe_key) VALUES ('admin', %s, 'sync_failed', 't', 'c', 'wechat', 'k:2026-11-30')"
        " ON CONFLICT (recipient_type, recipient_id, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING", uid)
    assert sql("SELECT count(*) FROM notification_message WHERE recipient_id = %s"
               " AND dedupe_key = 'k:2026-11-30'", uid)[0][0] == 1


# --- issue #15: every alert type honours its switch and the recipients (one test per type) ---------

import pytest  # noqa: E402
from consolelib import camps_end_with_the_module, finished_camp, paid_member  # noqa: E402
from consolelib import staff as signed_in_staff  # noqa: E402

assert camps_end_with_the_module  # autouse fixture, imported to apply here
from paylib import enroll, h5, make_camp  # noqa: E402
from synclib import checkin, fault, planet_id, run_sync_with_fault  # noqa: E402


def since(marker, kind):
    return sorted(r[0] for r in sql("SELECT recipient_id FROM notification_message WHERE message_type = %s"
                                    " AND id > %s", kind, marker))


def marker():
    return sql("SELECT COALESCE(max(id), 0) FROM notification_message")[0][0]


def trigger_sync_failed():
    cid, proj = sync_camp()
    checkin(proj, planet_id(), "同步失败", date=today(-1))
    assert run_sync_with_fault(cid, "500", 100000)[0] == "failed"   # until the run's retries are spent


def trigger_cookie_expired():
    cid, proj = sync_camp()
    checkin(proj, planet_id(), "过期", date=today(-1))
    assert run_sync_with_fault(cid, "expired-cookie", 100)[0] == "failed"


def trigger_refund_failed():
    cid = finished_camp(required=10)
    mid, pid = paid_member(cid, days=10)
    rid = sql("INSERT INTO refund_record (camp_id, member_id, payment_id, refund_amount, refund_status,"
              " audit_status) SELECT camp_id, member_id, id, pay_amount, 'approved', 'approved'"
              " FROM payment_record WHERE id = %s RETURNING id", pid)[0][0]
    fault("500", 50, service="wechatpay")
    try:
        for _ in range(4):
            campctl("job", "run", "refunds", check=False)
            sql("UPDATE refund_record SET next_retry_at = NULL WHERE id = %s AND refund_status = 'processing'", rid)
    finally:
        fault("ok", 0, service="wechatpay")
    assert sql("SELECT refund_status FROM refund_record WHERE id = %s", rid)[0][0] == "failed"


def trigger_bind_manual_review():
    expire_one()


def trigger_planet_id_claimed():
    cid = make_camp()
    mid, _ = paid_member(cid, days=0)
    taken = sql("SELECT filled_planet_user_id FROM camp_member WHERE id = %s", mid)[0][0]
    r = enroll(h5(), cid, taken)
    assert r.status_code == 409 and "该星球ID已报名" in r.text


def trigger_refund_not_enough():
    from test_refunds import finished_camp as refund_camp, propose
    camp, ms = refund_camp(("8904" + str(time.time_ns())[-8:], 15, 100))
    rid = propose(camp)[ms[0][0]][0]
    fault("not-enough", 50, service="wechatpay")
    try:
        sql("UPDATE refund_record SET refund_status = 'approved', audit_status = 'approved' WHERE id = %s", rid)
        campctl("job", "run", "refunds", check=False)
    finally:
        fault("ok", 0, service="wechatpay")
    assert "余额不足" in sql("SELECT failure_reason FROM refund_record WHERE id = %s", rid)[0][0]


def trigger_exception_refund_failed():
    from test_exception_refunds import refused_exception
    exc_id, _ = refused_exception()
    for _ in range(3):
        campctl("job", "run", "refunds", check=False)
    assert sql("SELECT status FROM payment_exception WHERE id = %s", exc_id)[0][0] == "failed"


TRIGGERS = {"sync_failed": trigger_sync_failed, "cookie_expired": trigger_cookie_expired,
            "refund_failed": trigger_refund_failed, "bind_manual_review": trigger_bind_manual_review,
            "planet_id_claimed": trigger_planet_id_claimed,
            "refund_not_enough": trigger_refund_not_enough,
            "exception_refund_failed": trigger_exception_refund_failed}
# The alerts of camp-worker's watchdog, certificates and books: test_watchdog_alerts.py (it runs
# late: its test clock moments make the running camp-worker catch up on its schedule afterwards).


def test_every_switchable_alert_type_has_its_test():
    from test_watchdog_alerts import TRIGGERS as LATE, SEPARATE
    from test_reminder_alerts import TRIGGERS as REMINDERS
    from_c = re.findall(r'\{ "([a-z_]+)", "[^"]+", 0 \}', (ROOT / "src/domain/alerts.c").read_text())
    assert set(from_c) == set(TRIGGERS) | set(LATE) | SEPARATE | set(REMINDERS), from_c


def configure(key, value):
    """A setting every process (camp-worker too) sees: they re-read settings within 2 s."""
    campctl("config", "set", key, value)
    time.sleep(2.2)


def chosen_staff_and_switch(kind, trigger):
    """The alert goes to the staff listed in notification.admin_users only, and to nobody once its
    type is switched off (notification.alerts_off)."""
    coach = staff("coach")
    try:
        configure("notification.admin_users", json.dumps([coach]))
        m = marker()
        trigger()
        got = since(m, kind)
        assert got and set(got) == {coach}, got
        configure("notification.alerts_off", json.dumps([kind]))
        m = marker()
        trigger()
        assert since(m, kind) == []
    finally:
        restore()


@pytest.mark.parametrize("kind", sorted(TRIGGERS))
def test_alert_type_goes_to_the_chosen_staff_and_obeys_its_switch(kind):
    chosen_staff_and_switch(kind, TRIGGERS[kind])


def test_config_changed_is_always_on_and_goes_to_every_admin():
    """A security notice: no switch, and every active 超级管理员 hears of it whatever the list says."""
    coach = staff("coach")
    s = signed_in_staff("admin")
    try:
        configure("notification.admin_users", json.dumps([coach]))
        m = marker()
        tok = re.search(r'name="_csrf" value="([0-9a-f]{64})"', s.get(HTTP + "/admin/settings", timeout=10).text)
        r = s.post(HTTP + "/admin/settings", data={
            "_csrf": tok.group(1), "group": "微信支付", "confirm_password": s.password,
            "wechat.pay_merchant_id": campctl("config", "get", "wechat.pay_merchant_id").stdout.strip() + "9"},
            allow_redirects=False, timeout=10)
        assert r.status_code == 303
        admins = sorted(x[0] for x in sql("SELECT id FROM system_user WHERE role = 'admin' AND status = 'active'"
                                          " AND deleted_at IS NULL"))
        assert since(m, "config_changed") == admins and coach not in admins
    finally:
        restore()
        configure("wechat.pay_merchant_id", campctl("config", "get", "wechat.pay_merchant_id").stdout.strip()[:-1])

