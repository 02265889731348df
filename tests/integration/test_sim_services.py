"""test_sim_services.py: camp-sim's OAuth, WeCom, ZSXQ, control verbs and UI."""
import re
import secrets
import time
import urllib.parse

import pytest
import requests

from conftest import SIM
from simlib import settings, sim_post


@pytest.fixture(autouse=True)
def reset():
    assert sim_post("/sim/reset").status_code == 200
    yield


# ---- OAuth -------------------------------------------------------------------

def authorize(openid="oAlice"):
    s = settings()
    q = urllib.parse.urlencode({"appid": s["wechat.pay_appid"],
                                "redirect_uri": "https://127.0.0.1:18443/h5/mine?x=1",
                                "response_type": "code", "scope": "snsapi_base",
                                "state": "abc123", "sim_openid": openid})
    r = requests.get(SIM + "/connect/oauth2/authorize?" + q, allow_redirects=False, timeout=5)
    assert r.status_code == 302
    loc = urllib.parse.urlparse(r.headers["Location"])
    assert loc.path == "/h5/mine"
    qs = urllib.parse.parse_qs(loc.query)
    assert qs["state"] == ["abc123"] and qs["x"] == ["1"]
    return qs["code"][0]


def exchange(code, secret=None):
    s = settings()
    return requests.get(SIM + "/sns/oauth2/access_token", params={
        "appid": s["wechat.pay_appid"], "secret": secret or s["wechat.pay_app_secret"],
        "code": code, "grant_type": "authorization_code"}, timeout=5).json()


def test_oauth_code_is_one_use():
    code = authorize("oAlice")
    t = exchange(code)
    assert t["openid"] == "oAlice" and t["scope"] == "snsapi_base" and t["access_token"]
    assert exchange(code)["errcode"] == 40029
    assert exchange("nosuchcode")["errcode"] == 40029
    assert exchange(authorize(), secret="wrong")["errcode"] == 40125


# ---- WeCom -------------------------------------------------------------------

def wecom_token(secret_key="wechat.app_secret"):
    s = settings()
    r = requests.get(SIM + "/cgi-bin/gettoken", params={"corpid": s["wechat.corp_id"],
                     "corpsecret": s[secret_key]}, timeout=5).json()
    assert r["errcode"] == 0 and r["expires_in"] == 7200
    return r["access_token"]


def send(tok, content="你好"):
    s = settings()
    return requests.post(SIM + "/cgi-bin/message/send", params={"access_token": tok}, json={
        "touser": "zhangsan", "msgtype": "text", "agentid": int(s["wechat.agent_id"]),
        "text": {"content": content}}, timeout=5).json()


def test_wecom_token_and_message():
    tok = wecom_token()
    assert send(tok)["errcode"] == 0
    assert send("bogus")["errcode"] == 40014
    bad = requests.get(SIM + "/cgi-bin/gettoken", params={"corpid": settings()["wechat.corp_id"],
                       "corpsecret": "wrong"}, timeout=5).json()
    assert bad["errcode"] == 40001
    assert send(tok, "x" * 2049)["errcode"] == 45002


def test_wecom_token_expiry():
    tok = wecom_token()
    sim_post("/sim/faults", {"service": "wecom", "mode": "expired-cookie", "count": 1})
    assert send(tok)["errcode"] == 42001
    assert send(wecom_token())["errcode"] == 0
    sim_post("/sim/reset")          # tokens issued before a reset are unknown
    assert send(tok)["errcode"] == 40014


def test_webhook_rate_limit():
    results = [requests.post(SIM + "/cgi-bin/webhook/send", params={"key": "k-1"},
                             json={"msgtype": "text", "text": {"content": f"m{i}"}},
                             timeout=5).json()["errcode"] for i in range(21)]
    assert results[:20] == [0] * 20 and results[20] == 45009
    other = requests.post(SIM + "/cgi-bin/webhook/send", params={"key": "k-2"},
                          json={"msgtype": "markdown", "markdown": {"content": "**x**"}},
                          timeout=5).json()
    assert other["errcode"] == 0


