"""Issue 5, the JSON API: events, dry-run parse, ingestion with the admin token, /healthz; and
issue 6's access rules for it (401 without a token, 403 with a wrong one, 413 over the cap)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from icalfeed.config import Config
from icalfeed.errors import StoreUnavailableError
from icalfeed.store import Store
from icalfeed.web import create_app
from tests.web_helpers import ACME_AGM, ACME_CALL, ADMIN_TOKEN, ZETA_HELD, web_settings

RELEASE = """\
date 2011-04-21
ImmunoGen, Inc. to Report Third Quarter Fiscal Year 2011 Financial Results

WALTHAM, Mass., Apr 21, 2011 (BUSINESS WIRE) -- ImmunoGen, Inc. (Nasdaq: IMGN) today announced
that it will host a conference call at 4:30 p.m. ET on Thursday, April 28, 2011 to discuss its
third quarter fiscal year 2011 financial results. To access the live call by phone, dial
913-312-0379; the passcode is 8024721. The call will also be webcast at www.immunogen.com.
"""
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def test_events_lists_published_events_with_the_feed_filters(client: FlaskClient) -> None:
    r = client.get("/api/events?ticker=ACME")
    assert r.status_code == 200
    body = r.get_json()
    found = {e["uid"] for e in body["events"]}
    assert ACME_CALL in found
    assert ACME_AGM in found
    assert ZETA_HELD not in found
    call = next(e for e in body["events"] if e["uid"] == ACME_CALL)
    assert call["start"] == "2024-04-28T16:30:00-04:00"
    assert call["tzid"] == "America/New_York"
    assert call["dial_in"] == ["+1 913-312-0379", "+44 20 7192 8000"]
    assert call["state"] == "published"
    assert call["ics_url"].endswith(f"/events/{ACME_CALL}.ics")


def test_events_bad_filter_is_json_400(client: FlaskClient) -> None:
    r = client.get("/api/events?kind=nope")
    assert r.status_code == 400
    assert r.get_json()["error"].startswith("kind='nope'")


def test_one_event(client: FlaskClient) -> None:
    r = client.get(f"/api/events/{ACME_CALL}")
    assert r.status_code == 200
    assert r.get_json()["passcode"] == "8024721"


@pytest.mark.parametrize(
    ("uid", "status"),
    [("nobody-x@icalfeed", 404), (ZETA_HELD, 404), ("<script>", 400), ("a" * 500, 400)],
)
def test_one_event_errors_are_json(client: FlaskClient, uid: str, status: int) -> None:
    r = client.get(f"/api/events/{uid}")
    assert r.status_code == status
    assert r.is_json
    assert r.get_json()["error"]


def test_parse_is_a_dry_run(client: FlaskClient, web_store: Store) -> None:
    before = web_store.version()
    r = client.post("/api/parse", data=RELEASE.encode(), content_type="text/plain")
    assert r.status_code == 200, r.get_data(as_text=True)
    body = r.get_json()
    assert body["issuer"]["ticker"] == "IMGN"
    assert any(e["start"] == "2011-04-28T16:30:00-04:00" for e in body["events"])
    assert web_store.version() == before


def test_parse_takes_json(client: FlaskClient) -> None:
    r = client.post("/api/parse", json={"text": RELEASE, "published": "2011-04-21"})
    assert r.status_code == 200
    assert r.get_json()["events"]


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        pytest.param({"data": b"x", "content_type": "application/pdf"}, 415, id="pdf"),
        pytest.param({"data": b"", "content_type": "text/plain"}, 400, id="empty"),
        pytest.param({"data": b"{nope", "content_type": "application/json"}, 400, id="bad-json"),
        pytest.param({"json": ["a list"]}, 400, id="json-list"),
        pytest.param({"json": {"text": 5}}, 400, id="json-text-type"),
        pytest.param({"json": {"text": "x", "published": "soon"}}, 400, id="bad-published"),
        pytest.param({"json": {"url": "file:///etc/passwd"}}, 400, id="file-url"),
        pytest.param({"json": {"url": "http://127.0.0.1:1/x"}}, 400, id="loopback-url"),
        pytest.param(
            {"data": b"%PDF-1.7\n" + bytes(range(256)), "content_type": "text/plain"},
            422,
            id="pdf-bytes",
        ),
        pytest.param({"json": {}}, 400, id="nothing"),
    ],
)
def test_parse_errors_are_4xx_with_a_reason(
    client: FlaskClient, kwargs: dict[str, object], status: int
) -> None:
    r = client.post("/api/parse", **kwargs)  # type: ignore[arg-type]
    assert r.status_code == status, r.get_data(as_text=True)
    assert r.get_json()["error"]


def test_parse_is_size_capped(client: FlaskClient, web_config: Config) -> None:
    big = b"a" * (web_config.max_release_bytes + 1)
    r = client.post("/api/parse", data=big, content_type="text/plain")
    assert r.status_code == 413
    huge = b"a" * (web_config.max_release_bytes + 200_000)
    r = client.post("/api/parse", data=huge, content_type="text/plain")
    assert r.status_code == 413
    assert "limit" in r.get_json()["error"]


def test_parse_over_its_budget_is_422(make_app: Callable[..., Flask]) -> None:
    app = make_app(parse_budget_seconds=1e-9)
    r = app.test_client().post("/api/parse", data=RELEASE.encode(), content_type="text/plain")
    assert r.status_code in (200, 422)  # a parser fast enough to beat 1 ns may return events
    if r.status_code == 422:
        assert r.get_json()["error"]


class TestReleases:
    def test_without_token_401(self, client: FlaskClient) -> None:
        r = client.post("/api/releases", data=RELEASE.encode(), content_type="text/plain")
        assert r.status_code == 401
        assert r.headers["WWW-Authenticate"].startswith("Bearer")

    def test_wrong_token_403(self, client: FlaskClient) -> None:
        r = client.post(
            "/api/releases",
            data=RELEASE.encode(),
            content_type="text/plain",
            headers={"Authorization": "Bearer wrong"},
        )
        assert r.status_code == 403

    def test_writing_disabled_without_an_admin_token(self, make_app: Callable[..., Flask]) -> None:
        c = make_app(admin_token="").test_client()
        r = c.post("/api/releases", data=b"x", content_type="text/plain", headers=ADMIN)
        assert r.status_code == 403
        assert "disabled" in r.get_json()["error"]

    def test_ingest_then_feed(self, client: FlaskClient) -> None:
        r = client.post(
            "/api/releases", data=RELEASE.encode(), content_type="text/plain", headers=ADMIN
        )
        assert r.status_code == 201, r.get_data(as_text=True)
        body = r.get_json()
        assert body["new"] is True
        assert body["outcome"] in ("parsed", "needs_review")
        again = client.post(
            "/api/releases", data=RELEASE.encode(), content_type="text/plain", headers=ADMIN
        )
        assert again.status_code == 200
        assert again.get_json()["release_id"] == body["release_id"]
        assert again.get_json()["new"] is False
        if body["outcome"] == "parsed":
            feed = client.get("/calendar.ics?ticker=IMGN&from=2011-01-01")
            assert b"DTSTART;TZID=America/New_York:20110428T163000" in feed.data

    def test_get_is_not_allowed(self, client: FlaskClient) -> None:
        assert client.get("/api/releases", headers=ADMIN).status_code == 405

    def test_no_csrf_needed_with_a_bearer_token(self, client: FlaskClient) -> None:
        r = client.post(
            "/api/releases",
            json={"text": RELEASE},
            headers={**ADMIN, "Origin": "https://evil.example"},
        )
        assert r.status_code in (200, 201)


def test_healthz(client: FlaskClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200
    body = r.get_json()
    assert body["status"] == "ok"
    assert body["counts"]


def test_healthz_503_when_the_database_is_unreachable(tmp_path: Path) -> None:
    config = web_settings(tmp_path, database_url="postgresql://icalfeed@127.0.0.1:9/nowhere")
    app = create_app(config)
    r = app.test_client().get("/healthz")
    assert r.status_code == 503
    assert "unavailable" in r.get_json()["error"]
    assert r.headers["Retry-After"]
    # every other route answers 503 with the reason too, never 500
    for path in ("/calendar.ics", "/", "/api/events"):
        assert app.test_client().get(path).status_code == 503, path


def test_healthz_503_when_the_store_fails_after_opening(
    client: FlaskClient, web_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def down() -> None:
        raise StoreUnavailableError("database x unavailable: connection refused")

    monkeypatch.setattr(web_store, "version", down)
    r = client.get("/healthz")
    assert r.status_code == 503
    assert "connection refused" in r.get_json()["error"]
    feed = client.get("/calendar.ics")
    assert feed.status_code == 503
    assert "connection refused" in feed.get_data(as_text=True)


def test_a_parser_crash_is_422_not_500(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import icalfeed.web.intake as intake

    def crash(*args: object, **kwargs: object) -> None:
        raise IndexError("list index out of range")

    monkeypatch.setattr(intake, "default_parse", crash)
    r = client.post("/api/parse", data=RELEASE.encode(), content_type="text/plain")
    assert r.status_code == 422
    assert "IndexError" in r.get_json()["error"]


def test_deeply_nested_json_is_400(client: FlaskClient) -> None:
    r = client.post("/api/parse", data="[" * 100_000, content_type="application/json")
    assert r.status_code == 400
    assert "nested" in r.get_json()["error"]


def test_a_parse_that_ignores_its_budget_is_stopped(
    make_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    import icalfeed.web.intake as intake

    def stuck(*args: object, **kwargs: object) -> None:
        time.sleep(60)

    monkeypatch.setattr(intake, "default_parse", stuck)
    app = make_app(parse_budget_seconds=0.5)
    started = time.monotonic()
    r = app.test_client().post("/api/parse", data=RELEASE.encode(), content_type="text/plain")
    assert r.status_code == 422
    assert "stopped" in r.get_json()["error"]
    assert time.monotonic() - started < 5


def test_too_many_dry_runs_at_once_is_429(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import icalfeed.web.dryrun as dryrun

    monkeypatch.setattr(dryrun, "WAIT_SECONDS", 0.05)
    for _ in range(dryrun.MAX_CONCURRENT):
        dryrun._slots.acquire()
    try:
        r = client.post("/api/parse", data=RELEASE.encode(), content_type="text/plain")
    finally:
        for _ in range(dryrun.MAX_CONCURRENT):
            dryrun._slots.release()
    assert r.status_code == 429
    assert r.get_json()["error"]
