"""remindlib.py: helpers for the reminder and member-notice tests (issue #16) — the test clock,
camps and paid members of 2020 (a date only the moved clock reaches), the outbox, camp-sim's log."""
import hashlib
import json
import secrets

import pytest
import requests

from conftest import SIM, add_user, campctl
from paylib import sql
from sealing import openid_cols, seal_setting

TEMPLATES = {"notification.tpl_join_remind": "simTplJoinRemind",
             "notification.tpl_end_remind": "simTplEndRemind",
             "notification.tpl_refund_success": "simTplRefundSuccess",
             "notification.tpl_bind_remind": "simTplBindRemind"}


def set_clock(ts):
    """Every process (camp-worker too) reads the test clock from system_config."""
    sql("INSERT INTO system_config (config_key, config_value) VALUES ('test.now', %s)"
        " ON CONFLICT (config_key) DO UPDATE SET config_value = EXCLUDED.config_value", ts)


def clear_clock():
    sql("DELETE FROM system_config WHERE config_key = 'test.now'")


_camps = []


@pytest.fixture(scope="module")
def real_clock_afterwards():
    """The real clock again, and this module's camps of 2020 out of every list."""
    yield
    clear_clock()
    if _camps:
        sql("UPDATE training_camp SET deleted_at = now() WHERE id = ANY(%s)", list(_camps))
        _camps.clear()


@pytest.fixture(autouse=True)
def member_channel(real_clock_afterwards):
    """camp-sim's template ids, default quiet hours, no faults, and the clock in 2020 from the
    start: camp-worker runs its schedule by the same clock (camp-status at 00:05 of each day the
    clock passes), so the test data must never meet a clock it was not made for."""
    set_clock("2020-01-01T12:00:00+08:00")
    for k, v in TEMPLATES.items():
        if campctl("config", "get", k, check=False).stdout.rstrip("\n") != v:
            campctl("config", "set", k, v)
    for k in ("notification.quiet_start", "notification.quiet_end"):
        campctl("config", "set", k, "")
    fault("ok", 0)
    yield
    fault("ok", 0)


def fault(mode, count=1, service="wxmp"):
    r = requests.post(SIM + "/sim/faults", json={"service": service, "mode": mode, "count": count},
                      timeout=10)
    assert r.status_code == 200, r.text


def run(job):
    """campctl job run JOB; the job's detail."""
    r = campctl("job", "run", job, check=False)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.split(" success ", 1)[1])


def camp(start="2020-03-01", end="2020-03-20", required=10, status="ongoing", robot_key=None):
    """A camp of 2020 without a ZSXQ project (the nightly sync leaves its counts alone)."""
    cid = sql("INSERT INTO training_camp (name, deposit, start_date, end_date, total_days, required_days,"
              " status) VALUES (%s, 99, %s, %s, %s::date - %s::date + 1, %s, %s)"
              " RETURNING id", "提醒测试营 " + secrets.token_hex(3), start, end, end, start, required,
              status)[0][0]
    _camps.append(cid)
    if robot_key is not None:
        sql("UPDATE training_camp SET robot_webhook_key = %s WHERE id = %s",
            seal_setting("camp.robot_webhook_key", robot_key), cid)
    return cid


def enrolled(cid, nick, paid_at, openid=True, joined=False, bind="completed", deadline=None,
             checkins=0, eligible=False):
    """A paid member (and the order) straight into the database; (member, payment, openid).
    The openid is sealed for its rows as camp-web seals it (sealing.py)."""
    oid = "o" + secrets.token_hex(13) if openid else None
    mid = sql("INSERT INTO camp_member (camp_id, filled_planet_user_id, filled_planet_nickname,"
              " filled_wechat_nickname, paid, paid_at, joined_group, checkin_count, eligible_for_refund)"
              " VALUES (%s, %s, %s, %s, true, %s, %s, %s, %s) RETURNING id",
              cid, "9" + str(secrets.randbelow(10 ** 13)).zfill(13), nick, nick + "微信", paid_at,
              joined, checkins, eligible)[0][0]
    pid = sql("INSERT INTO payment_record (order_no, camp_id, member_id, pay_amount, trade_type, pay_status,"
              " pay_time, bind_status, bind_method, bind_deadline)"
              " VALUES (%s, %s, %s, 99, 'JSAPI', 'success', %s, %s, %s, %s) RETURNING id",
              "CPR" + secrets.token_hex(8), cid, mid, paid_at, bind,
              "user_fill" if bind == "pending" else "h5_bindplanet", deadline)[0][0]
    if oid:
        sql("UPDATE camp_member SET openid_sealed = %s, openid_index = %s WHERE id = %s",
            *openid_cols("camp_member", mid, oid), mid)
        sql("UPDATE payment_record SET openid_sealed = %s, openid_index = %s WHERE id = %s",
            *openid_cols("payment_record", pid, oid), pid)
    return mid, pid, oid


def notices(mid, kind=None):
    """The member's own notices (official account): (type, send_status, error, content, url)."""
    return sql("SELECT message_type, send_status, error_message, content, extra_data->>'url'"
               " FROM notification_message WHERE recipient_type = 'member' AND channel = 'mp' AND recipient_id = %s"
               " AND (%s::text IS NULL OR message_type = %s) ORDER BY id", mid, kind, kind)


def staff_alerts(cid, kind):
    return sql("SELECT recipient_id, content, send_status FROM notification_message"
               " WHERE recipient_type = 'admin' AND camp_id = %s AND message_type = %s ORDER BY id",
               cid, kind)


def sim_log(path_prefix):
    return [e for e in requests.get(SIM + "/sim/log", timeout=10).json()
            if e["path"].startswith(path_prefix)]


def templates_to(openid):
    return [e for e in sim_log("/cgi-bin/message/template/send")
            if isinstance(e.get("request"), dict) and e["request"].get("touser") == openid]


def coach_of(cid):
    """A coach of the camp with a WeCom userid; (user id, wecom userid)."""
    name, _ = add_user("coach")
    wid = "coach" + secrets.token_hex(4)
    uid = sql("UPDATE system_user SET wecom_userid = %s WHERE username = %s RETURNING id", wid, name)[0][0]
    sql("INSERT INTO camp_member_relation (camp_id, user_id, role_type) VALUES (%s, %s, 'coach')", cid, uid)
    return uid, wid


def key_sha256(key):
    return hashlib.sha256(key.encode()).hexdigest()
