"""benchlib.py: what the Python benches share — the instance's environment and members that
each connect from their own loopback address, as members do in the field (the app holds at
most 10 pending orders per client address and camp, issue #14)."""
import os
import pathlib

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
