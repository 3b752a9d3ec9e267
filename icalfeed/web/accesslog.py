"""gunicorn's logger with an access log that computes only the fields its format uses.

gunicorn's own :meth:`~gunicorn.glogging.Logger.access` builds every field it knows for every
request — one per request header, response header and WSGI environ key (about 60), each
escaped — and then formats a line that uses nine of them. On a feed revalidation that was a
third of gunicorn's time per request. :class:`AccessLogger` gives the format a mapping that
works each field out when the format asks for it, with gunicorn's rules (the same names, ``-``
for what is missing, ``"`` escaped), so any ``access_log_format`` writes the same line as
before, through the same logging handlers (files, stdout, syslog, ``logconfig``).

Used by ``gunicorn_conf.py`` as ``logger_class``.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Iterable, Iterator, Mapping
from datetime import timedelta
from typing import Any

from gunicorn.glogging import Logger


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


__all__ = ["AccessLogger", "LazyAtoms"]
