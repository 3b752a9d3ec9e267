"""The page people use: ``/`` lists events with filters, subscribe buttons and per-event links."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, render_template, request

from icalfeed.store.records import EventQuery
from icalfeed.web.app import get_store
from icalfeed.web.feeds import calendar_options, feed_name
from icalfeed.web.filters import KIND_VALUES, Filters, parse_filters
from icalfeed.web.links import SubscribeLinks, subscribe_links
from icalfeed.web.security import config, read_token_param, require_read
from icalfeed.web.views import KIND_LABELS, event_view

bp = Blueprint("pages", __name__)
PAGE_LIMIT = 500


def base_url() -> str:
    """Where subscribers reach this site: ICALFEED_PUBLIC_URL, else this request's host."""
    public = config().public_url
    return (public or request.url_root).rstrip("/") + "/"


def feed_url(path: str, params: dict[str, str]) -> str:
    if token := read_token_param():
        params = {**params, "token": token}
    return base_url() + path + (("?" + urlencode(params)) if params else "")


def subscriptions(filters: Filters) -> SubscribeLinks:
    """Subscribe links for the feed these filters describe (without dates or ``past``)."""
    params = {k: v for k, v in filters.params().items() if k in ("ticker", "kind", "alarm")}
    return subscribe_links(feed_url("calendar.ics", params), feed_name(filters))


@bp.get("/")
def index() -> str:
    require_read()
    filters = parse_filters(request.args)
    query = filters.query
    store = get_store()
    today = store.clock().date()  # the store's clock: "upcoming" agrees with the feed window
    if not filters.past and query.start is None:
        query = EventQuery(tickers=query.tickers, kinds=query.kinds, start=today, end=query.end)
    stored = store.events(query)
    options = calendar_options()
    events = [
        (s, event_view(s.event, options, uid=s.uid, today=today)) for s in stored[:PAGE_LIMIT]
    ]
    companies = store.companies()
    company_links = [
        (
            c,
            subscribe_links(
                feed_url(f"companies/{c.ticker}.ics", {}),
                feed_name(Filters(query=EventQuery(tickers=(c.ticker,)))),
            ),
        )
        for c in companies
        if not query.tickers or c.ticker.upper() in query.tickers
    ]
    token = read_token_param()
    return render_template(
        "index.html",
        filters=filters,
        events=events,
        truncated=len(stored) > PAGE_LIMIT,
        companies=companies,
        company_links=company_links,
        kinds=[(k, KIND_LABELS[k]) for k in KIND_VALUES],
        subscribe=subscriptions(filters),
        token_suffix=("?" + urlencode({"token": token})) if token else "",
        token=token,
    )


__all__ = ["base_url", "bp", "feed_url", "subscriptions"]
