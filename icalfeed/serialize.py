"""Events and parse results as JSON-ready dicts, and back.

The shape is the one ``icalfeed parse --format json`` prints and ``../shared/tools/corpus-score``
reads (``start`` as ISO 8601 with offset, or ``YYYY-MM-DD`` when all-day; ``dial_in`` as the
numbers printed), plus what a calendar or a store needs to rebuild the event exactly
(``uid``, labels, replay details, flags, evidence span).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import pytz

from icalfeed.errors import InvalidEventError
from icalfeed.identity import event_uid
from icalfeed.model import (
    DialIn,
    Event,
    EventKind,
    Evidence,
    Flag,
    Issuer,
    Listing,
    ParsedRelease,
    Replay,
    Status,
)


def issuer_to_dict(issuer: Issuer | None) -> dict[str, Any]:
    if issuer is None:
        return {"name": None, "exchange": None, "ticker": None, "listings": []}
    return {
        "name": issuer.name,
        "exchange": issuer.exchange,
        "ticker": issuer.ticker,
        "listings": [{"exchange": li.exchange, "ticker": li.ticker} for li in issuer.listings],
    }


def issuer_from_dict(d: dict[str, Any] | None) -> Issuer | None:
    if not d or (not d.get("name") and not d.get("listings") and not d.get("ticker")):
        return None
    listings = tuple(Listing(x.get("exchange"), x["ticker"]) for x in d.get("listings") or ())
    if not listings and d.get("ticker"):
        listings = (Listing(d.get("exchange"), d["ticker"]),)
    return Issuer(d.get("name"), listings)


def _when(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    return value.isoformat()


def _parse_when(value: str | None, tzid: str | None, all_day: bool) -> datetime | date | None:
    if value is None:
        return None
    if all_day:
        return date.fromisoformat(value[:10])
    dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if dt.tzinfo is None or not tzid:
        raise InvalidEventError(f"timed value {value!r} needs an offset and a tzid")
    return dt.astimezone(pytz.timezone(tzid))


def _dial_ins(items: tuple[DialIn, ...]) -> tuple[list[str], list[str | None]]:
    return [d.number for d in items], [d.label for d in items]


def _dial_ins_from(
    numbers: list[str] | None, labels: list[str | None] | None
) -> tuple[DialIn, ...]:
    numbers = numbers or []
    labels = list(labels or [])
    labels += [None] * (len(numbers) - len(labels))
    return tuple(DialIn(n, lab) for n, lab in zip(numbers, labels, strict=False))


def event_to_dict(event: Event, *, sequence: int = 0) -> dict[str, Any]:
    """The event as a JSON-ready dict (the ``events`` items of ``icalfeed parse --format json``)."""
    numbers, labels = _dial_ins(event.dial_ins)
    replay = None
    if event.replay is not None:
        r_numbers, r_labels = _dial_ins(event.replay.dial_ins)
        replay = {
            "until": _when(event.replay.until),
            "dial_in": r_numbers,
            "dial_in_labels": r_labels,
            "passcode": event.replay.passcode,
        }
    utc = event.utc_start
    return {
        "uid": event_uid(event),
        "sequence": sequence,
        "kind": event.kind.value,
        "title": event.title,
        "start": _when(event.start),
        "end": _when(event.end),
        "tzid": event.tzid,
        "all_day": event.all_day,
        "utc_start": utc.strftime("%Y-%m-%dT%H:%M:%SZ") if utc else None,
        "local_time": event.local_time.isoformat(timespec="minutes") if event.local_time else None,
        "status": event.status.value,
        "issuer": issuer_to_dict(event.issuer),
        "identity": event.identity,
        "conference_name": event.conference_name,
        "fiscal_period": event.fiscal_period,
        "location": event.location,
        "dial_in": numbers,
        "dial_in_labels": labels,
        "passcode": event.passcode,
        "webcast_url": event.webcast_url,
        "registration_url": event.registration_url,
        "replay_until": _when(event.replay.until) if event.replay else None,
        "replay": replay,
        "headline": event.headline,
        "published": _when(event.published),
        "confidence": round(event.confidence, 3),
        "evidence": event.evidence.text if event.evidence else None,
        "evidence_span": [event.evidence.start, event.evidence.end] if event.evidence else None,
        "flags": sorted(f.value for f in event.flags),
        "warnings": list(event.warnings),
    }


def event_from_dict(d: dict[str, Any]) -> Event:
    """Rebuild an Event from :func:`event_to_dict`'s output (raises InvalidEventError)."""
    try:
        all_day = bool(d["all_day"])
        tzid = d.get("tzid")
        replay = None
        if d.get("replay"):
            r = d["replay"]
            replay = Replay(
                until=date.fromisoformat(r["until"]) if r.get("until") else None,
                dial_ins=_dial_ins_from(r.get("dial_in"), r.get("dial_in_labels")),
                passcode=r.get("passcode"),
            )
        elif d.get("replay_until"):
            replay = Replay(until=date.fromisoformat(d["replay_until"][:10]))
        evidence = None
        if d.get("evidence") is not None:
            span = d.get("evidence_span") or [0, 0]
            evidence = Evidence(int(span[0]), int(span[1]), d["evidence"])
        start = _parse_when(d["start"], tzid, all_day)
        assert start is not None
        return Event(
            kind=EventKind(d["kind"]),
            title=d["title"],
            start=start,
            end=_parse_when(d.get("end"), tzid, all_day),
            tzid=tzid,
            all_day=all_day,
            status=Status(d.get("status") or "confirmed"),
            issuer=issuer_from_dict(d.get("issuer")),
            identity=d.get("identity") or "",
            conference_name=d.get("conference_name"),
            fiscal_period=d.get("fiscal_period"),
            location=d.get("location"),
            dial_ins=_dial_ins_from(d.get("dial_in"), d.get("dial_in_labels")),
            passcode=d.get("passcode"),
            webcast_url=d.get("webcast_url"),
            registration_url=d.get("registration_url"),
            replay=replay,
            headline=d.get("headline"),
            published=date.fromisoformat(d["published"]) if d.get("published") else None,
            local_time=time.fromisoformat(d["local_time"]) if d.get("local_time") else None,
            confidence=float(d.get("confidence", 1.0)),
            evidence=evidence,
            flags=frozenset(Flag(f) for f in d.get("flags") or ()),
            warnings=tuple(d.get("warnings") or ()),
        )
    except (KeyError, TypeError, ValueError) as e:
        if isinstance(e, InvalidEventError):
            raise
        raise InvalidEventError(f"not an event dict: {type(e).__name__}: {e}") from e


def parsed_release_to_dict(parsed: ParsedRelease, *, source: str | None = None) -> dict[str, Any]:
    """One object of ``icalfeed parse --format json``'s output array."""
    rel = parsed.release
    return {
        "source": source,
        "published": _when(rel.published),
        "published_from": rel.published_from,
        "headline": rel.headline,
        "issuer": issuer_to_dict(parsed.issuer),
        "events": [event_to_dict(e) for e in parsed.events],
        "warnings": list(parsed.warnings),
    }


__all__ = [
    "event_from_dict",
    "event_to_dict",
    "issuer_from_dict",
    "issuer_to_dict",
    "parsed_release_to_dict",
]
