"""Issue 5, serving: the ASGI front (icalfeed/web/asgi.py) and the gunicorn worker that runs it
(icalfeed/web/worker.py). The front answers in the event loop only the 304s the shortcut can
prove and hands everything else to Flask in a thread, so a slow request never holds up the
loop; the worker keeps gunicorn's request limits. Checked in-process and over real HTTP."""

from __future__ import annotations

import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from flask import Flask

from icalfeed.store import Store
from icalfeed.web import create_app, create_asgi_app
from icalfeed.web.asgi import AsgiFront, ThreadedWsgi
from icalfeed.web.conditional import gzip_etag
from icalfeed.web.worker import LimitedHttpToolsProtocol
from tests.plugins.gunicorn import LiveServer, free_port, start_gunicorn, stop_gunicorn
from tests.test_web_gunicorn import fetch
from tests.web_helpers import asgi_request, fill_store, web_settings

FEED = "/calendar.ics?ticker=ACME"


@pytest.fixture
def served_app(web_store: Store, tmp_path: Path) -> Flask:
    """The app as served (validators kept for a minute), before its first request."""
    return create_app(web_settings(tmp_path), store=web_store, version_ttl=60)


class ThroughFlask:
    """Wraps the front's WSGI adapter and counts the requests that reach it."""

    def __init__(self, front: AsgiFront) -> None:
        self.inner, self.calls = front.wsgi, 0
        front.wsgi = self

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.calls += 1
        await self.inner(scope, receive, send)


@pytest.mark.parametrize(
    ("method", "headers", "status"),
    [
        pytest.param("GET", {}, 200, id="unconditional"),
        pytest.param("GET", {"If-None-Match": '"stale"'}, 200, id="stale-etag"),
        pytest.param("HEAD", {"If-None-Match": '"stale"'}, 200, id="head-stale-etag"),
        pytest.param("POST", {"If-None-Match": "{plain}"}, 405, id="post"),
        pytest.param("DELETE", {"If-None-Match": "{plain}"}, 405, id="delete"),
        pytest.param(
            "GET", {"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"}, 304, id="later-date"
        ),
    ],
)
def test_the_rest_goes_to_flask(
    served_app: Flask, method: str, headers: dict[str, str], status: int
) -> None:
    front = create_asgi_app(app=served_app)
    plain = asgi_request(front, "GET", FEED)
    assert plain.status == 200
    etag = dict(plain.headers)["etag"]
    through = ThroughFlask(front)
    sent = {k: v.format(plain=etag) for k, v in headers.items()}
    r = asgi_request(front, method, FEED, sent)
    assert (r.status, through.calls) == (status, 1)
    if status == 200:
        assert dict(r.headers)["etag"] == etag
        assert r.body == (b"" if method == "HEAD" else plain.body)
        assert dict(r.headers)["content-length"] == str(len(plain.body))
    # and the provable 304 right after: from the loop
    assert asgi_request(front, "GET", FEED, {"If-None-Match": etag}).status == 304
    assert through.calls == 1


def test_a_write_in_this_process_ends_the_loops_304s(served_app: Flask) -> None:
    front = create_asgi_app(app=served_app)
    etag = dict(asgi_request(front, "GET", FEED).headers)["etag"]
    assert asgi_request(front, "GET", FEED, {"If-None-Match": etag}).status == 304
    with served_app.test_request_context():
        from icalfeed.web.app import store_changed

        store_changed()
    through = ThroughFlask(front)
    assert asgi_request(front, "GET", FEED, {"If-None-Match": etag}).status == 304
    assert through.calls == 1  # Flask judged it: nothing is remembered after a write


def test_a_private_server_has_no_loop_shortcut(web_store: Store, tmp_path: Path) -> None:
    app = create_app(
        web_settings(tmp_path, private=True, read_token="r" * 32), store=web_store, version_ttl=60
    )
    assert create_asgi_app(app=app).shortcut is None


