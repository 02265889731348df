"""Integration tests of sql/001_schema.sql against a real PostgreSQL.

The `db` fixture (tests/integration/conftest.py) is a psycopg2 connection, autocommit
off, to the migrated test database. Every test works through the local `cur` fixture,
which rolls the transaction back afterwards, so tests never see each other's rows. The
database may hold committed rows of the running instance (admin user, settings, orders
of other tests): every unique value written here is random, and every assertion is
scoped to rows this test created.

Each constraint gets a negative case (the violating statement is rejected with the
expected SQLSTATE class) next to a positive case (a valid row is accepted), so a test
cannot pass merely because the fixture rows are broken.
"""

import contextlib
import hashlib
import itertools
import pathlib
import uuid

import psycopg2
import psycopg2.errors as pgerr
import pytest

from sealing import index, seal, seal_setting

_seq = itertools.count(1)


def _n():
    return next(_seq)


def _u():
    """A value no committed row and no concurrent test can hold."""
    return uuid.uuid4().hex[:16]


# Suffix of every provider-side identifier written below (transaction ids, refund
# numbers, planet ids): unique per run, so committed rows never collide with ours.
RUN = _u()[:10]

SCHEMA_FILE = pathlib.Path(__file__).resolve().parents[2] / "sql" / "001_schema.sql"

TABLES = {"media", "system_user", "training_camp", "camp_member_relation", "planet_user",
          "camp_member", "payment_record", "payment_bind_log", "checkin_record",
          "refund_record", "operation_log", "system_config", "camp_status_log",
          "order_status_log", "refund_status_log", "member_status_log",
          "notification_message", "access_token", "login_attempt", "job_queue",
          "job_run", "payment_transaction", "payment_audit_log", "payment_exception"}
VIEWS = {"payment_mapping", "v_member_full_info", "v_camp_statistics"}
TABLES |= {"provider_token"}        # issue #13 (sql/003_zsxq_token.sql)
# --- issue #16 (sql/008_member_notices.sql) ---
TABLES |= {"robot_send_log"}


@pytest.fixture
def cur(db):
    c = db.cursor()
    try:
        yield c
    finally:
        try:
            c.close()
        finally:
            db.rollback()


@contextlib.contextmanager
def rejected(cur, exc):
    """Assert that the statements in the block raise `exc`; keep the transaction usable."""
    cur.execute("SAVEPOINT sp_rejected")
    with pytest.raises(exc):
        yield
    cur.execute("ROLLBACK TO SAVEPOINT sp_rejected")


def one(cur, sql, params=None):
    cur.execute(sql, params)
    return cur.fetchone()


# --------------------------------------------------------------------------------------
# fixture builders
# --------------------------------------------------------------------------------------

def make_user(cur, username=None, role="admin", **kw):
    username = username or f"user_{_u()}"
    cols = {"username": username, "password": "$y$j9T$xx$yy", "role": role}
    cols.update(kw)
    names = ", ".join(cols)
    marks = ", ".join(["%s"] * len(cols))
    return one(cur, f"INSERT INTO system_user ({names}) VALUES ({marks}) RETURNING id",
               list(cols.values()))[0]


def make_camp(cur, **kw):
    cols = {
        "name": f"21天打卡营{_n()}",
        "deposit": "99.00",
        "start_date": "2025-11-01",
        "end_date": "2025-11-21",
        "total_days": 21,
        "required_days": 18,
    }
    cols.update(kw)
    names = ", ".join(cols)
    marks = ", ".join(["%s"] * len(cols))
    return one(cur, f"INSERT INTO training_camp ({names}) VALUES ({marks}) RETURNING id",
               list(cols.values()))[0]


def make_member(cur, camp_id, planet_id=None, paid=False, **kw):
    cols = {
        "camp_id": camp_id,
        "filled_planet_user_id": planet_id,
        "filled_planet_nickname": f"nick{planet_id}" if planet_id else None,
        "filled_wechat_nickname": "微信昵称",
        "paid": paid,
    }
    cols.update(kw)
    names = ", ".join(cols)
    marks = ", ".join(["%s"] * len(cols))
    return one(cur, f"INSERT INTO camp_member ({names}) VALUES ({marks}) RETURNING id",
               list(cols.values()))[0]


def make_payment(cur, camp_id, member_id=None, amount="99.00", status="success", **kw):
    cols = {
        "order_no": f"T{_u()}",
        "camp_id": camp_id,
        "member_id": member_id,
        "pay_amount": amount,
        "pay_status": status,
    }
    cols.update(kw)
    names = ", ".join(cols)
    marks = ", ".join(["%s"] * len(cols))
    return one(cur, f"INSERT INTO payment_record ({names}) VALUES ({marks}) RETURNING id",
               list(cols.values()))[0]


def make_refund(cur, payment_id, amount="99.00", status="pending", audit="pending", **kw):
    camp_id, member_id = one(cur, "SELECT camp_id, member_id FROM payment_record WHERE id = %s",
                             (payment_id,))
    cols = {
        "camp_id": camp_id,
        "member_id": member_id,
        "payment_id": payment_id,
        "refund_amount": amount,
        "refund_status": status,
        "audit_status": audit,
    }
    cols.update(kw)
    names = ", ".join(cols)
    marks = ", ".join(["%s"] * len(cols))
    return one(cur, f"INSERT INTO refund_record ({names}) VALUES ({marks}) RETURNING id",
               list(cols.values()))[0]


