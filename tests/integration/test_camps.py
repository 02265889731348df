"""test_camps.py: 训练营管理 — the form's rules, locks after start, delete, QR, escaping."""
import hashlib
import re
import struct
import subprocess
import tempfile
import time
import uuid
import zlib

import psycopg2
import pytest
import requests

from conftest import ENV, HTTP, add_user, dsn, login, new_session
from synclib import zsxq_configured  # noqa: F401  (fixture: ZSXQ settings of camp-sim)


# ---- helpers ---------------------------------------------------------------

def make_user(role):
    """A fresh user (campctl) → (id, username, password)."""
    name, pw = add_user(role)
    conn = psycopg2.connect(dsn())
    cur = conn.cursor()
    cur.execute("SELECT id FROM system_user WHERE username = %s", (name,))
    uid = cur.fetchone()[0]
    conn.close()
    return uid, name, pw


def staff_session(role="admin"):
    """Signed in through the real login form."""
    _, name, pw = make_user(role)
    s = new_session()
    assert login(s, name, pw).status_code == 303
    return s


def csrf_of(s, path):
    r = s.get(HTTP + path, timeout=5)
    m = re.search(r'name="_csrf" value="([0-9a-f]{64})"', r.text)
    assert m, (r.status_code, path)
    return m.group(1)


def png(w=32, h=18, seed=0):
    """A real, small PNG image (distinct per seed)."""
    rows = b"".join(b"\x00" + bytes(((x + y + seed) % 256 for x in range(w * 3))) for y in range(h))

    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def today():
    return time.strftime("%Y-%m-%d", time.gmtime(time.time() + 8 * 3600))


def day(offset):
    return time.strftime("%Y-%m-%d", time.gmtime(time.time() + 8 * 3600 + offset * 86400))


@pytest.fixture(scope="module")
def admin():
    return staff_session("admin")


@pytest.fixture(scope="module")
def coach_id():
    return make_user("coach")[0]


def valid_form(coach_id, **over):
    f = {"name": "21天早起训练营", "deposit": "99.00", "start_date": day(3), "end_date": day(23),
         "total_days": "", "required_days": "15", "description": "每天早起打卡\n第二行",
         "coach_ids": str(coach_id), "planet_project_id": "", "wechat_pay_code_id": "",
         "capacity": "", "robot_webhook_key": ""}
    f.update(over)
    return f


def post_camp(s, form, files=None, path="/admin/camps/new"):
    data = dict(form)
    data["_csrf"] = csrf_of(s, "/admin/camps/new")
    if files is None:
        files = {"poster": ("p.png", png(seed=1), "image/png"),
                 "group_qrcode": ("q.png", png(seed=2), "image/png")}
    return s.post(HTTP + path, data=data, files=files, allow_redirects=False, timeout=10)


def camp_count(name):
    conn = psycopg2.connect(dsn())
    cur = conn.cursor()
    cur.execute("SELECT count(*) FROM training_camp WHERE name = %s", (name,))
    n = cur.fetchone()[0]
    conn.close()
    return n


# ---- tests -----------------------------------------------------------------

def test_create_camp_with_both_images(admin, coach_id):
    name = "创建测试 " + uuid.uuid4().hex[:6]
    r = post_camp(admin, valid_form(coach_id, name=name))
    assert r.status_code == 303, r.text[:500]
    loc = r.headers["Location"]
    cid = int(loc.rsplit("/", 1)[1])
    conn = psycopg2.connect(dsn())
    cur = conn.cursor()
    cur.execute("SELECT deposit::text, total_days, required_days, status, poster_sha256,"
                " group_qrcode_sha256, description FROM training_camp WHERE id = %s", (cid,))
    dep, x, y, status, poster, qr, desc = cur.fetchone()
    assert (dep, x, y, status) == ("99.00", 21, 15, "not_started")   # X defaults to the span
    assert poster == hashlib.sha256(png(seed=1)).hexdigest()
    assert desc == "每天早起打卡\n第二行"
    cur.execute("SELECT role_type FROM camp_member_relation WHERE camp_id = %s", (cid,))
    assert [r[0] for r in cur.fetchall()] == ["coach"]
    cur.execute("SELECT event FROM camp_status_log WHERE camp_id = %s", (cid,))
    assert [r[0] for r in cur.fetchall()] == ["CREATE"]
    cur.execute("SELECT operation_type, ip_address IS NOT NULL FROM operation_log"
                " WHERE target_type = 'camp' AND target_id = %s", (cid,))
    assert cur.fetchall() == [("CREATE_CAMP", True)]
    conn.close()
    page = admin.get(HTTP + loc, timeout=5)
    assert page.status_code == 200 and name in page.text and "已创建" in page.text
    assert "/admin/camps/%d/qrcode.png" % cid in page.text
    lst = admin.get(HTTP + "/admin/camps?q=" + name, timeout=5)
    assert name in lst.text and "总天数21天，要求15天" in lst.text
    h5 = requests.get(HTTP + "/h5/", timeout=5)
    assert name in h5.text
    img = requests.get(HTTP + "/media/" + poster, timeout=5)
    assert img.status_code == 200 and img.headers["Content-Type"] == "image/png"
    assert "immutable" in img.headers["Cache-Control"]


