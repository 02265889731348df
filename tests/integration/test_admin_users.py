"""test_admin_users.py: 用户管理 — create, edit, delete, reset password, validation, protections."""
import re
import secrets

import pytest

from conftest import HTTP, login, new_session, csrf_of, add_user


def token(s, path="/admin/users"):
    return csrf_of(s.get(HTTP + path, timeout=10).text)


def user_row(dbc, name):
    with dbc.cursor() as c:
        c.execute("SELECT id, role, status, wecom_userid, real_name, deleted_at IS NOT NULL,"
                  " session_epoch FROM system_user WHERE username = %s ORDER BY id DESC LIMIT 1",
                  (name,))
        return c.fetchone()


def count_users(dbc):
    with dbc.cursor() as c:
        c.execute("SELECT count(*) FROM system_user")
        return c.fetchone()[0]


def oplog(dbc, type_, target_id):
    with dbc.cursor() as c:
        c.execute("SELECT operator_name, ip_address, user_agent, success FROM operation_log"
                  " WHERE operation_type = %s AND target_id = %s", (type_, target_id))
        return c.fetchall()


def test_list_shows_columns(as_role):
    s = as_role("admin")
    r = s.get(HTTP + "/admin/users", timeout=10)
    assert r.status_code == 200
    for col in ("用户名", "角色", "创建时间", "最后登录时间", "状态", "操作"):
        assert col in r.text
    assert s.username in r.text and "/static/js/confirm.js" in r.text


def test_create_user_then_sign_in(as_role, dbc):
    s = as_role("admin")
    name = "new_" + secrets.token_hex(4)
    r = s.post(HTTP + "/admin/users/new", data={
        "_csrf": token(s), "username": name, "password": "a-long-password",
        "role": "coach", "status": "active", "wecom_userid": "Zhang.San@x",
        "real_name": "张三"}, allow_redirects=False, timeout=10)
    assert r.status_code == 303 and r.headers["Location"] == "/admin/users"
    uid, role, status, wecom, real, deleted, _ = user_row(dbc, name)
    assert (role, status, wecom, real, deleted) == ("coach", "active", "Zhang.San@x", "张三", False)
    assert oplog(dbc, "CREATE_USER", uid)[0][0] == s.username
    with dbc.cursor() as c:
        c.execute("SELECT password FROM system_user WHERE id = %s", (uid,))
        assert c.fetchone()[0].startswith("$y$")
    assert login(new_session(), name, "a-long-password").status_code == 303


GOOD = {"username": "ok_user", "password": "a-long-password", "role": "manager",
        "status": "active", "wecom_userid": "", "real_name": ""}

BAD = [
    ({"username": ""}, "请填写用户名"),
    ({"username": "ab"}, "用户名须为 3–50 位"),
    ({"username": "x" * 51}, "用户名须为 3–50 位"),
    ({"username": "bad name"}, "用户名须为 3–50 位"),
    ({"username": "名字abc"}, "用户名须为 3–50 位"),
    ({"username": "ADMIN"}, "该用户名已被使用"),
    ({"password": ""}, "请填写密码"),
    ({"password": "short-pw"}, "密码至少 10 位"),
    ({"role": "root"}, "请选择角色"),
    ({"role": ""}, "请选择角色"),
    ({"status": "gone"}, "请选择状态"),
    ({"wecom_userid": "has space"}, "企业微信 UserID 最多 64 位"),
    ({"wecom_userid": "w" * 65}, "企业微信 UserID 最多 64 位"),
    ({"real_name": "名" * 51}, "姓名最多 50 个字"),
]


@pytest.mark.parametrize("change,message", BAD, ids=[m for _, m in BAD])
def test_create_refuses_bad_field(as_role, dbc, change, message):
    s = as_role("admin")
    data = dict(GOOD, username="ok_" + secrets.token_hex(4), **{"_csrf": token(s)})
    data.update(change)
    before = count_users(dbc)
    r = s.post(HTTP + "/admin/users/new", data=data, allow_redirects=False, timeout=10)
    assert r.status_code == 422
    feedback = re.findall(r'<div class="invalid-feedback d-block">([^<]*)</div>', r.text)
    assert any(message in f for f in feedback), feedback
    assert count_users(dbc) == before
    if change.get("username") not in (None, "", "ADMIN") and "username" in change:
        assert f'value="{change["username"]}"' in r.text or "&" in r.text  # refilled


