"""Query-string filters shared by feeds, the page and the API, checked in one place.

``ticker=IMGN,ABC&kind=earnings_call&from=2024-01-01&to=2024-12-31&alarm=15&past=1``. A bad value
raises :class:`FilterError` (the app answers 400 with its message), never a silent default.

>>> f = parse_filters({"ticker": "imgn, abc", "kind": "earnings_call", "alarm": "15"})
>>> f.query.tickers, f.query.kinds, f.alarm
(('IMGN', 'ABC'), ('earnings_call',), 15)
>>> parse_filters({"from": "2024-02-30"})
Traceback (most recent call last):
...
icalfeed.web.filters.FilterError: from='2024-02-30': expected a date as YYYY-MM-DD
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from icalfeed.calendar.options import MAX_ALARM_MINUTES
from icalfeed.model import EventKind
from icalfeed.store.records import EventQuery

TICKER_RE = re.compile(r"^[A-Z0-9][A-Z0-9.\-]{0,14}$")
UID_RE = re.compile(r"^[a-z0-9][a-z0-9\-]{0,200}@[a-z0-9.\-]{1,60}$")
KIND_VALUES = tuple(k.value for k in EventKind)
MAX_ITEMS = 50
KNOWN = ("ticker", "kind", "from", "to", "alarm", "past", "token")


class FilterError(ValueError):
    """A query parameter with a value the app cannot use (answered with 400)."""


def _split(value: str) -> list[str]:
    return [x.strip() for x in value.split(",") if x.strip()]


def parse_ticker(value: str) -> str:
    """An upper-case ticker such as ``IMGN`` or ``BRK.B``; FilterError otherwise."""
    ticker = value.strip().upper()
    if not TICKER_RE.match(ticker):
        raise FilterError(f"ticker={value[:40]!r}: expected letters, digits, '.' or '-'")
    return ticker


def _date(name: str, value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise FilterError(f"{name}={value[:40]!r}: expected a date as YYYY-MM-DD") from None


def _flag(name: str, value: str) -> bool:
    v = value.strip().lower()
    if v in {"1", "true", "yes", "on"}:
        return True
    if v in {"0", "false", "no", "off", ""}:
        return False
    raise FilterError(f"{name}={value[:40]!r}: expected 1 or 0")


@dataclass(frozen=True, slots=True)
class Filters:
    """What one request asks for: the store query, a reminder and whether past events show."""

    query: EventQuery = field(default_factory=EventQuery)
    alarm: int | None = None
    past: bool = False

    def params(self, **changes: str | None) -> dict[str, str]:
        """These filters as query parameters (for links), with some changed or removed."""
        out: dict[str, str] = {}
        if self.query.tickers:
            out["ticker"] = ",".join(self.query.tickers)
        if self.query.kinds:
            out["kind"] = ",".join(self.query.kinds)
        if self.query.start:
            out["from"] = self.query.start.isoformat()
        if self.query.end:
            out["to"] = self.query.end.isoformat()
        if self.alarm is not None:
            out["alarm"] = str(self.alarm)
        if self.past:
            out["past"] = "1"
        for key, value in changes.items():
            key = key.rstrip("_")  # from_= for "from"
            if value is None:
                out.pop(key, None)
            else:
                out[key] = value
        return out

    def query_string(self, **changes: str | None) -> str:
        params = self.params(**changes)
        return ("?" + urlencode(params)) if params else ""

    @property
    def variant(self) -> str:
        """What, besides the query, changes a feed's bytes (part of its ETag)."""
        return f"alarm={self.alarm}" if self.alarm is not None else ""


def parse_filters(args: Mapping[str, str], *, ticker: str | None = None) -> Filters:
    """Filters from a query string; ``ticker`` pins one company (``/companies/<ticker>.ics``)."""
    tickers: list[str] = []
    if ticker is not None:
        tickers.append(parse_ticker(ticker))
    elif raw := args.get("ticker"):
        tickers = [parse_ticker(t) for t in _split(raw)]
    kinds: list[str] = []
    if raw := args.get("kind"):
        for k in _split(raw):
            if k not in KIND_VALUES:
                raise FilterError(f"kind={k[:40]!r}: expected one of {', '.join(KIND_VALUES)}")
            kinds.append(k)
    if len(tickers) > MAX_ITEMS or len(kinds) > MAX_ITEMS:
        raise FilterError(f"at most {MAX_ITEMS} tickers or kinds per request")
    start = _date("from", args["from"]) if args.get("from") else None
    end = _date("to", args["to"]) if args.get("to") else None
    if start and end and end < start:
        raise FilterError(f"to={end} is before from={start}")
    alarm: int | None = None
    if (raw := args.get("alarm")) is not None and raw.strip():
        if not raw.strip().isdigit() or int(raw) > MAX_ALARM_MINUTES:
            raise FilterError(
                f"alarm={raw[:40]!r}: expected minutes before the start, 0 to {MAX_ALARM_MINUTES}"
            )
        alarm = int(raw)
    past = _flag("past", args.get("past", ""))
    query = EventQuery(
        tickers=tuple(dict.fromkeys(tickers)),
        kinds=tuple(dict.fromkeys(kinds)),
        start=start,
        end=end,
    )
    return Filters(query=query, alarm=alarm, past=past)


def check_uid(uid: str) -> str:
    """A UID as :func:`icalfeed.identity.event_uid` makes them; FilterError otherwise."""
    if not UID_RE.match(uid):
        raise FilterError(f"{uid[:80]!r} is not an event UID (e.g. imgn-earnings-call-q3@icalfeed)")
    return uid


__all__ = ["FilterError", "Filters", "check_uid", "parse_filters", "parse_ticker"]
