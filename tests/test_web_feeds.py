"""Issue 5, feeds: /calendar.ics, /companies/<ticker>.ics, /events/<uid>.ics — content, filters,
validators (ETag, Last-Modified, 304), gzip, HEAD, and the reasons given for bad requests."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import icalendar
import pytest
from flask import Flask
from flask.testing import FlaskClient

from icalfeed.store import EventQuery, FeedVersion, Store
from icalfeed.web import create_app
from tests.web_helpers import (
    ACME_AGM,
    ACME_CALL,
    ACME_PAST,
    ADMIN_TOKEN,
    NEW_YORK,
    READ_TOKEN,
    ZETA_HELD,
    acme_call,
    post_release,
    record,
    web_settings,
)


def uids(data: bytes) -> set[str]:
    cal = icalendar.Calendar.from_ical(data)
    return {str(e["UID"]) for e in cal.walk("VEVENT")}


def test_calendar_is_icalendar_with_every_published_event(client: FlaskClient) -> None:
    r = client.get("/calendar.ics")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/calendar; charset=utf-8"
    found = uids(r.data)
    assert {ACME_CALL, ACME_AGM, ACME_PAST} <= found
    assert ZETA_HELD not in found  # held for review: not published
    assert b"X-WR-CALNAME:Investor events" in r.data
    assert "inline" in r.headers["Content-Disposition"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("ticker=ACME", {ACME_CALL, ACME_AGM, ACME_PAST}, id="ticker"),
        pytest.param("ticker=acme,zzz", {ACME_CALL, ACME_AGM, ACME_PAST}, id="ticker-list-case"),
        pytest.param("kind=shareholder_meeting", {ACME_AGM}, id="kind"),
        pytest.param("ticker=ACME&kind=earnings_call", {ACME_CALL, ACME_PAST}, id="both"),
        pytest.param("from=2024-04-20&to=2024-04-30", {ACME_CALL}, id="dates"),
        pytest.param("from=2024-05-15", {ACME_AGM}, id="from-inclusive"),
    ],
)
def test_calendar_filters(client: FlaskClient, query: str, expected: set[str]) -> None:
    r = client.get(f"/calendar.ics?{query}")
    assert r.status_code == 200
    assert uids(r.data) & {ACME_CALL, ACME_AGM, ACME_PAST} == expected


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        pytest.param("kind=party", "kind='party'", id="kind"),
        pytest.param("ticker=<script>", "ticker=", id="ticker"),
        pytest.param("from=2024-02-30", "from='2024-02-30'", id="impossible-date"),
        pytest.param("to=tomorrow", "to='tomorrow'", id="word-date"),
        pytest.param("from=2024-05-01&to=2024-04-01", "before", id="reversed"),
        pytest.param("alarm=-5", "alarm=", id="negative-alarm"),
        pytest.param("alarm=99999999", "alarm=", id="huge-alarm"),
        pytest.param("alarm=15m", "alarm=", id="alarm-unit"),
        pytest.param("past=maybe", "past=", id="past"),
    ],
)
def test_bad_filters_are_400_with_a_reason(client: FlaskClient, query: str, reason: str) -> None:
    r = client.get(f"/calendar.ics?{query}")
    assert r.status_code == 400
    assert r.mimetype == "text/plain"
    assert reason in r.get_data(as_text=True)


def test_alarm_adds_a_valarm_to_timed_events_only(client: FlaskClient) -> None:
    r = client.get("/calendar.ics?alarm=15")
    cal = icalendar.Calendar.from_ical(r.data)
    by_uid = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert [str(a["TRIGGER"].to_ical(), "ascii") for a in by_uid[ACME_CALL].walk("VALARM")] == [
        "-PT15M"
    ]
    assert not by_uid[ACME_AGM].walk("VALARM")
    plain = client.get("/calendar.ics")
    assert b"VALARM" not in plain.data
    assert r.headers["ETag"] != plain.headers["ETag"]


def test_company_feed(client: FlaskClient) -> None:
    r = client.get("/companies/ACME.ics")
    assert r.status_code == 200
    assert uids(r.data) == {ACME_CALL, ACME_AGM, ACME_PAST}
    assert b"X-WR-CALNAME:Investor events: ACME" in r.data
    assert client.get("/companies/acme.ics").status_code == 200


def test_unknown_company_is_404_with_a_reason(client: FlaskClient) -> None:
    r = client.get("/companies/NOPE.ics")
    assert r.status_code == 404
    assert "NOPE" in r.get_data(as_text=True)


def test_malformed_ticker_is_400(client: FlaskClient) -> None:
    assert client.get("/companies/A%20B%3Cx.ics").status_code == 400


def test_event_download_is_an_attachment(client: FlaskClient) -> None:
    r = client.get(f"/events/{ACME_CALL}.ics")
    assert r.status_code == 200
    assert r.headers["Content-Disposition"] == (
        'attachment; filename="acme-earnings-call-q1-2024.ics"'
    )
    assert uids(r.data) == {ACME_CALL}
    assert b"METHOD:PUBLISH" in r.data
    assert b"X-WR-CALNAME" not in r.data  # importing a download must not create a calendar
    assert b"BEGIN:VTIMEZONE" in r.data


@pytest.mark.parametrize(
    ("uid", "status"),
    [
        pytest.param("nobody-earnings-call-q1@icalfeed", 404, id="unknown"),
        pytest.param(ZETA_HELD, 404, id="held"),
        pytest.param("NOT A UID", 400, id="malformed"),
        pytest.param("x" * 400 + "@icalfeed", 400, id="too-long"),
    ],
)
def test_event_download_errors(client: FlaskClient, uid: str, status: int) -> None:
    r = client.get(f"/events/{uid}.ics")
    assert r.status_code == status
    assert r.get_data(as_text=True).strip()


def test_strong_etag_and_304_on_if_none_match(client: FlaskClient) -> None:
    first = client.get("/calendar.ics")
    etag = first.headers["ETag"]
    assert etag.startswith('"')
    assert not etag.startswith("W/")
    assert first.headers["Last-Modified"]
    assert "max-age=" in first.headers["Cache-Control"]
    again = client.get("/calendar.ics", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    other = client.get("/calendar.ics", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200


def test_304_on_if_modified_since(client: FlaskClient) -> None:
    first = client.get("/calendar.ics")
    r = client.get("/calendar.ics", headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert r.status_code == 304
    old = client.get(
        "/calendar.ics", headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}
    )
    assert old.status_code == 200


def test_a_304_reads_no_event(
    client: FlaskClient, web_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    etag = client.get("/calendar.ics").headers["ETag"]

    def no(*args: object, **kwargs: object) -> None:
        raise AssertionError("a revalidation read events")

    monkeypatch.setattr(web_store, "vevents", no)
    monkeypatch.setattr(web_store, "events", no)
    assert client.get("/calendar.ics", headers={"If-None-Match": etag}).status_code == 304


def test_a_change_changes_the_etag(client: FlaskClient, web_store: Store) -> None:
    before = client.get("/calendar.ics")
    call = acme_call()
    moved = replace(call, start=NEW_YORK.localize(datetime(2024, 4, 28, 17, 0)))
    record(web_store, "acme-q1-moved", moved, published=date(2024, 3, 31))
    after = client.get("/calendar.ics", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    assert b"SEQUENCE:1" in after.data


def test_gzip_when_accepted(client: FlaskClient) -> None:
    plain = client.get("/calendar.ics")
    r = client.get("/calendar.ics", headers={"Accept-Encoding": "br, gzip;q=0.8"})
    assert r.headers["Content-Encoding"] == "gzip"
    assert r.headers["Vary"] == "Accept-Encoding"
    assert gzip.decompress(r.data) == plain.data
    assert int(r.headers["Content-Length"]) == len(r.data) < len(plain.data)
    assert r.headers["ETag"] != plain.headers["ETag"]  # strong: one per representation
    revalidate = client.get(
        "/calendar.ics",
        headers={"Accept-Encoding": "gzip", "If-None-Match": r.headers["ETag"]},
    )
    assert revalidate.status_code == 304
    refused = client.get("/calendar.ics", headers={"Accept-Encoding": "gzip;q=0"})
    assert "Content-Encoding" not in refused.headers


def test_head_has_headers_and_no_body(client: FlaskClient) -> None:
    get = client.get("/calendar.ics")
    head = client.head("/calendar.ics")
    assert head.status_code == 200
    assert head.data == b""
    assert head.headers["ETag"] == get.headers["ETag"]
    assert head.headers["Content-Length"] == str(len(get.data))


def test_feed_bytes_are_cached_per_etag(app: Flask, client: FlaskClient) -> None:
    client.get("/calendar.ics")
    client.get("/calendar.ics", headers={"Accept-Encoding": "gzip"})
    assert len(app.extensions["icalfeed.bodies"]) == 1


def test_write_methods_are_refused_on_feeds(client: FlaskClient) -> None:
    r = client.post("/calendar.ics")
    assert r.status_code == 405


class TestPrivate:
    @pytest.fixture
    def private(self, make_app: Callable[..., Flask]) -> FlaskClient:
        return make_app(private=True, read_token=READ_TOKEN).test_client()

    def test_no_token_is_401(self, private: FlaskClient) -> None:
        r = private.get("/calendar.ics")
        assert r.status_code == 401
        assert "Bearer" in r.headers["WWW-Authenticate"]

    def test_wrong_token_is_403(self, private: FlaskClient) -> None:
        assert private.get("/calendar.ics?token=nope").status_code == 403
        r = private.get("/calendar.ics", headers={"Authorization": "Bearer nope"})
        assert r.status_code == 403

    def test_token_in_the_url_or_header(self, private: FlaskClient) -> None:
        assert private.get(f"/calendar.ics?token={READ_TOKEN}").status_code == 200
        r = private.get(
            f"/events/{ACME_CALL}.ics", headers={"Authorization": f"Bearer {READ_TOKEN}"}
        )
        assert r.status_code == 200
        assert "private" in r.headers["Cache-Control"]

    def test_every_read_route_is_closed(self, private: FlaskClient) -> None:
        for path in ("/", "/api/events", f"/api/events/{ACME_CALL}", "/companies/ACME.ics"):
            assert private.get(path).status_code == 401, path


def test_validators_are_reused_until_this_process_writes(web_store: Store, tmp_path: Path) -> None:
    app = create_app(web_settings(tmp_path), store=web_store, version_ttl=60)
    c = app.test_client()
    first = c.get("/calendar.ics").headers["ETag"]
    moved = replace(acme_call(), start=NEW_YORK.localize(datetime(2024, 4, 28, 18, 0)))
    record(web_store, "behind-the-back", moved, published=date(2024, 3, 31))
    # another process's write: this worker keeps the validator for up to version_ttl seconds
    assert c.get("/calendar.ics").headers["ETag"] == first
    r = post_release(c)
    assert r.status_code == 201
    assert c.get("/calendar.ics").headers["ETag"] != first


def test_a_burst_of_revalidations_is_answered_before_flask(
    web_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(web_settings(tmp_path), store=web_store, version_ttl=60)
    c = app.test_client()
    first = c.get("/calendar.ics?ticker=ACME", headers={"Accept-Encoding": "gzip"})
    asked: list[object] = []
    real = web_store.feed_version

    def counting(query: EventQuery) -> FeedVersion:
        asked.append(query)
        return real(query)

    monkeypatch.setattr(web_store, "feed_version", counting)
    app.extensions["icalfeed.versions"].clear()  # only the shortcut may answer now
    r = c.get(
        "/calendar.ics?ticker=ACME",
        headers={"If-None-Match": first.headers["ETag"], "Accept-Encoding": "gzip"},
    )
    assert r.status_code == 304
    assert r.headers["ETag"] == first.headers["ETag"]
    assert r.headers["Cache-Control"] == first.headers["Cache-Control"]
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert asked == []
    # another URL still goes through the app
    c.get("/calendar.ics?ticker=ZETA", headers={"If-None-Match": first.headers["ETag"]})
    assert len(asked) == 1


def test_private_page_links_carry_the_read_token(make_app: Callable[..., Flask]) -> None:
    c = make_app(private=True, read_token=READ_TOKEN).test_client()
    html = c.get("/", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).get_data(as_text=True)
    assert f"webcal://localhost/calendar.ics?token={READ_TOKEN}" in html
    assert f"/events/{ACME_CALL}.ics?token={READ_TOKEN}" in html