BAD = [
    ({"name": ""}, "name", "请填写训练营名称"),
    ({"name": "长" * 51}, "name", "最多 50 个字"),
    ({"deposit": "0"}, "deposit", "押金金额必须大于 0"),
    ({"deposit": "9.999"}, "deposit", "最多两位小数"),
    ({"deposit": "-1"}, "deposit", "最多两位小数"),
    ({"deposit": "abc"}, "deposit", "最多两位小数"),
    ({"start_date": day(-1)}, "start_date", "不能早于今天"),
    ({"start_date": "2026-02-30"}, "start_date", "请选择开始日期"),
    ({"end_date": day(3)}, "end_date", "必须晚于开始日期"),
    ({"end_date": day(1)}, "end_date", "必须晚于开始日期"),
    ({"total_days": "22"}, "total_days", "不能超过开始到结束的天数"),
    ({"total_days": "0"}, "total_days", "总天数应为正整数"),
    ({"required_days": "0"}, "required_days", "大于 0 的整数"),
    ({"required_days": "22"}, "required_days", "不能超过总天数"),
    ({"total_days": "10", "required_days": "11"}, "required_days", "不能超过总天数"),
    ({"description": "字" * 501}, "description", "最多 500 字"),
    ({"coach_ids": ""}, "coach_ids", "请至少选择一名教练"),
    ({"coach_ids": "999999"}, "coach_ids", "所选教练无效"),
    ({"volunteer_ids": "abc"}, "volunteer_ids", "所选志愿者无效"),
    ({"planet_project_id": "12a"}, "planet_project_id", "应为数字"),
    ({"capacity": "-5"}, "capacity", "人数上限"),
    ({"robot_webhook_key": "bad key!"}, "robot_webhook_key", "Webhook Key"),
    ({"start_date": today(), "end_date": day(10)}, "planet_project_id", "开始前必须填写"),
]


@pytest.mark.parametrize("over,field,message", BAD)
def test_each_rule_refused_with_its_message(admin, coach_id, over, field, message):
    name = "校验 " + uuid.uuid4().hex[:8]
    form = valid_form(coach_id, **{"name": name, **over})
    r = post_camp(admin, form)
    assert r.status_code == 422
    assert message in r.text
    assert camp_count(form["name"]) == 0
    # the form is refilled with what was typed
    if form["description"]:
        assert "每天早起打卡" in r.text or field == "description"


def test_missing_images_refused(admin, coach_id):
    name = "无图 " + uuid.uuid4().hex[:8]
    r = post_camp(admin, valid_form(coach_id, name=name), files={})
    assert r.status_code == 422
    assert "请上传项目海报" in r.text and "请上传群二维码" in r.text
    assert camp_count(name) == 0


def test_fake_image_type_refused(admin, coach_id):
    name = "假图 " + uuid.uuid4().hex[:8]
    files = {"poster": ("evil.png", b"<script>alert(1)</script>", "image/png"),
             "group_qrcode": ("q.png", png(seed=3), "image/png")}
    r = post_camp(admin, valid_form(coach_id, name=name), files=files)
    assert r.status_code == 422
    assert "只支持 jpg 或 png 图片" in r.text
    assert camp_count(name) == 0
    # the good image was kept by its hash, so it need not be uploaded again
    sha = hashlib.sha256(png(seed=3)).hexdigest()
    assert 'name="group_qrcode_sha256" value="%s"' % sha in r.text


def test_image_over_2mb_refused(admin, coach_id):
    name = "大图 " + uuid.uuid4().hex[:8]
    big = png(seed=4)[:33] + b"\x00" * (2 * 1024 * 1024)   # valid header, too large
    files = {"poster": ("big.png", big, "image/png"),
             "group_qrcode": ("q.png", png(seed=5), "image/png")}
    r = post_camp(admin, valid_form(coach_id, name=name), files=files)
    assert r.status_code == 422
    assert "图片不能超过 2MB" in r.text
    assert camp_count(name) == 0


