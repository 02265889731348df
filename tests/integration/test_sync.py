"""test_sync.py: sync-checkins against camp-sim — paging, failures, token expiry, days, confidence."""
import re
import time

import requests

from conftest import HTTP, SIM, add_user, campctl, login, new_session
from simlib import settings
from synclib import (zsxq_configured, checkin, days_of, fault, member, member_row, planet_id, run_sync,
                     run_sync_with_fault, sql, sync_camp, today)


assert zsxq_configured  # autouse fixture, imported to apply here


def stranger(proj):
    checkin(proj, planet_id(), "路人甲", date=today(-1))


def test_day_boundaries_and_out_of_camp_days():
    cid, proj = sync_camp(start=-5, end=3, required=3)
    pid = planet_id()
    mid = member(cid, pid, "边界")
    d = today(-2)
    checkin(proj, pid, "边界", at=d + "T23:59:59+08:00")       # counts for d
    checkin(proj, pid, "边界", at=today(-1) + "T00:00:00+08:00")  # counts for the next day
    checkin(proj, pid, "边界", at=today(-1) + "T09:00:00+08:00")  # same day again: one record
    checkin(proj, pid, "边界", at=today(-6) + "T12:00:00+08:00")  # before the camp
    state, err, out, _ = run_sync(cid)
    assert state == "done", err
    assert out["outcome"] == "ok"
    assert days_of(cid, pid) == [d, today(-1)]
    count, rate, eligible, conf, flags, linked = member_row(mid)
    assert (count, rate, conf, linked) == (2, "66.67", 100, True)
    assert eligible is True          # 2 days + 1 grace day >= 3 required
    # the record keeps the day's first post
    t = sql("SELECT to_char(checkin_time AT TIME ZONE 'Asia/Shanghai', 'HH24:MI:SS') FROM checkin_record"
            " WHERE camp_id = %s AND checkin_date = %s", cid, today(-1))
    assert t == [("00:00:00",)]


def test_grace_days_decide_eligibility():
    cid, proj = sync_camp(start=-5, end=3, required=3)
    one, two = planet_id(), planet_id()
    m1, m2 = member(cid, one, "一天"), member(cid, two, "两天")
    checkin(proj, one, "一天", date=today(-3))
    checkin(proj, two, "两天", date=today(-3))
    checkin(proj, two, "两天", date=today(-2))
    assert run_sync(cid)[0] == "done"            # grace 1 (the default)
    assert member_row(m1)[2] is False and member_row(m2)[2] is True
    try:
        campctl("config", "set", "refund.grace_days", "2")
        time.sleep(2.5)                          # settings reach every process within 2 s
        assert run_sync(cid)[0] == "done"
        assert member_row(m1)[2] is True
    finally:
        campctl("config", "set", "refund.grace_days", "1")


def leaderboard_case(n):
    cid, proj = sync_camp()
    ids = [planet_id() for _ in range(n)]
    for i, pid in enumerate(ids):
        checkin(proj, pid, f"学员{i}", date=today(-1))
    state, err, out, _ = run_sync(cid)
    assert state == "done", err
    assert out["leaderboard"] == n and out["joined_count"] == n
    got = {r[0] for r in sql("SELECT pu.planet_user_id FROM checkin_record cr JOIN planet_user pu"
                             " ON pu.id = cr.planet_user_id WHERE cr.camp_id = %s", cid)}
    assert got == set(ids)
    return out


def test_leaderboard_exact_multiple_of_21():
    leaderboard_case(42)


def test_leaderboard_short_last_page():
    leaderboard_case(23)


def empty_project():
    """A ZSXQ project nobody has checked in to, made through the (simulated) create API."""
    st = settings()
    r = requests.post(f"{SIM}/v2/groups/{st['planet.group_id']}/checkins",
                      cookies={"zsxq_access_token": st["planet.cookie"]},
                      json={"req_data": {"title": "空项目", "text": "", "checkin_days": 10,
                                         "type": "accumulated"}}, timeout=10)
    assert r.status_code == 200 and r.json()["succeeded"], r.text
    return str(r.json()["resp_data"]["checkin"]["checkin_id"])


