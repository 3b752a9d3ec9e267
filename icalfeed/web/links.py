"""Links that put a feed or an event into someone's calendar app.

Subscribing (a feed URL): ``webcal://`` for Apple Calendar and Outlook desktop, Google Calendar's
add-by-URL (``calendar/r?cid=webcal://…``), Outlook.com's add-from-web, and the plain URL.
One event: the ``.ics`` download, Google's ``calendar/render?action=TEMPLATE`` (with ``ctz`` so
Google shows the event's own zone) and Outlook.com's compose deeplink (UTC times).

>>> s = subscribe_links("https://ir.example.com/calendar.ics?ticker=IMGN", "IMGN events")
>>> s.webcal
'webcal://ir.example.com/calendar.ics?ticker=IMGN'
>>> s.google
'https://calendar.google.com/calendar/r?cid=webcal%3A%2F%2Fir.example.com%2Fcalendar.ics%3Fticker%3DIMGN'
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import quote, urlencode

import pytz

from icalfeed.calendar.options import CalendarOptions
from icalfeed.model import Event

GOOGLE_SUBSCRIBE = "https://calendar.google.com/calendar/r"
GOOGLE_TEMPLATE = "https://calendar.google.com/calendar/render"
OUTLOOK_SUBSCRIBE = "https://outlook.live.com/calendar/0/addfromweb"
OUTLOOK_COMPOSE = "https://outlook.live.com/calendar/0/deeplink/compose"
MAX_DETAILS = 1500  # Google and Outlook links break past a few kB of URL


@dataclass(frozen=True, slots=True)
class SubscribeLinks:
    url: str  # https:// or http://, to copy
    webcal: str
    google: str
    outlook: str


def webcal_url(url: str) -> str:
    """``https://x/calendar.ics`` -> ``webcal://x/calendar.ics`` (http too)."""
    for scheme in ("https://", "http://"):
        if url.startswith(scheme):
            return "webcal://" + url[len(scheme) :]
    return url


def subscribe_links(url: str, name: str) -> SubscribeLinks:
    webcal = webcal_url(url)
    return SubscribeLinks(
        url=url,
        webcal=webcal,
        google=f"{GOOGLE_SUBSCRIBE}?cid={quote(webcal, safe='')}",
        outlook=f"{OUTLOOK_SUBSCRIBE}?{urlencode({'url': url, 'name': name}, quote_via=quote)}",
    )


def event_end(event: Event, options: CalendarOptions) -> datetime | date:
    """The end a calendar shows: the release's, else the kind's default length (all-day: +1d)."""
    if event.all_day:
        last = event.end if isinstance(event.end, date) else event.start_date
        return last + timedelta(days=1)
    assert isinstance(event.start, datetime)
    if isinstance(event.end, datetime):
        return event.end
    return event.start + options.duration_for(event.kind)


def _details(event: Event) -> str:
    lines = []
    if event.dial_ins:
        lines.append("Dial-in: " + "; ".join(d.number for d in event.dial_ins))
    if event.passcode:
        lines.append(f"Passcode: {event.passcode}")
    if event.webcast_url:
        lines.append(f"Webcast: {event.webcast_url}")
    if event.headline:
        lines.append(event.headline)
    return "\n".join(lines)[:MAX_DETAILS]


def google_event_link(event: Event, options: CalendarOptions) -> str:
    """Google Calendar's "add event" link, in the event's own zone (``ctz``)."""
    end = event_end(event, options)
    params = {"action": "TEMPLATE", "text": event.title}
    if event.all_day:
        params["dates"] = f"{event.start_date:%Y%m%d}/{end:%Y%m%d}"
    else:
        assert isinstance(event.start, datetime)
        assert isinstance(end, datetime)
        tzid = event.tzid or "UTC"
        tz = pytz.timezone(tzid)
        start_local, end_local = event.start.astimezone(tz), end.astimezone(tz)
        params["dates"] = f"{start_local:%Y%m%dT%H%M%S}/{end_local:%Y%m%dT%H%M%S}"
        params["ctz"] = tzid
    if details := _details(event):
        params["details"] = details
    if event.location:
        params["location"] = event.location[:300]
    return f"{GOOGLE_TEMPLATE}?{urlencode(params, quote_via=quote)}"


def outlook_event_link(event: Event, options: CalendarOptions) -> str:
    """Outlook.com's compose deeplink (times in UTC; all-day as dates)."""
    end = event_end(event, options)
    params = {"path": "/calendar/action/compose", "rru": "addevent", "subject": event.title}
    if event.all_day:
        params["startdt"] = event.start_date.isoformat()
        params["enddt"] = end.isoformat()[:10]
        params["allday"] = "true"
    else:
        assert isinstance(event.start, datetime)
        assert isinstance(end, datetime)
        params["startdt"] = event.start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        params["enddt"] = end.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if details := _details(event):
        params["body"] = details
    if event.location:
        params["location"] = event.location[:300]
    return f"{OUTLOOK_COMPOSE}?{urlencode(params, quote_via=quote)}"


def safe_href(url: str | None) -> str | None:
    """``url`` if it is http(s), else None: release text never becomes a javascript: link."""
    if not url:
        return None
    lowered = url.strip().lower()
    if lowered.startswith(("https://", "http://")) and not any(c in url for c in "\r\n\t "):
        return url.strip()
    return None


__all__ = [
    "SubscribeLinks",
    "event_end",
    "google_event_link",
    "outlook_event_link",
    "safe_href",
    "subscribe_links",
    "webcal_url",
]
