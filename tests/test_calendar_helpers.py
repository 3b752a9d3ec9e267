"""Helpers for the calendar tests: event builders, reading calendars back, running ics-check.

Not a test module (it holds no tests); named ``test_calendar_*`` to live beside the tests it
serves.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import icalendar
import pytz

from icalfeed.model import DialIn, Event, EventKind, Issuer, Listing, Replay, Status
from tests.conftest import ICS_CHECK

NY = pytz.timezone("America/New_York")
IMGN = Issuer("ImmunoGen, Inc.", (Listing("NASDAQ", "IMGN"),))


def imgn_call(**changes: Any) -> Event:
    """The ImmunoGen Q3 FY2011 call of the seed release, fully populated; ``changes`` override."""
    event = Event(
        kind=EventKind.EARNINGS_CALL,
        title="ImmunoGen Q3 FY2011 earnings call",
        start=NY.localize(datetime(2011, 4, 28, 16, 30)),
        tzid="America/New_York",
        issuer=IMGN,
        identity="Q3 FY2011",
        fiscal_period="Q3 FY2011",
        dial_ins=(DialIn("913-312-0379", "U.S."), DialIn("+44 20 3059 8125", "UK")),
        passcode="8024721",
        webcast_url="http://www.immunogen.com/investors",
        registration_url=None,
        replay=Replay(until=date(2011, 5, 5), dial_ins=(DialIn("719-457-0820"),), passcode="99"),
        headline="ImmunoGen, Inc. Announces Conference Call",
        published=date(2011, 4, 21),
    )
    return replace(event, **changes)


def agm(**changes: Any) -> Event:
    """An all-day shareholder meeting."""
    event = Event(
        kind=EventKind.SHAREHOLDER_MEETING,
        title="Acme AGM 2024",
        start=date(2024, 4, 18),
        tzid=None,
        all_day=True,
        issuer=Issuer("Acme Corp", (Listing("NYSE", "ACME"),)),
        identity="AGM 2024",
        location="Hotel Baur au Lac, Zurich",
    )
    return replace(event, **changes)


def timed(tzid: str, local: datetime, *, identity: str, **changes: Any) -> Event:
    """A bare timed event at wall-clock ``local`` in ``tzid`` (``is_dst`` picks the first)."""
    tz = pytz.timezone(tzid)
    event = Event(
        kind=EventKind.EARNINGS_CALL,
        title=f"Call {identity}",
        start=tz.localize(local, is_dst=True),
        tzid=tzid,
        issuer=Issuer("Test Co", (Listing("NYSE", "TEST"),)),
        identity=identity,
    )
    return replace(event, **changes)


def synthetic_events(count: int, *, seed_zones: Sequence[str] | None = None) -> list[Event]:
    """``count`` varied events (zones, kinds, statuses, all-day, dial-ins), deterministic.

    Zones whose rules changed in recent tzdata releases (America/Havana, Africa/Casablanca) are
    left out: ics-check's python icalendar reads zones from its own tz data, and where that is
    older than pytz's the comparison reports the tz data, not the calendar.
    """
    zones = list(
        seed_zones
        or (
            "America/New_York",
            "America/Chicago",
            "America/Los_Angeles",
            "Europe/London",
            "Europe/Berlin",
            "Europe/Zurich",
            "Asia/Tokyo",
            "Asia/Kolkata",
            "Australia/Sydney",
            "UTC",
        )
    )
    kinds = list(EventKind)
    statuses = [Status.CONFIRMED] * 8 + [Status.POSTPONED, Status.CANCELLED]
    out: list[Event] = []
    for i in range(count):
        tzid = zones[i % len(zones)]
        day = date(2010, 1, 4) + timedelta(days=(i * 37) % (365 * 15))
        issuer = Issuer(f"Company {i % 997}", (Listing("NYSE", f"C{i % 997:03d}"),))
        common: dict[str, Any] = {
            "kind": kinds[i % len(kinds)],
            "title": f"Company {i % 997} event {i}",
            "issuer": issuer,
            "identity": f"event {i}",
            "status": statuses[i % len(statuses)],
            "dial_ins": (DialIn(f"(800) 555-{i % 10000:04d}", "U.S. toll-free"),),
            "passcode": str(100000 + i),
            "webcast_url": f"https://ir.example.com/{i}/webcast",
            "headline": f"Company {i % 997} announces event {i}",
            "published": day - timedelta(days=7),
        }
        if i % 13 == 0:
            out.append(Event(start=day, tzid=None, all_day=True, **common))
            continue
        tz = pytz.timezone(tzid)
        local = datetime.combine(day, datetime.min.time()) + timedelta(hours=8 + i % 10)
        out.append(Event(start=tz.localize(local), tzid=tzid, **common))
    return out


def read_calendar(data: bytes) -> Any:
    calendar = icalendar.Calendar.from_ical(data)
    assert isinstance(calendar, icalendar.Calendar)
    return calendar


def vevents(data: bytes) -> list[Any]:
    """The VEVENTs, typed loosely: icalendar types each property as a union of 30 classes."""
    return list(read_calendar(data).walk("VEVENT"))


def content_lines(data: bytes) -> list[str]:
    """Unfolded content lines."""
    return data.decode().replace("\r\n ", "").split("\r\n")


def run_ics_check(
    paths: Iterable[Path], *, feed: bool = False, timeout: int = 120
) -> tuple[int, list[str], str]:
    """Run ics-check on ``paths``: exit status, every FAIL/SKIP as text, the summary line.

    ``timeout`` is each parser's limit in seconds (ics-check's own default is 120).
    """
    args = [str(ICS_CHECK), "--json", "--require-all-parsers", "--timeout", str(timeout)]
    if feed:
        args.append("--feed")
    proc = subprocess.run(
        [*args, *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=5 * timeout + 60,
        check=False,
    )
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        return proc.returncode, [proc.stdout[-2000:], proc.stderr[-2000:]], ""
    problems = [
        f"{Path(f['file']).name}: {c['status']} {c['parser']}/{c['check']}: {c['reason']}"
        for f in report["files"]
        for c in f["checks"]
        if c["status"] in {"FAIL", "SKIP"}
    ]
    return proc.returncode, problems, json.dumps(report.get("summary"))


def check_calendars(
    tmp_path: Path, calendars: dict[str, bytes], *, feed: bool = True, timeout: int = 120
) -> None:
    """Write each calendar and assert that ics-check passes on every one.

    One ics-check run per file: vobject keeps VTIMEZONEs in a process-wide registry by TZID, so
    in a run over several files the second file's America/Los_Angeles is read with the first
    file's rules (an artefact of the checker, not of either file).
    """
    results = {}
    for name, data in calendars.items():
        path = tmp_path / f"{name}.ics"
        path.write_bytes(data)
        status, problems, summary = run_ics_check([path], feed=feed, timeout=timeout)
        if status != 0 or problems:
            results[name] = (status, problems, summary)
    assert results == {}
