"""test_migrate.py: migrations apply from empty, record themselves, and re-run as a no-op."""
import os
import subprocess

import psycopg2

from conftest import ENV, campctl


def test_rerun_is_noop():
    r = campctl("migrate")
    assert r.returncode == 0
    assert r.stdout.strip() == "up to date"


def test_every_file_recorded(db):
    sql_dir = ENV["CAMP_SQL_DIR"]
    files = sorted(f for f in os.listdir(sql_dir) if f.endswith(".sql") and f[:3].isdigit())
    cur = db.cursor()
    cur.execute("SELECT version FROM schema_migrations ORDER BY version")
    assert [r[0] for r in cur.fetchall()] == files


def test_from_empty_database():
    """A brand-new database migrates fully with the same tool."""
    base = ENV["CAMP_DB_URL"]
    admin = psycopg2.connect(base.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    cur = admin.cursor()
    cur.execute("DROP DATABASE IF EXISTS camp_migrate_check")
    cur.execute("CREATE DATABASE camp_migrate_check")
    try:
        env = dict(os.environ)
        env.update(ENV)
        env["CAMP_DB_URL"] = base.rsplit("/", 1)[0] + "/camp_migrate_check"
        r = subprocess.run([ENV["CAMP_RUNTIME_DIR"] + "/app/bin/campctl", "migrate"],
                           env=env, capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        assert r.stdout.startswith("applied ")
        r2 = subprocess.run([ENV["CAMP_RUNTIME_DIR"] + "/app/bin/campctl", "migrate"],
                            env=env, capture_output=True, text=True)
        assert r2.stdout.strip() == "up to date"
    finally:
        cur.execute("DROP DATABASE IF EXISTS camp_migrate_check")
        admin.close()
