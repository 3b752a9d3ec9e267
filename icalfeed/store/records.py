"""The store's value classes: what goes in and what comes out of :class:`~icalfeed.store.Store`.

All frozen dataclasses; datetimes are aware and in UTC, dates are plain dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from icalfeed.model import Event, ParsedRelease


class Outcome(StrEnum):
    """What became of a release: ``pending`` until its parse is recorded."""

    PENDING = "pending"  # stored, not parsed yet (or the process died while parsing it)
    PARSED = "parsed"  # events found, all published
    NO_EVENTS = "no_events"  # parsed; the release announces no event
    NEEDS_REVIEW = "needs_review"  # some events held, or the parse ran over its time budget
    FAILED = "failed"  # undecodable bytes or a parser exception; ``detail`` has the error
    REJECTED = "rejected"  # a person rejected a release that was held as a whole


class Review(StrEnum):
    """The review state of one event as one release describes it."""

    AUTO = "auto"  # confident enough: published without review
    HELD = "held"  # below ICALFEED_CONFIDENCE_THRESHOLD: waits for a person
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class EventState(StrEnum):
    """Whether an event is in feeds."""

    PUBLISHED = "published"  # in feeds (a cancelled event too, for CANCELLED_KEEP_DAYS)
    HELD = "held"  # only held descriptions so far: in the review queue, not in feeds
    REJECTED = "rejected"  # every description was rejected by a person
    WITHDRAWN = "withdrawn"  # no release describes it any more (after a reparse)


class Change(StrEnum):
    """What one recorded parse did to one event."""

    ADDED = "added"
    UPDATED = "updated"  # a real change: SEQUENCE + 1, LAST-MODIFIED now
    RESCHEDULED = "rescheduled"  # an update that moved the start
    CANCELLED = "cancelled"
    HELD = "held"  # a description went to the review queue
    WITHDRAWN = "withdrawn"
    UNCHANGED = "unchanged"  # the release repeats what the store already says


@dataclass(frozen=True, slots=True)
class Source:
    """Where a release came from. Build one with the class methods.

    >>> Source.feed("https://ir.example.com/rss", "item-42", "https://ir.example.com/pr/42").kind
    'feed'
    """

    kind: str  # file, stdin, url, feed, email, api, paste
    location: str | None = None  # file path or URL
    feed_url: str | None = None
    item_id: str | None = None
    message_id: str | None = None

    @classmethod
    def file(cls, path: str) -> Source:
        return cls("file", path)

    @classmethod
    def stdin(cls) -> Source:
        return cls("stdin")

    @classmethod
    def url(cls, url: str) -> Source:
        return cls("url", url)

    @classmethod
    def feed(cls, feed_url: str, item_id: str, link: str | None = None) -> Source:
        return cls("feed", link, feed_url=feed_url, item_id=item_id)

    @classmethod
    def email(cls, path: str | None, message_id: str | None) -> Source:
        return cls("email", path, message_id=message_id)

    @classmethod
    def api(cls, who: str | None = None) -> Source:
        return cls("api", who)

    def describe(self) -> str:
        """One line for summaries: the path, URL or feed item."""
        if self.kind == "feed":
            return f"{self.feed_url} item {self.item_id}"
        if self.kind == "email" and self.message_id:
            return f"{self.location or 'e-mail'} ({self.message_id})"
        return self.location or self.kind


@dataclass(frozen=True, slots=True)
class ReleaseInfo:
    """A stored release without its bytes and text."""

    id: int
    content_hash: str
    content_type: str
    size: int
    source: Source
    received_at: datetime
    published: date | None
    parser_version: str | None
    outcome: Outcome
    detail: str | None  # the review reason or the error
    parsed_at: datetime | None
    events: int  # descriptions of events recorded from it


@dataclass(frozen=True, slots=True)
class StoredRelease:
    """A stored release with its raw bytes and decoded text (None when it could not be decoded)."""

    info: ReleaseInfo
    raw: bytes
    text: str | None

    @property
    def id(self) -> int:
        return self.info.id


@dataclass(frozen=True, slots=True)
class NewRelease:
    """A release to store: its bytes exactly as received, and the text decoded from them."""

    raw: bytes
    content_type: str
    source: Source
    text: str | None = None  # None: the bytes could not be decoded (record the DecodeError)
    published: date | None = None  # when the caller knows it (a feed item's date)


@dataclass(frozen=True, slots=True)
class AddedRelease:
    """What :meth:`Store.add_release` did: ``new`` is False for a release already stored."""

    id: int
    new: bool
    outcome: Outcome
    parser_version: str | None


@dataclass(frozen=True, slots=True)
class PreparedEvent:
    """One event of a parse as the store records it (made by ``history.prepare_events``)."""

    uid: str
    data: str  # event_to_dict JSON
    version_hash: str
    status_rank: int
    confidence: float
    flags: tuple[str, ...]
    columns: dict[str, Any]  # the events table's searchable columns


@dataclass(frozen=True, slots=True)
class ParseResult:
    """The outcome of running the parser over one stored release, ready to record.

    Exactly one of ``parsed``, ``error`` and ``over_budget`` says what happened.
    """

    parser_version: str
    parsed: ParsedRelease | None = None
    error: str | None = None  # "ValueError: ..." when the parser raised or the bytes were bad
    over_budget: float | None = None  # seconds the parse took when it ran past the budget
    seconds: float = 0.0
    # ``parsed.events`` ready to store, when the caller made them already (a worker process)
    prepared: tuple[PreparedEvent, ...] | None = None


@dataclass(frozen=True, slots=True)
class EventChange:
    """One event touched by a recorded parse, review or reparse."""

    uid: str
    change: Change
    sequence: int
    title: str


@dataclass(frozen=True, slots=True)
class Applied:
    """What recording one parse (or one review decision) changed."""

    release_id: int | None
    outcome: Outcome | None
    changes: tuple[EventChange, ...] = ()

    def count(self, change: Change) -> int:
        return sum(1 for c in self.changes if c.change is change)


@dataclass(frozen=True, slots=True)
class EventQuery:
    """Which events a feed, a page or an export wants.

    Without ``start`` the window opens ICALFEED_PAST_DAYS before today; ``everything`` drops the
    window and the cancelled-events cut-off. Dates compare with the event's local start date;
    ``end`` is inclusive. Tickers match case-insensitively.
    """

    tickers: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    start: date | None = None
    end: date | None = None
    everything: bool = False


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event as the store holds it: the parsed Event plus its calendar bookkeeping."""

    uid: str
    sequence: int
    event: Event
    state: EventState
    created: datetime  # first seen: CREATED
    last_modified: datetime  # last real change: LAST-MODIFIED
    cancelled_at: datetime | None
    release_id: int  # the release whose description is current


