"""Stable identities: one UID per real-world event, whatever release announces it.

The UID is built from who holds the event (ticker, else company name), what kind of event it
is and what names it for that issuer (``Event.identity``: fiscal period, conference and year,
meeting and year). It never uses the time or the wording, so an update, a reschedule or a
cancellation of the same event keeps its UID and calendars update it in place.

>>> from datetime import date
>>> from icalfeed.model import Event, EventKind, Issuer, Listing
>>> e = Event(kind=EventKind.EARNINGS_CALL, title="ImmunoGen Q3 FY2011 earnings call",
...           start=date(2011, 4, 28), tzid=None, all_day=True, identity="Q3 FY2011",
...           issuer=Issuer("ImmunoGen, Inc.", (Listing("NASDAQ", "IMGN"),)))
>>> event_uid(e)
'imgn-earnings-call-q3-fy2011@icalfeed'
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from icalfeed.model import Event, Issuer

UID_DOMAIN = "icalfeed"
_MAX_PART = 60


def slug(text: str, limit: int = _MAX_PART) -> str:
    """Lower-case ASCII words joined by hyphens: ``"Q3 FY2011"`` -> ``"q3-fy2011"``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    out = "-".join(words)
    return out[:limit].rstrip("-")


_COMPANY_SUFFIXES = re.compile(
    r"\b(inc|incorporated|corp|corporation|co|company|ltd|limited|plc|llc|ag|sa|se|asa|nv|"
    r"holdings?|group|the)\b\.?",
    re.IGNORECASE,
)


def issuer_key(issuer: Issuer | None) -> str:
    """The issuer part of a UID: the ticker, else the company name without legal suffixes."""
    if issuer is None:
        return "unknown"
    if issuer.ticker:
        return slug(issuer.ticker, 20) or "unknown"
    if issuer.name:
        return slug(_COMPANY_SUFFIXES.sub(" ", issuer.name), 40) or slug(issuer.name, 40)
    return "unknown"


def event_uid(event: Event) -> str:
    """The event's calendar UID, stable across releases about the same event."""
    what = slug(event.identity) or slug(event.title)
    kind = slug(event.kind.value)
    who = issuer_key(event.issuer)
    if who == "unknown" and event.headline:
        # no issuer found: the release's headline keeps two companies' AGMs apart
        who = "unknown-" + hashlib.sha256(event.headline.encode()).hexdigest()[:8]
    return f"{who}-{kind}-{what}@{UID_DOMAIN}"


__all__ = ["event_uid", "issuer_key", "slug"]
