"""test_health.py: the instance answers /healthz from the database, over HTTP and HTTPS."""
import requests

from conftest import HTTP, HTTPS, CA


def test_healthz_http():
    r = requests.get(HTTP + "/healthz", timeout=5)
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "db": "ok"}


def test_healthz_https_with_dev_ca():
    r = requests.get(HTTPS + "/healthz", timeout=5, verify=CA)
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "db": "ok"}
