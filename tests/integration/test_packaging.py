"""test_packaging.py: `make install DESTDIR=…` installs what the systemd units start; the units verify; camp-backup works."""
import gzip
import os
import re
import shutil
import signal
import subprocess
import time

import pytest

from conftest import ROOT, ENV

BUILD = ROOT / "build"


def make_var(name):
    m = re.search(rf"^{name} = (.*)$", (BUILD / "Makefile").read_text(), re.M)
    return m.group(1).strip() if m else ""


@pytest.fixture(scope="module")
def dest(tmp_path_factory):
    if not (BUILD / "Makefile").exists():
        pytest.skip("no plain build tree (./dev test makes one)")
    d = tmp_path_factory.mktemp("destdir")
    subprocess.run(["make", "-s", "-C", str(BUILD), "install", f"DESTDIR={d}"],
                   check=True, capture_output=True)
    return d


def prefix():
    return make_var("prefix")


def built_programs():
    return make_var("bin_PROGRAMS").split()


def units(dest):
    udir = dest / (prefix().lstrip("/") + "/lib/systemd/system")
    found = sorted(p for p in udir.iterdir() if p.suffix in (".service", ".timer"))
    assert {p.name for p in found} >= {"camp-web.service", "camp-pay.service", "camp-worker.service",
                                       "camp-backup.service", "camp-backup.timer"}
    return found


def unbuilt(unit_text):
    """Programs a unit starts that this branch does not build yet (camp-worker before its merge)."""
    return [p for p in ("camp-worker",) if f"/bin/{p}" in unit_text and p not in built_programs()]


def exec_paths(text):
    for line in text.splitlines():
        m = re.match(r"^Exec\w+=[-@+!:]*(.*)$", line)
        if m:
            for tok in m.group(1).split():
                if tok.startswith("/") and not tok.startswith("/run/"):
                    yield tok


def test_every_exec_path_is_installed_or_on_the_system(dest):
    checked = 0
    for u in units(dest):
        text = u.read_text()
        skip = unbuilt(text)
        for path in exec_paths(text):
            if any(path.endswith("/" + p) for p in skip):
                continue
            if path.startswith(prefix() + "/"):
                real = dest / path.lstrip("/")
                assert real.is_file() and os.access(real, os.X_OK), f"{u.name}: {path} not installed"
            else:
                assert os.access(path, os.X_OK), f"{u.name}: {path} missing on this system"
            checked += 1
    assert checked >= 8


def test_units_are_rendered_with_the_configured_paths(dest):
    web = (dest / (prefix().lstrip("/") + "/lib/systemd/system/camp-web.service")).read_text()
    assert "@" not in web.replace("@sysconfdir", "")
    assert f"EnvironmentFile={make_var('sysconfdir').replace('${prefix}', prefix())}/camp-deposit/camp.env" in web
    assert "--pool web" in web and "-M 0660" in web and "RuntimeDirectory=camp-deposit" in web
    assert "NoNewPrivileges=yes" in web and "ProtectSystem=strict" in web
    site = (dest / (prefix().lstrip("/") + "/share/camp-deposit/nginx/camp-deposit.conf")).read_text()
    assert f"alias {prefix()}/share/camp-deposit/static/;" in site


def test_systemd_analyze_verify(dest, tmp_path):
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed here")
    # the installed units with their paths moved under DESTDIR, so that
    # verify's "is the command executable" check looks at what was installed
    files = []
    expected = []
    for u in units(dest):
        text = u.read_text().replace(prefix() + "/", str(dest) + prefix() + "/")
        (tmp_path / u.name).write_text(text)
        files.append(str(tmp_path / u.name))
        expected += unbuilt(u.read_text())
    r = subprocess.run(["systemd-analyze", "verify", *files], capture_output=True, text=True,
                       cwd=tmp_path)
    problems = [l for l in (r.stdout + r.stderr).splitlines()
                if l.strip() and not any(f"/bin/{p} is not executable" in l for p in expected)]
    if any("Failed to" in l and "bus" in l.lower() for l in problems):
        pytest.skip("systemd-analyze cannot run here: " + problems[0])
    assert problems == [], "\n".join(problems)