def test_several_errors_get_a_summary_and_refill(as_role, dbc):
    s = as_role("admin")
    before = count_users(dbc)
    r = s.post(HTTP + "/admin/users/new", data={
        "_csrf": token(s), "username": "a b", "password": "x", "role": "coach",
        "status": "active", "wecom_userid": "keep.me", "real_name": "李四"}, timeout=10)
    assert r.status_code == 422
    assert "请修改以下 2 处后再保存" in r.text
    assert 'value="keep.me"' in r.text and 'value="李四"' in r.text
    assert re.search(r'<option value="coach" selected>', r.text)
    assert count_users(dbc) == before


def test_edit_role_status_wecom(as_role, make_user, dbc):
    s = as_role("admin")
    name, pw = make_user("volunteer")
    uid = user_row(dbc, name)[0]
    r = s.post(HTTP + f"/admin/users/{uid}/edit", data={
        "_csrf": token(s), "role": "coach", "status": "active", "wecom_userid": "wx-1",
        "real_name": "王五"}, allow_redirects=False, timeout=10)
    assert r.status_code == 303
    assert user_row(dbc, name)[1:5] == ("coach", "active", "wx-1", "王五")
    assert len(oplog(dbc, "UPDATE_USER", uid)) == 1


def test_edit_form_shows_current_values(as_role, make_user, dbc):
    s = as_role("admin")
    name, _ = make_user("coach")
    uid = user_row(dbc, name)[0]
    r = s.get(HTTP + f"/admin/users/{uid}/edit", timeout=10)
    assert r.status_code == 200 and name in r.text
    assert re.search(r'<option value="coach" selected>', r.text)
    assert s.get(HTTP + "/admin/users/999999999/edit", timeout=10).status_code == 404


def victim_session(role="manager"):
    name, pw = add_user(role)
    v = new_session()
    assert login(v, name, pw).status_code == 303
    return name, pw, v


def dead(v):
    r = v.get(HTTP + "/admin/", allow_redirects=False, timeout=10)
    return r.status_code == 303 and r.headers["Location"] == "/admin/login"


def test_disable_revokes_and_blocks_login(as_role, dbc):
    s = as_role("admin")
    name, pw, v = victim_session()
    uid = user_row(dbc, name)[0]
    r = s.post(HTTP + f"/admin/users/{uid}/edit", data={
        "_csrf": token(s), "role": "manager", "status": "disabled", "wecom_userid": "",
        "real_name": ""}, allow_redirects=False, timeout=10)
    assert r.status_code == 303
    assert dead(v)
    assert login(new_session(), name, pw).status_code == 401


def test_delete_revokes_soft_deletes_and_frees_the_name(as_role, dbc):
    s = as_role("admin")
    name, pw, v = victim_session()
    uid = user_row(dbc, name)[0]
    r = s.post(HTTP + f"/admin/users/{uid}/delete", data={"_csrf": token(s)},
               allow_redirects=False, timeout=10)
    assert r.status_code == 303
    assert user_row(dbc, name)[5] is True
    assert dead(v)
    assert login(new_session(), name, pw).status_code == 401
    assert s.get(HTTP + f"/admin/users/{uid}/edit", timeout=10).status_code == 404
    assert len(oplog(dbc, "DELETE_USER", uid)) == 1
    add_user("coach", name=name)   # a deleted user's name can be reused


def test_reset_password_shows_it_once_and_revokes(as_role, dbc):
    s = as_role("admin")
    name, pw, v = victim_session("coach")
    uid = user_row(dbc, name)[0]
    r = s.post(HTTP + f"/admin/users/{uid}/reset-password", data={"_csrf": token(s)},
               timeout=10)
    assert r.status_code == 200
    new_pw = re.search(r'id="new-password">([^<]+)<', r.text).group(1)
    assert len(new_pw) >= 16
    assert dead(v)
    assert login(new_session(), name, pw).status_code == 401
    assert login(new_session(), name, new_pw).status_code == 303
    with dbc.cursor() as c:
        c.execute("SELECT password FROM system_user WHERE id = %s", (uid,))
        assert new_pw not in c.fetchone()[0]
        c.execute("SELECT count(*) FROM operation_log WHERE operation_desc LIKE %s",
                  ("%" + new_pw + "%",))
        assert c.fetchone()[0] == 0
    assert len(oplog(dbc, "RESET_PASSWORD", uid)) == 1