@dataclass(frozen=True, slots=True)
class EventRecord:
    """A stored event with its data still JSON text: cheap to read and to send to a worker
    process, which decodes it with :meth:`stored` (bulk ingestion renders VEVENTs that way)."""

    uid: str
    sequence: int
    data: str  # event_to_dict JSON
    state: EventState
    created: datetime
    last_modified: datetime
    cancelled_at: datetime | None
    release_id: int

    def stored(self) -> StoredEvent:
        import json

        from icalfeed.serialize import event_from_dict

        return StoredEvent(
            uid=self.uid,
            sequence=self.sequence,
            event=event_from_dict(json.loads(self.data)),
            state=self.state,
            created=self.created,
            last_modified=self.last_modified,
            cancelled_at=self.cancelled_at,
            release_id=self.release_id,
        )


@dataclass(frozen=True, slots=True)
class CachedVEvent:
    """One event's rendered VEVENT bytes with what a feed needs to assemble them."""

    uid: str
    sequence: int
    tzid: str | None
    start_date: date
    ics: bytes


@dataclass(frozen=True, slots=True)
class StoreVersion:
    """Changes whenever any event in a feed may have changed (a counter and when)."""

    counter: int
    last_modified: datetime


@dataclass(frozen=True, slots=True)
class FeedVersion:
    """A cheap validator for one feed query: a strong ETag and a Last-Modified time."""

    etag: str
    last_modified: datetime


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """Something waiting for a person: a held event description, or a whole held release."""

    release_id: int
    uid: str | None  # None: the whole release is held (e.g. it ran over the parse budget)
    event: Event | None
    reason: str
    published: date | None


@dataclass(frozen=True, slots=True)
class Company:
    """An issuer that has published events."""

    ticker: str
    name: str | None
    events: int


@dataclass(frozen=True, slots=True)
class FeedState:
    """What the poller remembers of one RSS/Atom feed between polls."""

    url: str
    etag: str | None = None
    last_modified: str | None = None  # the server's Last-Modified header, verbatim
    checked_at: datetime | None = None
    status: int | None = None  # HTTP status of the last poll (304 when nothing changed)
    error: str | None = None
    items_seen: int = 0


__all__ = [
    "AddedRelease",
    "Applied",
    "CachedVEvent",
    "Change",
    "Company",
    "EventChange",
    "EventQuery",
    "EventRecord",
    "EventState",
    "FeedState",
    "FeedVersion",
    "NewRelease",
    "Outcome",
    "ParseResult",
    "PreparedEvent",
    "ReleaseInfo",
    "Review",
    "ReviewItem",
    "Source",
    "StoreVersion",
    "StoredEvent",
    "StoredRelease",
]
