"""test_admin_matrix.py: the PRD §2.2 permission matrix, every admin route × every role."""
import re

import pytest

from conftest import HTTP, ROOT, login, new_session, csrf_of, add_user

STAFF = {"admin", "manager", "coach", "volunteer"}
ROLES = ["admin", "manager", "coach", "volunteer"]
NOBODY = 999999999

# (method, route pattern) → roles allowed (PRD §2.2; 系统配置/用户管理 = admin only).
# Every admin route of src/web/routes.c must be listed here (see the last test).
MATRIX = {
    ("GET", "/admin/"): STAFF,
    ("POST", "/admin/logout"): STAFF,
    ("GET", "/admin/users"): {"admin"},
    ("GET", "/admin/users/new"): {"admin"},
    ("POST", "/admin/users/new"): {"admin"},
    ("GET", "/admin/users/{id}/edit"): {"admin"},
    ("POST", "/admin/users/{id}/edit"): {"admin"},
    ("POST", "/admin/users/{id}/delete"): {"admin"},
    ("POST", "/admin/users/{id}/reset-password"): {"admin"},
    ("GET", "/admin/settings"): {"admin"},
    ("POST", "/admin/settings"): {"admin"},
    ("POST", "/admin/settings/test"): {"admin"},
    ("GET", "/admin/logs"): {"admin"},
    # 训练营管理: admin and manager (PRD §2.2)
    ("GET", "/admin/camps"): {"admin", "manager"},
    ("GET", "/admin/camps/new"): {"admin", "manager"},
    ("POST", "/admin/camps/new"): {"admin", "manager"},
    ("GET", "/admin/camps/{id}"): {"admin", "manager"},
    ("GET", "/admin/camps/{id}/edit"): {"admin", "manager"},
    ("POST", "/admin/camps/{id}/edit"): {"admin", "manager"},
    ("POST", "/admin/camps/{id}/delete"): {"admin", "manager"},
    ("GET", "/admin/camps/{id}/qrcode.png"): {"admin", "manager"},
    # 取消训练营 moves money (refund proposals, closed orders): admin only (issue #14)
    ("POST", "/admin/camps/{id}/cancel"): {"admin"},
    # progress of queued jobs: any staff (the page limits coaches to their own)
    ("GET", "/admin/jobs/{id}"): STAFF,
    # 支付异常: money pages for admin and manager
    ("GET", "/admin/payments/exceptions"): {"admin", "manager"},
    ("POST", "/admin/payments/exceptions/{id}/refund"): {"admin", "manager"},
    ("POST", "/admin/payments/exceptions/{id}/resolve"): {"admin", "manager"},
    # 退款审核 (issue #10): admin, manager, coach (coaches: own camps, in SQL)
    ("GET", "/admin/refunds/pending"): {"admin", "manager", "coach"},
    ("POST", "/admin/refunds/approve"): {"admin", "manager", "coach"},
    ("POST", "/admin/refunds/reject"): {"admin", "manager", "coach"},
    ("GET", "/admin/refunds"): {"admin", "manager", "coach"},
    ("POST", "/admin/refunds/{id}/retry"): {"admin", "manager", "coach"},
    ("POST", "/admin/camps/{id}/refund-list"): {"admin", "manager"},
    # --- issue #9: check-in sync, members, check-ins ---
    ("POST", "/admin/camps/{id}/sync"): {"admin", "manager"},
    ("GET", "/admin/members"): STAFF,
    ("GET", "/admin/checkins"): STAFF,
    ("GET", "/admin/members/{id}"): STAFF,
    # manual binding and 标记进群: admin and manager only (issue #14: a bind makes a
    # member refundable, coaches and volunteers only *view* members, PRD §2.2)
    ("POST", "/admin/members/{id}/bind"): {"admin", "manager"},
    ("POST", "/admin/members/{id}/joined"): {"admin", "manager"},
    # --- issue #14 (books): 对账, money pages for admin and manager ---
    ("GET", "/admin/books"): {"admin", "manager"},
    # --- issue #15: 统计报表 (coaches: own camps, in SQL); the refund list by hand ---
    ("GET", "/admin/reports"): {"admin", "manager", "coach"},
    ("POST", "/admin/refunds/propose"): {"admin", "manager"},
    ("POST", "/admin/refunds/{id}/reopen"): {"admin", "manager"},
    ("POST", "/admin/members/{id}/close-binding"): {"admin", "manager"},
}
PUBLIC = {("GET", "/admin/login"), ("POST", "/admin/login")}

