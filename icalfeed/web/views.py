"""Events as the page shows them: times in the event's zone, links, details — all plain strings.

Templates only print these fields (Jinja escapes them); nothing from a release reaches the page
as markup, and only http(s) URLs become links.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytz

from icalfeed.calendar import CalendarOptions
from icalfeed.model import Event, EventKind, Status
from icalfeed.web.links import event_end, google_event_link, outlook_event_link, safe_href

KIND_LABELS = {
    EventKind.EARNINGS_CALL.value: "Earnings call",
    EventKind.CONFERENCE_PRESENTATION.value: "Conference presentation",
    EventKind.INVESTOR_DAY.value: "Investor day",
    EventKind.SHAREHOLDER_MEETING.value: "Shareholder meeting",
    EventKind.WEBCAST.value: "Webcast",
    EventKind.OTHER.value: "Other event",
}


@dataclass(frozen=True, slots=True)
class EventView:
    uid: str | None
    title: str
    kind: str
    kind_label: str
    company: str
    ticker: str | None
    status: str
    date_text: str  # "Thu 28 Apr 2011"
    time_text: str  # "4:30 PM – 5:30 PM EDT" or "All day"
    zone: str | None  # "America/New_York"
    utc_start: str | None  # ISO with Z, for the reader's zone (JS)
    utc_end: str | None
    dial_ins: tuple[str, ...]
    passcode: str | None
    webcast: str | None
    location: str | None
    headline: str | None
    confidence: float
    warnings: tuple[str, ...]
    google: str
    outlook: str
    past: bool


def _clock(value: datetime) -> str:
    return value.strftime("%I:%M %p").lstrip("0")


def event_view(
    event: Event, options: CalendarOptions, *, uid: str | None = None, today: date | None = None
) -> EventView:
    end = event_end(event, options)
    utc_start = utc_end = None
    zone: str | None = None
    if event.all_day or not isinstance(event.start, datetime):
        time_text = "All day"
    else:
        assert isinstance(end, datetime)
        zone = event.tzid or "UTC"
        tz = pytz.timezone(zone)
        start_local, end_local = event.start.astimezone(tz), end.astimezone(tz)
        time_text = f"{_clock(start_local)} – {_clock(end_local)} {start_local.strftime('%Z')}"
        utc_start = event.start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        utc_end = end.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    issuer = event.issuer
    company = (issuer.name if issuer and issuer.name else None) or event.ticker or "Unknown issuer"
    today = today or datetime.now(UTC).date()
    return EventView(
        uid=uid,
        title=event.title,
        kind=event.kind.value,
        kind_label=KIND_LABELS.get(event.kind.value, event.kind.value),
        company=company,
        ticker=event.ticker,
        status=event.status.value if event.status is not Status.CONFIRMED else "",
        date_text=event.start_date.strftime("%a %d %b %Y"),
        time_text=time_text,
        zone=zone,
        utc_start=utc_start,
        utc_end=utc_end,
        dial_ins=tuple(f"{d.label}: {d.number}" if d.label else d.number for d in event.dial_ins),
        passcode=event.passcode,
        webcast=safe_href(event.webcast_url),
        location=event.location,
        headline=event.headline,
        confidence=event.confidence,
        warnings=event.warnings,
        google=google_event_link(event, options),
        outlook=outlook_event_link(event, options),
        past=event.start_date < today,
    )


__all__ = ["KIND_LABELS", "EventView", "event_view"]
