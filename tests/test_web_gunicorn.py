"""Issue 5 "Done when": the app under real gunicorn (2 workers) on loopback — the feed, a 304,
gzip — and ``ics-check --url`` on the served feed, a company feed and an event download."""

from __future__ import annotations

import gzip
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import replace
from datetime import date, datetime
from http.client import HTTPResponse
from pathlib import Path

import pytest
from werkzeug.datastructures import Headers

from icalfeed.store import Store
from icalfeed.web.app import VERSION_TTL
from tests.conftest import ICS_CHECK, needs_ics_check
from tests.plugins.gunicorn import LiveServer, start_gunicorn, stop_gunicorn
from tests.web_helpers import (
    ACME_CALL,
    ADMIN_TOKEN,
    NEW_YORK,
    acme_call,
    fill_store,
    record,
    web_settings,
)

pytestmark = pytest.mark.slow


def fetch(
    url: str, headers: dict[str, str] | None = None, method: str | None = None
) -> tuple[int, Headers, bytes]:
    """Status, headers (names in any case: the server sends them lower-case) and body."""
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            response: HTTPResponse = r
            return response.status, Headers(response.headers.items()), response.read()
    except urllib.error.HTTPError as e:
        return e.code, Headers(e.headers.items()), e.read()


def test_feed_304_and_gzip(gunicorn_server: LiveServer) -> None:
    status, headers, body = fetch(gunicorn_server.url("/calendar.ics"))
    assert status == 200
    assert headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert ACME_CALL.encode() in body
    # Both workers answer with the same validator: the ETag comes from the store, not a process.
    etags = {fetch(gunicorn_server.url("/calendar.ics"))[1]["ETag"] for _ in range(6)}
    assert etags == {headers["ETag"]}
    status, _, empty = fetch(
        gunicorn_server.url("/calendar.ics"), {"If-None-Match": headers["ETag"]}
    )
    assert status == 304
    assert empty == b""
    status, gz_headers, gz_body = fetch(
        gunicorn_server.url("/calendar.ics"), {"Accept-Encoding": "gzip"}
    )
    assert status == 200
    assert gz_headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(gz_body) == body


def test_errors_are_reasons_not_tracebacks(gunicorn_server: LiveServer) -> None:
    status, _, body = fetch(gunicorn_server.url("/calendar.ics?from=yesterday"))
    assert status == 400
    assert b"Traceback" not in body
    assert b"from='yesterday'" in body


def test_ingest_over_http_shows_up_in_the_feed(gunicorn_server: LiveServer) -> None:
    from tests.test_web_api import RELEASE

    request = urllib.request.Request(
        gunicorn_server.url("/api/releases"),
        data=RELEASE.encode(),
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}", "Content-Type": "text/plain"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as r:
        assert r.status in (200, 201)
    status, _, body = fetch(gunicorn_server.url("/api/events?ticker=IMGN&from=2011-01-01"))
    assert status == 200
    assert b"imgn" in body


def ics_check(url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ICS_CHECK), "--url", url, "--no-install", *extra],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@needs_ics_check
@pytest.mark.parametrize(
    ("path", "extra"),
    [
        pytest.param("/calendar.ics", ("--feed",), id="feed"),
        pytest.param("/companies/ACME.ics", ("--feed",), id="company"),
        pytest.param(f"/events/{ACME_CALL}.ics", (), id="event"),
        pytest.param("/calendar.ics?alarm=15", ("--feed",), id="alarm"),
    ],
)
def test_ics_check_passes(gunicorn_server: LiveServer, path: str, extra: tuple[str, ...]) -> None:
    result = ics_check(gunicorn_server.url(path), *extra)
    assert result.returncode == 0, result.stdout + result.stderr


def test_revalidations_agree_and_a_store_change_reaches_both_workers(tmp_path: Path) -> None:
    """Every 304 carries the same headers, whichever worker answers and whether Flask or the
    shortcut in front of it does; a write by another process (here: this test, on the same
    SQLite file) ends the 304s on every worker within the validator TTL (1 s)."""
    config = web_settings(tmp_path, past_days=3650)
    with Store.open(config, create=True) as store:
        fill_store(store)
    server = start_gunicorn(tmp_path)
    try:
        feed = server.url("/calendar.ics")
        status, first, before = fetch(feed)
        assert status == 200
        assert b"20240428T163000" in before
        seen = []
        for _ in range(12):
            status, headers, body = fetch(feed, {"If-None-Match": first["ETag"]})
            assert (status, body) == (304, b"")
            seen.append(sorted((k.lower(), v) for k, v in headers.items() if k != "date"))
        assert all(s == seen[0] for s in seen)
        assert dict(seen[0])["x-content-type-options"] == "nosniff"
        assert dict(seen[0])["etag"] == first["ETag"]

        moved = replace(acme_call(), start=NEW_YORK.localize(datetime(2024, 4, 28, 18, 0)))
        with Store.open(config) as store:
            record(store, "behind-the-back", moved, published=date(2024, 3, 31))
        time.sleep(VERSION_TTL + 0.5)
        for _ in range(12):
            status, headers, body = fetch(feed, {"If-None-Match": first["ETag"]})
            assert status == 200
            assert headers["ETag"] != first["ETag"]
            assert b"20240428T180000" in body  # the moved call
            assert b"20240428T163000" not in body
    finally:
        stop_gunicorn(server)
