"""The recommended gunicorn set-up: `gunicorn -c gunicorn.conf.py wsgi:app`.

Sync workers, eight per core: requests are short and mostly CPU, but a submission waits for its commit
to reach the disk; while it waits, the other workers keep the CPU busy and the writer (SQLite, see
when_ready) gathers more submissions into the same commit. The more workers wait, the larger the
commits: measured at 32 connections, the writer spent ~395 µs per submission with four workers per
core and ~280 µs with eight; sixteen saved a little more but slowed the page. Sync rather than threaded workers: they
spend the least CPU per request, and CPU is what limits the rate here.
The app is created before forking (preload) but opens no database connection until a request comes.
"""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 8))
worker_class = "sync"
preload_app = True
timeout = 30
graceful_timeout = 30
# Behind a proxy the proxy keeps client connections alive; gunicorn's sync workers need not.
keepalive = 2
accesslog = None  # access logs hold addresses: personal data; let the proxy keep them if needed
errorlog = "-"
loglevel = "warning"

_writer = None


def when_ready(server):
    """Start the submission writer (SQLite only), then freeze what the preloaded app allocated.

    The writer stores residents' submissions several per commit (dialogue/questionnaires/writer.py);
    the workers forked after this learn its address from the app's configuration.

    Freezing moves everything the app allocated out of the garbage collector's sight: otherwise every
    full collection walks the whole app (SQLAlchemy, Babel, Jinja) and stalls a request for tens of
    milliseconds; frozen objects are also shared copy-on-write by the workers.
    """
    import gc

    from sqlalchemy.orm import configure_mappers

    from dialogue.questionnaires import writer

    global _writer
    _writer = writer.start(server.app.wsgi())
    configure_mappers()  # once here, shared, instead of on each worker's first request
    gc.collect()
    gc.freeze()


def on_exit(server):
    from dialogue.questionnaires import writer

    writer.stop(_writer)
