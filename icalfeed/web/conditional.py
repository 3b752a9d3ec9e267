"""Validators, 304s, gzip and the per-ETag byte cache that make feeds cheap to poll.

A feed's ETag comes from :meth:`Store.feed_version` (the store's change counter, the query and
today's date) plus what else shapes the bytes (alarm, calendar name, renderer version), so a
revalidation that ends in 304 reads no event at all. The bytes of a feed, and their gzip, are
kept per ETag in a small LRU bounded in bytes: a poll after a change renders once per worker.

Strong ETags name one representation, so the gzip body has its own (``"…-gz"``); an
If-None-Match with either form matches, as clients that decompress may send back either.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from flask import Request, Response, request
from werkzeug.http import http_date, parse_date, remove_entity_headers

from icalfeed.store.records import EventQuery, FeedVersion

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

GZIP_MIN_BYTES = 512
GZIP_LEVEL = 6


def make_etag(*parts: str) -> str:
    """A strong ETag (quoted) from the parts that decide a representation's bytes."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
    return f'"{digest}"'


def gzip_etag(etag: str) -> str:
    return etag[:-1] + '-gz"'


@dataclass(frozen=True, slots=True)
class Body:
    """A representation's bytes and, when worth it, their gzip."""

    raw: bytes
    gz: bytes | None

    @property
    def size(self) -> int:
        return len(self.raw) + len(self.gz or b"")


def make_body(raw: bytes) -> Body:
    gz = gzip.compress(raw, GZIP_LEVEL, mtime=0) if len(raw) >= GZIP_MIN_BYTES else None
    return Body(raw, gz)


class BodyCache:
    """Bodies by ETag, least recently used dropped first, at most ``max_bytes`` in all."""

    def __init__(self, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, Body] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get_or_make(self, etag: str, make: Callable[[], bytes]) -> Body:
        with self._lock:
            body = self._items.get(etag)
            if body is not None:
                self._items.move_to_end(etag)
                return body
        body = make_body(make())  # outside the lock: two threads may render the same bytes once
        with self._lock:
            if etag not in self._items and body.size <= self.max_bytes:
                self._items[etag] = body
                self._size += body.size
                while self._size > self.max_bytes:
                    _, dropped = self._items.popitem(last=False)
                    self._size -= dropped.size
        return body

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._size = 0

    def __len__(self) -> int:
        return len(self._items)


class VersionCache:
    """Each query's :class:`FeedVersion` for ``ttl`` seconds, so a burst of revalidations costs
    one store read per second per worker; this process's own writes clear it at once.

    Another worker's write shows up within ``ttl``: calendar apps poll every few hours, and a
    feed one second stale is the same feed. ``ttl=0`` asks the store every time. A read that
    started before a :meth:`clear` is not kept (it may predate the write).
    """

    MAX_ITEMS = 4096

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._items: dict[EventQuery, tuple[float, FeedVersion]] = {}
        self._lock = threading.Lock()
        self._generation = 0

    def get(self, query: EventQuery, read: Callable[[EventQuery], FeedVersion]) -> FeedVersion:
        if self.ttl <= 0:
            return read(query)
        now = time.monotonic()
        hit = self._items.get(query)
        if hit is not None and now - hit[0] < self.ttl:
            return hit[1]
        generation = self._generation
        version = read(query)
        with self._lock:
            if generation == self._generation:
                if len(self._items) >= self.MAX_ITEMS:
                    self._items.clear()
                self._items[query] = (now, version)
        return version

    def clear(self) -> None:
        with self._lock:
            self._generation += 1
            self._items.clear()


_NOT_MODIFIED = Response(status=304).status  # werkzeug's status line, as Flask sends it

#: The WSGI environ key where a view leaves the validators of a public, shortcut-able response.
VALIDATORS_KEY = "icalfeed.validators"


@dataclass(frozen=True, slots=True)
class Validators:
    """What a feed response was validated with: its ETag and its Last-Modified (HTTP-date)."""

    etag: str
    last_modified: str