def test_empty_group():
    cid, _ = sync_camp()
    sql("UPDATE training_camp SET planet_project_id = %s WHERE id = %s", empty_project(), cid)
    mid = member(cid, planet_id(), "无人")
    state, err, out, _ = run_sync(cid)
    assert state == "done", err
    assert (out["leaderboard"], out["joined_count"], out["records"]) == (0, 0, 0)
    assert member_row(mid)[0] == 0 and member_row(mid)[3] == 0


def test_posts_outside_the_camp_do_not_count():
    cid, proj = sync_camp(start=-5, end=3, required=3)
    pid = planet_id()
    mid = member(cid, pid, "早到")
    checkin(proj, pid, "早到", date=today(-30))
    checkin(proj, pid, "早到", date=today(-6))
    checkin(proj, pid, "早到", date=today(-5))
    state, err, out, _ = run_sync(cid)
    assert state == "done", err
    assert days_of(cid, pid) == [today(-5)]
    assert member_row(mid)[0] == 1


def test_failing_page_mid_sync_writes_nothing():
    cid, proj = sync_camp()
    for i in range(25):               # two pages of topics
        checkin(proj, planet_id(), f"学员{i}", date=today(-1))
    mid = member(cid, planet_id(), "旁观")
    before = sql("SELECT count(*) FROM planet_user")[0][0]
    # the topics pages fail until the run's retries are spent
    state, err, out, _ = run_sync_with_fault(cid, "500", 100000)
    assert state == "failed" and "同步失败" in err
    assert out["outcome"] == "failed"
    assert sql("SELECT count(*) FROM checkin_record WHERE camp_id = %s", cid)[0][0] == 0
    assert sql("SELECT count(*) FROM planet_user")[0][0] == before
    assert member_row(mid)[0] == 0
    alerts = sql("SELECT count(*) FROM notification_message WHERE message_type = 'sync_failed'"
                 " AND camp_id = %s", cid)[0][0]
    assert alerts >= 1
    # the next run succeeds with everything
    state, err, out, _ = run_sync(cid)
    assert state == "done" and out["records"] == 25


def test_retry_hides_a_single_failure():
    cid, proj = sync_camp()
    checkin(proj, planet_id(), "一次", date=today(-1))
    state, err, out, _ = run_sync_with_fault(cid, "500", 1)
    assert state == "done", err
    assert out["records"] == 1


def test_expired_token_alerts_once_per_run():
    """A full run over several camps stops at the first expired answer and alerts once."""
    (c1, p1), (c2, p2) = sync_camp(), sync_camp()
    checkin(p1, planet_id(), "过期", date=today(-1))
    checkin(p2, planet_id(), "过期", date=today(-1))
    last = sql("SELECT COALESCE(max(id), 0) FROM notification_message")[0][0]
    fault("expired-cookie", 100)
    try:
        r = campctl("job", "run", "sync-checkins", check=False)
    finally:
        fault("ok", 0)
    assert r.returncode != 0 and "Token" in r.stderr
    detail = sql("SELECT detail FROM job_run WHERE job = 'sync-checkins' AND queue_id IS NULL"
                 " ORDER BY id DESC LIMIT 1")[0][0]
    assert detail["token_expired"] is True
    assert detail["zsxq_calls"] == 1           # not retried, and no other camp tried
    outcomes = {c["id"]: c["outcome"] for c in detail["camps"]}
    assert sorted(outcomes.values()).count("failed") == 1
    assert {outcomes[str(c1)], outcomes[str(c2)]} <= {"failed", "skipped"}
    per_recipient = sql("SELECT recipient_id, count(*) FROM notification_message"
                        " WHERE message_type = 'cookie_expired' AND id > %s GROUP BY 1", last)
    assert per_recipient and all(n == 1 for _, n in per_recipient)
    assert sql("SELECT count(*) FROM checkin_record WHERE camp_id IN (%s, %s)", c1, c2)[0][0] == 0


