"""VTIMEZONE (RFC 5545 §3.6.5) in the RRULE form every parser reads right.

icalendar 7.3's ``add_missing_timezones()`` writes 1970–2038 as RDATE lists, which ical.js and
vobject read an hour off (2011-04-28 16:30 America/New_York at 21:30Z). These tests pin the form
we write instead, check it against an independent reader (dateutil's ``tzical``, which ignores
the TZID and goes by the written rules) and, when ics-check is present, against ical.js,
libical, python icalendar and vobject across years and zones.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path

import dateutil.tz
import pytest
import pytz

from icalfeed.calendar import build_vtimezone, render_calendar, vtimezone_bytes
from icalfeed.errors import CalendarError
from icalfeed.model import Event
from tests.conftest import needs_ics_check
from tests.test_calendar_helpers import check_calendars, content_lines, timed

ZONES = [
    "America/New_York",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "America/Santiago",
    "America/Mexico_City",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Berlin",
    "Europe/Moscow",
    "Asia/Jerusalem",
    "Asia/Tehran",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Pacific/Auckland",
]
SPANS = [(1995, 2000), (2005, 2010), (2011, 2011), (2015, 2026), (2024, 2024), (2026, 2030)]


def written_zone(tzid: str, first_year: int, last_year: int) -> tzinfo:
    text = vtimezone_bytes(tzid, first_year, last_year).decode()
    tz = dateutil.tz.tzical(io.StringIO(text)).get()
    assert tz is not None
    return tz


def transitions(tzid: str) -> list[datetime]:
    times: list[datetime] = getattr(pytz.timezone(tzid), "_utc_transition_times", [])
    return [t.replace(tzinfo=UTC) for t in times[1:]]


def test_new_york_2011_is_two_yearly_rules() -> None:
    lines = content_lines(vtimezone_bytes("America/New_York", 2011, 2011))
    assert lines[:3] == ["BEGIN:VTIMEZONE", "TZID:America/New_York", "BEGIN:STANDARD"]
    assert "RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11" in lines
    assert "RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3" in lines
    # The wall-clock time before the change, read with TZOFFSETFROM.
    assert "DTSTART:20110313T020000" in lines
    assert not any(line.startswith("RDATE") for line in lines)


def test_rule_change_closes_the_old_rule_with_until() -> None:
    lines = content_lines(vtimezone_bytes("America/New_York", 2005, 2010))
    # Until 2006: first Sunday of April / last Sunday of October; from 2007 the current rules.
    assert "RRULE:FREQ=YEARLY;UNTIL=20060403T070000Z;BYDAY=1SU;BYMONTH=4" in lines
    assert "RRULE:FREQ=YEARLY;UNTIL=20061030T060000Z;BYDAY=-1SU;BYMONTH=10" in lines
    assert "RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3" in lines
    assert "RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11" in lines


@pytest.mark.parametrize(
    ("tzid", "components"),
    [
        ("Asia/Tokyo", ["STANDARD"]),
        ("Asia/Kolkata", ["STANDARD"]),
        ("Europe/Dublin", ["STANDARD", "DAYLIGHT"]),
        ("Europe/Moscow", ["STANDARD"]),  # no DST since 2014
    ],
)
def test_zone_without_changes_in_the_years(tzid: str, components: list[str]) -> None:
    lines = content_lines(vtimezone_bytes(tzid, 2024, 2024))
    begins = [line.removeprefix("BEGIN:") for line in lines if line.startswith("BEGIN:")]
    assert begins == ["VTIMEZONE", *components]


def test_negative_dst_zone_calls_summer_daylight() -> None:
    lines = content_lines(vtimezone_bytes("Europe/Dublin", 2024, 2024))
    daylight = lines[lines.index("BEGIN:DAYLIGHT") : lines.index("END:DAYLIGHT")]
    assert "TZNAME:IST" in daylight
    assert "TZOFFSETTO:+0100" in daylight


@pytest.mark.parametrize("tzid", ["UTC", "Etc/UTC"])
def test_utc_needs_no_vtimezone(tzid: str) -> None:
    with pytest.raises(CalendarError, match="no VTIMEZONE"):
        build_vtimezone(tzid, 2024, 2024)


@pytest.mark.parametrize(
    ("tzid", "years", "message"),
    [("Mars/Base", (2024, 2024), "unknown time zone"), ("Europe/Berlin", (2025, 2024), "no years")],
)
def test_bad_vtimezone_requests(tzid: str, years: tuple[int, int], message: str) -> None:
    with pytest.raises(CalendarError, match=message):
        build_vtimezone(tzid, *years)


@pytest.mark.parametrize("span", SPANS, ids=[f"{a}-{b}" for a, b in SPANS])
@pytest.mark.parametrize("tzid", ZONES)
def test_written_rules_give_pytz_offsets(tzid: str, span: tuple[int, int]) -> None:
    """Three times a month and a day either side of every change, the written rules give
    pytz's offset (not at the changes themselves, where readers differ on the side)."""
    written = written_zone(tzid, *span)
    real = pytz.timezone(tzid)
    samples = [
        datetime(year, month, day, 12, tzinfo=UTC)
        for year in range(span[0], span[1] + 1)
        for month in range(1, 13)
        for day in (1, 10, 20)
    ]
    samples += [
        change + delta
        for change in transitions(tzid)
        if span[0] <= change.year <= span[1]
        for delta in (timedelta(days=-1), timedelta(days=1))
    ]
    wrong = [
        f"{when:%Y-%m-%d %H:%M}Z: {when.astimezone(real).utcoffset()}"
        for when in samples
        if when.astimezone(written).utcoffset() != when.astimezone(real).utcoffset()
    ]
    assert len(samples) >= 36
    assert wrong == []


def edge_events(tzid: str, first_year: int, last_year: int) -> list[Event]:
    """Events the day before and the day after each change, and at the changes' own hour."""
    tz = pytz.timezone(tzid)
    out: list[Event] = []
    for change in transitions(tzid):
        if not first_year <= change.year <= last_year:
            continue
        local = change.astimezone(tz).replace(tzinfo=None)
        for i, delta in enumerate((timedelta(days=-1), timedelta(days=1), timedelta(hours=2))):
            at = (local + delta).replace(minute=30, second=0)
            try:
                tz.localize(at, is_dst=None)
            except (pytz.AmbiguousTimeError, pytz.NonExistentTimeError):
                continue
            out.append(timed(tzid, at, identity=f"{tzid} {change:%Y%m%d} {i}"))
    return out


@needs_ics_check
@pytest.mark.slow
def test_ics_check_agrees_across_years_and_zones(tmp_path: Path) -> None:
    calendars = {}
    for first, last in [(1995, 2000), (2005, 2012), (2018, 2026)]:
        events = [e for tzid in ZONES for e in edge_events(tzid, first, last)]
        assert len(events) > 200
        calendars[f"edges-{first}-{last}"] = render_calendar(events)
    check_calendars(tmp_path, calendars)


@needs_ics_check
def test_ics_check_reads_the_2011_call_at_20_30z(tmp_path: Path) -> None:
    # The case icalendar's own VTIMEZONE got wrong in ical.js and vobject.
    event = timed("America/New_York", datetime(2011, 4, 28, 16, 30), identity="Q3 FY2011")
    assert event.utc_start == datetime(2011, 4, 28, 20, 30, tzinfo=UTC)
    check_calendars(tmp_path, {"imgn-2011": render_calendar([event])})