def paid_member_with_payment(cur, camp_id, planet_id, amount="99.00"):
    m = make_member(cur, camp_id, planet_id, paid=True)
    p = make_payment(cur, camp_id, m, amount=amount)
    return m, p


def make_media(cur, size=16, mime="image/png"):
    data = bytes([(_n() + i) % 256 for i in range(size)])
    sha = hashlib.sha256(data).hexdigest()
    cur.execute("INSERT INTO media (sha256, mime, bytes, size) VALUES (%s, %s, %s, %s)",
                (sha, mime, psycopg2.Binary(data), size))
    return sha


# --------------------------------------------------------------------------------------
# shape of the migration
# --------------------------------------------------------------------------------------

def test_expected_relations_exist(cur):
    cur.execute("""SELECT c.relname, c.relkind FROM pg_class c
                   JOIN pg_namespace n ON n.oid = c.relnamespace
                   WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v')""")
    rel = dict(cur.fetchall())
    for t in TABLES:
        assert rel.get(t) == "r", t
    for v in VIEWS:
        assert rel.get(v) == "v", v
    assert "payment_mapping_status_log" not in rel


def test_no_timestamp_without_time_zone(cur):
    cur.execute("""SELECT table_name, column_name FROM information_schema.columns
                   WHERE table_schema = 'public' AND table_name = ANY(%s)
                     AND data_type = 'timestamp without time zone'""", (list(TABLES | VIEWS),))
    assert cur.fetchall() == []


def test_every_table_and_view_has_a_comment(cur):
    cur.execute("""SELECT c.relname FROM pg_class c
                   JOIN pg_namespace n ON n.oid = c.relnamespace
                   WHERE n.nspname = 'public' AND c.relname = ANY(%s)
                     AND obj_description(c.oid, 'pg_class') IS NULL""", (list(TABLES | VIEWS),))
    assert cur.fetchall() == []


def test_config_defaults_without_secrets(cur):
    # The running instance may have changed values (tests use planet.min_interval_ms=0)
    # and stored its secrets: check the rows exist here, their values in the file.
    cur.execute("SELECT config_key FROM system_config")
    keys = {r[0] for r in cur.fetchall()}
    defaults = {"planet.min_interval_ms": "500", "refund.grace_days": "1",
                "security.login_user_limit": "5", "security.login_ip_limit": "20",
                "notification.admin_users": "[]"}
    assert set(defaults) <= keys
    text = SCHEMA_FILE.read_text(encoding="utf-8")
    for k, v in defaults.items():
        assert f"('{k}',".replace(" ", "") in text.replace(" ", ""), k
        assert f"('{k}','{v}',".replace(" ", "") in text.replace(" ", ""), k
    for secret in ("planet.cookie", "wechat.app_secret", "wechat.pay_key",
                   "wechat.pay_private_key", "wechat.pay_app_secret",
                   "wechat.externalpay_secret"):
        assert f"'{secret}'" not in text, secret


# --------------------------------------------------------------------------------------
# training_camp
# --------------------------------------------------------------------------------------

def test_camp_valid_row_accepted(cur):
    uid = make_user(cur)
    poster, qr = make_media(cur), make_media(cur)
    cid = make_camp(cur, name="x" * 50, description="介" * 500, deposit="0.01",
                    start_date="2025-11-01", end_date="2025-11-02", total_days=2,
                    required_days=2, capacity=100, poster_sha256=poster,
                    group_qrcode_sha256=qr, created_by=uid, planet_project_id=None,
                    wechat_pay_code_id=None, robot_webhook_key=seal_setting("camp.robot_webhook_key", "k"))
    status, members, paid, refunded = one(
        cur, "SELECT status, member_count, paid_amount, refunded_amount FROM training_camp WHERE id = %s",
        (cid,))
    assert (status, members, paid, refunded) == ("not_started", 0, 0, 0)


def test_camp_name_longer_than_50_rejected(cur):
    with rejected(cur, pgerr.CheckViolation):
        make_camp(cur, name="营" * 51)
    make_camp(cur, name="营" * 50)


def test_camp_description_longer_than_500_rejected(cur):
    with rejected(cur, pgerr.CheckViolation):
        make_camp(cur, description="x" * 501)
    make_camp(cur, description="x" * 500)


def test_camp_deposit_zero_rejected(cur):
    with rejected(cur, pgerr.CheckViolation):
        make_camp(cur, deposit="0")


def test_camp_deposit_negative_rejected(cur):
    with rejected(cur, pgerr.CheckViolation):
        make_camp(cur, deposit="-1.00")
    make_camp(cur, deposit="0.01")


def test_camp_end_equal_start_rejected(cur):
    with rejected(cur, pgerr.CheckViolation):
        make_camp(cur, start_date="2025-11-01", end_date="2025-11-01")
    with rejected(cur, pgerr.CheckViolation):
        make_camp(cur, start_date="2025-11-02", end_date="2025-11-01")
    make_camp(cur, start_date="2025-11-01", end_date="2025-11-02")


