"""What every benchmark needs: gunicorn servers started the README's way, wrk runs, result files."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[2]
RESULTS = REPO / "bench-results"
LUA = Path(__file__).resolve().parent / "lua"
WRK = "wrk"


class BenchError(RuntimeError):
    """The benchmark itself broke (as opposed to a target being missed)."""


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def seconds_from_env(default: int = 10) -> int:
    raw = os.environ.get("BENCH_SECONDS", "")
    try:
        value = int(raw) if raw else default
    except ValueError as error:
        raise BenchError(f"BENCH_SECONDS must be a whole number of seconds, not {raw!r}") from error
    if value < 1:
        raise BenchError("BENCH_SECONDS must be at least 1")
    return value


def require_wrk() -> str:
    path = shutil.which(WRK)
    if path is None:
        raise BenchError("wrk is not installed; install it with `apt-get install wrk` (Debian/Ubuntu).")
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- HTTP, for set-up and checks (no redirects followed) ------------------------------------------------

@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def gist(self, limit: int = 600) -> str:
        """The page's title and main text, without markup: enough to see why a request failed."""
        text = re.sub(r"(?s)<(script|style|header|nav|footer)\b.*?</\1>", " ", self.text)
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip()
        return text[:limit]


def request(method: str, url: str, body: bytes | None = None, headers: dict | None = None,
            timeout: float = 10) -> Reply:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request(method, path or "/", body=body, headers=headers or {})
        response = connection.getresponse()
        return Reply(response.status, response.headers, response.read())
    finally:
        connection.close()


# -- CPU time ---------------------------------------------------------------------------------------------

def tree_cpu(root: int) -> dict[int, float]:
    """CPU seconds (user + system) of *root* and each of its descendants, by pid, read from /proc.

    Each process's figure includes its children that have exited and been waited for (cutime, cstime),
    so that a worker or a database backend that ended during a measurement still counts, once.
    """
    tick = os.sysconf("SC_CLK_TCK")
    parent, ticks = {}, {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue  # gone meanwhile
        pid = int(stat.parent.name)
        parent[pid] = int(fields[1])
        ticks[pid] = sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime
    tree, todo = {}, [root]
    while todo:
        pid = todo.pop()
        if pid in ticks and pid not in tree:
            tree[pid] = ticks[pid] / tick
            todo += [child for child, ppid in parent.items() if ppid == pid]
    return tree


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


# -- gunicorn -------------------------------------------------------------------------------------------

class Gunicorn:
    """`gunicorn -c gunicorn.conf.py <app>` from the repository root on a free port; a context manager.

    :param ready_path: a path that answers 200 once the server is up
    """

    def __init__(self, app: str, env: dict, ready_path: str = "/", log_path: Path | None = None):
        self.app = app
        self.port = free_port()
        self.env = {**env, "BIND": f"127.0.0.1:{self.port}"}
        self.ready_path = ready_path
        self.log_path = log_path
        self.process: subprocess.Popen | None = None
        self._log = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Gunicorn:
        command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", self.app]
        self._log = open(self.log_path, "wb") if self.log_path else subprocess.DEVNULL
        self.process = subprocess.Popen(command, cwd=REPO, env=self.env, stdout=self._log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn ({self.app}) exited with status {self.process.returncode} before "
                                 f"it answered; see {self.log_path}")
            try:
                reply = request("GET", self.url + self.ready_path, timeout=5)
                if reply.status == 200:
                    return
                last = f"status {reply.status}"
            except OSError as error:
                last = str(error)
            time.sleep(0.1)
        raise BenchError(f"gunicorn ({self.app}) did not answer {self.ready_path} within {timeout:.0f} s ({last}); "
                         f"see {self.log_path}")

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the master and every process it started.

        Per request, this is the steady figure: it hardly moves when other work shares the machine,
        where requests per second do.
        """
        return sum(tree_cpu(self.process.pid).values()) if self.process is not None else 0.0

    def stop(self, timeout: float = 35) -> None:
        """SIGTERM (graceful), then SIGKILL to the master and its workers if it does not exit."""
        process = self.process
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                log(f"gunicorn ({self.app}) did not stop within {timeout} s; killing it")
                try:
                    os.killpg(process.pid, signal.SIGKILL)  # its own session: the master and its workers only
                except ProcessLookupError:
                    pass
                process.wait()
        if self._log not in (None, subprocess.DEVNULL):
            self._log.close()
        self._log = None


# -- wrk ------------------------------------------------------------------------------------------------

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


@dataclass
class WrkResult:
    label: str
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    duration_s: float
    non_2xx_3xx: int
    socket_errors: dict = field(default_factory=dict)
    output: str = ""
    #: CPU time the server's processes spent per request (µs), when measured
    cpu_us: float | None = None
    #: the same by group of processes (e.g. gunicorn, database backends), when measured
    cpu_split_us: dict = field(default_factory=dict)

    def summary(self) -> dict:
        data = asdict(self)
        data.pop("output")
        return data


def _time_ms(value: str, unit: str) -> float:
    return float(value) * _UNITS_MS[unit]


def parse_wrk(label: str, output: str) -> WrkResult:
    def find(pattern: str) -> re.Match:
        match = re.search(pattern, output, re.MULTILINE)
        if match is None:
            raise BenchError(f"could not read {pattern!r} in wrk's output:\n{output}")
        return match

    rps = float(find(r"^Requests/sec:\s+([\d.]+)").group(1))
    p50 = find(r"^\s+50%\s+([\d.]+)(us|ms|s|m|h)\s*$")
    p99 = find(r"^\s+99%\s+([\d.]+)(us|ms|s|m|h)\s*$")
    total = find(r"^\s+(\d+) requests in ([\d.]+)(us|ms|s|m|h)")
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    non_ok = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return WrkResult(
        label=label, rps=rps, p50_ms=_time_ms(*p50.groups()), p99_ms=_time_ms(*p99.groups()),
        requests=int(total.group(1)), duration_s=_time_ms(total.group(2), total.group(3)) / 1000,
        non_2xx_3xx=int(non_ok.group(1)) if non_ok else 0,
        socket_errors=dict(zip(("connect", "read", "write", "timeout"), map(int, errors.groups()), strict=True))
        if errors else {"connect": 0, "read": 0, "write": 0, "timeout": 0},
        output=output,
    )


def run_wrk(label: str, url: str, seconds: int, *, threads: int = 2, connections: int = 32,
            script: Path | None = None, headers: dict | None = None, env: dict | None = None,
            timeout_s: int = 10) -> WrkResult:
    """``wrk -t<threads> -c<connections> -d<seconds>s --latency``; the timeout is wide so that slow
    requests count in the latency figures instead of vanishing as timeouts."""
    command = [require_wrk(), f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
               f"--timeout={timeout_s}s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    if script is not None:
        command += ["-s", str(script)]
    command.append(url)
    completed = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **(env or {})},
                               timeout=seconds + 120)
    output = completed.stdout + (f"\n[stderr]\n{completed.stderr}" if completed.stderr.strip() else "")
    if completed.returncode != 0:
        raise BenchError(f"wrk failed (exit {completed.returncode}) for {label}:\n{output}")
    return parse_wrk(label, output)


# -- results --------------------------------------------------------------------------------------------

def write_results(name: str, lines: list[str], data: dict) -> tuple[Path, Path]:
    RESULTS.mkdir(exist_ok=True)
    text_path, json_path = RESULTS / f"{name}.txt", RESULTS / f"{name}.json"
    text_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    json_path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return text_path, json_path
