"""Where a request's time in the interpreter goes: py-spy samples of gunicorn's processes, by library.

py-spy (``pip install py-spy``; optional: without it the benchmark runs and says that it made no
profile) samples gunicorn's master and workers at RATE a second without pausing them, and only
while a worker holds the GIL: waiting (for a connection, the disk, the database, SQLite's lock) drops
out, and so does C code that runs without the GIL (SQLite's own work on a statement, libpq's I/O,
the kernel's). A sample counts for the innermost frame of a library in its stack; standard-library
frames count for whoever called them (``json`` called by SQLAlchemy is SQLAlchemy's); "unattributed" are
samples with no library frame: mostly stacks py-spy could not read whole, since it does not stop the
workers to read them (a truncated stack still counts for its innermost library frame). SQLAlchemy's
own calls into the DB-API (``cursor.execute``, ``connection.commit``, ``fetchall``), innermost, count for
the driver, whose C code they are in.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

RATE = 250
MISSING = "py-spy is not installed (pip install py-spy)"
#: how many of the functions most often on the stack to show per library
TOP = {"app code": 8, "SQLAlchemy": 5}

#: the first path component of a frame's file (as py-spy shortens it) → its group
GROUPS = {
    "gunicorn": "gunicorn",
    "flask": "Flask/Werkzeug", "werkzeug": "Flask/Werkzeug", "blinker": "Flask/Werkzeug", "click": "Flask/Werkzeug",
    "flask_wtf": "Flask-WTF", "wtforms": "Flask-WTF",
    "flask_limiter": "Flask-Limiter", "limits": "Flask-Limiter",
    "sqlalchemy": "SQLAlchemy", "flask_sqlalchemy": "SQLAlchemy",
    "jinja2": "Jinja", "markupsafe": "Jinja",
    "sqlite3": "driver", "psycopg": "driver", "psycopg_binary": "driver", "psycopg_c": "driver",
    "itsdangerous": "itsdangerous",
    "flask_babel": "Babel", "babel": "Babel",
    "flask_login": "Flask-Login",
    "email_validator": "other libraries", "idna": "other libraries", "dns": "other libraries",
    "dialogue": "app code",
}
ORDER = ["gunicorn", "Flask/Werkzeug", "Flask-WTF", "Flask-Limiter", "SQLAlchemy", "Jinja", "driver", "itsdangerous",
         "Babel", "Flask-Login", "app code", "other libraries", "unattributed"]
#: SQLAlchemy's calls into the DB-API: a sample whose innermost frame is one of them is in the driver's C code
_DBAPI_CALL = re.compile(r"^(\w+Dialect\w*\.do_(execute|executemany|execute_no_params|commit|rollback|begin)"
                         r"|\w*CursorFetchStrategy\.fetch(one|many|all))$")
_FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^()]*?)(?::\d+)?\)$")


def executable() -> str | None:
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else shutil.which("py-spy")


def available() -> bool:
    return executable() is not None


class Recorder:
    """``py-spy record`` of *pid* and its children for *seconds*, raw (collapsed stacks) to *out*;
    a context manager that waits for py-spy at the end."""

    def __init__(self, pid: int, out: Path, seconds: int):
        self.command = [executable(), "record", "--pid", str(pid), "--subprocesses", "--gil", "--nonblocking",
                        "--rate", str(RATE), "--duration", str(seconds), "--format", "raw", "--output", str(out)]
        self.out = out
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Recorder:
        self.process = subprocess.Popen(self.command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        return self

    def __exit__(self, *exc) -> None:
        try:
            output, _ = self.process.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            self.process.kill()
            output, _ = self.process.communicate()
        if self.process.returncode != 0 or not self.out.exists():
            from tests.bench.harness import BenchError

            said = output.decode(errors="replace")[-2000:]
            raise BenchError(f"py-spy failed (exit {self.process.returncode}):\n{said}")


def _parse(frame: str) -> tuple[str, str]:
    """(function, file) of a py-spy frame such as ``Session.commit (sqlalchemy/orm/session.py:2032)``."""
    match = _FRAME.match(frame)
    return (match.group("function"), match.group("file")) if match else (frame, "")


def group_of(file: str) -> str | None:
    """The library a file belongs to; None for the standard library and generated code."""
    if file.startswith("<sqlalchemy generated"):
        return "SQLAlchemy"
    head = file.split("/", 1)[0] if "/" in file else ""
    return GROUPS.get(head)


def summarize(raw: Path) -> dict:
    """Samples by group (each sample once, for the innermost library frame) and the functions most often
    on the stack (cumulative), from py-spy's raw output. Every thread counts: the limiter's in-memory
    storage expires its counters in a timer thread of each worker."""
    by_group: Counter = Counter()
    cumulative: Counter = Counter()
    where: dict[str, str] = {}
    total = 0
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        frames = [_parse(frame) for frame in stack.split(";") if not frame.startswith("process ")]
        n = int(count)
        total += n
        if frames and _DBAPI_CALL.match(frames[-1][0]) and frames[-1][1].startswith("sqlalchemy/"):
            group = "driver"
        else:
            group = next((g for g in (group_of(file) for _, file in reversed(frames)) if g), "unattributed")
        by_group[group] += n
        seen = set()
        for function, file in frames:
            name = f"{function} ({file})"
            if name not in seen:
                seen.add(name)
                cumulative[name] += n
                where[name] = group_of(file) or "unattributed"
    cumulative_by_group: dict[str, list] = {}
    for name, n in cumulative.most_common():
        entries = cumulative_by_group.setdefault(where[name], [])
        if len(entries) < TOP.get(where[name], 3):
            entries.append({"function": name, "samples": n})
    return {
        "rate": RATE,
        "samples": total,
        "groups": {group: by_group[group] for group in ORDER if by_group[group]},
        "cumulative": {group: cumulative_by_group[group] for group in ORDER if group in cumulative_by_group},
    }


def lines(profile: dict, title: str) -> list[str]:
    total = max(profile["samples"], 1)
    out = [f"{title}: {profile['samples']} samples at {profile['rate']}/s of gunicorn's processes while they held "
           f"the GIL",
           "  by library (innermost library frame): " + ", ".join(
               f"{group} {n / total:.0%}" for group, n in sorted(profile["groups"].items(), key=lambda kv: -kv[1])),
           "  top cumulative (share of samples with the function on the stack), by library:"]
    for group, entries in profile["cumulative"].items():
        if group in ("gunicorn", "unattributed"):
            continue
        out.append(f"    {group}: " + ", ".join(
            f"{entry['function'].split(' (')[0]} {entry['samples'] / total:.0%}" for entry in entries))
    return out


if __name__ == "__main__":  # python -m tests.bench.profiling RAW: summarise a raw py-spy file
    print("\n".join(lines(summarize(Path(sys.argv[1])), os.path.basename(sys.argv[1]))))
