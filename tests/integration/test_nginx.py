"""test_nginx.py: the limits of ARCHITECTURE §8 in the test nginx, and the production site passes `nginx -t`."""
import pathlib
import subprocess

import pytest
import requests

from conftest import HTTP, ROOT, ENV

LIMITED = {"X-Rate-Limit-Test": "1"}
BURST = 50


def hammer(method, path, n, headers=None):
    s = requests.Session()
    try:
        return [s.request(method, HTTP + path, headers=headers, data={"x": "1"} if method == "POST" else None,
                          allow_redirects=False, timeout=5).status_code for _ in range(n)]
    finally:
        s.close()


def assert_burst_then_429(statuses):
    assert 429 in statuses, statuses
    first = statuses.index(429)
    # at most the burst plus the one request the rate allows, plus what the
    # zone refilled (100 r/min) while the requests ran
    assert first <= BURST + 1 + 10, statuses
    assert all(s == 429 for s in statuses[first:first + 5]), statuses


@pytest.mark.parametrize("method,path", [
    ("GET", "/admin/login"),      # the sign-in location, every method
    ("POST", "/admin/login"),
    ("POST", "/h5/"),             # H5 POSTs (405 from the app until a limit answers)
])
def test_limits_apply_with_the_test_header(method, path):
    assert_burst_then_429(hammer(method, path, BURST + 30, LIMITED))


@pytest.mark.parametrize("method,path", [
    ("GET", "/admin/login"),
    ("POST", "/h5/"),
])
def test_loopback_is_not_limited_without_the_header(method, path):
    statuses = hammer(method, path, BURST + 30)
    assert 429 not in statuses, statuses


def test_h5_gets_have_the_looser_zone():
    # 80 GETs with the header stay inside the H5 GET burst (200)
    statuses = hammer("GET", "/h5/", BURST + 30, LIMITED)
    assert 429 not in statuses, statuses


def test_ticket_tokens_are_masked_in_the_access_log():
    requests.get(HTTP + "/h5/t/tk_secretvalue123/progress", timeout=5)
    log = pathlib.Path(ENV["CAMP_LOG_DIR"]) / "nginx-access.log"
    text = log.read_text()
    assert "tk_secretvalue123" not in text
    assert "/h5/t/tk_***/progress" in text


def test_production_site_passes_nginx_t(tmp_path):
    """nginx/camp-deposit.conf with the dev certificate and paths under tmp_path."""
    rt = ENV["CAMP_RUNTIME_DIR"]
    site = (ROOT / "nginx" / "camp-deposit.conf").read_text()
    assert "fastcgi_keep_conn" not in site.replace("Never add fastcgi_keep_conn", "")
    site = (site.replace("/etc/ssl/camp-deposit/fullchain.pem", rt + "/tls/server.pem")
                .replace("/etc/ssl/camp-deposit/privkey.pem", rt + "/tls/server.key")
                .replace("include fastcgi_params", "include /etc/nginx/fastcgi_params")
                .replace("/var/cache/nginx/camp-media", str(tmp_path / "cache"))
                .replace("/var/log/camp-deposit/", str(tmp_path) + "/"))
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{ include /etc/nginx/mime.types; include {tmp_path}/site.conf; }}\n")
    r = subprocess.run(["nginx", "-t", "-c", str(tmp_path / "nginx.conf")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
