"""Exports of 100,000 responses × 10 questions (1,000,000 answers of about 100 characters).

    python -m tests.bench.run exports

Side by side, in one run, on the same SQLite file, each in a child process of its own (peak memory is
that child's VmHWM, polled from /proc while it runs: its ru_maxrss would start at the parent's size at
the fork, which after the other benchmarks in the same run is several hundred MB):

- `sqlite3 -csv` running the very SELECT the export runs (same joins, same JSON decoding, same labels,
  the wide layout's GROUP BY pivot), printing the values as they are: the fastest a C program writes
  these rows. Ours must add the formula neutralisation, the quoting, the BOM and CRLF on top.
- our CSV export, wide and long (dialogue.exports.writers.write_csv), to a file;
- our XLSX export (wide) against xlsxwriter in constant-memory mode writing the same rows straight from
  a sqlite3 cursor;
- the same CSV export asked for over HTTP from gunicorn (one worker, so its peak memory is the export's,
  built by the job's thread in that worker) with a worker timeout of HTTP_TIMEOUT seconds, shorter than the
  export takes: the job builds the file into the database, then it is downloaded whole; the figures are
  the seconds from the request to the last byte and the download's own share.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from tests.bench.harness import REPO, BenchError, Gunicorn, log, request, write_results
from tests.bench.questionnaire import app_env

NAME = "exports"
NEEDS_WRK = False
RESPONSES = 100_000
QUESTIONS = 10
ROUNDS = int(os.environ.get("BENCH_EXPORT_ROUNDS", "5"))
XLSX_ROUNDS = 2
HTTP_ROUNDS = 2
#: gunicorn's worker timeout for the HTTP figures: an export that takes longer must still arrive whole
HTTP_TIMEOUT = 10
TARGETS = {"csv_ratio": 0.8, "xlsx_ratio": 1.2, "peak_mb": 100}
SLUG = "bench-export"
EMAIL, PASSWORD = "bench-export@example.org", "bench-export-password-1"

_WORDS = ("kommunen", "skolan", "bussen", "sjön", "föreningen", "Malmköping", "Sparreholm", "biblioteket",
          "cykelvägen", "æblerne", "søen", "grønne", "ungdomar", "tåget", "kvällar", "torget", "butiker")
# Some answers begin the way formulas do, hold quotes, separators and line breaks: the work is real.
_OPENINGS = ("", "", "", "", "=", "-", "+", "@", '"')


def _texts(count: int) -> list[str]:
    rng = random.Random(6)
    texts = []
    for _ in range(count):
        words = []
        while sum(len(w) + 1 for w in words) < 95:
            words.append(rng.choice(_WORDS))
        text = rng.choice(_OPENINGS) + " ".join(words)
        if rng.random() < 0.1:
            text = text.replace(" ", ", ", 1).replace(" ", ";\n", 1) + ' "citat"'
        texts.append(text)
    return texts


def build(path: Path) -> None:
    """Questionnaire, responses and answers straight into the migrated file: executemany, one transaction."""
    connection = sqlite3.connect(path)
    with connection:
        title = json.dumps({"sv": "Exportprov", "en": "Export bench"})
        questionnaire = connection.execute(
            "INSERT INTO questionnaire (slug, title, intro, next_steps, state, languages, created_at) "
            "VALUES (?, ?, '{}', '{}', 'closed', '[\"sv\"]', '2026-01-01 00:00:00')", (SLUG, title)).lastrowid
        questions = [connection.execute(
            "INSERT INTO question (questionnaire_id, position, type, text, help, required, options, allow_other, "
            "scale_max, scale_min_label, scale_max_label, page, hidden) "
            "VALUES (?, ?, 'long_text', ?, '{}', 0, '[]', 0, 5, '{}', '{}', 1, 0)",
            (questionnaire, n, json.dumps({"sv": f"Fråga {n}: vad tycker du om ån, sjön och ängen?"}))).lastrowid
            for n in range(1, QUESTIONS + 1)]
        first = connection.execute("SELECT coalesce(max(id), 0) + 1 FROM response").fetchone()[0]
        connection.executemany(
            "INSERT INTO response (id, questionnaire_id, submission_key, submitted_at, channel, language, "
            "locality_other, respondent_group, age_band, hidden) VALUES (?, ?, ?, ?, 'web', 'sv', '', ?, ?, 0)",
            ((first + i, questionnaire, f"bench-{i}", f"2026-03-{1 + i % 28:02d} {i % 24:02d}:00:00.000000",
              ("resident", "young", "business")[i % 3], ("20-29", "45-64", "65-79")[i % 3])
             for i in range(RESPONSES)))
        texts = [json.dumps(t) for t in _texts(997)]
        connection.executemany(
            "INSERT INTO answer (response_id, question_id, value, other_text) VALUES (?, ?, ?, '')",
            ((first + i, q, texts[(i * QUESTIONS + n) % len(texts)])
             for i in range(RESPONSES) for n, q in enumerate(questions)))
    connection.execute("ANALYZE")
    connection.close()


# -- children: each export in a process of its own --------------------------------------------------------

def _app():
    from dialogue import create_app

    return create_app()


def yardstick(database: str, sql_file: str, out: str) -> None:
    """Runs in the child: xlsxwriter in constant-memory mode writing the rows of *sql_file* straight from
    a sqlite3 cursor, as fast as xlsxwriter goes (no app, no neutralisation); prints the seconds."""
    import xlsxwriter

    started = time.perf_counter()
    connection = sqlite3.connect(database)
    cursor = connection.execute(Path(sql_file).read_text(encoding="utf-8"))
    workbook = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False,
                                         "strings_to_urls": False})
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, [d[0] for d in cursor.description])
    number = 0
    while rows := cursor.fetchmany(5000):
        for row in rows:
            number += 1
            sheet.write_row(number, 0, row)
    workbook.close()
    print(f"{time.perf_counter() - started:.4f}")


def child(kind: str, layout: str, out: str) -> None:
    """Runs in the child: one export to *out*; prints the seconds the export itself took."""
    app = _app()
    with app.app_context():
        import sqlalchemy as sa

        from dialogue.exports import services, writers
        from dialogue.extensions import db
        from dialogue.filters import ExportFilters
        from dialogue.questionnaires.models import Questionnaire

        questionnaire_id = db.session.scalar(sa.select(Questionnaire.id).where(Questionnaire.slug == SLUG))
        filters = ExportFilters(questionnaire_id=questionnaire_id)
        dataset = services.build(f"responses_{layout}", filters)[0]
        db.session.close()
        if kind == "sql":  # the SELECT sqlite3 runs: ours, with the values written into it
            sql = dataset.select().compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True})
            Path(out).write_text(str(sql) + ";\n", encoding="utf-8")
            return
        started = time.perf_counter()
        if kind == "csv":
            with open(out, "wb") as file:
                for chunk in writers.write_csv(dataset, writers.Counter()):
                    file.write(chunk)
        elif kind == "xlsx":
            writers.write_xlsx_file(dataset, writers.Counter(), out)
        print(f"{time.perf_counter() - started:.4f}")


def _measure(command: list[str], env: dict, stdout: Path | None = None) -> tuple[float, float, str]:
    """(wall seconds, peak MB, what it printed) of one child process; the peak is its own VmHWM."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        target = open(stdout, "wb") if stdout else out
        try:
            started = time.perf_counter()
            process = subprocess.Popen(command, cwd=REPO, env=env, stdout=target, stderr=err)
            peak = [0.0]
            watcher = threading.Thread(target=_watch_peak, args=(process.pid, peak), daemon=True)
            watcher.start()
            _, status, _usage = os.wait4(process.pid, 0)
            wall = time.perf_counter() - started
            watcher.join()
            process.returncode = os.waitstatus_to_exitcode(status)
        finally:
            if stdout:
                target.close()
        out.seek(0)
        err.seek(0)
        if process.returncode != 0:
            raise BenchError(f"{' '.join(command[:5])} failed: {err.read().decode(errors='replace')[-2000:]}")
        return wall, peak[0], out.read().decode()


