"""``create_asgi_app()``: the web app as served — an ASGI front over the Flask (WSGI) app.

The front answers, in the event loop, the revalidations the
:class:`~icalfeed.web.conditional.RevalidationShortcut` can prove are 304s (the same decision,
asked through :meth:`~icalfeed.web.conditional.RevalidationShortcut.recall`, and the same
headers, which Flask sent for that URL moments ago). Every other request goes to Flask, in a
thread of a pool (:class:`ThreadedWsgi`, on a2wsgi's environ and request body): a render of a
big feed (seconds on a cold cache), a parse or a database wait takes a thread, never the loop, so
the worker goes on answering its other connections.

Why an ASGI server at all: a 304 costs the app about 6 µs, and gunicorn's threaded worker spent
300-400 µs around it (parsing in Python, a thread hand-off per request). uvicorn parses with
httptools (llhttp, in C) on uvloop, and a 304 answered here never leaves the loop's thread.

``create_app()`` stays the WSGI app that tests and ``icalfeed serve --get`` use.
"""

from __future__ import annotations

import asyncio
import contextvars
import sys
from collections.abc import Awaitable, Callable, Iterable, Iterator, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from icalfeed.config import Config
from icalfeed.web.conditional import RevalidationShortcut

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication, WSGIEnvironment
    from flask import Flask

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_EMPTY_BODY: Message = {"type": "http.response.body", "body": b"", "more_body": False}
#: Response bytes a thread collects before the loop sends them (a larger body goes in parts).
FLUSH_BYTES = 1 << 20


class _Exchange:
    """One response, collected in a pool thread and sent by the loop.

    The thread runs the WSGI app and iterates its body until the end, or until FLUSH_BYTES are
    waiting (then the loop sends them and asks for more): one hand-off from thread to loop
    for a whole feed, where a2wsgi's own responder makes three blocking round trips (status,
    body, end), which measured 300 µs more CPU per gzip GET than gunicorn's gthread.
    """

    def __init__(self) -> None:
        self.start: Message | None = None
        self.chunks: list[bytes] = []
        self.size = 0
        self.remaining: int | None = None  # of the Content-Length, if one was sent
        self.headers_sent = False
        self._iterator: Iterator[bytes] | None = None
        self._close: Callable[[], object] | None = None

    def start_response(
        self, status: str, headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Callable[[bytes], object]:
        if exc_info is not None:
            try:
                if self.headers_sent:
                    raise exc_info[1].with_traceback(exc_info[2])
            finally:
                exc_info = None
        raw = [
            (k.strip().encode("latin-1").lower(), v.strip().encode("latin-1")) for k, v in headers
        ]
        for name, value in raw:
            if name == b"content-length":
                self.remaining = int(value)
        self.start = {"type": "http.response.start", "status": int(status[:3]), "headers": raw}
        return self.write

    def write(self, data: bytes) -> None:
        self.chunks.append(data)
        self.size += len(data)

    def run(self, app: WSGIApplication, environ: WSGIEnvironment) -> bool:
        """In a thread: the app's response up to FLUSH_BYTES; True when more may follow."""
        iterable = app(environ, self.start_response)
        self._iterator = iter(iterable)
        self._close = getattr(iterable, "close", None)
        return self.more()

    def more(self) -> bool:
        """In a thread: the next part of the body; True when more may follow."""
        assert self._iterator is not None
        try:
            while self.size < FLUSH_BYTES:
                chunk = next(self._iterator, None)
                if chunk is None:
                    break
                if chunk:
                    self.write(chunk)
            else:
                if self.remaining is None or self.size < self.remaining:
                    return True  # else: the whole Content-Length is here, done
        except BaseException:
            self.close()
            raise
        self.close()
        return False

    def close(self) -> None:
        close, self._close = self._close, None
        if close is not None:
            close()

    def take(self) -> list[bytes]:
        chunks, self.chunks = self.chunks, []
        if self.remaining is not None:
            self.remaining -= self.size
        self.size = 0
        return chunks


class ThreadedWsgi:
    """ASGI app: a WSGI app run in a pool of ``threads`` threads, its response sent by the loop.

    The environ and the request body are a2wsgi's (:func:`a2wsgi.wsgi.build_environ`; the body
    is read from the loop as the app asks for it, so a request refused by its Content-Length is
    never read), with ``wsgi.input_terminated`` set as gunicorn does, so that werkzeug reads a
    chunked upload (up to the app's size cap) instead of taking it as empty.
    """

    def __init__(self, app: WSGIApplication, threads: int) -> None:
        self.app = app
        self.executor = ThreadPoolExecutor(threads, thread_name_prefix="icalfeed-web")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await _not_http(scope, receive, send)
            return
        from a2wsgi.wsgi import Body, build_environ

        loop = asyncio.get_running_loop()
        environ: Any = build_environ(scope, Body(loop, receive))  # type: ignore[arg-type]
        environ["wsgi.input_terminated"] = True
        environ["wsgi.errors"] = sys.stderr
        exchange = _Exchange()
        context = contextvars.copy_context()
        more = await loop.run_in_executor(
            self.executor, context.run, exchange.run, self.app, environ
        )
        try:
            if exchange.start is None:
                raise RuntimeError("the WSGI app did not call start_response")
            await send(exchange.start)
            exchange.headers_sent = True
            while True:
                for chunk in exchange.take():
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
                if not more:
                    break
                more = await loop.run_in_executor(self.executor, context.run, exchange.more)
            await send(_EMPTY_BODY)
        finally:
            if more:  # the client went away, or sending failed: let the app clean up
                await loop.run_in_executor(self.executor, context.run, exchange.close)


async def _not_http(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1000})
    elif scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return