def test_externalpay_bills_with_cursor():
    now = int(time.time())
    ids = [sim_post("/sim/wechatpay/bills", {"payee_userid": "payee1", "total_fee": 9900 + i,
                                              "pay_time": now - 100 + i, "remark": "押金"}).json()["transaction_id"]
           for i in range(3)]
    sim_post("/sim/wechatpay/bills", {"payee_userid": "other", "total_fee": 1})
    assert requests.post(SIM + "/cgi-bin/externalpay/get_bill_list",
                         params={"access_token": wecom_token()},
                         json={"begin_time": now - 3600, "end_time": now + 10},
                         timeout=5).json()["errcode"] == 48002
    tok = wecom_token("wechat.externalpay_secret")
    seen, cursor = [], None
    for _ in range(5):
        b = {"begin_time": now - 3600, "end_time": now + 10, "payee_userid": "payee1", "limit": 2}
        if cursor:
            b["cursor"] = cursor
        r = requests.post(SIM + "/cgi-bin/externalpay/get_bill_list", params={"access_token": tok},
                          json=b, timeout=5).json()
        assert r["errcode"] == 0
        seen += [x["transaction_id"] for x in r["bill_list"]]
        cursor = r.get("next_cursor")
        if not cursor:
            break
    assert seen == ids
    assert all(len(i) == 28 for i in ids)


# ---- ZSXQ --------------------------------------------------------------------

def zget(path, token=None, **params):
    s = settings()
    tok = token or s["planet.cookie"]
    return requests.get(SIM + f"/v2/groups/{s['planet.group_id']}" + path, params=params,
                        cookies={"zsxq_access_token": tok}, headers={"User-Agent": "t"}, timeout=5)


def add_users(cid, n, day="2026-11-20"):
    for u in range(n):
        r = sim_post("/sim/zsxq/checkins", {"checkin_id": cid, "user_id": 10000000000000 + u,
                                            "name": f"u{u}", "date": day})
        assert r.status_code == 200 and r.json()["topic_id"]


def all_rankings(cid):
    users, index, pages = [], 0, 0
    while pages < 10:
        r = zget(f"/checkins/{cid}/ranking_list", type="accumulated", index=index).json()
        assert r["succeeded"]
        page = r["resp_data"]["ranking_list"]
        pages += 1
        users += [x["user"]["user_id"] for x in page]
        if len(page) < 21:
            break
        index = page[-1]["rankings"]
    return users, pages


def create_project(title="21天"):
    s = settings()
    p = requests.post(SIM + f"/v2/groups/{s['planet.group_id']}/checkins",
                      cookies={"zsxq_access_token": s["planet.cookie"]},
                      json={"req_data": {"title": title, "text": "t", "checkin_days": 21,
                                         "type": "accumulated", "show_topics_on_timeline": False,
                                         "validity": {"long_period": False,
                                                      "expiration_time": "2026-12-17T23:59:59.594+0800"}}},
                      timeout=5).json()
    assert p["succeeded"]
    return p["resp_data"]["checkin"]["checkin_id"]


@pytest.mark.parametrize("n,pages", [(0, 1), (21, 2), (42, 3), (30, 2)])
def test_zsxq_ranking_paging(n, pages):
    cid = create_project()
    add_users(cid, n)
    users, got_pages = all_rankings(cid)
    assert len(users) == n and len(set(users)) == n and got_pages == pages
    st = zget(f"/checkins/{cid}/statistics").json()["resp_data"]["statistics"]
    assert st["joined_count"] == n


def test_zsxq_ranking_zero_users_on_an_empty_project():
    cid = 777
    sim_post("/sim/zsxq/checkins", {"checkin_id": cid, "user_id": 5, "date": "2026-11-20"})
    sim_post("/sim/reset")
    r = zget(f"/checkins/{cid}/ranking_list", type="accumulated", index=0).json()
    assert r["succeeded"] is False            # forgotten by the reset
    cid = create_project()
    r = zget(f"/checkins/{cid}/ranking_list", type="accumulated", index=0).json()
    assert r["succeeded"] and r["resp_data"]["ranking_list"] == []
    assert zget(f"/checkins/{cid}/ranking_list", index=0).json()["code"] == 1004
    lst = zget("/checkins", scope="ongoing", count=100).json()["resp_data"]["checkins"]
    assert [x["checkin_id"] for x in lst] == [cid]
    one = zget(f"/checkins/{cid}").json()["resp_data"]["checkin"]
    assert one["title"] == "21天" and one["validity"]["expiration_time"].endswith("+0800")


