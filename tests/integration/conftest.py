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
# requests lets REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE override a session's own
# `verify`; the instance is signed by its dev CA, so the tests say so explicitly
for _var in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
    os.environ.pop(_var, None)
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


# ---------------------------------------------------------------- sessions
# An admin session cookie minted the way camp-web does (src/web/session.c):
# HS256 JWT {uid, epoch, iat, exp}, key = HKDF-SHA256(master key, no salt,
# info "camp-jwt-v1"); the master key is the key file minus one trailing newline.
import base64 as _b64
import hashlib as _hashlib
import hmac as _hmac
import json as _json
import time as _time


def _hkdf_sha256(ikm, info, length=32):
    prk = _hmac.new(b"\0" * 32, ikm, _hashlib.sha256).digest()
    out, block, i = b"", b"", 1
    while len(out) < length:
        block = _hmac.new(prk, block + info + bytes([i]), _hashlib.sha256).digest()
        out += block
        i += 1
    return out[:length]


def _b64url(raw):
    return _b64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def session_cookie(user_id, epoch=1, ttl=3600):
    """{"camp_session": token} for system_user user_id at its session_epoch."""
    raw = pathlib.Path(ENV["CAMP_MASTER_KEY_FILE"]).read_bytes()
    if raw.endswith(b"\n"):
        raw = raw[:-1]
    key = _hkdf_sha256(raw, b"camp-jwt-v1")
    now = int(_time.time())
    header = _b64url(_json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = _b64url(_json.dumps({"uid": user_id, "epoch": epoch, "iat": now,
                                  "exp": now + ttl}).encode())
    signing_input = f"{header}.{claims}".encode()
    sig = _b64url(_hmac.new(key, signing_input, _hashlib.sha256).digest())
    return {"camp_session": f"{header}.{claims}.{sig}"}
# --- admin accounts and sessions (issue #5) ----------------------------------
import re as _re
import secrets as _secrets
import tempfile as _tempfile

_CSRF_RE = _re.compile(r'name="_csrf" value="([0-9a-f]{64})"')


def csrf_of(html):
    """The _csrf token a page's forms carry."""
    m = _CSRF_RE.search(html)
    assert m, "no _csrf token on the page"
    return m.group(1)


def login(session, username, password, base=None):
    """Signs in through the form (GET for the CSRF cookie and token, then POST);
    returns the POST response (303 to /admin/ on success)."""
    base = base or HTTP
    page = session.get(base + "/admin/login", timeout=10)
    return session.post(base + "/admin/login", data={
        "_csrf": csrf_of(page.text), "username": username, "password": password,
    }, allow_redirects=False, timeout=10)


def new_session():
    import requests as _rq
    s = _rq.Session()
    s.verify = CA
    return s


def add_user(role, name=None, password=None):
    """Creates a user with campctl; returns (username, password)."""
    name = name or f"t_{role}_{_secrets.token_hex(4)}"
    password = password or "pw-" + _secrets.token_urlsafe(12)
    with _tempfile.NamedTemporaryFile("w", suffix=".pw") as f:
        f.write(password + "\n")
        f.flush()
        os.chmod(f.name, 0o644)
        campctl("user", "add", name, "--role", role, "--password-file", f.name)
    return name, password


@pytest.fixture
def make_user():
    """make_user(role) → (username, password) of a fresh user with that role."""
    return add_user


@pytest.fixture
def as_role():
    """as_role(role) → a requests session signed in as a fresh user of that role."""
    sessions = []

    def sign_in(role):
        name, pw = add_user(role)
        s = new_session()
        r = login(s, name, pw)
        assert r.status_code == 303, r.text
        s.username, s.password = name, pw
        sessions.append(s)
        return s
    yield sign_in
    for s in sessions:
        s.close()
# --- end admin accounts and sessions ------------------------------------------


# --- issue #17: the restore drill replaces the instance's database: it runs last ---------
def pytest_configure(config):
    config.addinivalue_line("markers", "runs_last: run after every other integration test "
                                       "(the restore drill wipes and restores the database)")


def pytest_collection_modifyitems(session, config, items):
    items.sort(key=lambda item: item.get_closest_marker("runs_last") is not None)
# --- end issue #17 ------------------------------------------------------------------------
# --- issue #14: the suite's open camps leave the H5 list when it ends ---


@pytest.fixture(scope="session", autouse=True)
def camps_off_h5():
    """The H5 list shows at most 100 camps and the suite opens more than that: when it ends,
    the camps it opened are finished, so the browser tests, which run next, find the camps
    they create on the list (admin.test.mjs: a camp made through the form, starting in 2 days)."""
    conn = psycopg2.connect(dsn())
    conn.autocommit = True
    try:
        cur = conn.cursor()
        cur.execute("SELECT COALESCE(max(id), 0) FROM training_camp")
        first = cur.fetchone()[0]
    finally:
        conn.close()
    yield
    conn = psycopg2.connect(dsn())
    conn.autocommit = True
    try:
        conn.cursor().execute("UPDATE training_camp SET status = 'finished' WHERE id > %s"
                              " AND status <> 'finished' AND deleted_at IS NULL", (first,))
    finally:
        conn.close()
# --- end issue #14 ---
