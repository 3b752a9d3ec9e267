"""What a person reads and taps: SUMMARY, DESCRIPTION, CATEGORIES and RFC 7986 CONFERENCE URIs.

Everything here is plain text or a checked URI. Text from a release is cleaned of control
characters (the library escapes the rest), and URIs that could carry a line break or a space are
refused, so nothing from a release can add a property or a component.

>>> from datetime import date
>>> from icalfeed.model import DialIn, Event, EventKind
>>> e = Event(kind=EventKind.EARNINGS_CALL, title="Acme Q1 2024 call", start=date(2024, 4, 18),
...           tzid=None, all_day=True, dial_ins=(DialIn("913-312-0379", "U.S."),),
...           passcode="8024721")
>>> [c.uri for c in conferences(e, region="US")]
['tel:+1-913-312-0379,,8024721']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

import phonenumbers
import pytz

from icalfeed.calendar.vtimezone import zone
from icalfeed.model import DialIn, Event, EventKind, Status

KIND_LABELS: dict[EventKind, str] = {
    EventKind.EARNINGS_CALL: "Earnings call",
    EventKind.CONFERENCE_PRESENTATION: "Conference presentation",
    EventKind.INVESTOR_DAY: "Investor day",
    EventKind.SHAREHOLDER_MEETING: "Shareholder meeting",
    EventKind.WEBCAST: "Webcast",
    EventKind.OTHER: "Investor event",
}
STATUS_PREFIXES: dict[Status, str] = {
    Status.CONFIRMED: "",
    Status.POSTPONED: "Postponed: ",
    Status.CANCELLED: "Cancelled: ",
}
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
# Every C0/C1 control but LF, and the Unicode line and paragraph separators.
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_URL = re.compile(r"^https?://[^\s\"<>\\^`{|}]+$", re.IGNORECASE)
_BARE_DOMAIN = re.compile(r"^(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)+(?:/[^\s\"<>\\^`{|}]*)?$", re.I)
_POST_DIAL = re.compile(r"^[0-9*#]+$")
# Country words in a dial-in label ("UK toll-free", "Germany") that say how to read the number.
_LABEL_REGIONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), region)
    for pattern, region in (
        (r"\b(u\.?s\.?a?\.?|united states|north america|domestic)(?![a-z])", "US"),
        (r"\bcanad", "CA"),
        (r"\b(u\.?k\.?|united kingdom|britain|england)(?![a-z])", "GB"),
        (r"\bireland\b", "IE"),
        (r"\bgerman", "DE"),
        (r"\bfrance\b|\bfrench\b", "FR"),
        (r"\bswitzerland\b|\bswiss\b", "CH"),
        (r"\bnetherlands\b|\bdutch\b", "NL"),
        (r"\bsweden\b|\bswedish\b", "SE"),
        (r"\bdenmark\b|\bdanish\b", "DK"),
        (r"\bnorway\b|\bnorwegian\b", "NO"),
        (r"\bfinland\b|\bfinnish\b", "FI"),
        (r"\baustralia", "AU"),
        (r"\bnew zealand\b", "NZ"),
        (r"\bjapan", "JP"),
        (r"\bhong kong\b", "HK"),
        (r"\bchina\b|\bchinese\b", "CN"),
        (r"\bindia\b", "IN"),
        (r"\bisrael", "IL"),
    )
)


def clean_text(text: str | None) -> str:
    """``text`` as one TEXT value: line breaks kept as LF, other controls become spaces."""
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub(" ", text).strip()


def clean_line(text: str | None) -> str:
    """``text`` on one line (for a SUMMARY, LOCATION or parameter): whitespace collapsed."""
    return " ".join(clean_text(text).split())


def clean_url(url: str | None) -> str | None:
    """An http(s) URL safe to write as a URI value, or None.

    A bare domain (``www.acme.com/investors``) gets ``https://``; anything with whitespace,
    quotes or control characters is refused rather than repaired.
    """
    if not url:
        return None
    url = url.strip().rstrip(".,;)")
    if _URL.match(url):
        return url
    if _BARE_DOMAIN.match(url):
        return f"https://{url}"
    return None


def long_date(day: date) -> str:
    """``Thursday, April 28, 2011`` whatever the process locale."""
    return f"{_DAYS[day.weekday()]}, {_MONTHS[day.month - 1]} {day.day}, {day.year}"


def _clock(when: datetime) -> str:
    hour = when.hour % 12 or 12
    suffix = "AM" if when.hour < 12 else "PM"
    return f"{hour}:{when.minute:02d} {suffix}"


def summary(event: Event) -> str:
    """The title a calendar shows, with the status in words for clients that ignore STATUS."""
    return STATUS_PREFIXES[event.status] + clean_line(event.title)


def categories(event: Event) -> list[str]:
    """The kind in words and the ticker: ``["Earnings call", "IMGN"]``."""
    out = [KIND_LABELS[event.kind]]
    if event.ticker and clean_line(event.ticker):
        out.append(clean_line(event.ticker))
    return out


def when_line(event: Event) -> str:
    """The start in its own zone: ``Thursday, April 28, 2011, 4:30 PM EDT (America/New_York)``."""
    if event.all_day or not isinstance(event.start, datetime):
        return f"{long_date(event.start_date)} (all day)"
    local = event.start.astimezone(zone(event.tzid)) if event.tzid else event.start
    name = local.tzname() or ""
    zone_name = f" {name}" if name and name != event.tzid else ""
    return f"{long_date(local.date())}, {_clock(local)}{zone_name} ({event.tzid})"


def _numbers(dial_ins: tuple[DialIn, ...]) -> list[str]:
    lines = []
    for dial_in in dial_ins:
        number = clean_line(dial_in.number)
        label = clean_line(dial_in.label)
        lines.append(f"{label}: {number}" if label else number)
    return lines


def _link(url: str | None) -> str:
    """A URL as a phone makes it tappable (``https://`` added), else the text as printed."""
    return clean_url(url) or clean_line(url)


def description(event: Event) -> str:
    """The DESCRIPTION: plain text in short labelled blocks, readable on a phone."""
    blocks: list[list[str]] = []
    head = [clean_line(event.title), when_line(event)]
    if event.status is Status.CANCELLED:
        head.insert(0, "CANCELLED")
    elif event.status is Status.POSTPONED:
        head.insert(0, "POSTPONED")
    if event.conference_name:
        head.append(f"Conference: {clean_line(event.conference_name)}")
    if event.location:
        head.append(f"Location: {clean_line(event.location)}")
    blocks.append(head)

    join: list[str] = []
    if event.dial_ins:
        join.append("Dial-in:")
        join += _numbers(event.dial_ins)
    if event.passcode:
        join.append(f"Passcode: {clean_line(event.passcode)}")
    if event.webcast_url:
        join.append(f"Webcast: {_link(event.webcast_url)}")
    if event.registration_url:
        join.append(f"Registration: {_link(event.registration_url)}")
    blocks.append(join)

    replay = event.replay
    if replay is not None and (replay.until or replay.dial_ins or replay.passcode):
        details = _numbers(replay.dial_ins)
        if replay.passcode:
            details.append(f"Replay passcode: {clean_line(replay.passcode)}")
        label = f"Replay until {long_date(replay.until)}" if replay.until else "Replay"
        lines = [f"{label}:" if details else label, *details]
        blocks.append(lines)

    source = []
    if event.headline:
        source.append(f"From the release “{clean_line(event.headline)}”")
    if event.published:
        source.append(f"Published {long_date(event.published)}")
    blocks.append(source)
    return "\n\n".join("\n".join(b) for b in blocks if b)


@dataclass(frozen=True, slots=True)
class Conference:
    """One RFC 7986 CONFERENCE property: a URI with its FEATURE list and LABEL."""

    uri: str
    feature: str
    label: str


@lru_cache(maxsize=1024)
def zone_region(tzid: str | None) -> str | None:
    """The country a zone belongs to (``America/New_York`` -> ``US``), to read local numbers."""
    if not tzid:
        return None
    for country, zones in pytz.country_timezones.items():
        if tzid in zones:
            return str(country)
    return None


def _label_region(label: str | None) -> str | None:
    if not label:
        return None
    for pattern, region in _LABEL_REGIONS:
        if pattern.search(label):
            return region
    return None


def tel_uri(number: str, *, region: str | None, passcode: str | None = None) -> str | None:
    """An RFC 3966 ``tel:`` URI for a number as printed, with the passcode as post-dial digits.

    Numbers without ``+`` are read as numbers of ``region``; None when the number cannot be
    read as a possible phone number (it stays in the DESCRIPTION as printed).
    """
    try:
        parsed = phonenumbers.parse(number, region or "US")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    uri = str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.RFC3966))
    digits = re.sub(r"[\s.\-]", "", passcode or "")
    if digits and _POST_DIAL.match(digits) and not parsed.extension:
        # Two pauses, then the code: what phone dialers do with commas after the number.
        uri += ",," + digits.replace("#", "%23")
    return uri