def test_zsxq_topics_paged_by_end_time():
    cid = 4242
    for d in range(1, 26):
        sim_post("/sim/zsxq/checkins", {"checkin_id": cid, "user_id": 20000000000001,
                                        "name": "甲", "time": f"2026-11-{d:02d}T20:15:03+08:00"})
    seen, ids, end = [], [], None
    for _ in range(5):
        params = {"scope": "all", "count": 20}
        if end:
            params["end_time"] = end
        topics = zget(f"/checkins/{cid}/topics", **params).json()["resp_data"]["topics"]
        seen += [t["create_time"] for t in topics]
        ids += [t["topic_id"] for t in topics]
        if len(topics) < 20:
            break
        end = topics[-1]["create_time"]
    # end_time is inclusive: the boundary post comes again (PROTOCOLS §4)
    assert len(seen) == 26 and len(set(seen)) == 25 and len(set(ids)) == 25
    assert seen[19] == seen[20]
    assert seen[0] == "2026-11-25T20:15:03.000+0800"
    assert seen[-1] == "2026-11-01T20:15:03.000+0800"
    r = zget(f"/checkins/{cid}/ranking_list", type="accumulated", index=0).json()
    assert r["resp_data"]["ranking_list"][0]["checkined_days"] == 25


def test_zsxq_bad_and_expired_token():
    r = zget("/checkins", token="wrong", scope="ongoing")
    assert r.status_code == 401 and r.json()["succeeded"] is False
    sim_post("/sim/faults", {"service": "zsxq", "mode": "expired-cookie", "count": 1})
    r = zget("/checkins", scope="ongoing")
    assert r.status_code == 401 and r.json()["succeeded"] is False
    assert zget("/checkins", scope="ongoing").json()["succeeded"] is True


@pytest.mark.parametrize("mode,status", [("500", 500), ("rate-limit", 429)])
def test_zsxq_faults(mode, status):
    sim_post("/sim/faults", {"service": "zsxq", "mode": mode, "count": 2})
    for _ in range(2):
        r = zget("/checkins", scope="ongoing")
        assert r.status_code == status and r.json()["succeeded"] is False
    assert zget("/checkins", scope="ongoing").status_code == 200


def test_faults_reject_unknown_and_ok_clears():
    assert sim_post("/sim/faults", {"service": "nope", "mode": "500"}).status_code == 400
    assert sim_post("/sim/faults", {"service": "wxoauth", "mode": "nope"}).status_code == 400
    sim_post("/sim/faults", {"service": "wxoauth", "mode": "500", "count": 5})
    r = sim_post("/sim/faults", {"service": "wxoauth", "mode": "ok"}).json()
    assert r["mode"] == "ok" and r["count"] == 0
    assert exchange(authorize())["openid"] == "oAlice"


# ---- UI ----------------------------------------------------------------------

def test_ui_lists_and_adds_checkins_escaped():
    r = requests.post(SIM + "/sim/zsxq/checkins", data={"checkin_id": "55", "user_id": "123",
                      "name": "<b>x</b>", "date": "2026-11-20"}, allow_redirects=False, timeout=5)
    assert r.status_code == 303
    page = requests.get(SIM + "/sim/", timeout=5)
    assert page.status_code == 200 and "知识星球打卡" in page.text
    assert "&lt;b&gt;x&lt;/b&gt;" in page.text and "<b>x</b>" not in page.text


# ---- issue #13: snapshot users, refused WeCom recipients, bills with refunds ---------

def test_oauth_snapshot_user_gets_a_virtual_openid():
    s = settings()
    q = urllib.parse.urlencode({"appid": s["wechat.pay_appid"],
                                "redirect_uri": "https://127.0.0.1:18443/h5/oauth",
                                "response_type": "code", "scope": "snsapi_base",
                                "state": "s1", "sim_openid": "oReal", "sim_snapshot": "1"})
    r = requests.get(SIM + "/connect/oauth2/authorize?" + q, allow_redirects=False, timeout=5)
    code = urllib.parse.parse_qs(urllib.parse.urlparse(r.headers["Location"]).query)["code"][0]
    t = exchange(code)
    assert t["is_snapshotuser"] == 1 and t["openid"] != "oReal"
    assert "is_snapshotuser" not in exchange(authorize("oReal"))


def send_to(tok, touser):
    s = settings()
    return requests.post(SIM + "/cgi-bin/message/send", params={"access_token": tok}, json={
        "touser": touser, "msgtype": "text", "agentid": int(s["wechat.agent_id"]),
        "text": {"content": "告警"}}, timeout=5).json()