def test_camp_required_days_greater_than_total_rejected(cur):
    with rejected(cur, pgerr.CheckViolation):
        make_camp(cur, total_days=21, required_days=22)
    make_camp(cur, total_days=21, required_days=21)


def test_camp_required_days_zero_rejected(cur):
    with rejected(cur, pgerr.CheckViolation):
        make_camp(cur, total_days=21, required_days=0)
    make_camp(cur, total_days=21, required_days=1)


def test_camp_status_must_be_known(cur):
    with rejected(cur, pgerr.CheckViolation):
        make_camp(cur, status="archived")
    for s in ("not_started", "ongoing", "finished"):
        make_camp(cur, status=s)


def test_camp_capacity_must_be_positive(cur):
    with rejected(cur, pgerr.CheckViolation):
        make_camp(cur, capacity=0)
    make_camp(cur, capacity=None)
    make_camp(cur, capacity=1)


def test_camp_refunded_more_than_paid_rejected(cur):
    cid = make_camp(cur)
    cur.execute("UPDATE training_camp SET paid_amount = 198, refunded_amount = 99 WHERE id = %s", (cid,))
    with rejected(cur, pgerr.CheckViolation):
        cur.execute("UPDATE training_camp SET refunded_amount = 198.01 WHERE id = %s", (cid,))
    with rejected(cur, pgerr.CheckViolation):
        cur.execute("UPDATE training_camp SET member_count = -1 WHERE id = %s", (cid,))


def test_camp_media_must_exist(cur):
    with rejected(cur, pgerr.ForeignKeyViolation):
        make_camp(cur, poster_sha256="0" * 64)
    with rejected(cur, pgerr.ForeignKeyViolation):
        make_camp(cur, group_qrcode_sha256="1" * 64)


def test_camp_created_by_must_exist(cur):
    with rejected(cur, pgerr.ForeignKeyViolation):
        make_camp(cur, created_by=987654321)


# --------------------------------------------------------------------------------------
# media
# --------------------------------------------------------------------------------------

def test_media_over_2mb_rejected(cur):
    with rejected(cur, pgerr.CheckViolation):
        make_media(cur, size=2 * 1024 * 1024 + 1)
    make_media(cur, size=2 * 1024 * 1024)


def test_media_size_must_match_bytes(cur):
    with rejected(cur, pgerr.CheckViolation):
        cur.execute("INSERT INTO media (sha256, mime, bytes, size) VALUES (%s, 'image/png', %s, 5)",
                    ("a" * 64, psycopg2.Binary(b"1234")))


def test_media_mime_restricted(cur):
    with rejected(cur, pgerr.CheckViolation):
        make_media(cur, mime="image/gif")
    make_media(cur, mime="image/jpeg")


def test_media_sha256_lower_hex(cur):
    with rejected(cur, pgerr.CheckViolation):
        cur.execute("INSERT INTO media (sha256, mime, bytes, size) VALUES (%s, 'image/png', %s, 1)",
                    ("A" * 64, psycopg2.Binary(b"1")))


# --------------------------------------------------------------------------------------
# camp_member: one paid enrollment per planet ID per camp
# --------------------------------------------------------------------------------------

def test_two_paid_members_same_planet_id_rejected(cur):
    cid = make_camp(cur)
    make_member(cur, cid, "10001", paid=True)
    with rejected(cur, pgerr.UniqueViolation):
        make_member(cur, cid, "10001", paid=True)


def test_unpaid_duplicate_planet_id_accepted(cur):
    cid = make_camp(cur)
    make_member(cur, cid, "10001", paid=True)
    make_member(cur, cid, "10001", paid=False)
    make_member(cur, cid, "10001", paid=False)
    assert one(cur, "SELECT count(*) FROM camp_member WHERE camp_id = %s", (cid,))[0] == 3


def test_paying_a_second_enrollment_for_same_planet_id_rejected(cur):
    cid = make_camp(cur)
    make_member(cur, cid, "10001", paid=True)
    other = make_member(cur, cid, "10001", paid=False)
    with rejected(cur, pgerr.UniqueViolation):
        cur.execute("UPDATE camp_member SET paid = true WHERE id = %s", (other,))


def test_same_planet_id_in_another_camp_or_after_soft_delete_accepted(cur):
    c1, c2 = make_camp(cur), make_camp(cur)
    m = make_member(cur, c1, "10001", paid=True)
    make_member(cur, c2, "10001", paid=True)
    cur.execute("UPDATE camp_member SET deleted_at = now() WHERE id = %s", (m,))
    make_member(cur, c1, "10001", paid=True)


def test_pay_later_members_without_planet_id_accepted(cur):
    cid = make_camp(cur)
    make_member(cur, cid, None, paid=True, filled_planet_nickname=None)
    make_member(cur, cid, None, paid=True, filled_planet_nickname=None,
                filled_wechat_nickname=None)


def test_member_match_confidence_restricted(cur):
    cid = make_camp(cur)
    with rejected(cur, pgerr.CheckViolation):
        make_member(cur, cid, "1", match_confidence=50)
    with rejected(cur, pgerr.CheckViolation):
        make_member(cur, cid, "1", match_status="manual_required")
    for c in (0, 33, 66, 100):
        make_member(cur, cid, "1", match_confidence=c, match_flags="昵称不符")


