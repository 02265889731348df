"""benchlib.py: what the Python benches share — the instance's environment and members that
each connect from their own loopback address, as members do in the field (the app holds at
most 10 pending orders per client address and camp, issue #14)."""
import http.client
import os
import pathlib
import urllib.parse

import requests
import requests.adapters

ROOT = pathlib.Path(__file__).resolve().parents[1]
for v in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
    os.environ.pop(v, None)


def load_env(inst):
    """var/<inst>/camp.env as a dict."""
    env = {}
    for line in (ROOT / "var" / inst / "camp.env").read_text().splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            env[k] = v
    return env


class FromAddress(requests.adapters.HTTPAdapter):
    """Connections from one loopback address."""

    def __init__(self, ip):
        self.ip = ip
        super().__init__()

    def init_poolmanager(self, *args, **kw):
        kw["source_address"] = (self.ip, 0)
        return super().init_poolmanager(*args, **kw)


def member_session(i, inst):
    """A browser of member i: its own session, from 127.0.x.y (x, y from i)."""
    s = requests.Session()
    s.verify = str(ROOT / "var" / inst / "ca.pem")
    ip = f"127.0.{2 + i // 250}.{2 + i % 250}"
    s.mount("http://", FromAddress(ip))
    s.mount("https://", FromAddress(ip))
    return s


class Browser:
    """A member's browser for the burst benches, on http.client: one kept-alive connection from
    its own loopback address, its cookies, nothing else — a fraction of the CPU `requests`
    spends per call, so that the load generator does not take the cores it measures."""

    def __init__(self, url, i, timeout=30):
        u = urllib.parse.urlsplit(url)
        self.host, self.port = u.hostname, u.port or 80
        self.ip = f"127.0.{2 + i // 250}.{2 + i % 250}"
        self.timeout = timeout
        self.cookies = {}
        self.conn = None

    def request(self, method, path, body=None, headers=None):
        """(status, headers as a dict with lower-case names, body as text)."""
        h = {"Host": f"{self.host}:{self.port}", "User-Agent": "bench"}
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        h.update(headers or {})
        for attempt in (0, 1):         # a kept connection nginx closed meanwhile: once more
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout,
                                                       source_address=(self.ip, 0))
            try:
                self.conn.request(method, path, body=body, headers=h)
                r = self.conn.getresponse()
                data = r.read().decode("utf-8", "replace")
                break
            except (http.client.HTTPException, ConnectionError):
                self.close()
                if attempt:
                    raise
        for k, v in r.getheaders():
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data

    def get(self, path):
        return self.request("GET", path)

    def post_form(self, path, fields):
        return self.request("POST", path, urllib.parse.urlencode(fields),
                            {"Content-Type": "application/x-www-form-urlencoded"})

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None