# harmless bodies: an allowed role gets a validation answer, nothing is written
PROBE = {
    "/admin/users/new": {"username": "", "password": ""},
    "/admin/settings": {"group": "no-such-group"},
}


@pytest.fixture(scope="module")
def sessions():
    out = {}
    for role in ROLES:
        name, pw = add_user(role)
        s = new_session()
        assert login(s, name, pw).status_code == 303
        s.creds = (name, pw)
        out[role] = s
    yield out
    for s in out.values():
        s.close()


def request(s, method, pattern):
    path = pattern.replace("{id}", str(NOBODY))
    if method == "GET":
        return s.get(HTTP + path, allow_redirects=False, timeout=10)
    tok = csrf_of(s.get(HTTP + "/admin/login", timeout=10).text)
    data = dict(PROBE.get(pattern, {}), _csrf=tok)
    return s.post(HTTP + path, data=data, allow_redirects=False, timeout=10)


CELLS = [(m, p, role) for (m, p) in MATRIX for role in ROLES]


@pytest.mark.parametrize("method,pattern,role", CELLS,
                         ids=[f"{m} {p} {r}" for m, p, r in CELLS])
def test_matrix_cell(sessions, method, pattern, role):
    s = sessions[role]
    if pattern == "/admin/logout":   # signing out revokes every session of the user
        s = new_session()
        assert login(s, *add_user(role)).status_code == 303
    r = request(s, method, pattern)
    if role in MATRIX[(method, pattern)]:
        assert r.status_code not in (401, 403), (r.status_code, r.text[:300])
        assert not (r.status_code == 303 and r.headers["Location"] == "/admin/login"
                    and pattern != "/admin/logout")
        assert r.status_code < 500
    else:
        assert r.status_code == 403, r.status_code
        assert "您的角色无权访问此页面" in r.text


@pytest.mark.parametrize("method,pattern", list(MATRIX), ids=[f"{m} {p}" for m, p in MATRIX])
def test_matrix_anonymous(method, pattern):
    s = new_session()
    r = request(s, method, pattern)
    if method == "GET":
        assert r.status_code == 303 and r.headers["Location"] == "/admin/login"
    else:
        assert r.status_code in (401, 403)


def test_login_page_is_public():
    assert new_session().get(HTTP + "/admin/login", timeout=10).status_code == 200


def test_menu_shows_only_what_the_role_may_open(sessions):
    menu = {"/admin/users": {"admin"}, "/admin/settings": {"admin"}, "/admin/logs": {"admin"}}
    for role, s in sessions.items():
        html = s.get(HTTP + "/admin/", timeout=10).text
        for href, allowed in menu.items():
            assert (f'href="{href}"' in html) == (role in allowed), (role, href)


def test_every_admin_route_is_in_the_matrix():
    """Deny by default: a new admin route must be given its cells above."""
    src = (ROOT / "src/web/routes.c").read_text()
    found = set()
    for methods, pattern in re.findall(r'\{\s*([M_A-Z |]+),\s*"(/admin[^"]*)"', src):
        for m in ("GET", "POST"):
            if f"M_{m}" in methods:
                found.add((m, pattern))
    missing = found - set(MATRIX) - PUBLIC
    assert not missing, f"add these routes to MATRIX in {__file__}: {sorted(missing)}"
