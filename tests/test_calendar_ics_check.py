"""Every calendar we render passes ../shared/tools/ics-check: RFC 5545/7986 rules and the same
events, instants and text in ical.js, libical, python icalendar and vobject."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
import pytz

from icalfeed.calendar import CalendarOptions, render_calendar, render_event_calendar
from icalfeed.extract import parse_release
from icalfeed.identity import event_uid
from icalfeed.model import Event, Status
from tests.conftest import DEV_CORPUS, SEEDS, dev_corpus_names, needs_dev_corpus, needs_ics_check
from tests.test_calendar_helpers import (
    agm,
    check_calendars,
    imgn_call,
    synthetic_events,
    timed,
    vevents,
)

pytestmark = needs_ics_check

FEED = CalendarOptions(name="Investor events — ics-check")


def parsed(paths: list[Path]) -> list[Event]:
    return [e for p in paths for e in parse_release(p.read_text(encoding="utf-8")).events]


def test_seeds(tmp_path: Path) -> None:
    events = parsed(sorted(SEEDS.glob("*.txt")))
    assert len(events) >= 2
    check_calendars(tmp_path, {"seeds": render_calendar(events, FEED)})


@needs_dev_corpus
def test_dev_corpus(tmp_path: Path) -> None:
    events = parsed([DEV_CORPUS / f"{name}.txt" for name in dev_corpus_names()])
    assert len(events) >= 20
    data = render_calendar(events, FEED)
    assert len(vevents(data)) == len({event_uid(e) for e in events})
    check_calendars(tmp_path, {"dev-corpus": data})


ONE_OFF: dict[str, Event] = {
    "timed": imgn_call(),
    "all-day": agm(),
    "all-day-three-days": agm(end=date(2024, 4, 20)),
    "cancelled": imgn_call(status=Status.CANCELLED),
    "postponed": imgn_call(status=Status.POSTPONED),
    "injection": imgn_call(title="Q1 call\nEND:VEVENT\nBEGIN:VEVENT\nUID:evil@x"),
    "wall-clock-twice": timed("America/New_York", datetime(2024, 11, 3, 1, 30), identity="d"),
}


@pytest.mark.parametrize("name", sorted(ONE_OFF))
def test_one_off_download(tmp_path: Path, name: str) -> None:
    data = render_event_calendar(ONE_OFF[name], FEED, sequence=1)
    check_calendars(tmp_path, {name: data}, feed=False)


def test_feed_with_every_kind_of_event_and_an_alarm(tmp_path: Path) -> None:
    data = render_calendar(list(ONE_OFF.values()), FEED.replace(alarm_minutes=15))
    check_calendars(tmp_path, {"mixed-feed": data})


def test_dst_edges(tmp_path: Path) -> None:
    events = [
        # The weeks when US and EU clocks disagree, both ways.
        timed("America/New_York", datetime(2011, 3, 20, 9), identity="ny-mar"),
        timed("Europe/London", datetime(2011, 3, 20, 9), identity="ldn-mar"),
        timed("America/New_York", datetime(2024, 10, 30, 9), identity="ny-oct"),
        timed("Europe/Berlin", datetime(2024, 10, 30, 9), identity="ber-oct"),
        # "EST" written in July: the instant is kept and shown in EDT.
        imgn_call(
            start=pytz.FixedOffset(-300).localize(datetime(2011, 7, 14, 11)),
            identity="est-in-summer",
        ),
        # Events crossing a change: starts before it, ends after it.
        timed("America/New_York", datetime(2024, 3, 10, 1, 30), identity="ny-spring"),
        timed("America/New_York", datetime(2024, 11, 3, 0, 45), identity="ny-fall"),
    ]
    check_calendars(tmp_path, {"dst-edges": render_calendar(events, FEED)})


@pytest.mark.slow
def test_ten_thousand_synthetic_events(tmp_path: Path) -> None:
    events = synthetic_events(10_000)
    data = render_calendar(events, FEED)
    assert len(vevents(data)) == 10_000
    # ical.js takes about a minute for 8 MB on an idle 2-core machine: allow for a busy one.
    check_calendars(tmp_path, {"synthetic-10000": data}, timeout=900)
