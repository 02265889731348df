"""test_callback_storage.py: unverified callbacks cannot fill the disk — a refused body is kept as
its SHA-256 and first 512 bytes, and nginx limits /pay/ loosely (issue #14, hole 6)."""
import base64
import hashlib
import json
import re
import secrets
import threading
import time

import requests

from conftest import CA, HTTPS, ROOT
from paylib import sql
from sealing import open_sealed
from simlib import settings


def last_audit():
    return sql("SELECT COALESCE(max(id), 0) FROM payment_audit_log")[0][0]


def refused(body, path="/pay/wechat/notify", headers=None):
    h = {"Content-Type": "application/json", "Wechatpay-Timestamp": str(int(time.time())),
         "Wechatpay-Nonce": secrets.token_hex(16), "Wechatpay-Signature": "A" * 344,
         "Wechatpay-Serial": settings()["wechat.pay_public_key_id"]}
    h.update(headers or {})
    return requests.post(HTTPS + path, data=body, headers=h, verify=CA, timeout=30)


def stored_since(mark):
    """What was kept of each refused body (sealed at rest, issue #17), and its size."""
    rows = sql("SELECT COALESCE(payment_id, 0)::text || '/' || action_type, request_sealed"
               " FROM payment_audit_log WHERE id > %s AND action_type LIKE '%%_REJECTED' ORDER BY id", mark)
    out = []
    for row, sealed in rows:
        text = open_sealed(f"payment_audit_log.request_data#{row}", sealed)
        out.append((json.loads(text), len(text.encode())))
    return out


def test_a_refused_callback_keeps_a_hash_and_512_bytes_not_the_body():
    body = json.dumps({"id": "EV-" + secrets.token_hex(4), "event_type": "TRANSACTION.SUCCESS",
                       "padding": "押金" * 10000}, ensure_ascii=False).encode()
    assert len(body) > 50000
    mark = last_audit()
    r = refused(body)
    assert r.status_code == 401
    rows = stored_since(mark)
    assert len(rows) == 1
    data, size = rows[0]
    assert size < 2048, size
    assert data["sha256"] == hashlib.sha256(body).hexdigest()
    assert data["size"] == len(body)
    head = data["head"].encode()
    assert len(head) <= 512 and body.startswith(head) and len(head) > 500


def test_a_refused_binary_body_is_kept_the_same_way():
    body = bytes(range(256)) * 40
    mark = last_audit()
    r = refused(body, path="/pay/wechat/refund-notify")
    assert 400 <= r.status_code < 500
    (data, size), = stored_since(mark)
    assert data["sha256"] == hashlib.sha256(body).hexdigest() and data["size"] == len(body)
    assert base64.b64decode(data["head_base64"]) == body[:512]


def pay_location(conf):
    m = re.search(r"location /pay/ \{(.*?)\n\s*\}", conf, re.S)
    assert m, "no /pay/ location"
    return m.group(1)


def test_both_nginx_sites_limit_pay_loosely():
    for name in ("dev.conf.in", "camp-deposit.conf"):
        conf = (ROOT / "nginx" / name).read_text()
        loc = pay_location(conf)
        m = re.search(r"limit_req zone=(\w+) burst=(\d+) nodelay;", loc)
        assert m, (name, loc)
        zone = re.search(r"limit_req_zone \S+ zone=%s:\S+ rate=(\d+)r/s;" % m.group(1), conf)
        assert zone, (name, m.group(1))
        # loose: far above what WeChat sends (PROTOCOLS §1.4), far below a flood
        assert int(zone.group(1)) >= 20 and int(m.group(2)) >= 200, (name, zone.group(0), m.group(0))
        assert re.search(r"client_max_body_size \d+k;", loc), (name, loc)


def test_a_wechat_sized_burst_is_never_limited():
    statuses = []
    lock = threading.Lock()

    def burst(n):
        s = requests.Session()
        for _ in range(n):
            r = s.post(HTTPS + "/pay/wechat/notify", data=b"{}", verify=CA, timeout=30,
                       headers={"X-Rate-Limit-Test": "1", "Content-Type": "application/json"})
            with lock:
                statuses.append(r.status_code)
        s.close()

    threads = [threading.Thread(target=burst, args=(20,)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(statuses) == 160 and 429 not in statuses, sorted(set(statuses))


def test_an_oversized_callback_is_refused_by_nginx():
    mark = last_audit()
    r = refused(b"{" + b" " * (200 * 1024) + b"}")
    assert r.status_code == 413
    assert stored_since(mark) == []
