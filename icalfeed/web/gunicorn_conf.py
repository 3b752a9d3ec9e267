"""Gunicorn settings for ``icalfeed serve`` and the Procfile.

Used as ``gunicorn -c python:icalfeed.web.gunicorn_conf``.

The app is loaded once in the master (``preload_app``) and forked; each worker then drops the
connection pool it inherited (``post_fork``), as SQLAlchemy asks, so no two processes share a
database connection. ``$PORT`` and ``$WEB_CONCURRENCY`` override the bind and worker count.

The workers are uvicorn's event loops (:mod:`icalfeed.web.worker`) serving the ASGI front of
:mod:`icalfeed.web.asgi`: 304s the app can prove are answered in the loop, everything else runs
in a pool of ``ICALFEED_WEB_THREADS`` threads per worker.
"""

from __future__ import annotations

import os
from typing import Any

from icalfeed.config import Config

# ICALFEED_WEB_THREADS, ICALFEED_ACCESS_LOG and ICALFEED_LOG_LEVEL are settings like any other.
_config = Config.from_env()

# A platform (the Procfile) gives $PORT and expects every interface; local runs pass --bind.
bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"  # noqa: S104
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# An event loop per worker (uvicorn: httptools on uvloop) in front of a thread pool for Flask:
# keep-alive for pollers, 304s answered without a thread hand-off, and requests that take long
# (a big feed's first render) run in threads while the loop answers the other connections. The
# store is thread-safe (a connection pool); the app's caches take locks.
worker_class = "icalfeed.web.worker.Worker"
preload_app = True
# Seconds without a heartbeat before the master restarts a worker. The heartbeat comes from the
# loop and requests run in threads, so a long first render (about 5 ms per new VEVENT) does not
# trip it.
timeout = 120
graceful_timeout = 20
keepalive = 5
# Request line and header limits: feed URLs are short (the worker enforces them; 414 and 431).
limit_request_line = 4094
limit_request_fields = 60
limit_request_field_size = 8190
accesslog = _config.access_log or None
# gunicorn's logger and line format, with an access log that computes only the fields the line
# shows; the worker feeds it from the ASGI scope: see icalfeed/web/accesslog.py.
logger_class = "icalfeed.web.accesslog.AccessLogger"
errorlog = "-"
loglevel = _config.log_level
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
wsgi_app = "icalfeed.web:create_asgi_app()"
# No gunicornc control socket: it lives in $HOME, and two servers (tests, bench) would share it.
control_socket_disable = True


def post_fork(server: Any, worker: Any) -> None:
    """Drop the store connections the master may hold: each worker opens its own."""
    from icalfeed.web import dispose_stores_after_fork

    dispose_stores_after_fork()
