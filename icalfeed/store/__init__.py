"""The store: every release ever received, and every event with one stable identity.

SQLAlchemy 2 (Core) over SQLite by default — a file ``icalfeed.sqlite3`` in the instance folder,
WAL mode, a busy timeout — or PostgreSQL (psycopg 3) when ``ICALFEED_DATABASE_URL`` names one,
e.g. ``postgresql+psycopg://icalfeed@db.internal/icalfeed``. Same code, same tests for both.
The schema is managed by Alembic migrations shipped in ``icalfeed/store/migrations``; opening a
store checks the schema revision and, when it is not the one this code needs, raises
:class:`~icalfeed.errors.SchemaVersionError` naming ``icalfeed db upgrade``.

Opening and closing
-------------------
::

    from icalfeed.config import Config
    from icalfeed.store import Store, EventQuery

    store = Store.open(Config.from_env())          # or Store.open(config, url="sqlite:///x.db")
    ...
    store.close()                                   # or: with Store.open(config) as store: ...

``Store.open(config, url=None, *, create=False)``: ``create=True`` creates the schema in an
*empty* database (never migrates an existing one). One Store per process is enough: it holds a
connection pool and is safe to share between threads. After ``os.fork()`` call
``store.dispose()`` in the child (gunicorn: ``post_fork``).

Reading (what the web app calls)
--------------------------------
- ``store.events(query: EventQuery) -> list[StoredEvent]`` — published events in feed order
  (UTC start; all-day events at their date's midnight UTC). ``EventQuery(tickers=("IMGN",),
  kinds=("earnings_call",), start=date, end=date, everything=False)``: without ``start`` the
  window opens ICALFEED_PAST_DAYS before today; cancelled events stay for
  ICALFEED_CANCELLED_KEEP_DAYS after the cancellation was recorded; ``everything=True`` drops both
  cut-offs (``icalfeed export --all``).
- ``store.event(uid) -> StoredEvent`` — any state (held, withdrawn...); NotFoundError otherwise.
- ``store.companies() -> list[Company]`` — tickers with published events, for pages and 404s.
- ``store.vevents(query, render, variant="") -> list[CachedVEvent]`` — the feed's events as VEVENT
  bytes, in feed order: bytes cached per (uid, SEQUENCE, variant) are returned as they are;
  missing ones are made with ``render(stored_event) -> bytes`` and cached. ``variant`` names
  render options that change the bytes (e.g. ``"alarm=15"``); a new SEQUENCE drops older bytes.
- ``store.vevent(uid, render, variant="") -> CachedVEvent`` — one event, same cache.
- ``store.unrendered(uids, variant, query=None) -> list[EventRecord]`` — those of ``uids`` that
  ``query``'s feed serves (default: the default feeds' window) and that have no VEVENT cached for
  their SEQUENCE and ``variant`` (data still JSON text), and
  ``store.cache_vevents(variant, [(uid, sequence, bytes), ...])`` — cache them, each only if the
  event still has that SEQUENCE. Bulk ingestion renders what it published in its worker processes
  with these, so the first feed request finds the bytes (see :mod:`icalfeed.ingest`).
- ``store.version() -> StoreVersion`` — a counter and a time bumped in the same transaction as
  any change to any event (one primary-key read).
- ``store.feed_version(query) -> FeedVersion`` — a strong ETag and Last-Modified for one query
  without reading events: the store version, the query and today's date (the window moves daily).
- ``store.release(id) -> StoredRelease`` (raw bytes, text, :class:`ReleaseInfo`),
  ``store.releases(outcome=None, limit=None) -> list[ReleaseInfo]`` (newest first),
  ``store.counts() -> dict[str, int]`` (releases by outcome, events by state; for /healthz).

Writing (ingestion; see :mod:`icalfeed.ingest` for the whole pipeline)
---------------------------------------------------------------------
- ``store.add_release(raw, *, content_type, source, text=None, published=None) -> AddedRelease``
  commits the raw release before anything parses it. The SHA-256 of the raw bytes is unique: the
  same bytes twice are stored once (``new=False``, the first source is kept).
- ``store.record_parse(release_id, result: ParseResult, *, replace=False) -> Applied`` records a
  parse in one transaction: the release's outcome (``parsed``, ``no_events``, ``needs_review`` with
  the reason, ``failed`` with the error) and each event it describes. Recording the same release
  again changes nothing unless ``replace=True`` (reparse), which replaces that release's
  descriptions.
- ``store.pending_releases() -> list[int]`` — releases stored but never parsed (a process killed
  mid-ingest); ingestion parses them on its next run.
- Bulk: ``store.add_releases([NewRelease, ...]) -> list[AddedRelease]`` and
  ``store.record_parses([(release_id, ParseResult), ...], replace=False) -> list[Applied]`` do
  the same for a whole batch in one transaction with a constant number of statements. In a
  batch, each event's *net* change is reported once, on the last release that describes it.
  ``ParseResult.prepared`` (from :func:`icalfeed.store.history.prepare_events`) lets a worker
  process serialise the events so that the writer only writes.
- ``store.release_ids(outcome=None)`` (oldest first), ``store.held_release(id) -> bool``.

Identity and SEQUENCE
---------------------
An event's identity is its UID (:func:`icalfeed.identity.event_uid`: issuer + kind + identity).
Every release that describes an event adds a *description*; the event is the description of the
latest release (publication date, then cancelled > postponed > confirmed, then content hash), so
the result does not depend on the order releases arrive in. SEQUENCE counts the real changes
along that history (a change of anything the calendar shows except the release's headline,
date, evidence and confidence) and never goes down; CREATED is when the event was first seen,
LAST-MODIFIED when it last really changed. A reschedule moves the event; a cancellation sets
``status=cancelled`` and keeps it in feeds for ICALFEED_CANCELLED_KEEP_DAYS. Re-ingesting a release
changes nothing. Writers lock the UIDs they touch (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL:
transaction advisory locks in a fixed order), so concurrent ingestion of the same or related
releases never duplicates an event nor skips or repeats a SEQUENCE.

Review
------
Descriptions below ICALFEED_CONFIDENCE_THRESHOLD are held; an event with only held descriptions is
not in feeds. A release whose parse ran over ICALFEED_PARSE_BUDGET_SECONDS is held as a whole.

- ``store.review_queue() -> list[ReviewItem]``
- ``store.accept(release_id, uid=None) -> Applied`` / ``store.reject(release_id, uid=None)``:
  one held description, or (``uid=None``) every held description of a release. Accepting a release
  held as a whole is done by :func:`icalfeed.ingest.accept_release` (it parses it again without the
  budget).

Feed polling
------------
``store.feed_state(url) -> FeedState | None``, ``store.save_feed_state(state)``,
``store.unseen_items(feed_url, item_ids) -> list[str]``,
``store.mark_item_seen(feed_url, item_id, release_id)``.

Errors: :class:`~icalfeed.errors.SchemaVersionError`, :class:`~icalfeed.errors.NotFoundError`,
:class:`~icalfeed.errors.StoreUnavailableError` (the database cannot be reached: the web app
answers 503), :class:`~icalfeed.errors.StoreError` for the rest.
"""

from typing import TYPE_CHECKING, Any

from icalfeed.store.records import (
    AddedRelease,
    Applied,
    CachedVEvent,
    Change,
    Company,
    EventChange,
    EventQuery,
    EventRecord,
    EventState,
    FeedState,
    FeedVersion,
    NewRelease,
    Outcome,
    ParseResult,
    PreparedEvent,
    ReleaseInfo,
    Review,
    ReviewItem,
    Source,
    StoredEvent,
    StoredRelease,
    StoreVersion,
)

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
    "Store",
    "StoreVersion",
    "StoredEvent",
    "StoredRelease",
]


if TYPE_CHECKING:
    from icalfeed.store.core import Store


def __getattr__(name: str) -> Any:
    # Store pulls in SQLAlchemy (about half a second): only code that opens a store pays for it,
    # not `icalfeed parse` or the sources package, which only need the value classes.
    if name == "Store":
        from icalfeed.store.core import Store

        return Store
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
