"""test_alerts.py: staff alerts go to the configured recipients, honour each type's switch, and
a once-key never repeats (src/domain/alerts.c, exercised through expire-bindings and settings)."""
import json

from conftest import add_user, campctl
from synclib import member, sql, sync_camp
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