def test_confidence_levels():
    cid, proj = sync_camp()
    a, b, c, d = planet_id(), planet_id(), planet_id(), planet_id()
    checkin(proj, a, "小明", date=today(-1))
    checkin(proj, d, "真主人", date=today(-1))
    checkin(proj, b, "Ｌｉｓａ🌸", date=today(-1))
    checkin(proj, c, "王五", date=today(-1))
    full = member(cid, a, " 小明 ")                       # id + nickname (trimmed)
    copied = member(cid, d, "冒名者")                      # a copied planet ID, another nickname
    by_nick = member(cid, planet_id(), "Lisa🌸")           # nickname only (width folded)
    by_wechat = member(cid, planet_id(), "不相干", "王五")  # WeChat nickname = ZSXQ name
    nothing = member(cid, planet_id(), "查无此人", "无")
    state, err, out, _ = run_sync(cid)
    assert state == "done", err
    assert member_row(full)[3:] == (100, None, True)
    assert member_row(copied)[3:] == (66, "昵称不符", True)
    assert member_row(by_nick)[3:] == (66, None, True)
    assert member_row(by_wechat)[3:] == (33, None, True)
    assert member_row(nothing)[3:] == (0, None, False)
    assert member_row(by_wechat)[0] == 1
    assert sql("SELECT match_status FROM camp_member WHERE id = %s", nothing)[0][0] == "failed"


def test_manual_bind_is_kept_by_the_sync():
    cid, proj = sync_camp()
    a = planet_id()
    checkin(proj, a, "真名", date=today(-1))
    mid = member(cid, planet_id(), "别名")
    pu = sql("INSERT INTO planet_user (planet_user_id, planet_nickname) VALUES (%s, '真名')"
             " RETURNING id", a)[0][0]
    sql("UPDATE camp_member SET planet_user_id = %s, match_confidence = 100 WHERE id = %s", pu, mid)
    sql("INSERT INTO payment_record (order_no, camp_id, member_id, pay_amount, trade_type, pay_status,"
        " bind_status, bind_method) VALUES (%s, %s, %s, 99, 'NATIVE', 'success', 'completed', 'manual')",
        "CPMAN" + a, cid, mid)
    assert run_sync(cid)[0] == "done"
    count, _, _, conf, _, linked = member_row(mid)
    assert (count, conf, linked) == (1, 100, True)


def test_sync_button_queues_and_reports_overlap():
    cid, proj = sync_camp()
    stranger(proj)
    name, pw = add_user("manager")
    s = new_session()
    assert login(s, name, pw).status_code == 303
    page = s.get(f"{HTTP}/admin/camps/{cid}", timeout=10)
    tok = re.search(r'name="_csrf" value="([0-9a-f]{64})"', page.text).group(1)
    assert "立即同步" in page.text
    # a sync already queued (or the nightly run): 同步进行中, nothing queued
    busy = sql("INSERT INTO job_queue (kind, args, run_after) VALUES ('sync-checkins', '{}',"
               " 'infinity') RETURNING id")[0][0]
    try:
        r = s.post(f"{HTTP}/admin/camps/{cid}/sync", data={"_csrf": tok}, timeout=10)
        assert "同步进行中" in r.text
        assert sql("SELECT count(*) FROM job_queue WHERE kind = 'sync-checkins' AND args->>'camp_id' = %s",
                   str(cid))[0][0] == 0
    finally:
        sql("DELETE FROM job_queue WHERE id = %s", busy)
    r = s.post(f"{HTTP}/admin/camps/{cid}/sync", data={"_csrf": tok}, allow_redirects=False, timeout=10)
    assert r.status_code == 303 and r.headers["Location"].startswith("/admin/jobs/")
    jid = int(r.headers["Location"].rsplit("/", 1)[1])
    assert sql("SELECT kind, args->>'camp_id' FROM job_queue WHERE id = %s", jid) == [("sync-checkins", str(cid))]
    assert sql("SELECT count(*) FROM operation_log WHERE operation_type = 'SYNC_CHECKINS'"
               " AND target_id = %s", cid)[0][0] == 1


def test_nightly_run_covers_ongoing_and_recently_finished_camps():
    ongoing, p1 = sync_camp()
    recent, p2 = sync_camp(start=-10, end=-2, required=3)
    old, p3 = sync_camp(start=-12, end=-3, required=3)
    future, p4 = sync_camp(start=2, end=10, required=3)
    for p in (p1, p2, p3, p4):
        stranger(p)
    campctl("job", "run", "sync-checkins", check=False)
    detail = sql("SELECT detail FROM job_run WHERE job = 'sync-checkins' AND queue_id IS NULL"
                 " ORDER BY id DESC LIMIT 1")[0][0]
    seen = {c["id"]: c["outcome"] for c in detail["camps"]}
    assert seen.get(str(ongoing)) == "ok" and seen.get(str(recent)) == "ok"
    assert str(old) not in seen and str(future) not in seen
