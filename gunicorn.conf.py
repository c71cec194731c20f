"""The recommended gunicorn set-up: `gunicorn -c gunicorn.conf.py wsgi:app`.

Sync workers: requests are short and mostly CPU, and a sync worker spends the least CPU per request.
A submission also waits for its commit to reach the disk (SQLite with synchronous=FULL, or
PostgreSQL's WAL flush); while one worker waits, the others keep the CPU busy, hence four workers per
core rather than gunicorn's usual two. Each worker holds its own database connections: mind
PostgreSQL's max_connections. The app is created before forking (preload) but opens no database
connection until a request comes.
"""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 4))
worker_class = "sync"
preload_app = True
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 30
# Behind a proxy the proxy keeps client connections alive; gunicorn's sync workers need not.
keepalive = 2
accesslog = None  # access logs hold addresses: personal data; let the proxy keep them if needed
errorlog = "-"
loglevel = "warning"


def when_ready(server):
    """Freeze what the preloaded app allocated.

    Freezing moves everything the app allocated out of the garbage collector's sight: otherwise every
    full collection walks the whole app (SQLAlchemy, Babel, Jinja) and stalls a request for tens of
    milliseconds; frozen objects are also shared copy-on-write by the workers.
    """
    import gc

    from sqlalchemy.orm import configure_mappers

    configure_mappers()  # once here, shared, instead of on each worker's first request
    gc.collect()
    gc.freeze()


def worker_exit(server, worker):
    """A worker stopping (a deploy, a restart) marks the exports it was still building as interrupted, so
    the official is told at once rather than when their heartbeat grows old."""
    from dialogue.exports import jobs

    jobs.mark_interrupted()