def _watch_peak(pid: int, peak: list[float]) -> None:
    """Keep the child's high-water resident size (VmHWM, in MB) in *peak* until it exits."""
    while True:
        try:
            peak[0] = max(peak[0], _status_mb(pid, "VmHWM"))
        except (OSError, ValueError):  # gone (or a zombie without a memory map)
            return
        if not Path(f"/proc/{pid}/status").exists():
            return
        time.sleep(0.005)


def _child_command(kind: str, layout: str, out: Path) -> list[str]:
    return [sys.executable, "-m", "tests.bench.exports", kind, layout, str(out)]


def _ours(kind: str, layout: str, out: Path, env: dict) -> tuple[float, float]:
    return _seconds_and_peak(_child_command(kind, layout, out), env)


def _seconds_and_peak(command: list[str], env: dict) -> tuple[float, float]:
    """The seconds a child reports for its own work (start-up left out), and its peak memory."""
    _, peak, printed = _measure(command, env)
    return float(printed.strip().splitlines()[-1]), peak


def _sqlite3(database: Path, sql_file: Path, out: Path, env: dict) -> tuple[float, float]:
    wall, peak, _ = _measure(["sqlite3", "-csv", "-header", str(database), f".read {sql_file}"], env, stdout=out)
    return wall, peak


