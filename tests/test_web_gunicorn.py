"""Issue 5 "Done when": the app under real gunicorn (2 workers) on loopback — the feed, a 304,
gzip — and ``ics-check --url`` on the served feed, a company feed and an event download."""

from __future__ import annotations

import gzip
import subprocess
import urllib.error
import urllib.request
from http.client import HTTPResponse

import pytest

from tests.conftest import ICS_CHECK, needs_ics_check
from tests.plugins.gunicorn import LiveServer
from tests.web_helpers import ACME_CALL, ADMIN_TOKEN

pytestmark = pytest.mark.slow


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            response: HTTPResponse = r
            return response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers.items()), e.read()


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
