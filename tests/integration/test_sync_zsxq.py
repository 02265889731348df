"""test_sync_zsxq.py: the nightly sync against ZSXQ as the real service answers (PROTOCOLS §4, issue #13):
anti-bot and maintenance refusals, the expired token in a 200 body, code and info in every message,
the token's x-expire-in, the paging boundary, long ids, blank names and members without check-ins."""
import re
import time

from conftest import HTTP, admin_password, campctl, login, new_session
from paylib import make_camp
from synclib import (zsxq_configured, LogTail, checkin, fault, join, member, no_sync_running, planet_id,
                     project_id, run_sync, run_sync_with_fault, sim_control, sim_log_mark, sim_log_since, sql,
                     sync_camp, today, token_life)

assert zsxq_configured  # autouse fixture, imported to apply here

DAY = 86400


def refusals(entries, code):
    return [e for e in entries if isinstance(e["response"], dict) and e["response"].get("code") == code]


def last_nightly():
    return sql("SELECT detail FROM job_run WHERE job = 'sync-checkins' AND queue_id IS NULL"
               " ORDER BY id DESC LIMIT 1")[0][0]


def last_alert_id():
    return sql("SELECT COALESCE(max(id), 0) FROM notification_message")[0][0]


def warnings(text):
    return [line for line in text.splitlines() if " warn " in line and "sync-checkins" in line]


def test_expired_token_in_a_200_body_stops_the_run_and_alerts():
    """{"succeeded":false,"code":401,"info":"","resp_data":{}} with HTTP 200: the token died."""
    (c1, p1), (c2, p2) = sync_camp(), sync_camp()
    checkin(p1, planet_id(), "过期", date=today(-1))
    checkin(p2, planet_id(), "过期", date=today(-1))
    no_sync_running()
    last = last_alert_id()
    fault("expired-cookie-200", 100)
    try:
        r = campctl("job", "run", "sync-checkins", check=False)
    finally:
        fault("ok", 0)
    assert r.returncode != 0 and "Token" in r.stderr
    detail = last_nightly()
    assert detail["token_expired"] is True
    assert detail["zsxq_calls"] == 1 and detail["zsxq_retries"] == 0     # never retried
    outcomes = sorted(c["outcome"] for c in detail["camps"])
    assert outcomes.count("failed") == 1 and set(outcomes) <= {"failed", "skipped"}
    rows = sql("SELECT recipient_id, content FROM notification_message"
               " WHERE message_type = 'cookie_expired' AND id > %s", last)
    assert rows and len({r[0] for r in rows}) == len(rows)              # one per recipient
    assert all("401" in content for _, content in rows)
    assert sql("SELECT count(*) FROM notification_message WHERE message_type = 'sync_failed'"
               " AND id > %s", last)[0][0] == 0
    # the pages say so until a call passes with the token again
    settings, dashboard = admin_pages()
    assert "已失效" in settings and "已失效" in dashboard
    assert run_sync(c1)[0] == "done"
    settings, _ = admin_pages()
    assert "已失效" not in settings and "剩余 30 天" in settings


def test_antibot_answers_are_retried_and_counted():
    cid, proj = sync_camp()
    for i in range(25):
        checkin(proj, planet_id(), f"学员{i}", date=today(-1))
    mark = sim_log_mark()
    state, err, out, detail = run_sync_with_fault(cid, "antibot", 3)
    assert state == "done", err
    assert out["outcome"] == "ok" and out["records"] == 25
    assert out["zsxq_retries"] == 3 and detail["zsxq_retries"] == 3
    got = refusals(sim_log_since(mark), 1059)
    assert len(got) == 3 and all(e["status"] == 200 for e in got)


def test_a_quarter_of_calls_refused_still_syncs_every_camp():
    mine = [sync_camp() for _ in range(3)]
    for _, proj in mine:
        for i in range(30):
            checkin(proj, planet_id(), f"学员{i}", date=today(-1 - i % 3))
    mark = sim_log_mark()
    fault("antibot", rate=0.25)
    try:
        campctl("job", "run", "sync-checkins", check=False)
    finally:
        fault("ok", 0)
    detail = last_nightly()
    camps = {c["id"]: c for c in detail["camps"]}
    for cid, _ in mine:
        assert camps[str(cid)]["outcome"] == "ok", camps[str(cid)]
        assert camps[str(cid)]["records"] == 30
    # every 1059 camp-sim gave our camps' projects was retried, and counted where it happened
    log = sim_log_since(mark)
    for cid, proj in mine:
        mine_refused = refusals([e for e in log if f"/checkins/{proj}/" in e["path"]], 1059)
        assert camps[str(cid)]["zsxq_retries"] == len(mine_refused)
    assert detail["zsxq_retries"] == sum(c.get("zsxq_retries", 0) for c in detail["camps"])


