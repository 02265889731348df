"""test_sync_plan.py: the nightly sync's call plan (issue #18) — every night only the new posts;
the leaderboard and statistics on a camp's first sync, from its last day on, weekly, and when staff
sync one camp; matching stays whole on the nights without the leaderboard."""
import datetime
import threading
import time

import psycopg2

from conftest import campctl, dsn
from synclib import (checkin, days_of, member, member_row, planet_id, run_sync, sim_log_mark, sim_log_since,
                     sql, sync_camp, today)


def nightly():
    """Runs the nightly sync in the foreground; returns {camp id: its detail}."""
    campctl("job", "run", "sync-checkins", check=False)
    detail = sql("SELECT detail FROM job_run WHERE job = 'sync-checkins' AND queue_id IS NULL"
                 " ORDER BY id DESC LIMIT 1")[0][0]
    return {c["id"]: c for c in detail["camps"]}


def calls_to(log, proj):
    """The ZSXQ paths camp-sim answered for one project: 'topics', 'ranking_list', 'statistics'."""
    kinds = []
    for e in log:
        if f"/checkins/{proj}/" in e["path"]:
            kinds.append(e["path"].split(f"/checkins/{proj}/", 1)[1].split("?", 1)[0])
    return kinds


def now_sh(offset_s=0):
    sh = datetime.timezone(datetime.timedelta(hours=8))
    return (datetime.datetime.now(sh) + datetime.timedelta(seconds=offset_s)).isoformat(timespec="seconds")


def test_nights_after_the_first_read_only_the_new_posts_and_keep_every_match():
    cid, proj = sync_camp(start=-5, end=15, required=10)
    early, late = planet_id(), planet_id()
    m_early, m_late = member(cid, early, "早鸟"), member(cid, late, "晚到")
    checkin(proj, early, "早鸟", date=today(-3))                   # long before the overlap
    mark = sim_log_mark()
    first = nightly()[str(cid)]
    assert first["outcome"] == "ok" and first["plan"] == "posts+leaderboard"
    assert sorted(set(calls_to(sim_log_since(mark), proj))) == ["ranking_list", "statistics", "topics"]
    assert first["leaderboard"] == 1 and member_row(m_early)[3] == 100

    checkin(proj, late, "晚到", at=now_sh(-60))                     # the new day's post
    mark = sim_log_mark()
    second = nightly()[str(cid)]
    assert second["outcome"] == "ok" and second["plan"] == "posts"
    assert calls_to(sim_log_since(mark), proj) == ["topics"] and second["zsxq_calls"] == 1
    assert "leaderboard" not in second and second["known_users"] == 1
    assert second["records"] == 1
    # the member whose only post is days old is still matched, and still has that day
    count, _, _, conf, _, linked = member_row(m_early)
    assert (count, conf, linked) == (1, 100, True)
    count, _, _, conf, _, linked = member_row(m_late)
    assert (count, conf, linked) == (1, 100, True)


def place(run, cid, days_ago):
    """As if camp cid's entry of job_run `run` had been synced days_ago."""
    at = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=days_ago)).isoformat()
    sql("UPDATE job_run SET detail = jsonb_set(detail, '{camps}', (SELECT jsonb_agg(CASE WHEN e->>'id' = %s"
        " THEN e || jsonb_build_object('synced_at', %s::text) ELSE e END ORDER BY o)"
        " FROM jsonb_array_elements(detail->'camps') WITH ORDINALITY AS x(e, o))) WHERE id = %s",
        str(cid), at, run)


def test_the_leaderboard_comes_back_weekly_after_the_end_and_on_demand():
    weekly, p1 = sync_camp(start=-10, end=15, required=10)
    ended, p2 = sync_camp(start=-20, end=-1, required=10)           # its last day was yesterday
    for p in (p1, p2):
        checkin(p, planet_id(), "学员", date=today(-2))
    nightly()
    run = sql("SELECT id FROM job_run WHERE job = 'sync-checkins' AND queue_id IS NULL ORDER BY id DESC LIMIT 1")[0][0]
    place(run, weekly, 8)      # a week and more since its leaderboard was read
    place(run, ended, 2)       # read before the camp's last day
    mark = sim_log_mark()
    camps = nightly()
    log = sim_log_since(mark)
    assert camps[str(weekly)]["plan"] == "posts+leaderboard" and "ranking_list" in calls_to(log, p1)
    assert camps[str(ended)]["plan"] == "posts+leaderboard" and "ranking_list" in calls_to(log, p2)
    # the next night both read posts only: the cross-check after the end is made once
    mark = sim_log_mark()
    camps = nightly()
    assert camps[str(weekly)]["plan"] == "posts" and camps[str(ended)]["plan"] == "posts"
    assert "ranking_list" not in calls_to(sim_log_since(mark), p2)
    # staff syncing one camp by hand get the whole picture
    state, err, out, _ = run_sync(weekly)
    assert state == "done", err
    assert out["plan"] == "posts+leaderboard" and out["leaderboard"] == 1


