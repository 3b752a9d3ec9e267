"""Round trip: what icalendar reads back from a rendered calendar is what the JSON output says.

For every event — a table of hand-built ones, the seeds and the dev corpus as the parser reads
them — the VEVENT read back gives the same UTC instant, zone, all-day flag, UID and SEQUENCE as
:func:`icalfeed.serialize.event_to_dict`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from icalfeed.calendar import CalendarOptions, render_calendar, render_entry, render_feed
from icalfeed.extract import parse_release
from icalfeed.model import Event, Status
from icalfeed.serialize import event_to_dict
from tests.conftest import DEV_CORPUS, SEEDS, dev_corpus_names, needs_dev_corpus
from tests.test_calendar_helpers import agm, imgn_call, synthetic_events, timed, vevents

OPTIONS = CalendarOptions(name="Round trip")


def read_back(vevent: Any) -> dict[str, Any]:
    """The fields under test, as event_to_dict spells them, from one parsed VEVENT."""
    start = vevent["DTSTART"]
    value = start.dt
    all_day = not isinstance(value, datetime)
    tzid = start.params.get("TZID")
    if not all_day and tzid is None and value.utcoffset() is not None:
        tzid = "UTC" if value.utcoffset().total_seconds() == 0 else None
    return {
        "uid": str(vevent["UID"]),
        "sequence": int(vevent["SEQUENCE"]),
        "all_day": all_day,
        "start": value.isoformat() if all_day else None,
        "utc_start": None if all_day else value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "tzid": tzid,
    }


def expected(event: Event, sequence: int = 0) -> dict[str, Any]:
    d = event_to_dict(event, sequence=sequence)
    return {
        "uid": d["uid"],
        "sequence": d["sequence"],
        "all_day": d["all_day"],
        "start": d["start"] if d["all_day"] else None,
        "utc_start": d["utc_start"],
        "tzid": d["tzid"],
    }


def assert_round_trip(events: list[Event]) -> None:
    by_uid: dict[str, dict[str, Any]] = {}
    for event in events:
        # Two events with one UID are one calendar event: the later one is what a feed keeps.
        by_uid[expected(event)["uid"]] = expected(event)
    got = {v["uid"]: v for v in map(read_back, vevents(render_calendar(events, OPTIONS)))}
    assert got == by_uid


CASES: dict[str, Event] = {
    "timed-new-york": imgn_call(),
    "all-day": agm(),
    "all-day-multi": agm(end=date(2024, 4, 20)),
    "cancelled": imgn_call(status=Status.CANCELLED),
    "postponed-all-day": agm(status=Status.POSTPONED),
    "utc": timed("UTC", datetime(2024, 5, 1, 12), identity="u"),
    "kolkata": timed("Asia/Kolkata", datetime(2019, 10, 11, 17, 30), identity="k"),
    "sydney-summer": timed("Australia/Sydney", datetime(2024, 1, 15, 10), identity="s"),
    "us-eu-gap-week": timed("Europe/London", datetime(2011, 3, 20, 9), identity="l"),
    "lord-howe-half-hour-dst": timed("Australia/Lord_Howe", datetime(2024, 1, 5, 9), identity="h"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_round_trip(name: str) -> None:
    assert_round_trip([CASES[name]])


@pytest.mark.parametrize("sequence", [0, 1, 7])
def test_round_trip_keeps_sequence(sequence: int) -> None:
    entry = render_entry(imgn_call(), sequence=sequence)
    (vevent,) = vevents(render_feed([entry], OPTIONS))
    assert read_back(vevent) == expected(imgn_call(), sequence)


def test_ambiguous_wall_clock_round_trips_as_utc() -> None:
    # 01:30 on the night clocks go back is written in UTC: the instant survives, the zone is UTC.
    event = timed("America/New_York", datetime(2024, 11, 3, 1, 30), identity="dup")
    (vevent,) = vevents(render_calendar([event], OPTIONS))
    got, want = read_back(vevent), expected(event)
    assert got["utc_start"] == want["utc_start"] == "2024-11-03T05:30:00Z"
    assert got["tzid"] == "UTC"


def test_round_trip_synthetic_feed() -> None:
    assert_round_trip(synthetic_events(500))


def parsed_events(paths: list[Path]) -> list[Event]:
    return [e for p in paths for e in parse_release(p.read_text(encoding="utf-8")).events]


def test_round_trip_seeds() -> None:
    events = parsed_events(sorted(SEEDS.glob("*.txt")))
    assert len(events) >= 2
    assert_round_trip(events)


@needs_dev_corpus
@pytest.mark.parametrize("name", dev_corpus_names())
def test_round_trip_dev_corpus(name: str) -> None:
    assert_round_trip(parsed_events([DEV_CORPUS / f"{name}.txt"]))
