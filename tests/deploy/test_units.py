"""The shipped systemd units: systemd accepts them, every timer starts its job, and every job runs a command
the app has. (dialogue@.service itself runs in test_scale_out.py, the backup job in test_backup.py.)"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tests.conftest import make_app, skip_or_fail
from tests.deploy import shipped

pytestmark = pytest.mark.deploy

JOBS = {  # the README's scheduled commands and how often they run
    "dialogue-mail-send": (["mail", "send"], "minutely"),
    "dialogue-events-purge": (["events", "purge"], "daily"),
    "dialogue-steering-send-feedback": (["steering", "send-feedback"], "daily"),
    "dialogue-steering-purge": (["steering", "purge"], "daily"),
    "dialogue-backup": (["backup", "create", "/var/backups/dialogue", "--keep", "14"], "daily"),
    "dialogue-export-purge": (["export", "purge"], "hourly"),
}


def test_systemd_accepts_the_units(tmp_path):
    if shutil.which("systemd-analyze") is None:
        skip_or_fail("systemd-analyze is not installed (Debian: systemd)")
    names = sorted(p.name for p in shipped.SYSTEMD.iterdir())
    for name in names:  # with this checkout and virtual environment in place of /srv/dialogue, which must exist
        text = (shipped.SYSTEMD / name).read_text()
        (tmp_path / name).write_text(text.replace(shipped.SERVER_VENV_BIN, str(shipped.VENV_BIN))
                                     .replace(shipped.SERVER_APP, str(shipped.ROOT)))
    units = [f"./{name.replace('@.', '@8000.')}" for name in names]
    result = subprocess.run(["systemd-analyze", "verify", "--man=no", *units], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and not result.stdout.strip() and not result.stderr.strip(), result.stderr


def test_every_job_has_its_timer_and_runs_a_command_the_app_has(tmp_path):
    services = {p.stem for p in shipped.SYSTEMD.glob("dialogue-*.service")}
    timers = {p.stem for p in shipped.SYSTEMD.glob("dialogue-*.timer")}
    assert services == timers == set(JOBS)
    runner = make_app(f"sqlite:///{tmp_path / 'unused.sqlite3'}", tmp_path).test_cli_runner()
    for name, (command, schedule) in JOBS.items():
        argv, _env, cwd = shipped.service_command(f"{name}.service")
        assert argv[:3] == [str(shipped.VENV_BIN / "flask"), "--app", "wsgi"] and cwd == shipped.ROOT
        assert argv[3:] == command, name
        result = runner.invoke(args=[*command, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output, (name, result.output)
        timer = shipped.read_unit(f"{name}.timer")
        (calendar,) = timer["Timer"]["OnCalendar"]
        if schedule in ("minutely", "hourly"):
            assert calendar == schedule, name
        else:
            assert re.fullmatch(r"\*-\*-\* \d\d:\d\d", calendar), name
        assert timer["Install"]["WantedBy"] == ["timers.target"]


def test_the_app_unit_is_a_template_per_port():
    service = shipped.read_unit("dialogue@.service")["Service"]
    assert service["Environment"] == ["BIND=127.0.0.1:%i"]
    argv, env, _cwd = shipped.service_command("dialogue@.service", instance="8001")
    assert env == {"BIND": "127.0.0.1:8001"}
    assert argv == [str(shipped.VENV_BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"]
    # the ports the shipped nginx site sends to are the instances the README enables
    upstreams = (shipped.NGINX_INCLUDES / "upstreams.conf").read_text()
    assert "server 127.0.0.1:8000;" in upstreams and "server 127.0.0.1:8001;" in upstreams
