"""The calendar renderer: what each VEVENT and VCALENDAR carries (RFC 5545, RFC 7986)."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import dateutil.tz
import icalendar
import pytest
import pytz

from icalfeed.calendar import (
    CalendarOptions,
    FeedEntry,
    VeventCache,
    options_from_config,
    render_calendar,
    render_entry,
    render_event_calendar,
    render_feed,
    render_vevent,
)
from icalfeed.calendar.details import clean_url, tel_uri
from icalfeed.config import Config
from icalfeed.errors import CalendarError
from icalfeed.identity import event_uid
from icalfeed.model import DialIn, Event, EventKind, Replay, Status
from tests.conftest import REPO
from tests.test_calendar_helpers import (
    agm,
    content_lines,
    imgn_call,
    read_calendar,
    timed,
    vevents,
)

FEED = CalendarOptions(name="Investor events — IMGN")


def one(event: Event, options: CalendarOptions = FEED, **kwargs: object) -> Any:
    (vevent,) = vevents(render_event_calendar(event, options, **kwargs))  # type: ignore[arg-type]
    return vevent


def lines_of(event: Event, options: CalendarOptions = FEED) -> list[str]:
    return content_lines(render_vevent(event, options=options))


# -- the calendar ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "in_feed", "in_one_off"),
    [
        ("PRODID:-//icalfeed//icalfeed//EN", True, True),
        ("VERSION:2.0", True, True),
        ("CALSCALE:GREGORIAN", True, True),
        ("METHOD:PUBLISH", True, True),
        ("NAME:Investor events — IMGN", True, False),
        ("X-WR-CALNAME:Investor events — IMGN", True, False),
        ("REFRESH-INTERVAL;VALUE=DURATION:PT4H", True, False),
        ("X-PUBLISHED-TTL:PT4H", True, False),
        (
            "X-WR-CALDESC:Investor events — IMGN: earnings calls\\, conference presentations "
            "and other investor events.",
            True,
            False,
        ),
    ],
    ids=lambda v: v.split(":")[0] if isinstance(v, str) else str(v),
)
def test_calendar_properties(line: str, in_feed: bool, in_one_off: bool) -> None:
    feed = content_lines(render_calendar([imgn_call()], FEED))
    single = content_lines(render_event_calendar(imgn_call(), FEED))
    assert (line in feed) is in_feed
    assert (line in single) is in_one_off


@pytest.mark.parametrize(
    ("minutes", "expected"), [(15, "PT15M"), (60, "PT1H"), (240, "PT4H"), (1440, "P1D")]
)
def test_refresh_interval_is_configurable(minutes: int, expected: str) -> None:
    lines = content_lines(render_calendar([], CalendarOptions(refresh_minutes=minutes)))
    assert f"REFRESH-INTERVAL;VALUE=DURATION:{expected}" in lines
    assert f"X-PUBLISHED-TTL:{expected}" in lines


def test_empty_feed_is_a_calendar_without_events() -> None:
    data = render_calendar([], FEED)
    assert vevents(data) == []
    assert data.startswith(b"BEGIN:VCALENDAR\r\n")
    assert data.endswith(b"END:VCALENDAR\r\n")


def test_vtimezone_only_for_zones_used_and_never_for_utc() -> None:
    events = [
        imgn_call(),
        agm(),
        timed("UTC", datetime(2024, 1, 10, 12), identity="u"),
        timed("Europe/Berlin", datetime(2024, 1, 10, 12), identity="b"),
    ]
    calendar = icalendar.Calendar.from_ical(render_calendar(events, FEED))
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == [
        "America/New_York",
        "Europe/Berlin",
    ]
    assert "DTSTART:20240110T120000Z" in content_lines(render_calendar(events, FEED))


# -- one VEVENT --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "UID:imgn-earnings-call-q3-fy2011@icalfeed",
        "SEQUENCE:0",
        "DTSTART;TZID=America/New_York:20110428T163000",
        "DTEND;TZID=America/New_York:20110428T173000",
        "DTSTAMP:20110421T000000Z",
        "SUMMARY:ImmunoGen Q3 FY2011 earnings call",
        "URL:http://www.immunogen.com/investors",
        "CATEGORIES:Earnings call,IMGN",
        "STATUS:CONFIRMED",
        "TRANSP:TRANSPARENT",
    ],
    ids=lambda line: line.split(":")[0].split(";")[0],
)
def test_vevent_line(line: str) -> None:
    assert line in lines_of(imgn_call())


@pytest.mark.parametrize(
    "text",
    [
        "ImmunoGen Q3 FY2011 earnings call",
        "Thursday, April 28, 2011, 4:30 PM EDT (America/New_York)",
        "U.S.: 913-312-0379",
        "UK: +44 20 3059 8125",
        "Passcode: 8024721",
        "Webcast: http://www.immunogen.com/investors",
        "Replay until Thursday, May 5, 2011:",
        "719-457-0820",
        "Replay passcode: 99",
        "From the release “ImmunoGen, Inc. Announces Conference Call”",
        "Published Thursday, April 21, 2011",
    ],
)
def test_description_carries(text: str) -> None:
    assert text in str(one(imgn_call())["DESCRIPTION"]).split("\n")


@pytest.mark.parametrize(
    ("replay", "block"),
    [
        (Replay(until=date(2011, 5, 5)), ["Replay until Thursday, May 5, 2011"]),
        (
            Replay(dial_ins=(DialIn("719-457-0820", "U.S."),), passcode="99"),
            ["Replay:", "U.S.: 719-457-0820", "Replay passcode: 99"],
        ),
        (Replay(), None),
    ],
    ids=["until-only", "numbers-only", "empty"],
)
def test_replay_block(replay: Replay, block: list[str] | None) -> None:
    blocks = str(one(imgn_call(replay=replay))["DESCRIPTION"]).split("\n\n")
    replay_blocks = [b.split("\n") for b in blocks if b.startswith("Replay")]
    assert replay_blocks == ([block] if block else [])


def test_description_has_no_empty_sections() -> None:
    text = str(one(agm())["DESCRIPTION"])
    assert "\n\n\n" not in text
    assert not text.endswith("\n")
    assert "Dial-in" not in text


@pytest.mark.parametrize(
    ("stamps", "expected"),
    [
        ({}, {"DTSTAMP": "20110421T000000Z"}),
        (
            {"created": datetime(2011, 4, 21, 13, 5, 7, 999, tzinfo=UTC)},
            {"DTSTAMP": "20110421T130507Z", "CREATED": "20110421T130507Z"},
        ),
        (
            {"last_modified": datetime(2011, 4, 22, 8, 0, tzinfo=UTC)},
            {"DTSTAMP": "20110422T080000Z", "LAST-MODIFIED": "20110422T080000Z"},
        ),
        (
            {
                "created": datetime(2011, 4, 21, 13, 5, tzinfo=UTC),
                "last_modified": pytz.timezone("America/New_York").localize(
                    datetime(2011, 4, 25, 9, 0)
                ),
            },
            {
                "DTSTAMP": "20110425T130000Z",
                "CREATED": "20110421T130500Z",
                "LAST-MODIFIED": "20110425T130000Z",
            },
        ),
    ],
    ids=["from-publication-date", "created", "modified", "modified-in-utc"],
)
def test_stamps_come_from_arguments(stamps: dict[str, datetime], expected: dict[str, str]) -> None:
    lines = lines_of_with(imgn_call(), **stamps)
    for name, value in expected.items():
        assert f"{name}:{value}" in lines
    for name in {"CREATED", "LAST-MODIFIED"} - set(expected):
        assert not any(line.startswith(name) for line in lines)


def lines_of_with(event: Event, **kwargs: datetime) -> list[str]:
    return content_lines(render_vevent(event, options=FEED, **kwargs))  # type: ignore[arg-type]


def test_naive_stamp_is_refused() -> None:
    with pytest.raises(CalendarError, match="CREATED must be an aware datetime"):
        render_vevent(imgn_call(), created=datetime(2011, 4, 21))


@pytest.mark.parametrize("sequence", [-1, True, 1.5, "2"])
def test_bad_sequence_is_refused(sequence: object) -> None:
    with pytest.raises(CalendarError, match="SEQUENCE"):
        render_vevent(imgn_call(), sequence=sequence)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kind", "minutes"),
    [
        (EventKind.EARNINGS_CALL, 60),
        (EventKind.CONFERENCE_PRESENTATION, 30),
        (EventKind.INVESTOR_DAY, 240),
        (EventKind.SHAREHOLDER_MEETING, 120),
        (EventKind.WEBCAST, 60),
        (EventKind.OTHER, 60),
    ],
)
def test_default_duration_per_kind(kind: EventKind, minutes: int) -> None:
    vevent = one(imgn_call(kind=kind))
    assert vevent["DTEND"].dt - vevent["DTSTART"].dt == timedelta(minutes=minutes)


def test_duration_is_configurable_per_kind() -> None:
    options = CalendarOptions(durations={"earnings_call": 45})
    vevent = one(imgn_call(), options)
    assert vevent["DTEND"].dt - vevent["DTSTART"].dt == timedelta(minutes=45)
    assert options.duration_for(EventKind.INVESTOR_DAY) == timedelta(minutes=240)


def test_end_from_the_text_wins_over_the_default() -> None:
    end = NY_TZ.localize(datetime(2011, 4, 28, 18, 0))
    vevent = one(imgn_call(end=end))
    assert "DTEND;TZID=America/New_York:20110428T180000" in lines_of(imgn_call(end=end))
    assert vevent["DTEND"].dt - vevent["DTSTART"].dt == timedelta(minutes=90)


NY_TZ = pytz.timezone("America/New_York")


def test_end_in_another_zone_is_written_in_the_event_zone() -> None:
    end = pytz.utc.localize(datetime(2011, 4, 28, 22, 0))  # 18:00 EDT
    assert "DTEND;TZID=America/New_York:20110428T180000" in lines_of(imgn_call(end=end))


@pytest.mark.parametrize(
    ("start", "end", "dtstart", "dtend"),
    [
        (date(2024, 4, 18), None, "20240418", "20240419"),
        (date(2024, 4, 18), date(2024, 4, 18), "20240418", "20240419"),
        (date(2024, 4, 18), date(2024, 4, 20), "20240418", "20240421"),
        (date(2024, 12, 31), None, "20241231", "20250101"),
        (date(2024, 2, 28), date(2024, 2, 29), "20240228", "20240301"),
    ],
    ids=["one-day", "end-same-day", "three-days", "new-year", "leap-day"],
)
def test_all_day_dates(start: date, end: date | None, dtstart: str, dtend: str) -> None:
    lines = lines_of(agm(start=start, end=end))
    assert f"DTSTART;VALUE=DATE:{dtstart}" in lines
    assert f"DTEND;VALUE=DATE:{dtend}" in lines


def test_all_day_event_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(CalendarError, match="ends"):
        render_vevent(agm(end=date(2024, 4, 17)))


@pytest.mark.parametrize(
    ("status", "value", "summary_prefix"),
    [
        (Status.CONFIRMED, "CONFIRMED", ""),
        (Status.POSTPONED, "TENTATIVE", "Postponed: "),
        (Status.CANCELLED, "CANCELLED", "Cancelled: "),
    ],
)
def test_status(status: Status, value: str, summary_prefix: str) -> None:
    vevent = one(imgn_call(status=status))
    assert str(vevent["STATUS"]) == value
    assert str(vevent["SUMMARY"]) == summary_prefix + "ImmunoGen Q3 FY2011 earnings call"


@pytest.mark.parametrize(("transparent", "value"), [(True, "TRANSPARENT"), (False, "OPAQUE")])
def test_transparency(transparent: bool, value: str) -> None:
    assert str(one(imgn_call(), CalendarOptions(transparent=transparent))["TRANSP"]) == value


def test_transparent_by_default() -> None:
    assert "TRANSP:TRANSPARENT" in lines_of(imgn_call(), CalendarOptions())


def test_categories_without_ticker() -> None:
    assert "CATEGORIES:Shareholder meeting" in lines_of(agm(issuer=None))


def test_location() -> None:
    assert str(one(agm())["LOCATION"]) == "Hotel Baur au Lac, Zurich"


def test_url_falls_back_to_registration() -> None:
    event = imgn_call(webcast_url=None, registration_url="https://reg.example.com/x")
    assert str(one(event)["URL"]) == "https://reg.example.com/x"


# -- time zones and DST edges ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("tzid", "local", "dtstart", "utc"),
    [
        # 2011-03-20: New York already on EDT, London still on GMT (the weeks US and EU differ).
        ("America/New_York", datetime(2011, 3, 20, 9), "TZID=America/New_York:20110320T090000",
         datetime(2011, 3, 20, 13)),
        ("Europe/London", datetime(2011, 3, 20, 9), "TZID=Europe/London:20110320T090000",
         datetime(2011, 3, 20, 9)),
        # 2024-10-30: London back on GMT, New York still on EDT.
        ("America/New_York", datetime(2024, 10, 30, 9), "TZID=America/New_York:20241030T090000",
         datetime(2024, 10, 30, 13)),
        ("Europe/London", datetime(2024, 10, 30, 9), "TZID=Europe/London:20241030T090000",
         datetime(2024, 10, 30, 9)),
        # Southern hemisphere: Sydney's summer time in January.
        ("Australia/Sydney", datetime(2024, 1, 15, 10), "TZID=Australia/Sydney:20240115T100000",
         datetime(2024, 1, 14, 23)),
        # Half-hour zone without DST.
        ("Asia/Kolkata", datetime(2019, 10, 11, 17, 30), "TZID=Asia/Kolkata:20191011T173000",
         datetime(2019, 10, 11, 12)),
    ],
    ids=["ny-us-switched", "london-eu-not-yet", "ny-us-not-yet", "london-eu-switched",
         "sydney-summer", "kolkata"],
)  # fmt: skip
def test_timed_start(tzid: str, local: datetime, dtstart: str, utc: datetime) -> None:
    event = timed(tzid, local, identity="x")
    assert f"DTSTART;{dtstart}" in lines_of(event)
    assert one(event)["DTSTART"].dt.astimezone(UTC) == utc.replace(tzinfo=UTC)


def test_est_written_in_summer_keeps_the_instant() -> None:
    # "11:00 a.m. EST" in July: the parser gives the instant 16:00Z; the calendar shows it in
    # the event's zone (12:00 EDT), never as 11:00 local.
    start = pytz.FixedOffset(-300).localize(datetime(2011, 7, 14, 11, 0))
    event = imgn_call(start=start)
    assert "DTSTART;TZID=America/New_York:20110714T120000" in lines_of(event)
    assert one(event)["DTSTART"].dt.astimezone(UTC) == datetime(2011, 7, 14, 16, tzinfo=UTC)


@pytest.mark.parametrize(
    ("is_dst", "utc"),
    [(True, datetime(2024, 11, 3, 5, 30)), (False, datetime(2024, 11, 3, 6, 30))],
    ids=["first-1-30", "second-1-30"],
)
def test_wall_clock_that_happens_twice_is_written_in_utc(is_dst: bool, utc: datetime) -> None:
    start = NY_TZ.localize(datetime(2024, 11, 3, 1, 30), is_dst=is_dst)
    event = imgn_call(start=start, end=start + timedelta(minutes=15))
    lines = lines_of(event)
    assert f"DTSTART:{utc:%Y%m%dT%H%M%S}Z" in lines
    assert one(event)["DTSTART"].dt == utc.replace(tzinfo=UTC)


def test_utc_event_is_written_with_z() -> None:
    lines = lines_of(timed("UTC", datetime(2024, 5, 1, 12), identity="u"))
    assert "DTSTART:20240501T120000Z" in lines
    assert "DTEND:20240501T130000Z" in lines


def test_unknown_zone_is_a_calendar_error() -> None:
    start = pytz.utc.localize(datetime(2024, 5, 1, 12))
    event = imgn_call(start=start, tzid="Mars/Olympus_Mons")
    with pytest.raises(CalendarError, match="Mars/Olympus_Mons"):
        render_vevent(event)


# -- RFC 7986 CONFERENCE ------------------------------------------------------------------------


def conference_lines(event: Event) -> list[str]:
    return [line for line in lines_of(event) if line.startswith("CONFERENCE")]


def test_conference_properties() -> None:
    assert conference_lines(imgn_call()) == [
        "CONFERENCE;FEATURE=PHONE;LABEL=U.S.;VALUE=URI:tel:+1-913-312-0379,,8024721",
        "CONFERENCE;FEATURE=PHONE;LABEL=UK;VALUE=URI:tel:+44-20-3059-8125,,8024721",
        "CONFERENCE;FEATURE=AUDIO;LABEL=Webcast;VALUE=URI:http://www.immunogen.com/investors",
    ]


def test_conference_parameters_read_back() -> None:
    (first, *_rest) = one(imgn_call())["CONFERENCE"]
    assert str(first) == "tel:+1-913-312-0379,,8024721"
    assert first.params["FEATURE"] == "PHONE"
    assert first.params["LABEL"] == "U.S."
    assert first.params["VALUE"] == "URI"


@pytest.mark.parametrize(
    ("number", "region", "passcode", "uri"),
    [
        ("913-312-0379", "US", "8024721", "tel:+1-913-312-0379,,8024721"),
        ("(877) 941-2068", "US", None, "tel:+1-877-941-2068"),
        ("1-800-946-0786", "US", "123 456", "tel:+1-800-946-0786,,123456"),
        ("+44 (0) 20 3059 8125", None, "1234#", "tel:+44-20-3059-8125,,1234%23"),
        ("020 3059 8125", "GB", None, "tel:+44-20-3059-8125"),
        ("0800 279 5004", "GB", "abc", "tel:+44-800-279-5004"),  # not digits: no post-dial
        ("+49 69 2222 10620", None, "5", "tel:+49-69-222210620,,5"),
        ("12", "US", None, None),
        ("call us", "US", None, None),
    ],
    ids=["us", "us-parens", "us-1-prefix", "uk-intl-0", "uk-national", "letters-passcode",
         "de", "too-short", "words"],
)  # fmt: skip
def test_tel_uri(number: str, region: str | None, passcode: str | None, uri: str | None) -> None:
    assert tel_uri(number, region=region, passcode=passcode) == uri


def test_dial_in_label_picks_the_country() -> None:
    event = imgn_call(dial_ins=(DialIn("0800 279 5004", "UK toll-free"),), tzid="America/New_York")
    assert conference_lines(event)[0].endswith("tel:+44-800-279-5004,,8024721")


def test_unreadable_number_stays_in_description_only() -> None:
    event = imgn_call(dial_ins=(DialIn("ask the operator", "U.S."),), webcast_url=None)
    assert conference_lines(event) == []
    assert "U.S.: ask the operator" in str(one(event)["DESCRIPTION"])


def test_duplicate_numbers_give_one_conference() -> None:
    event = imgn_call(dial_ins=(DialIn("913-312-0379"), DialIn("(913) 312-0379")), webcast_url=None)
    assert len(conference_lines(event)) == 1


@pytest.mark.parametrize(
    ("url", "clean"),
    [
        ("http://www.immunogen.com", "http://www.immunogen.com"),
        ("www.immunogen.com.", "https://www.immunogen.com"),
        ("ir.acme.com/events", "https://ir.acme.com/events"),
        ("https://x.com/a b", None),
        ("javascript:alert(1)", None),
        ("https://x.com/\nEND:VEVENT", None),
        ('https://x.com/"', None),
        ("", None),
    ],
    ids=["http", "bare-domain-dot", "bare-path", "space", "javascript", "newline", "quote",
         "empty"],
)  # fmt: skip
def test_clean_url(url: str, clean: str | None) -> None:
    assert clean_url(url) == clean


# -- injection ---------------------------------------------------------------------------------

INJECTIONS = [
    "Q1 call\nEND:VEVENT\nBEGIN:VEVENT\nUID:evil@x\nSUMMARY:pwned",
    "Q1 call\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil@x",
    "Q1 call\rEND:VCALENDAR",
    "Q1 call\u2028END:VEVENT\u2029BEGIN:VEVENT",
    "Q1 call\x00\x1b[31m; DTSTART:19700101T000000Z, \\n",
    "Q1 call\x85END:VEVENT",
]


@pytest.mark.parametrize("text", INJECTIONS, ids=["lf", "crlf", "cr", "u2028", "controls", "nel"])
@pytest.mark.parametrize("field", ["title", "location", "headline", "passcode", "conference_name"])
def test_release_text_cannot_inject(text: str, field: str) -> None:
    event = imgn_call(**{field: text})
    data = render_calendar([event], FEED)
    calendar = icalendar.Calendar.from_ical(data)
    assert len(calendar.walk("VEVENT")) == 1
    assert [c.name for c in calendar.subcomponents] == ["VTIMEZONE", "VEVENT"]
    lines = content_lines(data)
    assert all(not line.startswith(("UID:evil", "SUMMARY:pwned")) for line in lines)
    assert lines.count("END:VEVENT") == 1
    assert lines.count("END:VCALENDAR") == 1
    assert lines.count("DTSTART;TZID=America/New_York:20110428T163000") == 1


def test_injected_title_stays_text() -> None:
    title = "ImmunoGen call\nEND:VEVENT\nBEGIN:VEVENT"
    vevent = one(imgn_call(title=title))
    assert str(vevent["SUMMARY"]) == "ImmunoGen call END:VEVENT BEGIN:VEVENT"
    assert "ImmunoGen call END:VEVENT BEGIN:VEVENT" in str(vevent["DESCRIPTION"])


@pytest.mark.parametrize(
    ("label", "clean"),
    [
        ("U.S.\nEND:VEVENT", "U.S. END:VEVENT"),
        ('U.S.";FEATURE=X', "U.S.';FEATURE=X"),
        ("U.S.:tel:1", "U.S.:tel:1"),
    ],
    ids=["newline", "quote", "colon"],
)
def test_dial_in_label_cannot_escape_its_parameter(label: str, clean: str) -> None:
    event = imgn_call(dial_ins=(DialIn("913-312-0379", label),), webcast_url=None)
    conference = one(event)["CONFERENCE"]
    assert conference.params["FEATURE"] == "PHONE"
    assert conference.params["LABEL"] == clean
    assert str(conference) == "tel:+1-913-312-0379,,8024721"


def test_text_escaping_round_trips() -> None:
    title = r"A, B; C \ D: E"
    assert str(one(imgn_call(title=title))["SUMMARY"]) == title


def test_long_lines_are_folded_at_75_octets() -> None:
    data = render_calendar([imgn_call(title="Ünïcödé " * 40)], FEED)
    assert max(len(line) for line in data.split(b"\r\n")) <= 75


# -- alarms ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("minutes", "trigger"), [(0, "P0D"), (15, "-PT15M"), (90, "-PT1H30M")])
def test_alarm_before_timed_events(minutes: int, trigger: str) -> None:
    data = render_calendar([imgn_call()], FEED.replace(alarm_minutes=minutes))
    (alarm,) = vevents(data)[0].walk("VALARM")
    assert str(alarm["ACTION"]) == "DISPLAY"
    assert alarm["TRIGGER"].to_ical().decode() == trigger


@pytest.mark.parametrize(
    ("event", "has_alarm"),
    [
        (imgn_call(), True),
        (imgn_call(status=Status.POSTPONED), True),
        (imgn_call(status=Status.CANCELLED), False),
        (agm(), False),
    ],
    ids=["timed", "postponed", "cancelled", "all-day"],
)
def test_alarm_only_where_it_makes_sense(event: Event, has_alarm: bool) -> None:
    data = render_calendar([event], FEED.replace(alarm_minutes=15))
    assert bool(vevents(data)[0].walk("VALARM")) is has_alarm


def test_no_alarm_unless_asked() -> None:
    assert b"VALARM" not in render_calendar([imgn_call()], FEED)


@pytest.mark.parametrize("minutes", [-1, 7 * 24 * 60 + 1, True])
def test_bad_alarm_is_refused(minutes: int) -> None:
    with pytest.raises(CalendarError, match="alarm minutes"):
        CalendarOptions(alarm_minutes=minutes)


# -- options -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "  "}, "needs a name"),
        ({"refresh_minutes": 5}, "at least 15"),
        ({"durations": {"gala_dinner": 30}}, "no event kind"),
        ({"durations": {"earnings_call": 0}}, "minutes > 0"),
        ({"product_id": ""}, "product id"),
    ],
    ids=["name", "refresh", "kind", "duration", "prodid"],
)
def test_bad_options_are_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(CalendarError, match=message):
        CalendarOptions(**changes)  # type: ignore[arg-type]


def test_options_from_config_follow_the_settings_table() -> None:
    config = Config.from_env(
        {
            "ICALFEED_CALENDAR_NAME": "IR",
            "ICALFEED_REFRESH_MINUTES": "60",
            "ICALFEED_DURATIONS": "earnings_call=45",
            "ICALFEED_TRANSPARENT": "0",
        }
    )
    options = options_from_config(config)
    assert options.name == "IR"
    assert options.refresh_minutes == 60
    assert options.duration_for("earnings_call") == timedelta(minutes=45)
    assert options.transparent is False


def test_options_that_change_vevent_bytes_change_the_fingerprint() -> None:
    base = CalendarOptions()
    assert base.replace(name="Other").fingerprint == base.fingerprint
    assert base.replace(alarm_minutes=5).fingerprint == base.fingerprint
    assert base.replace(transparent=False).fingerprint != base.fingerprint
    assert base.replace(durations={"webcast": 45}).fingerprint != base.fingerprint
    entry = render_entry(imgn_call(), options=base)
    assert entry.is_current(base.replace(name="Other"))
    assert not entry.is_current(base.replace(transparent=False))


# -- feeds from entries --------------------------------------------------------------------------


def test_feed_keeps_one_event_per_uid_highest_sequence() -> None:
    old = render_entry(imgn_call(), sequence=1)
    moved = imgn_call(start=NY_TZ.localize(datetime(2011, 4, 29, 8, 0)))
    new = render_entry(moved, sequence=2)
    for order in ([old, new], [new, old]):
        (vevent,) = vevents(render_feed(order, FEED))
        assert vevent["SEQUENCE"] == 2
        assert vevent["DTSTART"].dt == moved.start


def test_feed_keeps_events_in_the_given_order() -> None:
    events = [agm(), imgn_call()]
    uids = [str(v["UID"]) for v in vevents(render_calendar(events, FEED))]
    assert uids == [event_uid(e) for e in events]


def test_feed_vtimezone_covers_every_year_of_its_events() -> None:
    events = [
        timed("Europe/London", datetime(2024, 6, 15, 10), identity="b"),
        timed("Europe/London", datetime(1995, 11, 15, 10), identity="a"),
    ]
    (vtimezone,) = read_calendar(render_calendar(events, FEED)).walk("VTIMEZONE")
    # Read with dateutil, which knows nothing of the TZID and goes by the rules written.
    tz = dateutil.tz.tzical(io.StringIO(vtimezone.to_ical().decode())).get()
    for event in events:
        assert isinstance(event.start, datetime)
        local = event.start.replace(tzinfo=None)
        assert local.replace(tzinfo=tz).utcoffset() == event.start.utcoffset()


def test_entry_bytes_are_independent_of_the_feed() -> None:
    entry = render_entry(imgn_call(), sequence=3)
    data = render_feed([entry, render_entry(agm())], FEED)
    assert entry.vevent in data
    assert render_entry(imgn_call(), sequence=3) == entry


@pytest.mark.parametrize(
    "vevent",
    [b"BEGIN:VEVENT\r\nUID:x\r\n", b"BEGIN:VTODO\r\nEND:VEVENT\r\n"],
)
def test_feed_entry_must_be_a_vevent(vevent: bytes) -> None:
    with pytest.raises(CalendarError, match="not one VEVENT"):
        FeedEntry(uid="x", sequence=0, vevent=vevent, tzid=None, first_year=2024, last_year=2024)


# -- the cache -----------------------------------------------------------------------------------


def test_cache_reuses_bytes_for_the_same_event_and_sequence() -> None:
    cache = VeventCache()
    event = imgn_call()
    first = cache.entry(event, sequence=1)
    assert cache.entry(event, sequence=1) is first
    assert cache.entry(replace(event), sequence=1) is first  # equal, not identical
    assert (cache.hits, cache.misses) == (2, 1)


@pytest.mark.parametrize(
    "change",
    [
        {"sequence": 2},
        {"options": CalendarOptions(transparent=False)},
        {"last_modified": datetime(2011, 4, 25, tzinfo=UTC)},
        {"event": imgn_call(title="ImmunoGen Q3 call (updated)")},
    ],
    ids=["sequence", "options", "stamp", "event-changed-same-sequence"],
)
def test_cache_renders_again_when_anything_changes(change: dict[str, object]) -> None:
    cache = VeventCache()
    event = imgn_call()
    first = cache.entry(event, sequence=1)
    args: dict[str, object] = {"sequence": 1, **change}
    again = cache.entry(args.pop("event", event), **args)  # type: ignore[arg-type]
    assert again is not first
    assert again.vevent != first.vevent
    assert cache.misses == 2


def test_cache_evicts_least_recently_used() -> None:
    cache = VeventCache(maxsize=2)
    a, b, c = (timed("UTC", datetime(2024, 1, 1, 12), identity=x) for x in "abc")
    entry_a = cache.entry(a)
    cache.entry(b)
    cache.entry(a)  # a is now the most recent
    cache.entry(c)  # evicts b
    assert len(cache) == 2
    assert cache.entry(a) is entry_a
    cache.entry(b)
    assert cache.misses == 4


def test_cache_entries_matches_render_calendar() -> None:
    cache = VeventCache()
    events = [imgn_call(), agm(), imgn_call(status=Status.CANCELLED, identity="Q4 FY2011")]
    cold = render_feed(cache.entries(events, FEED), FEED)
    warm = render_feed(cache.entries(events, FEED), FEED)
    assert cold == warm == render_calendar(events, FEED)
    assert (cache.hits, cache.misses) == (3, 3)


# -- purity --------------------------------------------------------------------------------------


def test_rendering_is_deterministic() -> None:
    events = [imgn_call(), agm()]
    assert render_calendar(events, FEED) == render_calendar(list(events), FEED)


def test_calendar_core_imports_no_edges() -> None:
    code = (
        "import sys, icalfeed.calendar; "
        "bad = [m for m in sys.modules if m.split('.')[0] in {'flask', 'sqlalchemy', 'click'} "
        "or m.startswith(('icalfeed.store', 'icalfeed.web', 'icalfeed.cli', 'icalfeed.config'))]; "
        "print(bad); sys.exit(bool(bad))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


CALENDAR_SOURCES = sorted((REPO / "icalfeed" / "calendar").glob("*.py"))
IMPURE = re.compile(
    r"\b(datetime\.now|datetime\.utcnow|date\.today|time\.time|time\.monotonic|os\.environ|"
    r"getenv|open\(|Path\(|subprocess|socket|random)\b"
)


@pytest.mark.parametrize("path", CALENDAR_SOURCES, ids=lambda p: p.name)
def test_calendar_module_reads_no_clock_environment_or_files(path: Path) -> None:
    code = "\n".join(
        line
        for line in path.read_text(encoding="utf-8").splitlines()
        if not line.lstrip().startswith(("#", ">>>", "..."))
    )
    assert IMPURE.findall(code) == []