def test_camp_backup_dumps_gzip_and_keeps_seven_days(dest, tmp_path):
    script = dest / (prefix().lstrip("/") + "/libexec/camp-deposit/camp-backup")
    old = tmp_path / "camp-20000101T000000Z.sql.gz"
    recent = tmp_path / "camp-20000102T000000Z.sql.gz"
    other = tmp_path / "notes.txt"
    for f in (old, recent, other):
        f.write_bytes(b"x")
    now = time.time()
    os.utime(old, (now - 8 * 86400, now - 8 * 86400))
    os.utime(recent, (now - 3 * 86400, now - 3 * 86400))
    os.utime(other, (now - 30 * 86400, now - 30 * 86400))
    # issue #17: their checksum files go with them
    old_sum, recent_sum = (tmp_path / (old.name + ".sha256"), tmp_path / (recent.name + ".sha256"))
    for f, age in ((old_sum, 8), (recent_sum, 3)):
        f.write_text("x")
        os.utime(f, (now - age * 86400, now - age * 86400))
    # the installed script records its run with campctl (here the test instance's)
    env = dict(os.environ, CAMP_DB_URL=ENV["CAMP_DB_URL"], CAMP_BACKUP_DIR=str(tmp_path),
               CAMP_CTL=ENV["CAMP_RUNTIME_DIR"] + "/app/bin/campctl")
    r = subprocess.run([str(script)], env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert not old_sum.exists() and recent_sum.exists()
    dumps = sorted(p for p in tmp_path.glob("camp-*.sql.gz") if p not in (old, recent))
    assert len(dumps) == 1
    sql = gzip.decompress(dumps[0].read_bytes()).decode()
    assert "CREATE TABLE public.training_camp" in sql
    assert not old.exists() and recent.exists() and other.exists()
    assert not list(tmp_path.glob(".*partial"))


def test_camp_backup_fails_without_leaving_a_file(dest, tmp_path):
    script = dest / (prefix().lstrip("/") + "/libexec/camp-deposit/camp-backup")
    env = dict(os.environ, CAMP_DB_URL="postgresql://camp@%2Fnonexistent/camp",
               CAMP_BACKUP_DIR=str(tmp_path))
    r = subprocess.run([str(script)], env=env, capture_output=True, text=True)
    assert r.returncode != 0
    assert list(tmp_path.iterdir()) == []


# --- issue #17: journal, logrotate -----------------------------------------------------

def sysconfdir():
    return make_var("sysconfdir").replace("${prefix}", prefix())


def test_units_log_to_the_journal_under_their_name(dest):
    for u in units(dest):
        if u.suffix != ".service":
            continue
        text = u.read_text()
        assert "StandardOutput=journal" in text and "StandardError=journal" in text, u.name
        assert f"SyslogIdentifier={u.stem}" in text, u.name


def test_logrotate_file_rotates_the_site_logs(dest, tmp_path):
    conf = dest / sysconfdir().lstrip("/") / "logrotate.d" / "camp-deposit"
    assert conf.is_file(), "make install puts the logrotate file in place"
    text = conf.read_text()
    site = (dest / (prefix().lstrip("/") + "/share/camp-deposit/nginx/camp-deposit.conf")).read_text()
    logs = re.findall(r"^\s*(?:access|error)_log\s+(/\S+?)[;\s]", site, re.M)
    assert len(logs) == 2 and all(path in text for path in logs), (logs, text)
    assert "rotate 92" in text and "compress" in text
    if shutil.which("logrotate") is None:
        pytest.skip("logrotate is not installed here")
    # a real rotation, with the paths moved into tmp_path; nginx is a process that
    # must receive USR1 (a sleep: USR1 ends it)
    nginx = subprocess.Popen(["sleep", "60"])
    (tmp_path / "nginx.pid").write_text(f"{nginx.pid}\n")
    mine = text.replace("/var/log/camp-deposit/", f"{tmp_path}/").replace("/run/nginx.pid",
                                                                         f"{tmp_path}/nginx.pid")
    (tmp_path / "rotate.conf").write_text(mine)
    for name in ("nginx-access.log", "nginx-error.log"):
        (tmp_path / name).write_text("127.0.0.1 [2026-01-01T00:00:00+08:00] \"GET /h5/\" 200\n")
    debug = subprocess.run(["logrotate", "-d", "--state", str(tmp_path / "state"),
                            str(tmp_path / "rotate.conf")], capture_output=True, text=True)
    assert debug.returncode == 0 and not re.search(r"^error:", debug.stderr, re.M), debug.stderr
    r = subprocess.run(["logrotate", "--force", "--state", str(tmp_path / "state"),
                        str(tmp_path / "rotate.conf")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    rotated = sorted(p.name for p in tmp_path.glob("nginx-access.log-*"))
    assert len(rotated) == 1, sorted(p.name for p in tmp_path.iterdir())
    assert (tmp_path / "nginx-access.log").exists() and (tmp_path / "nginx-access.log").stat().st_size == 0
    assert nginx.wait(timeout=10) == -signal.SIGUSR1, "postrotate told nginx to reopen its logs"
