"""Reminders (RFC 5545 §3.6.6 VALARM), added per request to VEVENT bytes already rendered.

A feed URL may ask for a reminder (``alarm=15``); the cached VEVENT bytes hold none, so the
VALARM is spliced in before each ``END:VEVENT`` as the feed is assembled. Only timed events
that still take place get one: a reminder 15 minutes before midnight means nothing for an
all-day event, and none at all for a cancelled one.

>>> print(valarm_bytes(15).decode().replace("\\r\\n", "\\n"), end="")
BEGIN:VALARM
ACTION:DISPLAY
DESCRIPTION:Starts in 15 minutes
TRIGGER:-PT15M
END:VALARM
"""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache

import icalendar

from icalfeed.calendar.options import check_alarm_minutes
from icalfeed.calendar.vevent import END, FeedEntry


@lru_cache(maxsize=64)
def valarm_bytes(minutes: int) -> bytes:
    """A DISPLAY alarm ``minutes`` before the start."""
    check_alarm_minutes(minutes)
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", f"Starts in {minutes} minutes" if minutes else "Starting now")
    alarm.add("trigger", timedelta(minutes=-minutes))
    data: bytes = alarm.to_ical()
    return data


def with_alarm(entry: FeedEntry, alarm: bytes) -> bytes:
    """The entry's VEVENT bytes with ``alarm`` inside, when a reminder suits the event."""
    if not entry.takes_alarm:
        return entry.vevent
    return entry.vevent[: -len(END)] + alarm + END


__all__ = ["valarm_bytes", "with_alarm"]
