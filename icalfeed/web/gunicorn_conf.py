"""Gunicorn settings for ``icalfeed serve`` and the Procfile.

Used as ``gunicorn -c python:icalfeed.web.gunicorn_conf``.

The app is loaded once in the master (``preload_app``) and forked; each worker then drops the
connection pool it inherited (``post_fork``), as SQLAlchemy asks, so no two processes share a
database connection. ``$PORT`` and ``$WEB_CONCURRENCY`` override the bind and worker count.
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
# Threads: keep-alive for pollers (a sync worker closes every connection), 304s answered while
# another thread renders a big feed, and a long first render does not starve the worker's
# heartbeat. The store is thread-safe (a connection pool); the app's caches take locks.
worker_class = "gthread"
threads = _config.web_threads
preload_app = True
# Seconds without a heartbeat before the master restarts a worker. Requests run in threads, so a
# long first render of a big feed (about 5 ms per new VEVENT) does not trip it.
timeout = 120
graceful_timeout = 20
keepalive = 5
# Request line and header limits: feed URLs are short.
limit_request_line = 4094
limit_request_fields = 60
limit_request_field_size = 8190
accesslog = _config.access_log or None
# gunicorn's logger, with an access log that computes only the fields the line shows (a third of
# gunicorn's time per request otherwise): see icalfeed/web/accesslog.py.
logger_class = "icalfeed.web.accesslog.AccessLogger"
errorlog = "-"
loglevel = _config.log_level
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
wsgi_app = "icalfeed.web:create_app()"
# No gunicornc control socket: it lives in $HOME, and two servers (tests, bench) would share it.
control_socket_disable = True


def post_fork(server: Any, worker: Any) -> None:
    """Drop the store connections the master may hold: each worker opens its own."""
    from icalfeed.web import dispose_stores_after_fork

    dispose_stores_after_fork()