@dataclass(frozen=True, slots=True)
class NotModified:
    """A remembered 304's headers, in the forms a WSGI and an ASGI server take."""

    headers: tuple[tuple[str, str], ...]
    #: The same, as ASGI ``http.response.start`` wants them (latin-1 bytes, lower-case names,
    #: as a2wsgi turns Flask's headers), so the two paths send the same bytes.
    raw_headers: tuple[tuple[bytes, bytes], ...]

    @classmethod
    def of(cls, headers: tuple[tuple[str, str], ...]) -> NotModified:
        raw = tuple(
            (k.strip().encode("latin-1").lower(), v.strip().encode("latin-1")) for k, v in headers
        )
        return cls(headers, raw)


@dataclass(frozen=True, slots=True)
class Remembered:
    """What a 304 for one URL looks like, until ``until`` (a :func:`time.monotonic` time)."""

    validators: Validators
    gz_etag: str
    plain: NotModified  # the 304, naming the identity body's ETag
    gz: NotModified  # the same, naming the gzip body's ETag
    until: float

    def match(
        self, if_none_match: str | None, if_modified_since: str | None, accept_encoding: str
    ) -> NotModified | None:
        """The 304 when the request's validators match (as :func:`not_modified` decides), else
        None. If-Modified-Since is only answered here when it is the exact Last-Modified that
        was sent; any other date goes to the app."""
        if if_none_match is not None:
            tags = _etags(if_none_match)
            etag = self.validators.etag
            if "*" in tags or etag in tags or self.gz_etag in tags:
                named = etag_for_304(etag, tags, accepts_gzip_header(accept_encoding))
                return self.plain if named == etag else self.gz
            return None
        if if_modified_since == self.validators.last_modified:
            return self.plain
        return None


