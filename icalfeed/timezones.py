"""Time-zone words in releases -> IANA zones; wall-clock times -> aware instants.

Pure: no clock, no environment. Abbreviations name a *place's wall clock*, not a fixed offset:
industry convention writes "EST" all year for New York time, so "4:30 p.m. EST" in July is
16:30 EDT. Daylight saving comes from the zone's rules at the event's date (pytz).

Ambiguous abbreviations are settled by context (:class:`ZoneContext`): ``CST`` is China Standard
Time only when the release is Chinese (dateline or text), otherwise US Central; ``IST`` is India
unless the dateline is in Ireland (Irish) or Israel; ``CET+1`` is Finnish/Eastern European time.
When a release names a place whose zone keeps the same clock as the abbreviation's usual zone
(CET for a meeting in Stockholm), the place's own zone is used.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

import pytz

from icalfeed import regex
from icalfeed.model import Flag

__all__ = [
    "ZONE_PATTERN",
    "ZoneContext",
    "localize",
    "place_zone",
    "resolve_zone",
    "same_clock",
]

# Abbreviation or name (lower-case, spaces single) -> default IANA zone.
_ZONES: dict[str, str] = {
    "et": "America/New_York", "est": "America/New_York", "edt": "America/New_York",
    "eastern": "America/New_York", "eastern time": "America/New_York",
    "eastern standard time": "America/New_York", "eastern daylight time": "America/New_York",
    "eastern prevailing time": "America/New_York", "ept": "America/New_York",
    "new york time": "America/New_York", "nyc time": "America/New_York",
    "ct": "America/Chicago", "cst": "America/Chicago", "cdt": "America/Chicago",
    "central": "America/Chicago", "central time": "America/Chicago",
    "central standard time": "America/Chicago", "central daylight time": "America/Chicago",
    "mt": "America/Denver", "mst": "America/Denver", "mdt": "America/Denver",
    "mountain": "America/Denver", "mountain time": "America/Denver",
    "mountain standard time": "America/Denver", "mountain daylight time": "America/Denver",
    "pt": "America/Los_Angeles", "pst": "America/Los_Angeles", "pdt": "America/Los_Angeles",
    "pacific": "America/Los_Angeles", "pacific time": "America/Los_Angeles",
    "pacific standard time": "America/Los_Angeles", "pacific daylight time": "America/Los_Angeles",
    "akst": "America/Anchorage", "akdt": "America/Anchorage", "hst": "Pacific/Honolulu",
    "ast": "America/Halifax", "adt": "America/Halifax", "atlantic time": "America/Halifax",
    "nst": "America/St_Johns", "ndt": "America/St_Johns",
    "gmt": "Europe/London", "bst": "Europe/London", "uk time": "Europe/London",
    "british summer time": "Europe/London", "greenwich mean time": "Europe/London",
    "london time": "Europe/London",
    "wet": "Europe/Lisbon", "west": "Europe/Lisbon",
    "cet": "Europe/Paris", "cest": "Europe/Paris", "met": "Europe/Paris", "mez": "Europe/Berlin",
    "mesz": "Europe/Berlin", "central european time": "Europe/Paris",
    "central european summer time": "Europe/Paris",
    "central european standard time": "Europe/Paris",
    "eet": "Europe/Helsinki", "eest": "Europe/Helsinki", "eastern european time": "Europe/Helsinki",
    "eastern european summer time": "Europe/Helsinki", "cet+1": "Europe/Helsinki",
    "msk": "Europe/Moscow", "moscow time": "Europe/Moscow",
    "ist": "Asia/Kolkata", "indian standard time": "Asia/Kolkata", "india time": "Asia/Kolkata",
    "gst": "Asia/Dubai", "gulf standard time": "Asia/Dubai",
    "sgt": "Asia/Singapore", "singapore time": "Asia/Singapore",
    "hkt": "Asia/Hong_Kong", "hong kong time": "Asia/Hong_Kong",
    "china standard time": "Asia/Shanghai", "beijing time": "Asia/Shanghai",
    "jst": "Asia/Tokyo", "japan standard time": "Asia/Tokyo", "tokyo time": "Asia/Tokyo",
    "kst": "Asia/Seoul", "korea standard time": "Asia/Seoul",
    "aest": "Australia/Sydney", "aedt": "Australia/Sydney", "aet": "Australia/Sydney",
    "australian eastern standard time": "Australia/Sydney",
    "australian eastern daylight time": "Australia/Sydney", "sydney time": "Australia/Sydney",
    "awst": "Australia/Perth", "acst": "Australia/Adelaide", "acdt": "Australia/Adelaide",
    "nzst": "Pacific/Auckland", "nzdt": "Pacific/Auckland", "new zealand time": "Pacific/Auckland",
    "utc": "UTC", "z": "UTC", "coordinated universal time": "UTC",
}  # fmt: skip

_SORTED = sorted(_ZONES, key=len, reverse=True)
ZONE_PATTERN = (
    r"(?:"
    + "|".join(
        re.escape(z).replace(r"\ ", r"\s+") for z in _SORTED if z not in ("z", "west", "met")
    )
    + r"|WEST|MET)"
)

# Places: cities, US states and countries seen in datelines and venues -> zone.
_PLACES: dict[str, str] = {
    "new york": "America/New_York", "boston": "America/New_York", "waltham": "America/New_York",
    "philadelphia": "America/New_York", "pittsburgh": "America/New_York",
    "washington": "America/New_York", "atlanta": "America/New_York", "miami": "America/New_York",
    "toronto": "America/Toronto", "montreal": "America/Toronto", "ottawa": "America/Toronto",
    "chicago": "America/Chicago", "houston": "America/Chicago", "dallas": "America/Chicago",
    "minneapolis": "America/Chicago", "st. louis": "America/Chicago", "austin": "America/Chicago",
    "winnipeg": "America/Winnipeg", "denver": "America/Denver", "calgary": "America/Edmonton",
    "edmonton": "America/Edmonton",
    "phoenix": "America/Phoenix", "salt lake city": "America/Denver",
    "los angeles": "America/Los_Angeles", "san francisco": "America/Los_Angeles",
    "san diego": "America/Los_Angeles", "seattle": "America/Los_Angeles",
    "vancouver": "America/Vancouver", "cupertino": "America/Los_Angeles",
    "palo alto": "America/Los_Angeles", "san jose": "America/Los_Angeles",
    "portland": "America/Los_Angeles", "las vegas": "America/Los_Angeles",
    "mexico city": "America/Mexico_City", "sao paulo": "America/Sao_Paulo",
    "são paulo": "America/Sao_Paulo", "buenos aires": "America/Argentina/Buenos_Aires",
    "london": "Europe/London", "edinburgh": "Europe/London", "dublin": "Europe/Dublin",
    "lisbon": "Europe/Lisbon", "paris": "Europe/Paris", "madrid": "Europe/Madrid",
    "barcelona": "Europe/Madrid", "brussels": "Europe/Brussels", "amsterdam": "Europe/Amsterdam",
    "luxembourg": "Europe/Luxembourg", "frankfurt": "Europe/Berlin", "berlin": "Europe/Berlin",
    "munich": "Europe/Berlin", "hamburg": "Europe/Berlin", "düsseldorf": "Europe/Berlin",
    "zurich": "Europe/Zurich", "zürich": "Europe/Zurich", "geneva": "Europe/Zurich",
    "basel": "Europe/Zurich", "vienna": "Europe/Vienna", "milan": "Europe/Rome",
    "rome": "Europe/Rome", "copenhagen": "Europe/Copenhagen", "stockholm": "Europe/Stockholm",
    "oslo": "Europe/Oslo", "helsinki": "Europe/Helsinki", "espoo": "Europe/Helsinki",
    "riga": "Europe/Riga", "tallinn": "Europe/Tallinn", "vilnius": "Europe/Vilnius",
    "warsaw": "Europe/Warsaw", "prague": "Europe/Prague", "budapest": "Europe/Budapest",
    "athens": "Europe/Athens", "istanbul": "Europe/Istanbul", "moscow": "Europe/Moscow",
    "tel aviv": "Asia/Jerusalem", "jerusalem": "Asia/Jerusalem", "dubai": "Asia/Dubai",
    "abu dhabi": "Asia/Dubai", "riyadh": "Asia/Riyadh", "mumbai": "Asia/Kolkata",
    "bengaluru": "Asia/Kolkata", "bangalore": "Asia/Kolkata", "new delhi": "Asia/Kolkata",
    "delhi": "Asia/Kolkata", "hyderabad": "Asia/Kolkata", "chennai": "Asia/Kolkata",
    "pune": "Asia/Kolkata", "singapore": "Asia/Singapore", "hong kong": "Asia/Hong_Kong",
    "beijing": "Asia/Shanghai", "shanghai": "Asia/Shanghai", "shenzhen": "Asia/Shanghai",
    "guangzhou": "Asia/Shanghai", "hangzhou": "Asia/Shanghai", "taipei": "Asia/Taipei",
    "tokyo": "Asia/Tokyo", "osaka": "Asia/Tokyo", "seoul": "Asia/Seoul",
    "sydney": "Australia/Sydney", "melbourne": "Australia/Melbourne",
    "brisbane": "Australia/Brisbane", "perth": "Australia/Perth",
    "adelaide": "Australia/Adelaide", "auckland": "Pacific/Auckland",
    "wellington": "Pacific/Auckland", "johannesburg": "Africa/Johannesburg",
    "cape town": "Africa/Johannesburg",
    # US states and abbreviations as datelines write them
    "mass.": "America/New_York", "massachusetts": "America/New_York", "n.y.": "America/New_York",
    "n.j.": "America/New_York", "new jersey": "America/New_York", "conn.": "America/New_York",
    "connecticut": "America/New_York", "pa": "America/New_York", "pa.": "America/New_York",
    "pennsylvania": "America/New_York", "md.": "America/New_York", "maryland": "America/New_York",
    "va.": "America/New_York", "virginia": "America/New_York", "n.c.": "America/New_York",
    "north carolina": "America/New_York", "ga.": "America/New_York", "georgia": "America/New_York",
    "fla.": "America/New_York", "florida": "America/New_York", "ohio": "America/New_York",
    "mich.": "America/Detroit", "michigan": "America/Detroit", "vt.": "America/New_York",
    "vermont": "America/New_York", "n.h.": "America/New_York", "maine": "America/New_York",
    "r.i.": "America/New_York", "del.": "America/New_York", "d.c.": "America/New_York",
    "s.c.": "America/New_York", "ind.": "America/Indiana/Indianapolis",
    "ill.": "America/Chicago", "illinois": "America/Chicago", "tx": "America/Chicago",
    "texas": "America/Chicago", "minn.": "America/Chicago", "minnesota": "America/Chicago",
    "wis.": "America/Chicago", "wisconsin": "America/Chicago", "mo.": "America/Chicago",
    "missouri": "America/Chicago", "iowa": "America/Chicago", "tenn.": "America/Chicago",
    "tennessee": "America/Chicago", "la.": "America/Chicago", "louisiana": "America/Chicago",
    "okla.": "America/Chicago", "oklahoma": "America/Chicago", "kan.": "America/Chicago",
    "neb.": "America/Chicago", "ala.": "America/Chicago", "alabama": "America/Chicago",
    "colo.": "America/Denver", "colorado": "America/Denver", "utah": "America/Denver",
    "idaho": "America/Boise", "mont.": "America/Denver", "n.m.": "America/Denver",
    "ariz.": "America/Phoenix", "arizona": "America/Phoenix", "calif.": "America/Los_Angeles",
    "california": "America/Los_Angeles",
    "ca": "America/Los_Angeles", "wash.": "America/Los_Angeles",
    "ore.": "America/Los_Angeles", "oregon": "America/Los_Angeles", "nev.": "America/Los_Angeles",
    "nv": "America/Los_Angeles", "nevada": "America/Los_Angeles", "hawaii": "Pacific/Honolulu",
    "ontario": "America/Toronto", "quebec": "America/Toronto", "alberta": "America/Edmonton",
    "british columbia": "America/Vancouver", "b.c.": "America/Vancouver",
    # countries with one zone
    "united kingdom": "Europe/London", "england": "Europe/London", "ireland": "Europe/Dublin",
    "france": "Europe/Paris", "germany": "Europe/Berlin", "netherlands": "Europe/Amsterdam",
    "belgium": "Europe/Brussels", "switzerland": "Europe/Zurich", "austria": "Europe/Vienna",
    "italy": "Europe/Rome", "spain": "Europe/Madrid", "denmark": "Europe/Copenhagen",
    "sweden": "Europe/Stockholm", "norway": "Europe/Oslo", "finland": "Europe/Helsinki",
    "latvia": "Europe/Riga", "estonia": "Europe/Tallinn", "lithuania": "Europe/Vilnius",
    "poland": "Europe/Warsaw", "greece": "Europe/Athens", "israel": "Asia/Jerusalem",
    "india": "Asia/Kolkata", "china": "Asia/Shanghai", "japan": "Asia/Tokyo",
    "korea": "Asia/Seoul", "south korea": "Asia/Seoul", "taiwan": "Asia/Taipei",
    "new zealand": "Pacific/Auckland", "south africa": "Africa/Johannesburg",
    "singapore city": "Asia/Singapore", "uae": "Asia/Dubai", "hungary": "Europe/Budapest",
}  # fmt: skip

_CHINESE = regex.compile(
    r"\b(?:Beijing|Shanghai|Shenzhen|Guangzhou|Hangzhou|China|Chinese|PRC|RMB|Renminbi)\b"
)


@dataclass(frozen=True, slots=True)
class ZoneContext:
    """What a release says about where it is: the dateline's zone and whether it is Chinese
    (``chinese``, or a Chinese dateline, or two Chinese place words in the first 20,000
    characters of ``text``: looked for only when a CST needs it)."""

    dateline_zone: str | None = None
    chinese: bool = False
    text: str = field(default="", repr=False)

    @classmethod
    def for_release(cls, dateline_place: str | None, text: str) -> ZoneContext:
        zone = place_zone(dateline_place) if dateline_place else None
        return cls(zone, False, text)

    def is_chinese(self) -> bool:
        return (
            self.chinese
            or self.dateline_zone == "Asia/Shanghai"
            or len(_CHINESE.findall(self.text[:20000])) >= 2
        )


def _key(word: str) -> str:
    return " ".join(word.lower().replace("(", " ").replace(")", " ").split())


def resolve_zone(word: str, context: ZoneContext | None = None) -> str | None:
    """The IANA zone a zone word means in this release, or None when it names none."""
    key = _key(word)
    context = context or ZoneContext()
    if key in ("cst", "china standard time") and context.is_chinese():
        return "Asia/Shanghai"
    if key == "ist" and context.dateline_zone in ("Europe/Dublin", "Asia/Jerusalem"):
        return context.dateline_zone
    if key.endswith(" time") and key not in _ZONES:
        return place_zone(key[: -len(" time")].split("/")[0])
    return _ZONES.get(key)


_PLACE_MAX_WORDS = max(len(p.split()) for p in _PLACES)
# The first word of every place name: a run of words is looked up only from such a word.
_PLACE_FIRST_WORDS = frozenset(p.split(" ")[0] for p in _PLACES)
# Candidate place names: runs of capitalised words ("Salt Lake City", "Mass.", "N.J.", "CA").
_CAPITALISED_RUN = regex.compile(
    r"(?<![\w.])[A-ZÀ-Þ][\w.'’-]{0,30}(?:[ ][A-ZÀ-Þ][\w.'’-]{0,30}){0,3}"
)


def place_zone(place: str) -> str | None:
    """The zone of a dateline or venue (``WALTHAM, Mass.``, ``Helsinki, Finland``), if known.

    The first place named wins (a city before its state or country).
    """
    for m in _CAPITALISED_RUN.finditer(place):
        words = m.group(0).split(" ")
        for i in range(len(words)):  # every sub-run, longest first at each start
            first = words[i].lower()
            if first not in _PLACE_FIRST_WORDS and first.rstrip(".,") not in _PLACE_FIRST_WORDS:
                continue  # no place name starts with this word
            for j in range(min(len(words), i + _PLACE_MAX_WORDS), i, -1):
                name = " ".join(words[i:j]).lower()
                zone = _PLACES.get(name) or _PLACES.get(name.rstrip(".,"))
                if zone:
                    return zone
    return None


@functools.lru_cache(maxsize=1024)
def _zone(tzid: str) -> tzinfo:
    """The pytz zone named ``tzid`` (``pytz.UnknownTimeZoneError`` if there is none)."""
    return pytz.timezone(tzid)


_DAY = timedelta(days=1)
_NO_FLAGS: frozenset[Flag] = frozenset()


def _unique(tz: Any, wall: datetime) -> datetime | None:
    """``tz.localize(wall)`` when no transition of ``tz`` lies within a day of ``wall`` (the
    wall clock then exists once), read straight from pytz's transition table; None otherwise.

    pytz's own localize tries both neighbouring offsets and normalises each (tens of µs): with
    no transition between ``wall - 1 day`` and ``wall + 1 day`` both tries find the same offset,
    and this is the datetime they return (tests compare the two over every zone the parser
    knows, on days around their transitions).
    """
    times = getattr(tz, "_utc_transition_times", None)
    if times is None:
        return None
    try:
        lo = bisect_right(times, wall - _DAY)
        if lo == 0 or lo != bisect_right(times, wall + _DAY):
            return None
    except OverflowError:
        return None
    aware: datetime = wall.replace(tzinfo=tz._tzinfos[tz._transition_info[lo - 1]])
    return aware


def same_clock(a: str, b: str, on: date) -> bool:
    """Whether two zones show the same wall-clock time at noon on ``on``."""
    za, zb = _zone(a), _zone(b)
    noon = datetime(on.year, on.month, on.day, 12)
    at_a = _unique(za, noon) or za.localize(noon)  # type: ignore[attr-defined]
    at_b = _unique(zb, noon) or zb.localize(noon)  # type: ignore[attr-defined]
    return bool(at_a.utcoffset() == at_b.utcoffset())


def localize(wall: datetime, tzid: str) -> tuple[datetime, frozenset[Flag], str | None]:
    """Wall clock in ``tzid`` -> aware datetime, with flags and a warning for gaps and overlaps.

    A time that does not exist (spring-forward gap) moves forward by the gap and is flagged
    ``time_nonexistent``; a time that exists twice (fall-back overlap) takes the first
    occurrence (daylight time) and is flagged ``time_ambiguous``.
    """
    tz: Any = _zone(tzid)
    aware = _unique(tz, wall)
    if aware is not None:
        return aware, _NO_FLAGS, None
    try:
        return tz.localize(wall, is_dst=None), _NO_FLAGS, None
    except pytz.NonExistentTimeError:
        aware = tz.normalize(tz.localize(wall, is_dst=False))
        warning = (
            f"{wall:%Y-%m-%d %H:%M} does not exist in {tzid} (clocks go forward); "
            f"read as {aware:%H:%M %Z}"
        )
        return aware, frozenset({Flag.TIME_NONEXISTENT}), warning
    except pytz.AmbiguousTimeError:
        aware = tz.localize(wall, is_dst=True)
        warning = (
            f"{wall:%Y-%m-%d %H:%M} happens twice in {tzid} (clocks go back); "
            f"read as the first, {aware:%H:%M %Z}"
        )
        return aware, frozenset({Flag.TIME_AMBIGUOUS}), warning
