"""The domain objects: frozen dataclasses that every other module passes around.

A :class:`Release` is what was announced (normalised text, headline, publication date); parsing it
gives a :class:`ParsedRelease` with the :class:`Issuer` and the :class:`Event` list. An event's
start is an aware datetime, or a date when the event is all-day: nothing naive crosses the
parser's edge.

>>> from datetime import date
>>> e = Event(kind=EventKind.SHAREHOLDER_MEETING, title="Acme AGM 2024", start=date(2024, 4, 18),
...           tzid=None, all_day=True)
>>> e.utc_start is None, e.start_date
(True, datetime.date(2024, 4, 18))
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from enum import StrEnum

from icalfeed.errors import InvalidEventError


class EventKind(StrEnum):
    """What sort of investor event it is."""

    EARNINGS_CALL = "earnings_call"
    CONFERENCE_PRESENTATION = "conference_presentation"
    INVESTOR_DAY = "investor_day"
    SHAREHOLDER_MEETING = "shareholder_meeting"
    WEBCAST = "webcast"
    OTHER = "other"


class Status(StrEnum):
    """Whether the event takes place as announced."""

    CONFIRMED = "confirmed"
    POSTPONED = "postponed"
    CANCELLED = "cancelled"


class Flag(StrEnum):
    """Something the parser wants a person (or the review queue) to know about an event."""

    ZONE_UNKNOWN = "zone_unknown"  # a time with no zone anywhere: kept as all-day, held for review
    ZONE_ASSUMED = "zone_assumed"  # zone taken from the dateline city or the venue
    ZONE_CONFLICT = "zone_conflict"  # two zones in one sentence name different instants
    WEEKDAY_MISMATCH = "weekday_mismatch"  # "Thursday, April 29" when the 29th is a Friday
    YEAR_INFERRED = "year_inferred"  # the text gave no year
    DATE_RELATIVE = "date_relative"  # "tomorrow", "on that day", "the same day"
    TIME_NONEXISTENT = "time_nonexistent"  # wall clock inside a DST gap
    TIME_AMBIGUOUS = "time_ambiguous"  # wall clock inside a DST overlap
    NO_PUBLICATION_DATE = "no_publication_date"  # relative dates resolved without one


@dataclass(frozen=True, slots=True)
class Listing:
    """One place an issuer's shares trade: ``(Nasdaq: IMGN)``."""

    exchange: str | None
    ticker: str


@dataclass(frozen=True, slots=True)
class Issuer:
    """The company behind a release or an event, with every listing the text gives."""

    name: str | None
    listings: tuple[Listing, ...] = ()

    @property
    def exchange(self) -> str | None:
        """The first listing's exchange."""
        return self.listings[0].exchange if self.listings else None

    @property
    def ticker(self) -> str | None:
        """The first listing's ticker."""
        return self.listings[0].ticker if self.listings else None


@dataclass(frozen=True, slots=True)
class DialIn:
    """A phone number as printed, with its label ("U.S. toll-free", "International")."""

    number: str
    label: str | None = None


@dataclass(frozen=True, slots=True)
class Replay:
    """The replay window and its own dial-in details (never the live ones)."""

    until: date | None = None
    dial_ins: tuple[DialIn, ...] = ()
    passcode: str | None = None


@dataclass(frozen=True, slots=True)
class Evidence:
    """The span of the release text an event was read from."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Event:
    """One scheduled investor event.

    ``start`` is an aware datetime in ``tzid`` (a pytz-localised datetime) or, when ``all_day``,
    a plain date. ``end`` is the end the text gives (a range), else None: the calendar renderer
    then applies its default duration. ``identity`` is what names the event for its issuer and
    kind — fiscal period, conference and year, meeting and year — never its time or text, so
    that a later release about the same event (an update, a reschedule, a cancellation) keeps
    the same calendar UID.
    """

    kind: EventKind
    title: str
    start: datetime | date
    tzid: str | None
    all_day: bool = False
    end: datetime | date | None = None
    status: Status = Status.CONFIRMED
    issuer: Issuer | None = None
    identity: str = ""
    conference_name: str | None = None
    fiscal_period: str | None = None
    location: str | None = None
    dial_ins: tuple[DialIn, ...] = ()
    passcode: str | None = None
    webcast_url: str | None = None
    registration_url: str | None = None
    replay: Replay | None = None
    headline: str | None = None
    published: date | None = None
    local_time: time | None = None
    confidence: float = 1.0
    evidence: Evidence | None = None
    flags: frozenset[Flag] = field(default_factory=frozenset)
    warnings: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.all_day:
            if isinstance(self.start, datetime):
                raise InvalidEventError(f"all-day event {self.title!r} has a time: {self.start}")
            if self.end is not None and isinstance(self.end, datetime):
                raise InvalidEventError(f"all-day event {self.title!r} ends at a time: {self.end}")
        else:
            if not isinstance(self.start, datetime) or self.start.utcoffset() is None:
                raise InvalidEventError(
                    f"event {self.title!r} has a naive start {self.start!r}; "
                    "a start without a zone must be all-day"
                )
            if not self.tzid:
                raise InvalidEventError(f"timed event {self.title!r} has no tzid")
            if self.end is not None:
                if not isinstance(self.end, datetime) or self.end.utcoffset() is None:
                    raise InvalidEventError(f"event {self.title!r} has a naive end {self.end!r}")
                if self.end <= self.start:
                    raise InvalidEventError(f"event {self.title!r} ends before it starts")
        if not 0.0 <= self.confidence <= 1.0:
            raise InvalidEventError(f"confidence {self.confidence} is outside [0, 1]")
        if not self.title.strip():
            raise InvalidEventError("an event needs a title")

    @property
    def utc_start(self) -> datetime | None:
        """The start as a UTC datetime, or None for an all-day event."""
        if self.all_day or not isinstance(self.start, datetime):
            return None
        return self.start.astimezone(UTC)

    @property
    def start_date(self) -> date:
        """The local calendar date the event starts on."""
        return self.start.date() if isinstance(self.start, datetime) else self.start

    @property
    def ticker(self) -> str | None:
        """The ticker of the event's issuer."""
        return self.issuer.ticker if self.issuer else None


@dataclass(frozen=True, slots=True)
class Release:
    """A release as text, before events are read from it.

    ``published`` and ``published_from`` say where the publication date came from: ``"caller"``
    (given by whoever hands the release in), ``"header"`` (a leading ``date YYYY-MM-DD`` line),
    ``"dateline"`` (``WALTHAM, Mass., Apr 21, 2011 (BUSINESS WIRE) --``) or None.
    """

    text: str
    published: date | None = None
    published_from: str | None = None
    headline: str | None = None
    dateline_place: str | None = None
    body_start: int = 0


@dataclass(frozen=True, slots=True)
class ParsedRelease:
    """What the parser read from one release."""

    release: Release
    issuer: Issuer | None
    events: tuple[Event, ...]
    warnings: tuple[str, ...] = ()

    @property
    def published(self) -> date | None:
        return self.release.published


__all__ = [
    "DialIn",
    "Event",
    "EventKind",
    "Evidence",
    "Flag",
    "Issuer",
    "Listing",
    "ParsedRelease",
    "Release",
    "Replay",
    "Status",
]
