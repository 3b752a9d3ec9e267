"""What the web tests share: a store with known events, settings, and logging in.

The store's clock stands at 2024-04-01 12:00 UTC; the events (see :func:`fill_store`):

- ``acme-earnings-call-q1-2024`` — ACME, 2024-04-28 16:30 New York, dial-in and webcast;
- ``zeta-conference-presentation-…`` — ZETA, 2024-04-10 09:00 London, with ``<script>`` in the
  title (the page must escape it);
- ``acme-shareholder-meeting-agm-2024`` — ACME, all-day 2024-05-15;
- ``acme-earnings-call-q4-2023`` — ACME, 2024-02-20 (past, inside ICALFEED_PAST_DAYS);
- ``zeta-earnings-call-q1-2024`` — held for review (confidence 0.2): not in feeds.

The fixtures built on these live in tests/plugins/web.py.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytz
from flask.testing import FlaskClient

from icalfeed.config import Config
from icalfeed.model import DialIn, Event, EventKind, Issuer, Listing, ParsedRelease, Release
from icalfeed.store import ParseResult, Source, Store

ADMIN_TOKEN = "admin-token-for-tests-0123456789"
READ_TOKEN = "read-token-for-tests-9876543210"
SECRET_KEY = "secret-key-for-tests"
ACME = Issuer("Acme Corp.", (Listing("NASDAQ", "ACME"),))
ZETA = Issuer("Zeta plc", (Listing("LSE", "ZETA"),))
NEW_YORK = pytz.timezone("America/New_York")
LONDON = pytz.timezone("Europe/London")

ACME_CALL = "acme-earnings-call-q1-2024@icalfeed"
ACME_AGM = "acme-shareholder-meeting-agm-2024@icalfeed"
ACME_PAST = "acme-earnings-call-q4-2023@icalfeed"
ZETA_HELD = "zeta-earnings-call-q1-2024@icalfeed"


class WebClock:
    """The store's clock, moved by hand."""

    def __init__(self) -> None:
        self.now = datetime(2024, 4, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def acme_call() -> Event:
    return Event(
        kind=EventKind.EARNINGS_CALL,
        title="Acme Corp. Q1 2024 earnings call",
        start=NEW_YORK.localize(datetime(2024, 4, 28, 16, 30)),
        tzid="America/New_York",
        issuer=ACME,
        identity="Q1 2024",
        fiscal_period="Q1 2024",
        dial_ins=(DialIn("+1 913-312-0379", "U.S."), DialIn("+44 20 7192 8000", "International")),
        passcode="8024721",
        webcast_url="https://ir.acme.example/webcast/q1-2024",
        headline="Acme Corp. to host Q1 2024 earnings call",
        published=date(2024, 3, 30),
        confidence=0.95,
    )


def zeta_presentation() -> Event:
    return Event(
        kind=EventKind.CONFERENCE_PRESENTATION,
        title='Zeta plc at <script>alert("x")</script> Healthcare Conference',
        start=LONDON.localize(datetime(2024, 4, 10, 9, 0)),
        tzid="Europe/London",
        issuer=ZETA,
        identity="healthcare conference 2024",
        webcast_url="javascript:alert(1)",
        location="London <b>bold</b>",
        published=date(2024, 3, 30),
        confidence=0.9,
    )


def acme_agm() -> Event:
    return Event(
        kind=EventKind.SHAREHOLDER_MEETING,
        title="Acme Corp. annual general meeting 2024",
        start=date(2024, 5, 15),
        tzid=None,
        all_day=True,
        issuer=ACME,
        identity="AGM 2024",
        published=date(2024, 3, 30),
        confidence=0.9,
    )


def acme_past() -> Event:
    return Event(
        kind=EventKind.EARNINGS_CALL,
        title="Acme Corp. Q4 2023 earnings call",
        start=NEW_YORK.localize(datetime(2024, 2, 20, 8, 0)),
        tzid="America/New_York",
        issuer=ACME,
        identity="Q4 2023",
        published=date(2024, 2, 1),
        confidence=0.9,
    )


def zeta_held() -> Event:
    return Event(
        kind=EventKind.EARNINGS_CALL,
        title="Zeta plc Q1 2024 results call",
        start=LONDON.localize(datetime(2024, 4, 25, 8, 0)),
        tzid="Europe/London",
        issuer=ZETA,
        identity="Q1 2024",
        published=date(2024, 3, 30),
        confidence=0.2,
    )


def record(store: Store, name: str, *events: Event, published: date = date(2024, 3, 30)) -> int:
    """Store a release called ``name`` whose parse gave ``events``; return its id."""
    added = store.add_release(
        f"release {name}".encode(), content_type="text/plain", source=Source.file(name)
    )
    rel = Release(text=f"release {name}", published=published, published_from="caller")
    parsed = ParsedRelease(rel, events[0].issuer if events else None, events)
    store.record_parse(added.id, ParseResult("test-1", parsed))
    return added.id


def fill_store(store: Store) -> None:
    record(store, "acme-q1", acme_call(), acme_agm())
    record(store, "zeta-conf", zeta_presentation())
    record(store, "acme-q4", acme_past(), published=date(2024, 2, 1))
    record(store, "zeta-held", zeta_held())


def web_settings(tmp: Path, **overrides: Any) -> Config:
    values: dict[str, Any] = {
        "instance_path": str(tmp),
        "admin_token": ADMIN_TOKEN,
        "secret_key": SECRET_KEY,
        "database_url": f"sqlite:///{tmp / 'icalfeed.sqlite3'}",
        "max_release_bytes": 200_000,
    }
    values.update(overrides)
    return Config.from_env({}, **values)


def post_release(client: FlaskClient, data: bytes = b"nothing to see here") -> Any:
    """POST a plain-text release to the ingestion API with the admin token (a write through
    this process)."""
    return client.post(
        "/api/releases",
        data=data,
        content_type="text/plain",
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
    )


def csrf_from(html: str) -> str:
    """The CSRF token of the first form in a page."""
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no CSRF token in the page"
    return m.group(1)


def log_in(client: FlaskClient, token: str = ADMIN_TOKEN) -> Any:
    page = client.get("/admin/login").get_data(as_text=True)
    return client.post("/admin/login", data={"token": token, "csrf_token": csrf_from(page)})


@dataclass
class AsgiResponse:
    """What an ASGI app sent: status, headers (names lower-case, as sent) and body."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes


def asgi_request(
    app: Any,
    method: str,
    target: str,
    headers: dict[str, str] | None = None,
    scheme: str = "http",
    body: bytes = b"",
) -> AsgiResponse:
    """One request through an ASGI app, in this thread's own event loop (as uvicorn calls it:
    ``path`` percent-decoded, ``raw_path`` and ``query_string`` as sent)."""
    raw_path, _, query = target.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": scheme,
        "path": unquote(raw_path),
        "raw_path": raw_path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [
            (k.lower().encode("latin-1"), v.encode("latin-1"))
            for k, v in {"Host": "localhost", **(headers or {})}.items()
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start, *rest = sent
    assert start["type"] == "http.response.start"
    return AsgiResponse(
        start["status"],
        [(k.decode("latin-1"), v.decode("latin-1")) for k, v in start["headers"]],
        b"".join(m.get("body", b"") for m in rest),
    )