def test_wecom_invaliduser_and_unlicenseduser_get_nothing():
    assert sim_post("/sim/wecom/users", {"invaliduser": ["ghost"],
                                         "unlicenseduser": ["nolicense"]}).status_code == 200
    tok = wecom_token()
    r = send_to(tok, "zhangsan|ghost|nolicense")
    assert r["errcode"] == 0 and r["invaliduser"] == "ghost" and r["unlicenseduser"] == "nolicense"
    assert send_to(tok, "ghost")["errcode"] == 81013          # nobody left
    got = [e for e in requests.get(SIM + "/sim/log", timeout=5).json()
           if e["path"].startswith("/cgi-bin/message/send")]
    assert got[0]["response"]["invaliduser"] == "ghost"
    assert sim_post("/sim/wecom/users", {"invaliduser": "ghost"}).status_code == 400
    sim_post("/sim/reset")                                     # reset forgets them
    assert send_to(wecom_token(), "ghost")["errcode"] == 0


def test_bills_with_refunds_and_of_the_older_revision():
    now = int(time.time())
    full = sim_post("/sim/wechatpay/bills", {"payee_userid": "p9", "total_fee": 9900,
                                             "total_refund_fee": 9900, "pay_time": now - 50}).json()
    part = sim_post("/sim/wechatpay/bills", {"payee_userid": "p9", "total_fee": 9900,
                                             "total_refund_fee": 100, "trade_state": 1,
                                             "pay_time": now - 40}).json()
    old = sim_post("/sim/wechatpay/bills", {"payee_userid": "p9", "total_fee": 9900, "legacy": True,
                                            "pay_time": now - 30}).json()
    assert sim_post("/sim/wechatpay/bills", {"payee_userid": "p9", "total_fee": 9900,
                                             "total_refund_fee": 9901}).status_code == 400
    r = requests.post(SIM + "/cgi-bin/externalpay/get_bill_list",
                      params={"access_token": wecom_token("wechat.externalpay_secret")},
                      json={"begin_time": now - 3600, "end_time": now + 10, "payee_userid": "p9"},
                      timeout=5).json()
    bills = {b["transaction_id"]: b for b in r["bill_list"]}
    b = bills[full["transaction_id"]]
    assert (b["bill_type"], b["trade_state"], b["total_refund_fee"]) == (0, 3, 9900)
    assert b["refund_list"][0]["refund_fee"] == 9900
    b = bills[part["transaction_id"]]
    assert (b["trade_state"], b["total_refund_fee"]) == (1, 100)
    assert "bill_type" not in bills[old["transaction_id"]]
# ---- ZSXQ as the real service answers (issue #13) ------------------------------

def test_zsxq_antibot_by_count_and_by_rate():
    sim_post("/sim/faults", {"service": "zsxq", "mode": "antibot", "count": 2})
    for _ in range(2):
        r = zget("/checkins", scope="ongoing")
        assert r.status_code == 200
        assert r.json() == {"succeeded": False, "code": 1059, "info": "不支持非官方工具访问，请使用知识星球官方客户端"}
    assert zget("/checkins", scope="ongoing").json()["succeeded"] is True
    r = sim_post("/sim/faults", {"service": "zsxq", "mode": "antibot", "rate": 0.25}).json()
    assert r["mode"] == "antibot" and r["rate"] == 0.25
    try:
        codes = [zget("/checkins", scope="ongoing").json().get("code") for _ in range(400)]
    finally:
        sim_post("/sim/faults", {"service": "zsxq", "mode": "ok"})
    refused = codes.count(1059)
    assert 60 <= refused <= 140 and codes.count(None) == 400 - refused    # ~a quarter, until "ok"
    assert zget("/checkins", scope="ongoing").json()["succeeded"] is True
    for bad in ({"service": "zsxq", "mode": "antibot", "rate": 1.5},
                {"service": "zsxq", "mode": "antibot", "rate": "x"},
                {"service": "wechatpay", "mode": "antibot", "rate": 0.5}):
        assert sim_post("/sim/faults", bad).status_code == 400


def test_zsxq_expired_token_body_and_maintenance():
    sim_post("/sim/faults", {"service": "zsxq", "mode": "expired-cookie-200", "count": 1})
    r = zget("/checkins", scope="ongoing")
    assert r.status_code == 200 and r.json() == {"succeeded": False, "code": 401, "info": "", "resp_data": {}}
    assert "x-expire-in" not in r.headers
    sim_post("/sim/faults", {"service": "zsxq", "mode": "maintenance", "count": 1})
    r = zget("/checkins", scope="ongoing")
    assert r.status_code == 200 and r.json()["code"] == 1050 and r.json()["info"] == "数据系统升级中，暂时无法操作"
    r = zget("/checkins", token="wrong", scope="ongoing")
    assert r.status_code == 401 and r.json() == {"succeeded": False, "code": 401, "info": "", "resp_data": {}}


