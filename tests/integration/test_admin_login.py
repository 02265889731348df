"""test_admin_login.py: sign-in, sign-out, throttling, CSRF and JWT checks through nginx."""
import base64
import hashlib
import hmac
import json
import secrets

import pytest

from conftest import HTTP, login, new_session, csrf_of, add_user, admin_password


def test_login_lands_on_dashboard_and_records(make_user, dbc):
    name, pw = make_user("manager")
    s = new_session()
    r = login(s, name, pw)
    assert r.status_code == 303 and r.headers["Location"] == "/admin/"
    page = s.get(HTTP + "/admin/", timeout=10)
    assert page.status_code == 200 and "工作台" in page.text and name in page.text
    with dbc.cursor() as c:
        c.execute("SELECT last_login_time IS NOT NULL, last_login_ip FROM system_user"
                  " WHERE username = %s", (name,))
        assert c.fetchone() == (True, "127.0.0.1")
        c.execute("SELECT count(*) FROM login_attempt WHERE username = %s AND success",
                  (name.lower(),))
        assert c.fetchone()[0] == 1
        c.execute("SELECT ip_address, user_agent, request_id, success FROM operation_log"
                  " l JOIN system_user u ON u.id = l.operator_id"
                  " WHERE u.username = %s AND operation_type = 'LOGIN'", (name,))
        ip, ua, rid, ok = c.fetchone()
        assert ip == "127.0.0.1" and "python-requests" in ua and rid and ok


def test_wrong_password_and_unknown_user_same_message(make_user, dbc):
    name, pw = make_user("coach")
    s = new_session()
    bad = login(s, name, pw + "x")
    unknown = login(s, "nobody_" + secrets.token_hex(4), pw)
    for r in (bad, unknown):
        assert r.status_code == 401
        assert "用户名或密码错误" in r.text
        assert "camp_session=" not in r.headers.get("Set-Cookie", "")
    with dbc.cursor() as c:
        c.execute("SELECT count(*) FROM login_attempt WHERE username = %s AND NOT success",
                  (name.lower(),))
        assert c.fetchone()[0] == 1


def test_username_is_case_insensitive(make_user):
    name, pw = make_user("volunteer")
    assert login(new_session(), name.upper(), pw).status_code == 303


def test_safe_next_only(make_user):
    name, pw = make_user("admin")
    for nxt, want in [("/admin/users", "/admin/users"), ("//evil.example/", "/admin/"),
                      ("https://evil.example/admin/", "/admin/"), ("/admin//x", "/admin/")]:
        s = new_session()
        tok = csrf_of(s.get(HTTP + "/admin/login", timeout=10).text)
        r = s.post(HTTP + "/admin/login", data={"_csrf": tok, "username": name,
                   "password": pw, "next": nxt}, allow_redirects=False, timeout=10)
        assert r.status_code == 303 and r.headers["Location"] == want, nxt


def test_disabled_and_deleted_users_cannot_sign_in(make_user, dbc):
    a, pa = make_user("manager")
    b, pb = make_user("manager")
    with dbc.cursor() as c:
        c.execute("UPDATE system_user SET status = 'disabled' WHERE username = %s", (a,))
        c.execute("UPDATE system_user SET deleted_at = now() WHERE username = %s", (b,))
    assert login(new_session(), a, pa).status_code == 401
    assert login(new_session(), b, pb).status_code == 401


def test_logout_revokes_every_token(make_user):
    name, pw = make_user("coach")
    s1, s2 = new_session(), new_session()
    assert login(s1, name, pw).status_code == 303
    assert login(s2, name, pw).status_code == 303
    old = s1.cookies.get("camp_session")
    page = s1.get(HTTP + "/admin/", timeout=10)
    r = s1.post(HTTP + "/admin/logout", data={"_csrf": csrf_of(page.text)},
                allow_redirects=False, timeout=10)
    assert r.status_code == 303 and r.headers["Location"] == "/admin/login"
    # the other browser's token and the old cookie of this one are both dead
    assert s2.get(HTTP + "/admin/", allow_redirects=False, timeout=10).status_code == 303
    s3 = new_session()
    s3.cookies.set("camp_session", old)
    r = s3.get(HTTP + "/admin/", allow_redirects=False, timeout=10)
    assert r.status_code == 303 and r.headers["Location"] == "/admin/login"


def test_logout_needs_csrf(make_user):
    name, pw = make_user("coach")
    s = new_session()
    assert login(s, name, pw).status_code == 303
    r = s.post(HTTP + "/admin/logout", data={"_csrf": "0" * 64}, allow_redirects=False,
               timeout=10)
    assert r.status_code == 403
    assert s.get(HTTP + "/admin/", allow_redirects=False, timeout=10).status_code == 200


def test_login_without_or_with_wrong_csrf_or_foreign_origin(make_user, dbc):
    name, pw = make_user("manager")
    s = new_session()
    tok = csrf_of(s.get(HTTP + "/admin/login", timeout=10).text)
    cases = [({}, {}), ({"_csrf": "f" * 64}, {}),
             ({"_csrf": tok}, {"Origin": "https://evil.example"})]
    for extra, headers in cases:
        r = s.post(HTTP + "/admin/login", data={"username": name, "password": pw, **extra},
                   headers=headers, allow_redirects=False, timeout=10)
        assert r.status_code == 403
    with dbc.cursor() as c:
        c.execute("SELECT count(*) FROM login_attempt WHERE username = %s", (name.lower(),))
        assert c.fetchone()[0] == 0