def test_maintenance_is_retried_and_named_when_it_lasts():
    cid, proj = sync_camp()
    checkin(proj, planet_id(), "维护", date=today(-1))
    state, err, out, _ = run_sync_with_fault(cid, "maintenance", 2)
    assert state == "done", err
    assert out["zsxq_retries"] == 2
    before = sql("SELECT count(*) FROM checkin_record WHERE camp_id = %s", cid)[0][0]
    last = last_alert_id()
    # ZSXQ down for the whole run
    state, err, out, detail = run_sync_with_fault(cid, "maintenance", 100000, timeout=120)
    assert state == "failed"
    assert detail["zsxq_budget_spent"] is True
    assert detail["zsxq_retries"] == detail["zsxq_retry_budget"] == out["zsxq_retries"]
    assert "1050：数据系统升级中，暂时无法操作" in out["error"] and "重试" in out["error"]
    assert "1050" in err
    content = sql("SELECT content FROM notification_message WHERE message_type = 'sync_failed'"
                  " AND camp_id = %s AND id > %s", cid, last)
    assert content and "1050：数据系统升级中，暂时无法操作" in content[0][0]
    assert sql("SELECT count(*) FROM checkin_record WHERE camp_id = %s", cid)[0][0] == before


def test_a_refusal_names_code_and_info_and_is_not_retried():
    cid = make_camp(start=-5, end=15, required=10)
    sql("UPDATE training_camp SET planet_project_id = %s WHERE id = %s", project_id(), cid)  # not in ZSXQ
    state, err, out, detail = run_sync(cid)
    assert state == "failed"
    assert out["zsxq_retries"] == 0 and out["zsxq_calls"] == 1
    assert re.search(r"知识星球调用失败（1004：打卡项目不存在）", out["error"]), out["error"]


