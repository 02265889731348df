"""simlib.py: helpers for the camp-sim tests: openssl-signed WeChat Pay requests, a callback receiver."""
import base64
import http.server
import json
import os
import secrets
import ssl
import subprocess
import threading
import time

import requests

from conftest import ENV, SIM

STATE = ENV["CAMP_SIM_STATE"]
TLS = ENV["CAMP_RUNTIME_DIR"] + "/tls"


def settings():
    """The identities camp-sim wrote for `dev` (key -> value)."""
    out = {}
    with open(STATE + "/settings") as f:
        for line in f:
            k, v = line.rstrip("\n").split(" ", 1)
            out[k] = v
    return out


def openssl_sign(message: bytes, key=STATE + "/apiclient_key.pem") -> str:
    """RSASSA-PKCS1-v1_5 SHA-256 by the openssl CLI, independent of our C code."""
    sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key],
                         input=message, capture_output=True, check=True).stdout
    return base64.b64encode(sig).decode()


def openssl_verify(message: bytes, sig_b64: str, pub=STATE + "/wechatpay_public.pem") -> bool:
    path = "/tmp/sim-sig-%d-%s" % (os.getpid(), secrets.token_hex(4))
    with open(path, "wb") as f:
        f.write(base64.b64decode(sig_b64))
    try:
        r = subprocess.run(["openssl", "dgst", "-sha256", "-verify", pub, "-signature", path],
                           input=message, capture_output=True)
        return r.returncode == 0 and b"Verified OK" in r.stdout
    finally:
        os.unlink(path)


def pay_request(method, url_path, body=None, tamper=None, ts=None, accept_encoding=None):
    """A merchant request signed as PROTOCOLS §1.1 says; tamper changes the body after signing."""
    s = settings()
    data = "" if body is None else json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    ts = str(int(time.time())) if ts is None else str(ts)
    nonce = secrets.token_hex(16).upper()
    msg = f"{method}\n{url_path}\n{ts}\n{nonce}\n{data}\n".encode()
    sig = openssl_sign(msg)
    if tamper is not None:
        data = tamper(data)
    auth = ('WECHATPAY2-SHA256-RSA2048 mchid="%s",nonce_str="%s",signature="%s",'
            'timestamp="%s",serial_no="%s"' % (s["wechat.pay_merchant_id"], nonce, sig, ts,
                                                s["wechat.pay_merchant_serial"]))
    headers = {"Authorization": auth, "Accept": "application/json",
               "Content-Type": "application/json", "User-Agent": "camp-test/1.0",
               "Wechatpay-Serial": s["wechat.pay_public_key_id"]}
    if accept_encoding is not None:
        headers["Accept-Encoding"] = accept_encoding
    return requests.request(method, SIM + url_path, data=data.encode() if body is not None else None,
                            headers=headers, timeout=10)


def verify_response(r) -> bool:
    msg = (r.headers["Wechatpay-Timestamp"] + "\n" + r.headers["Wechatpay-Nonce"] + "\n").encode() \
        + r.content + b"\n"
    return openssl_verify(msg, r.headers["Wechatpay-Signature"])


def new_order(no=None, total=9900, kind="jsapi", notify="https://127.0.0.1:9/pay/wechat/notify",
              **extra):
    s = settings()
    body = {"appid": s["wechat.pay_appid"], "mchid": s["wechat.pay_merchant_id"],
            "description": "训练营押金", "out_trade_no": no or "T" + secrets.token_hex(8),
            "notify_url": notify, "amount": {"total": total, "currency": "CNY"}}
    if kind == "jsapi":
        body["payer"] = {"openid": "oTestOpenid0001"}
    body.update(extra)
    return body, pay_request("POST", "/v3/pay/transactions/" + kind, body)


def sim_post(path, body=None):
    return requests.post(SIM + path, json=body if body is not None else {}, timeout=15)


class Receiver:
    """An HTTPS server (the dev instance's certificate) that records callbacks.
    answers: the statuses to give, in order; then 200."""

    def __init__(self, answers=()):
        self.got = []
        self.answers = list(answers)
        outer = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(n)
                outer.got.append((dict(self.headers), body))
                status = outer.answers.pop(0) if outer.answers else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(TLS + "/server.pem", TLS + "/server.key")
        self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.url = f"https://127.0.0.1:{self.port}/pay/wechat/notify"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def wait(self, n, timeout=10):
        end = time.monotonic() + timeout
        while len(self.got) < n and time.monotonic() < end:
            time.sleep(0.05)
        return self.got

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
