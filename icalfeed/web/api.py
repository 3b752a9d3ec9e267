"""The JSON API: events, a dry-run parse, ingestion with the admin token, and ``/healthz``.

Every answer is JSON, errors too (``{"error": reason, "status": code}``).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request, url_for

from icalfeed import __version__
from icalfeed.errors import StoreError
from icalfeed.serialize import event_to_dict, parsed_release_to_dict
from icalfeed.store.records import AddedRelease, Applied, StoredEvent
from icalfeed.web.app import get_store, store_changed
from icalfeed.web.errors import error_response
from icalfeed.web.feeds import published_event
from icalfeed.web.filters import parse_filters
from icalfeed.web.intake import (
    fetch_submission,
    ingest_submission,
    parse_submission,
    read_submission,
)
from icalfeed.web.security import admin_required, config, require_read

bp = Blueprint("api", __name__)
API_LIMIT = 5000


def stored_to_dict(stored: StoredEvent) -> dict[str, Any]:
    d = event_to_dict(stored.event, sequence=stored.sequence)
    d["uid"] = stored.uid
    d["state"] = stored.state.value
    d["created"] = stored.created.isoformat()
    d["last_modified"] = stored.last_modified.isoformat()
    d["ics_url"] = url_for("feeds.event", uid=stored.uid, _external=True)
    return d


def _json(data: Any, status: int = 200) -> Response:
    response = jsonify(data)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store" if status != 200 else "no-cache"
    return response


@bp.get("/api/events")
def events() -> Response:
    require_read()
    filters = parse_filters(request.args)
    stored = get_store().events(filters.query)
    return _json(
        {
            "count": len(stored),
            "truncated": len(stored) > API_LIMIT,
            "events": [stored_to_dict(s) for s in stored[:API_LIMIT]],
        }
    )


@bp.get("/api/events/<uid>")
def event(uid: str) -> Response:
    require_read()
    return _json(stored_to_dict(published_event(uid)))


@bp.post("/api/parse")
def parse() -> Response:
    """Dry run: the release in, the events the parser reads out; nothing is stored."""
    require_read()
    cfg = config()
    sub = fetch_submission(read_submission(request, cfg), cfg)
    return _json(parsed_release_to_dict(parse_submission(sub, cfg), source=sub.url))


def applied_to_dict(added: AddedRelease, applied: Applied | None) -> dict[str, Any]:
    outcome = applied.outcome if applied and applied.outcome else added.outcome
    return {
        "release_id": added.id,
        "new": added.new,
        "outcome": outcome.value,
        "changes": [
            {"uid": c.uid, "change": c.change.value, "sequence": c.sequence, "title": c.title}
            for c in (applied.changes if applied else ())
        ],
    }


@bp.post("/api/releases")
@admin_required
def releases() -> Response:
    """Store a release and parse it (bearer admin token): 201 when new, 200 when known."""
    cfg = config()
    sub = fetch_submission(read_submission(request, cfg), cfg)
    added, applied = ingest_submission(get_store(), sub, cfg, "api")
    store_changed()
    return _json(applied_to_dict(added, applied), 201 if added.new else 200)


@bp.get("/healthz")
def healthz() -> Response:
    """200 with counts when the store answers; 503 with the reason when it does not."""
    try:
        store = get_store()
        version = store.version()
        counts = store.counts()
    except StoreError as e:
        return error_response(503, f"store unavailable: {e}", {"Retry-After": "30"})
    return _json(
        {
            "status": "ok",
            "version": __version__,
            "store_version": version.counter,
            "last_modified": version.last_modified.isoformat(),
            "counts": counts,
        }
    )


__all__ = ["applied_to_dict", "bp", "stored_to_dict"]