class _Browser:
    """Just enough of a browser for one download: cookies kept, a CSRF token read from each form."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.cookies: dict[str, str] = {}

    def _keep(self, headers) -> None:
        for header in headers.get_all("Set-Cookie") or []:
            name, _, value = header.split(";")[0].partition("=")
            self.cookies[name] = value

    def _headers(self, form: bool = False) -> dict:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if form:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        return headers

    def token(self, path: str) -> str:
        page = request("GET", self.url + path, headers=self._headers())
        self._keep(page.headers)
        found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
        if not found:
            raise BenchError(f"no form on {path}: {page.status} {page.gist()}")
        return found.group(1)

    def sign_in(self) -> None:
        body = f"csrf_token={self.token('/staff/login')}&email={EMAIL}&password={PASSWORD}".encode()
        reply = request("POST", self.url + "/staff/login", body, self._headers(form=True))
        if reply.status != 302:
            raise BenchError(f"signing in for the download failed: {reply.status} {reply.gist()}")
        self._keep(reply.headers)

    def download(self, path: str, fields: str, out: Path) -> tuple[float, float]:
        """Ask for the export, wait on its job page until the file is ready, download it: (the seconds from
        the request to the last byte, the download's own seconds)."""
        body = f"csrf_token={self.token(path)}&{fields}".encode()
        started = time.perf_counter()
        reply = request("POST", self.url + path, body, self._headers(form=True))
        if reply.status != 303:
            raise BenchError(f"asking for the export failed: {reply.status} {reply.gist()}")
        job = reply.headers["Location"]
        while True:
            page = request("GET", self.url + job, headers=self._headers())
            found = re.search(r'data-export-job="(\w+)"', page.text)
            state = found.group(1) if found else f"unknown ({page.status})"
            if state == "done":
                break
            if state not in ("queued", "running"):
                raise BenchError(f"the export job ended {state}")
            time.sleep(0.1)
        port = int(self.url.rsplit(":", 1)[1])
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        ready = time.perf_counter()
        connection.request("GET", job + "/file", headers=self._headers())
        response = connection.getresponse()
        if response.status != 200:
            raise BenchError(f"download failed: {response.status} {response.read()[:300]!r}")
        length = int(response.headers["Content-Length"])
        received = 0
        with open(out, "wb") as file:
            while chunk := response.read(1 << 20):
                file.write(chunk)
                received += len(chunk)
        finished = time.perf_counter()
        connection.close()
        if received != length:
            raise BenchError(f"download cut off: {received} of {length} bytes")
        return finished - started, finished - ready


def _http(url: str, questionnaire_id: int, layout: str, out: Path,
          master: int) -> tuple[float, float, float, float]:
    """Seconds (to the last byte, and of the download alone), and the worker's largest resident memory during
    the export and before it (MB).

    Resident memory is sampled every 20 ms: a forked worker's VmHWM starts at the master's peak, so it
    says nothing about the request.
    """
    browser = _Browser(url)
    browser.sign_in()
    workers = _workers(master)
    before = {pid: (_cpu_ticks(pid), _status_mb(pid, "VmRSS")) for pid in workers}
    peaks = dict.fromkeys(workers, 0.0)
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            for pid in workers:
                peaks[pid] = max(peaks[pid], _status_mb(pid, "VmRSS"))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        seconds, download = browser.download(
            "/staff/exports/", f"dataset=responses_{layout}&questionnaire={questionnaire_id}&format=csv"
            "&delimiter=comma", out)
    finally:
        done.set()
        sampler.join()
    # gunicorn's children are the worker and the app's submission writer: the worker is the one that worked
    worker = max(workers, key=lambda pid: _cpu_ticks(pid) - before[pid][0])
    return seconds, download, peaks[worker], before[worker][1]


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def _status_mb(pid: int, key: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _workers(master: int) -> list[int]:
    return [int(pid) for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split()]


def run(args) -> int:
    if shutil.which("sqlite3") is None:
        print("bench exports: sqlite3 is missing; install it with `apt-get install -y sqlite3`", file=sys.stderr)
        return 1
    return _run()


def _run() -> int:
    started = time.monotonic()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="dialogue-bench-exports-") as tmp_name:
        tmp = Path(tmp_name)
        env = {**app_env(tmp), "WEB_CONCURRENCY": "1"}
        database = tmp / "bench.sqlite3"
        flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
        log("migrating and loading the demo")
        for command in (flask + ["db", "upgrade"], flask + ["demo", "load"]):
            subprocess.run(command, cwd=REPO, env=env, check=True, capture_output=True)
        subprocess.run(flask + ["users", "create", EMAIL, "--role", "analyst", "--password-stdin"], cwd=REPO,
                       env=env, check=True, capture_output=True, input=PASSWORD.encode())
        log(f"building {RESPONSES:,} responses × {QUESTIONS} questions")
        t0 = time.perf_counter()
        build(database)
        log(f"built in {time.perf_counter() - t0:.1f} s ({database.stat().st_size / 1e6:.0f} MB)")
        questionnaire_id = sqlite3.connect(database).execute(
            "SELECT id FROM questionnaire WHERE slug = ?", (SLUG,)).fetchone()[0]

        figures: dict[str, dict] = {}
        lines: list[str] = []
        # The machine is shared: each pair runs ROUNDS times, alternating, and the fastest of each counts.
        for layout in ("wide", "long"):
            sql_file = tmp / f"{layout}.sql"
            _measure(_child_command("sql", layout, sql_file), env)
            _sqlite3(database, sql_file, tmp / "warm.csv", env)  # the file in the page cache for both
            runs = [(_sqlite3(database, sql_file, tmp / f"sqlite3-{layout}.csv", env),
                     _ours("csv", layout, tmp / f"ours-{layout}.csv", env)) for _ in range(ROUNDS)]
            base, base_peak = min(r[0] for r in runs)
            ours, peak = min(r[1][0] for r in runs), max(r[1][1] for r in runs)
            ratio = base / ours
            figures[f"csv_{layout}"] = {"seconds": ours, "sqlite3_seconds": base, "ratio": ratio, "peak_mb": peak,
                                        "sqlite3_peak_mb": base_peak, "runs": runs}
            lines.append(f"csv {layout}: {ours:.2f} s, sqlite3 -csv: {base:.2f} s, ratio {ratio:.2f}, "
                         f"peak {peak:.0f} MB (sqlite3 {base_peak:.0f} MB)")

        yardstick_command = [sys.executable, "-m", "tests.bench.exports", "yardstick", str(database),
                             str(tmp / "wide.sql"), str(tmp / "xlsxwriter.xlsx")]
        runs = [(_seconds_and_peak(yardstick_command, env), _ours("xlsx", "wide", tmp / "ours.xlsx", env))
                for _ in range(XLSX_ROUNDS)]
        base, base_peak = min(r[0] for r in runs)
        ours, peak = min(r[1][0] for r in runs), max(r[1][1] for r in runs)
        figures["xlsx_wide"] = {"seconds": ours, "xlsxwriter_seconds": base, "ratio": ours / base, "peak_mb": peak,
                                "xlsxwriter_peak_mb": base_peak, "runs": runs}
        lines.append(f"xlsx wide: {ours:.2f} s, xlsxwriter constant_memory: {base:.2f} s, "
                     f"ratio {ours / base:.2f}, peak {peak:.0f} MB (xlsxwriter {base_peak:.0f} MB)")

        with Gunicorn("wsgi:app", {**env, "GUNICORN_TIMEOUT": str(HTTP_TIMEOUT)}, ready_path="/staff/login",
                      log_path=tmp / "gunicorn.log") as server:
            for layout in ("wide", "long"):
                runs = [_http(server.url, questionnaire_id, layout, tmp / f"http-{layout}.csv", server.process.pid)
                        for _ in range(HTTP_ROUNDS)]
                seconds, download = min(r[0] for r in runs), min(r[1] for r in runs)
                peak, idle = max(r[2] for r in runs), min(r[3] for r in runs)
                base = figures[f"csv_{layout}"]["sqlite3_seconds"]
                same = (tmp / f"http-{layout}.csv").read_bytes() == (tmp / f"ours-{layout}.csv").read_bytes()
                size = (tmp / f"http-{layout}.csv").stat().st_size / 1e6
                figures[f"http_{layout}"] = {"seconds": seconds, "download_seconds": download, "ratio": base / seconds,
                                             "peak_mb": peak, "peak_before_mb": idle, "same_bytes": same,
                                             "megabytes": size, "worker_timeout": HTTP_TIMEOUT}
                lines.append(f"csv {layout} over HTTP (worker timeout {HTTP_TIMEOUT} s): {seconds:.2f} s to the "
                             f"last byte, of which the download of {size:.0f} MB {download:.2f} s; sqlite3 -csv: "
                             f"{base:.2f} s, ratio {base / seconds:.2f}, worker peak {peak:.0f} MB resident "
                             f"({idle:.0f} MB before){'' if same else ' (DIFFERENT BYTES from the file export)'}")

    targets = {
        "csv wide ratio >= 0.8": figures["csv_wide"]["ratio"] >= TARGETS["csv_ratio"],
        "csv long ratio >= 0.8": figures["csv_long"]["ratio"] >= TARGETS["csv_ratio"],
        "xlsx ratio <= 1.2": figures["xlsx_wide"]["ratio"] <= TARGETS["xlsx_ratio"],
        "peak < 100 MB": all(f["peak_mb"] < TARGETS["peak_mb"] for f in figures.values()),
    }
    lines += [f"{'PASS' if ok else 'FAIL'} {name}" for name, ok in targets.items()]
    lines.append(f"done in {time.monotonic() - started:.0f} s ({RESPONSES:,} responses × {QUESTIONS} questions; "
                 f"{os.cpu_count()} cores; load average {load:.2f} at the start)")
    write_results(NAME, lines, {"benchmark": NAME, "figures": figures, "lines": lines,
                                "targets": {k: {"pass": v} for k, v in targets.items()}})
    for line in lines:
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "yardstick":
        yardstick(*sys.argv[2:5])
    else:
        child(*sys.argv[1:4])