class RevalidationShortcut:
    """WSGI middleware: a revalidation of a feed URL served moments ago is answered 304 here,
    before Flask builds a request, routes it and runs its hooks — with the headers Flask's own
    304 for that URL has (security headers included), for the same ``ttl`` as
    :class:`VersionCache` and with the same rule (this process's writes forget everything).

    A view marks a response as one to remember by leaving :class:`Validators` in the WSGI
    environ under :data:`VALIDATORS_KEY`; the headers are taken from what Flask sent
    (``start_response``), less what a 304 leaves out (werkzeug's entity headers), so the two
    paths cannot drift apart. Remembered per scheme, path (``PATH_INFO``) and query string.
    Only public feeds: on a private server every request goes through the token check.

    :meth:`recall` and :meth:`Remembered.match` are the whole decision; the ASGI front
    (:mod:`icalfeed.web.asgi`) asks them too, from the event loop, before a request reaches a
    thread.
    """

    MAX_ITEMS = 4096

    def __init__(self, app: WSGIApplication, ttl: float) -> None:
        self.app = app
        self.ttl = ttl
        self._known: dict[tuple[str, str, str], Remembered] = {}
        self._generation = 0

    def clear(self) -> None:
        self._generation += 1
        self._known.clear()

    def __len__(self) -> int:
        return len(self._known)

    def recall(self, scheme: str, path: str, query: str) -> Remembered | None:
        """What is remembered for this URL (a GET or HEAD of it), if still fresh."""
        known = self._known.get((scheme, path, query))
        if known is not None and time.monotonic() < known.until:
            return known
        return None

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or self.ttl <= 0:
            return self.app(environ, start_response)
        key = (
            environ.get("wsgi.url_scheme", "http"),
            environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""),
        )
        known = self.recall(*key)
        if known is not None:
            hit = known.match(
                environ.get("HTTP_IF_NONE_MATCH"),
                environ.get("HTTP_IF_MODIFIED_SINCE"),
                environ.get("HTTP_ACCEPT_ENCODING", ""),
            )
            if hit is not None:
                start_response(_NOT_MODIFIED, list(hit.headers))
                return []
        return self._through_app(key, environ, start_response)

    def _through_app(
        self, key: tuple[str, str, str], environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        generation = self._generation
        sent: list[tuple[str, list[tuple[str, str]]]] = []

        def keep(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            sent.append((status, headers))
            return start_response(status, headers, exc_info)

        body = self.app(environ, keep)
        validators = environ.get(VALIDATORS_KEY)
        if isinstance(validators, Validators) and sent and generation == self._generation:
            status, headers = sent[-1]
            if status.startswith(("200", "304")):
                self._remember(key, validators, headers)
        return body

    def _remember(
        self, key: tuple[str, str, str], validators: Validators, headers: list[tuple[str, str]]
    ) -> None:
        kept = [(k, v) for k, v in headers if k.lower() != "etag"]
        remove_entity_headers(kept)  # what werkzeug drops from a 304 (RFC 9110 §15.4.5)
        gz = gzip_etag(validators.etag)
        if len(self._known) >= self.MAX_ITEMS:
            self._known.clear()
        self._known[key] = Remembered(
            validators,
            gz,
            NotModified.of((*kept, ("ETag", validators.etag))),
            NotModified.of((*kept, ("ETag", gz))),
            time.monotonic() + self.ttl,
        )


def _etags(header: str | None) -> list[str]:
    if not header:
        return []
    return [t.strip().removeprefix("W/") for t in header.split(",") if t.strip()]


def etag_for_304(etag: str, tags: list[str], gzip_ok: bool) -> str:
    """The ETag a 304 names: the representation this client would get (RFC 9110 §15.4.5) —
    the gzip one when it accepts gzip and sent that tag back, else the identity one."""
    gz = gzip_etag(etag)
    return gz if gzip_ok and gz in tags else etag


def not_modified(req: Request, etag: str, last_modified: datetime) -> bool:
    """Whether the client's copy is current (RFC 9110 §13.2.2: If-None-Match wins)."""
    inm = req.headers.get("If-None-Match")
    if inm is not None:
        tags = _etags(inm)
        return "*" in tags or etag in tags or gzip_etag(etag) in tags
    ims = req.headers.get("If-Modified-Since")
    if ims:
        since = parse_date(ims)
        if since is not None:
            since = since if since.tzinfo else since.replace(tzinfo=UTC)
            return last_modified.replace(microsecond=0) <= since
    return False


def accepts_gzip_header(accept_encoding: str) -> bool:
    """Whether an Accept-Encoding value allows gzip (``gzip;q=0`` refuses it)."""
    for part in accept_encoding.split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() in ("gzip", "x-gzip", "*"):
            q = params.strip()
            if q.startswith("q="):
                try:
                    return float(q[2:]) > 0
                except ValueError:
                    return False
            return True
    return False


def accepts_gzip(req: Request) -> bool:
    """Whether the request's Accept-Encoding allows gzip."""
    return accepts_gzip_header(req.headers.get("Accept-Encoding", ""))


def cached_response(
    *,
    etag: str,
    last_modified: datetime,
    body: Callable[[], Body],
    mimetype: str,
    max_age: int,
    headers: dict[str, str] | None = None,
    private: bool = False,
) -> Response:
    """A 200 (raw or gzip), or a 304 without calling ``body``; HEAD sends no body."""
    use_gzip = accepts_gzip(request)
    common = {
        "Last-Modified": http_date(last_modified),
        "Cache-Control": f"{'private' if private else 'public'}, max-age={max_age}, no-transform",
        "Vary": "Accept-Encoding",
        **(headers or {}),
    }
    if not_modified(request, etag, last_modified):
        response = Response(status=304)
        response.headers.update(common)
        # The ETag of the representation this client would get, as RFC 9110 asks.
        tags = _etags(request.headers.get("If-None-Match"))
        response.headers["ETag"] = etag_for_304(etag, tags, use_gzip)
        return response
    made = body()
    data, tag = made.raw, etag
    response = Response(mimetype=mimetype)
    if use_gzip and made.gz is not None:
        data, tag = made.gz, gzip_etag(etag)
        response.headers["Content-Encoding"] = "gzip"
    response.headers.update(common)
    response.headers["ETag"] = tag
    response.headers["Content-Length"] = str(len(data))
    if request.method != "HEAD":
        response.set_data(data)
        response.headers["Content-Length"] = str(len(data))
    response.direct_passthrough = False
    return response


__all__ = [
    "VALIDATORS_KEY",
    "Body",
    "BodyCache",
    "NotModified",
    "Remembered",
    "RevalidationShortcut",
    "Validators",
    "VersionCache",
    "accepts_gzip",
    "accepts_gzip_header",
    "cached_response",
    "etag_for_304",
    "gzip_etag",
    "make_body",
    "make_etag",
    "not_modified",
]
