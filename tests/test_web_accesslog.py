"""Issue 5, serving: the access log (ICALFEED_ACCESS_LOG) writes the lines gunicorn's own logger
would, for any access_log_format, while computing only the fields the format uses."""

from __future__ import annotations

import asyncio
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from gunicorn.config import Config as GunicornConfig
from gunicorn.glogging import Logger

from icalfeed.store import Store
from icalfeed.web import gunicorn_conf
from icalfeed.web.accesslog import AccessLogger, AsgiAccessLog, LazyAtoms
from tests.plugins.gunicorn import start_gunicorn, stop_gunicorn
from tests.web_helpers import fill_store, web_settings

DEFAULT = GunicornConfig().access_log_format


def request_and_response() -> tuple[Any, Any, dict[str, Any]]:
    req = SimpleNamespace(
        headers=[
            ("HOST", "ir.example.com"),
            ("USER-AGENT", 'Calendar "Agent"/1.0'),
            ("IF-NONE-MATCH", '"abc"'),
            ("X-TWICE", "first"),
            ("X-TWICE", "second"),
        ]
    )
    resp = SimpleNamespace(
        status="304 Not Modified",
        headers=[("ETag", '"abc"'), ("Cache-Control", "public, max-age=300")],
        sent=0,
    )
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/calendar.ics?ticker=ACME",
        "PATH_INFO": "/calendar.ics",
        "QUERY_STRING": "ticker=ACME",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.9",
        "HTTP_USER_AGENT": 'Calendar "Agent"/1.0',
        "HTTP_AUTHORIZATION": "Basic dXNlcjpwYXNz",
    }
    return req, resp, environ


FORMATS = [
    pytest.param(DEFAULT, id="default"),
    pytest.param('%(h)s %(u)s "%(r)s" %(s)s %(b)s %(B)s %(m)s %(U)s %(q)s %(H)s', id="request"),
    pytest.param("%(T)s %(D)s %(M)s %(L)s %(p)s %(t)s", id="timing"),
    pytest.param("%({user-agent}i)s %({X-Twice}i)s %({etag}o)s %({missing}i)s", id="headers"),
    pytest.param("%({remote_addr}e)s %({HTTP_USER_AGENT}e)s %({nope}e)s", id="environ"),
    pytest.param("%(nothing)s %({odd})s 100%%", id="unknown-fields"),
]


@pytest.mark.parametrize("fmt", FORMATS)
def test_lines_are_gunicorns(fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = GunicornConfig()
    logger = Logger(cfg)
    monkeypatch.setattr(logger, "now", lambda: "[22/Nov/2026:12:00:00 +0000]")
    req, resp, environ = request_and_response()
    took = timedelta(seconds=1, microseconds=2345)
    expected = fmt % logger.atoms_wrapper_class(logger.atoms(resp, req, environ, took))
    assert fmt % LazyAtoms(logger, resp, req, environ, took) == expected


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_worker_writes_gunicorns_lines(fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The uvicorn worker's requests (an ASGI scope and messages) give the same line as the
    same request did under gunicorn's own worker."""
    cfg = GunicornConfig()
    cfg.set("access_log_format", fmt)
    cfg.set("accesslog", "-")
    logger = AccessLogger(cfg)
    monkeypatch.setattr(logger, "now", lambda: "[22/Nov/2026:12:00:00 +0000]")
    lines: list[str] = []
    monkeypatch.setattr(logger.access_log, "info", lines.append)
    clock = iter([100.0, 101.002345])
    monkeypatch.setattr("icalfeed.web.accesslog.time.perf_counter", lambda: next(clock))
    req, resp, environ = request_and_response()
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/calendar.ics",
        "raw_path": b"/calendar.ics",
        "query_string": b"ticker=ACME",
        "http_version": "1.1",
        "scheme": "http",
        "client": ("203.0.113.9", 50000),
        "headers": [
            (k.lower().encode(), v.encode())
            for k, v in [*req.headers, ("Authorization", environ["HTTP_AUTHORIZATION"])]
        ],
    }

    async def app(scope: Any, receive: Any, send: Any) -> None:
        headers = [(k.lower().encode(), v.encode()) for k, v in resp.headers]
        await send({"type": "http.response.start", "status": 304, "headers": headers})
        await send({"type": "http.response.body", "body": b""})

    async def nothing(*args: Any) -> Any:
        return None

    asyncio.run(AsgiAccessLog(app, logger)(scope, nothing, nothing))
    took = timedelta(seconds=1, microseconds=2345)
    expected = fmt % logger.atoms_wrapper_class(logger.atoms(resp, req, environ, took))
    assert lines == [expected]


def test_the_production_config_uses_it() -> None:
    assert gunicorn_conf.logger_class == "icalfeed.web.accesslog.AccessLogger"
    assert issubclass(AccessLogger, Logger)


@pytest.mark.slow
def test_gunicorn_writes_the_access_log(tmp_path: Path) -> None:
    """One line a request in gunicorn's format, through the uvicorn worker — for what Flask
    answers and for the 304s the event loop answers — and none of uvicorn's own."""
    with Store.open(web_settings(tmp_path, past_days=3650), create=True) as store:
        fill_store(store)
    log = tmp_path / "access.log"
    server = start_gunicorn(tmp_path, {"ICALFEED_ACCESS_LOG": str(log)})
    url = server.url("/calendar.ics?ticker=ACME")
    try:
        request = urllib.request.Request(url, headers={"User-Agent": "test-agent/1"})
        with urllib.request.urlopen(request, timeout=10) as r:
            assert r.status == 200
            etag, size = r.headers["ETag"], len(r.read())
        for method in ["GET"] * 6 + ["HEAD"]:  # each worker: Flask's 304, then the loop's
            request = urllib.request.Request(
                url, method=method, headers={"User-Agent": "poller/2", "If-None-Match": etag}
            )
            with pytest.raises(urllib.error.HTTPError) as e:
                urllib.request.urlopen(request, timeout=10)
            assert e.value.code == 304
    finally:
        stop_gunicorn(server)
    lines = [line for line in log.read_text().splitlines() if "ticker=ACME" in line]
    # Each worker writes its line once the response is out: the two workers' lines may come in
    # either order.
    assert len(lines) == 8, lines
    assert all(line.startswith("127.0.0.1 - - [") for line in lines)
    (first,) = [line for line in lines if " 200 " in line]
    assert f'"GET /calendar.ics?ticker=ACME HTTP/1.1" 200 {size} ' in first
    assert first.endswith('"-" "test-agent/1"')
    gets = [
        line
        for line in lines
        if line.endswith('"GET /calendar.ics?ticker=ACME HTTP/1.1" 304 0 "-" "poller/2"')
    ]
    assert len(gets) == 6, lines
    assert sum('"HEAD /calendar.ics?ticker=ACME HTTP/1.1" 304 0 ' in line for line in lines) == 1
