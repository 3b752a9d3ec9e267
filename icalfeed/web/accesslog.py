"""gunicorn's logger with an access log that computes only the fields its format uses.

gunicorn's own :meth:`~gunicorn.glogging.Logger.access` builds every field it knows for every
request — one per request header, response header and WSGI environ key (about 60), each
escaped — and then formats a line that uses nine of them. On a feed revalidation that was a
third of gunicorn's time per request. :class:`AccessLogger` gives the format a mapping that
works each field out when the format asks for it, with gunicorn's rules (the same names, ``-``
for what is missing, ``"`` escaped), so any ``access_log_format`` writes the same line as
before, through the same logging handlers (files, stdout, syslog, ``logconfig``).

Used by ``gunicorn_conf.py`` as ``logger_class``. The worker (:mod:`icalfeed.web.worker`) is
uvicorn's, which has no WSGI environ nor gunicorn request objects: :class:`AsgiAccessLog` hands
the same :meth:`AccessLogger.access` an environ, request and response worked out from the ASGI
scope and messages, again only as far as the format reads them, so the lines stay gunicorn's.
"""

from __future__ import annotations

import os
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from gunicorn.glogging import Logger

if TYPE_CHECKING:
    from icalfeed.web.asgi import ASGIApp, Message, Receive, Scope, Send


def _escaped(value: object) -> object:
    return value.replace('"', '\\"') if isinstance(value, str) else value


def _last(pairs: Iterable[tuple[str, Any]], name: str) -> object:
    found: object = "-"
    for key, value in pairs:
        if key.lower() == name:
            found = value
    return found


class LazyAtoms(Mapping[str, object]):
    """gunicorn's access-log fields for one request, each computed when a format asks for it."""

    def __init__(
        self, logger: Logger, resp: Any, req: Any, environ: dict[str, Any], took: timedelta
    ) -> None:
        self.logger, self.resp, self.req, self.environ, self.took = (
            logger,
            resp,
            req,
            environ,
            took,
        )

    def __getitem__(self, key: str) -> object:
        if key.startswith("{"):
            value = self._header_or_environ(key.lower())
        else:
            field = _FIELDS.get(key)
            value = "-" if field is None else field(self)
        return _escaped(value)

    def _header_or_environ(self, key: str) -> object:
        name, kind = key[1:-2], key[-2:]
        if kind == "}i":
            headers = getattr(self.req, "headers", self.req)
            return _last(headers.items() if hasattr(headers, "items") else headers, name)
        if kind == "}o":
            headers = self.resp.headers
            return _last(headers.items() if hasattr(headers, "items") else headers, name)
        if kind == "}e":
            return _last(self.environ.items(), name)
        return "-"

    def __iter__(self) -> Iterator[str]:
        return iter(_FIELDS)

    def __len__(self) -> int:
        return len(_FIELDS)


def _status(a: LazyAtoms) -> object:
    status = a.resp.status
    return status.split(None, 1)[0] if isinstance(status, str) else status


def _sent(a: LazyAtoms) -> object:
    sent = getattr(a.resp, "sent", None)
    return str(sent) if sent is not None and str(sent) else "-"


# The same fields, and the same values, as gunicorn.glogging.Logger.atoms.
_FIELDS: dict[str, Any] = {
    "h": lambda a: a.environ.get("REMOTE_ADDR", "-"),
    "l": lambda a: "-",
    "u": lambda a: a.logger._get_user(a.environ) or "-",
    "t": lambda a: a.logger.now(),
    "r": lambda a: "{} {} {}".format(
        a.environ["REQUEST_METHOD"], a.environ["RAW_URI"], a.environ["SERVER_PROTOCOL"]
    ),
    "s": _status,
    "m": lambda a: a.environ.get("REQUEST_METHOD"),
    "U": lambda a: a.environ.get("PATH_INFO"),
    "q": lambda a: a.environ.get("QUERY_STRING"),
    "H": lambda a: a.environ.get("SERVER_PROTOCOL"),
    "b": _sent,
    "B": lambda a: getattr(a.resp, "sent", None),
    "f": lambda a: a.environ.get("HTTP_REFERER", "-"),
    "a": lambda a: a.environ.get("HTTP_USER_AGENT", "-"),
    "T": lambda a: a.took.seconds,
    "D": lambda a: a.took.seconds * 1000000 + a.took.microseconds,
    "M": lambda a: a.took.seconds * 1000 + int(a.took.microseconds / 1000),
    "L": lambda a: "%d.%06d" % (a.took.seconds, a.took.microseconds),  # noqa: UP031
    "p": lambda a: f"<{os.getpid()}>",
}


