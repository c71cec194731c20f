"""The production set-up, started from Debian's packages for a test: nginx in front of gunicorn instances,
Redis for the rate limits; PostgreSQL comes from tests/postgres.py.

Every service listens on loopback ports of its own and keeps its files in a folder of its own. nginx runs
the shipped site (deploy/nginx/dialogue.conf) with includes written here. As root nginx's workers run as
`nobody`, so its folder is 0755 (pytest's are 0700: a buffered body would be cut short).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter

from tests.deploy import shipped
from tests.smtp import free_port

UPSTREAM_HEADER = "X-Dialogue-Upstream"


class StackUnavailable(RuntimeError):
    pass


def need(*programs: str) -> None:
    missing = [p for p in programs if shutil.which(p) is None and not Path(f"/usr/sbin/{p}").exists()]
    if missing:
        raise StackUnavailable(f"not installed: {', '.join(missing)} (.ci/run installs them with apt-get)")


def _program(name: str) -> str:
    return shutil.which(name) or f"/usr/sbin/{name}"


def wait_until(check, timeout: float, what: str, process: subprocess.Popen | None = None, log: Path | None = None):
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
            if result:
                return result
        except (OSError, requests.RequestException):
            pass
        if process is not None and process.poll() is not None:
            raise StackUnavailable(f"{what} exited with {process.returncode}: {_tail(log)}")
        if time.monotonic() > deadline:
            raise StackUnavailable(f"{what} not ready after {timeout} s: {_tail(log)}")
        time.sleep(0.05)


def _tail(log: Path | None) -> str:
    if log is None or not log.exists():
        return ""
    return log.read_text(errors="replace")[-3000:]


class Process:
    """A server in a process group of its own, so that it and its children end together."""

    def __init__(self, name: str, argv: list[str], log: Path, env: dict[str, str] | None = None,
                 cwd: Path | None = None, stop_signal: int = signal.SIGTERM) -> None:
        self.name, self.argv, self.log, self.env, self.cwd = name, argv, log, env, cwd
        self.stop_signal = stop_signal
        self.popen: subprocess.Popen | None = None

    def start(self) -> Process:
        with open(self.log, "ab") as out:
            self.popen = subprocess.Popen(self.argv, stdout=out, stderr=subprocess.STDOUT, env=self.env,
                                          cwd=self.cwd, start_new_session=True)
        return self

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Send *sig* to the whole group: gunicorn's master and every worker at once."""
        if self.popen is not None and self.popen.poll() is None:
            os.killpg(self.popen.pid, sig)
            self.popen.wait(timeout=30)

    def signal_stop(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            os.killpg(self.popen.pid, self.stop_signal)

    def wait_stopped(self) -> None:
        if self.popen is None:
            return
        try:
            self.popen.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()


class SourceAddress(HTTPAdapter):
    """Connections from a loopback address of the test's choice: nginx sees one client per address."""

    def __init__(self, address: str, **kwargs) -> None:
        self.address = address
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        return super().init_poolmanager(*args, **kwargs)


def fetch(url: str, verify: str | bool = True) -> requests.Response:
    """One GET, ignoring the environment's proxies and CA bundle (REQUESTS_CA_BUNDLE would replace *verify*)."""
    with requests.Session() as session:
        session.trust_env = False
        return session.get(url, verify=verify, timeout=2)


class Browser(requests.Session):
    """Cookies, and a Referer on every POST naming the page the form came from, as browsers send it (Flask-WTF
    refuses a POST over HTTPS without a Referer from the same host)."""

    def __init__(self) -> None:
        super().__init__()
        self.last_page: str | None = None

    def request(self, method, url, *args, headers=None, **kwargs):
        headers = dict(headers or {})
        if method.upper() == "POST" and self.last_page:
            headers.setdefault("Referer", self.last_page)
        response = super().request(method, url, *args, headers=headers, **kwargs)
        if method.upper() == "GET":
            self.last_page = url
        return response


class Stack:
    """nginx (HTTPS) → gunicorn instances (the shipped unit's command) → one PostgreSQL database; Redis."""

    def __init__(self, database_url: str, smtp_port: int, instances: int = 2, workers: int = 3) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="dialogue-stack-"))
        self.root.chmod(0o755)
        self.database_url = database_url
        self.secret_key = os.urandom(32).hex()
        self.https_port, self.http_port, self.redis_port = free_port(), free_port(), free_port()
        self.instance_ports = [free_port() for _ in range(instances)]
        self.base = f"https://localhost:{self.https_port}"  # the site's public address, as residents use it
        self.env = shipped.server_environment(
            SECRET_KEY=self.secret_key, DATABASE_URL=database_url,
            RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{self.redis_port}/0", PUBLIC_URL=self.base,
            MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp_port), MAIL_SENDER="dialog@flen.example",
        )
        # Not server settings: a small machine shared with other tests, residents faster than people, and a
        # sign-in limit reached with fewer Argon2 hashes (each costs the production 64 MiB and three passes).
        self.env.update(WEB_CONCURRENCY=str(workers), QUESTIONNAIRE_MIN_SECONDS="0", LOGIN_RATE_LIMIT="4 per minute")
        self.instances: dict[int, Process] = {}
        self.notify_sockets: dict[int, socket.socket] = {}
        self.processes: list[Process] = []
        self.nginx_test_output = ""

    # -- the pieces ----------------------------------------------------------------------------------------

    def flask(self, *args: str, stdin: str | None = None) -> subprocess.Popen:
        """`flask --app wsgi ...` as an administrator runs it on the server, with the units' environment;
        :func:`finish` waits for it."""
        process = subprocess.Popen([str(shipped.VENV_BIN / "flask"), "--app", "wsgi", *args], cwd=shipped.ROOT,
                                   env=self.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        process.input = stdin or ""  # handed over by finish()
        return process

    @staticmethod
    def finish(process: subprocess.Popen) -> str:
        stdout, stderr = process.communicate(process.input, timeout=120)
        assert process.returncode == 0, f"{' '.join(process.args[3:])}: {stderr[-3000:]}"
        return stdout

    def make_certificate(self) -> None:
        self.cert, self.key = self.root / "cert.pem", self.root / "key.pem"
        result = subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
             "-keyout", str(self.key), "-out", str(self.cert)], capture_output=True, text=True)
        if result.returncode != 0:
            raise StackUnavailable(f"openssl: {result.stderr}")

    def start_redis(self) -> None:
        redis = Process("redis", [_program("redis-server"), "--port", str(self.redis_port), "--bind", "127.0.0.1",
                                  "--save", "", "--appendonly", "no", "--dir", str(self.root)],
                        self.root / "redis.log")
        self.processes.append(redis.start())
        import redis as redis_client

        client = redis_client.Redis(port=self.redis_port, socket_timeout=1)
        wait_until(client.ping, 15, "redis-server", redis.popen, redis.log)
        client.close()

    def start_instance(self, port: int) -> Process:
        """One gunicorn instance exactly as deploy/systemd/dialogue@.service starts it (instance = port), with a
        socket of the test's in place of systemd's for the unit's Type=notify."""
        argv, unit_env, cwd = shipped.service_command("dialogue@.service", instance=str(port))
        notify = self.root / f"notify-{port}.sock"
        notify.unlink(missing_ok=True)
        self.notify_sockets[port] = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.notify_sockets[port].bind(str(notify))
        # stopped with SIGINT, gunicorn's quick shutdown: nothing is left to finish when the test ends
        process = Process(f"gunicorn:{port}", argv, self.root / f"gunicorn-{port}.log",
                          {**self.env, **unit_env, "NOTIFY_SOCKET": str(notify)}, cwd, stop_signal=signal.SIGINT)
        self.instances[port] = process
        self.processes.append(process.start())
        return process

    def wait_for_instance(self, port: int) -> None:
        """Until the instance tells systemd it is ready (READY=1), and then answers /healthz itself."""
        process, notify = self.instances[port], self.notify_sockets.pop(port)
        notify.settimeout(0.2)

        def ready() -> bool:
            try:
                return b"READY=1" in notify.recv(4096)
            except TimeoutError:
                return False

        try:
            wait_until(ready, 60, f"{process.name} (READY=1)", process.popen, process.log)
        finally:
            notify.close()
        assert fetch(f"http://127.0.0.1:{port}/healthz").text == "ok"

    def write_nginx_config(self) -> Path:
        conf = self.root / "nginx"
        (conf / "dialogue").mkdir(parents=True)
        # The includes: this host's values, in the same directives as the shipped ones.
        includes = {
            "upstreams.conf": "".join(f"server 127.0.0.1:{port};\n" for port in self.instance_ports),
            "https.conf": (f"listen 127.0.0.1:{self.https_port} ssl;\nserver_name localhost;\n"
                           f"ssl_certificate {self.cert};\nssl_certificate_key {self.key};\n"
                           f"root {shipped.ROOT};\naccess_log {self.root}/dialogue-access.log dialogue;\n"),
            "http.conf": (f"listen 127.0.0.1:{self.http_port};\nserver_name localhost;\n"
                          f"location /.well-known/acme-challenge/ {{\n    root {self.root}/acme;\n}}\n"),
        }
        for name, text in includes.items():
            (conf / "dialogue" / name).write_text(text)
        temp = self.root / "nginx-temp"
        temp.mkdir()
        temp.chmod(0o755)
        # In place of Debian's /etc/nginx/nginx.conf: the same http block, everything in this folder, and the
        # upstream that answered in a header (the test's only addition) to see both instances at work.
        (conf / "nginx.conf").write_text(f"""
worker_processes 2;
pid {self.root}/nginx.pid;
error_log {self.root}/nginx-error.log warn;
daemon off;
events {{ worker_connections 512; }}
http {{
    sendfile on;
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    add_header {UPSTREAM_HEADER} $upstream_addr always;
    include {shipped.NGINX_SITE};
}}
""")
        return conf / "nginx.conf"

    def start_nginx(self) -> None:
        conf = self.write_nginx_config()
        base = [_program("nginx"), "-p", str(self.root), "-c", str(conf), "-e", str(self.root / "nginx-error.log")]
        check = subprocess.run([*base, "-t"], capture_output=True, text=True)
        self.nginx_test_output = check.stderr
        if check.returncode != 0:
            raise AssertionError(f"nginx -t refused the shipped site:\n{check.stderr}")
        nginx = Process("nginx", base, self.root / "nginx.out")
        self.processes.append(nginx.start())
        wait_until(lambda: fetch(f"{self.base}/healthz", verify=str(self.cert)).ok, 30, "nginx",
                   nginx.popen, self.root / "nginx-error.log")

    def start(self) -> Stack:
        self.make_certificate()
        self.start_redis()
        # The README's order on a new server, at once here: the instances open no database connection until
        # a request comes, so they load while the database is migrated.
        upgrade = self.flask("db", "upgrade")
        for port in self.instance_ports:
            self.start_instance(port)
        self.finish(upgrade)
        for port in self.instance_ports:
            self.wait_for_instance(port)
        self.start_nginx()
        return self

    def stop(self) -> None:
        for process in self.processes:
            process.signal_stop()
        for process in self.processes:
            process.wait_stopped()
        for notify in self.notify_sockets.values():
            notify.close()
        shutil.rmtree(self.root, ignore_errors=True)

    # -- clients -------------------------------------------------------------------------------------------

    def browser(self, address: str = "127.0.0.1") -> Browser:
        """A visitor at *address* (any 127.x.y.z), HTTPS verified against the test's certificate."""
        session = Browser()
        session.trust_env = False  # REQUESTS_CA_BUNDLE would take the place of the test's certificate
        session.verify = str(self.cert)
        adapter = SourceAddress(address)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        return session

    def upstream_port(self, response: requests.Response) -> int | None:
        """The gunicorn instance that answered (nginx's $upstream_addr; the last one tried)."""
        value = response.headers.get(UPSTREAM_HEADER, "").split(",")[-1].strip()
        return int(value.rsplit(":", 1)[1]) if ":" in value else None
