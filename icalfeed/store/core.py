"""The :class:`Store`: one object that opens the database and runs every read and write.

The module docstring of :mod:`icalfeed.store` documents the API; this module is the plumbing:
transactions (SQLite ``BEGIN IMMEDIATE`` for writers, PostgreSQL retries on a deadlock or a
serialization failure), error mapping and the clock (injectable, so tests can move time).
"""

from __future__ import annotations

import hashlib
import time as _time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from types import TracebackType
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError

from icalfeed.config import Config
from icalfeed.errors import NotFoundError
from icalfeed.store import migrate, reads, writes
from icalfeed.store.engine import WRITE, is_sqlite, make_engine, mapped_errors
from icalfeed.store.records import (
    AddedRelease,
    Applied,
    CachedVEvent,
    Company,
    EventQuery,
    EventRecord,
    EventState,
    FeedState,
    FeedVersion,
    NewRelease,
    Outcome,
    ParseResult,
    ReleaseInfo,
    Review,
    ReviewItem,
    Source,
    StoredEvent,
    StoredRelease,
    StoreVersion,
)
from icalfeed.store.tables import descriptions, events, feed_items, feeds, releases, vevents
from icalfeed.store.writes import Tx, clean

T = TypeVar("T")
RETRIES = 8


def content_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def feed_item_key(feed_url: str, item_id: str) -> str:
    return hashlib.sha256(f"{feed_url}\n{item_id}".encode()).hexdigest()


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Store:
    """Every release ever received and every event with one stable identity (see the package)."""

    def __init__(
        self, engine: Engine, config: Config, *, clock: Callable[[], datetime] = _utcnow
    ) -> None:
        self.engine = engine
        self.config = config
        self.clock = clock
        self.url = engine.url.render_as_string(hide_password=False)
        self.postgres = not is_sqlite(engine)

    # -- opening ------------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        config: Config,
        url: str | None = None,
        *,
        create: bool = False,
        clock: Callable[[], datetime] = _utcnow,
    ) -> Store:
        """Open the store at ``url`` (default: the configured one) and check its schema."""
        engine = make_engine(url or config.resolved_database_url)
        try:
            if create:
                shown = engine.url.render_as_string(hide_password=False)
                with mapped_errors(shown), engine.connect() as conn:
                    empty = migrate.is_empty(conn)
                    conn.rollback()
                if empty:
                    migrate.upgrade(engine)
            migrate.check(engine)
        except BaseException:
            engine.dispose()
            raise
        return cls(engine, config, clock=clock)

    def close(self) -> None:
        self.engine.dispose()

    def dispose(self) -> None:
        """Drop pooled connections inherited across ``fork()`` without closing the parent's."""
        self.engine.dispose(close=False)

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- transactions -------------------------------------------------------------------------

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        with mapped_errors(self.url), self.engine.connect() as conn:
            yield conn
            conn.rollback()

    def _write(self, work: Callable[[Tx], T]) -> T:
        """Run ``work`` in one write transaction; retry it on a PostgreSQL deadlock."""
        for attempt in range(RETRIES):
            try:
                with mapped_errors(self.url), self.engine.connect() as plain:
                    conn = plain.execution_options(**{WRITE: True})
                    with conn.begin():
                        tx = Tx(conn, self.clock(), self.config.confidence_threshold, self.postgres)
                        result = work(tx)
                        writes.bump_version(tx)
                    return result
            except DBAPIError:  # mapped_errors re-raises only the retryable ones
                if attempt == RETRIES - 1:
                    raise
                _time.sleep(0.01 * (2**attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    def _insert(self) -> Any:
        return (postgresql if self.postgres else sqlite).insert

    # -- releases -----------------------------------------------------------------------------

    def add_release(
        self,
        raw: bytes,
        *,
        content_type: str,
        source: Source,
        text: str | None = None,
        published: date | None = None,
    ) -> AddedRelease:
        """Commit a release before anything parses it; the same bytes twice are stored once."""
        return self.add_releases([NewRelease(raw, content_type, source, text, published)])[0]

    def add_releases(self, new: Sequence[NewRelease]) -> list[AddedRelease]:
        """:meth:`add_release` for many releases in one transaction (bulk ingestion)."""
        return self._write(lambda tx: self._add_many(tx, new)) if new else []

    def _add_many(self, tx: Tx, new: Sequence[NewRelease]) -> list[AddedRelease]:
        digests = [content_hash(item.raw) for item in new]
        found: dict[str, AddedRelease] = {}

        def lookup(hashes: Sequence[str]) -> None:
            for part in writes.chunks(sorted(set(hashes))):
                for r in tx.conn.execute(
                    select(
                        releases.c.id,
                        releases.c.content_hash,
                        releases.c.outcome,
                        releases.c.parser_version,
                    ).where(releases.c.content_hash.in_(part))
                ):
                    found[r.content_hash] = AddedRelease(
                        int(r.id), False, Outcome(r.outcome), r.parser_version
                    )

        lookup(digests)
        rows: dict[str, dict[str, Any]] = {}
        for item, digest in zip(new, digests, strict=True):
            if digest in found or digest in rows:
                continue
            src = item.source
            rows[digest] = {
                "content_hash": digest,
                "raw": item.raw,
                "text": clean(item.text),
                "content_type": item.content_type[:100],
                "size": len(item.raw),
                "source_kind": src.kind,
                "source": clean(src.location),
                "feed_url": clean(src.feed_url),
                "feed_item_id": clean(src.item_id),
                "message_id": clean(src.message_id),
                "received_at": tx.now,
                "published": item.published,
                "outcome": Outcome.PENDING.value,
                "events": 0,
                "held": False,
            }
        created: dict[str, int] = {}
        if rows:
            stmt = (
                self._insert()(releases)
                .on_conflict_do_nothing(index_elements=["content_hash"])
                .returning(releases.c.id, releases.c.content_hash)
            )
            for r in tx.conn.execute(stmt, list(rows.values())):
                created[r.content_hash] = int(r.id)
            raced = [d for d in rows if d not in created]  # another writer stored them first
            if raced:
                lookup(raced)
        out: list[AddedRelease] = []
        given: set[str] = set()
        for digest in digests:
            if digest in created and digest not in given:
                given.add(digest)
                out.append(AddedRelease(created[digest], True, Outcome.PENDING, None))
            elif digest in created:
                out.append(AddedRelease(created[digest], False, Outcome.PENDING, None))
            else:
                out.append(found[digest])
        return out

    def record_parse(
        self, release_id: int, result: ParseResult, *, replace: bool = False
    ) -> Applied:
        """Record one parse of a stored release in one transaction (see the package docs)."""
        return self._write(lambda tx: writes.record_parse(tx, release_id, result, replace=replace))

    def record_parses(
        self, results: Sequence[tuple[int, ParseResult]], *, replace: bool = False
    ) -> list[Applied]:
        """:meth:`record_parse` for many releases in one transaction (bulk ingestion)."""

        def work(tx: Tx) -> list[Applied]:
            return writes.record_parses(tx, results, replace=replace)

        return self._write(work) if results else []

    def pending_releases(self) -> list[int]:
        """Releases stored but never parsed (a process killed mid-ingest)."""
        with self._reading() as conn:
            return reads.release_ids(conn, Outcome.PENDING)

    def release_ids(self, outcome: Outcome | None = None) -> list[int]:
        """Every stored release id, oldest first (reparse walks these)."""
        with self._reading() as conn:
            return reads.release_ids(conn, outcome)

    def release(self, release_id: int) -> StoredRelease:
        with self._reading() as conn:
            return reads.release(conn, release_id)

    def releases(
        self, outcome: Outcome | None = None, limit: int | None = None
    ) -> list[ReleaseInfo]:
        with self._reading() as conn:
            return reads.release_list(conn, outcome, limit)

    def counts(self) -> dict[str, int]:
        with self._reading() as conn:
            return reads.counts(conn)

    # -- events and feeds ---------------------------------------------------------------------

    def _feed_query(self, query: EventQuery) -> Any:
        now = self.clock()
        return reads.feed_filter(
            query,
            today=now.date(),
            now=now,
            past_days=self.config.past_days,
            cancelled_keep_days=self.config.cancelled_keep_days,
        )

    def events(self, query: EventQuery) -> list[StoredEvent]:
        with self._reading() as conn:
            return [reads.stored_event(r) for r in conn.execute(self._feed_query(query))]

    def event(self, uid: str) -> StoredEvent:
        with self._reading() as conn:
            return reads.event(conn, uid)

    def companies(self) -> list[Company]:
        with self._reading() as conn:
            return reads.companies(conn)

    def version(self) -> StoreVersion:
        with self._reading() as conn:
            return reads.version(conn)

    def feed_version(self, query: EventQuery) -> FeedVersion:
        """A strong ETag and Last-Modified for one query, without reading events."""
        v = self.version()
        key = "|".join(
            [
                str(v.counter),
                ",".join(sorted(t.upper() for t in query.tickers)),
                ",".join(sorted(query.kinds)),
                query.start.isoformat() if query.start else "",
                query.end.isoformat() if query.end else "",
                "all" if query.everything else "",
                self.clock().date().isoformat(),
            ]
        )
        etag = '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'
        return FeedVersion(etag, v.last_modified)

    def vevents(
        self, query: EventQuery, render: Callable[[StoredEvent], bytes], variant: str = ""
    ) -> list[CachedVEvent]:
        """The query's events as VEVENT bytes in feed order, rendering and caching missing ones.

        Cached bytes come with the event's columns (one query, no event decoded); only the events
        without bytes are read whole and rendered.
        """
        with self._reading() as conn:
            rows = conn.execute(reads.feed_vevents(self._feed_query(query), variant)).all()
            missing = reads.events_by_uid(conn, [r.uid for r in rows if r.ics is None])
        out: list[CachedVEvent] = []
        made: list[tuple[str, int, bytes]] = []
        for r in rows:
            if r.ics is not None:
                out.append(CachedVEvent(r.uid, r.sequence, r.tzid, r.start_date, bytes(r.ics)))
                continue
            s = missing[r.uid]
            ics = render(s)
            made.append((s.uid, s.sequence, ics))
            out.append(CachedVEvent(s.uid, s.sequence, s.event.tzid, s.event.start_date, ics))
        if made:
            self.cache_vevents(variant, made)
        return out

    def vevent(
        self, uid: str, render: Callable[[StoredEvent], bytes], variant: str = ""
    ) -> CachedVEvent:
        with self._reading() as conn:
            s = reads.event(conn, uid)
            cached = reads.vevent_rows(conn, [uid], variant)
        ics = cached.get((s.uid, s.sequence))
        if ics is None:
            ics = render(s)
            self.cache_vevents(variant, [(s.uid, s.sequence, ics)])
        return CachedVEvent(s.uid, s.sequence, s.event.tzid, s.event.start_date, ics)

    def unrendered(
        self, uids: Sequence[str], variant: str, query: EventQuery | None = None
    ) -> list[EventRecord]:
        """The events among ``uids`` that ``query``'s feed serves (default: the default feeds'
        window) without VEVENT bytes for their SEQUENCE and ``variant``, in feed order, with
        their data still JSON text (for rendering in another process)."""
        feed = self._feed_query(query or EventQuery())
        with self._reading() as conn:
            return reads.unrendered(conn, feed, sorted(set(uids)), variant)

    def cache_vevents(self, variant: str, rendered: Sequence[tuple[str, int, bytes]]) -> None:
        """Cache VEVENT bytes by (uid, SEQUENCE), each only while the event still has that
        SEQUENCE (a writer may have moved it meanwhile); bytes already cached are kept."""
        if rendered:
            self._write(lambda tx: self._cache(tx, rendered, variant))

    def _cache(self, tx: Tx, rendered: Sequence[tuple[str, int, bytes]], variant: str) -> None:
        current: dict[str, int] = {}
        for part in writes.chunks(sorted({uid for uid, _, _ in rendered})):
            for r in tx.conn.execute(
                select(events.c.uid, events.c.sequence).where(events.c.uid.in_(part))
            ):
                current[r.uid] = r.sequence
        rows = [
            {"uid": uid, "sequence": sequence, "variant": variant, "ics": ics}
            for uid, sequence, ics in rendered
            if current.get(uid) == sequence
        ]
        if rows:
            tx.conn.execute(self._insert()(vevents).on_conflict_do_nothing(), rows)

    # -- review -------------------------------------------------------------------------------

    def review_queue(self) -> list[ReviewItem]:
        with self._reading() as conn:
            return reads.review_queue(conn)

    def accept(self, release_id: int, uid: str | None = None) -> Applied:
        return self._write(lambda tx: writes.set_review(tx, release_id, uid, Review.ACCEPTED))

    def reject(self, release_id: int, uid: str | None = None) -> Applied:
        return self._write(lambda tx: writes.set_review(tx, release_id, uid, Review.REJECTED))

    def held_release(self, release_id: int) -> bool:
        """Whether the release is held as a whole (its parse ran over the budget)."""
        with self._reading() as conn:
            held = conn.execute(select(releases.c.held).where(releases.c.id == release_id)).scalar()
        if held is None:
            raise NotFoundError(f"no release {release_id}")
        return bool(held)

    # -- feed polling -------------------------------------------------------------------------

    def feed_state(self, url: str) -> FeedState | None:
        with self._reading() as conn:
            row = conn.execute(select(feeds).where(feeds.c.url == url)).one_or_none()
            if row is None:
                return None
            seen = conn.execute(select(feed_items.c.key).where(feed_items.c.feed_url == url)).all()
        return FeedState(
            url=row.url,
            etag=row.etag,
            last_modified=row.last_modified,
            checked_at=row.checked_at,
            status=row.status,
            error=row.error,
            items_seen=len(seen),
        )

    def save_feed_state(self, state: FeedState) -> None:
        values = {
            "etag": state.etag,
            "last_modified": state.last_modified,
            "checked_at": state.checked_at or self.clock(),
            "status": state.status,
            "error": clean(state.error),
        }

        def work(tx: Tx) -> None:
            stmt = self._insert()(feeds).values(url=state.url, **values)
            tx.conn.execute(stmt.on_conflict_do_update(index_elements=["url"], set_=values))

        self._write(work)

    def unseen_items(self, feed_url: str, item_ids: Sequence[str]) -> list[str]:
        keys = {feed_item_key(feed_url, i): i for i in item_ids}
        with self._reading() as conn:
            return reads.unseen(conn, keys)

    def mark_item_seen(self, feed_url: str, item_id: str, release_id: int | None) -> None:
        def work(tx: Tx) -> None:
            tx.conn.execute(
                self._insert()(feed_items)
                .values(
                    key=feed_item_key(feed_url, item_id),
                    feed_url=clean(feed_url),
                    item_id=clean(item_id),
                    release_id=release_id,
                    seen_at=tx.now,
                )
                .on_conflict_do_nothing()
            )

        self._write(work)

    # -- maintenance --------------------------------------------------------------------------

    def withdraw_orphans(self) -> Applied:
        """Mark events no release describes any more as withdrawn (after a reparse)."""

        def work(tx: Tx) -> Applied:
            uids = [
                r[0]
                for r in tx.conn.execute(
                    select(events.c.uid).where(
                        events.c.state != EventState.WITHDRAWN.value,
                        ~events.c.uid.in_(select(descriptions.c.uid)),
                    )
                )
            ]
            writes.lock_uids(tx, uids)
            changes = writes.derive_events(tx, uids)
            return Applied(None, None, tuple(changes[u] for u in sorted(changes)))

        return self._write(work)


__all__ = ["Store", "content_hash", "feed_item_key"]