def test_self_protections(as_role, dbc):
    s = as_role("admin")
    uid = user_row(dbc, s.username)[0]
    for data, msg in [({"role": "admin", "status": "disabled"}, "不能禁用自己的账号"),
                      ({"role": "manager", "status": "active"}, "不能修改自己的角色")]:
        r = s.post(HTTP + f"/admin/users/{uid}/edit", data={
            "_csrf": token(s), "wecom_userid": "", "real_name": "", **data}, timeout=10)
        assert r.status_code == 422 and msg in r.text
    r = s.post(HTTP + f"/admin/users/{uid}/delete", data={"_csrf": token(s)}, timeout=10)
    assert r.status_code == 409 and "不能删除自己的账号" in r.text
    assert user_row(dbc, s.username)[1:3] == ("admin", "active")
    assert user_row(dbc, s.username)[5] is False


def test_last_active_admin_stays(as_role, dbc):
    """With every other admin disabled, the one left can neither disable,
    demote nor delete itself, so an active admin always remains."""
    s = as_role("admin")
    uid = user_row(dbc, s.username)[0]
    with dbc.cursor() as c:
        c.execute("SELECT id FROM system_user WHERE role = 'admin' AND status = 'active'"
                  " AND deleted_at IS NULL AND id <> %s", (uid,))
        others = [r[0] for r in c.fetchall()]
        c.execute("UPDATE system_user SET status = 'disabled' WHERE id = ANY(%s)", (others,))
    try:
        s.post(HTTP + f"/admin/users/{uid}/edit", data={
            "_csrf": token(s), "role": "admin", "status": "disabled", "wecom_userid": "",
            "real_name": ""}, timeout=10)
        s.post(HTTP + f"/admin/users/{uid}/delete", data={"_csrf": token(s)}, timeout=10)
        with dbc.cursor() as c:
            c.execute("SELECT count(*) FROM system_user WHERE role = 'admin'"
                      " AND status = 'active' AND deleted_at IS NULL")
            assert c.fetchone()[0] == 1
    finally:
        with dbc.cursor() as c:
            c.execute("UPDATE system_user SET status = 'active' WHERE id = ANY(%s)", (others,))


def test_admin_may_disable_another_admin(as_role, make_user, dbc):
    s = as_role("admin")
    name, _ = make_user("admin")
    uid = user_row(dbc, name)[0]
    r = s.post(HTTP + f"/admin/users/{uid}/edit", data={
        "_csrf": token(s), "role": "admin", "status": "disabled", "wecom_userid": "",
        "real_name": ""}, allow_redirects=False, timeout=10)
    assert r.status_code == 303 and user_row(dbc, name)[2] == "disabled"


@pytest.mark.parametrize("path", ["/admin/users/new", "/admin/users/{id}/edit",
                                  "/admin/users/{id}/delete", "/admin/users/{id}/reset-password"])
def test_user_posts_need_csrf(as_role, make_user, dbc, path):
    s = as_role("admin")
    name, pw = make_user("coach")
    uid, *_, epoch = user_row(dbc, name)
    before = count_users(dbc)
    data = {"username": "csrf_" + secrets.token_hex(3), "password": "a-long-password",
            "role": "manager", "status": "disabled", "wecom_userid": "", "real_name": ""}
    for extra, headers in [({}, {}), ({"_csrf": "0" * 64}, {}),
                           ({"_csrf": token(s)}, {"Origin": "https://evil.example"})]:
        r = s.post(HTTP + path.format(id=uid), data={**data, **extra}, headers=headers,
                   allow_redirects=False, timeout=10)
        assert r.status_code == 403
    assert count_users(dbc) == before
    assert user_row(dbc, name)[1:3] == ("coach", "active")
    assert user_row(dbc, name)[5] is False and user_row(dbc, name)[6] == epoch
