"""The gunicorn worker class: uvicorn's (httptools on uvloop), with gunicorn's settings kept.

gunicorn stays the process manager (``gunicorn_conf.py``: preload, ``post_fork``, worker
restarts, ``timeout``); each worker runs uvicorn's event loop over the app of
:mod:`icalfeed.web.asgi`. ``uvicorn_worker.UvicornWorker`` passes on ``keepalive``,
``timeout`` (its heartbeat runs in the loop, so a long render in a thread does not trip it),
``max_requests``, ``forwarded_allow_ips``, ``backlog`` and the TLS files. :class:`Worker` adds
what it leaves out:

- ``limit_request_line``, ``limit_request_fields`` and ``limit_request_field_size``: httptools
  has no limits of its own, so :class:`LimitedHttpToolsProtocol` counts — 414 for a long
  request line, 431 for too many or too long header fields or a request head past their sum;
- ``graceful_timeout`` as uvicorn's graceful shutdown;
- the access log: gunicorn's format through its logger
  (:class:`~icalfeed.web.accesslog.AsgiAccessLog`); uvicorn's own is off, so one line a request;
- a WSGI app (``gunicorn … 'icalfeed.web:create_app()'``, an old Procfile) is put behind the
  ASGI front rather than being called as ASGI.

Used as ``worker_class`` in ``gunicorn_conf.py``.
"""

from __future__ import annotations

import asyncio
import inspect
from typing import Any, ClassVar

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn_worker import UvicornWorker

from icalfeed.web.accesslog import AsgiAccessLog

_REASONS = {414: b"URI Too Long", 431: b"Request Header Fields Too Large"}


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with gunicorn's request line and header limits."""

    max_line: ClassVar[int] = 4094
    max_fields: ClassVar[int] = 100
    max_field_size: ClassVar[int] = 8190

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._in_head = True
        self._head_bytes = 0
        self._url_bytes = 0
        self._fields = 0
        self._refusal: tuple[int, str] | None = None

    @classmethod
    def max_head(cls) -> int:
        return cls.max_line + cls.max_fields * (cls.max_field_size + 4) + 4

    def data_received(self, data: bytes) -> None:
        if self._in_head:
            # httptools buffers a header until its end: refuse a head that goes on and on (by
            # the bytes read before this chunk, which may also hold the start of a body).
            if self._head_bytes > self.max_head():
                self._refuse(431, "Request head too large.")
                return
            self._head_bytes += len(data)
        super().data_received(data)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._url_bytes = self._fields = 0

    def on_url(self, url: bytes) -> None:
        self._url_bytes += len(url)
        if self._url_bytes > self.max_line:
            self._refusal = (414, "Request line too long.")
            raise httptools.HttpParserError(self._refusal[1])
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._fields += 1
        if self._fields > self.max_fields:
            self._refusal = (431, "Too many header fields.")
            raise httptools.HttpParserError(self._refusal[1])
        if len(name) + len(value) + 2 > self.max_field_size:
            self._refusal = (431, "Header field too long.")
            raise httptools.HttpParserError(self._refusal[1])
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._head_bytes = 0
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._in_head = True  # the next request's head may follow on this connection
        super().on_message_complete()

    def send_400_response(self, msg: str) -> None:
        if self._refusal is None:
            super().send_400_response(msg)
            return
        self._refuse(*self._refusal)

    def _refuse(self, status: int, msg: str) -> None:
        content = [b"HTTP/1.1 %d %s\r\n" % (status, _REASONS[status])]
        for name, value in self.server_state.default_headers:
            content.extend([name, b": ", value, b"\r\n"])
        body = msg.encode("ascii")
        content.extend(
            [
                b"content-type: text/plain; charset=utf-8\r\n",
                b"content-length: %d\r\n" % len(body),
                b"connection: close\r\n\r\n",
                body,
            ]
        )
        self.transport.write(b"".join(content))
        self.transport.close()


def limited_protocol(line: int, fields: int, field_size: int) -> type[LimitedHttpToolsProtocol]:
    """:class:`LimitedHttpToolsProtocol` with these limits (gunicorn's 0, "unlimited", keeps
    the class's default: an unbounded request head is a way to exhaust memory)."""
    base = LimitedHttpToolsProtocol
    return type(
        "LimitedHttpToolsProtocol",
        (base,),
        {
            "max_line": line or base.max_line,
            "max_fields": fields or base.max_fields,
            "max_field_size": field_size or base.max_field_size,
        },
    )


def _is_asgi(app: Any) -> bool:
    call = app if inspect.isfunction(app) else getattr(app, "__call__", None)  # noqa: B004
    return asyncio.iscoroutinefunction(call)


class Worker(UvicornWorker):  # type: ignore[misc]  # uvicorn_worker has no type hints
    """uvicorn's gunicorn worker with the rest of gunicorn's settings (module docstring)."""

    CONFIG_KWARGS: ClassVar[dict[str, Any]] = {
        "loop": "auto",  # uvloop when installed
        "lifespan": "off",
        "access_log": False,  # AsgiAccessLog writes gunicorn's line instead
        "server_header": False,
    }
    wsgi: Any  # the loaded app (gunicorn's name for it, whatever its interface)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cfg = self.cfg
        self.config.http = limited_protocol(
            cfg.limit_request_line, cfg.limit_request_fields, cfg.limit_request_field_size
        )
        self.config.timeout_graceful_shutdown = cfg.graceful_timeout

    def load_wsgi(self) -> None:
        super().load_wsgi()
        app: Any = self.wsgi
        if not _is_asgi(app):
            from icalfeed.web.asgi import create_asgi_app

            app = create_asgi_app(app=app)
        if self.log.access_log_enabled:
            app = AsgiAccessLog(app, self.log)
        self.wsgi = app


__all__ = ["LimitedHttpToolsProtocol", "Worker", "limited_protocol"]
