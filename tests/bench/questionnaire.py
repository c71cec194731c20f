"""Answering a questionnaire under load: complete submissions against the floor under them.

Targets (issue #13): with the README's gunicorn set-up, at 32 connections, on SQLite (WAL,
``synchronous=FULL``) and on PostgreSQL (a throw-away server started like the tests' one, but with its
durability settings on), the floor's server CPU per request is at least 0.3 of a submission's on SQLite
and at least 0.2 on PostgreSQL; a submission's p99 stays under 300 ms on SQLite and under 100 ms on
PostgreSQL; afterwards no acknowledged submission is missing or stored twice.

The floor (tests/bench/floor.py) is a POST route of the same app that passes the same CSRF check,
session and limiter as the answer view and reads the questionnaire as the view does, then stores
nothing and redirects: the framework's own cost. Every server process counts in the CPU per request:
gunicorn's master and workers and, on PostgreSQL, the database server's processes, read from /proc.

Steps: gunicorn serving tests.bench.hello once; then for each database a fresh one (migrated, demo
loaded, a ten-question one-page questionnaire ``bench``), gunicorn serving wsgi:app for ``GET
/questionnaires/bench`` (page) and ``POST /questionnaires/bench`` (submit, every body a fresh
submission key), then tests.bench.floor:app for ``POST /bench/floor/bench`` (floor, the same bodies);
wrk -t2 -c32 --latency for each, after a warm-up; a few seconds more of submissions under py-spy (when
installed) for the profile; then, the servers stopped, the check of the database.

An acknowledged submission is a 303 whose Location ends with ``/received``; the session cookie set with
it carries the new private link, whose hash names the stored response: so each acknowledgement is
matched with its row. wrk does not follow the redirect.

BENCH_DATABASES=sqlite or =postgresql measures one database only; BENCH_PG_DURABLE=0 runs PostgreSQL
with the tests' settings (fsync, synchronous_commit and full_page_writes off); BENCH_WEB_CONCURRENCY
sets gunicorn's workers (hello's too).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import secrets
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlencode

from tests.bench import profiling
from tests.bench.harness import (
    LUA,
    REPO,
    BenchError,
    Gunicorn,
    WrkResult,
    command_line,
    log,
    request,
    run_wrk,
    seconds_from_env,
    tree_cpu,
    write_results,
)
from tests.postgres import PostgresServer, PostgresUnavailable

NAME = "questionnaire"
THREADS = 2
CONNECTIONS = 32
WARMUP_SECONDS = 2
PROFILE_SECONDS = 5
DATABASES = ("sqlite", "postgresql")
#: floor CPU ÷ submit CPU at least, submit p99 below (ms)
TARGETS = {"sqlite": {"cpu_ratio": 0.30, "p99_ms": 300.0}, "postgresql": {"cpu_ratio": 0.20, "p99_ms": 100.0}}
FORM_SALT = "questionnaire-form"  # dialogue/questionnaires/views.py: _serializer()
SESSION_COOKIE = "dialogue_session"
RECEIPT = "receipt"  # dialogue/questionnaires/views.py: the session key of the new private link
FLOOR_PATH = "/bench/floor/{slug}"  # tests/bench/floor.py


# -- set-up ---------------------------------------------------------------------------------------------

# Settings the benchmark decides; anything else in the caller's environment (PATH, ...) passes through.
_OWN = {"BIND", "WEB_CONCURRENCY", "DIALOGUE_ENV", "SECRET_KEY", "DATABASE_URL", "SESSION_COOKIE_SECURE",
        "QUESTIONNAIRE_MIN_SECONDS", "ANSWER_RATE_LIMIT", "RATELIMIT_STORAGE_URI", "RATELIMIT_ENABLED",
        "LOGIN_RATE_LIMIT", "PROXY_COUNT", "FLASK_APP", "FLASK_DEBUG"}


def app_env(tmp: Path, database_url: str | None = None) -> dict:
    """The app's environment: production, a fresh database, no waiting and no blocking by the limiter.

    WEB_CONCURRENCY is left to gunicorn.conf.py; BENCH_WEB_CONCURRENCY overrides it for experiments, and
    then applies to the hello app too.
    """
    env = {k: v for k, v in os.environ.items() if k not in _OWN}
    env.update(
        DIALOGUE_ENV="production",
        SECRET_KEY=secrets.token_hex(32),
        DATABASE_URL=database_url or f"sqlite:///{tmp / 'bench.sqlite3'}",
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


class BenchPostgres(PostgresServer):
    """tests/postgres.py's throw-away server; with *durable*, fsync, synchronous_commit and
    full_page_writes on, as a production server keeps them (the tests turn them off)."""

    def __init__(self, durable: bool = True) -> None:
        super().__init__()
        self.durable = durable

    def start(self) -> BenchPostgres:
        if not self.durable:
            super().start()
            return self
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "-E", "UTF8", "--locale=C", "--no-sync")
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=200 "
                   "-c fsync=on -c synchronous_commit=on -c full_page_writes=on")
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-o", options, "-l",
                  str(self.root / "server.log"), "-w", "-t", "60", "start")
        return self

    @property
    def pid(self) -> int:
        """The postmaster's: every server process descends from it."""
        return int((self.data / "postmaster.pid").read_text().split()[0])


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


