"""The parser's rules, one case per test id: seeds, dates, times, zones, DST edges, statuses."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import pytz

from icalfeed.errors import UnsupportedContentError
from icalfeed.extract import parse_release
from icalfeed.extract.mentions import find_dates, find_times
from icalfeed.model import EventKind, Flag, Status
from icalfeed.normalize import clean_text, read_release
from icalfeed.timezones import ZoneContext, localize, resolve_zone
from tests.conftest import SEEDS


def _utc(event: object) -> str:
    start = event.utc_start  # type: ignore[attr-defined]
    return start.strftime("%Y-%m-%dT%H:%MZ") if start else "all-day"


def test_seed_004_is_one_earnings_call() -> None:
    text = (SEEDS / "004_15b4eaf92a1e93e4.txt").read_text()
    parsed = parse_release(text)
    assert parsed.published == date(2011, 4, 21)
    assert parsed.issuer is not None
    assert parsed.issuer.ticker == "IMGN"
    [event] = parsed.events
    assert event.kind is EventKind.EARNINGS_CALL
    assert _utc(event) == "2011-04-28T20:30Z"
    assert event.tzid == "America/New_York"
    assert [d.number for d in event.dial_ins] == ["913-312-0379"]
    assert event.passcode == "8024721"
    assert event.webcast_url == "http://www.immunogen.com"
    assert event.replay is not None
    assert event.replay.until == date(2011, 5, 5)
    assert event.title == "ImmunoGen Q3 FY2011 earnings call"


def test_seed_000_has_exactly_two_conferences() -> None:
    text = (SEEDS / "000_d9e6328ec789a2c8.txt").read_text()
    parsed = parse_release(text)
    assert parsed.published == date(2017, 11, 7)
    got = sorted((_utc(e), e.tzid, e.kind) for e in parsed.events)
    assert got == [
        ("2017-11-15T10:40Z", "Europe/London", EventKind.CONFERENCE_PRESENTATION),
        ("2017-11-30T20:30Z", "America/New_York", EventKind.CONFERENCE_PRESENTATION),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("on Thursday, April 28, 2011", (2011, 4, 28)),
        ("on Feb. 3", (None, 2, 3)),
        ("3 February 2011", (2011, 2, 3)),
        ("14.05.2026", (2026, 5, 14)),
        ("2026-05-14", (2026, 5, 14)),
        ("April 25th", (None, 4, 25)),
        ("Wednesday 18 February 2026", (2026, 2, 18)),
    ],
)
def test_dates(text: str, expected: tuple[int | None, int, int]) -> None:
    [d] = find_dates(text)
    assert (d.year, d.month, d.day) == expected


@pytest.mark.parametrize(
    ("text", "hour", "minute", "zone"),
    [
        ("at 4:30 p.m. ET", 16, 30, "ET"),
        ("at 4:30PM EDT", 16, 30, "EDT"),
        ("at 16:30 CET", 16, 30, "CET"),
        ("at noon Eastern Time", 12, 0, "Eastern Time"),
        ("at 8 a.m. PT", 8, 0, "PT"),
        ("TIME: 930a EST", 9, 30, "EST"),
        ("at 9.30am (UK time)", 9, 30, "UK time"),
        ("at 10:00 hrs CEST", 10, 0, "CEST"),
    ],
)
def test_times(text: str, hour: int, minute: int, zone: str) -> None:
    [t] = find_times(text)
    assert (t.hour, t.minute, t.zone) == (hour, minute, zone)


def test_time_range_gives_the_end() -> None:
    [t] = find_times("from 10:00 - 11:30 a.m. ET")
    assert (t.hour, t.end_hour, t.end_minute) == (10, 11, 30)


@pytest.mark.parametrize(
    ("word", "context", "tzid"),
    [
        ("ET", ZoneContext(), "America/New_York"),
        ("CST", ZoneContext(), "America/Chicago"),
        ("CST", ZoneContext("Asia/Shanghai", chinese=True), "Asia/Shanghai"),
        ("CST", ZoneContext.for_release("BEIJING, China", "Results call"), "Asia/Shanghai"),
        ("CST", ZoneContext.for_release(None, "Offices in Shanghai and Shenzhen"), "Asia/Shanghai"),
        ("China Standard Time", ZoneContext.for_release(None, "RMB and PRC"), "Asia/Shanghai"),
        ("CST", ZoneContext.for_release(None, "An office in Shanghai"), "America/Chicago"),
        (
            "CST",
            ZoneContext.for_release("AUSTIN, Texas", "Chinese RMB" + " " * 20000),
            "Asia/Shanghai",
        ),
        ("CST", ZoneContext.for_release(None, " " * 20000 + "Chinese RMB"), "America/Chicago"),
        ("IST", ZoneContext(), "Asia/Kolkata"),
        ("IST", ZoneContext("Europe/Dublin"), "Europe/Dublin"),
        ("CET+1", ZoneContext(), "Europe/Helsinki"),
        ("AEDT", ZoneContext(), "Australia/Sydney"),
        ("London time", ZoneContext(), "Europe/London"),
        ("XYZ", ZoneContext(), None),
    ],
)
def test_zone_words(word: str, context: ZoneContext, tzid: str | None) -> None:
    assert resolve_zone(word, context) == tzid


def test_est_in_july_is_new_york_summer_time() -> None:
    parsed = parse_release(
        "date 2024-07-01\n\nAcme (NYSE: ACME) will host a conference call to discuss second "
        "quarter results at 4:30 p.m. EST on July 25, 2024."
    )
    [event] = parsed.events
    assert _utc(event) == "2024-07-25T20:30Z"


def test_spring_forward_gap_is_flagged_and_moved_forward() -> None:
    aware, flags, warning = localize(datetime(2026, 3, 8, 2, 30), "America/New_York")
    assert Flag.TIME_NONEXISTENT in flags
    assert warning
    assert aware.astimezone(pytz.utc).strftime("%H:%M") == "07:30"


def test_fall_back_overlap_takes_the_first() -> None:
    aware, flags, warning = localize(datetime(2026, 11, 1, 1, 30), "America/New_York")
    assert Flag.TIME_AMBIGUOUS in flags
    assert warning
    assert aware.utcoffset().total_seconds() == -4 * 3600  # type: ignore[union-attr]


def test_weekday_mismatch_is_a_warning_and_the_date_wins() -> None:
    parsed = parse_release(
        "date 2011-04-21\n\nAcme (NYSE: ACME) will host a conference call on its first quarter "
        "results at 4:30 p.m. ET on Thursday, April 29, 2011."
    )
    [event] = parsed.events
    assert event.start_date == date(2011, 4, 29)
    assert Flag.WEEKDAY_MISMATCH in event.flags
    assert event.warnings


def test_impossible_date_gives_no_event_and_a_warning() -> None:
    parsed = parse_release(
        "date 2011-01-21\n\nAcme (NYSE: ACME) will host a conference call on its results at "
        "4:30 p.m. ET on February 30, 2011."
    )
    assert parsed.events == ()
    assert any("not a date" in w for w in parsed.warnings)


def test_postponed_and_cancelled() -> None:
    postponed = parse_release(
        "date 2020-09-01\n\nAcme AG (XETRA: ACM) has postponed its Annual General Meeting "
        "planned for 29 September 2020 to a date to be determined."
    )
    assert [e.status for e in postponed.events] == [Status.POSTPONED]
    cancelled = parse_release(
        "date 2020-09-01\n\nAcme Inc. (NYSE: ACM) cancelled its investor day scheduled for "
        "October 5, 2020 at 9:00 a.m. ET."
    )
    assert [e.status for e in cancelled.events] == [Status.CANCELLED]


def test_no_zone_and_no_place_is_flagged_not_floating() -> None:
    parsed = parse_release(
        "date 2024-03-01\n\nAcme will host a conference call on its fourth quarter results "
        "at 10:00 a.m. on March 12, 2024."
    )
    [event] = parsed.events
    assert event.all_day
    assert Flag.ZONE_UNKNOWN in event.flags
    assert event.local_time is not None
    assert event.local_time.hour == 10
    assert event.confidence < 0.5


def test_html_is_read_as_text() -> None:
    release = read_release(
        "<html><body><p>date 2024-03-01</p><p>Acme (NYSE: ACM) will host a conference call"
        "<br>at 10:00 a.m. ET on March 12, 2024.</p><script>x()</script></body></html>",
        content_type="text/html",
    )
    assert "<" not in release.text
    assert "x()" not in release.text


def test_invisible_characters_are_cleaned() -> None:
    assert clean_text("a\u200bb\u00a0c\r\nd\x00e") == "ab c\nde"


def test_binary_content_type_is_refused() -> None:
    with pytest.raises(UnsupportedContentError):
        parse_release("x", content_type="application/pdf")


def test_the_core_does_no_io_at_import() -> None:
    import icalfeed.extract as extract

    assert not hasattr(extract, "open")


LONDON_CALL = (
    "date 2025-03-03\n\nLONDON, March 3, 2025 /PRNewswire/ -- Acme plc (NASDAQ: ACME) will "
    "host a conference call to discuss its fourth quarter results on March 10, 2025 at "
    "8:30 a.m.{zone}\n"
)


def test_all_times_are_gives_the_zone_of_times_without_one() -> None:
    text = LONDON_CALL.format(zone=" (all times are Eastern Time).")
    [event] = parse_release(text).events
    assert event.tzid == "America/New_York"
    assert event.start.isoformat() == "2025-03-10T08:30:00-04:00"
    # without the sentence the dateline's city gives the zone
    [event] = parse_release(LONDON_CALL.format(zone=".")).events
    assert event.tzid == "Europe/London"


def test_all_times_at_the_start_of_a_sentence() -> None:
    text = LONDON_CALL.format(zone=" All times are Eastern Time.")
    [event] = parse_release(text).events
    assert event.tzid == "America/New_York"
