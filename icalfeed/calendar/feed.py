"""Whole calendars: a subscription feed, or one event to download, assembled from VEVENT bytes.

A feed is its VCALENDAR header (cached per options), one VTIMEZONE per zone its events use
(covering the years they span; cached), the events' VEVENT bytes as rendered earlier (with a
VALARM spliced in when the options ask for one) and ``END:VCALENDAR``. Nothing is parsed or
rendered again, which is what makes a 10,000-event feed a matter of milliseconds.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache

import icalendar

from icalfeed.calendar.alarm import valarm_bytes, with_alarm
from icalfeed.calendar.options import CalendarOptions
from icalfeed.calendar.vevent import DEFAULT_OPTIONS, FeedEntry, render_entry
from icalfeed.calendar.vtimezone import UTC_TZIDS, vtimezone_bytes
from icalfeed.model import Event

END_VCALENDAR = b"END:VCALENDAR\r\n"


@lru_cache(maxsize=256)
def calendar_header(options: CalendarOptions, *, feed: bool = True) -> bytes:
    """``BEGIN:VCALENDAR`` and the calendar's own properties, without the closing line.

    A feed names itself (RFC 7986 NAME and the X-WR-CALNAME most clients read), describes itself
    and says how often to refetch it (REFRESH-INTERVAL, and X-PUBLISHED-TTL for Outlook and
    Apple). A one-off download carries none of these: importing it must not create a calendar.
    """
    calendar = icalendar.Calendar()
    calendar.add("prodid", options.product_id)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if feed:
        # icalendar knows nothing of the X- properties and would write them raw: their types
        # are given here (TEXT escapes ',' and ';'; the TTL is a DURATION, not "4:00:00").
        calendar.add("name", options.name)
        calendar.add("x-wr-calname", icalendar.vText(options.name))
        calendar.add("description", options.calendar_description)
        calendar.add("x-wr-caldesc", icalendar.vText(options.calendar_description))
        calendar.add("refresh-interval", options.refresh_interval, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", icalendar.vDuration(options.refresh_interval))
    data: bytes = calendar.to_ical()
    if not data.endswith(END_VCALENDAR):  # pragma: no cover - the library's contract
        raise AssertionError("icalendar did not end the calendar with END:VCALENDAR")
    return data[: -len(END_VCALENDAR)]


def assemble(entries: Iterable[FeedEntry], options: CalendarOptions, *, feed: bool) -> bytes:
    """The calendar holding ``entries`` (see :func:`render_feed`).

    One entry per UID: the highest SEQUENCE, and among equals the later entry, in the place the
    UID first appeared. This loop runs once per event of every feed request: keep it plain.
    """
    by_uid: dict[str, FeedEntry] = {}
    for entry in entries:
        seen = by_uid.get(entry.uid)
        if seen is None or entry.sequence >= seen.sequence:
            by_uid[entry.uid] = entry
    unique = by_uid.values()
    years: dict[str, tuple[int, int]] = {}
    for entry in unique:
        tzid = entry.tzid
        if tzid is None or tzid in UTC_TZIDS:
            continue
        span = years.get(tzid)
        if span is None:
            years[tzid] = (entry.first_year, entry.last_year)
        elif entry.first_year < span[0] or entry.last_year > span[1]:
            years[tzid] = (min(span[0], entry.first_year), max(span[1], entry.last_year))
    parts = [calendar_header(options, feed=feed)]
    parts += [vtimezone_bytes(tzid, *years[tzid]) for tzid in sorted(years)]
    if options.alarm_minutes is None:
        parts += [entry.vevent for entry in unique]
    else:
        alarm = valarm_bytes(options.alarm_minutes)
        parts += [with_alarm(entry, alarm) for entry in unique]
    parts.append(END_VCALENDAR)
    return b"".join(parts)


def render_feed(entries: Iterable[FeedEntry], options: CalendarOptions = DEFAULT_OPTIONS) -> bytes:
    """A subscription feed of already rendered events, in the order given.

    Two entries with one UID (two releases about the same event) give one VEVENT: the higher
    SEQUENCE, else the later entry. ``options.alarm_minutes`` adds a reminder to timed events.
    """
    return assemble(entries, options, feed=True)


def render_event_calendar(
    item: Event | FeedEntry,
    options: CalendarOptions = DEFAULT_OPTIONS,
    *,
    sequence: int = 0,
    created: datetime | None = None,
    last_modified: datetime | None = None,
) -> bytes:
    """One event as a calendar of its own, for a one-off download (no feed properties).

    ``item`` is an event (rendered now, with the given SEQUENCE and stamps) or a stored entry.
    """
    entry = (
        item
        if isinstance(item, FeedEntry)
        else render_entry(
            item, sequence=sequence, created=created, last_modified=last_modified, options=options
        )
    )
    return assemble([entry], options, feed=False)


def render_calendar(events: Iterable[Event], options: CalendarOptions = DEFAULT_OPTIONS) -> bytes:
    """A feed of events rendered now, each at SEQUENCE 0 (``icalfeed parse --format ics``)."""
    return render_feed([render_entry(event, options=options) for event in events], options)


__all__ = [
    "assemble",
    "calendar_header",
    "render_calendar",
    "render_event_calendar",
    "render_feed",
]