def test_kept_image_hash_reused(admin, coach_id):
    name = "复用 " + uuid.uuid4().hex[:8]
    r = post_camp(admin, valid_form(coach_id, name=name, required_days="0"))
    assert r.status_code == 422
    p_sha = re.search(r'name="poster_sha256" value="([0-9a-f]{64})"', r.text).group(1)
    q_sha = re.search(r'name="group_qrcode_sha256" value="([0-9a-f]{64})"', r.text).group(1)
    form = valid_form(coach_id, name=name, poster_sha256=p_sha, group_qrcode_sha256=q_sha)
    r2 = post_camp(admin, form, files={})
    assert r2.status_code == 303
    assert camp_count(name) == 1


def test_markup_is_escaped_everywhere(admin, coach_id):
    evil = '<b>x</b><script>alert(1)</script>"\''
    name = "E" + uuid.uuid4().hex[:6] + evil
    r = post_camp(admin, valid_form(coach_id, name=name[:50], description=evil))
    assert r.status_code == 303
    loc = r.headers["Location"]
    for page in (admin.get(HTTP + loc, timeout=5).text,
                 admin.get(HTTP + "/admin/camps", timeout=5).text,
                 admin.get(HTTP + loc + "/edit", timeout=5).text,
                 requests.get(HTTP + "/h5/", timeout=5).text):
        assert "<script>alert(1)</script>" not in page
        assert "<b>x</b>" not in page
    assert "&lt;script&gt;" in admin.get(HTTP + loc, timeout=5).text


def _make(admin, coach_id, **over):
    name = "锁定 " + uuid.uuid4().hex[:8]
    r = post_camp(admin, valid_form(coach_id, name=name, **over))
    assert r.status_code == 303, r.text[:300]
    return int(r.headers["Location"].rsplit("/", 1)[1]), name


def _edit_form(admin, cid):
    page = admin.get(HTTP + f"/admin/camps/{cid}/edit", timeout=5).text
    def val(n):
        m = re.search(r'name="%s" value="([^"]*)"' % n, page)
        return m.group(1) if m else ""
    return {k: val(k) for k in ("name", "deposit", "start_date", "end_date", "total_days",
                                "required_days", "planet_project_id", "wechat_pay_code_id",
                                "capacity", "poster_sha256", "group_qrcode_sha256")}


def test_core_fields_locked_after_start_but_group_qr_replaceable(admin, coach_id, dbc):
    cid, name = _make(admin, coach_id, planet_project_id="123456")
    dbc.cursor().execute("UPDATE training_camp SET status = 'ongoing' WHERE id = %s", (cid,))
    form = _edit_form(admin, cid)
    form["coach_ids"] = str(coach_id)
    form["description"] = ""
    edit = f"/admin/camps/{cid}/edit"
    bad = dict(form, deposit="199.00")
    r = post_camp(admin, bad, files={}, path=edit)
    assert r.status_code == 422 and "训练营已开始，不能修改此项" in r.text
    bad = dict(form, required_days="1")
    assert post_camp(admin, bad, files={}, path=edit).status_code == 422
    cur = dbc.cursor()
    cur.execute("SELECT deposit::text, required_days FROM training_camp WHERE id = %s", (cid,))
    assert cur.fetchone() == ("99.00", 15)
    new_qr = png(seed=77)
    r = post_camp(admin, dict(form, name=name + "改"), files={"group_qrcode": ("n.png", new_qr, "image/png")},
                  path=edit)
    assert r.status_code == 303
    cur.execute("SELECT group_qrcode_sha256, name FROM training_camp WHERE id = %s", (cid,))
    assert cur.fetchone() == (hashlib.sha256(new_qr).hexdigest(), name + "改")
    cur.execute("SELECT operation_desc FROM operation_log WHERE target_type = 'camp'"
                " AND target_id = %s AND operation_type = 'UPDATE_CAMP'", (cid,))
    assert [r[0] for r in cur.fetchall()] == ["修改训练营（更换群二维码）"]


