"""Issue 5, cheap revalidation: the WSGI shortcut in front of Flask (icalfeed/web/conditional.py),
and the ASGI front that asks it from the event loop (icalfeed/web/asgi.py), answer a repeated
conditional GET of a feed with the same 304 Flask would send — same status, same headers
(security headers and HSTS included), same ETag rule — and forget what they know when this
process writes, or when a write races a request being remembered."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from icalfeed.store import EventQuery, FeedVersion, Store
from icalfeed.web import create_app, create_asgi_app
from icalfeed.web.conditional import (
    VALIDATORS_KEY,
    RevalidationShortcut,
    Validators,
    VersionCache,
    gzip_etag,
)
from tests.web_helpers import (
    NEW_YORK,
    acme_call,
    asgi_request,
    post_release,
    record,
    web_settings,
)

FEED = "/calendar.ics?ticker=ACME"


def headers_of(r: TestResponse) -> list[tuple[str, str]]:
    return sorted((k, v) for k, v in r.headers.items() if k != "Date")


class Asked:
    """Counts the store's validator reads: zero means the shortcut answered."""

    def __init__(self, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
        self.queries: list[EventQuery] = []
        real = store.feed_version

        def counting(query: EventQuery) -> FeedVersion:
            self.queries.append(query)
            return real(query)

        monkeypatch.setattr(store, "feed_version", counting)


@pytest.fixture
def fast_app(web_store: Store, tmp_path: Path) -> Flask:
    """The app as served: validators and shortcut entries kept for a minute."""
    return create_app(web_settings(tmp_path), store=web_store, version_ttl=60)


def primed(app: Flask, base_url: str = "http://localhost") -> tuple[FlaskClient, str, str]:
    """A client that fetched FEED (plain and gzip) once, with the two ETags it got."""
    c = app.test_client()
    plain = c.get(FEED, base_url=base_url).headers["ETag"]
    gz = c.get(FEED, base_url=base_url, headers={"Accept-Encoding": "gzip"}).headers["ETag"]
    assert gz == gzip_etag(plain)
    return c, plain, gz


def asked_twice(
    fast_app: Flask,
    make_app: Callable[..., Flask],
    method: str,
    conditional: dict[str, str],
    base_url: str,
) -> tuple[FlaskClient, dict[str, str], TestResponse]:
    """A primed client, the conditional headers of a case filled in with its validators, and
    Flask's own answer to them from an app that keeps nothing between requests."""
    c, plain, gz = primed(fast_app, base_url)
    last_modified = c.get(FEED, base_url=base_url).headers["Last-Modified"]
    sent = {
        k: v.format(plain=plain, gz=gz, last_modified=last_modified) for k, v in conditional.items()
    }
    reference = make_app().test_client().open(FEED, method=method, headers=sent, base_url=base_url)
    return c, sent, reference


CASES = [
    pytest.param("GET", {"If-None-Match": "{plain}"}, id="etag"),
    pytest.param("GET", {"If-None-Match": '"other", {plain}'}, id="etag-in-a-list"),
    pytest.param("GET", {"If-None-Match": "W/{plain}"}, id="weak-form"),
    pytest.param("GET", {"If-None-Match": "{gz}", "Accept-Encoding": "gzip"}, id="gzip-etag"),
    pytest.param("GET", {"If-None-Match": "{gz}"}, id="gzip-etag-no-gzip-now"),
    pytest.param("GET", {"If-None-Match": "{gz}", "Accept-Encoding": "gzip;q=0"}, id="gzip-q0"),
    pytest.param("GET", {"If-None-Match": "*"}, id="star"),
    pytest.param("GET", {"If-Modified-Since": "{last_modified}"}, id="if-modified-since"),
    pytest.param("HEAD", {"If-None-Match": "{plain}"}, id="head"),
]


def each_case(test: Callable[..., None]) -> Callable[..., None]:
    """The test for every case above, over http and https."""
    over_cases = pytest.mark.parametrize(("method", "conditional"), CASES)(test)
    return pytest.mark.parametrize(  # type: ignore[no-any-return]
        "base_url", ["http://localhost", "https://localhost"], ids=["http", "https"]
    )(over_cases)


@each_case
def test_the_shortcut_sends_what_flask_sends(
    fast_app: Flask,
    make_app: Callable[..., Flask],
    web_store: Store,
    monkeypatch: pytest.MonkeyPatch,
    method: str,
    conditional: dict[str, str],
    base_url: str,
) -> None:
    c, sent, reference = asked_twice(fast_app, make_app, method, conditional, base_url)
    asked = Asked(web_store, monkeypatch)
    fast = c.open(FEED, method=method, headers=sent, base_url=base_url)
    assert asked.queries == []  # answered before Flask
    assert reference.status == fast.status == "304 NOT MODIFIED"
    assert headers_of(fast) == headers_of(reference)
    assert fast.data == b""
    assert "nosniff" in fast.headers["X-Content-Type-Options"]
    assert ("Strict-Transport-Security" in fast.headers) == base_url.startswith("https")


async def _no_thread(scope: Any, receive: Any, send: Any) -> None:
    raise AssertionError(f"{scope['method']} {scope['path']} reached Flask's thread pool")


@each_case
def test_the_event_loop_sends_what_flask_sends(
    fast_app: Flask,
    make_app: Callable[..., Flask],
    web_store: Store,
    monkeypatch: pytest.MonkeyPatch,
    method: str,
    conditional: dict[str, str],
    base_url: str,
) -> None:
    """The ASGI front's 304, sent from the loop without a thread, is Flask's: the same headers
    as a2wsgi would pass on from Flask (names lower-case), for every case above."""
    _c, sent, reference = asked_twice(fast_app, make_app, method, conditional, base_url)
    front = create_asgi_app(app=fast_app)
    monkeypatch.setattr(front, "wsgi", _no_thread)
    asked = Asked(web_store, monkeypatch)
    fast = asgi_request(front, method, FEED, sent, scheme=base_url.split(":")[0])
    assert asked.queries == []
    assert reference.status_code == fast.status == 304
    assert sorted(fast.headers) == sorted(
        (k.lower(), v) for k, v in reference.headers.items() if k != "Date"
    )
    assert fast.body == b""


def test_another_validator_goes_to_flask(
    fast_app: Flask, web_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    c, plain, _ = primed(fast_app)
    asked = Asked(web_store, monkeypatch)
    fast_app.extensions["icalfeed.versions"].clear()
    # an old ETag: the client gets the feed, from Flask
    r = c.get(FEED, headers={"If-None-Match": '"stale"'})
    assert (r.status_code, len(asked.queries)) == (200, 1)
    assert r.headers["ETag"] == plain
    assert r.data
    # a later If-Modified-Since than the one sent is Flask's to judge: still 304
    fast_app.extensions["icalfeed.versions"].clear()
    r = c.get(FEED, headers={"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"})
    assert (r.status_code, len(asked.queries)) == (304, 2)
    # the same ETag on another URL (here: the same feed under another query string) is not
    # the shortcut's to answer
    fast_app.extensions["icalfeed.versions"].clear()
    r = c.get(FEED + "&x=1", headers={"If-None-Match": plain})
    assert (r.status_code, len(asked.queries)) == (304, 3)


def test_errors_are_not_remembered(fast_app: Flask) -> None:
    c = fast_app.test_client()
    shortcut: RevalidationShortcut = fast_app.extensions["icalfeed.shortcut"]
    assert c.get("/companies/NOPE.ics").status_code == 404
    assert c.get("/calendar.ics?from=yesterday").status_code == 400
    assert c.get("/").status_code == 200  # the page is not a feed
    assert len(shortcut) == 0
    c.get(FEED)
    assert len(shortcut) == 1


def test_a_write_in_this_process_is_seen_at_once(fast_app: Flask, web_store: Store) -> None:
    c, plain, _ = primed(fast_app)
    moved = replace(acme_call(), start=NEW_YORK.localize(datetime(2024, 4, 28, 18, 0)))
    record(web_store, "behind-the-back", moved, published=date(2024, 3, 31))
    # another process's write: this worker's shortcut still answers for up to its ttl
    assert c.get(FEED, headers={"If-None-Match": plain}).status_code == 304
    r = post_release(c)
    assert r.status_code == 201
    r = c.get(FEED, headers={"If-None-Match": plain})
    assert r.status_code == 200
    assert r.headers["ETag"] != plain


def test_no_shortcut_on_a_private_server(make_app: Callable[..., Flask]) -> None:
    app = make_app(private=True, read_token="r" * 32)
    assert "icalfeed.shortcut" not in app.extensions


def _feed_app(etag: str, during: Callable[[], None] = lambda: None) -> Any:
    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        during()
        environ[VALIDATORS_KEY] = Validators(etag, "Sun, 22 Nov 2026 12:00:00 GMT")
        start_response("200 OK", [("ETag", etag), ("Content-Type", "text/calendar")])
        return [b"BEGIN:VCALENDAR"]

    return app


def _environ(**extra: str) -> dict[str, Any]:
    return {"REQUEST_METHOD": "GET", "PATH_INFO": "/calendar.ics", "QUERY_STRING": "", **extra}


class Statuses(list[str]):
    """A WSGI start_response that keeps the status lines it was given."""

    def __call__(self, status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        self.append(status)
        return lambda data: None


def test_a_write_during_a_request_is_not_forgotten() -> None:
    """A response computed before this process's write must not be remembered after it."""
    shortcut: RevalidationShortcut
    shortcut = RevalidationShortcut(_feed_app('"a"', lambda: shortcut.clear()), ttl=60)
    statuses = Statuses()
    shortcut(_environ(), statuses)
    assert len(shortcut) == 0
    shortcut(_environ(HTTP_IF_NONE_MATCH='"a"'), statuses)
    assert statuses == ["200 OK", "200 OK"]


def test_the_shortcut_forgets_after_ttl(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr("icalfeed.web.conditional.time.monotonic", lambda: now[0])
    shortcut = RevalidationShortcut(_feed_app('"a"'), ttl=1.0)
    statuses = Statuses()
    shortcut(_environ(), statuses)
    shortcut(_environ(HTTP_IF_NONE_MATCH='"a"'), statuses)
    now[0] += 1.0
    shortcut(_environ(HTTP_IF_NONE_MATCH='"a"'), statuses)
    assert statuses == ["200 OK", "304 NOT MODIFIED", "200 OK"]


def test_a_version_read_racing_a_write_is_not_kept() -> None:
    versions = VersionCache(ttl=60)
    query = EventQuery()
    reads: list[int] = []

    def read(q: EventQuery) -> FeedVersion:
        reads.append(1)
        if len(reads) == 1:
            versions.clear()  # this process wrote while the first read was in flight
        return FeedVersion(f'"v{len(reads)}"', datetime(2024, 1, 1))

    assert versions.get(query, read).etag == '"v1"'
    assert versions.get(query, read).etag == '"v2"'  # not the racing read
    assert versions.get(query, read).etag == '"v2"'  # kept now
    assert len(reads) == 2
