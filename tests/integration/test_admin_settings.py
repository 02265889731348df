"""test_admin_settings.py: 系统配置 — sealed secrets, validation, payment re-auth and alerts."""
import re
import secrets

import pytest

from conftest import HTTP, HTTPS, campctl, csrf_of, ENV


def page(s):
    return s.get(HTTP + "/admin/settings", timeout=10)


def save(s, group, fields, **extra):
    data = {"_csrf": csrf_of(page(s).text), "group": group, **fields, **extra}
    return s.post(HTTP + "/admin/settings", data=data, allow_redirects=False, timeout=10)


def stored(dbc, key):
    with dbc.cursor() as c:
        c.execute("SELECT config_value, is_encrypted, updated_at FROM system_config"
                  " WHERE config_key = %s", (key,))
        return c.fetchone()


@pytest.fixture
def restore():
    """Puts back every key a test saved (plain values through campctl)."""
    keys = []
    before = {}

    def remember(*ks):
        for k in ks:
            keys.append(k)
            before[k] = campctl("config", "get", k, check=False).stdout.rstrip("\n")
    yield remember
    for k in keys:
        campctl("config", "set", k, before[k], check=False)


def test_groups_and_no_test_keys(as_role):
    s = as_role("admin")
    html = page(s).text
    for g in ("知识星球", "企业微信", "微信支付", "通知", "退款", "安全"):
        assert f'name="group" value="{g}"' in html
    assert "test.now" not in html
    assert f'value="{ENV["CAMP_BASE_URL"]}/pay/wechat/notify"' in html
    assert f'value="{ENV["CAMP_BASE_URL"]}/pay/wechat/refund-notify"' in html
    assert 'name="confirm_password"' in html


def test_secret_is_sealed_and_never_shown(as_role, dbc, restore):
    restore("planet.cookie", "planet.group_id")
    s = as_role("admin")
    secret = "zsxq_access_token=" + secrets.token_hex(16)
    r = save(s, "知识星球", {"planet.cookie": secret})
    assert r.status_code == 303
    value, enc, _ = stored(dbc, "planet.cookie")
    assert enc is True and secret not in value
    assert secret[18:] not in value
    follow = s.get(HTTP + r.headers["Location"].split("#")[0], timeout=10)
    assert secret not in follow.text and secret[18:] not in follow.text
    assert "已设置 · 更新于" in follow.text
    assert campctl("config", "get", "planet.cookie").stdout.strip() == secret
    # an empty secret field keeps the value
    assert save(s, "知识星球", {"planet.cookie": "", "planet.group_id": "g1"}).status_code == 303
    assert campctl("config", "get", "planet.cookie").stdout.strip() == secret
    with dbc.cursor() as c:
        c.execute("SELECT operation_desc FROM operation_log WHERE operation_type = 'UPDATE_CONFIG'"
                  " AND target_name = 'planet.cookie'")
        rows = [r[0] for r in c.fetchall()]
        assert rows and all(secret[18:] not in d for d in rows)


BAD = [
    ("知识星球", "planet.min_interval_ms", "abc", "之间的整数"),
    ("知识星球", "planet.min_interval_ms", "999999", "之间的整数"),
    ("退款", "refund.grace_days", "-1", "之间的整数"),
    ("安全", "security.login_user_limit", "0", "之间的整数"),
    ("通知", "notification.admin_users", "[999999999]", "不存在的用户"),
    ("通知", "notification.admin_users", "1,2", "JSON 数组"),
    ("企业微信", "wechat.corp_id", "has space", "只能包含"),
]


@pytest.mark.parametrize("group,key,value,message", BAD, ids=[f"{k}={v}" for _, k, v, _ in BAD])
def test_bad_values_refused(as_role, dbc, group, key, value, message):
    s = as_role("admin")
    before = stored(dbc, key)
    r = save(s, group, {key: value})
    assert r.status_code == 422
    fb = re.findall(r'<div class="invalid-feedback d-block">([^<]*)</div>', r.text)
    assert any(message in f for f in fb), fb
    assert stored(dbc, key) == before


def test_good_plain_values_saved_and_shown(as_role, dbc, restore):
    restore("refund.grace_days", "notification.admin_users")
    s = as_role("admin")
    with dbc.cursor() as c:
        c.execute("SELECT id FROM system_user WHERE username = %s", (s.username,))
        uid = c.fetchone()[0]
    assert save(s, "退款", {"refund.grace_days": "2"}).status_code == 303
    assert save(s, "通知", {"notification.admin_users": f"[{uid}]"}).status_code == 303
    html = page(s).text
    # the recipients are a multi-select of the staff now (issue #15)
    assert 'value="2"' in html and f'<option value="{uid}" selected>' in html
    with dbc.cursor() as c:
        c.execute("SELECT count(*) FROM operation_log WHERE operation_type = 'UPDATE_CONFIG'"
                  " AND target_name = 'refund.grace_days' AND ip_address = '127.0.0.1'")
        assert c.fetchone()[0] >= 1


