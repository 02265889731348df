"""conftest.py: fixtures for the integration tests (the running test instance).

`./dev test` brings up the test instance (PostgreSQL, nginx, both camp-web
pools, camp-sim, camp-worker) and runs pytest with CAMP_ROOT set; the tests
speak HTTP to nginx and look into PostgreSQL, exactly as an operator would.
"""
import os
import pathlib
import subprocess

import psycopg2
import pytest
import requests

ROOT = pathlib.Path(os.environ.get("CAMP_ROOT", pathlib.Path(__file__).resolve().parents[2]))
INSTANCE = os.environ.get("CAMP_INSTANCE", "test")
VAR = ROOT / "var" / INSTANCE


def read_env():
    env = {}
    path = VAR / "camp.env"
    if not path.exists():
        pytest.exit(f"{path} is missing: run ./dev test", returncode=2)
    for line in path.read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            k, v = line.split("=", 1)
            env[k] = v
    return env


ENV = read_env()
HTTP = ENV["CAMP_HTTP_URL"]
HTTPS = ENV["CAMP_BASE_URL"]
SIM = ENV["CAMP_SIM_URL"]
CA = str(VAR / "ca.pem")


def dsn():
    """psycopg2 speaks libpq URLs: the instance's own CAMP_DB_URL."""
    return ENV["CAMP_DB_URL"]


@pytest.fixture
def env():
    return dict(ENV)


@pytest.fixture
def http():
    """A requests session against the instance's plain-HTTP port."""
    s = requests.Session()
    s.verify = CA
    yield s
    s.close()


@pytest.fixture
def db():
    """A connection with autocommit off; whatever a test writes is rolled back."""
    conn = psycopg2.connect(dsn())
    try:
        yield conn
    finally:
        conn.rollback()
        conn.close()


@pytest.fixture
def dbc():
    """An autocommit connection for tests that set up committed state."""
    conn = psycopg2.connect(dsn())
    conn.autocommit = True
    try:
        yield conn
    finally:
        conn.close()


def campctl(*args, input=None, check=True):
    """Runs the installed campctl with the instance's environment."""
    e = dict(os.environ)
    e.update(ENV)
    return subprocess.run([ENV["CAMP_RUNTIME_DIR"] + "/app/bin/campctl", *args],
                          input=input, capture_output=True, text=True, env=e, check=check)


def admin_password():
    return (VAR / "admin-password").read_text().strip()


def pg_ctl(action):
    """Stops or starts the test instance's PostgreSQL (as its unprivileged owner)."""
    rt = ENV["CAMP_RUNTIME_DIR"]
    cmd = ["setpriv", "--reuid=camp", "--regid=camp", "--init-groups", "--",
           "/usr/lib/postgresql/15/bin/pg_ctl", "-D", rt + "/pg", "-w", "-t", "30"]
    if action == "start":
        cmd += ["-l", ENV["CAMP_LOG_DIR"] + "/postgresql.log", "-o",
                f"-c listen_addresses='' -k {rt}/run -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off", "start"]
    else:
        cmd += ["-m", "fast", "stop"]
    subprocess.run(cmd, check=True, capture_output=True)