def test_boundary_post_comes_again_and_counts_once():
    """end_time is inclusive: the last post of a page opens the next one."""
    cid, proj = sync_camp()
    for i in range(45):
        checkin(proj, planet_id(), f"学员{i}", at=today(-1) + "T%02d:%02d:00+08:00" % (8 + i // 60, i % 60))
    mark = sim_log_mark()
    state, err, out, _ = run_sync(cid)
    assert state == "done", err
    assert out["topics"] == 45 and out["records"] == 45
    pages = [e for e in sim_log_since(mark) if "/topics?" in e["path"]]
    assert len(pages) == 3 and "end_time=" in pages[1]["path"]
    first, second = pages[0]["response"]["resp_data"]["topics"], pages[1]["response"]["resp_data"]["topics"]
    assert second[0]["topic_id"] == first[-1]["topic_id"]        # the boundary, again


def test_long_ids_blank_names_and_members_without_checkins_are_normal():
    cid, proj = sync_camp()
    ten, sixteen, named = "1000000007", "8123456789012345", planet_id()
    topics = [checkin(proj, ten, "", date=today(-1)), checkin(proj, sixteen, "   ", date=today(-1)),
              checkin(proj, named, "有名字", date=today(-1))]
    assert all(t > 2 ** 53 for t in topics)                       # 17 digits: beyond a double
    for _ in range(3):
        join(proj, planet_id())                                   # joined, never checked in
    mid = member(cid, ten, "十位数")
    tail = LogTail()
    state, err, out, _ = run_sync(cid)
    assert state == "done", err
    assert out["leaderboard"] == 3 and out["joined_count"] == 6
    stored = {r[0]: r[1] for r in sql(
        "SELECT pu.planet_user_id, cr.planet_checkin_id FROM checkin_record cr"
        " JOIN planet_user pu ON pu.id = cr.planet_user_id WHERE cr.camp_id = %s", cid)}
    assert stored == {ten: str(topics[0]), sixteen: str(topics[1]), named: str(topics[2])}
    names = dict(sql("SELECT planet_user_id, planet_nickname FROM planet_user WHERE planet_user_id IN (%s, %s)",
                     ten, sixteen))
    assert names == {ten: None, sixteen: None}                    # blank is no name
    assert sql("SELECT planet_user_id IS NOT NULL FROM camp_member WHERE id = %s", mid)[0][0] is True
    time.sleep(0.3)
    assert warnings(tail.text()) == []


def test_long_period_project_syncs():
    cid, proj = sync_camp()
    p = sim_control("/sim/zsxq/projects", {"checkin_id": int(proj), "title": "长期打卡",
                                          "validity": {"long_period": True, "expiration_time": ""}})
    assert p["checkin"]["validity"] == {"long_period": True, "expiration_time": ""}
    checkin(proj, planet_id(), "长期", date=today(-1))
    state, err, out, _ = run_sync(cid)
    assert state == "done", err and out["records"] == 1


def admin_pages():
    s = new_session()
    assert login(s, "admin", admin_password()).status_code == 303
    settings = s.get(HTTP + "/admin/settings", timeout=10).text
    dashboard = s.get(HTTP + "/admin/", timeout=10).text
    return settings, dashboard


def expiring_alerts(last):
    return sql("SELECT recipient_id, dedupe_key FROM notification_message WHERE message_type = 'cookie_expired'"
               " AND dedupe_key LIKE 'zsxq-token-expiring:%%' AND id > %s", last)


def test_token_life_is_recorded_shown_and_warned_of_once_a_day():
    cid, proj = sync_camp()
    checkin(proj, planet_id(), "有效期", date=today(-1))
    last = last_alert_id()
    token_life(2 * DAY - 600)
    try:
        assert run_sync(cid)[0] == "done"
        left = sql("SELECT extract(epoch FROM expires_at - seen_at)::bigint FROM provider_token"
                   " WHERE provider = 'zsxq'")[0][0]
        assert 2 * DAY - 700 < left <= 2 * DAY - 600
        settings, dashboard = admin_pages()
        assert "剩余 2 天" in settings and "剩余 2 天" in dashboard
        first = expiring_alerts(last)
        assert first and len({r[0] for r in first}) == len(first)  # once per recipient
        assert run_sync(cid)[0] == "done"
        assert len(expiring_alerts(last)) == len(first)           # not twice the same day
        # the next day (test clock) warns again
        sql("INSERT INTO system_config (config_key, config_value) VALUES ('test.now', %s)"
            " ON CONFLICT (config_key) DO UPDATE SET config_value = EXCLUDED.config_value",
            today(1) + "T02:00:00+08:00")
        try:
            time.sleep(2.2)
            assert run_sync(cid)[0] == "done"
            assert len(expiring_alerts(last)) == 2 * len(first)
        finally:
            sql("DELETE FROM system_config WHERE config_key = 'test.now'")
            time.sleep(2.2)
    finally:
        token_life(30 * DAY)
    assert run_sync(cid)[0] == "done"
    settings, dashboard = admin_pages()
    assert "剩余 30 天" in settings and "剩余 30 天" in dashboard


def test_a_new_token_forgets_the_old_ones_life():
    cid, proj = sync_camp()
    checkin(proj, planet_id(), "换令牌", date=today(-1))
    assert run_sync(cid)[0] == "done"
    sql("UPDATE provider_token SET token_sha256 = repeat('0', 64) WHERE provider = 'zsxq'")
    settings, _ = admin_pages()
    assert "剩余" not in settings.split("知识星球", 1)[1].split("企业微信", 1)[0]
    assert run_sync(cid)[0] == "done"
    settings, _ = admin_pages()
    assert "剩余 30 天" in settings


def test_connection_test_reads_long_period_projects_and_records_the_token_life():
    proj = project_id()
    sim_control("/sim/zsxq/projects", {"checkin_id": int(proj), "title": "长期打卡",
                                      "validity": {"long_period": True, "expiration_time": ""}})
    sql("DELETE FROM provider_token")
    token_life(5 * DAY - 600)
    try:
        jid = sql("INSERT INTO job_queue (kind, args, run_after) VALUES ('test-connection',"
                  " '{\"provider\": \"zsxq\"}', '-infinity') RETURNING id")[0][0]
        for _ in range(100):
            state = sql("SELECT state FROM job_queue WHERE id = %s", jid)[0][0]
            if state in ("done", "failed"):
                break
            time.sleep(0.2)
        assert state == "done"
        detail = sql("SELECT detail FROM job_run WHERE queue_id = %s ORDER BY id DESC LIMIT 1", jid)[0][0]
        assert detail["ongoing_projects"] >= 1          # the long_period one read without error
        settings, _ = admin_pages()
        assert "剩余 5 天" in settings
    finally:
        token_life(30 * DAY)
