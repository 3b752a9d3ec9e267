"""VTIMEZONE components written from a zone's real rules, in the form every parser reads right.

A VTIMEZONE tells a calendar client when a zone's clocks change. icalendar's default
(``add_missing_timezones()``: 1970–2038 as long RDATE lists, with each DTSTART written as the
wall-clock time *after* the change) is read one hour off by Mozilla ical.js and vobject. This
module writes what calendar servers publish instead: each DTSTART is the wall-clock time *before*
the change (RFC 5545 §3.6.5, read with TZOFFSETFROM), and each run of yearly changes that follow
one rule ("second Sunday in March at 02:00") becomes one STANDARD or DAYLIGHT component with an
RRULE (``BYMONTH=3;BYDAY=2SU``), closed with UNTIL when the rule changed later (the US in 2007).
Changes that follow no yearly rule become one component each.

The changes come from pytz's tables — the same data that placed every event's start — restricted
to the years a calendar's events cover, plus the change in force when those years begin.

>>> text = vtimezone_bytes("America/New_York", 2011, 2011).decode()
>>> print(text.replace("\\r\\n", "\\n"), end="")
BEGIN:VTIMEZONE
TZID:America/New_York
BEGIN:STANDARD
DTSTART:20101107T020000
RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11
TZNAME:EST
TZOFFSETFROM:-0400
TZOFFSETTO:-0500
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:20110313T020000
RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3
TZNAME:EDT
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
END:DAYLIGHT
END:VTIMEZONE
"""

from __future__ import annotations

import calendar as _gregorian
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from functools import lru_cache

import icalendar
import pytz

from icalfeed.errors import CalendarError

# Written as Z (UTC) values: no VTIMEZONE, no TZID.
UTC_TZIDS = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "Etc/Universal", "Etc/Zulu", "UCT", "Zulu"})
# DTSTART of a component that holds from the zone's very beginning (its first table entry).
_BEGINNING = datetime(1601, 1, 1)
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# Changes this close outside the covered years still count: an event late on 31 December in a
# zone east of UTC ends in the next UTC year, and clients look up offsets in local time.
_MARGIN = timedelta(days=2)
_UNTIL_SLACK = timedelta(days=1)


def is_utc(tzid: str | None) -> bool:
    """Whether times in ``tzid`` are written in UTC (``...Z``) rather than with a TZID."""
    return tzid in UTC_TZIDS


def zone(tzid: str) -> tzinfo:
    """The pytz zone for an IANA name, or CalendarError."""
    try:
        return pytz.timezone(tzid)
    except (pytz.UnknownTimeZoneError, ValueError, AttributeError):
        raise CalendarError(f"unknown time zone {tzid!r}") from None


@dataclass(frozen=True, slots=True)
class _Change:
    """One change of a zone's offset or name: at ``utc`` clocks go from one state to the next."""

    utc: datetime  # naive, in UTC
    offset_from: timedelta
    offset_to: timedelta
    name: str
    daylight: bool

    @property
    def local(self) -> datetime:
        """The wall-clock time at which the change happens, read in the old offset."""
        return self.utc + self.offset_from


def _changes(tz: tzinfo) -> list[_Change]:
    # pytz keeps its tables in attributes without a public accessor; a zone without them is a
    # fixed offset (StaticTzInfo) and has no changes at all.
    times: list[datetime] | None = getattr(tz, "_utc_transition_times", None)
    infos: list[tuple[timedelta, timedelta, str]] | None = getattr(tz, "_transition_info", None)
    if not times or not infos:
        offset = tz.utcoffset(_BEGINNING) or timedelta(0)
        return [_Change(_BEGINNING, offset, offset, tz.tzname(_BEGINNING) or "UTC", False)]
    first_offset, _first_dst, first_name = infos[0]
    out = [_Change(_BEGINNING, first_offset, first_offset, first_name, False)]
    for when, (offset, dst, name), (prev_offset, prev_dst, prev_name) in zip(
        times[1:], infos[1:], infos, strict=False
    ):
        if offset == prev_offset and name == prev_name:
            continue  # a table entry that changes nothing a client can see
        # Zones with "negative DST" (Europe/Dublin, Africa/Casablanca) call winter the DST
        # period; clients expect DAYLIGHT for the clocks-forward part, so label it that way.
        daylight = dst > timedelta(0) or (dst == timedelta(0) and prev_dst < timedelta(0))
        out.append(_Change(when, prev_offset, offset, name, daylight))
    return out