def test_member_camp_must_exist(cur):
    with rejected(cur, pgerr.ForeignKeyViolation):
        make_member(cur, 987654321, "1")


# --------------------------------------------------------------------------------------
# payment_record
# --------------------------------------------------------------------------------------

def test_payment_valid_row_accepted(cur):
    cid = make_camp(cur)
    mid = make_member(cur, cid, "1")
    pid = make_payment(cur, cid, mid, status="pending", trade_type="JSAPI", openid_index=index("o-abc"),
                       time_expire="2025-11-01T10:30:00+08:00", attach='{"c":1,"m":2}',
                       bind_method="h5_bindplanet")
    row = one(cur, "SELECT bind_status, source, refunded_amount FROM payment_record WHERE id = %s", (pid,))
    assert row == ("pending", "wechatpay", 0)


def test_payment_amount_zero_or_negative_rejected(cur):
    cid = make_camp(cur)
    with rejected(cur, pgerr.CheckViolation):
        make_payment(cur, cid, amount="0")
    with rejected(cur, pgerr.CheckViolation):
        make_payment(cur, cid, amount="-99.00")
    make_payment(cur, cid, amount="0.01")


def test_payment_refunded_more_than_paid_rejected(cur):
    cid = make_camp(cur)
    pid = make_payment(cur, cid)
    cur.execute("UPDATE payment_record SET refunded_amount = 99.00, pay_status = 'refunded' WHERE id = %s", (pid,))
    with rejected(cur, pgerr.CheckViolation):
        cur.execute("UPDATE payment_record SET refunded_amount = 99.01 WHERE id = %s", (pid,))
    with rejected(cur, pgerr.CheckViolation):
        cur.execute("UPDATE payment_record SET refunded_amount = -1 WHERE id = %s", (pid,))


def test_payment_statuses_restricted(cur):
    cid = make_camp(cur)
    with rejected(cur, pgerr.CheckViolation):
        make_payment(cur, cid, status="paid")
    with rejected(cur, pgerr.CheckViolation):
        make_payment(cur, cid, bind_status="manual_required")
    with rejected(cur, pgerr.CheckViolation):
        make_payment(cur, cid, bind_method="smart_match")
    with rejected(cur, pgerr.CheckViolation):
        make_payment(cur, cid, source="alipay")
    for s in ("pending", "success", "closed", "failed", "refunded"):
        make_payment(cur, cid, status=s)
    for b in ("pending", "completed", "expired", "manual_review", "closed"):
        make_payment(cur, cid, bind_status=b)
    for m in ("h5_bindplanet", "user_fill", "manual", None):
        make_payment(cur, cid, bind_method=m)
    make_payment(cur, cid, source="wecom_bill")


def test_payment_transaction_id_unique_when_set(cur):
    cid = make_camp(cur)
    make_payment(cur, cid, wechat_transaction_id=f"42{RUN}01")
    with rejected(cur, pgerr.UniqueViolation):
        make_payment(cur, cid, wechat_transaction_id=f"42{RUN}01")
    make_payment(cur, cid, wechat_transaction_id=None)
    make_payment(cur, cid, wechat_transaction_id=None)


def test_payment_order_no_unique(cur):
    cid = make_camp(cur)
    make_payment(cur, cid, order_no=f"TDUP{RUN}")
    with rejected(cur, pgerr.UniqueViolation):
        make_payment(cur, cid, order_no=f"TDUP{RUN}")


def test_payment_mapping_view(cur):
    cid = make_camp(cur)
    mid = make_member(cur, cid, "10001", paid=True, filled_wechat_nickname="阿明",
                      match_confidence=66)
    pid = make_payment(cur, cid, mid, amount="99.90", bind_status="completed",
                       bind_method="h5_bindplanet", wechat_transaction_id=f"42{RUN}09")
    row = one(cur, """SELECT out_trade_no IS NOT NULL, transaction_id, amount, planet_user_id,
                             wechat_nickname, bind_status, bind_method, confidence_score
                        FROM payment_mapping WHERE payment_id = %s""", (pid,))
    assert row == (True, f"42{RUN}09", 9990, "10001", "阿明", "completed", "h5_bindplanet", 66)


def test_payment_bind_log_keyed_by_payment(cur):
    cid = make_camp(cur)
    pid = make_payment(cur, cid)
    uid = make_user(cur)
    cur.execute("""INSERT INTO payment_bind_log (payment_id, from_status, to_status, event, operator_id, extra_data)
                   VALUES (%s, 'manual_review', 'completed', 'MANUAL_BIND', %s, '{"x":1}')""", (pid, uid))
    with rejected(cur, pgerr.ForeignKeyViolation):
        cur.execute("""INSERT INTO payment_bind_log (payment_id, to_status, event)
                       VALUES (987654321, 'completed', 'USER_BIND')""")


# --------------------------------------------------------------------------------------
# refund_record
# --------------------------------------------------------------------------------------

def test_second_live_refund_for_one_payment_rejected(cur):
    cid = make_camp(cur)
    _, pid = paid_member_with_payment(cur, cid, "1")
    make_refund(cur, pid, status="approved", audit="approved", out_refund_no=f"R1{RUN}")
    for s in ("approved", "processing", "success"):
        with rejected(cur, pgerr.UniqueViolation):
            make_refund(cur, pid, status=s, audit="approved")


