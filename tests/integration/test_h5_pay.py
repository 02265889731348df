"""test_h5_pay.py: paying from any phone (PROTOCOLS §1.3, issue #16) — WeChat Pay H5 for phone
browsers outside WeChat (scene_info with the member's IP from nginx), Native for desktops."""
import html
import re
import secrets
import urllib.parse

import pytest
import requests

from conftest import HTTP, HTTPS, SIM
from paylib import CA, enroll, make_camp, order_no_of, pay_row, sql, wait_state

ANDROID_UA = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/126.0.0.0 Mobile Safari/537.36")
DESKTOP_UA = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/126.0.0.0 Safari/537.36")


@pytest.fixture
def camp_id():
    """A camp for one test, out of the H5 list afterwards (the list shows the first 100)."""
    cid = make_camp()
    yield cid
    sql("UPDATE training_camp SET deleted_at = now() WHERE id = %s", cid)


def browser(ua):
    s = requests.Session()
    s.verify = CA
    s.headers["User-Agent"] = ua
    return s


def order_request(no, kind):
    for e in reversed(requests.get(SIM + "/sim/log", timeout=10).json()):
        if e["path"] == "/v3/pay/transactions/" + kind and isinstance(e["request"], dict) \
                and e["request"].get("out_trade_no") == no:
            return e
    return None


def planet():
    return "7" + str(secrets.randbelow(10 ** 14)).zfill(14)


def test_phone_browser_outside_wechat_pays_with_h5_and_comes_back_to_poll(camp_id):
    cid = camp_id
    s = browser(ANDROID_UA)
    no = order_no_of(enroll(s, cid, planet(), base=HTTPS))
    assert sql("SELECT trade_type FROM payment_record WHERE order_no = %s", no)[0][0] == "MWEB"
    e = order_request(no, "h5")
    assert e and e["status"] == 200
    scene = e["request"]["scene_info"]
    assert scene == {"payer_client_ip": "127.0.0.1", "h5_info": {"type": "Wap"}}
    assert "payer" not in e["request"]
    h5_url = e["response"]["h5_url"]
    assert len(h5_url) > 100                             # as long as WeChat's; kept whole
    assert sql("SELECT wechat_prepay FROM payment_record WHERE order_no = %s", no)[0][0] == h5_url
    # the paying page sends the browser on to h5_url, with redirect_url back to itself
    page = s.get(HTTPS + f"/h5/orders/{no}", timeout=10)
    m = re.search(r'id="h5-pay" href="([^"]+)" data-auto="1"', page.text)
    assert m, page.text[:2000]
    pay_url = html.unescape(m.group(1))
    assert pay_url.startswith(h5_url + "&redirect_url=")
    back = urllib.parse.parse_qs(urllib.parse.urlparse(pay_url).query)["redirect_url"][0]
    assert back == f"{HTTPS}/h5/orders/{no}?from=wxpay"
    # WeChat's cashier (camp-sim's page) pays and redirects back
    cashier = requests.get(pay_url, timeout=10)
    assert cashier.status_code == 200 and "确认支付" in cashier.text
    prepay = urllib.parse.parse_qs(urllib.parse.urlparse(pay_url).query)["prepay_id"][0]
    done = requests.post(SIM + "/sim/h5pay/pay", data={"prepay_id": prepay, "redirect_url": back,
                                                      "openid": "oH5Payer"}, allow_redirects=False, timeout=10)
    assert done.status_code == 200 and "支付成功" in done.text
    assert f'content="1;url={html.escape(back)}"' in done.text.replace("&#39;", "'")   # back to the merchant
    # the redirect proves nothing: the page polls until the callback has landed
    st = wait_state(s, no, "paid", base=HTTPS)
    assert st["ticket_url"].startswith("/h5/t/tk_")
    assert pay_row(no)[0] == "success"
    again = s.get(back, allow_redirects=False, timeout=10)
    assert again.status_code == 303 and again.headers["Location"].startswith("/h5/t/tk_")


def test_returning_unpaid_shows_the_button_without_leaving_again(camp_id):
    cid = camp_id
    s = browser("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
                "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1")
    no = order_no_of(enroll(s, cid, planet(), base=HTTPS))
    page = s.get(HTTPS + f"/h5/orders/{no}?from=wxpay", timeout=10).text
    assert 'id="h5-pay"' in page and 'data-auto' not in page and "如已在微信中完成支付" in page


def test_desktop_browser_gets_a_native_qr_code(camp_id):
    cid = camp_id
    s = browser(DESKTOP_UA)
    no = order_no_of(enroll(s, cid, planet(), base=HTTPS))
    assert sql("SELECT trade_type FROM payment_record WHERE order_no = %s", no)[0][0] == "NATIVE"
    assert order_request(no, "native") and order_request(no, "h5") is None
    page = s.get(HTTPS + f"/h5/orders/{no}", timeout=10).text
    assert "native-pay__qr" in page and 'id="h5-pay"' not in page


def test_sim_cashier_refuses_an_unknown_prepay_id():
    r = requests.get(SIM + "/sim/h5pay/checkmweb?prepay_id=wxnope&package=1", timeout=10)
    assert r.status_code == 400 and "prepay_id" in r.text