class AccessLogger(Logger):  # type: ignore[misc]  # gunicorn has no type hints
    """gunicorn's Logger; only :meth:`access` differs (see the module docstring)."""

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: timedelta) -> None:
        if not self.access_log_enabled:
            return
        try:
            line = self.cfg.access_log_format % LazyAtoms(self, resp, req, environ, request_time)
            self.access_log.info(line)  # no arguments: logging does not %-format it again
        except Exception:
            self.error(traceback.format_exc())


def _raw_uri(scope: Scope) -> str:
    raw: bytes = scope.get("raw_path") or scope["path"].encode()
    query: bytes = scope.get("query_string", b"")
    return (raw + b"?" + query if query else raw).decode("latin-1")


def _remote_addr(scope: Scope) -> str:
    client = scope.get("client")
    if not client:
        raise KeyError("REMOTE_ADDR")
    return str(client[0])


# The environ keys gunicorn's format fields read, from an ASGI scope (HTTP_* come from headers).
_SCOPE_ENVIRON: dict[str, Callable[[Scope], object]] = {
    "REQUEST_METHOD": lambda s: s["method"],
    "RAW_URI": _raw_uri,
    "SERVER_PROTOCOL": lambda s: f"HTTP/{s['http_version']}",
    "PATH_INFO": lambda s: s["path"],
    "QUERY_STRING": lambda s: s.get("query_string", b"").decode("latin-1"),
    "REMOTE_ADDR": _remote_addr,
    "wsgi.url_scheme": lambda s: s.get("scheme", "http"),
}


class ScopeEnviron(Mapping[str, object]):
    """The WSGI environ gunicorn's log fields read, worked out from an ASGI scope on demand."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self._headers: dict[str, str] | None = None

    def _header_keys(self) -> dict[str, str]:
        if self._headers is None:
            headers: dict[str, str] = {}
            for name, raw in self.scope["headers"]:
                key = "HTTP_" + name.decode("latin-1").upper().replace("-", "_")
                value = raw.decode("latin-1")
                headers[key] = f"{headers[key]},{value}" if key in headers else value
            self._headers = headers
        return self._headers

    def get(self, key: str, default: Any = None) -> Any:  # the log's way in: no KeyError
        field = _SCOPE_ENVIRON.get(key)
        if field is not None:
            try:
                return field(self.scope)
            except KeyError:
                return default
        return self._header_keys().get(key, default) if key.startswith("HTTP_") else default

    def __getitem__(self, key: str) -> object:
        value = self.get(key, _MISSING)
        if value is _MISSING:
            raise KeyError(key)
        return value

    def __iter__(self) -> Iterator[str]:
        yield from (key for key in _SCOPE_ENVIRON if key in self)
        yield from self._header_keys()

    def __len__(self) -> int:
        return sum(1 for _ in self)


_MISSING = object()


class _Request:
    """gunicorn's request as the log reads it: ``headers`` (name, value) pairs."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope

    @property
    def headers(self) -> list[tuple[str, str]]:
        return [(k.decode("latin-1"), v.decode("latin-1")) for k, v in self.scope["headers"]]


class _Response:
    """gunicorn's response as the log reads it: ``status``, ``headers``, ``sent`` (body bytes)."""

    def __init__(self) -> None:
        self.status: int | None = None
        self.raw_headers: Iterable[tuple[bytes, bytes]] = ()
        self.sent = 0

    @property
    def headers(self) -> list[tuple[str, str]]:
        return [(k.decode("latin-1"), v.decode("latin-1")) for k, v in self.raw_headers]


class AsgiAccessLog:
    """ASGI middleware: one access-log line per HTTP request, through ``logger.access`` (an
    :class:`AccessLogger`), after the response is sent."""

    def __init__(self, app: ASGIApp, logger: Any) -> None:
        self.app = app
        self.logger = logger

    async def __call__(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        response = _Response()
        head = scope["method"] == "HEAD"

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                response.status = message["status"]
                response.raw_headers = message.get("headers", ())
            elif not head:
                response.sent += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except BaseException:
            if response.status is None:
                response.status = 500  # what uvicorn sends for an app that failed before
            raise
        finally:
            took = timedelta(seconds=time.perf_counter() - started)
            self.logger.access(response, _Request(scope), ScopeEnviron(scope), took)


__all__ = ["AccessLogger", "AsgiAccessLog", "LazyAtoms", "ScopeEnviron"]