def test_rejected_then_new_refund_accepted(cur):
    cid = make_camp(cur)
    _, pid = paid_member_with_payment(cur, cid, "1")
    make_refund(cur, pid, status="rejected", audit="rejected")
    make_refund(cur, pid, status="approved", audit="approved", out_refund_no=f"R2{RUN}")
    assert one(cur, "SELECT count(*) FROM refund_record WHERE payment_id = %s", (pid,))[0] == 2


def test_closed_attempt_then_new_attempt_accepted(cur):
    cid = make_camp(cur)
    _, pid = paid_member_with_payment(cur, cid, "1")
    r1 = make_refund(cur, pid, status="processing", audit="approved", out_refund_no=f"RA1{RUN}")
    cur.execute("UPDATE refund_record SET refund_status = 'closed', wechat_status = 'CLOSED' WHERE id = %s", (r1,))
    make_refund(cur, pid, status="approved", audit="approved", out_refund_no=f"RA2{RUN}", attempt=2)
    # and a soft-deleted live row does not block either
    cur.execute("UPDATE refund_record SET deleted_at = now() WHERE out_refund_no = %s", (f"RA2{RUN}",))
    make_refund(cur, pid, status="approved", audit="approved", out_refund_no=f"RA3{RUN}", attempt=3)


def test_refund_more_than_payment_rejected(cur):
    cid = make_camp(cur)
    _, pid = paid_member_with_payment(cur, cid, "1", amount="99.00")
    with rejected(cur, pgerr.RaiseException):
        make_refund(cur, pid, amount="99.01")
    rid = make_refund(cur, pid, amount="99.00")
    with rejected(cur, pgerr.RaiseException):
        cur.execute("UPDATE refund_record SET refund_amount = 100 WHERE id = %s", (rid,))


def test_refund_success_total_never_exceeds_payment(cur):
    cid = make_camp(cur)
    _, pid = paid_member_with_payment(cur, cid, "1", amount="99.00")
    make_refund(cur, pid, amount="60.00", status="refunded_offline", audit="approved")
    with rejected(cur, pgerr.RaiseException):
        make_refund(cur, pid, amount="40.00", status="success", audit="approved")
    make_refund(cur, pid, amount="39.00", status="success", audit="approved")


def test_refund_amount_must_be_positive(cur):
    cid = make_camp(cur)
    _, pid = paid_member_with_payment(cur, cid, "1")
    with rejected(cur, pgerr.CheckViolation):
        make_refund(cur, pid, amount="0")
    with rejected(cur, pgerr.CheckViolation):
        make_refund(cur, pid, amount="-1")


def test_refund_statuses_restricted(cur):
    cid = make_camp(cur)
    _, pid = paid_member_with_payment(cur, cid, "1")
    with rejected(cur, pgerr.CheckViolation):
        make_refund(cur, pid, status="done")
    with rejected(cur, pgerr.CheckViolation):
        make_refund(cur, pid, audit="maybe")
    with rejected(cur, pgerr.CheckViolation):
        make_refund(cur, pid, attempt=0)
    for s in ("pending", "rejected", "failed", "closed", "abnormal"):
        make_refund(cur, pid, status=s)


def test_refund_out_refund_no_unique(cur):
    cid = make_camp(cur)
    _, p1 = paid_member_with_payment(cur, cid, "1")
    _, p2 = paid_member_with_payment(cur, cid, "2")
    make_refund(cur, p1, status="failed", out_refund_no=f"RDUP{RUN}")
    with rejected(cur, pgerr.UniqueViolation):
        make_refund(cur, p2, status="failed", out_refund_no=f"RDUP{RUN}")


def test_refund_payment_must_exist(cur):
    cid = make_camp(cur)
    mid = make_member(cur, cid, "1", paid=True)
    with rejected(cur, pgerr.ForeignKeyViolation):
        cur.execute("""INSERT INTO refund_record (camp_id, member_id, payment_id, refund_amount)
                       VALUES (%s, %s, 987654321, 1)""", (cid, mid))


# --------------------------------------------------------------------------------------
# system_user, login_attempt, operation_log, config
# --------------------------------------------------------------------------------------

def test_duplicate_username_case_insensitive_rejected(cur):
    name = f"Alice_{_u()}"
    make_user(cur, name)
    with rejected(cur, pgerr.UniqueViolation):
        make_user(cur, name.lower())
    with rejected(cur, pgerr.UniqueViolation):
        make_user(cur, name.upper())


def test_username_reusable_after_soft_delete(cur):
    name = f"bob_{_u()}"
    uid = make_user(cur, name)
    with rejected(cur, pgerr.UniqueViolation):
        make_user(cur, name.capitalize())
    cur.execute("UPDATE system_user SET deleted_at = now() WHERE id = %s", (uid,))
    new = make_user(cur, name.capitalize())
    row = one(cur, "SELECT session_epoch, status FROM system_user WHERE id = %s", (new,))
    assert row == (1, "active")


def test_user_role_and_status_restricted(cur):
    with rejected(cur, pgerr.CheckViolation):
        make_user(cur, role="root")
    with rejected(cur, pgerr.CheckViolation):
        make_user(cur, status="locked")
    for r in ("admin", "manager", "coach", "volunteer"):
        make_user(cur, role=r, wecom_userid="zhangsan")
    make_user(cur, status="disabled")


