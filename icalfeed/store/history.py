"""How the descriptions of one event, from every release that mentions it, become the event.

Pure functions, no database. The rules (README, "Identity and SEQUENCE"):

- Only descriptions that are confident enough or accepted by a person count.
- They are ordered by the release's publication date, then cancelled > postponed > confirmed
  (a cancellation published the same day as the announcement is the later news), then by their
  content: the order releases arrive in never matters.
- The event is the *first* description of the last run of equal versions, so a release that only
  repeats the current details (a reminder) changes nothing, and SEQUENCE counts the changes of
  version along that history.
- Two descriptions are the same version when everything the calendar shows is equal; the
  release's headline, its date, the evidence span and the parser's confidence do not count.

>>> a = Description(1, date(2024, 1, 5), 0, "v1", Review.AUTO)
>>> b = Description(2, date(2024, 2, 1), 0, "v2", Review.AUTO)
>>> c = Description(3, date(2024, 2, 3), 0, "v2", Review.AUTO)
>>> r = resolve([c, a, b])
>>> r.current.release_id, r.changes
(2, 1)
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from icalfeed.identity import event_uid
from icalfeed.model import Event, Status
from icalfeed.serialize import event_to_dict
from icalfeed.store.records import PreparedEvent, Review

# Fields of serialize.event_to_dict that describe the release rather than the event.
NOT_VERSIONED = frozenset(
    {
        "uid",
        "sequence",
        "headline",
        "published",
        "confidence",
        "evidence",
        "evidence_span",
        "flags",
        "warnings",
    }
)

STATUS_RANK = {Status.CONFIRMED.value: 0, Status.POSTPONED.value: 1, Status.CANCELLED.value: 2}
COUNTED = frozenset({Review.AUTO, Review.ACCEPTED})


def version_hash(data: Mapping[str, Any]) -> str:
    """SHA-256 of the fields a calendar shows, independent of key order."""
    shown = {k: v for k, v in data.items() if k not in NOT_VERSIONED}
    blob = json.dumps(shown, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def status_rank(status: str) -> int:
    return STATUS_RANK.get(status, 0)


@dataclass(frozen=True, slots=True)
class Description:
    """What the history needs of one description."""

    release_id: int
    published: date
    status_rank: int
    version_hash: str
    review: Review

    @property
    def order(self) -> tuple[date, int, str, int]:
        return (self.published, self.status_rank, self.version_hash, self.release_id)


@dataclass(frozen=True, slots=True)
class Resolution:
    """The description that is the event now, and how many times the event changed."""

    current: Description
    changes: int


def resolve(descriptions: Iterable[Description]) -> Resolution | None:
    """The event the counted descriptions make, or None when none counts."""
    counted = sorted((d for d in descriptions if d.review in COUNTED), key=lambda d: d.order)
    if not counted:
        return None
    current, changes = counted[0], 0
    for previous, d in itertools.pairwise(counted):
        if d.version_hash != previous.version_hash:
            current, changes = d, changes + 1
    return Resolution(current, changes)


def next_sequence(
    *, old_sequence: int | None, old_hash: str | None, was_published: bool, new: Resolution
) -> int:
    """SEQUENCE after a change: the history's count, never lower than before, +1 on a change.

    A subscriber ignores an update whose SEQUENCE is not above the one it has, so an event that
    was in feeds and now shows something else must go up even when a reparse shortened the
    history.
    """
    if old_sequence is None:
        return new.changes
    if was_published and old_hash != new.current.version_hash:
        return max(new.changes, old_sequence + 1)
    return max(new.changes, old_sequence)


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


def dumps(data: Mapping[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def event_columns(ev: Event) -> dict[str, Any]:
    """The ``events`` table's searchable columns for one event."""
    utc = ev.utc_start
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
        "sort_at": utc or datetime.combine(ev.start_date, time(0), UTC),
    }


def prepare_events(events: Iterable[Event]) -> tuple[PreparedEvent, ...]:
    """One description per UID, ready to store; the most confident wins when a release repeats
    an event. Pure, so ingestion runs it in the parser's worker processes."""
    out: dict[str, tuple[Event, dict[str, Any]]] = {}
    for ev in events:
        uid = event_uid(ev)
        if uid in out and out[uid][0].confidence >= ev.confidence:
            continue
        out[uid] = (ev, event_to_dict(ev))
    return tuple(
        PreparedEvent(
            uid=uid,
            data=clean(dumps(data)) or "",
            version_hash=version_hash(data),
            status_rank=status_rank(data["status"]),
            confidence=ev.confidence,
            flags=tuple(sorted(f.value for f in ev.flags)),
            columns=event_columns(ev),
        )
        for uid, (ev, data) in out.items()
    )


__all__ = [
    "NOT_VERSIONED",
    "Description",
    "Resolution",
    "clean",
    "dumps",
    "event_columns",
    "next_sequence",
    "prepare_events",
    "resolve",
    "status_rank",
    "version_hash",
]