def _path_info(scope: Scope) -> str:
    """``PATH_INFO`` as a2wsgi builds it from the scope (UTF-8 bytes as latin-1 text)."""
    path: str = scope["path"]
    if not path.isascii():
        path = path.encode().decode("latin-1")
    root: str = scope.get("root_path", "")
    if root:
        root = root.encode().decode("latin-1")
        if path.startswith(root):
            path = path[len(root) :]
    return path


def _conditional_headers(headers: Iterable[tuple[bytes, bytes]]) -> tuple[str | None, ...]:
    """If-None-Match, If-Modified-Since and Accept-Encoding, repeats joined with commas (as
    the WSGI environ has them)."""
    inm = ims = ae = None
    for name, raw in headers:
        if name == b"if-none-match":
            value = raw.decode("latin-1")
            inm = value if inm is None else f"{inm},{value}"
        elif name == b"if-modified-since":
            value = raw.decode("latin-1")
            ims = value if ims is None else f"{ims},{value}"
        elif name == b"accept-encoding":
            value = raw.decode("latin-1")
            ae = value if ae is None else f"{ae},{value}"
    return inm, ims, ae


class AsgiFront:
    """ASGI app: 304s the shortcut can prove, answered in the loop; the rest to Flask in a
    pool of ``threads`` threads (:class:`ThreadedWsgi`)."""

    def __init__(self, app: Flask, threads: int) -> None:
        self.flask = app
        shortcut = app.extensions.get("icalfeed.shortcut")
        self.shortcut: RevalidationShortcut | None = (
            shortcut if isinstance(shortcut, RevalidationShortcut) and shortcut.ttl > 0 else None
        )
        self.wsgi: ASGIApp = ThreadedWsgi(app, threads)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        shortcut = self.shortcut
        if shortcut is not None and scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            known = shortcut.recall(
                scope["scheme"], _path_info(scope), scope["query_string"].decode("latin-1")
            )
            if known is not None:
                inm, ims, ae = _conditional_headers(scope["headers"])
                hit = known.match(inm, ims, ae or "")
                if hit is not None:
                    await send(
                        {"type": "http.response.start", "status": 304, "headers": hit.raw_headers}
                    )
                    await send(_EMPTY_BODY)
                    return
        await self.wsgi(scope, receive, send)


def create_asgi_app(config: Config | None = None, *, app: Flask | None = None) -> AsgiFront:
    """The served app: :func:`~icalfeed.web.create_app` (or ``app``) behind :class:`AsgiFront`,
    with ``ICALFEED_WEB_THREADS`` threads for the requests Flask answers."""
    from icalfeed.web.app import create_app

    if app is None:
        app = create_app(config or Config.from_env())
    settings: Config = app.config["ICALFEED"]
    return AsgiFront(app, settings.web_threads)


__all__ = ["AsgiFront", "create_asgi_app"]
