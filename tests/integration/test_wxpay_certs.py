"""test_wxpay_certs.py: WeChat Pay platform certificates (PROTOCOLS §1.7) — job wxpay-certs,
certificate mode and a merchant mid-switch end to end through camp-sim, unknown serials,
compressed answers, the 系统配置 page and the expiry alert (issue #13)."""
import base64
import json
import re
import secrets
import time

import pytest
import requests
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from conftest import HTTP, HTTPS, SIM, admin_password, campctl, login, new_session
from paylib import (enroll, envelope, h5, make_camp, order_no_of, pay_row, post_callback, sim_pay,
                    sql, transaction, wait_state)
from simlib import STATE, new_order, settings
from test_refunds import admin, finished_camp, post, propose, wait_status


def signing(mode):
    r = requests.post(SIM + "/sim/wechatpay/signing", json={"mode": mode}, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def run_certs(check=True):
    r = campctl("job", "run", "wxpay-certs", check=False)
    if check:
        assert r.returncode == 0, r.stderr
    return r


def wait_no_certs_job(timeout=30):
    """Lets a queued wxpay-certs (after a settings change) finish before a test looks."""
    end = time.time() + timeout
    while time.time() < end:
        if sql("SELECT count(*) FROM job_queue WHERE kind = 'wxpay-certs'"
               " AND state IN ('queued', 'running')")[0][0] == 0:
            return
        time.sleep(0.2)
    raise AssertionError("wxpay-certs still queued")


def held():
    return {r[0] for r in sql("SELECT serial_no FROM wxpay_platform_cert")}


def forget_certs():
    sql("DELETE FROM wxpay_platform_cert")
    sql("UPDATE wxpay_cert_refresh SET requested_at = NULL, serial_no = NULL")


def opened(resource):
    key = settings()["wechat.pay_key"].encode()
    return json.loads(AESGCM(key).decrypt(resource["nonce"].encode(), base64.b64decode(resource["ciphertext"]),
                                          resource["associated_data"].encode()))


def callbacks(path, orders, at_least=1, timeout=10):
    """(status, Wechatpay-Serial) of the callbacks camp-sim sent to the app's path for these
    out_trade_no; camp-sim logs one once the app's answer is in, which may be just after the
    app applied it."""
    end = time.time() + timeout
    while True:
        got = []
        for e in requests.get(SIM + "/sim/log", timeout=10).json():
            if e["service"] != "wechatpay" or e["method"] != "POST" or "wechatpay_serial" not in e \
               or not e["path"].startswith("https://") or not e["path"].endswith(path):
                continue
            if opened(e["request"]["resource"]).get("out_trade_no") in orders:
                got.append((e["status"], e["wechatpay_serial"]))
        if len(got) >= at_least or time.time() > end:
            return got
        time.sleep(0.1)


FORGOTTEN = [0]      # the last job_queue id before certificate_only forgot the certificates


@pytest.fixture
def certificate_only():
    """A merchant without the WeChat Pay public key: camp-sim signs with its platform
    certificate; the app has neither the key nor (yet) any certificate."""
    st = settings()
    campctl("config", "set", "wechat.pay_public_key", "")
    campctl("config", "set", "wechat.pay_public_key_id", "")
    serial = signing("certificate")["certificate_serial"]
    wait_no_certs_job()
    FORGOTTEN[0] = sql("SELECT COALESCE(max(id), 0) FROM job_queue")[0][0]
    forget_certs()
    time.sleep(2.2)                  # settings reach every process within 2 s
    yield serial
    signing("public-key")
    campctl("config", "set", "wechat.pay_public_key", "@" + STATE + "/wechatpay_public.pem")
    campctl("config", "set", "wechat.pay_public_key_id", st["wechat.pay_public_key_id"])
    wait_no_certs_job()
    time.sleep(2.2)


@pytest.fixture
def switching():
    """Both at once: the public key configured, certificates downloaded, and camp-sim
    signing each message with either at random."""
    serial = signing("switching")["certificate_serial"]
    run_certs()
    yield serial
    signing("public-key")


def refund_one(planet):
    """A paid member of a finished camp, refunded through the audit page; returns the
    order number once the refund is 已退款 (success)."""
    camp, ms = finished_camp((planet, 15, 100))
    mid, pid, no = ms[0]
    rid = propose(camp)[mid][0]
    assert post(admin(), "/admin/refunds/approve", ids=str(rid)).status_code == 303
    wait_status(rid, "success", timeout=60)
    assert sql("SELECT pay_status FROM payment_record WHERE id = %s", pid)[0][0] == "refunded"
    return no


def test_job_downloads_decrypts_verifies_and_keeps_certificates(certificate_only):
    out = run_certs().stdout
    assert '"fetched":1' in out and '"added":1' in out
    assert held() == {certificate_only}
    pem, eff, exp = sql("SELECT certificate, effective_time, expire_time FROM wxpay_platform_cert")[0]
    assert pem.startswith("-----BEGIN CERTIFICATE-----") and eff < exp
    assert '"added":0' in run_certs().stdout          # kept by serial, once
    assert campctl("job", "run", "wxpay-certs", check=False).returncode == 0


def test_a_wrong_apiv3_key_stores_nothing(certificate_only):
    good = campctl("config", "get", "wechat.pay_key").stdout.strip()
    campctl("config", "set", "wechat.pay_key", "X" * 32)
    try:
        wait_no_certs_job()
        forget_certs()
        r = run_certs(check=False)
        assert r.returncode != 0 and "APIv3" in r.stderr
        assert held() == set()
    finally:
        campctl("config", "set", "wechat.pay_key", good)
        wait_no_certs_job()


def test_payment_and_refund_callbacks_in_certificate_mode(certificate_only):
    run_certs()
    no = refund_one("8" + str(secrets.randbelow(10 ** 14)).zfill(14))
    pays = callbacks("/pay/wechat/notify", {no})
    refunds = callbacks("/pay/wechat/refund-notify", {no})
    assert pays and all(c == (204, certificate_only) for c in pays), pays
    assert refunds and all(c == (204, certificate_only) for c in refunds), refunds
    tid = sql("SELECT wechat_transaction_id FROM payment_record WHERE order_no = %s", no)[0][0]
    answers = [e for e in requests.get(SIM + "/sim/log", timeout=10).json()
               if e["path"] == "/v3/refund/domestic/refunds" and isinstance(e["request"], dict)
               and e["request"].get("transaction_id") == tid]
    assert answers and {e["wechatpay_serial"] for e in answers} == {certificate_only}


def test_payment_and_refund_callbacks_while_switching(switching):
    pub = settings()["wechat.pay_public_key_id"]
    seen, orders = set(), set()
    cid = make_camp()
    for _ in range(30):
        s = h5()
        no = order_no_of(enroll(s, cid, "8" + str(secrets.randbelow(10 ** 14)).zfill(14)))
        orders.add(no)
        sim_pay(no)
        wait_state(s, no)
        seen |= {serial for _, serial in callbacks("/pay/wechat/notify", {no})}
        if seen == {pub, switching}:
            break
    got = callbacks("/pay/wechat/notify", orders, len(orders))
    seen = {serial for _, serial in got}
    assert seen == {pub, switching} and all(st == 204 for st, _ in got), got
    refunded = {refund_one("8" + str(secrets.randbelow(10 ** 14)).zfill(14)) for _ in range(2)}
    got = callbacks("/pay/wechat/refund-notify", refunded, 2)
    assert len(got) >= 2 and all(st == 204 for st, _ in got), got


def pending_order(cid, no, notify):
    """A pending order of ours at camp-sim, made without the app asking WeChat."""
    mid = sql("INSERT INTO camp_member (camp_id, filled_wechat_nickname) VALUES (%s, '证书')"
              " RETURNING id", cid)[0][0]
    sql("INSERT INTO payment_record (order_no, camp_id, member_id, pay_amount, trade_type, time_expire,"
        " created_at) VALUES (%s, %s, %s, 99, 'NATIVE', now() + interval '20 minutes',"
        " now() - interval '10 minutes')", no, cid, mid)
    _, r = new_order(no=no, total=9900, kind="native", notify=notify)
    assert r.status_code == 200, r.text


def test_unknown_serial_in_a_callback_is_refused_then_fetched_by_the_worker(certificate_only):
    mark = FORGOTTEN[0]
    audit_mark = sql("SELECT COALESCE(max(id), 0) FROM payment_audit_log")[0][0]
    no = "CPCB" + secrets.token_hex(8)
    pending_order(make_camp(), no, HTTPS + "/pay/wechat/notify")
    sim_pay(no)
    deadline = time.time() + 60      # WeChat delivers again; by then the worker has it
    while pay_row(no)[0] != "success" and time.time() < deadline:
        time.sleep(0.2)
    assert pay_row(no)[0] == "success" and held() == {certificate_only}
    statuses = [st for st, serial in callbacks("/pay/wechat/notify", {no}, 2)
                if serial == certificate_only]
    assert 401 in statuses and statuses[-1] == 204
    jobs = sql("SELECT args->>'serial' FROM job_queue WHERE kind = 'wxpay-certs'"
               " AND args->>'reason' = 'unknown_serial' AND id > %s", mark)
    assert jobs == [(certificate_only,)]
    # every rejection since the test began (camp-sim may still be delivering earlier tests'
    # refused callbacks again, so the latest few rows need not be this one)
    rejected = sql("SELECT action_detail FROM payment_audit_log WHERE action_type = 'NOTIFY_REJECTED'"
                   " AND id > %s", audit_mark)
    assert any("未知证书序列号" in (r[0] or "") for r in rejected)


def test_enrollment_fetches_a_certificate_its_answer_names(certificate_only):
    """The page already waits on WeChat for the order: the certificate its answer names
    is fetched there and then, and the payment's callback verifies at once."""
    cid = make_camp()
    s = h5()
    no = order_no_of(enroll(s, cid, "8" + str(secrets.randbelow(10 ** 14)).zfill(14)))
    assert held() == {certificate_only}
    sim_pay(no)
    wait_state(s, no)
    assert callbacks("/pay/wechat/notify", {no}) == [(204, certificate_only)]


def test_unknown_serials_ask_for_a_refresh_at_most_once_a_minute():
    forget_certs()
    run_certs()                        # put back what the sim lists
    sql("UPDATE wxpay_cert_refresh SET requested_at = NULL")
    mark = sql("SELECT COALESCE(max(id), 0) FROM job_queue")[0][0]
    env = envelope(transaction("CPUNKNOWN" + secrets.token_hex(4), 9900))
    for _ in range(3):
        r = post_callback(env, serial=secrets.token_hex(20).upper(), signature="A" * 344)
        assert r.status_code == 401
    for serial in ("PUB_KEY_ID_0114232134912410000000000000", "not-a-serial!"):
        assert post_callback(env, serial=serial).status_code == 401
    jobs = sql("SELECT args->>'reason' FROM job_queue WHERE kind = 'wxpay-certs' AND id > %s", mark)
    assert jobs == [("unknown_serial",)]


def test_worker_fetches_a_certificate_an_answer_names(certificate_only):
    """A job's answer under a serial not held: fetched at once, then verified."""
    no = "CPCERT" + secrets.token_hex(8)
    pending_order(make_camp(), no, "https://127.0.0.1:9/pay/wechat/notify")
    sim_pay(no)                        # the callback goes to a dead port
    r = campctl("job", "run", "reconcile-payments", check=False)
    assert r.returncode == 0, r.stderr
    assert pay_row(no)[0] == "success" and held() == {certificate_only}


def test_compressed_answers_are_decoded():
    """WeChat may answer Content-Encoding gzip or deflate, asked or not (PROTOCOLS §1.6)."""
    cid = make_camp()
    for mode in ("gzip", "deflate"):
        no = "CPZIP" + secrets.token_hex(8)
        pending_order(cid, no, "https://127.0.0.1:9/pay/wechat/notify")
        sim_pay(no)                    # the callback goes to a dead port: the query applies it
        requests.post(SIM + "/sim/faults", json={"service": "wechatpay", "mode": mode, "count": 10000},
                      timeout=10)
        r = campctl("job", "run", "reconcile-payments", check=False)
        requests.post(SIM + "/sim/faults", json={"service": "wechatpay", "mode": "ok"}, timeout=10)
        assert r.returncode == 0, r.stderr
        assert pay_row(no)[0] == "success", mode


def test_settings_page_shows_both_modes_and_each_certificate(switching):
    s = new_session()
    assert login(s, "admin", admin_password()).status_code == 303
    html = s.get(HTTP + "/admin/settings", timeout=10).text
    box = html[html.index('id="wxpay-verify"'):html.index('id="wxpay-verify"') + 4000]
    assert "微信支付公钥：" in box and settings()["wechat.pay_public_key_id"] in box
    assert box.count("已启用") == 2
    assert switching in box and "剩余天数" in box
    assert re.search(r"最近一次下载平台证书：\d{4}-\d\d-\d\d \d\d:\d\d 成功", box)


def test_settings_page_in_certificate_mode(certificate_only):
    run_certs()
    s = new_session()
    assert login(s, "admin", admin_password()).status_code == 303
    html = s.get(HTTP + "/admin/settings", timeout=10).text
    box = html[html.index('id="wxpay-verify"'):html.index('id="wxpay-verify"') + 3000]
    assert "微信支付公钥：<span class=\"badge text-bg-secondary\">未配置" in box
    assert certificate_only in box


def test_payment_settings_change_queues_a_download(as_role):
    s = as_role("admin")
    mark = sql("SELECT COALESCE(max(id), 0) FROM job_queue")[0][0]
    page = s.get(HTTP + "/admin/settings", timeout=10).text
    tok = re.search(r'name="_csrf" value="([0-9a-f]{64})"', page).group(1)
    r = s.post(HTTP + "/admin/settings", data={"_csrf": tok, "group": "微信支付",
                                               "wechat.pay_app_secret": secrets.token_hex(16),
                                               "confirm_password": s.password},
               allow_redirects=False, timeout=10)
    try:
        assert r.status_code == 303
        jobs = sql("SELECT args->>'reason', requested_by FROM job_queue WHERE kind = 'wxpay-certs'"
                   " AND id > %s", mark)
        uid = sql("SELECT id FROM system_user WHERE username = %s", s.username)[0][0]
        assert jobs == [("settings_changed", uid)]
    finally:
        campctl("config", "set", "wechat.pay_app_secret", settings()["wechat.pay_app_secret"])
        wait_no_certs_job()


def test_rotation_keeps_every_unexpired_certificate_and_warns_before_the_last_expires():
    try:
        run_certs()
        first = held()
        new = requests.post(SIM + "/sim/wechatpay/certificates", json={"valid_days": 3650},
                            timeout=10).json()["serial_no"]
        run_certs()
        assert held() == first | {new}                    # the old one is kept until it expires
        today = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 8 * 3600))
        key = "wxpay-cert-expiring:" + today
        sql("DELETE FROM notification_message WHERE dedupe_key = %s", key)
        assert '"alerted":0' in run_certs().stdout      # years left: no warning
        # WeChat now lists one certificate, three days from expiry, and nothing newer
        last = requests.post(SIM + "/sim/wechatpay/certificates",
                             json={"valid_days": 3, "keep_old": False}, timeout=10).json()["serial_no"]
        forget_certs()
        out = run_certs().stdout
        assert held() == {last} and '"alerted":0' not in out
        rows = sql("SELECT title, content, channel FROM notification_message"
                   " WHERE message_type = 'wxpay_cert_expiring' AND dedupe_key = %s", key)
        assert rows and all(r[2] == "wechat" and last in r[1] and "过期" in r[0] for r in rows)
        run_certs()                                       # once a day
        assert sql("SELECT count(*) FROM notification_message WHERE dedupe_key = %s", key)[0][0] == len(rows)
        s = new_session()
        assert login(s, "admin", admin_password()).status_code == 303
        html = s.get(HTTP + "/admin/settings", timeout=10).text
        assert last in html and "即将过期" in html
    finally:
        requests.post(SIM + "/sim/reset", timeout=10)
        forget_certs()
        run_certs()