@contextmanager
def uvicorn_serving(app: Any) -> Iterator[str]:
    """``app`` under uvicorn with the worker's protocol, in a thread of this process."""
    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        http=LimitedHttpToolsProtocol,
        lifespan="off",
        access_log=False,
        log_level="warning",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def test_a_slow_request_does_not_hold_up_the_others(served_app: Flask) -> None:
    """While one request keeps a thread busy with Python code (as a cold render of a big feed
    does), the same worker answers a 304 from its loop and /healthz from another thread. The
    slow request only ends when the test lets it, after both were answered."""
    started, release = threading.Event(), threading.Event()

    def slow() -> str:
        started.set()
        while not release.is_set():
            sum(range(10_000))  # CPU-bound: holds the GIL but for the interpreter's switches
        return "done"

    served_app.add_url_rule("/slow", view_func=slow)
    with uvicorn_serving(create_asgi_app(app=served_app)) as base:
        _, headers, _ = fetch(base + FEED)
        answers: dict[str, Any] = {}
        waiting = threading.Thread(target=lambda: answers.update(slow=fetch(base + "/slow")))
        waiting.start()
        try:
            assert started.wait(10)
            assert fetch(base + FEED, {"If-None-Match": headers["ETag"]})[0] == 304
            assert fetch(base + "/healthz")[0] == 200
            assert waiting.is_alive()
            assert "slow" not in answers
        finally:
            release.set()
            waiting.join(30)
        assert answers["slow"][0] == 200
        assert answers["slow"][2] == b"done"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("method", "headers", "names"),
    [
        pytest.param("GET", {"If-None-Match": "{plain}"}, "plain", id="etag"),
        pytest.param("GET", {"If-None-Match": '"a", {plain}, "b"'}, "plain", id="etag-list"),
        pytest.param("GET", {"If-None-Match": "{gz}", "Accept-Encoding": "gzip"}, "gz", id="gz"),
        pytest.param("GET", {"If-None-Match": '"a", {gz}', "Accept-Encoding": "gzip"}, "gz"),
        pytest.param("GET", {"If-None-Match": "{gz}"}, "plain", id="gz-etag-identity-now"),
        pytest.param("GET", {"If-None-Match": "*"}, "plain", id="star"),
        pytest.param("HEAD", {"If-None-Match": "{plain}"}, "plain", id="head"),
        pytest.param("GET", {"If-Modified-Since": "{last_modified}"}, "plain", id="ims"),
    ],
)
def test_304s_over_http(
    gunicorn_server: LiveServer, method: str, headers: dict[str, str], names: str
) -> None:
    feed = gunicorn_server.url(FEED)
    status, first, _ = fetch(feed)
    assert status == 200
    plain = first["ETag"]
    values = {"plain": plain, "gz": gzip_etag(plain), "last_modified": first["Last-Modified"]}
    sent = {k: v.format(**values) for k, v in headers.items()}
    for _ in range(6):  # each worker: from Flask once, then (within a second) from its loop
        status, got, body = fetch(feed, sent, method=method)
        assert (status, body) == (304, b"")
        assert got["ETag"] == values[names]
        assert got["X-Content-Type-Options"] == "nosniff"
        assert "Content-Length" not in got
        assert "Content-Type" not in got


@pytest.mark.slow
@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_other_methods_go_to_flask_over_http(gunicorn_server: LiveServer, method: str) -> None:
    feed = gunicorn_server.url(FEED)
    etag = fetch(feed)[1]["ETag"]
    fetch(feed, {"If-None-Match": etag})
    status, headers, _ = fetch(feed, {"If-None-Match": etag}, method=method)
    assert status == 405
    assert "GET" in headers["Allow"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("path", "headers", "status"),
    [
        pytest.param("/calendar.ics?x=" + "a" * 5000, {}, 414, id="long-url"),
        pytest.param("/healthz", {"X-Big": "a" * 9000}, 431, id="long-header"),
        pytest.param("/healthz", {f"X-H{i}": "1" for i in range(70)}, 431, id="many-headers"),
        pytest.param("/calendar.ics?x=" + "a" * 3000, {}, 200, id="long-url-within-limit"),
        pytest.param("/healthz", {"X-Big": "a" * 7000}, 200, id="long-header-within-limit"),
    ],
)
def test_gunicorns_request_limits(
    gunicorn_server: LiveServer, path: str, headers: dict[str, str], status: int
) -> None:
    assert fetch(gunicorn_server.url(path), headers)[0] == status
    assert fetch(gunicorn_server.url("/healthz"))[0] == 200


