"""Events in, iCalendar (RFC 5545, RFC 7986) out: feeds every calendar app reads the same way.

This package is pure: no I/O, no clock, no environment. What shapes the output comes in as a
:class:`CalendarOptions` (the edges build it with :func:`options_from_config`).

Render each event's VEVENT once, when it changes, and assemble feeds from the bytes::

    entry = render_entry(event, sequence=2, created=first_seen, last_modified=changed,
                         options=options)          # -> FeedEntry: .vevent bytes + metadata
    feed = render_feed(entries, options)           # -> bytes of a whole VCALENDAR
    feed = render_feed(entries, options.replace(alarm_minutes=15))   # ?alarm=15
    one = render_event_calendar(entry, options)    # one event to download
    data = render_calendar(events, options)        # events rendered now, SEQUENCE 0

``render_vevent(event, ...)`` gives only the VEVENT bytes; :class:`VeventCache` keeps rendered
entries keyed by (UID, SEQUENCE) for callers that hold events rather than stored entries. A store
keeps each :class:`FeedEntry`'s fields as columns and re-renders when
``entry.is_current(options)`` is false (the options or the renderer changed).

>>> from datetime import datetime
>>> import pytz
>>> from icalfeed.model import Event, EventKind, Issuer, Listing
>>> ny = pytz.timezone("America/New_York")
>>> event = Event(kind=EventKind.EARNINGS_CALL, title="ImmunoGen Q3 FY2011 earnings call",
...               start=ny.localize(datetime(2011, 4, 28, 16, 30)), tzid="America/New_York",
...               identity="Q3 FY2011", issuer=Issuer("ImmunoGen", (Listing("NASDAQ", "IMGN"),)))
>>> entry = render_entry(event, sequence=1, options=CalendarOptions(name="IMGN events"))
>>> entry.uid, entry.tzid, entry.first_year
('imgn-earnings-call-q3-fy2011@icalfeed', 'America/New_York', 2011)
>>> lines = render_feed([entry], CalendarOptions(name="IMGN events")).decode().splitlines()
>>> [line for line in lines if line.startswith(("DTSTART;", "DTEND;", "X-WR-CALNAME"))]
['X-WR-CALNAME:IMGN events', 'DTSTART;TZID=America/New_York:20110428T163000', \
'DTEND;TZID=America/New_York:20110428T173000']
"""

from icalfeed.calendar.cache import VeventCache
from icalfeed.calendar.feed import (
    calendar_header,
    render_calendar,
    render_event_calendar,
    render_feed,
)
from icalfeed.calendar.options import (
    DEFAULT_DURATIONS,
    CalendarOptions,
    options_from_config,
)
from icalfeed.calendar.vevent import (
    DEFAULT_OPTIONS,
    FeedEntry,
    build_vevent,
    render_entry,
    render_fingerprint,
    render_vevent,
)
from icalfeed.calendar.vtimezone import build_vtimezone, vtimezone_bytes

__all__ = [
    "DEFAULT_DURATIONS",
    "DEFAULT_OPTIONS",
    "CalendarOptions",
    "FeedEntry",
    "VeventCache",
    "build_vevent",
    "build_vtimezone",
    "calendar_header",
    "options_from_config",
    "render_calendar",
    "render_entry",
    "render_event_calendar",
    "render_feed",
    "render_fingerprint",
    "render_vevent",
    "vtimezone_bytes",
]
