"""One event as one VEVENT (RFC 5545 §3.6.1, RFC 7986 CONFERENCE), rendered once and reused.

A VEVENT's bytes depend only on the event, its SEQUENCE, its CREATED and LAST-MODIFIED stamps and
the options in :attr:`CalendarOptions.vevent_key` — never on the clock or on the feed it goes
into — so a store can render them when an event changes and a feed can be assembled from them.
DTSTAMP is LAST-MODIFIED (else CREATED, else the publication date, else the start): RFC 5545 lets
a published object's DTSTAMP be when its information last changed, and it keeps bytes stable.

Times: a timed event's DTSTART and DTEND carry its TZID and wall-clock time (a VTIMEZONE goes with
them in the calendar); UTC events are written as ``...Z``; an all-day event is ``VALUE=DATE``
with an exclusive DTEND the day after its last day. A wall-clock time that happens twice (the
hour clocks go back) is written in UTC: RFC 5545 says it names the first occurrence, but libical
reads the second (ics-check caught Pacific/Auckland 1996 and Asia/Tehran 2015 an hour apart),
so only UTC names it the same way everywhere. No end in the release: the default duration for
the event's kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import icalendar
import pytz

from icalfeed.calendar.details import categories, clean_line, clean_url, conferences, description
from icalfeed.calendar.details import summary as summary_text
from icalfeed.calendar.options import CalendarOptions
from icalfeed.calendar.vtimezone import is_utc, zone
from icalfeed.errors import CalendarError
from icalfeed.identity import event_uid
from icalfeed.model import Event, Status

# Bump when the bytes for the same event and options change, so stores re-render.
RENDER_VERSION = 3
DEFAULT_OPTIONS = CalendarOptions()
BEGIN = b"BEGIN:VEVENT\r\n"
END = b"END:VEVENT\r\n"
STATUS_VALUES: dict[Status, str] = {
    Status.CONFIRMED: "CONFIRMED",
    Status.POSTPONED: "TENTATIVE",
    Status.CANCELLED: "CANCELLED",
}


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One event's VEVENT bytes and what a feed needs to know about them without reading them.

    A store keeps these fields as columns: ``tzid`` (None for all-day events; a UTC name needs no
    VTIMEZONE), the local years the event spans (the VTIMEZONE must cover them), whether it is
    all-day and its status (reminders skip all-day and cancelled events), and the
    :attr:`CalendarOptions.fingerprint` it was rendered with (re-render when it differs).
    """

    uid: str
    sequence: int
    vevent: bytes
    tzid: str | None
    first_year: int
    last_year: int
    all_day: bool = False
    status: Status = Status.CONFIRMED
    fingerprint: str = ""

    def __post_init__(self) -> None:
        if not (self.vevent.startswith(BEGIN) and self.vevent.endswith(END)):
            raise CalendarError(f"VEVENT bytes for {self.uid} are not one VEVENT")
        if self.first_year > self.last_year:
            raise CalendarError(f"{self.uid}: years {self.first_year}..{self.last_year}")

    @property
    def needs_vtimezone(self) -> bool:
        return self.tzid is not None and not is_utc(self.tzid)

    @property
    def takes_alarm(self) -> bool:
        """Whether a reminder makes sense: a timed event that still takes place."""
        return not self.all_day and self.status is not Status.CANCELLED

    def is_current(self, options: CalendarOptions) -> bool:
        """Whether these bytes were rendered with ``options`` by this version of the renderer."""
        return self.fingerprint == render_fingerprint(options)


def render_fingerprint(options: CalendarOptions) -> str:
    """What a VEVENT's bytes depend on besides the event: renderer version and options."""
    return f"{RENDER_VERSION}-{options.fingerprint}"


def _utc(value: datetime | None, what: str) -> datetime | None:
    if value is None:
        return None
    if value.utcoffset() is None:
        raise CalendarError(f"{what} must be an aware datetime, not {value!r}")
    return value.astimezone(UTC).replace(microsecond=0)


def _dtstamp(event: Event, created: datetime | None, modified: datetime | None) -> datetime:
    if modified is not None:
        return modified
    if created is not None:
        return created
    if event.published is not None:
        return datetime.combine(event.published, time(0), UTC)
    if event.utc_start is not None:
        return event.utc_start.replace(microsecond=0)
    return datetime.combine(event.start_date, time(0), UTC)


def _timed(event: Event, options: CalendarOptions) -> tuple[datetime, datetime]:
    """Start and end as aware datetimes in the event's zone (pytz-localised) or in UTC."""
    assert isinstance(event.start, datetime)
    assert event.tzid
    tz = pytz.utc if is_utc(event.tzid) else zone(event.tzid)
    start = event.start.astimezone(tz)
    if event.end is None:
        end = (event.start.astimezone(UTC) + options.duration_for(event.kind)).astimezone(tz)
    else:
        assert isinstance(event.end, datetime)
        end = event.end.astimezone(tz)
    return start, end


