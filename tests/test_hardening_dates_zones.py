"""Impossible dates and times, unknown zones, DST gaps and overlaps: a documented result and a
warning each, never a wrong silent instant (issue 6).

The documented results (README, "Security and reliability"):

- February 30: no event on a date that does not exist; a release warning says it is not a date.
- 25:00: no timed event at a made-up hour (nor rolled over to 01:00 the next day); a warning.
- "Thursday, April 29, 2011" (a Friday): the date is used, flagged ``weekday_mismatch`` with a
  warning, and its confidence is lowered.
- An unknown zone abbreviation: no instant is guessed; the event is all-day, flagged
  ``zone_unknown`` with a warning, and held for review (confidence under the default threshold).
- 02:30 ET on a spring-forward day: moved forward by the gap (03:30 EDT), flagged
  ``time_nonexistent`` with a warning.
- 01:30 ET on a fall-back day: the first occurrence (01:30 EDT), flagged ``time_ambiguous``
  with a warning.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from icalfeed.calendar import render_calendar
from icalfeed.config import Config
from icalfeed.extract import parse_release
from icalfeed.model import Event, Flag, ParsedRelease

TEMPLATE = (
    "ACME Corp. (NASDAQ: ACME) will host a conference call to discuss its first quarter {year} "
    "results at {time} on {day}. To participate, dial 913-312-0379, passcode 8024721."
)
THRESHOLD = Config.from_env({}).confidence_threshold


def parse(time: str, day: str, year: int) -> ParsedRelease:
    text = TEMPLATE.format(time=time, day=day, year=year)
    return parse_release(text, published=date(year, 3, 1), budget_seconds=5.0)


def all_warnings(parsed: ParsedRelease) -> list[str]:
    return [*parsed.warnings, *(w for e in parsed.events for w in e.warnings)]


def only_event(parsed: ParsedRelease) -> Event:
    assert len(parsed.events) == 1, parsed.events
    return parsed.events[0]


def test_the_plain_release_gives_a_clean_instant() -> None:
    """The control case: the same text with a valid date and time, no flags, no warnings."""
    event = only_event(parse("4:30 p.m. ET", "Thursday, April 28, 2011", 2011))
    assert event.start == datetime(2011, 4, 28, 20, 30, tzinfo=UTC)
    assert not event.flags
    assert not event.warnings


def test_february_30_gives_no_event_and_a_warning() -> None:
    parsed = parse("4:30 p.m. ET", "February 30, 2011", 2011)
    assert not [e for e in parsed.events if e.start.month in (2, 3)], parsed.events
    assert any("February 30" in w for w in all_warnings(parsed)), all_warnings(parsed)


@pytest.mark.parametrize("day", ["April 31, 2011", "February 29, 2011", "13/45/2011"])
def test_other_impossible_dates_never_become_events(day: str) -> None:
    parsed = parse("4:30 p.m. ET", day, 2011)
    for event in parsed.events:
        assert (event.start.month, event.start.day) not in ((5, 1), (3, 1)), (
            f"{day!r} was rolled over into {event.start}"
        )


@pytest.mark.parametrize("time", ["25:00 ET", "24:30 ET", "4:75 p.m. ET", "13:30 p.m. ET"])
def test_impossible_time_is_not_an_instant_and_is_warned(time: str) -> None:
    parsed = parse(time, "April 28, 2011", 2011)
    timed = [e.start for e in parsed.events if not e.all_day]
    assert not timed, f"{time!r} gave a timed event at {timed}"
    assert any(time.split()[0] in w for w in all_warnings(parsed)), (
        f"{time!r}: no warning names the impossible time; events "
        f"{[(e.start, e.all_day, sorted(e.flags), e.warnings) for e in parsed.events]}, "
        f"release warnings {parsed.warnings}"
    )


def test_weekday_mismatch_keeps_the_date_with_a_flag_and_a_warning() -> None:
    event = only_event(parse("4:30 p.m. ET", "Thursday, April 29, 2011", 2011))
    assert event.start == datetime(2011, 4, 29, 20, 30, tzinfo=UTC)
    assert Flag.WEEKDAY_MISMATCH in event.flags
    assert any("Friday" in w for w in event.warnings), event.warnings
    clean = only_event(parse("4:30 p.m. ET", "Thursday, April 28, 2011", 2011))
    assert event.confidence < clean.confidence


@pytest.mark.parametrize("zone", ["XYZT", "QQT", "ZZZ"])
def test_unknown_zone_is_all_day_flagged_and_held(zone: str) -> None:
    event = only_event(parse(f"4:30 p.m. {zone}", "April 28, 2011", 2011))
    assert event.all_day, f"an instant was guessed for {zone!r}: {event.start}"
    assert event.start == date(2011, 4, 28)
    assert Flag.ZONE_UNKNOWN in event.flags
    assert event.warnings
    assert event.confidence < THRESHOLD, "an event without a zone must be held for review"


def test_spring_forward_gap_moves_forward_with_a_flag() -> None:
    """02:30 ET on 2024-03-10 does not exist: read as 03:30 EDT (07:30 UTC), flagged."""
    event = only_event(parse("2:30 a.m. ET", "Sunday, March 10, 2024", 2024))
    assert event.start == datetime(2024, 3, 10, 7, 30, tzinfo=UTC)
    assert event.tzid == "America/New_York"
    assert Flag.TIME_NONEXISTENT in event.flags
    assert any("does not exist" in w for w in event.warnings), event.warnings


def test_fall_back_overlap_takes_the_first_with_a_flag() -> None:
    """01:30 ET on 2024-11-03 happens twice: read as the first (EDT, 05:30 UTC), flagged."""
    event = only_event(parse("1:30 a.m. ET", "Sunday, November 3, 2024", 2024))
    assert event.start == datetime(2024, 11, 3, 5, 30, tzinfo=UTC)
    assert Flag.TIME_AMBIGUOUS in event.flags
    assert any("twice" in w for w in event.warnings), event.warnings


@pytest.mark.parametrize(
    ("time", "day", "year", "utc"),
    [
        ("2:30 a.m. ET", "Sunday, March 10, 2024", 2024, datetime(2024, 3, 10, 7, 30)),
        ("1:30 a.m. ET", "Sunday, November 3, 2024", 2024, datetime(2024, 11, 3, 5, 30)),
    ],
)
def test_gap_and_overlap_render_the_documented_instant(
    time: str, day: str, year: int, utc: datetime
) -> None:
    """The calendar shows the same instant as the parser (TZID local time + VTIMEZONE)."""
    import icalendar

    event = only_event(parse(time, day, year))
    ics = render_calendar([event])
    cal = icalendar.Calendar.from_ical(ics)
    vevent = next(c for c in cal.walk("VEVENT"))
    start = vevent.decoded("DTSTART")
    assert start.astimezone(UTC) == utc.replace(tzinfo=UTC)