def _weekday_rules(day: datetime) -> frozenset[int]:
    """The BYDAY ordinals that name ``day`` within its month: ``{2}`` or ``{4, -1}``."""
    nth = (day.day - 1) // 7 + 1
    rules = {nth}
    if day.day + 7 > _gregorian.monthrange(day.year, day.month)[1]:
        rules.add(-1)
    return frozenset(rules)


@dataclass(slots=True)
class _Series:
    """Yearly changes that one RRULE describes (or a single change)."""

    key: tuple[object, ...]
    changes: list[_Change]
    rules: frozenset[int] = field(default_factory=frozenset)

    @property
    def first(self) -> _Change:
        return self.changes[0]

    @property
    def last(self) -> _Change:
        return self.changes[-1]

    def accepts(self, change: _Change, key: tuple[object, ...]) -> bool:
        return (
            key == self.key
            and change.local.year == self.last.local.year + 1
            and bool(self.rules & _weekday_rules(change.local))
        )


def _series(changes: list[_Change]) -> list[_Series]:
    out: list[_Series] = []
    open_by_key: dict[tuple[object, ...], _Series] = {}
    for change in changes:
        local = change.local
        key = (
            change.daylight,
            change.offset_from,
            change.offset_to,
            change.name,
            local.month,
            local.time(),
            local.weekday(),
        )
        current = open_by_key.get(key)
        if current is not None and current.accepts(change, key):
            current.changes.append(change)
            current.rules &= _weekday_rules(local)
            continue
        series = _Series(key, [change], _weekday_rules(local))
        out.append(series)
        open_by_key[key] = series
    return out


def _covered(changes: list[_Change], first_year: int, last_year: int) -> list[_Change]:
    """The changes inside the years and the next one, and the one in force when they begin."""
    start = datetime(first_year, 1, 1) - _MARGIN
    # One year more than asked: a rule still in force at the end then shows as a yearly rule
    # (RRULE without UNTIL) instead of a single change.
    end = datetime(last_year + 2, 1, 1)
    before = [c for c in changes if c.utc < start]
    inside = [c for c in changes if start <= c.utc < end]
    return before[-1:] + inside


def _component(series: _Series, last_year: int) -> icalendar.cal.Component:
    first = series.first
    component: icalendar.cal.Component = (
        icalendar.TimezoneDaylight() if first.daylight else icalendar.TimezoneStandard()
    )
    dtstart = first.local if first.utc != _BEGINNING else _BEGINNING
    component.add("dtstart", dtstart)
    component.add("tzname", first.name)
    component.add("tzoffsetfrom", first.offset_from)
    component.add("tzoffsetto", first.offset_to)
    if len(series.changes) > 1:
        ordinal = -1 if -1 in series.rules else min(series.rules)
        rule: dict[str, object] = {
            "FREQ": "YEARLY",
            "BYMONTH": first.local.month,
            "BYDAY": f"{ordinal}{_WEEKDAYS[first.local.weekday()]}",
        }
        if series.last.local.year <= last_year:
            # RFC 5545 §3.3.10: with a local DTSTART in a VTIMEZONE, UNTIL is given in UTC.
            # Not the last change's own instant but a day later: dateutil (so vobject) compares
            # UNTIL with local times and drops a last change east of UTC (Europe/London 1998
            # read an hour off). A day later is after the last change however UNTIL is read
            # and a year before the next one, which the rule no longer describes.
            rule["UNTIL"] = (series.last.utc + _UNTIL_SLACK).replace(tzinfo=pytz.utc)
        component.add("rrule", rule)
    return component


def build_vtimezone(tzid: str, first_year: int, last_year: int) -> icalendar.Timezone:
    """The VTIMEZONE for ``tzid`` that is right for every instant from ``first_year`` to
    ``last_year`` (inclusive). Raises CalendarError for an unknown or UTC zone."""
    if is_utc(tzid):
        raise CalendarError(f"{tzid} needs no VTIMEZONE: its times are written in UTC")
    if first_year > last_year:
        raise CalendarError(f"no years to cover: {first_year} > {last_year}")
    changes = _covered(_changes(zone(tzid)), first_year, last_year)
    vtimezone = icalendar.Timezone()
    vtimezone.add("tzid", tzid)
    for series in _series(changes):
        vtimezone.add_component(_component(series, last_year))
    return vtimezone


@lru_cache(maxsize=1024)
def vtimezone_bytes(tzid: str, first_year: int, last_year: int) -> bytes:
    """:func:`build_vtimezone` serialised, cached (a zone's rules never change in a process)."""
    data: bytes = build_vtimezone(tzid, first_year, last_year).to_ical()
    return data


__all__ = ["UTC_TZIDS", "build_vtimezone", "is_utc", "vtimezone_bytes", "zone"]