def _add_time(vevent: icalendar.Event, name: str, when: datetime, tzid: str) -> None:
    if is_utc(tzid):
        vevent.add(name, when.astimezone(UTC))
        return
    local = when.replace(tzinfo=None)
    tz = zone(tzid)
    first = tz.localize(local, is_dst=True)  # type: ignore[attr-defined]
    second = tz.localize(local, is_dst=False)  # type: ignore[attr-defined]
    if first.utcoffset() != second.utcoffset():
        # A wall-clock time that happens twice (``when`` is a real instant, so not a time
        # that never happens): parsers disagree on which one a TZID names, none on UTC.
        vevent.add(name, when.astimezone(UTC))
        return
    vevent.add(name, local, parameters={"TZID": tzid})


def _all_day(event: Event) -> tuple[date, date]:
    first = event.start_date
    last = event.end if isinstance(event.end, date) and event.end is not None else first
    if isinstance(last, datetime):
        last = last.date()
    if last < first:
        raise CalendarError(f"all-day event {event.title!r} ends ({last}) before it starts")
    return first, last + timedelta(days=1)


def build_vevent(
    event: Event,
    *,
    sequence: int = 0,
    created: datetime | None = None,
    last_modified: datetime | None = None,
    options: CalendarOptions = DEFAULT_OPTIONS,
) -> icalendar.Event:
    """The VEVENT component for ``event`` (see :func:`render_entry` for its bytes)."""
    if isinstance(sequence, bool) or not isinstance(sequence, int) or sequence < 0:
        raise CalendarError(f"SEQUENCE must be a whole number >= 0, not {sequence!r}")
    created_utc = _utc(created, "CREATED")
    modified_utc = _utc(last_modified, "LAST-MODIFIED")
    vevent = icalendar.Event()
    vevent.add("uid", event_uid(event))
    vevent.add("sequence", sequence)
    vevent.add("dtstamp", _dtstamp(event, created_utc, modified_utc))
    if created_utc is not None:
        vevent.add("created", created_utc)
    if modified_utc is not None:
        vevent.add("last-modified", modified_utc)
    if event.all_day:
        first, after = _all_day(event)
        vevent.add("dtstart", first)
        vevent.add("dtend", after)
    else:
        assert event.tzid is not None
        start, end = _timed(event, options)
        _add_time(vevent, "dtstart", start, event.tzid)
        _add_time(vevent, "dtend", end, event.tzid)
    vevent.add("summary", summary_text(event))
    vevent.add("description", description(event))
    if location := clean_line(event.location):
        vevent.add("location", location)
    if url := clean_url(event.webcast_url) or clean_url(event.registration_url):
        vevent.add("url", icalendar.vUri(url))
    vevent.add("categories", categories(event))
    vevent.add("status", STATUS_VALUES[event.status])
    vevent.add("transp", "TRANSPARENT" if options.transparent else "OPAQUE")
    for conference in conferences(event):
        vevent.add(
            "conference",
            icalendar.vUri(conference.uri),
            parameters={"VALUE": "URI", "FEATURE": conference.feature, "LABEL": conference.label},
        )
    return vevent


def _years(event: Event, options: CalendarOptions) -> tuple[int, int]:
    if event.all_day:
        first, after = _all_day(event)
        return first.year, after.year
    start, end = _timed(event, options)
    return start.year, end.year


def render_entry(
    event: Event,
    *,
    sequence: int = 0,
    created: datetime | None = None,
    last_modified: datetime | None = None,
    options: CalendarOptions = DEFAULT_OPTIONS,
) -> FeedEntry:
    """Render ``event``'s VEVENT once, with what a feed needs to reuse the bytes."""
    vevent = build_vevent(
        event, sequence=sequence, created=created, last_modified=last_modified, options=options
    )
    first_year, last_year = _years(event, options)
    return FeedEntry(
        uid=event_uid(event),
        sequence=sequence,
        vevent=vevent.to_ical(),
        tzid=None if event.all_day else event.tzid,
        first_year=first_year,
        last_year=last_year,
        all_day=event.all_day,
        status=event.status,
        fingerprint=render_fingerprint(options),
    )


def render_vevent(
    event: Event,
    *,
    sequence: int = 0,
    created: datetime | None = None,
    last_modified: datetime | None = None,
    options: CalendarOptions = DEFAULT_OPTIONS,
) -> bytes:
    """``BEGIN:VEVENT ... END:VEVENT`` bytes for ``event``, reusable in any calendar."""
    return render_entry(
        event, sequence=sequence, created=created, last_modified=last_modified, options=options
    ).vevent


__all__ = [
    "DEFAULT_OPTIONS",
    "RENDER_VERSION",
    "FeedEntry",
    "build_vevent",
    "render_entry",
    "render_fingerprint",
    "render_vevent",
]
