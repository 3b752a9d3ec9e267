"""Builders the store tests share: events, parse results and a clock the test moves."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytz

from icalfeed.config import Config
from icalfeed.model import Event, EventKind, Issuer, Listing, ParsedRelease, Release, Status
from icalfeed.store import ParseResult, Source, Store

NEW_YORK = pytz.timezone("America/New_York")
ACME = Issuer("Acme Corp.", (Listing("NASDAQ", "ACME"),))
ZETA = Issuer("Zeta plc", (Listing("LSE", "ZETA"),))


@dataclass
class Clock:
    """A clock the test moves by hand."""

    now: datetime = field(default_factory=lambda: datetime(2024, 4, 1, 12, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


def config(**overrides: object) -> Config:
    return Config.from_env({}, **overrides)


def open_store(url: str, clock: Clock | None = None, **overrides: object) -> Store:
    return Store.open(config(**overrides), url, create=True, clock=clock or Clock())


def call(
    day: int = 28,
    hour: int = 16,
    *,
    month: int = 4,
    identity: str = "Q1 2024",
    issuer: Issuer = ACME,
    status: Status = Status.CONFIRMED,
    confidence: float = 0.95,
    kind: EventKind = EventKind.EARNINGS_CALL,
    passcode: str | None = "8024721",
    headline: str | None = None,
) -> Event:
    """An earnings call at ``hour``:30 New York time on 2024-``month``-``day``."""
    start = NEW_YORK.localize(datetime(2024, month, day, hour, 30))
    return Event(
        kind=kind,
        title=f"{issuer.name} {identity} {kind.value.replace('_', ' ')}",
        start=start,
        tzid="America/New_York",
        status=status,
        issuer=issuer,
        identity=identity,
        passcode=passcode,
        confidence=confidence,
        headline=headline,
    )


def parsed(*events: Event, published: date | None = date(2024, 4, 1)) -> ParseResult:
    rel = Release(text="...", published=published, published_from="caller")
    issuer = events[0].issuer if events else None
    return ParseResult("test-1", ParsedRelease(rel, issuer, tuple(events)))


def ingest(store: Store, name: str, result: ParseResult) -> int:
    """Store a release named ``name`` and record ``result`` for it; return its id."""
    added = store.add_release(
        name.encode(), content_type="text/plain", source=Source.file(f"/tmp/{name}.txt")
    )
    store.record_parse(added.id, result)
    return added.id