# ---- issue #18: the next camp's pages are read while a camp is written ---------------------

def nightly_in_background():
    box = {}
    t = threading.Thread(target=lambda: box.update(camps=nightly()))
    t.start()
    return t, box


def waiting_writes(pattern):
    """Backends of the sync waiting on a lock while running a statement like pattern."""
    return sql("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
               " AND query LIKE %s AND pid <> pg_backend_pid()", pattern)[0][0]


def test_the_next_camps_pages_are_read_while_a_camp_is_written():
    # Before, a night was one chain: read a camp's pages, write them, only then read the next
    # camp's; the writes' time added to the calls' (sync processing 10.7 s of 19.5 s)
    a, pa = sync_camp()
    b, pb = sync_camp()                         # the next camp in the night's order
    ua, ub = planet_id(), planet_id()
    ma, _ = member(a, ua, "甲营学员"), member(b, ub, "乙营学员")
    checkin(pa, ua, "甲营学员", date=today(-1))
    checkin(pb, ub, "乙营学员", date=today(-1))
    hold = psycopg2.connect(dsn())             # camp a's write waits for this row
    hold.cursor().execute("SELECT 1 FROM camp_member WHERE id = %s FOR UPDATE", (ma,))
    mark = sim_log_mark()
    t, box = nightly_in_background()
    try:
        deadline = time.time() + 60
        while time.time() < deadline and not waiting_writes("%UPDATE camp_member cm%"):
            time.sleep(0.05)
        assert waiting_writes("%UPDATE camp_member cm%") == 1
        deadline = time.time() + 15
        while time.time() < deadline and "topics" not in calls_to(sim_log_since(mark), pb):
            time.sleep(0.1)
        # camp b's posts were read while camp a's write waited; b is written after a
        assert "topics" in calls_to(sim_log_since(mark), pb)
        assert t.is_alive()
        assert sql("SELECT count(*) FROM checkin_record WHERE camp_id IN (%s, %s)", a, b)[0][0] == 0
    finally:
        hold.commit()
        hold.close()
        t.join(120)
    camps = box["camps"]
    assert camps[str(a)]["outcome"] == "ok" and camps[str(b)]["outcome"] == "ok"
    assert camps[str(a)]["records"] == 1 and camps[str(b)]["records"] == 1
    assert days_of(a, ua) == [today(-1)] and days_of(b, ub) == [today(-1)]


def test_a_camp_whose_write_fails_changes_nothing_and_the_others_are_written():
    a, pa = sync_camp()
    b, pb = sync_camp()
    ua, ub = planet_id(), planet_id()
    ma, mb = member(a, ua, "写坏营学员"), member(b, ub, "正常营学员")
    checkin(pa, ua, "写坏营学员", date=today(-1))
    checkin(pb, ub, "正常营学员", date=today(-1))
    # camp a's records cannot be written (as a full disk or a broken constraint would refuse them)
    sql("CREATE FUNCTION test_refuse_camp() RETURNS trigger LANGUAGE plpgsql AS $$"
        " BEGIN IF NEW.camp_id = " + str(int(a)) + " THEN RAISE EXCEPTION 'refused by the test'; END IF;"
        " RETURN NEW; END $$")
    sql("CREATE TRIGGER t_refuse_camp BEFORE INSERT ON checkin_record FOR EACH ROW"
        " EXECUTE FUNCTION test_refuse_camp()")
    try:
        camps = nightly()
    finally:
        sql("DROP TRIGGER t_refuse_camp ON checkin_record")
        sql("DROP FUNCTION test_refuse_camp()")
    assert camps[str(a)]["outcome"] == "failed" and camps[str(a)]["error"] == "数据库写入失败"
    assert camps[str(b)]["outcome"] == "ok" and camps[str(b)]["records"] == 1
    # camp a's one transaction left nothing behind: no record, no match
    assert days_of(a, ua) == [] and member_row(ma)[3:] == (0, None, False)
    assert days_of(b, ub) == [today(-1)] and member_row(mb)[3] == 100
    alert = sql("SELECT content FROM notification_message WHERE camp_id = %s AND message_type = 'sync_failed'"
                " ORDER BY id DESC LIMIT 1", a)
    assert alert and "数据库写入失败" in alert[0][0]