def test_user_throttle_locks_even_the_right_password(make_user):
    name, pw = make_user("manager")
    s = new_session()
    for _ in range(5):
        assert login(s, name, "wrong-password").status_code == 401
    r = login(s, name, pw)
    assert r.status_code == 429
    assert "登录失败次数过多，请 15 分钟后再试" in r.text
    assert "camp_session" not in s.cookies


def test_user_throttle_ends_after_15_minutes(make_user, dbc):
    name, pw = make_user("manager")
    s = new_session()
    for _ in range(5):
        login(s, name, "wrong-password")
    assert login(s, name, pw).status_code == 429
    with dbc.cursor() as c:   # age this user's attempts instead of waiting
        c.execute("UPDATE login_attempt SET created_at = created_at - interval '16 minutes'"
                  " WHERE username = %s", (name.lower(),))
    assert login(s, name, pw).status_code == 303


def test_ip_throttle_with_distinct_usernames(make_user, dbc):
    name, pw = make_user("manager")
    s = new_session()
    try:
        with dbc.cursor() as c:
            c.execute("DELETE FROM login_attempt WHERE ip = '127.0.0.1' AND NOT success")
        for i in range(20):
            assert login(s, f"ghost_{i}_{secrets.token_hex(3)}", "nope-nope").status_code == 401
        r = login(s, name, pw)
        assert r.status_code == 429 and "15 分钟" in r.text
    finally:
        with dbc.cursor() as c:
            c.execute("DELETE FROM login_attempt WHERE ip = '127.0.0.1' AND NOT success")
    assert login(s, name, pw).status_code == 303


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def forge(header, claims, key):
    h = b64url(json.dumps(header).encode())
    c = b64url(json.dumps(claims).encode())
    sig = hmac.new(key, f"{h}.{c}".encode(), hashlib.sha256).digest() if key else b""
    return f"{h}.{c}.{b64url(sig)}"


def jwt_parts(token):
    h, c, s = token.split(".")
    pad = lambda x: x + "=" * (-len(x) % 4)
    return (json.loads(base64.urlsafe_b64decode(pad(h))),
            json.loads(base64.urlsafe_b64decode(pad(c))))


def refused(token):
    s = new_session()
    s.cookies.set("camp_session", token)
    r = s.get(HTTP + "/admin/", allow_redirects=False, timeout=10)
    return r.status_code == 303 and r.headers["Location"] == "/admin/login"


def test_forged_tokens_refused(make_user):
    name, pw = make_user("admin")
    s = new_session()
    assert login(s, name, pw).status_code == 303
    good = s.cookies.get("camp_session")
    assert not refused(good)
    header, claims = jwt_parts(good)
    h, c, sig = good.split(".")
    # tampered claims (another uid) with the original signature
    other = dict(claims, uid=claims["uid"] + 1)
    assert refused(f"{h}.{b64url(json.dumps(other).encode())}.{sig}")
    # alg=none, no signature
    assert refused(forge({"alg": "none", "typ": "JWT"}, claims, None))
    # a key that is not ours
    assert refused(forge(header, claims, b"k" * 32))
    # garbage
    assert refused("not.a.jwt")


def test_expired_token_refused(make_user, dbc):
    name, pw = make_user("admin")
    s = new_session()
    assert login(s, name, pw).status_code == 303
    with dbc.cursor() as c:   # move the instance's clock 9 hours ahead
        c.execute("INSERT INTO system_config (config_key, config_value)"
                  " VALUES ('test.now', to_char((now() + interval '9 hours') AT TIME ZONE 'UTC',"
                  " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))"
                  " ON CONFLICT (config_key) DO UPDATE SET config_value = EXCLUDED.config_value")
    try:
        r = s.get(HTTP + "/admin/", allow_redirects=False, timeout=10)
        assert r.status_code == 303 and r.headers["Location"] == "/admin/login"
    finally:
        with dbc.cursor() as c:
            c.execute("DELETE FROM system_config WHERE config_key = 'test.now'")
    assert s.get(HTTP + "/admin/", allow_redirects=False, timeout=10).status_code == 200


def test_same_origin_post_is_accepted_over_http_and_https():
    """A browser always sends Origin on a POST: our own origin must pass the check."""
    from conftest import HTTPS, CA
    for base in (HTTP, HTTPS):
        s = new_session()
        page = s.get(base + "/admin/login", timeout=10, verify=CA)
        r = s.post(base + "/admin/login", data={"_csrf": csrf_of(page.text), "username": "nobody_here",
                                                "password": "wrong-password"},
                   headers={"Origin": base}, allow_redirects=False, timeout=10, verify=CA)
        assert r.status_code != 403, (base, r.status_code)
        assert "用户名或密码错误" in r.text
        # the same site on another port, or the other scheme, is another origin
        other = base.replace("https://", "http://") if base.startswith("https") else base.replace("http://", "https://")
        r = s.post(base + "/admin/login", data={"_csrf": csrf_of(page.text), "username": "x", "password": "y"},
                   headers={"Origin": other}, allow_redirects=False, timeout=10, verify=CA)
        assert r.status_code == 403