class Bodies:
    """Submissions with fresh keys, written one URL-encoded body per line; remembers every key."""

    def __init__(self, fixture: dict, secret_key: str, csrf_token: str, seed: int = 2011):
        from itsdangerous import URLSafeTimedSerializer

        self.fixture = fixture
        self.serializer = URLSafeTimedSerializer(secret_key, salt=FORM_SALT)
        self.csrf_token = csrf_token
        self.rng = random.Random(seed)

    def one(self) -> tuple[str, bytes]:
        key = secrets.token_urlsafe(24)  # dialogue.core.services.new_submission_key
        form_token = self.serializer.dumps([self.fixture["questionnaire_id"], key])  # as views.show makes it
        fields = [("csrf_token", self.csrf_token), ("form", form_token), ("page", "0"), ("website", ""),
                  *answers(self.fixture, self.rng), ("feedback_email", ""), ("move", "submit")]
        return key, urlencode(fields).encode()

    def write(self, path: Path, count: int) -> list[str]:
        keys = []
        with open(path, "wb") as handle:
            for _ in range(count):
                key, body = self.one()
                keys.append(key)
                handle.write(body + b"\n")
        return keys


# -- sessions and acknowledgements ----------------------------------------------------------------------

def session_and_csrf(url: str) -> tuple[str, str, str]:
    """GET the questionnaire once: the session cookie, its CSRF token and the page."""
    reply = request("GET", url)
    if reply.status != 200:
        raise BenchError(f"GET {url} answered {reply.status}: {reply.gist()}")
    cookie = _session_cookie(reply.headers.get_all("Set-Cookie") or [])
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', reply.text)
    if cookie is None or match is None:
        raise BenchError(f"GET {url} set no {SESSION_COOKIE} cookie or showed no CSRF token")
    return f"{SESSION_COOKIE}={cookie}", match.group(1), reply.text


def _session_cookie(set_cookies: list[str]) -> str | None:
    for header in set_cookies:
        name, _, rest = header.partition("=")
        if name.strip() == SESSION_COOKIE:
            return rest.split(";", 1)[0]
    return None


def check_page(html: str, fixture: dict) -> None:
    missing = [q["id"] for q in fixture["questions"] if f'name="q{q["id"]}"' not in html]
    if missing or 'name="form"' not in html or 'value="submit"' not in html:
        raise BenchError(f"the questionnaire page lacks fields (questions {missing}, form token or submit button)")


class Receipts:
    """Reads the private link out of the session cookie that comes with an acknowledgement (Flask's own
    signed cookie, read with Flask's own serializer and the app's key)."""

    def __init__(self, secret_key: str):
        from flask import Flask
        from flask.sessions import SecureCookieSessionInterface

        app = Flask("bench-receipts")
        app.secret_key = secret_key
        self.serializer = SecureCookieSessionInterface().get_signing_serializer(app)

    def token(self, cookie: str | None) -> str | None:
        from itsdangerous import BadSignature

        if not cookie or cookie == "-":
            return None
        try:
            receipt = self.serializer.loads(cookie).get(RECEIPT)
        except BadSignature:
            return None
        return receipt.get("token") if isinstance(receipt, dict) else None


def acknowledged(reply) -> bool:
    return reply.status == 303 and reply.headers.get("Location", "").endswith("/received")