def test_login_attempt_requires_ip(cur):
    with rejected(cur, pgerr.NotNullViolation):
        cur.execute("INSERT INTO login_attempt (username, ip, success) VALUES ('a', NULL, false)")
    cur.execute("INSERT INTO login_attempt (username, ip, success) VALUES (NULL, '10.0.0.1', false)")


def test_operation_log_system_actor(cur):
    cur.execute("""INSERT INTO operation_log (operator_id, operator_name, operation_type, operation_desc, success)
                   VALUES (NULL, 'camp-worker', 'CAMP_STATUS', 'not_started → ongoing', true)""")
    with rejected(cur, pgerr.NotNullViolation):
        cur.execute("""INSERT INTO operation_log (operator_name, operation_type, operation_desc, success)
                       VALUES (NULL, 'X', 'y', true)""")


def test_config_type_restricted_and_key_unique(cur):
    with rejected(cur, pgerr.CheckViolation):
        cur.execute("INSERT INTO system_config (config_key, config_type) VALUES ('x.y', 'blob')")
    with rejected(cur, pgerr.UniqueViolation):
        cur.execute("INSERT INTO system_config (config_key) VALUES ('refund.grace_days')")
    uid = make_user(cur)
    key = f"test.{_u()}"
    cur.execute("INSERT INTO system_config (config_key, config_value, config_type) VALUES (%s, '1', 'number')", (key,))
    cur.execute("UPDATE system_config SET config_value = '2', updated_by = %s WHERE config_key = %s", (uid, key))


def test_updated_at_trigger(cur):
    cid = make_camp(cur, created_at="2020-01-01T00:00:00Z", updated_at="2020-01-01T00:00:00Z")
    cur.execute("UPDATE training_camp SET status = 'ongoing' WHERE id = %s", (cid,))
    assert one(cur, "SELECT updated_at > '2020-01-02'::timestamptz FROM training_camp WHERE id = %s", (cid,))[0]


def test_camp_member_relation_role_restricted(cur):
    cid, uid = make_camp(cur), make_user(cur, role="coach")
    with rejected(cur, pgerr.CheckViolation):
        cur.execute("INSERT INTO camp_member_relation (camp_id, user_id, role_type) VALUES (%s, %s, 'admin')", (cid, uid))
    cur.execute("INSERT INTO camp_member_relation (camp_id, user_id, role_type) VALUES (%s, %s, 'coach')", (cid, uid))
    with rejected(cur, pgerr.UniqueViolation):
        cur.execute("INSERT INTO camp_member_relation (camp_id, user_id, role_type) VALUES (%s, %s, 'coach')", (cid, uid))


# --------------------------------------------------------------------------------------
# access_token, jobs, notifications
# --------------------------------------------------------------------------------------

def test_access_token(cur):
    cid = make_camp(cur)
    mid, pid = paid_member_with_payment(cur, cid, "1")
    sql = """INSERT INTO access_token (token_sha256, payment_id, camp_id, member_id, status, expires_at)
             VALUES (%s, %s, %s, %s, %s, now() + interval '30 days')"""
    def tok():
        return hashlib.sha256(uuid.uuid4().bytes).hexdigest()
    t = tok()
    cur.execute(sql, (t, pid, cid, mid, "active"))
    with rejected(cur, pgerr.UniqueViolation):
        cur.execute(sql, (t, pid, cid, mid, "active"))
    with rejected(cur, pgerr.CheckViolation):
        cur.execute(sql, (tok(), pid, cid, mid, "used"))
    with rejected(cur, pgerr.CheckViolation):
        cur.execute(sql, (tok().upper(), pid, cid, mid, "active"))
    with rejected(cur, pgerr.ForeignKeyViolation):
        cur.execute(sql, (tok(), 987654321, cid, mid, "active"))
    for s in ("bound", "expired", "revoked"):
        cur.execute(sql, (tok(), pid, cid, None, s))


def test_job_queue_and_run(cur):
    qid = one(cur, "INSERT INTO job_queue (kind) VALUES ('sync-checkins') RETURNING id")[0]
    row = one(cur, "SELECT state, args, progress FROM job_queue WHERE id = %s", (qid,))
    assert row == ("queued", {}, {})
    with rejected(cur, pgerr.CheckViolation):
        cur.execute("INSERT INTO job_queue (kind, state) VALUES ('x', 'paused')")
    rid = one(cur, "INSERT INTO job_run (job, queue_id, host) VALUES ('sync-checkins', %s, 'h1') RETURNING id", (qid,))[0]
    assert one(cur, "SELECT outcome FROM job_run WHERE id = %s", (rid,))[0] == "running"
    with rejected(cur, pgerr.CheckViolation):
        cur.execute("INSERT INTO job_run (job, outcome) VALUES ('notify', 'ok')")
    with rejected(cur, pgerr.ForeignKeyViolation):
        cur.execute("INSERT INTO job_run (job, queue_id) VALUES ('notify', 987654321)")
    for o in ("success", "failed", "skipped"):
        cur.execute("INSERT INTO job_run (job, outcome) VALUES ('notify', %s)", (o,))


