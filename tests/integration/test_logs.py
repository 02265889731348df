"""test_logs.py: every camp-web log line of a request carries its request id (issue #17)."""
import pathlib
import time

import requests

from conftest import ENV, HTTP

LOGS = pathlib.Path(ENV["CAMP_LOG_DIR"])


def lines_with(path, text, timeout=5):
    end = time.monotonic() + timeout
    while True:
        found = [l for l in path.read_text(errors="replace").splitlines() if text in l]
        if found or time.monotonic() > end:
            return found
        time.sleep(0.1)


def test_a_refused_request_is_logged_with_the_request_id_nginx_gave_it():
    r = requests.post(HTTP + "/admin/login", data={"username": "nobody", "password": "x"},
                      allow_redirects=False, timeout=10)
    assert r.status_code == 403
    rid = r.headers["X-Request-Id"]
    assert rid and rid in r.text                    # shown on the error page too
    found = lines_with(LOGS / "web.log", f"req={rid}")
    assert found and any("csrf: refused POST /admin/login" in l for l in found), found