def test_zsxq_token_life_in_x_expire_in():
    left = int(zget("/checkins", scope="ongoing").headers["x-expire-in"])
    assert 2_591_000 < left <= 2_592_000
    try:
        sim_post("/sim/zsxq/token", {"expire_in": 3600})
        assert 3590 < int(zget("/checkins", scope="ongoing").headers["x-expire-in"]) <= 3600
        sim_post("/sim/zsxq/token", {"expire_in": 0})                  # its life is over
        r = zget("/checkins", scope="ongoing")
        assert r.status_code == 200 and r.json()["code"] == 401
    finally:
        sim_post("/sim/zsxq/token", {"expire_in": 2_592_000})
    assert zget("/checkins", scope="ongoing").json()["succeeded"] is True


def test_zsxq_ids_names_and_members_as_real_answers_have_them():
    cid = create_project()
    tid = sim_post("/sim/zsxq/checkins", {"checkin_id": cid, "user_id": 1000000007, "name": "",
                                          "date": "2026-11-20"}).json()["topic_id"]
    sim_post("/sim/zsxq/checkins", {"checkin_id": cid, "user_id": 8123456789012345, "name": "  ",
                                    "date": "2026-11-21"})
    sim_post("/sim/zsxq/joins", {"checkin_id": cid, "user_id": 1000000008})
    assert tid > 2 ** 53 and len(str(tid)) == 17
    raw = zget(f"/checkins/{cid}/topics", scope="all", count=20)
    assert re.search(r'"topic_id":%d\b' % tid, raw.text)          # a JSON number, exactly
    topics = raw.json()["resp_data"]["topics"]
    assert [t["topic_uid"] for t in topics] == [str(t["topic_id"]) for t in topics]
    assert [t["talk"]["owner"]["name"] for t in topics] == ["  ", ""]
    board = zget(f"/checkins/{cid}/ranking_list", type="accumulated", index=0).json()["resp_data"]["ranking_list"]
    assert {x["user"]["alias"] for x in board} == {""} and len(board) == 2
    st = zget(f"/checkins/{cid}/statistics").json()["resp_data"]["statistics"]
    assert st["joined_count"] == 3                                   # one joined without a post


def test_zsxq_long_period_projects():
    cid = 31000000000 + secrets.randbelow(10 ** 9)
    p = sim_post("/sim/zsxq/projects", {"checkin_id": cid, "title": "长期", "checkin_days": 100,
                                        "validity": {"long_period": True, "expiration_time": ""}}).json()
    assert p["checkin"]["checkin_id"] == cid
    one = zget(f"/checkins/{cid}").json()["resp_data"]["checkin"]
    assert one["validity"] == {"long_period": True, "expiration_time": ""} and one["checkin_days"] == 100
    s = settings()
    made = requests.post(SIM + f"/v2/groups/{s['planet.group_id']}/checkins",
                         cookies={"zsxq_access_token": s["planet.cookie"]},
                         json={"req_data": {"title": "长期2", "text": "", "checkin_days": 30, "type": "accumulated",
                                            "validity": {"long_period": True, "expiration_time": ""}}},
                         timeout=5).json()["resp_data"]["checkin"]
    assert made["validity"] == {"long_period": True, "expiration_time": ""}


def test_zsxq_leaderboard_ranks_by_distinct_days_then_first_post():
    cid = create_project()
    posts = {1000000001: ["2026-11-20", "2026-11-20", "2026-11-21"],   # 2 days
             1000000002: ["2026-11-19", "2026-11-20", "2026-11-21"],   # 3 days
             1000000003: ["2026-11-18", "2026-11-22"]}                 # 2 days, earlier first post
    for uid, days in posts.items():
        for d in days:
            sim_post("/sim/zsxq/checkins", {"checkin_id": cid, "user_id": uid, "name": f"u{uid}", "date": d})
    board = zget(f"/checkins/{cid}/ranking_list", type="accumulated", index=0).json()["resp_data"]["ranking_list"]
    assert [(x["user"]["user_id"], x["checkined_days"], x["rankings"]) for x in board] == [
        (1000000002, 3, 1), (1000000003, 2, 2), (1000000001, 2, 3)]
