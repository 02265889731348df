"""test_seat_holds.py: what one enrollment takes and holds — the WeChat order, the seat, the
limits per browser and per IP (issue #14, holes 3, 7 and 10)."""
import secrets
import threading
import time

import psycopg2
import requests

from conftest import HTTP, SIM, dsn
from paylib import csrf, enroll, h5, make_camp, order_no_of, sql


def planet_id():
    return "8" + "".join(str(secrets.randbelow(10)) for _ in range(14))


def order_requests(order_no):
    """What camp-sim received when the app created this WeChat order."""
    log = requests.get(SIM + "/sim/log", timeout=10).json()
    return [e for e in log if e.get("method") == "POST" and e.get("path", "").startswith("/v3/pay/transactions/")
            and isinstance(e.get("request"), dict) and e["request"].get("out_trade_no") == order_no]


# ---- hole 10: the order description is cut by characters, never inside one ----------

def test_order_description_is_cut_by_characters_within_127_bytes():
    # 'A' then 49 three-byte characters: a cut by bytes at 60 splits a character
    name = "A" + "长" * 49                      # 50 characters, 148 bytes
    cid = make_camp(name=name)
    s = h5()
    r = enroll(s, cid, planet_id())
    no = order_no_of(r)
    reqs = order_requests(no)
    assert len(reqs) == 1
    desc = reqs[0]["request"]["description"]
    raw = desc.encode("utf-8")                  # the sim's log is JSON: valid UTF-8 or not there
    assert len(raw) <= 127, (len(raw), desc)
    assert desc.endswith(" 押金") and desc.startswith("A长长")
    assert len(desc) - len(" 押金") == 1 + (127 - len(" 押金".encode()) - 1) // 3


def test_short_names_are_not_cut():
    cid = make_camp(name="短名营" + secrets.token_hex(2))
    s = h5()
    no = order_no_of(enroll(s, cid, planet_id()))
    name = sql("SELECT name FROM training_camp WHERE id = %s", cid)[0][0]
    assert order_requests(no)[0]["request"]["description"] == name + " 押金"