def post_once(url: str, body: bytes, cookie: str) -> tuple[bool, str | None, str]:
    """One POST by hand: acknowledged?, the session cookie set with it, and what was answered."""
    reply = request("POST", url, body, {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    return (acknowledged(reply), _session_cookie(reply.headers.get_all("Set-Cookie") or []),
            f"{reply.status} {reply.headers.get('Location', '')} {reply.gist()}")


def read_acks(path: Path) -> dict:
    acks, sent, statuses, exhausted = [], {}, {}, {}
    for line in path.read_text().splitlines():
        kind, *rest = line.split()
        if kind == "ack":
            acks.append(rest[1])
        elif kind == "sent":
            sent[int(rest[0])] = int(rest[1])
        elif kind == "status":
            statuses[int(rest[0])] = statuses.get(int(rest[0]), 0) + int(rest[1])
        elif kind == "exhausted":
            exhausted[int(rest[0])] = rest[1] == "1"
    return {"acks": acks, "sent": sent, "statuses": statuses, "exhausted": any(exhausted.values())}


# -- CPU --------------------------------------------------------------------------------------------------

class Meter:
    """CPU seconds used so far by the server's processes, by group: gunicorn (master and workers) and,
    on PostgreSQL, the database's client backends and its other processes (the postmaster, WAL writer,
    checkpointer, autovacuum...)."""

    def __init__(self, server: Gunicorn, postgres: BenchPostgres | None = None):
        self.server, self.postgres = server, postgres

    def read(self) -> dict[str, float]:
        figures = {"gunicorn": self.server.cpu_seconds()}
        if self.postgres is not None:
            backends = other = 0.0
            for pid, seconds in tree_cpu(self.postgres.pid).items():
                if command_line(pid).startswith("postgres: postgres "):  # user postgres: a client's backend
                    backends += seconds
                else:
                    other += seconds
            figures.update({"postgres backends": backends, "postgres other": other})
        return figures

    def settle(self, timeout: float = 30) -> dict[str, float]:
        """Wait until the server is idle, then read: the requests a previous run left in the server's
        queue (wrk closes its connections, gunicorn still answers what it accepted) would otherwise be
        charged to the next run, whose count does not hold them."""
        deadline = time.monotonic() + timeout
        last = self.read()
        while time.monotonic() < deadline:
            time.sleep(0.25)
            now = self.read()
            if sum(now.values()) - sum(last.values()) < 0.015:  # one or two clock ticks: idle
                return now
            last = now
        log(f"the server was still busy {timeout:.0f} s after the previous run; going on")
        return last

    def charge(self, result: WrkResult, before: dict[str, float]) -> WrkResult:
        after = self.read()
        requests = max(result.requests, 1)
        result.cpu_split_us = {name: (after[name] - before[name]) / requests * 1e6 for name in after}
        result.cpu_us = sum(result.cpu_split_us.values())
        return result


def _wrk(label: str, url: str, seconds: int, meter: Meter, **options) -> WrkResult:
    run_wrk(f"{label}-warmup", url, WARMUP_SECONDS, threads=THREADS, connections=CONNECTIONS, **options)
    before = meter.settle()
    result = run_wrk(label, url, seconds, threads=THREADS, connections=CONNECTIONS, **options)
    return meter.charge(result, before)


def post_run(label: str, url: str, seconds: int, bodies: Bodies | None, count: int, cookie: str, tmp: Path,
             meter: Meter, written: list[str] | None = None) -> tuple[WrkResult, dict, list[str]]:
    """One wrk POST run of *count* fresh bodies (or of the *written* ones, when the body file was made
    beforehand); returns the wrk figures, what the Lua script recorded and the keys it sent."""
    body_file, out_file = tmp / f"bodies-{label}.txt", tmp / f"acks-{label}.txt"
    keys = written if written is not None else bodies.write(body_file, count)
    before = meter.settle()
    result = run_wrk(label, url, seconds, threads=THREADS, connections=CONNECTIONS, script=LUA / "submit.lua",
                     env={"BENCH_BODIES": str(body_file), "BENCH_THREADS": str(THREADS), "BENCH_COOKIE": cookie,
                          "BENCH_OUT": str(out_file)})
    meter.charge(result, before)
    record = read_acks(out_file)
    sent_keys = [key for thread, n in record["sent"].items() for key in keys[thread::THREADS][:n]]
    body_file.unlink()
    return result, record, sent_keys


def post_series(label: str, url: str, seconds: int, bodies: Bodies, cookie: str, tmp: Path, meter: Meter,
                ceiling: float) -> dict:
    """A warm-up, then the measured run, with fresh bodies enough that none is sent twice (twice the
    warm-up's rate, at most *ceiling* a second)."""
    warm, warm_record, warm_keys = post_run(f"{label}-warmup", url, WARMUP_SECONDS, bodies,
                                            int(ceiling * WARMUP_SECONDS) + 500, cookie, tmp, meter)
    count = int(min(ceiling, max(warm.rps * 2, 200)) * seconds) + 1000
    log(f"{label}: {count} bodies with fresh submission keys (the warm-up ran at {warm.rps:.0f} req/s)")
    result, record, keys = post_run(label, url, seconds, bodies, count, cookie, tmp, meter)
    return {"result": result, "warmup": warm, "records": {f"{label}-warmup": warm_record, label: record},
            "sent": warm_keys + keys}


# -- the check afterwards -------------------------------------------------------------------------------

def verify(database_url: str, questionnaire_id: int, receipts: Receipts, ack_cookies: list[str],
           sent_keys: list[str], questions: int) -> dict:
    """Every acknowledged submission stored exactly once, complete; nothing stored that was not sent."""
    import sqlalchemy as sa

    tokens = [receipts.token(cookie) for cookie in ack_cookies]
    acked_hashes = [hashlib.sha256(token.encode()).hexdigest() for token in tokens if token]
    engine = sa.create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as connection:
            run = connection.exec_driver_sql
            integrity = run("PRAGMA integrity_check").scalar() if engine.dialect.name == "sqlite" else "n/a"
            rows = connection.execute(sa.text("SELECT id, submission_key, edit_token_hash FROM response "
                                              "WHERE questionnaire_id = :q"), {"q": questionnaire_id}).all()
            duplicate_keys = run("SELECT submission_key FROM response GROUP BY submission_key "
                                 "HAVING count(*) > 1").all()
            answer_counts = dict(connection.execute(sa.text(
                "SELECT a.response_id, count(*) FROM answer a JOIN response r ON r.id = a.response_id "
                "WHERE r.questionnaire_id = :q GROUP BY a.response_id"), {"q": questionnaire_id}).all())
    finally:
        engine.dispose()

    rows_per_hash: dict[str, list[int]] = {}
    for response_id, _, token_hash in rows:
        rows_per_hash.setdefault(token_hash, []).append(response_id)
    sent = set(sent_keys)
    acked = set(acked_hashes)
    acked_ids = {rid for h in acked for rid in rows_per_hash.get(h, [])}
    return {
        "acknowledged": len(ack_cookies),
        "stored": len(rows),
        "missing": sum(1 for h in acked if h not in rows_per_hash),
        "duplicates": sum(1 for h in acked if len(rows_per_hash.get(h, [])) > 1) + len(duplicate_keys),
        # an acknowledgement without a new private link: the view took the body for one sent before
        "acknowledged_without_link": len(ack_cookies) - len(acked_hashes),
        "acknowledged_twice": len(acked_hashes) - len(acked),
        "stored_unacknowledged": len(rows) - len(acked_ids),
        "stored_not_sent": sum(1 for _, key, _ in rows if key not in sent),
        "incomplete": sum(1 for rid in acked_ids if answer_counts.get(rid, 0) != questions),
        "sent": len(sent),
        "integrity_check": integrity,
    }


# -- the benchmark --------------------------------------------------------------------------------------

def measure_hello(tmp: Path, env: dict, seconds: int) -> WrkResult:
    log(f"hello: gunicorn -c gunicorn.conf.py tests.bench.hello:app; wrk -t{THREADS} -c{CONNECTIONS}, "
        f"{WARMUP_SECONDS} s warm-up + {seconds} s")
    with Gunicorn("tests.bench.hello:app", env, "/", tmp / "gunicorn-hello.log") as server:
        reply = request("GET", server.url + "/")
        if reply.body != b"hello":
            raise BenchError(f"the hello app answered {reply.status} {reply.body[:100]!r}")
        return _wrk("hello", server.url + "/", seconds, Meter(server))


def measure_database(kind: str, tmp: Path, env: dict, fixture: dict, seconds: int, hello: WrkResult,
                     postgres: BenchPostgres | None) -> dict:
    """Page, submit (and its profile) on wsgi:app, then the floor on tests.bench.floor:app."""
    path = f"/questionnaires/{fixture['slug']}"
    floor_path = FLOOR_PATH.format(slug=fixture["slug"])
    receipts = Receipts(env["SECRET_KEY"])
    ceiling = hello.rps * 1.5  # no POST runs faster than hello
    results, records, sent, acks = {}, {}, [], []

    log(f"{kind}: page and submit: gunicorn -c gunicorn.conf.py wsgi:app")
    with Gunicorn("wsgi:app", env, path, tmp / f"gunicorn-app-{kind}.log") as server:
        meter = Meter(server, postgres)
        url = server.url + path
        cookie, csrf_token, html = session_and_csrf(url)
        check_page(html, fixture)
        results["page"] = _wrk("page", url, seconds, meter, headers={"Cookie": cookie})

        bodies = Bodies(fixture, env["SECRET_KEY"], csrf_token)
        # One submission by hand first, for a clear message if the app refuses them.
        key, body = bodies.one()
        ok, set_cookie, what = post_once(url, body, cookie)
        if not ok or receipts.token(set_cookie) is None:
            raise BenchError(f"a submission was not acknowledged with a private link: {what}")
        sent.append(key)
        acks.append(set_cookie)
        submit = post_series("submit", url, seconds, bodies, cookie, tmp, meter, ceiling)
        results["submit"], results["submit-warmup"] = submit["result"], submit["warmup"]
        records.update(submit["records"])
        sent += submit["sent"]

        profile = None
        if profiling.available():
            log(f"{kind}: submissions for {PROFILE_SECONDS} s more under py-spy (the profile; not measured)")
            # the bodies first: py-spy samples while wrk sends them
            count = int(results["submit"].rps * (PROFILE_SECONDS + 1) * 1.5) + 1000
            keys = bodies.write(tmp / "bodies-submit-profile.txt", count)
            profile_out = tmp / f"profile-{kind}.txt"
            meter.settle()
            with profiling.Recorder(server.process.pid, profile_out, PROFILE_SECONDS):
                _, record, keys = post_run("submit-profile", url, PROFILE_SECONDS + 1, None, 0, cookie, tmp, meter,
                                           written=keys)
            records["submit-profile"] = record
            sent += keys
            profile = profiling.summarize(profile_out)
        else:
            log(f"{kind}: no profile: {profiling.MISSING}")

    log(f"{kind}: floor: gunicorn -c gunicorn.conf.py tests.bench.floor:app")
    with Gunicorn("tests.bench.floor:app", env, path, tmp / f"gunicorn-floor-{kind}.log") as server:
        meter = Meter(server, postgres)
        url = server.url + floor_path
        ok, _, what = post_once(url, bodies.one()[1], cookie)
        if not ok:
            raise BenchError(f"the floor did not redirect to the receipt: {what}")
        floor = post_series("floor", url, seconds, bodies, cookie, tmp, meter, ceiling)
        results["floor"], results["floor-warmup"] = floor["result"], floor["warmup"]
        records.update(floor["records"])

    for label in ("submit-warmup", "submit", "submit-profile"):
        if label in records:
            acks += records[label]["acks"]
    # The servers have stopped: nothing writes any more.
    check = verify(env["DATABASE_URL"], fixture["questionnaire_id"], receipts, acks, sent, len(fixture["questions"]))
    return {"results": results, "records": records, "check": check, "profile": profile,
            "settings": fixture["settings"]}


def problems_of(measured: dict) -> list[str]:
    """What makes the figures meaningless: the benchmark broke, as opposed to the app missing a target."""
    problems = []
    results, check = measured["results"], measured["check"]
    if results["page"].non_2xx_3xx:
        problems.append(f"page: {results['page'].non_2xx_3xx} responses not 2xx/3xx")
    for label, record in measured["records"].items():
        if record["statuses"]:
            problems.append(f"{label}: responses other than a 303 to the receipt, by status: {record['statuses']}")
        if record["exhausted"]:
            problems.append(f"{label}: ran out of request bodies (raise the count in tests/bench/questionnaire.py)")
    if check["stored_not_sent"] or check["acknowledged_twice"] or check["acknowledged_without_link"]:
        problems.append("rows that match no body sent, a link acknowledged twice or an acknowledgement without a "
                        "link although every body was new: the check is unsound")
    if check["integrity_check"] not in ("ok", "n/a"):
        problems.append(f"integrity_check: {check['integrity_check']}")
    return problems


def _databases() -> list[str]:
    raw = os.environ.get("BENCH_DATABASES", "")
    names = [name.strip() for name in raw.split(",") if name.strip()] or list(DATABASES)
    unknown = [name for name in names if name not in DATABASES]
    if unknown:
        raise BenchError(f"BENCH_DATABASES: unknown {unknown}; known: {', '.join(DATABASES)}")
    return names


def report(kind: str, measured: dict, hello: WrkResult) -> tuple[list[str], dict, dict]:
    """The lines, the targets and the JSON figures of one database."""
    results, check, settings = measured["results"], measured["check"], measured["settings"]
    page, submit, floor = results["page"], results["submit"], results["floor"]
    rps_ratio, cpu_ratio = submit.rps / floor.rps, floor.cpu_us / submit.cpu_us
    target = TARGETS[kind]

    def busy(result: WrkResult) -> float:
        return result.rps * result.cpu_us / 1e6

    def split(result: WrkResult) -> str:
        return ", ".join(f"{name} {us:.0f}" for name, us in result.cpu_split_us.items())

    if kind == "sqlite":
        setting = f"journal {settings['journal_mode']}, synchronous {settings['synchronous']}"
    else:
        setting = (f"PostgreSQL {settings['server_version']}, fsync {settings['fsync']}, synchronous_commit "
                   f"{settings['synchronous_commit']}, full_page_writes {settings['full_page_writes']}")
    lines = [
        f"[{kind}] {setting}",
        f"[{kind}] submit: {submit.rps:.0f} req/s, floor: {floor.rps:.0f} req/s, ratio {rps_ratio:.2f} "
        f"(to hello: submit {submit.rps / hello.rps:.2f}, floor {floor.rps / hello.rps:.2f})",
        f"[{kind}] cpu per request (every server process): submit {submit.cpu_us:.0f} µs, floor {floor.cpu_us:.0f} µs, "
        f"ratio floor/submit {cpu_ratio:.2f} (hello/submit {hello.cpu_us / submit.cpu_us:.2f}, "
        f"hello/floor {hello.cpu_us / floor.cpu_us:.2f})",
        f"[{kind}] cpu split (µs per request): submit {split(submit)}; floor {split(floor)}",
        # below the machine's cores: the requests waited (for SQLite's lock, the disk, other programs' CPU)
        f"[{kind}] cores busy with the server: submit {busy(submit):.2f}, floor {busy(floor):.2f} "
        f"(hello {busy(hello):.2f}) of {os.cpu_count()}",
        f"[{kind}] p99: submit {submit.p99_ms:.1f} ms, floor {floor.p99_ms:.1f} ms "
        f"(p50 {submit.p50_ms:.1f} / {floor.p50_ms:.1f} ms)",
        f"[{kind}] page: {page.rps:.0f} req/s, ratio to hello {page.rps / hello.rps:.2f}, p99 {page.p99_ms:.1f} ms, "
        f"cpu {page.cpu_us:.0f} µs",
        f"[{kind}] submit check: {check['acknowledged']} acknowledged, {check['stored']} stored, "
        f"{check['missing']} missing, {check['duplicates']} duplicated",
        f"[{kind}] submit detail: {check['sent']} sent, {check['stored_unacknowledged']} stored without a reply "
        f"(in flight when wrk stopped), {check['incomplete']} acknowledged but incomplete; "
        f"integrity {check['integrity_check']}",
    ]
    if measured["profile"] is not None:
        lines += [f"[{kind}] {line}" for line in profiling.lines(measured["profile"], "submit profile")]
    targets = {
        f"{kind}: floor cpu / submit cpu >= {target['cpu_ratio']:.2f}": cpu_ratio >= target["cpu_ratio"],
        f"{kind}: submit p99 < {target['p99_ms']:.0f} ms": submit.p99_ms < target["p99_ms"],
        f"{kind}: 0 missing": check["missing"] == 0,
        f"{kind}: 0 duplicated": check["duplicates"] == 0,
    }
    data = {
        "settings": settings,
        "page": {**page.summary(), "ratio_to_hello": round(page.rps / hello.rps, 4)},
        "submit": {**submit.summary(), "ratio_to_hello": round(submit.rps / hello.rps, 4)},
        "floor": {**floor.summary(), "ratio_to_hello": round(floor.rps / hello.rps, 4)},
        "submit_to_floor_rps": round(rps_ratio, 4),
        "floor_to_submit_cpu": round(cpu_ratio, 4),
        "warmups": {label: r.summary() for label, r in results.items() if label.endswith("-warmup")},
        "check": check,
        "profile": measured["profile"],
    }
    return lines, targets, data


def run(args) -> int:
    seconds = seconds_from_env()
    databases = _databases()
    started = time.monotonic()
    load = os.getloadavg()[0]  # other work on the machine skews every figure
    measured: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="dialogue-bench-") as tmp_name:
        tmp = Path(tmp_name)
        hello = measure_hello(tmp, app_env(tmp), seconds)
        for kind in databases:
            with ExitStack() as stack:
                postgres, url = None, None
                if kind == "postgresql":
                    try:
                        postgres = BenchPostgres(os.environ.get("BENCH_PG_DURABLE", "1") != "0").start()
                    except PostgresUnavailable as error:
                        raise BenchError(f"PostgreSQL: {error}") from error
                    stack.callback(postgres.stop)
                    url = postgres.create_database("bench")
                env = app_env(tmp, url)
                log(f"{kind}: {env['DATABASE_URL']}: migrating, loading the demo, creating the questionnaire")
                fixture = prepare_database(tmp, env)
                try:
                    measured[kind] = measure_database(kind, tmp, env, fixture, seconds, hello, postgres)
                except BenchError:
                    for log_path in sorted(tmp.glob("gunicorn-*.log")):
                        text = log_path.read_text(errors="replace").strip()
                        if text:
                            log(f"{log_path.name} (end):\n{text[-3000:]}")
                    raise

    lines = [f"hello: {hello.rps:.0f} req/s, p99 {hello.p99_ms:.1f} ms, cpu {hello.cpu_us:.0f} µs per request"]
    targets, data = {}, {}
    for kind, figures in measured.items():
        kind_lines, kind_targets, data[kind] = report(kind, figures, hello)
        lines += kind_lines
        targets.update(kind_targets)
    lines += [f"{'PASS' if ok else 'FAIL'} {name}" for name, ok in targets.items()]
    socket_errors = {f"{kind} {r.label}": r.socket_errors for kind, figures in measured.items()
                     for r in figures["results"].values() if any(r.socket_errors.values())}
    if any(hello.socket_errors.values()):
        socket_errors["hello"] = hello.socket_errors
    if socket_errors:
        lines.append(f"warning: socket errors {socket_errors}")
    problems = [f"{kind}: {problem}" for kind, figures in measured.items() for problem in problems_of(figures)]
    if hello.non_2xx_3xx:
        problems.append(f"hello: {hello.non_2xx_3xx} responses not 2xx/3xx")
    elapsed = time.monotonic() - started
    workers = os.environ.get("BENCH_WEB_CONCURRENCY") or "gunicorn.conf.py's"
    lines.append(f"{'BROKEN' if problems else 'done'} in {elapsed:.0f} s ({seconds} s per run after "
                 f"{WARMUP_SECONDS} s warm-up; wrk -t{THREADS} -c{CONNECTIONS}; {workers} workers; "
                 f"{os.cpu_count()} cores; load average {load:.2f} at the start)")
    lines += [f"BROKEN {problem}" for problem in problems]

    data = {
        "benchmark": NAME,
        "seconds": seconds, "warmup_seconds": WARMUP_SECONDS, "threads": THREADS, "connections": CONNECTIONS,
        "web_concurrency": os.environ.get("BENCH_WEB_CONCURRENCY"),
        "cores": os.cpu_count(), "load_average_at_start": round(load, 2),
        "hello": hello.summary(),
        **data,
        "targets": {name: {"pass": ok} for name, ok in targets.items()},
        "problems": problems,
        "elapsed_s": round(elapsed, 1),
        "lines": lines,
    }
    text, js = write_results(NAME, lines, data)
    raw = text.parent / f"{NAME}-wrk.txt"
    raw.write_text(f"## hello\n{hello.output}\n" + "".join(
        f"## {kind} {r.label}\n{r.output}\n" for kind, figures in measured.items()
        for r in figures["results"].values()), encoding="utf-8")
    for line in lines:
        print(line, flush=True)
    log(f"written to {text.relative_to(REPO)}, {js.relative_to(REPO)} (wrk's output: {raw.relative_to(REPO)})")
    return 1 if problems else 0
