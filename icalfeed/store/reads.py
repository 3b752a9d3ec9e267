"""The store's read queries: feeds, single events, releases, the review queue, counts.

Plain functions over one Connection; :class:`~icalfeed.store.Store` opens the transaction.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Select, and_, func, or_, select

from icalfeed.errors import NotFoundError
from icalfeed.serialize import event_from_dict
from icalfeed.store.records import (
    Company,
    EventQuery,
    EventRecord,
    EventState,
    Outcome,
    ReleaseInfo,
    Review,
    ReviewItem,
    Source,
    StoredEvent,
    StoredRelease,
    StoreVersion,
)
from icalfeed.store.tables import descriptions, events, feed_items, releases, store_state, vevents


def stored_event(row: Any) -> StoredEvent:
    return StoredEvent(
        uid=row.uid,
        sequence=row.sequence,
        event=event_from_dict(json.loads(row.data)),
        state=EventState(row.state),
        created=row.created_at,
        last_modified=row.last_modified,
        cancelled_at=row.cancelled_at,
        release_id=row.release_id,
    )


def feed_filter(
    query: EventQuery, *, today: date, now: datetime, past_days: int, cancelled_keep_days: int
) -> Select[Any]:
    """The published events a query selects, in feed order."""
    stmt = select(events).where(events.c.state == EventState.PUBLISHED.value)
    if query.tickers:
        stmt = stmt.where(events.c.ticker.in_(sorted({t.upper() for t in query.tickers})))
    if query.kinds:
        stmt = stmt.where(events.c.kind.in_(sorted(set(query.kinds))))
    start = query.start
    if start is None and not query.everything:
        start = today - timedelta(days=past_days)
    if start is not None:
        stmt = stmt.where(events.c.start_date >= start)
    if query.end is not None:
        stmt = stmt.where(events.c.start_date <= query.end)
    if not query.everything:
        keep_from = now - timedelta(days=cancelled_keep_days)
        stmt = stmt.where(or_(events.c.cancelled_at.is_(None), events.c.cancelled_at >= keep_from))
    return stmt.order_by(events.c.sort_at, events.c.uid)


def event(conn: Connection, uid: str) -> StoredEvent:
    row = conn.execute(select(events).where(events.c.uid == uid)).one_or_none()
    if row is None:
        raise NotFoundError(f"no event {uid!r}")
    return stored_event(row)


def companies(conn: Connection) -> list[Company]:
    rows = conn.execute(
        select(events.c.ticker, func.max(events.c.issuer_name), func.count())
        .where(events.c.state == EventState.PUBLISHED.value, events.c.ticker.is_not(None))
        .group_by(events.c.ticker)
        .order_by(events.c.ticker)
    ).all()
    return [Company(ticker=r[0], name=r[1], events=int(r[2])) for r in rows]


def version(conn: Connection) -> StoreVersion:
    row = conn.execute(select(store_state).where(store_state.c.id == 1)).one()
    return StoreVersion(counter=int(row.version), last_modified=row.last_modified)


def _source(row: Any) -> Source:
    return Source(
        kind=row.source_kind,
        location=row.source,
        feed_url=row.feed_url,
        item_id=row.feed_item_id,
        message_id=row.message_id,
    )


_INFO_COLUMNS = [c for c in releases.c if c.name not in ("raw", "text")]


def release_info(row: Any) -> ReleaseInfo:
    return ReleaseInfo(
        id=row.id,
        content_hash=row.content_hash,
        content_type=row.content_type,
        size=row.size,
        source=_source(row),
        received_at=row.received_at,
        published=row.published,
        parser_version=row.parser_version,
        outcome=Outcome(row.outcome),
        detail=row.detail,
        parsed_at=row.parsed_at,
        events=row.events,
    )


def release(conn: Connection, release_id: int) -> StoredRelease:
    row = conn.execute(select(releases).where(releases.c.id == release_id)).one_or_none()
    if row is None:
        raise NotFoundError(f"no release {release_id}")
    return StoredRelease(info=release_info(row), raw=bytes(row.raw), text=row.text)


def release_list(conn: Connection, outcome: Outcome | None, limit: int | None) -> list[ReleaseInfo]:
    stmt = select(*_INFO_COLUMNS).order_by(releases.c.id.desc())
    if outcome is not None:
        stmt = stmt.where(releases.c.outcome == outcome.value)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [release_info(r) for r in conn.execute(stmt)]


def release_ids(conn: Connection, outcome: Outcome | None = None) -> list[int]:
    stmt = select(releases.c.id).order_by(releases.c.id)
    if outcome is not None:
        stmt = stmt.where(releases.c.outcome == outcome.value)
    return [int(r[0]) for r in conn.execute(stmt)]


def counts(conn: Connection) -> dict[str, int]:
    out: dict[str, int] = {f"releases_{o.value}": 0 for o in Outcome}
    out.update({f"events_{s.value}": 0 for s in EventState})
    for outcome, n in conn.execute(
        select(releases.c.outcome, func.count()).group_by(releases.c.outcome)
    ):
        out[f"releases_{outcome}"] = int(n)
    for state, n in conn.execute(select(events.c.state, func.count()).group_by(events.c.state)):
        out[f"events_{state}"] = int(n)
    out["releases"] = sum(v for k, v in out.items() if k.startswith("releases_"))
    out["events"] = sum(v for k, v in out.items() if k.startswith("events_"))
    return out


def review_queue(conn: Connection) -> list[ReviewItem]:
    items: list[ReviewItem] = []
    for r in conn.execute(
        select(releases.c.id, releases.c.detail, releases.c.published)
        .where(releases.c.held.is_(True))
        .order_by(releases.c.id)
    ):
        items.append(ReviewItem(r.id, None, None, r.detail or "held", r.published))
    for d in conn.execute(
        select(
            descriptions.c.release_id,
            descriptions.c.uid,
            descriptions.c.data,
            descriptions.c.reason,
            descriptions.c.published,
        )
        .where(descriptions.c.review == Review.HELD.value)
        .order_by(descriptions.c.release_id, descriptions.c.uid)
    ):
        items.append(
            ReviewItem(
                d.release_id,
                d.uid,
                event_from_dict(json.loads(d.data)),
                d.reason or "held",
                d.published,
            )
        )
    return items


def unseen(conn: Connection, keys: dict[str, str]) -> list[str]:
    """The item ids whose keys are not in feed_items, in the order given."""
    seen: set[str] = set()
    wanted = list(keys)
    for i in range(0, len(wanted), 500):
        chunk = wanted[i : i + 500]
        seen.update(
            r[0] for r in conn.execute(select(feed_items.c.key).where(feed_items.c.key.in_(chunk)))
        )
    return [keys[k] for k in wanted if k not in seen]


def feed_vevents(feed: Select[Any], variant: str) -> Select[Any]:
    """``feed`` (a :func:`feed_filter`) as the columns a feed needs and the cached bytes, if any."""
    cache = and_(
        vevents.c.uid == events.c.uid,
        vevents.c.sequence == events.c.sequence,
        vevents.c.variant == variant,
    )
    return feed.with_only_columns(
        events.c.uid, events.c.sequence, events.c.tzid, events.c.start_date, vevents.c.ics
    ).select_from(events.outerjoin(vevents, cache))


def events_by_uid(conn: Connection, uids: list[str]) -> dict[str, StoredEvent]:
    out: dict[str, StoredEvent] = {}
    for i in range(0, len(uids), 500):
        for r in conn.execute(select(events).where(events.c.uid.in_(uids[i : i + 500]))):
            out[r.uid] = stored_event(r)
    return out


def unrendered(
    conn: Connection, feed: Select[Any], uids: list[str], variant: str
) -> list[EventRecord]:
    """The events among ``uids`` that ``feed`` (a :func:`feed_filter`) selects and that have no
    VEVENT cached for their SEQUENCE and ``variant``."""
    cached = select(vevents.c.uid).where(
        vevents.c.uid == events.c.uid,
        vevents.c.sequence == events.c.sequence,
        vevents.c.variant == variant,
    )
    out: list[EventRecord] = []
    for i in range(0, len(uids), 500):
        for r in conn.execute(
            feed.with_only_columns(
                events.c.uid,
                events.c.sequence,
                events.c.data,
                events.c.state,
                events.c.created_at,
                events.c.last_modified,
                events.c.cancelled_at,
                events.c.release_id,
            ).where(events.c.uid.in_(uids[i : i + 500]), ~cached.exists())
        ):
            out.append(
                EventRecord(
                    r.uid,
                    r.sequence,
                    r.data,
                    EventState(r.state),
                    r.created_at,
                    r.last_modified,
                    r.cancelled_at,
                    r.release_id,
                )
            )
    return out


def vevent_rows(conn: Connection, uids: list[str], variant: str) -> dict[tuple[str, int], bytes]:
    out: dict[tuple[str, int], bytes] = {}
    for i in range(0, len(uids), 500):
        chunk = uids[i : i + 500]
        for r in conn.execute(
            select(vevents.c.uid, vevents.c.sequence, vevents.c.ics).where(
                and_(vevents.c.uid.in_(chunk), vevents.c.variant == variant)
            )
        ):
            out[(r.uid, r.sequence)] = bytes(r.ics)
    return out


__all__ = [
    "companies",
    "counts",
    "event",
    "events_by_uid",
    "feed_filter",
    "feed_vevents",
    "release",
    "release_ids",
    "release_info",
    "release_list",
    "review_queue",
    "stored_event",
    "unrendered",
    "unseen",
    "version",
    "vevent_rows",
]
