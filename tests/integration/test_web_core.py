"""test_web_core.py: routing, headers, error pages and parsers through nginx and the pools."""
import http.client
import time
import urllib.parse

import pytest
import requests

from conftest import ENV, HTTP, HTTPS, CA, pg_ctl

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def assert_security_headers(r):
    for k, v in SECURITY_HEADERS.items():
        assert r.headers.get(k) == v, (k, r.status_code, r.url)
    csp = r.headers.get("Content-Security-Policy", "")
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert r.headers.get("Cache-Control")


@pytest.mark.parametrize("path,status", [
    ("/h5/", 200),                 # a page
    ("/admin/login", 200),         # the admin sign-in
    ("/healthz", 200),             # JSON
    ("/no/such/page", 404),        # unknown route
])
def test_headers_on_every_response_class(path, status):
    r = requests.get(HTTP + path, allow_redirects=False, timeout=5)
    assert r.status_code == status
    assert_security_headers(r)


def test_405_lists_allowed_methods():
    r = requests.post(HTTP + "/h5/", data={"a": "1"}, timeout=5)
    assert r.status_code == 405
    assert "GET" in r.headers.get("Allow", "")
    assert_security_headers(r)


def test_404_page_is_html_in_chrome():
    r = requests.get(HTTP + "/h5/nothing-here", timeout=5)
    assert r.status_code == 404
    assert r.headers["Content-Type"].startswith("text/html")
    assert "页面不存在" in r.text


def test_404_json_for_json_clients():
    r = requests.get(HTTP + "/nothing", headers={"Accept": "application/json"}, timeout=5)
    assert r.status_code == 404
    assert r.json()["status"] == 404


def test_request_id_reaches_the_page():
    r = requests.get(HTTP + "/no/such/page", timeout=5)
    rid = r.headers.get("X-Request-Id")
    assert rid and rid in r.text


def test_hsts_only_over_https():
    r = requests.get(HTTPS + "/h5/", verify=CA, timeout=5)
    assert "max-age" in r.headers.get("Strict-Transport-Security", "")
    r = requests.get(HTTP + "/h5/", timeout=5)
    assert "Strict-Transport-Security" not in r.headers


def test_dynamic_pages_are_not_cached():
    r = requests.get(HTTP + "/admin/login", timeout=5)
    assert r.headers["Cache-Control"] == "no-store"


def raw_get(path):
    """Sends the path byte for byte (requests would re-encode a bad escape)."""
    u = urllib.parse.urlsplit(HTTP)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=5)
    c.putrequest("GET", path, skip_accept_encoding=True)
    c.endheaders()
    r = c.getresponse()
    body = r.read().decode("utf-8", "replace")
    headers = dict(r.getheaders())
    c.close()
    return r.status, headers, body


@pytest.mark.parametrize("query", ["q=%G1", "q=%4", "q=%", "q=%00", "q=%C0%AF", "q=%ED%A0%80"])
def test_malformed_query_is_400(query):
    status, headers, body = raw_get("/h5/?" + query)
    assert status == 400
    assert headers.get("X-Content-Type-Options") == "nosniff"
    assert "请求格式无效" in body


def test_too_many_fields_is_413():
    body = "&".join(f"f{i}=1" for i in range(2500))
    r = requests.post(HTTP + "/h5/", data=body,
                      headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=5)
    assert r.status_code == 413


def test_many_fields_under_the_limit_are_fine():
    body = "&".join(f"f{i}=1" for i in range(1999))
    r = requests.post(HTTP + "/h5/", data=body,
                      headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=5)
    assert r.status_code == 405   # parsed fine, then refused by the route table


def test_malformed_multipart_is_400():
    body = b"--xyz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"  # no final boundary
    r = requests.post(HTTP + "/admin/login", data=body,
                      headers={"Content-Type": "multipart/form-data; boundary=xyz"}, timeout=5)
    assert r.status_code == 400


def test_oversized_body_refused():
    r = requests.post(HTTP + "/admin/login", data=b"a=" + b"x" * (6 * 1024 * 1024),
                      headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=10)
    assert r.status_code == 413


def test_h5_list_renders_in_layout():
    r = requests.get(HTTP + "/h5/", timeout=5)
    assert r.status_code == 200
    assert "weui" in r.text and "训练营" in r.text
    assert "<script>" not in r.text.replace("<script src", "")  # no inline scripts


def test_admin_login_renders_with_csrf():
    r = requests.get(HTTP + "/admin/login", timeout=5)
    assert r.status_code == 200
    assert 'name="_csrf"' in r.text and 'name="username"' in r.text
    assert "camp_csrf=" in r.headers.get("Set-Cookie", "")
    assert "HttpOnly" in r.headers["Set-Cookie"] and "SameSite=Lax" in r.headers["Set-Cookie"]


def test_media_unknown_is_404_and_bad_hash_404():
    assert requests.get(HTTP + "/media/" + "a" * 64, timeout=5).status_code == 404
    assert requests.get(HTTP + "/media/..%2Fetc", timeout=5).status_code == 404


def test_metrics_loopback_prometheus():
    requests.get(HTTP + "/h5/", timeout=5)
    r = requests.get(HTTP + "/metrics", timeout=5)
    assert r.status_code == 200
    assert 'camp_http_requests_total{pool="web",route="h5_index",status="2xx"}' in r.text
    assert "camp_http_request_duration_seconds_bucket" in r.text
    assert "camp_db_reconnects_total" in r.text
    assert "camp_wechatpay_callbacks_total" in r.text


def test_database_down_gives_503_and_recovers():
    pg_ctl("stop")
    try:
        r = requests.get(HTTP + "/healthz", timeout=10)
        assert r.status_code == 503
        assert r.json()["db"] == "down"
        page = requests.get(HTTP + "/h5/", timeout=10)
        assert page.status_code == 503
        assert "请稍后再试" in page.text
        assert_security_headers(page)
    finally:
        pg_ctl("start")
    # every child reconnects by itself: poll until all answer 200
    deadline = time.time() + 30
    oks = 0
    while time.time() < deadline and oks < 20:
        r = requests.get(HTTP + "/healthz", timeout=10)
        oks = oks + 1 if r.status_code == 200 else 0
    assert oks >= 20
    assert requests.get(HTTP + "/h5/", timeout=5).status_code == 200


def test_a_database_restart_costs_no_request():
    # Before, each child learned that its connection was gone only when the first statement
    # of its next request failed: in production one 503 per child after every restart of
    # PostgreSQL (here the test clock's query is that first statement and takes the failure,
    # so the failed statement in the log is what shows it)
    for _ in range(40):                       # the children have their connections
        assert requests.get(HTTP + "/h5/", timeout=10).status_code == 200
    log = ENV["CAMP_LOG_DIR"] + "/web.log"
    with open(log, "rb") as f:
        start = f.seek(0, 2)
    pg_ctl("stop")
    pg_ctl("start")
    codes = [requests.get(HTTP + path, timeout=10).status_code
             for _ in range(20) for path in ("/h5/", "/admin/login")]
    assert codes == [200] * 40
    with open(log, "rb") as f:
        f.seek(start)
        text = f.read().decode("utf-8", "replace")
    assert "connection lost during" not in text
    assert "the server closed the connection; connecting again" in text