def test_notification_send_status_restricted(cur):
    sql = """INSERT INTO notification_message (recipient_type, recipient_id, message_type, title, content, channel, send_status)
             VALUES ('admin', 1, 'refund_failed', 't', 'c', 'wechat', %s)"""
    with rejected(cur, pgerr.CheckViolation):
        cur.execute(sql, ("queued",))
    for s in ("pending", "sent", "failed", "cancelled"):      # cancelled: issue #16
        cur.execute(sql, (s,))


def test_robot_send_log_restricted(cur):
    """issue #16: one row per robot message, by the key's SHA-256 (never the key)."""
    sql = "INSERT INTO robot_send_log (key_sha256, lines, bytes, sent_at) VALUES (%s, %s, %s, now())"
    with rejected(cur, pgerr.CheckViolation):
        cur.execute(sql, ("the-key-itself", 1, 10))
    with rejected(cur, pgerr.CheckViolation):
        cur.execute(sql, ("a" * 64, 1, 4097))
    cur.execute(sql, ("a" * 64, 40, 4096))


# --------------------------------------------------------------------------------------
# payment_transaction, payment_audit_log, payment_exception
# --------------------------------------------------------------------------------------

def test_payment_transaction(cur):
    cid = make_camp(cur)
    pid = make_payment(cur, cid)
    sql = """INSERT INTO payment_transaction (transaction_id, payment_id, out_trade_no, trade_type,
                 trade_state, amount_total, payer_total, success_time, openid_sealed, raw_sealed, source)
             VALUES (%s, %s, 'CD1', 'JSAPI', 'SUCCESS', 9900, 9900, now(), %s, %s, %s) RETURNING id"""
    oid, raw = seal("payment_transaction.openid#x", "o1"), seal("payment_transaction.raw#x", "{}")
    tx = one(cur, sql, (f"42{RUN}00", pid, oid, raw, "notify"))[0]
    with rejected(cur, pgerr.UniqueViolation):
        cur.execute(sql, (f"42{RUN}00", pid, oid, raw, "query"))
    with rejected(cur, pgerr.CheckViolation):
        cur.execute(sql, (f"42{RUN}01", pid, oid, raw, "webhook"))
    cur.execute(sql, (None, pid, None, None, "query"))
    cur.execute(sql, (None, None, None, None, "bill"))
    cur.execute("""INSERT INTO payment_audit_log (payment_id, transaction_row_id, action_type, request_sealed, response_sealed)
                   VALUES (%s, %s, 'NOTIFY', %s, %s)""",
                (pid, tx, seal("payment_audit_log.request_data#x", '{"a":1}'),
                 seal("payment_audit_log.response_data#x", '{"code":"SUCCESS"}')))
    cur.execute("INSERT INTO payment_audit_log (action_type, error_message) VALUES ('NOTIFY_REJECTED', 'bad signature')")
    with rejected(cur, pgerr.NotNullViolation):
        cur.execute("INSERT INTO payment_audit_log (action_type) VALUES (NULL)")


def test_payment_exception_deduplicated_by_transaction_id(cur):
    cid = make_camp(cur)
    sql = """INSERT INTO payment_exception (out_trade_no, transaction_id, camp_id, amount_fen, payer_openid_sealed, reason)
             VALUES ('CD9', %s, %s, 100, '""" + seal("payment_exception.payer_openid#x", "o1") + """', %s)"""
    cur.execute(sql, (f"42{RUN}00", cid, "wrong_amount"))
    with rejected(cur, pgerr.UniqueViolation):
        cur.execute(sql, (f"42{RUN}00", cid, "wrong_amount"))
    cur.execute(sql, (None, cid, "other"))
    cur.execute(sql, (None, cid, "other"))
    with rejected(cur, pgerr.CheckViolation):
        cur.execute(sql, (f"42{RUN}01", cid, "bad_luck"))
    for i, r in enumerate(("unknown_order", "order_closed", "duplicate_planet_id")):
        cur.execute(sql, (f"42{RUN}3{i}", cid, r))
    tx = f"42{RUN}00"
    assert one(cur, "SELECT status FROM payment_exception WHERE transaction_id = %s", (tx,))[0] == "open"
    with rejected(cur, pgerr.CheckViolation):
        cur.execute("UPDATE payment_exception SET status = 'closed' WHERE transaction_id = %s", (tx,))
    for s in ("refunding", "refunded", "resolved"):
        cur.execute("UPDATE payment_exception SET status = %s WHERE transaction_id = %s", (s, tx))


# --------------------------------------------------------------------------------------
# views and functions
# --------------------------------------------------------------------------------------

def _stats_fixture(cur):
    """Camp with member A (an expired order, then a paid one, refunded in full),
    member B (paid, refund failed) and member C (unpaid, order pending)."""
    cid = make_camp(cur, deposit="99.00")
    a = make_member(cur, cid, "A1", paid=True, checkin_rate=100, match_status="matched",
                    joined_group=True, eligible_for_refund=True)
    b = make_member(cur, cid, "B1", paid=True, checkin_rate=50)
    c = make_member(cur, cid, "C1", paid=False, checkin_rate=0)
    make_payment(cur, cid, a, status="closed")
    pa = make_payment(cur, cid, a, status="success")
    pb = make_payment(cur, cid, b, status="success")
    make_payment(cur, cid, c, status="pending")
    make_refund(cur, pa, status="success", audit="approved", out_refund_no=f"RSA{RUN}")
    make_refund(cur, pb, status="failed", audit="approved", out_refund_no=f"RSB{RUN}")
    return cid, a, b, c, pa, pb