def test_payment_keys_need_password_and_alert_admins(as_role, dbc, restore):
    restore("wechat.pay_key", "wechat.pay_merchant_id")
    s = as_role("admin")
    key = secrets.token_hex(16)
    before = stored(dbc, "wechat.pay_key")
    for extra, msg in [({}, "需要输入你的登录密码"), ({"confirm_password": "wrong-one"}, "登录密码不正确")]:
        r = save(s, "微信支付", {"wechat.pay_key": key}, **extra)
        assert r.status_code == 422 and msg in r.text
        assert stored(dbc, "wechat.pay_key") == before
    r = save(s, "微信支付", {"wechat.pay_key": key[:31]}, confirm_password=s.password)
    assert r.status_code == 422 and "正好是 32 个字符" in r.text
    r = save(s, "微信支付", {"wechat.pay_private_key": "not a pem"}, confirm_password=s.password)
    assert r.status_code == 422 and "PEM 私钥" in r.text
    with dbc.cursor() as c:
        c.execute("SELECT count(*) FROM notification_message WHERE message_type = 'config_changed'")
        alerts_before = c.fetchone()[0]
        c.execute("SELECT count(*) FROM system_user WHERE role = 'admin' AND status = 'active'"
                  " AND deleted_at IS NULL")
        admins = c.fetchone()[0]
    r = save(s, "微信支付", {"wechat.pay_key": key, "wechat.pay_merchant_id": "1900000001"},
             confirm_password=s.password)
    assert r.status_code == 303
    value, enc, _ = stored(dbc, "wechat.pay_key")
    assert enc and key not in value
    assert campctl("config", "get", "wechat.pay_key").stdout.strip() == key
    with dbc.cursor() as c:
        c.execute("SELECT recipient_type, channel, count(*) FROM notification_message"
                  " WHERE message_type = 'config_changed' GROUP BY 1, 2")
        rows = c.fetchall()
        assert rows == [("admin", "wechat", alerts_before + admins)]
        c.execute("SELECT target_name FROM operation_log WHERE operation_type = 'UPDATE_CONFIG'"
                  " AND operator_name = %s ORDER BY id", (s.username,))
        assert [r[0] for r in c.fetchall()] == ["wechat.pay_merchant_id", "wechat.pay_key"]
    assert key not in page(s).text


def test_settings_post_needs_csrf(as_role, dbc):
    s = as_role("admin")
    before = stored(dbc, "refund.grace_days")
    r = s.post(HTTP + "/admin/settings", data={"group": "退款", "refund.grace_days": "3"},
               allow_redirects=False, timeout=10)
    assert r.status_code == 403
    assert stored(dbc, "refund.grace_days") == before


def _job_outcome(dbc, job_id, timeout=30):
    import time
    cur = dbc.cursor()
    deadline = time.time() + timeout
    while time.time() < deadline:
        cur.execute("SELECT state, error FROM job_queue WHERE id = %s", (job_id,))
        state, error = cur.fetchone()
        if state in ("done", "failed"):
            return state, error
        time.sleep(0.3)
    raise AssertionError(f"job {job_id} still {state}")


@pytest.mark.parametrize("provider", ["zsxq", "wecom", "wechatpay"])
def test_connection_test_runs_as_a_job(as_role, dbc, provider):
    from simlib import settings
    st = settings()
    for k in ("planet.cookie", "planet.group_id", "wechat.corp_id", "wechat.app_secret"):
        campctl("config", "set", k, st[k])
    s = as_role("admin")
    assert "测试连接" in page(s).text
    r = s.post(HTTP + "/admin/settings/test", data={"_csrf": csrf_of(page(s).text), "provider": provider},
               allow_redirects=False, timeout=10)
    assert r.status_code == 303 and r.headers["Location"].startswith("/admin/jobs/")
    job = int(r.headers["Location"].rsplit("/", 1)[1])
    state, error = _job_outcome(dbc, job)
    assert (state, error) == ("done", None)
    assert "连接正常" in s.get(HTTP + f"/admin/jobs/{job}", timeout=10).text


def test_connection_test_reports_the_providers_error(as_role, dbc, restore):
    import time
    from simlib import settings
    restore("planet.cookie")
    campctl("config", "set", "planet.cookie", "not-a-valid-token")
    time.sleep(2.2)                       # settings reach camp-worker within 2 s
    s = as_role("admin")
    r = s.post(HTTP + "/admin/settings/test", data={"_csrf": csrf_of(page(s).text), "provider": "zsxq"},
               allow_redirects=False, timeout=10)
    state, error = _job_outcome(dbc, int(r.headers["Location"].rsplit("/", 1)[1]))
    campctl("config", "set", "planet.cookie", settings()["planet.cookie"])
    assert state == "failed" and "Token 已失效" in error
    bad = s.post(HTTP + "/admin/settings/test", data={"_csrf": csrf_of(page(s).text), "provider": "ftp"},
                 allow_redirects=False, timeout=10)
    assert bad.status_code == 400
