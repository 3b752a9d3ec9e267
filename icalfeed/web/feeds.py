"""What calendar apps fetch: ``/calendar.ics``, ``/companies/<ticker>.ics``, ``/events/<uid>.ics``.

Feeds are assembled from VEVENT bytes the store caches per (UID, SEQUENCE, variant); the
variant names the renderer version, the options and the reminder, so a change of any of them
renders again. A revalidation costs one ``store.feed_version`` read.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache

from flask import Blueprint, Response, current_app, request

from icalfeed.calendar import CalendarOptions, render_event_calendar, render_feed
from icalfeed.errors import NotFoundError
from icalfeed.feeds import feed_entry, vevent_renderer
from icalfeed.store.records import EventState, StoredEvent
from icalfeed.web.app import get_store
from icalfeed.web.conditional import (
    VALIDATORS_KEY,
    Body,
    BodyCache,
    Validators,
    VersionCache,
    cached_response,
    make_body,
    make_etag,
)
from icalfeed.web.filters import Filters, check_uid, parse_filters, parse_ticker
from icalfeed.web.security import config, require_read

bp = Blueprint("feeds", __name__)

ICS_MIMETYPE = "text/calendar"  # werkzeug adds "; charset=utf-8"
FEED_MAX_AGE = 300


def calendar_options() -> CalendarOptions:
    options: CalendarOptions = current_app.extensions["icalfeed.options"]
    return options


@lru_cache(maxsize=512)
def named_options(options: CalendarOptions, name: str) -> CalendarOptions:
    """``options`` renamed (a company feed's name), built once per name: a 304 stays cheap."""
    return options.replace(name=name)


def _bodies() -> BodyCache:
    cache: BodyCache = current_app.extensions["icalfeed.bodies"]
    return cache


def feed_name(filters: Filters) -> str:
    name = config().calendar_name
    if filters.query.tickers:
        name = f"{name}: {', '.join(filters.query.tickers)}"
    return name


def _known_ticker(ticker: str) -> bool:
    return any(c.ticker.upper() == ticker for c in get_store().companies())


def feed_response(filters: Filters, *, company: str | None = None) -> Response:
    """The feed for ``filters`` (304 when the client's copy is current)."""
    require_read()
    store = get_store()
    options = named_options(calendar_options(), feed_name(filters))
    variant, render = vevent_renderer(options, filters.alarm)
    versions: VersionCache = current_app.extensions["icalfeed.versions"]
    version = versions.get(filters.query, store.feed_version)
    etag = make_etag("feed", version.etag, variant, repr(options.calendar_key))

    def body() -> Body:
        def make() -> bytes:
            cached = store.vevents(filters.query, render, variant)
            if company is not None and not cached and not _known_ticker(company):
                raise NotFoundError(f"no company with ticker {company!r} has published events")
            return render_feed([feed_entry(c) for c in cached], options)

        return _bodies().get_or_make(etag, make)

    filename = f"{company.lower() if company else 'calendar'}.ics"
    response = cached_response(
        etag=etag,
        last_modified=version.last_modified,
        body=body,
        mimetype=ICS_MIMETYPE,
        max_age=FEED_MAX_AGE,
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
        private=config().private,
    )
    if not config().private:
        # The revalidation shortcut (conditional.py) answers the next ones from these.
        request.environ[VALIDATORS_KEY] = Validators(etag, response.headers["Last-Modified"])
    return response


@bp.get("/calendar.ics")
def calendar() -> Response:
    return feed_response(parse_filters(request.args))


@bp.get("/companies/<ticker>.ics")
def company(ticker: str) -> Response:
    ticker = parse_ticker(ticker)
    return feed_response(parse_filters(request.args, ticker=ticker), company=ticker)


def published_event(uid: str) -> StoredEvent:
    """The stored event if it is in feeds; NotFoundError otherwise (held, rejected...)."""
    stored = get_store().event(check_uid(uid))
    if stored.state is not EventState.PUBLISHED:
        raise NotFoundError(f"event {uid!r} is not published")
    return stored


@bp.get("/events/<uid>.ics")
def event(uid: str) -> Response:
    require_read()
    stored = published_event(uid)
    options = calendar_options()
    alarm = parse_filters(request.args).alarm
    variant, render = vevent_renderer(options, alarm)
    etag = make_etag("event", stored.uid, str(stored.sequence), variant)
    modified = stored.last_modified.astimezone(UTC) if stored.last_modified else datetime.now(UTC)

    def body() -> Body:
        cached = get_store().vevent(stored.uid, render, variant)
        return make_body(render_event_calendar(feed_entry(cached), options))

    filename = stored.uid.split("@", 1)[0] + ".ics"
    return cached_response(
        etag=etag,
        last_modified=modified,
        body=body,
        mimetype=ICS_MIMETYPE,
        max_age=FEED_MAX_AGE,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        private=config().private,
    )


__all__ = ["bp", "calendar_options", "feed_response"]