def test_soft_delete_only_before_start(admin, coach_id, dbc):
    cid, _ = _make(admin, coach_id)
    csrf = csrf_of(admin, f"/admin/camps/{cid}")
    r = admin.post(HTTP + f"/admin/camps/{cid}/delete", data={"_csrf": csrf}, allow_redirects=False, timeout=5)
    assert r.status_code == 303
    cur = dbc.cursor()
    cur.execute("SELECT deleted_at IS NOT NULL FROM training_camp WHERE id = %s", (cid,))
    assert cur.fetchone()[0] is True
    assert admin.get(HTTP + f"/admin/camps/{cid}", timeout=5).status_code == 404
    cid2, _ = _make(admin, coach_id, planet_project_id="1")
    cur.execute("UPDATE training_camp SET status = 'ongoing' WHERE id = %s", (cid2,))
    r = admin.post(HTTP + f"/admin/camps/{cid2}/delete", data={"_csrf": csrf}, allow_redirects=False, timeout=5)
    assert r.status_code == 409
    cur.execute("SELECT deleted_at IS NULL FROM training_camp WHERE id = %s", (cid2,))
    assert cur.fetchone()[0] is True


def test_delete_needs_csrf(admin, coach_id, dbc):
    cid, _ = _make(admin, coach_id)
    r = admin.post(HTTP + f"/admin/camps/{cid}/delete", data={}, allow_redirects=False, timeout=5)
    assert r.status_code == 403
    cur = dbc.cursor()
    cur.execute("SELECT deleted_at IS NULL FROM training_camp WHERE id = %s", (cid,))
    assert cur.fetchone()[0] is True


def test_qr_png_decodes_to_the_enroll_link(admin, coach_id):
    cid, _ = _make(admin, coach_id)
    r = admin.get(HTTP + f"/admin/camps/{cid}/qrcode.png", timeout=5)
    assert r.status_code == 200 and r.headers["Content-Type"] == "image/png"
    with tempfile.NamedTemporaryFile(suffix=".png") as f:
        f.write(r.content)
        f.flush()
        out = subprocess.run(["zbarimg", "--raw", "-q", f.name], capture_output=True, text=True)
    assert out.stdout.strip() == ENV["CAMP_BASE_URL"] + f"/h5/camps/{cid}"


def test_camp_pages_refused_to_coach_and_anonymous(coach_id):
    coach = staff_session("coach")
    assert coach.get(HTTP + "/admin/camps", timeout=5).status_code == 403
    assert coach.get(HTTP + "/admin/camps/new", timeout=5).status_code == 403
    anon = requests.get(HTTP + "/admin/camps", allow_redirects=False, timeout=5)
    assert anon.status_code == 303 and anon.headers["Location"] == "/admin/login"


def test_list_filters(admin, coach_id, dbc):
    cid, name = _make(admin, coach_id)
    row = f">{name}</a>"
    r = admin.get(HTTP + "/admin/camps", params={"status": "not_started", "q": name}, timeout=5)
    assert row in r.text
    r = admin.get(HTTP + "/admin/camps", params={"status": "finished", "q": name}, timeout=5)
    assert row not in r.text
    r = admin.get(HTTP + "/admin/camps", params={"from": day(400), "q": name}, timeout=5)
    assert row not in r.text
    r = admin.get(HTTP + "/admin/camps", params={"when": "this_month", "q": name}, timeout=5)
    assert r.status_code == 200


def test_save_and_publish_creates_the_zsxq_project(admin, coach_id, dbc, zsxq_configured):
    """保存并发布知识星球: the camp is saved, a queued job creates the ZSXQ project."""
    name = "发布 " + uuid.uuid4().hex[:6]
    form = valid_form(coach_id, name=name)
    form["publish"] = "1"
    r = post_camp(admin, form)
    assert r.status_code == 303 and r.headers["Location"].startswith("/admin/jobs/")
    cur = dbc.cursor()
    cur.execute("SELECT id, planet_project_id FROM training_camp WHERE name = %s", (name,))
    cid, project = cur.fetchone()
    assert project is None                          # saved first, published by the job
    deadline = time.time() + 20                     # camp-worker picks the queued job
    while time.time() < deadline:
        cur.execute("SELECT planet_project_id FROM training_camp WHERE id = %s", (cid,))
        project = cur.fetchone()[0]
        if project:
            break
        time.sleep(0.3)
    assert project and project.isdigit()
    cur.execute("SELECT event FROM camp_status_log WHERE camp_id = %s ORDER BY id", (cid,))
    assert [r[0] for r in cur.fetchall()] == ["CREATE", "PUBLISH"]
    page = admin.get(HTTP + f"/admin/camps/{cid}/edit", timeout=5).text
    assert "保存并发布知识星球" not in page