def test_camp_statistics_no_double_counting(cur):
    cid, *_ = _stats_fixture(cur)
    cur.execute("""SELECT member_count, pending_member_count, matched_count, joined_count,
                          eligible_count, avg_checkin_rate, paid_count, total_paid,
                          total_refunded, net_income, pending_refund_count,
                          success_refund_count, failed_refund_count, refund_completion_rate
                     FROM v_camp_statistics WHERE camp_id = %s""", (cid,))
    row = cur.fetchone()
    cols = [d[0] for d in cur.description]
    got = dict(zip(cols, row))
    assert got["member_count"] == 2
    assert got["pending_member_count"] == 1
    assert got["matched_count"] == 1
    assert got["joined_count"] == 1
    assert got["eligible_count"] == 1
    assert float(got["avg_checkin_rate"]) == 75.0
    assert got["paid_count"] == 2
    assert float(got["total_paid"]) == 198.0
    assert float(got["total_refunded"]) == 99.0
    assert float(got["net_income"]) == 99.0
    assert got["pending_refund_count"] == 0
    assert got["success_refund_count"] == 1
    assert got["failed_refund_count"] == 1
    assert float(got["refund_completion_rate"]) == 50.0


def test_camp_statistics_empty_camp(cur):
    cid = make_camp(cur)
    row = one(cur, """SELECT member_count, avg_checkin_rate, total_paid, total_refunded,
                             net_income, refund_completion_rate, open_exception_count
                        FROM v_camp_statistics WHERE camp_id = %s""", (cid,))
    assert [float(x) for x in row] == [0, 0, 0, 0, 0, 0, 0]


def test_member_full_info_one_row_per_member(cur):
    cid, a, b, c, pa, pb = _stats_fixture(cur)
    cur.execute("""SELECT member_id, paid, payment_id, pay_status, refund_status
                     FROM v_member_full_info WHERE camp_id = %s ORDER BY member_id""", (cid,))
    rows = cur.fetchall()
    assert [r[0] for r in rows] == [a, b, c]
    assert rows[0][1:] == (True, pa, "success", "success")
    assert rows[1][1:] == (True, pb, "success", "failed")
    assert rows[2][1] is False and rows[2][3] == "pending" and rows[2][4] is None


def test_update_member_checkin_stats(cur):
    cid = make_camp(cur, start_date="2025-11-01", end_date="2025-11-10",
                    total_days=10, required_days=3)
    z1, z2 = f"Z1{RUN}", f"Z2{RUN}"
    pu = one(cur, "INSERT INTO planet_user (planet_user_id, planet_nickname) VALUES (%s, 'z') RETURNING id", (z1,))[0]
    pu2 = one(cur, "INSERT INTO planet_user (planet_user_id, planet_nickname) VALUES (%s, 'y') RETURNING id", (z2,))[0]
    paid = make_member(cur, cid, z1, paid=True, planet_user_id=pu)
    unpaid = make_member(cur, cid, z2, paid=False, planet_user_id=pu2)
    for d in ("2025-11-02", "2025-11-03", "2025-10-31"):   # last one is before the camp
        cur.execute("""INSERT INTO checkin_record (camp_id, planet_user_id, checkin_date, checkin_time)
                       VALUES (%s, %s, %s, %s::date + time '08:00')""", (cid, pu, d, d))
        cur.execute("""INSERT INTO checkin_record (camp_id, planet_user_id, checkin_date, checkin_time)
                       VALUES (%s, %s, %s, %s::date + time '08:00')""", (cid, pu2, d, d))
    with rejected(cur, pgerr.UniqueViolation):
        cur.execute("""INSERT INTO checkin_record (camp_id, planet_user_id, checkin_date, checkin_time)
                       VALUES (%s, %s, '2025-11-02', now())""", (cid, pu))

    cur.execute("SELECT update_member_checkin_stats(%s, 0)", (cid,))
    row = one(cur, "SELECT checkin_count, checkin_rate, eligible_for_refund, last_checkin_time IS NOT NULL FROM camp_member WHERE id = %s", (paid,))
    assert (row[0], float(row[1]), row[2], row[3]) == (2, 66.67, False, True)

    cur.execute("SELECT update_member_checkin_stats(%s, 1)", (cid,))
    assert one(cur, "SELECT eligible_for_refund FROM camp_member WHERE id = %s", (paid,))[0] is True
    cur.execute("SELECT update_member_checkin_stats(%s)", (cid,))   # default grace = 1
    assert one(cur, "SELECT eligible_for_refund FROM camp_member WHERE id = %s", (paid,))[0] is True

    row = one(cur, "SELECT checkin_count, eligible_for_refund FROM camp_member WHERE id = %s", (unpaid,))
    assert row == (0, False)

    with rejected(cur, pgerr.RaiseException):
        cur.execute("SELECT update_member_checkin_stats(%s, -1)", (cid,))
