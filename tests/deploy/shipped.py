"""The shipped deployment files under deploy/, read the way systemd and nginx read them.

The tests run these files, not copies: a unit's ExecStart, WorkingDirectory and Environment= with this
checkout and this virtual environment in place of /srv/dialogue/{app,venv}; deploy/env.example with
the test's database, Redis and mail server in place of the example values; and the nginx site itself,
with only its includes written by the test.
"""

from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SYSTEMD = DEPLOY / "systemd"
NGINX_SITE = DEPLOY / "nginx" / "dialogue.conf"
NGINX_INCLUDES = DEPLOY / "nginx" / "dialogue"
VENV_BIN = Path(sys.executable).parent

# Where the units expect things on a server, and where they are here.
SERVER_APP = "/srv/dialogue/app"
SERVER_VENV_BIN = "/srv/dialogue/venv/bin"
SERVER_ENV_FILE = "/etc/dialogue/env"


def read_unit(name: str) -> dict[str, dict[str, list[str]]]:
    """A unit file as {section: {key: [values in order]}} (keys such as Environment= repeat)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current = None
    for raw in (SYSTEMD / name).read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        key, _sep, value = line.partition("=")
        assert current is not None, f"{name}: {line!r} outside a section"
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def _localize(text: str, instance: str | None, replacements: dict[str, str]) -> str:
    if instance is not None:
        text = text.replace("%i", instance)
    assert "%" not in text, f"unexpected specifier in {text!r}"
    text = text.replace(SERVER_VENV_BIN, str(VENV_BIN)).replace(SERVER_APP, str(ROOT))
    for server_path, local_path in replacements.items():
        text = text.replace(server_path, local_path)
    return text


def service_command(name: str, instance: str | None = None,
                    replacements: dict[str, str] | None = None) -> tuple[list[str], dict[str, str], Path]:
    """(argv, Environment= values, working directory) of a service's one ExecStart, for this checkout."""
    service = read_unit(name)["Service"]
    replacements = replacements or {}
    (exec_start,) = service["ExecStart"]
    assert service["EnvironmentFile"] == [SERVER_ENV_FILE], f"{name} reads {service.get('EnvironmentFile')}"
    argv = [_localize(part, instance, replacements) for part in shlex.split(exec_start)]
    environment = {}
    for assignment in service.get("Environment", []):
        for item in shlex.split(assignment):
            key, _sep, value = item.partition("=")
            environment[key] = _localize(value, instance, replacements)
    (workdir,) = service["WorkingDirectory"]
    return argv, environment, Path(_localize(workdir, instance, replacements))


def env_example() -> dict[str, str]:
    """deploy/env.example as systemd's EnvironmentFile= reads it (KEY=value lines, # comments)."""
    values = {}
    for line in (DEPLOY / "env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, sep, value = line.partition("=")
            assert sep and re.fullmatch(r"[A-Z_][A-Z0-9_]*", key), f"env.example: {line!r}"
            values[key] = value
    return values


def server_environment(**overrides: str) -> dict[str, str]:
    """The environment a unit's process gets: env.example with this host's values in place of the examples.

    Only settings env.example holds may be overridden this way, so that it names everything a server needs.
    """
    shipped = env_example()
    unknown = set(overrides) - set(shipped)
    assert not unknown, f"env.example lacks {sorted(unknown)}"
    return {"PATH": f"{VENV_BIN}:/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", **shipped, **overrides}


def directives(path: Path) -> set[str]:
    """The directive names at the top level of an nginx include (a block by its opening word)."""
    names = set()
    depth = 0
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if depth == 0:
            names.add(line.split()[0])
        depth += line.count("{") - line.count("}")
    return names
