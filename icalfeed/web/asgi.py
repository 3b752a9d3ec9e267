"""``create_asgi_app()``: the web app as served — an ASGI front over the Flask (WSGI) app.

The front answers, in the event loop, the revalidations the
:class:`~icalfeed.web.conditional.RevalidationShortcut` can prove are 304s (the same decision,
asked through :meth:`~icalfeed.web.conditional.RevalidationShortcut.recall`, and the same
headers, which Flask sent for that URL moments ago). Every other request goes to Flask, in a
thread of a2wsgi's pool: a render of a big feed (seconds on a cold cache), a parse or a database
wait take a thread, never the loop, so the worker goes on answering its other connections.

Why an ASGI server at all: a 304 costs the app about 6 µs, and gunicorn's threaded worker spent
300-400 µs around it (parsing in Python, a thread hand-off per request). uvicorn parses with
httptools (llhttp, in C) on uvloop, and a 304 answered here never leaves the loop's thread.

``create_app()`` stays the WSGI app that tests and ``icalfeed serve --get`` use.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import TYPE_CHECKING, Any

from icalfeed.config import Config
from icalfeed.web.conditional import RevalidationShortcut

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from flask import Flask

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_EMPTY_BODY: Message = {"type": "http.response.body", "body": b"", "more_body": False}


class _InputTerminated:
    """Tells werkzeug that ``wsgi.input`` ends where the body ends (as gunicorn's does), so a
    chunked upload without Content-Length is read — up to the app's size cap — not dropped."""

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        environ["wsgi.input_terminated"] = True
        return self.app(environ, start_response)


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
    thread pool of ``threads`` (a2wsgi's :class:`~a2wsgi.WSGIMiddleware`)."""

    def __init__(self, app: Flask, threads: int) -> None:
        self.flask = app
        shortcut = app.extensions.get("icalfeed.shortcut")
        self.shortcut: RevalidationShortcut | None = (
            shortcut if isinstance(shortcut, RevalidationShortcut) and shortcut.ttl > 0 else None
        )
        from a2wsgi import WSGIMiddleware  # here: icalfeed.web imports without the server stack

        self.wsgi = WSGIMiddleware(_InputTerminated(app), workers=threads)  # type: ignore[arg-type]

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
        await self.wsgi(scope, receive, send)  # type: ignore[arg-type]


def create_asgi_app(config: Config | None = None, *, app: Flask | None = None) -> AsgiFront:
    """The served app: :func:`~icalfeed.web.create_app` (or ``app``) behind :class:`AsgiFront`,
    with ``ICALFEED_WEB_THREADS`` threads for the requests Flask answers."""
    from icalfeed.web.app import create_app

    if app is None:
        app = create_app(config or Config.from_env())
    settings: Config = app.config["ICALFEED"]
    return AsgiFront(app, settings.web_threads)


__all__ = ["AsgiFront", "create_asgi_app"]