def conferences(event: Event, *, region: str | None = None) -> list[Conference]:
    """CONFERENCE properties: one per dial-in (FEATURE=PHONE) and one for the webcast."""
    default_region = region or zone_region(event.tzid) or "US"
    out: list[Conference] = []
    seen: set[str] = set()
    for dial_in in event.dial_ins:
        number_region = _label_region(dial_in.label) or default_region
        uri = tel_uri(dial_in.number, region=number_region, passcode=event.passcode)
        if uri is None or uri in seen:
            continue
        seen.add(uri)
        # A parameter value cannot hold '"'; icalendar would write RFC 6868's ^' that not every
        # client decodes, so the label gets a plain apostrophe instead.
        label = clean_line(dial_in.label).replace('"', "'")
        out.append(Conference(uri, "PHONE", label or "Dial-in"))
    webcast = clean_url(event.webcast_url)
    if webcast is not None:
        # Every webcast carries audio; whether it shows video the release rarely says.
        out.append(Conference(webcast, "AUDIO", "Webcast"))
    return out


__all__ = [
    "KIND_LABELS",
    "Conference",
    "categories",
    "clean_line",
    "clean_text",
    "clean_url",
    "conferences",
    "description",
    "long_date",
    "summary",
    "tel_uri",
    "when_line",
]
