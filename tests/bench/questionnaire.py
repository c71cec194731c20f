"""Answering a questionnaire under load, against a bare Flask "hello" served the same way.

Targets (the issue): with the README's gunicorn configuration on this machine, complete submissions
sustain at least 30 % of the hello route's requests per second with p99 under 100 ms at 32
connections, rendering the questionnaire reaches 40 %, and afterwards every acknowledged submission is
stored exactly once.

Steps: a fresh SQLite database (migrated, demo loaded, a ten-question one-page questionnaire ``bench``);
gunicorn serving tests.bench.hello, then wsgi:app, one at a time; wrk -t2 -c32 --latency against
``GET /`` (hello), ``GET /questionnaires/bench`` (page) and ``POST /questionnaires/bench`` (submit,
every body a fresh submission key); then a check of the database file with sqlite3.

An acknowledged submission is a 303 to the receipt whose Location carries the private-link token (the
view redirects after storing: post/redirect/get); a 200 receipt page with ``id="private-link"`` counts
too, should the view ever render it directly. wrk does not follow the redirect: the receipt is a
separate GET, limited to 30 a minute per address.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import random
import re
import secrets
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from tests.bench.harness import (
    LUA,
    REPO,
    BenchError,
    Gunicorn,
    WrkResult,
    log,
    request,
    run_wrk,
    seconds_from_env,
    write_results,
)

NAME = "questionnaire"
THREADS = 2
CONNECTIONS = 32
WARMUP_SECONDS = 2
TARGETS = {"submit_ratio": 0.30, "submit_p99_ms": 100.0, "page_ratio": 0.40}
FORM_SALT = "questionnaire-form"  # dialogue/questionnaires/views.py: _serializer()
SESSION_COOKIE = "dialogue_session"
WRITER_MARKER = b"dialogue.questionnaires.writer"  # in the writer process's command line (writer.spawn)


# -- set-up ---------------------------------------------------------------------------------------------

# Settings the benchmark decides; anything else in the caller's environment (PATH, ...) passes through.
_OWN = {"BIND", "WEB_CONCURRENCY", "DIALOGUE_ENV", "SECRET_KEY", "DATABASE_URL", "SESSION_COOKIE_SECURE",
        "QUESTIONNAIRE_MIN_SECONDS", "ANSWER_RATE_LIMIT", "RATELIMIT_STORAGE_URI", "RATELIMIT_ENABLED",
        "LOGIN_RATE_LIMIT", "PROXY_COUNT", "FLASK_APP", "FLASK_DEBUG"}


def app_env(tmp: Path) -> dict:
    """The app's environment: production, a fresh database, no waiting and no blocking by the limiter.

    WEB_CONCURRENCY is left to gunicorn.conf.py (eight workers per core); BENCH_WEB_CONCURRENCY overrides it
    for experiments, and then applies to the hello app too.
    """
    env = {k: v for k, v in os.environ.items() if k not in _OWN}
    env.update(
        DIALOGUE_ENV="production",
        SECRET_KEY=secrets.token_hex(32),
        DATABASE_URL=f"sqlite:///{tmp / 'bench.sqlite3'}",
        SESSION_COOKIE_SECURE="false",
        QUESTIONNAIRE_MIN_SECONDS="0",
        # the limiter still runs; it just never blocks the one address all load comes from
        ANSWER_RATE_LIMIT="100000000 per minute",
        RATELIMIT_STORAGE_URI="memory://",
        PYTHONDONTWRITEBYTECODE="1",
    )
    if os.environ.get("BENCH_WEB_CONCURRENCY"):
        env["WEB_CONCURRENCY"] = os.environ["BENCH_WEB_CONCURRENCY"]
    return env


def _run(command: list[str], env: dict, what: str) -> str:
    completed = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    if completed.returncode != 0:
        raise BenchError(f"{what} failed (exit {completed.returncode}):\n{completed.stdout}\n{completed.stderr}")
    return completed.stdout


def prepare_database(tmp: Path, env: dict) -> dict:
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    _run(flask + ["db", "upgrade"], env, "flask db upgrade")
    _run(flask + ["demo", "load"], env, "flask demo load")
    out = tmp / "fixture.json"
    _run([sys.executable, "-m", "tests.bench.fixture", str(out)], env, "creating the bench questionnaire")
    return json.loads(out.read_text())


# -- request bodies -------------------------------------------------------------------------------------

_OPENINGS = [
    "Jag tycker att", "Det bästa med kommunen är att", "Som förälder märker jag att", "Sedan vi flyttade hit har",
    "I min by känns det som att", "Many of us feel that", "What I value most is that", "Honestly, I think",
    "Mina grannar och jag tycker att", "Efter trettio år här vet jag att",
]
_MIDDLES = [
    "naturen och sjöarna ligger nära", "föreningslivet håller ihop bygden", "tågen till Stockholm går för sällan",
    "skolan har engagerade lärare", "centrum behöver fler öppna butiker", "the lakes and forests are close to home",
    "people help each other out", "the bus service in the evenings is too thin", "det finns gott om plats att bygga",
    "kulturhuset och biblioteket är viktiga mötesplatser", "the summer market in Malmköping draws visitors",
    "ungdomarna saknar ställen att träffas på kvällarna", "det är lätt att starta företag här",
    "gång- och cykelvägarna behöver lysen", "äldreboendet har fantastisk personal",
]
_ENDINGS = [
    "och det borde synas mer i visionen.", "– det är därför vi stannar kvar.", "men ingen verkar lyssna.",
    "and that should be protected.", "så satsa på det!", "vilket gör mig stolt över Sörmlands hjärta.",
    "but it needs money and patience.", "och det gäller både Flen, Hälleforsnäs och Sparreholm.",
]
_PLACES = ["Badplatsen vid Orrhammarsjön", "Malmköpings torg", "Skjortsjön", "Stationen i Flen", "Elmsta hage",
           "Bettna kyrka", "Biblioteket", "Hälleforsnäs bruk", "Vadsbro kvarn", "Sparreholms slott"]


def _text(rng: random.Random, at_least: int = 100) -> str:
    parts = []
    while sum(len(p) + 1 for p in parts) < at_least:
        parts.append(f"{rng.choice(_OPENINGS)} {rng.choice(_MIDDLES)} {rng.choice(_ENDINGS)}")
    text = " ".join(parts)
    return text[:at_least + 40].rstrip()


def answers(fixture: dict, rng: random.Random) -> list[tuple[str, str]]:
    """A complete answer to every question: varied texts of about 100 characters, valid choices."""
    fields: list[tuple[str, str]] = []
    for q in fixture["questions"]:
        name = f"q{q['id']}"
        kind = q["type"]
        if kind == "long_text":
            fields.append((name, _text(rng)))
        elif kind == "short_text":
            fields.append((name, rng.choice(_PLACES)))
        elif kind == "single_choice":
            fields.append((name, rng.choice(q["options"])))
        elif kind == "multiple_choice":
            chosen = rng.sample(q["options"], rng.randint(1, 3))
            fields += [(name, value) for value in chosen]
            if q["allow_other"] and rng.random() < 0.2:
                fields += [(name, "other"), (f"{name}_other", rng.choice(_PLACES))]
        elif kind == "scale":
            fields.append((name, str(rng.randint(1, q["scale_max"]))))
        elif kind == "locality":
            fields.append((name, str(rng.choice(fixture["locality_ids"] + ["elsewhere"]))))
        else:
            raise BenchError(f"the benchmark does not answer {kind} questions")
    return fields


def edit_token(secret_key: str, submission_key: str) -> str:
    """dialogue.questionnaires.services.edit_token, without an app."""
    digest = hmac.new(secret_key.encode(), b"edit-link:" + submission_key.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class Bodies:
    """Submissions with fresh keys, written one URL-encoded body per line; remembers every key."""

    def __init__(self, fixture: dict, secret_key: str, csrf_token: str, seed: int = 2011):
        from itsdangerous import URLSafeTimedSerializer

        self.fixture = fixture
        self.serializer = URLSafeTimedSerializer(secret_key, salt=FORM_SALT)
        self.csrf_token = csrf_token
        self.rng = random.Random(seed)
        self.keys: list[str] = []

    def one(self) -> tuple[str, bytes]:
        key = secrets.token_urlsafe(24)  # dialogue.questionnaires.services.new_submission_key
        self.keys.append(key)
        fields = [("csrf_token", self.csrf_token), ("form", self.serializer.dumps(key)), ("page", "0"),
                  ("website", ""), *answers(self.fixture, self.rng), ("feedback_email", ""), ("move", "submit")]
        return key, urlencode(fields).encode()

    def write(self, path: Path, count: int) -> list[str]:
        keys = []
        with open(path, "wb") as handle:
            for _ in range(count):
                key, body = self.one()
                keys.append(key)
                handle.write(body + b"\n")
        return keys


# -- runs -----------------------------------------------------------------------------------------------

def session_and_csrf(url: str) -> tuple[str, str, str]:
    """GET the questionnaire once: the session cookie, its CSRF token and the page."""
    reply = request("GET", url)
    if reply.status != 200:
        raise BenchError(f"GET {url} answered {reply.status}: {reply.gist()}")
    cookie = None
    for header in reply.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        if name.strip() == SESSION_COOKIE:
            cookie = f"{SESSION_COOKIE}={rest.split(';', 1)[0]}"
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', reply.text)
    if cookie is None or match is None:
        raise BenchError(f"GET {url} set no {SESSION_COOKIE} cookie or showed no CSRF token")
    return cookie, match.group(1), reply.text


def check_page(html: str, fixture: dict) -> None:
    missing = [q["id"] for q in fixture["questions"] if f'name="q{q["id"]}"' not in html]
    if missing or 'name="form"' not in html or 'value="submit"' not in html:
        raise BenchError(f"the questionnaire page lacks fields (questions {missing}, form token or submit button)")


def receipt_token(status: int, location: str, body: str) -> str | None:
    """The private-link token of an acknowledged submission (as submit.lua reads it), else None."""
    if status in (302, 303):
        match = re.search(r"/answers/([\w-]+)", location)
    elif status == 200:
        match = re.search(r'id="private-link"[^>]*>[^<]*/answers/([\w-]+)', body)
    else:
        match = None
    return match.group(1) if match else None


def read_acks(path: Path) -> dict:
    acks, sent, statuses, exhausted = [], {}, {}, {}
    for line in path.read_text().splitlines():
        kind, *rest = line.split()
        if kind == "ack":
            acks.append((int(rest[1]), rest[2]))
        elif kind == "sent":
            sent[int(rest[0])] = int(rest[1])
        elif kind == "status":
            statuses[int(rest[0])] = statuses.get(int(rest[0]), 0) + int(rest[1])
        elif kind == "exhausted":
            exhausted[int(rest[0])] = rest[1] == "1"
    return {"acks": acks, "sent": sent, "statuses": statuses, "exhausted": any(exhausted.values())}


def submit_run(label: str, url: str, seconds: int, bodies: Bodies, count: int, cookie: str, tmp: Path,
               server: Gunicorn):
    """One wrk POST run; returns the wrk figures, what the Lua script recorded and the keys it sent."""
    body_file, out_file = tmp / f"bodies-{label}.txt", tmp / f"acks-{label}.txt"
    keys = bodies.write(body_file, count)
    before, writer_before = server.cpu_seconds(), server.cpu_seconds(WRITER_MARKER)
    result = run_wrk(label, url, seconds, threads=THREADS, connections=CONNECTIONS, script=LUA / "submit.lua",
                     env={"BENCH_BODIES": str(body_file), "BENCH_THREADS": str(THREADS), "BENCH_COOKIE": cookie,
                          "BENCH_OUT": str(out_file)})
    result.cpu_us = _per_request(server.cpu_seconds() - before, result)
    result.writer_cpu_us = _per_request(server.cpu_seconds(WRITER_MARKER) - writer_before, result)
    record = read_acks(out_file)
    sent_keys = [key for thread, n in record["sent"].items() for key in keys[thread::THREADS][:n]]
    body_file.unlink()
    return result, record, sent_keys


# -- the check afterwards -------------------------------------------------------------------------------

def verify(db_path: Path, questionnaire_id: int, secret_key: str, acked_tokens: list[str],
           sent_keys: list[str], questions: int) -> dict:
    """Every acknowledged submission stored exactly once, complete; nothing stored that was not sent."""
    sent = set(sent_keys)
    token_of_key = {key: edit_token(secret_key, key) for key in sent}
    known_tokens = set(token_of_key.values())
    acked = set(acked_tokens)
    connection = sqlite3.connect(db_path)
    try:
        integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
        journal_mode = connection.execute("PRAGMA journal_mode").fetchone()[0]
        rows = connection.execute("SELECT id, submission_key, edit_token_hash FROM response "
                                  "WHERE questionnaire_id = ?", (questionnaire_id,)).fetchall()
        duplicate_keys = connection.execute(
            "SELECT submission_key, count(*) FROM response GROUP BY submission_key HAVING count(*) > 1").fetchall()
        duplicate_hashes = connection.execute(
            "SELECT edit_token_hash, count(*) FROM response WHERE edit_token_hash IS NOT NULL "
            "GROUP BY edit_token_hash HAVING count(*) > 1").fetchall()
        answer_counts = dict(connection.execute(
            "SELECT a.response_id, count(*) FROM answer a JOIN response r ON r.id = a.response_id "
            "WHERE r.questionnaire_id = ? GROUP BY a.response_id", (questionnaire_id,)).fetchall())
    finally:
        connection.close()

    stored_per_hash: dict[str, int] = {}
    for _, _, token_hash in rows:
        stored_per_hash[token_hash] = stored_per_hash.get(token_hash, 0) + 1
    acked_hashes = {hashlib.sha256(token.encode()).hexdigest(): token for token in acked}
    missing = [h for h in acked_hashes if stored_per_hash.get(h, 0) == 0]
    stored_twice = [h for h in acked_hashes if stored_per_hash.get(h, 0) > 1]
    acked_ids = {rid for rid, _, h in rows if h in acked_hashes}
    incomplete = sum(1 for rid in acked_ids if answer_counts.get(rid, 0) != questions)
    return {
        "acknowledged": len(acked),
        "acknowledged_replies": len(acked_tokens),
        "acknowledged_twice": len(acked_tokens) - len(acked),
        "stored": len(rows),
        "missing": len(missing),
        "duplicates": len(stored_twice) + len(duplicate_keys) + len(duplicate_hashes),
        "stored_unacknowledged": len(rows) - len(acked_ids),
        "stored_not_sent": sum(1 for _, key, _ in rows if key not in sent),
        "unknown_tokens": len(acked - known_tokens),
        "incomplete": incomplete,
        "sent": len(sent),
        "integrity_check": integrity,
        "journal_mode": journal_mode,
    }


# -- the benchmark --------------------------------------------------------------------------------------

def _per_request(cpu_seconds: float, result: WrkResult) -> float:
    return cpu_seconds / max(result.requests, 1) * 1e6


def _wrk(label: str, url: str, seconds: int, server: Gunicorn, **options) -> WrkResult:
    run_wrk(f"{label}-warmup", url, WARMUP_SECONDS, threads=THREADS, connections=CONNECTIONS, **options)
    before = server.cpu_seconds()
    result = run_wrk(label, url, seconds, threads=THREADS, connections=CONNECTIONS, **options)
    result.cpu_us = _per_request(server.cpu_seconds() - before, result)
    return result


def measure(tmp: Path, env: dict, fixture: dict, seconds: int) -> dict:
    """The three wrk runs, each server started and stopped in turn; what was sent and acknowledged."""
    path = f"/questionnaires/{fixture['slug']}"
    results: dict[str, WrkResult] = {}

    log(f"hello: gunicorn -c gunicorn.conf.py tests.bench.hello:app; wrk -t{THREADS} -c{CONNECTIONS}, "
        f"{WARMUP_SECONDS} s warm-up + {seconds} s")
    with Gunicorn("tests.bench.hello:app", env, "/", tmp / "gunicorn-hello.log") as server:
        reply = request("GET", server.url + "/")
        if reply.body != b"hello":
            raise BenchError(f"the hello app answered {reply.status} {reply.body[:100]!r}")
        results["hello"] = _wrk("hello", server.url + "/", seconds, server)

    log("page and submit: gunicorn -c gunicorn.conf.py wsgi:app")
    with Gunicorn("wsgi:app", env, path, tmp / "gunicorn-app.log") as server:
        url = server.url + path
        cookie, csrf_token, html = session_and_csrf(url)
        check_page(html, fixture)
        results["page"] = _wrk("page", url, seconds, server, headers={"Cookie": cookie})

        bodies = Bodies(fixture, env["SECRET_KEY"], csrf_token)
        # One submission by hand first, for a clear message if the app refuses them.
        key, body = bodies.one()
        reply = request("POST", url, body, {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
        location = reply.headers.get("Location", "")
        token = receipt_token(reply.status, location, reply.text)
        if token is None:
            raise BenchError(f"a submission was not acknowledged: {reply.status} {location} {reply.gist()}")
        acked, sent = [token], [key]

        # Fresh bodies enough that none is sent twice: twice the warm-up's rate, at most 1.5 x hello's.
        ceiling = results["hello"].rps * 1.5
        warm, warm_record, warm_keys = submit_run(
            "submit-warmup", url, WARMUP_SECONDS, bodies, int(ceiling * WARMUP_SECONDS) + 500, cookie, tmp, server)
        count = int(min(ceiling, max(warm.rps * 2, 200)) * seconds) + 1000
        log(f"submit: {count} bodies with fresh submission keys (the warm-up ran at {warm.rps:.0f} req/s)")
        results["submit"], record, keys = submit_run("submit", url, seconds, bodies, count, cookie, tmp, server)
    records = {"submit-warmup": warm_record, "submit": record}
    for item in records.values():
        acked += [token for _, token in item["acks"]]
    return {"results": results, "warmup": warm, "records": records, "acked": acked, "sent": sent + warm_keys + keys}


def problems_of(run: dict, check: dict) -> list[str]:
    """What makes the figures meaningless: the benchmark broke, as opposed to the app missing a target."""
    problems = []
    for result in (run["results"]["hello"], run["results"]["page"]):
        if result.non_2xx_3xx:
            problems.append(f"{result.label}: {result.non_2xx_3xx} responses not 2xx/3xx")
    for label, record in run["records"].items():
        if record["statuses"]:
            problems.append(f"{label}: responses without a receipt, by status: {record['statuses']}")
        if record["exhausted"]:
            problems.append(f"{label}: ran out of request bodies (raise the count in tests/bench/questionnaire.py)")
    if check["unknown_tokens"] or check["stored_not_sent"] or check["acknowledged_twice"]:
        problems.append("receipts or rows that match no body sent, or a body acknowledged twice: the check is unsound")
    if check["integrity_check"] != "ok":
        problems.append(f"integrity_check: {check['integrity_check']}")
    return problems


def run(args) -> int:
    seconds = seconds_from_env()
    started = time.monotonic()
    load = os.getloadavg()[0]  # other work on the machine skews every figure
    with tempfile.TemporaryDirectory(prefix="dialogue-bench-") as tmp_name:
        tmp = Path(tmp_name)
        env = app_env(tmp)
        log(f"database {tmp / 'bench.sqlite3'}: migrating, loading the demo, creating the questionnaire")
        fixture = prepare_database(tmp, env)
        sqlite = fixture["sqlite"]
        if sqlite["synchronous"] != "FULL" or sqlite["journal_mode"] != "wal":
            log(f"warning: the app's SQLite connections run with {sqlite}, not WAL and synchronous=FULL")
        try:
            measured = measure(tmp, env, fixture, seconds)
        except BenchError:
            for name in ("hello", "app"):
                log_path = tmp / f"gunicorn-{name}.log"
                if log_path.exists() and log_path.read_text(errors="replace").strip():
                    log(f"gunicorn {name} log (end):\n{log_path.read_text(errors='replace')[-3000:]}")
            raise
        # The servers have stopped: nothing writes any more.
        check = verify(tmp / "bench.sqlite3", fixture["questionnaire_id"], env["SECRET_KEY"], measured["acked"],
                       measured["sent"], len(fixture["questions"]))

    results = measured["results"]
    hello, page, submit = results["hello"], results["page"], results["submit"]
    page_ratio, submit_ratio = page.rps / hello.rps, submit.rps / hello.rps
    lines = [
        f"hello: {hello.rps:.0f} req/s, p99 {hello.p99_ms:.1f} ms",
        f"page: {page.rps:.0f} req/s, ratio {page_ratio:.2f}, p99 {page.p99_ms:.1f} ms",
        f"submit: {submit.rps:.0f} req/s, ratio {submit_ratio:.2f}, p99 {submit.p99_ms:.1f} ms",
        # the steady signal: server CPU per request barely moves when other work shares the machine
        f"cpu per request (server processes): hello {hello.cpu_us:.0f} µs, page {page.cpu_us:.0f} µs, "
        f"submit {submit.cpu_us:.0f} µs, ratio submit {hello.cpu_us / submit.cpu_us:.2f}, "
        f"page {hello.cpu_us / page.cpu_us:.2f}",
        f"submit cpu split: workers and master {submit.cpu_us - submit.writer_cpu_us:.0f} µs, "
        f"submission writer {submit.writer_cpu_us:.0f} µs",
        f"submit check: {check['acknowledged']} acknowledged, {check['stored']} stored, {check['missing']} missing, "
        f"{check['duplicates']} duplicates",
        f"submit detail: {check['sent']} sent, {check['stored_unacknowledged']} stored without a reply "
        f"(in flight when wrk stopped), {check['incomplete']} acknowledged but incomplete; "
        f"integrity {check['integrity_check']}, journal {check['journal_mode']}, synchronous {sqlite['synchronous']}",
    ]
    targets = {
        "submit ratio >= 0.30": submit_ratio >= TARGETS["submit_ratio"],
        "submit p99 < 100 ms": submit.p99_ms < TARGETS["submit_p99_ms"],
        "page ratio >= 0.40": page_ratio >= TARGETS["page_ratio"],
        "0 missing": check["missing"] == 0,
        "0 duplicates": check["duplicates"] == 0,
    }
    lines += [f"{'PASS' if ok else 'FAIL'} {name}" for name, ok in targets.items()]
    socket_errors = {r.label: r.socket_errors for r in results.values() if any(r.socket_errors.values())}
    if socket_errors:
        lines.append(f"warning: socket errors {socket_errors}")
    problems = problems_of(measured, check)
    elapsed = time.monotonic() - started
    lines.append(f"{'BROKEN' if problems else 'done'} in {elapsed:.0f} s ({seconds} s per run after "
                 f"{WARMUP_SECONDS} s warm-up; wrk -t{THREADS} -c{CONNECTIONS}; {os.cpu_count()} cores; "
                 f"load average {load:.2f} at the start)")
    lines += [f"BROKEN {problem}" for problem in problems]

    data = {
        "benchmark": NAME,
        "seconds": seconds, "warmup_seconds": WARMUP_SECONDS, "threads": THREADS, "connections": CONNECTIONS,
        "cores": os.cpu_count(), "load_average_at_start": round(load, 2),
        "hello": hello.summary(),
        "page": {**page.summary(), "ratio": round(page_ratio, 4)},
        "submit": {**submit.summary(), "ratio": round(submit_ratio, 4)},
        "submit_warmup": measured["warmup"].summary(),
        "check": {**check, "synchronous": sqlite["synchronous"]},
        "targets": {name: {"pass": ok} for name, ok in targets.items()},
        "problems": problems,
        "elapsed_s": round(elapsed, 1),
        "lines": lines,
    }
    text, js = write_results(NAME, lines, data)
    raw = text.parent / f"{NAME}-wrk.txt"
    raw.write_text("".join(f"## {r.label}\n{r.output}\n" for r in (*results.values(), measured["warmup"])),
                   encoding="utf-8")
    for line in lines:
        print(line, flush=True)
    log(f"written to {text.relative_to(REPO)}, {js.relative_to(REPO)} (wrk's output: {raw.relative_to(REPO)})")
    return 1 if problems else 0
