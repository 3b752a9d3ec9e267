"""Fill a SQLite store with N synthetic published events (for bench/http.sh).

Usage: ``python bench/http_store.py FOLDER [N]`` — writes FOLDER/icalfeed.sqlite3 with N events
(default 10,000) from 500 issuers across six time zones, all within the feed window of today.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytz

from icalfeed.config import Config
from icalfeed.model import DialIn, Event, EventKind, Issuer, Listing, ParsedRelease, Release
from icalfeed.store import ParseResult, Source, Store

ZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Europe/London",
    "Europe/Berlin",
    "Asia/Tokyo",
)
PER_RELEASE = 20


def event(i: int, today: date) -> Event:
    issuer = Issuer(f"Company {i % 500} Inc.", (Listing("NASDAQ", f"C{i % 500:03d}"),))
    zone = pytz.timezone(ZONES[i % len(ZONES)])
    day = today + timedelta(days=i % 300 - 30)
    start = zone.localize(datetime(day.year, day.month, day.day, 8 + i % 9, 30))
    return Event(
        kind=EventKind.EARNINGS_CALL,
        title=f"Company {i % 500} Q{i % 4 + 1} FY{2000 + i // 2000} earnings call",
        start=start,
        tzid=zone.zone,
        issuer=issuer,
        identity=f"event {i}",
        dial_ins=(DialIn("+1 913-312-0379", "U.S."),),
        passcode=f"{8000000 + i}",
        webcast_url=f"https://ir.example.com/c{i % 500}/webcast/{i}",
        published=today,
    )


def main() -> None:
    folder = Path(sys.argv[1])
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    config = Config.from_env({}, instance_path=str(folder))
    started = time.perf_counter()
    today = datetime.now(UTC).date()
    with Store.open(config, create=True) as store:
        for first in range(0, n, PER_RELEASE):
            events = tuple(event(i, today) for i in range(first, min(n, first + PER_RELEASE)))
            added = store.add_release(
                f"synthetic release {first}".encode(),
                content_type="text/plain",
                source=Source.file(f"bench/{first}.txt"),
            )
            rel = Release(text=f"synthetic release {first}", published=today)
            store.record_parse(
                added.id, ParseResult("bench", ParsedRelease(rel, events[0].issuer, events))
            )
    print(f"http_store: {n} events in {time.perf_counter() - started:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
