"""The store's write transactions: recording parses, review decisions, deriving events.

Each function runs inside one transaction the :class:`~icalfeed.store.Store` opens (SQLite:
``BEGIN IMMEDIATE``, so writers queue). On PostgreSQL the functions lock what they touch in one
fixed order — release rows by id, then one transaction advisory lock per UID in key order, then
the ``store_state`` row — so two writers never deadlock and never compute a SEQUENCE from a
history the other is changing.

Work is done per *batch*: a bulk ingest records hundreds of parses with a constant number of
statements (one query for the releases, one for their old descriptions, one insert of the new
ones, one query each for the touched events and their histories, one executemany per kind of
change), which is what makes the store cheaper than the parser.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    String,
    bindparam,
    delete,
    insert,
    select,
    text,
    type_coerce,
    update,
)

from icalfeed.errors import NotFoundError, StoreError
from icalfeed.model import Status
from icalfeed.serialize import event_from_dict
from icalfeed.store import history
from icalfeed.store.history import Description, clean, dumps, prepare_events
from icalfeed.store.records import (
    Applied,
    Change,
    EventChange,
    EventState,
    Outcome,
    ParseResult,
    PreparedEvent,
    Review,
)
from icalfeed.store.tables import descriptions, events, releases, store_state, vevents

CHUNK = 500  # values per IN (...) list


@dataclass
class Tx:
    """One write transaction and what it needs to know."""

    conn: Connection
    now: datetime
    threshold: float
    postgres: bool
    visible_change: bool = False  # something in a feed changed: bump the store version


def chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for i in range(0, len(values), CHUNK):
        yield values[i : i + CHUNK]


def lock_releases(tx: Tx, ids: Iterable[int]) -> None:
    if tx.postgres:
        for part in chunks(sorted(set(ids))):
            tx.conn.execute(
                select(releases.c.id)
                .where(releases.c.id.in_(part))
                .order_by(releases.c.id)
                .with_for_update()
            ).all()


def _lock_key(uid: str) -> int:
    return int.from_bytes(hashlib.sha256(uid.encode()).digest()[:8], "big", signed=True)


def lock_uids(tx: Tx, uids: Iterable[str]) -> None:
    """PostgreSQL: one advisory lock per UID, taken in key order (unnest keeps array order)."""
    if tx.postgres:
        keys = sorted({_lock_key(u) for u in uids})
        if keys:
            tx.conn.execute(
                text("SELECT pg_advisory_xact_lock(k) FROM unnest(CAST(:keys AS BIGINT[])) AS k"),
                {"keys": keys},
            ).all()


def bump_version(tx: Tx) -> None:
    """Bump the store version once, at the end of a transaction that changed a feed."""
    if tx.visible_change:
        tx.conn.execute(
            update(store_state)
            .where(store_state.c.id == 1)
            .values(version=store_state.c.version + 1, last_modified=tx.now)
        )


# -- recording parses -------------------------------------------------------------------------


def _review_for(d: PreparedEvent, threshold: float, earlier: tuple[str, str] | None) -> Review:
    if earlier is not None:
        # A person's decision on the same version survives a reparse.
        earlier_hash, earlier_review = earlier
        if earlier_hash == d.version_hash and earlier_review in (Review.ACCEPTED, Review.REJECTED):
            return Review(earlier_review)
    return Review.AUTO if d.confidence >= threshold else Review.HELD


def _hold_reason(d: PreparedEvent, threshold: float) -> str:
    reason = f"confidence {d.confidence:.2f} is below {threshold:.2f}"
    if d.flags:
        reason += f" ({', '.join(d.flags)})"
    return reason


_RELEASE_UPDATE = (
    update(releases)
    .where(releases.c.id == bindparam("b_id"))
    .values(
        {
            c: bindparam(c)
            for c in (
                "parser_version",
                "parsed_at",
                "parse_seconds",
                "held",
                "outcome",
                "detail",
                "events",
                "published",
            )
        }
    )
)


def record_parse(tx: Tx, release_id: int, result: ParseResult, *, replace: bool) -> Applied:
    """Record one parse of a stored release (see Store.record_parse)."""
    return record_parses(tx, [(release_id, result)], replace=replace)[0]


def record_parses(
    tx: Tx, items: Sequence[tuple[int, ParseResult]], *, replace: bool
) -> list[Applied]:
    """Record many parses in this transaction; one Applied per item, in order.

    Each event's change is the net change over the batch, reported on the last item that
    describes it (a batch of one reports exactly what that parse did).
    """
    ids = [rid for rid, _ in items]
    lock_releases(tx, ids)
    rels: dict[int, Any] = {}
    for part in chunks(sorted(set(ids))):
        for r in tx.conn.execute(
            select(
                releases.c.id,
                releases.c.outcome,
                releases.c.published,
                releases.c.received_at,
                releases.c.events,
            ).where(releases.c.id.in_(part))
        ):
            rels[r.id] = r
    if missing := [rid for rid in ids if rid not in rels]:
        raise NotFoundError(f"no release {missing[0]}")

    todo: list[int] = []  # indexes of items to record
    seen: set[int] = set()
    for i, (rid, _) in enumerate(items):
        if rid in seen or (not replace and rels[rid].outcome != Outcome.PENDING):
            continue
        seen.add(rid)
        todo.append(i)

    old: dict[int, dict[str, tuple[str, str]]] = {}
    if replace and todo:
        for part in chunks([items[i][0] for i in todo]):
            for od in tx.conn.execute(
                select(
                    descriptions.c.release_id,
                    descriptions.c.uid,
                    descriptions.c.version_hash,
                    descriptions.c.review,
                ).where(descriptions.c.release_id.in_(part))
            ):
                old.setdefault(od.release_id, {})[od.uid] = (od.version_hash, od.review)

    prepared: dict[int, tuple[PreparedEvent, ...]] = {}
    for i in todo:
        result = items[i][1]
        if result.parsed is not None and result.error is None and result.over_budget is None:
            prepared[i] = (
                result.prepared
                if result.prepared is not None
                else prepare_events(result.parsed.events)
            )

    touched: dict[str, int] = {}  # uid -> last item index describing it
    for i in todo:
        rid = items[i][0]
        for uid in old.get(rid, {}):
            touched[uid] = i
        for d in prepared.get(i, ()):
            touched[d.uid] = i
    lock_uids(tx, touched)

    outcomes: dict[int, Outcome] = {}
    release_rows: list[dict[str, Any]] = []
    description_rows: list[dict[str, Any]] = []
    replaced: list[int] = []
    for i in todo:
        rid, result = items[i]
        rel = rels[rid]
        row: dict[str, Any] = {
            "b_id": rid,
            "parser_version": result.parser_version,
            "parsed_at": tx.now,
            "parse_seconds": result.seconds,
            "held": False,
            "events": rel.events,
            "published": rel.published,
        }
        if i not in prepared:
            # A failed or unfinished parse never removes what an earlier parse found.
            if result.over_budget is not None:
                row.update(
                    outcome=Outcome.NEEDS_REVIEW.value,
                    held=True,
                    detail=f"the parse took {result.over_budget:.2f} s, over its time budget; "
                    "accept the release to parse it without one",
                )
            else:
                row.update(outcome=Outcome.FAILED.value, detail=clean(result.error or "no result"))
        else:
            parsed = result.parsed
            assert parsed is not None
            published = rel.published or parsed.published or rel.received_at.date()
            row["published"] = published
            earlier = old.get(rid, {})
            if earlier:
                replaced.append(rid)
            held = 0
            for d in prepared[i]:
                review = _review_for(d, tx.threshold, earlier.get(d.uid))
                held += review is Review.HELD
                description_rows.append(
                    {
                        "release_id": rid,
                        "uid": d.uid,
                        "data": d.data,
                        "version_hash": d.version_hash,
                        "published": published,
                        "status_rank": d.status_rank,
                        "confidence": d.confidence,
                        "review": review.value,
                        "reason": _hold_reason(d, tx.threshold) if review is Review.HELD else None,
                    }
                )
            n = len(prepared[i])
            row["events"] = n
            if not n:
                row.update(outcome=Outcome.NO_EVENTS.value, detail=None)
            elif held:
                row.update(
                    outcome=Outcome.NEEDS_REVIEW.value,
                    detail=f"{held} of {n} events held for review: "
                    f"confidence below {tx.threshold:.2f}",
                )
            else:
                row.update(outcome=Outcome.PARSED.value, detail=None)
        outcomes[i] = Outcome(row["outcome"])
        release_rows.append(row)

    for part in chunks(replaced):
        tx.conn.execute(delete(descriptions).where(descriptions.c.release_id.in_(part)))
    if description_rows:
        tx.conn.execute(insert(descriptions), description_rows)
    if release_rows:
        tx.conn.execute(_RELEASE_UPDATE, release_rows)

    known = {(items[i][0], d.uid): d for i, ds in prepared.items() for d in ds}
    changes = derive_events(tx, touched, known)
    per_item: dict[int, list[EventChange]] = {}
    for uid, change in changes.items():
        per_item.setdefault(touched[uid], []).append(change)
    out: list[Applied] = []
    for i, (rid, _) in enumerate(items):
        outcome = outcomes.get(i, Outcome(rels[rid].outcome))
        out.append(Applied(rid, outcome, tuple(sorted(per_item.get(i, []), key=_by_uid))))
    return out


def _by_uid(c: EventChange) -> str:
    return c.uid


# -- review -----------------------------------------------------------------------------------


def set_review(tx: Tx, release_id: int, uid: str | None, review: Review) -> Applied:
    """Accept or reject one description, or every description of a release (uid None)."""
    lock_releases(tx, [release_id])
    rel = tx.conn.execute(
        select(releases.c.outcome, releases.c.held).where(releases.c.id == release_id)
    ).one_or_none()
    if rel is None:
        raise NotFoundError(f"no release {release_id}")
    if uid is None and rel.held:
        if review is Review.ACCEPTED:
            raise StoreError(
                f"release {release_id} is held as a whole (its parse ran over the time budget): "
                "parse it again without the budget (`icalfeed review accept` does)"
            )
        tx.conn.execute(
            update(releases)
            .where(releases.c.id == release_id)
            .values(outcome=Outcome.REJECTED, held=False, detail="rejected by review")
        )
        return Applied(release_id, Outcome.REJECTED)
    query = select(descriptions.c.uid, descriptions.c.review).where(
        descriptions.c.release_id == release_id
    )
    if uid is not None:
        query = query.where(descriptions.c.uid == uid)
    found = tx.conn.execute(query).all()
    if uid is not None and not found:
        raise NotFoundError(f"release {release_id} does not describe event {uid}")
    if not found:  # nothing to decide on (a failed parse, no events): leave the outcome as is
        return Applied(release_id, Outcome(rel.outcome))
    targets = sorted(r.uid for r in found if r.review != review)
    lock_uids(tx, targets)
    for target in targets:
        tx.conn.execute(
            update(descriptions)
            .where(descriptions.c.release_id == release_id, descriptions.c.uid == target)
            .values(review=review.value, reason=f"{review.value} by review")
        )
    outcome = _outcome_after_review(tx, release_id)
    changes = derive_events(tx, targets)
    return Applied(release_id, outcome, tuple(changes[u] for u in sorted(changes)))


def _outcome_after_review(tx: Tx, release_id: int) -> Outcome:
    reviews = [
        r.review
        for r in tx.conn.execute(
            select(descriptions.c.review).where(descriptions.c.release_id == release_id)
        )
    ]
    if not reviews:
        outcome, detail = Outcome.NO_EVENTS, None
    elif Review.HELD in reviews:
        held = reviews.count(Review.HELD)
        outcome = Outcome.NEEDS_REVIEW
        detail = f"{held} of {len(reviews)} events held for review"
    elif all(r == Review.REJECTED for r in reviews):
        outcome, detail = Outcome.REJECTED, "rejected by review"
    else:
        outcome, detail = Outcome.PARSED, "reviewed"
    tx.conn.execute(
        update(releases).where(releases.c.id == release_id).values(outcome=outcome, detail=detail)
    )
    return outcome


# -- deriving events from their descriptions --------------------------------------------------


_EVENT_COLUMNS = [c.name for c in events.c if c.name != "uid"]
_EVENT_UPDATE = (
    update(events)
    .where(events.c.uid == bindparam("b_uid"))
    .values({c: bindparam(c) for c in _EVENT_COLUMNS if c != "created_at"})
)
# A published event's update changes its LAST-MODIFIED, so every VEVENT cached for it is stale.
_VEVENT_PRUNE = delete(vevents).where(vevents.c.uid == bindparam("b_uid"))
# The history of an event without the descriptions' data: a bulk ingest reads these for every
# event it touches, and an event described by hundreds of releases must stay cheap. ``published``
# is read as the driver gives it (SQLite: an ISO string, parsed below with the C parser).
_HISTORY = select(
    descriptions.c.uid,
    descriptions.c.release_id,
    type_coerce(descriptions.c.published, String).label("published"),
    descriptions.c.status_rank,
    descriptions.c.version_hash,
    descriptions.c.review,
)
_REVIEWS = {r.value: r for r in Review}


def _columns_of(data_text: str) -> dict[str, Any]:
    return history.event_columns(event_from_dict(json.loads(data_text)))


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


@dataclass
class _Plan:
    """What deriving one event decided: a row to insert or update, and the change."""

    insert: dict[str, Any] | None = None
    update: dict[str, Any] | None = None
    change: EventChange | None = None
    prune: bool = False
    visible: bool = False


class _Data:
    """The ``data`` of descriptions by (release, uid): those just prepared, else read when needed
    (rarely: an event whose current description is an older one that changed SEQUENCE)."""

    def __init__(self, conn: Connection, known: dict[tuple[int, str], PreparedEvent]) -> None:
        self.conn = conn
        self.known = known
        self.read: dict[tuple[int, str], str] = {}

    def text(self, release_id: int, uid: str) -> str:
        key = (release_id, uid)
        if key in self.known:
            return self.known[key].data
        if key not in self.read:
            self.read[key] = self.conn.execute(
                select(descriptions.c.data).where(
                    descriptions.c.release_id == release_id, descriptions.c.uid == uid
                )
            ).scalar_one()
        return self.read[key]

    def columns(self, release_id: int, uid: str) -> dict[str, Any]:
        key = (release_id, uid)
        if key in self.known:
            return self.known[key].columns
        return _columns_of(self.text(release_id, uid))


def derive_events(
    tx: Tx, uids: Iterable[str], known: dict[tuple[int, str], PreparedEvent] | None = None
) -> dict[str, EventChange]:
    """Bring the event rows of ``uids`` in line with their descriptions; say what changed.

    The caller holds the UIDs' locks (``lock_uids``) since before it changed their descriptions.
    ``known`` has the descriptions the caller just prepared, by (release, uid).
    """
    wanted = sorted(set(uids))
    if not wanted:
        return {}
    known = known or {}
    rows: dict[str, list[Description]] = {u: [] for u in wanted}
    olds: dict[str, Any] = {}
    for part in chunks(wanted):
        for r in tx.conn.execute(_HISTORY.where(descriptions.c.uid.in_(part))):
            rows[r.uid].append(
                Description(
                    r.release_id,
                    _as_date(r.published),
                    r.status_rank,
                    r.version_hash,
                    _REVIEWS[r.review],
                )
            )
        for r in tx.conn.execute(select(events).where(events.c.uid.in_(part))):
            olds[r.uid] = r
    data = _Data(tx.conn, known)
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    prunes: list[dict[str, Any]] = []
    changes: dict[str, EventChange] = {}
    for uid in wanted:
        plan = _derive(tx.now, uid, rows[uid], olds.get(uid), data)
        if plan.insert is not None:
            inserts.append(plan.insert)
        if plan.update is not None:
            updates.append(plan.update)
            if plan.prune:
                prunes.append({"b_uid": uid})
        if plan.change is not None:
            changes[uid] = plan.change
        tx.visible_change |= plan.visible
    if inserts:
        tx.conn.execute(insert(events), inserts)
    if updates:
        tx.conn.execute(_EVENT_UPDATE, updates)
    if prunes:
        tx.conn.execute(_VEVENT_PRUNE, prunes)
    return changes


def derive_event(tx: Tx, uid: str) -> EventChange | None:
    """:func:`derive_events` for one UID."""
    return derive_events(tx, [uid]).get(uid)


def _full_row(old: Any) -> dict[str, Any]:
    return {c: getattr(old, c) for c in _EVENT_COLUMNS}


def _derive(now: datetime, uid: str, descs: list[Description], old: Any, data: _Data) -> _Plan:
    resolution = history.resolve(descs)
    if resolution is None:
        return _derive_unpublished(now, uid, descs, data, old)
    current = resolution.current
    was_published = old is not None and old.state != EventState.HELD
    sequence = history.next_sequence(
        old_sequence=old.sequence if old is not None else None,
        old_hash=old.version_hash if old is not None else None,
        was_published=was_published,
        new=resolution,
    )
    if (
        old is not None
        and old.state == EventState.PUBLISHED
        and old.version_hash == current.version_hash
        and old.sequence == sequence
    ):
        return _Plan()  # the same version again: same bytes, same SEQUENCE
    data_text = data.text(current.release_id, uid)
    cols = data.columns(current.release_id, uid)
    status = cols["status"]
    cancelled_at = None
    if status == Status.CANCELLED:
        cancelled_at = (
            old.cancelled_at
            if old is not None and old.status == Status.CANCELLED and old.cancelled_at
            else now
        )
    values = {
        **cols,
        "sequence": sequence,
        "state": EventState.PUBLISHED.value,
        "data": data_text,
        "version_hash": current.version_hash,
        "release_id": current.release_id,
        "last_modified": now,
        "cancelled_at": cancelled_at,
    }
    if old is None:
        change = Change.CANCELLED if status == Status.CANCELLED else Change.ADDED
        return _Plan(
            insert={"uid": uid, "created_at": now, **values},
            change=EventChange(uid, change, sequence, cols["title"]),
            visible=True,
        )
    if old.state != EventState.PUBLISHED:
        change = Change.CANCELLED if status == Status.CANCELLED else Change.ADDED
    elif status == Status.CANCELLED and old.status != Status.CANCELLED:
        change = Change.CANCELLED
    elif (cols["start_utc"], cols["start_date"]) != (old.start_utc, old.start_date):
        change = Change.RESCHEDULED
    else:
        change = Change.UPDATED
    return _Plan(
        update={**_full_row(old), **values, "b_uid": uid},
        change=EventChange(uid, change, sequence, cols["title"]),
        prune=True,
        visible=True,
    )


def _derive_unpublished(
    now: datetime, uid: str, descs: list[Description], data: _Data, old: Any
) -> _Plan:
    """No counted description: the event is held, rejected or withdrawn."""
    held = [d for d in descs if d.review is Review.HELD]
    if held:
        state = EventState.HELD
        latest: Description | None = max(held, key=lambda d: d.order)
    elif descs:
        state = EventState.REJECTED
        latest = max(descs, key=lambda d: d.order)
    else:
        state = EventState.WITHDRAWN
        latest = None
    if old is None:
        if state is not EventState.HELD or latest is None:
            return _Plan()
        data_text = data.text(latest.release_id, uid)
        cols = data.columns(latest.release_id, uid)
        return _Plan(
            insert={
                "uid": uid,
                "sequence": 0,
                "state": state.value,
                "data": data_text,
                "version_hash": latest.version_hash,
                "release_id": latest.release_id,
                "created_at": now,
                "last_modified": now,
                "cancelled_at": None,
                **cols,
            },
            change=EventChange(uid, Change.HELD, 0, cols["title"]),
        )
    row = _full_row(old)
    if state is EventState.HELD and latest is not None:
        # keep the review page showing the latest held description
        row.update(
            data=data.text(latest.release_id, uid),
            version_hash=latest.version_hash,
            release_id=latest.release_id,
            **data.columns(latest.release_id, uid),
        )
    if old.state == state.value:
        if state is EventState.HELD and row != _full_row(old):
            return _Plan(update={**row, "b_uid": uid})
        return _Plan()
    row.update(state=state.value, last_modified=now)
    change = {
        EventState.HELD: Change.HELD,
        EventState.REJECTED: Change.WITHDRAWN,
        EventState.WITHDRAWN: Change.WITHDRAWN,
    }[state]
    return _Plan(
        update={**row, "b_uid": uid},
        change=EventChange(uid, change, old.sequence, old.title),
        visible=old.state == EventState.PUBLISHED,
    )


__all__ = [
    "Tx",
    "bump_version",
    "clean",
    "derive_event",
    "derive_events",
    "dumps",
    "lock_releases",
    "lock_uids",
    "record_parse",
    "record_parses",
    "set_review",
]
