"""The recommended gunicorn set-up: `gunicorn -c gunicorn.conf.py wsgi:app`.

Sync workers, two per core: requests are short and mostly CPU, and the database does the waiting.
The app is created before forking (preload) but opens no database connection until a request comes.
"""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2))
worker_class = "sync"
preload_app = True
timeout = 30
graceful_timeout = 30
# Behind a proxy the proxy keeps client connections alive; gunicorn's sync workers need not.
keepalive = 2
accesslog = None  # access logs hold addresses: personal data; let the proxy keep them if needed
errorlog = "-"
loglevel = "warning"



def when_ready(server):
    """Move everything the preloaded app allocated out of the garbage collector's sight.

    Otherwise every full collection walks the whole app (SQLAlchemy, Babel, Jinja) and stalls a
    request for tens of milliseconds; frozen objects are also shared copy-on-write by the workers.
    """
    import gc

    gc.collect()
    gc.freeze()
