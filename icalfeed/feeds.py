"""Feeds from the store's cached VEVENT bytes: the glue the web app and ``icalfeed export`` share.

The store keeps each event's VEVENT per (UID, SEQUENCE, variant) and calls back to render the
missing ones; :func:`vevent_renderer` gives that callback and its variant, :func:`feed_entry`
turns a cached VEVENT into the renderer's :class:`~icalfeed.calendar.FeedEntry`. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable

from icalfeed.calendar import CalendarOptions, FeedEntry, render_entry, render_fingerprint
from icalfeed.calendar.alarm import valarm_bytes, with_alarm
from icalfeed.store.records import CachedVEvent, StoredEvent

__all__ = ["feed_entry", "vevent_renderer", "vevent_variant"]


def vevent_variant(options: CalendarOptions, alarm: int | None = None) -> str:
    """The cache variant of VEVENTs rendered with ``options`` and ``alarm``."""
    return render_fingerprint(options) + (f";alarm={alarm}" if alarm is not None else "")


def vevent_renderer(
    options: CalendarOptions, alarm: int | None
) -> tuple[str, Callable[[StoredEvent], bytes]]:
    """The cache variant and the function that renders one stored event's VEVENT bytes."""
    variant = vevent_variant(options, alarm)
    alarm_bytes = valarm_bytes(alarm) if alarm is not None else None

    def render(stored: StoredEvent) -> bytes:
        entry = render_entry(
            stored.event,
            sequence=stored.sequence,
            created=stored.created,
            last_modified=stored.last_modified,
            options=options,
        )
        return with_alarm(entry, alarm_bytes) if alarm_bytes is not None else entry.vevent

    return variant, render


def feed_entry(cached: CachedVEvent) -> FeedEntry:
    """A stored VEVENT as the renderer's FeedEntry (the VTIMEZONE must cover its years)."""
    year = cached.start_date.year
    crosses = (cached.start_date.month, cached.start_date.day) == (12, 31)
    return FeedEntry(
        uid=cached.uid,
        sequence=cached.sequence,
        vevent=cached.ics,
        tzid=cached.tzid,
        first_year=year,
        last_year=year + 1 if crosses else year,
        all_day=cached.tzid is None,
    )