@pytest.mark.slow
def test_an_endless_request_head_is_refused(gunicorn_server: LiveServer) -> None:
    """httptools keeps a header until it ends: the worker stops reading long before memory
    does (gunicorn's limits: about 500 kB for a whole head)."""
    import socket

    host, port = gunicorn_server.base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Endless: ")
        answer = b""
        try:
            for _ in range(200):  # up to 12.8 MB
                s.sendall(b"a" * 65536)
        except (BrokenPipeError, ConnectionResetError):
            pass
        with suppress(ConnectionResetError):
            answer = s.recv(100)
    assert answer == b"" or answer.startswith(b"HTTP/1.1 431 "), answer


@pytest.mark.slow
def test_an_old_procfile_with_the_wsgi_app_still_serves(tmp_path: Path) -> None:
    """``gunicorn … 'icalfeed.web:create_app()'`` with this config: the worker puts the Flask
    app behind the ASGI front instead of calling it as ASGI."""
    with Store.open(web_settings(tmp_path, past_days=3650), create=True) as store:
        fill_store(store)
    server = start_gunicorn(tmp_path, app="icalfeed.web:create_app()")
    try:
        status, headers, body = fetch(server.url(FEED))
        assert status == 200
        assert body.startswith(b"BEGIN:VCALENDAR")
        for _ in range(4):
            assert fetch(server.url(FEED), {"If-None-Match": headers["ETag"]})[0] == 304
        request = urllib.request.Request(server.url("/calendar.ics?from=yesterday"))
        assert fetch(request.full_url)[0] == 400
    finally:
        stop_gunicorn(server)


class Streamed:
    """A WSGI app whose body comes in parts (no Content-Length), counting its close()."""

    def __init__(self, parts: list[bytes]) -> None:
        self.parts, self.closed = parts, 0

    def __call__(self, environ: Any, start_response: Any) -> Any:
        start_response("200 OK", [("Content-Type", "application/octet-stream")])
        outer = self

        class Body:
            def __iter__(self) -> Iterator[bytes]:
                return iter(outer.parts)

            def close(self) -> None:
                outer.closed += 1

        return Body()


@pytest.mark.parametrize(
    "parts",
    [
        pytest.param([], id="empty"),
        pytest.param([b"a" * 10, b"", b"b" * 10], id="small"),
        pytest.param([bytes([i]) * 700_000 for i in range(4)], id="over-the-flush-size"),
    ],
)
def test_a_wsgi_body_is_relayed_whole_and_closed_once(parts: list[bytes]) -> None:
    app = Streamed(parts)
    r = asgi_request(ThreadedWsgi(app, threads=2), "GET", "/x")
    assert (r.status, r.body, app.closed) == (200, b"".join(parts), 1)
    assert ("content-type", "application/octet-stream") in r.headers


@pytest.mark.slow
def test_a_chunked_upload_is_read_up_to_the_cap(gunicorn_server: LiveServer) -> None:
    """No Content-Length: the body is read as it comes (gunicorn did the same), and refused
    with 413 once past ICALFEED_MAX_RELEASE_BYTES."""
    import http.client

    from tests.test_web_api import RELEASE

    host, port = gunicorn_server.base.removeprefix("http://").split(":")

    def post(chunks: Iterator[bytes]) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        try:
            conn.request(
                "POST",
                "/api/parse",
                body=chunks,
                headers={"Content-Type": "text/plain", "Transfer-Encoding": "chunked"},
                encode_chunked=True,
            )
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    status, body = post(iter([RELEASE.encode()[:100], RELEASE.encode()[100:]]))
    assert status == 200, body
    assert b'"events": [{' in body or b'"events":[{' in body
    status, body = post(iter([b"x" * 65536] * 100))  # 6.5 MB
    assert status == 413, body
