"""The store's write transactions: recording a parse, review decisions, deriving events.

Each function runs inside one transaction the :class:`~icalfeed.store.Store` opens (SQLite:
``BEGIN IMMEDIATE``, so writers queue). On PostgreSQL the functions lock what they touch in one
fixed order — release rows by id, then one transaction advisory lock per UID in key order, then
the ``store_state`` row — so two writers never deadlock and never compute a SEQUENCE from a
history the other is changing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy import Connection, delete, insert, select, text, update

from icalfeed.errors import NotFoundError, StoreError
from icalfeed.identity import event_uid
from icalfeed.model import Event, Status
from icalfeed.serialize import event_from_dict, event_to_dict
from icalfeed.store import history
from icalfeed.store.history import Description
from icalfeed.store.records import (
    Applied,
    Change,
    EventChange,
    EventState,
    Outcome,
    ParseResult,
    Review,
)
from icalfeed.store.tables import descriptions, events, releases, store_state, vevents


@dataclass
class Tx:
    """One write transaction and what it needs to know."""

    conn: Connection
    now: datetime
    threshold: float
    postgres: bool
    visible_change: bool = False  # something in a feed changed: bump the store version


def clean(value: str | None) -> str | None:
    """Text a database column accepts: no NUL (PostgreSQL refuses it), no lone surrogates."""
    if value is None:
        return None
    if "\x00" in value:
        value = value.replace("\x00", "\ufffd")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        value = value.encode("utf-8", "replace").decode("utf-8")
    return value


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def lock_releases(tx: Tx, ids: Iterable[int]) -> None:
    if tx.postgres:
        wanted = sorted(set(ids))
        tx.conn.execute(
            select(releases.c.id)
            .where(releases.c.id.in_(wanted))
            .order_by(releases.c.id)
            .with_for_update()
        ).all()


def _lock_key(uid: str) -> int:
    return int.from_bytes(hashlib.sha256(uid.encode()).digest()[:8], "big", signed=True)


def lock_uids(tx: Tx, uids: Iterable[str]) -> None:
    if tx.postgres:
        for key in sorted({_lock_key(u) for u in uids}):
            tx.conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


def bump_version(tx: Tx) -> None:
    """Bump the store version once, at the end of a transaction that changed a feed."""
    if tx.visible_change:
        tx.conn.execute(
            update(store_state)
            .where(store_state.c.id == 1)
            .values(version=store_state.c.version + 1, last_modified=tx.now)
        )


# -- recording a parse ------------------------------------------------------------------------


@dataclass(frozen=True)
class _NewDescription:
    uid: str
    data: dict[str, Any]
    version_hash: str
    confidence: float
    flags: tuple[str, ...]


def _describe(events_: Iterable[Event]) -> dict[str, _NewDescription]:
    """One description per UID; the most confident wins when a release repeats an event."""
    out: dict[str, _NewDescription] = {}
    for ev in events_:
        uid = event_uid(ev)
        if uid in out and out[uid].confidence >= ev.confidence:
            continue
        data = event_to_dict(ev)
        out[uid] = _NewDescription(
            uid, data, history.version_hash(data), ev.confidence, tuple(sorted(ev.flags))
        )
    return out


def _review_for(d: _NewDescription, threshold: float, earlier: tuple[str, str] | None) -> Review:
    if earlier is not None:
        # A person's decision on the same version survives a reparse.
        earlier_hash, earlier_review = earlier
        if earlier_hash == d.version_hash and earlier_review in (Review.ACCEPTED, Review.REJECTED):
            return Review(earlier_review)
    return Review.AUTO if d.confidence >= threshold else Review.HELD


def _hold_reason(d: _NewDescription, threshold: float) -> str:
    reason = f"confidence {d.confidence:.2f} is below {threshold:.2f}"
    if d.flags:
        reason += f" ({', '.join(d.flags)})"
    return reason


def record_parse(tx: Tx, release_id: int, result: ParseResult, *, replace: bool) -> Applied:
    """Record one parse of a stored release (see Store.record_parse)."""
    lock_releases(tx, [release_id])
    rel = tx.conn.execute(
        select(
            releases.c.outcome, releases.c.published, releases.c.received_at, releases.c.detail
        ).where(releases.c.id == release_id)
    ).one_or_none()
    if rel is None:
        raise NotFoundError(f"no release {release_id}")
    if not replace and rel.outcome != Outcome.PENDING:
        return Applied(release_id, Outcome(rel.outcome))

    values: dict[str, Any] = {
        "parser_version": result.parser_version,
        "parsed_at": tx.now,
        "parse_seconds": result.seconds,
        "held": False,
    }
    if result.error is not None or result.over_budget is not None or result.parsed is None:
        # A failed or unfinished parse never removes what an earlier parse found.
        if result.over_budget is not None:
            values.update(
                outcome=Outcome.NEEDS_REVIEW,
                held=True,
                detail=f"the parse took {result.over_budget:.2f} s, over its time budget; "
                "accept the release to parse it without one",
            )
        else:
            values.update(outcome=Outcome.FAILED, detail=clean(result.error or "no result"))
        tx.conn.execute(update(releases).where(releases.c.id == release_id).values(**values))
        return Applied(release_id, Outcome(values["outcome"]))

    parsed = result.parsed
    published = rel.published or parsed.published or rel.received_at.date()
    if rel.published is None and parsed.published is not None:
        values["published"] = parsed.published
    new = _describe(parsed.events)
    old = {
        r.uid: (r.version_hash, r.review)
        for r in tx.conn.execute(
            select(descriptions.c.uid, descriptions.c.version_hash, descriptions.c.review).where(
                descriptions.c.release_id == release_id
            )
        )
    }
    lock_uids(tx, set(old) | set(new))
    if old:
        tx.conn.execute(delete(descriptions).where(descriptions.c.release_id == release_id))
    rows = []
    held = []
    for d in new.values():
        review = _review_for(d, tx.threshold, old.get(d.uid))
        reason = _hold_reason(d, tx.threshold) if review is Review.HELD else None
        if review is Review.HELD:
            held.append(d.uid)
        rows.append(
            {
                "release_id": release_id,
                "uid": d.uid,
                "data": clean(dumps(d.data)),
                "version_hash": d.version_hash,
                "published": published,
                "status_rank": history.status_rank(d.data["status"]),
                "confidence": d.confidence,
                "review": review.value,
                "reason": reason,
            }
        )
    if rows:
        tx.conn.execute(insert(descriptions), rows)
    if not new:
        values.update(outcome=Outcome.NO_EVENTS, detail=None)
    elif held:
        values.update(
            outcome=Outcome.NEEDS_REVIEW,
            detail=f"{len(held)} of {len(new)} events held for review: "
            f"confidence below {tx.threshold:.2f}",
        )
    else:
        values.update(outcome=Outcome.PARSED, detail=None)
    values["events"] = len(new)
    tx.conn.execute(update(releases).where(releases.c.id == release_id).values(**values))
    changes = [c for uid in sorted(set(old) | set(new)) if (c := derive_event(tx, uid))]
    return Applied(release_id, Outcome(values["outcome"]), tuple(changes))


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
    changes = [c for target in targets if (c := derive_event(tx, target))]
    return Applied(release_id, outcome, tuple(changes))


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


# -- deriving an event from its descriptions --------------------------------------------------


def _event_columns(data: dict[str, Any]) -> dict[str, Any]:
    ev = event_from_dict(data)
    utc = ev.utc_start
    sort_at = utc or datetime.combine(ev.start_date, time(0), UTC)
    return {
        "ticker": clean(ev.ticker.upper()) if ev.ticker else None,
        "issuer_name": clean(ev.issuer.name) if ev.issuer else None,
        "kind": ev.kind.value,
        "status": ev.status.value,
        "title": clean(ev.title),
        "all_day": ev.all_day,
        "tzid": ev.tzid,
        "start_utc": utc,
        "start_date": ev.start_date,
        "sort_at": sort_at,
    }


def derive_event(tx: Tx, uid: str) -> EventChange | None:
    """Bring the event row of ``uid`` in line with its descriptions; say what changed."""
    rows = tx.conn.execute(
        select(
            descriptions.c.release_id,
            descriptions.c.published,
            descriptions.c.status_rank,
            descriptions.c.version_hash,
            descriptions.c.review,
            descriptions.c.data,
        ).where(descriptions.c.uid == uid)
    ).all()
    by_release = {r.release_id: r for r in rows}
    descs = [
        Description(r.release_id, r.published, r.status_rank, r.version_hash, Review(r.review))
        for r in rows
    ]
    old = tx.conn.execute(
        select(
            events.c.sequence,
            events.c.state,
            events.c.version_hash,
            events.c.status,
            events.c.start_utc,
            events.c.start_date,
            events.c.cancelled_at,
            events.c.title,
        ).where(events.c.uid == uid)
    ).one_or_none()
    resolution = history.resolve(descs)
    if resolution is None:
        return _derive_unpublished(tx, uid, descs, by_release, old)

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
        return None  # the same version again: same bytes, same SEQUENCE
    data_text = by_release[current.release_id].data
    cols = _event_columns(json.loads(data_text))
    status = cols["status"]
    cancelled_at = None
    if status == Status.CANCELLED:
        cancelled_at = (
            old.cancelled_at
            if old is not None and old.status == Status.CANCELLED and old.cancelled_at
            else tx.now
        )
    values = {
        **cols,
        "sequence": sequence,
        "state": EventState.PUBLISHED.value,
        "data": data_text,
        "version_hash": current.version_hash,
        "release_id": current.release_id,
        "last_modified": tx.now,
        "cancelled_at": cancelled_at,
    }
    tx.visible_change = True
    if old is None:
        tx.conn.execute(insert(events).values(uid=uid, created_at=tx.now, **values))
        change = Change.CANCELLED if status == Status.CANCELLED else Change.ADDED
    else:
        tx.conn.execute(update(events).where(events.c.uid == uid).values(**values))
        tx.conn.execute(delete(vevents).where(vevents.c.uid == uid, vevents.c.sequence != sequence))
        if old.state != EventState.PUBLISHED:
            change = Change.CANCELLED if status == Status.CANCELLED else Change.ADDED
        elif status == Status.CANCELLED and old.status != Status.CANCELLED:
            change = Change.CANCELLED
        elif (cols["start_utc"], cols["start_date"]) != (old.start_utc, old.start_date):
            change = Change.RESCHEDULED
        else:
            change = Change.UPDATED
    return EventChange(uid, change, sequence, cols["title"])


def _derive_unpublished(
    tx: Tx, uid: str, descs: list[Description], by_release: dict[int, Any], old: Any
) -> EventChange | None:
    """No counted description: the event is held, rejected or withdrawn."""
    held = [d for d in descs if d.review is Review.HELD]
    if held:
        state = EventState.HELD
        latest = max(held, key=lambda d: d.order)
    elif descs:
        state = EventState.REJECTED
        latest = max(descs, key=lambda d: d.order)
    else:
        state = EventState.WITHDRAWN
        latest = None
    if old is None:
        if state is not EventState.HELD or latest is None:
            return None
        data_text = by_release[latest.release_id].data
        cols = _event_columns(json.loads(data_text))
        tx.conn.execute(
            insert(events).values(
                uid=uid,
                sequence=0,
                state=state.value,
                data=data_text,
                version_hash=latest.version_hash,
                release_id=latest.release_id,
                created_at=tx.now,
                last_modified=tx.now,
                cancelled_at=None,
                **cols,
            )
        )
        return EventChange(uid, Change.HELD, 0, cols["title"])
    if old.state == state.value:
        if state is EventState.HELD and latest is not None:
            # keep the review page showing the latest held description
            data_text = by_release[latest.release_id].data
            cols = _event_columns(json.loads(data_text))
            tx.conn.execute(
                update(events)
                .where(events.c.uid == uid)
                .values(
                    data=data_text,
                    version_hash=latest.version_hash,
                    release_id=latest.release_id,
                    **cols,
                )
            )
        return None
    if old.state == EventState.PUBLISHED:
        tx.visible_change = True
    values: dict[str, Any] = {"state": state.value, "last_modified": tx.now}
    if latest is not None and state is EventState.HELD:
        values.update(
            data=by_release[latest.release_id].data,
            version_hash=latest.version_hash,
            release_id=latest.release_id,
        )
    tx.conn.execute(update(events).where(events.c.uid == uid).values(**values))
    change = {
        EventState.HELD: Change.HELD,
        EventState.REJECTED: Change.WITHDRAWN,
        EventState.WITHDRAWN: Change.WITHDRAWN,
    }[state]
    return EventChange(uid, change, old.sequence, old.title)


__all__ = ["Tx", "bump_version", "clean", "derive_event", "record_parse", "set_review"]
