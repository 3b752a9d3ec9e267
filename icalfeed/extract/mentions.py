"""Dates and times as written in a release, with their character positions.

Every pattern here is linear: bounded repetitions, no nested quantifiers over the same
characters, so adversarial input cannot make it backtrack catastrophically (see
tests/test_extract_redos.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from functools import partial
from operator import itemgetter
from typing import NamedTuple, TypeVar, cast

from icalfeed import regex
from icalfeed.normalize import MONTH_PATTERN, month_number
from icalfeed.timezones import ZONE_PATTERN

__all__ = [
    "DateMention",
    "TimeMention",
    "find_bad_times",
    "find_dates",
    "find_times",
    "resolve_year",
]

_MONTH = MONTH_PATTERN
_MONTH_CAPS = (
    r"(?:JANUARY|FEBRUARY|MARCH|APRIL|MAY|JUNE|JULY|AUGUST|SEPTEMBER|OCTOBER|NOVEMBER|DECEMBER)"
)
_WEEKDAY = (
    r"(?:Mon(?:day)?|Tue(?:s(?:day)?)?|Wed(?:nesday)?|Thu(?:r(?:s(?:day)?)?)?|Fri(?:day)?|"
    r"Sat(?:urday)?|Sun(?:day)?|MONDAY|TUESDAY|WEDNESDAY|THURSDAY|FRIDAY|SATURDAY|SUNDAY)"
)
_WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_MONTH_ABBREVIATIONS = (
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"
)  # fmt: skip
_ORD = r"(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d\d"
# Where a date can start, tested before re tries the pattern's five forms (which cost several
# times more at each of the many places no date starts: "2011 ", "The"): a month or a weekday
# opens with its first three letters (title or upper case; tests/test_mentions_speed.py checks
# every name the patterns accept); the digit forms open with an ASCII digit (a date that opens
# with a digit of another script is not taken) and go on after one or two digits with a space,
# an ordinal, a dash, "to", "and", "&", "." or "/", or are an ISO date (a year and "-").
_DATE_START = (
    r"(?=[0-9]\d?[\s.\-–—&/stnra]|[0-9]\d{3}-|(?:"
    + "|".join(w.title() + "|" + w.upper() for w in (*_MONTH_ABBREVIATIONS, *_WEEKDAYS))
    + "))"
)

# (?=\w) after the test makes regex.compile take the test's own characters, all of them ASCII,
# as the start set re skips to: of two lookaheads it keeps the one whose set it can know,
# and the set of what follows (\d, every Unicode digit) costs re twice as much a character
_DATE_RE = regex.compile(
    r"\b" + _DATE_START + r"(?=\w)" + rf"(?:(?P<wd>{_WEEKDAY})\.?,?\s{{1,3}}(?:the\s)?)?(?:"
    # April 28, 2011 / Apr. 28 / April 28-29, 2011 / April 28th
    rf"(?P<m1>{_MONTH}|{_MONTH_CAPS})\.?\s{{1,3}}(?P<d1>\d{{1,2}}){_ORD}"
    rf"(?:\s{{0,2}}(?:-|–|—|to|and|&)\s{{0,2}}(?P<e1>\d{{1,2}}){_ORD})?(?!\d|:\d|\.\d)"
    rf"(?:,?\s{{1,3}}(?P<y1>{_YEAR})(?!\d))?"
    # 28 April 2011 / 28th of April / 28-29 April 2011
    rf"|(?P<d2>\d{{1,2}}){_ORD}(?:\s{{0,2}}(?:-|–|—|to|and|&)\s{{0,2}}(?P<e2>\d{{1,2}}){_ORD})?"
    rf"\s{{1,3}}(?:of\s)?(?P<m2>{_MONTH}|{_MONTH_CAPS})\b\.?(?:,?\s{{1,3}}(?P<y2>{_YEAR})(?!\d))?"
    # 28.04.2011 / 28/04/2011 is ambiguous: only dotted European and ISO forms, and US slashes
    rf"|(?P<d3>\d{{1,2}})\.(?P<m3>\d{{1,2}})\.(?P<y3>{_YEAR})(?!\d)"
    rf"|(?<![\d-])(?P<y4>{_YEAR})-(?P<m4>\d{{2}})-(?P<d4>\d{{2}})(?![\d:])"
    rf"|(?<![\d/])(?P<m5>\d{{1,2}})/(?P<d5>\d{{1,2}})/(?P<y5>{_YEAR}|\d\d)(?![\d/])"
    r")",
)
_RELATIVE_RE = regex.compile(
    r"\b(?P<rel>today|tomorrow|tonight|this (?:morning|afternoon|evening)|later today)\b",
    re.I,
)


class DateMention(NamedTuple):
    """A date in the text. ``value`` is None when the date does not exist (February 30).

    (Mentions are immutable tuples rather than frozen dataclasses: a release makes hundreds,
    and a frozen dataclass sets each field through ``object.__setattr__``.)"""

    start: int
    end: int
    month: int
    day: int
    year: int | None
    weekday: int | None
    end_day: int | None = None
    relative: str | None = None
    text: str = ""

    def value(self, published: date | None) -> tuple[date | None, bool]:
        """The date and whether its year was inferred from the publication date."""
        if self.relative is not None:
            if published is None:
                return None, False
            return published + timedelta(days=_RELATIVE_DAYS[self.relative]), False
        if self.year is not None:
            try:
                return date(self.year, self.month, self.day), False
            except ValueError:
                return None, False
        return resolve_year(self.month, self.day, published), True


_Mention = TypeVar("_Mention", bound=tuple[object, ...])


def _maker(cls: type[_Mention]) -> Callable[[tuple[object, ...]], _Mention]:
    """A NamedTuple class's instance from the tuple of all its fields, made by tuple.__new__
    itself: the class's own __new__ is Python code, a frame for each mention (with it, about
    1 M instructions more a bench round)."""
    return cast("Callable[[tuple[object, ...]], _Mention]", partial(tuple.__new__, cls))


_new_date_mention = _maker(DateMention)

_RELATIVE_DAYS = {"today": 0, "tonight": 0, "later today": 0, "tomorrow": 1}


def resolve_year(month: int, day: int, published: date | None) -> date | None:
    """The next ``month``/``day`` on or after the publication date (a past one within a week)."""
    if published is None:
        return None
    for year in (published.year, published.year + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate >= published - timedelta(days=7):
            return candidate
    return None


def _weekday(word: str | None) -> int | None:
    return _WEEKDAYS.get(word[:3].lower()) if word else None


# The relative words in lower case, for a search of the text's ASCII letters lower-cased: a
# bytes pattern that opens with one letter, which re skips to several times quicker than to
# the set {t, T, l, L} the case-blind pattern opens with ("later today" holds "today").
_RELATIVE_WORDS = re.compile(rb"t(?:oday|omorrow|onight|his (?:morning|afternoon|evening))")


def _relative_matches(text: str) -> list[re.Match[str]]:
    """``list(_RELATIVE_RE.finditer(text))``, tried only where a match can start: where the
    text's ASCII letters, lower-cased, spell a relative word (every other character a "?":
    the positions stay the text's), or six characters before it ("later today"). A text with a
    character re.IGNORECASE folds to an ASCII letter is searched the plain way."""
    low = regex.ascii_lower_case(text)
    if low is None:
        return list(_RELATIVE_RE.finditer(text))
    starts: list[int] = []
    for word in _RELATIVE_WORDS.finditer(low):
        at = word.start()
        starts += (at - 6, at) if at >= 6 else (at,)
    return regex.matches_at(_RELATIVE_RE, text, starts)


_MONTH_OF: dict[str, int] = {}  # month_number of each name as written, filled on first use
_WEEKDAY_OF: dict[str, int | None] = {}


def find_dates(text: str, check: Callable[[], None] | None = None) -> list[DateMention]:
    """Every date and relative-date word in ``text``, in order.

    ``check`` is called every few hundred matches (the parser's time budget raises there).
    """
    found: list[DateMention] = []
    n = 0
    for m in _DATE_RE.finditer(text):
        n += 1
        if check is not None and n % 256 == 0:
            check()
        # the last group a match closes tells its form (groups numbered as in _DATE_RE):
        # reading only that form's groups costs a fifth of m.groupdict()
        last = m.lastindex
        try:
            if last is None:
                continue
            if last <= 5:
                wd, name, d, end, year = m.group(1, 2, 3, 4, 5)
                month = _MONTH_OF.get(name) or _MONTH_OF.setdefault(name, month_number(name))
            elif last <= 9:
                wd, d, end, name, year = m.group(1, 6, 7, 8, 9)
                month = _MONTH_OF.get(name) or _MONTH_OF.setdefault(name, month_number(name))
            elif last == 12:
                wd, d, mo, year = m.group(1, 10, 11, 12)
                month, end = int(mo), None
            elif last == 15:
                wd, year, mo, d = m.group(1, 13, 14, 15)
                month, end = int(mo), None
            else:
                wd, mo, d, year = m.group(1, 16, 17, 18)
                month, end = int(mo), None
                if len(year) == 2:
                    year = "20" + year
            day = int(d)
        except KeyError:
            continue
        if not (1 <= month <= 12 and 1 <= day <= 31):
            continue
        end_day = int(end) if end else None
        if end_day is not None and not day < end_day <= 31:
            end_day = None
        # (start, end, month, day, year, weekday, end_day, relative, text) by position
        year_number = int(year) if year else None
        if wd is None:
            weekday = None
        elif (weekday := _WEEKDAY_OF.get(wd, -1)) == -1:
            weekday = _WEEKDAY_OF[wd] = _weekday(wd)
        found.append(
            _new_date_mention(
                (m.start(), m.end(), month, day, year_number, weekday, end_day, None, m.group(0))
            )
        )
    relative = _relative_matches(text)
    for m in relative:
        rel = m["rel"].lower()
        key = "today" if rel.startswith(("this ", "later")) else rel
        found.append(
            _new_date_mention((m.start(), m.end(), 0, 0, None, None, None, key, m.group(0)))
        )
    if relative:
        found.sort(key=itemgetter(0))  # by start (a C key function: a lambda costs 0.3 M)
    return found


# ------------------------------------------------------------------------------------ times


def _time_source(noon_words: bool, ascii_digits: bool = False) -> str:
    """The clock-time pattern; without ``noon_words``, without the alternatives that need the
    words "noon" or "midday", and behind a test of what can follow a time's first digits
    (with ``ascii_digits``, a test that the time opens with an ASCII digit: the same pattern
    in a text of ASCII characters only)."""
    noon, end_noon = (r"|noon|midday", r"|noon") if noon_words else ("", "")
    # A time goes on after one or two digits with ":" or "." (4:30, 16.30), a space or am/pm
    # (4 pm), "h" (16h30) or "n" (12noon), or it is three or four digits and am/pm (930am):
    # tested before re tries the five forms, at the many digits no time starts with.
    start = "" if noon_words else r"(?=\d\d?[:.\shaApPn]|\d{3,4}\s?[aApP])"
    if ascii_digits:
        # (?=\w) after the test makes regex.compile take the test's own set, 0-9, as the start
        # set re skips to: of two lookaheads it keeps the one whose set it can know, and \d
        # (every Unicode digit) costs re twice as much a character
        start = r"(?=[0-9]\d?[:.\shaApPn]|[0-9]\d{2,3}\s?[aApP])(?=\w)"
    return (
        rf"(?<![\w:$£€]){start}(?:(?P<h>\d{{1,2}})(?:(?P<sep>[:.])(?P<mi>[0-5]\d))?\s{{0,2}}"
        r"(?P<ap>[aApP])\.?\s?[mM]\b\.?"
        r"|(?P<h24>[01]?\d|2[0-3])[:h](?P<mi24>[0-5]\d)(?:\s?(?:hrs|hours|h)\b\.?)?(?![\d:])"
        rf"|(?P<noon>12(?::00)?\s{{0,2}}noon{noon})"
        r"|(?P<hc>1[0-2]|[1-9])(?P<mc>[0-5]\d)\s?(?P<apc>[aApP])(?:\.?[mM]\.?)?(?![\w])"
        r"|(?<![\d.,$])(?P<hd>[01]?\d|2[0-3])\.(?P<mid>[0-5]\d)(?=\s{0,2}(?:hrs|hours|h\b|CET|"
        r"CEST|EET|EEST|GMT|BST|UTC|WET|WEST|MSK|SGT|HKT|JST|KST|AEST|AEDT|IST|local time|\(|\)))"
        r")(?:\s{0,2}(?:-|–|—|to|until)\s{0,2}(?P<end>\d{1,2}(?:[:.][0-5]\d)?\s{0,2}"
        rf"(?:[ap]\.?\s?m\b\.?)?{end_noon}))?"
    )


_TIME_RE = regex.compile(_time_source(noon_words=True))
# The pattern without the alternatives that need the words "noon" or "midday": in a text that
# has neither it finds the same matches, and it can start only at a digit, which re skips to
# quickly (the full pattern tries every "n" and "m" of the text).
_DIGIT_TIME_RE = regex.compile(_time_source(noon_words=False))
# The same for a text of ASCII characters only, where \d is 0-9.
_ASCII_TIME_RE = regex.compile(_time_source(noon_words=False, ascii_digits=True))
_ZONE_TAIL = (
    rf"(?P<zone_lead>(?:[ \t]{{0,2}}\(|,[ \t]?|[ \t]in[ \t]|[ \t]{{1,2}})?)(?=[A-Za-z])"
    rf"(?:U\.?S\.?[ \t])?(?P<zone>{ZONE_PATTERN}|"
    rf"[A-Z][a-z]{{2,14}}/[A-Z][a-z]{{2,14}}(?:[ \t][A-Z][a-z]{{2,14}})?[ \t]time|"
    rf"[A-Z][a-z]{{2,14}}(?:[ \t][A-Z][a-z]{{2,14}})?[ \t]time|local time)"
    r"(?![A-Za-z])\)?"
)


def _time_pattern(text: str) -> re.Pattern[str]:
    return _TIME_RE if "noon" in text or "midday" in text else _DIGIT_TIME_RE


_ZONE_AFTER = regex.compile(_ZONE_TAIL, re.I)
_END_RE = regex.compile(
    r"(?P<h>\d{1,2})(?:[:.](?P<mi>[0-5]\d))?\s{0,2}(?:(?P<ap>[ap])\.?\s?m)?", re.I
)


class TimeMention(NamedTuple):
    """A clock time in the text; ``zone`` is the zone word written right after it, if any."""

    start: int
    end: int
    hour: int
    minute: int
    end_hour: int | None = None
    end_minute: int | None = None
    zone: str | None = None
    zone_end: int | None = None
    text: str = ""


_new_time_mention = _maker(TimeMention)


def _hour12(hour: int, ap: str) -> int:
    hour %= 12
    return hour + 12 if ap.lower() == "p" else hour


# Where a time can start in an ASCII text, found in its bytes made into classes: each digit a
# "0"; each character a time cannot follow ((?<![\w:$]) of _ASCII_TIME_RE) a space, like the
# spaces themselves, so that a time opens with " 0" (with a space put before the text). re
# skips to a two-character literal with a few instructions a character, and enters its
# matcher (~1 K instructions: the lookbehind and lookahead of _ASCII_TIME_RE cost as much)
# only where one is, not at every digit. The test after " 0" accepts every place where
# _ASCII_TIME_RE can start (each of its forms goes on after the first one or two digits with
# [:.h] and a digit, with spaces and a/p/n, or is three or four digits, a space and a/p) and
# few others; _ASCII_TIME_RE then runs only there.
_TIME_CLASSES = (
    bytes(
        ord("0") if ch.isdigit() else ord(ch) if ch.isalpha() or ch in "_:$" else ord(" ")
        for ch in map(chr, range(128))
    )
    + b" " * 128
)
_ASCII_TIME_STARTS = re.compile(
    # (each choice opens with a character or a set, which re tests before trying it)
    rb" 0(?=[:h ]0|[aApPn]| [aApPn]|  [aApPn]"
    rb"|0(?:[:h ]0|[aApPn]| [aApPn]|  [aApPn]|0 ?[aApP]|00 ?[aApP]))"
)


def _ascii_time_matches(text: str) -> list[re.Match[str]]:
    """``list(_ASCII_TIME_RE.finditer(text))`` for an ASCII ``text``, tried only where
    _ASCII_TIME_STARTS finds a time can start (4.5 M -> 3.6 M instructions a bench round)."""
    classes = b" " + text.encode("ascii").translate(_TIME_CLASSES)
    # (a start's place in ``classes`` is the digit's in the text: one space was put before it)
    starts = [start.start() for start in _ASCII_TIME_STARTS.finditer(classes)]
    return regex.matches_at(_ASCII_TIME_RE, text, starts)


def find_times(text: str, check: Callable[[], None] | None = None) -> list[TimeMention]:
    """Every clock time in ``text`` with the zone word that follows it, in order."""
    found: list[TimeMention] = []
    pattern = _time_pattern(text)
    matches: Iterable[re.Match[str]]
    if pattern is _DIGIT_TIME_RE and text.isascii():
        matches = _ascii_time_matches(text)  # the same matches, found quicker
    else:
        matches = pattern.finditer(text)
    for n, m in enumerate(matches):
        if check is not None and n % 256 == 255:
            check()
        # the groups by number (as in _time_source): a tuple costs less than m.groupdict()
        h, _sep, mi, ap, h24, mi24, _noon, hc, mc, apc, hd, mid, end = m.groups()
        if h is not None:
            hour = int(h)
            if not 1 <= hour <= 12:
                continue
            hour = _hour12(hour, ap)
            minute = int(mi or 0)
        elif h24 is not None:
            hour, minute = int(h24), int(mi24)
        elif hd is not None:
            hour, minute = int(hd), int(mid)
        elif hc is not None:
            hour, minute = _hour12(int(hc), apc), int(mc)
        else:
            hour, minute = 12, 0
        end_hour = end_minute = None
        if end:
            em = _END_RE.match(end)
            if end.lower() == "noon":
                end_hour, end_minute = 12, 0
            elif em:
                eh = int(em["h"])
                emi = int(em["mi"] or 0)
                end_ap = em["ap"] or ap or apc
                if end_ap:
                    eh = _hour12(eh, end_ap) if 1 <= eh <= 12 else -1
                if 0 <= eh <= 23 and (eh, emi) > (hour, minute):
                    end_hour, end_minute = eh, emi
        # "10:00 a.m. - 11:00 a.m." : the start's own am/pm may sit only on the end
        zone = zone_end = None
        z = _ZONE_AFTER.match(text, m.end())
        if z and _plausible_zone(z["zone"]):
            zone, zone_end = z["zone"], z.end()
        found.append(
            _new_time_mention(
                (
                    m.start(),
                    zone_end or m.end(),
                    hour,
                    minute,
                    end_hour,
                    end_minute,
                    zone,
                    zone_end,
                    m.group(0),
                )
            )
        )
    return found


_NOT_ZONE_WORDS = frozenset({"the", "this", "that", "same", "each", "any", "one", "local"})


def _plausible_zone(word: str) -> bool:
    first = word.split()[0].lower()
    if word.lower() == "local time":
        return True
    if len(word) <= 5 and "+" not in word:
        return word.isupper()  # abbreviations only in capitals: "10 am at" is not "AT"
    return first not in _NOT_ZONE_WORDS and word[0].isupper()


_BAD_TIME_RE = regex.compile(
    r"(?<![\w:.$])(?P<h>\d{1,2})(?::(?P<m>\d{2})(?:\s?(?P<ap>[aApP])\.?\s?[mM]\b\.?)?"
    r"|\.(?P<m2>\d{2})\s?(?P<ap2>[aApP])\.?\s?[mM]\b\.?)(?![\d:])"
)


# Every match of _BAD_TIME_RE holds a separator right after its hour's one or two digits and
# before two digits. These find such separators, each with re's quick skip to one character.
_BAD_TIME_SEPARATORS = (
    regex.compile(r":(?<=\d:)(?=\d\d)"),
    regex.compile(r"\.(?<=\d\.)(?=\d\d\s?[aApP])"),
)


def _bad_time_matches(text: str) -> list[re.Match[str]]:
    """``list(_BAD_TIME_RE.finditer(text))``, tried only where a match can start: one or two
    characters before a separator (a match never holds a second one, so none overlap)."""
    separators = sorted(
        m.start() for pattern in _BAD_TIME_SEPARATORS for m in pattern.finditer(text)
    )
    found: list[re.Match[str]] = []
    end = 0
    for at in separators:
        for start in (at - 2, at - 1):
            if start >= end and (m := _BAD_TIME_RE.match(text, start)) is not None:
                found.append(m)
                end = m.end()
                break
    return found


def find_bad_times(text: str) -> list[str]:
    """Clock times that cannot be (``25:00``, ``4:75 p.m.``, ``13:30 p.m.``), as written."""
    bad: list[str] = []
    for m in _bad_time_matches(text):
        hour = int(m["h"])
        minute = int(m["m"] or m["m2"] or 0)
        ap = m["ap"] or m["ap2"]
        if minute > 59 or hour > 23 or (ap and not 1 <= hour <= 12):
            bad.append(m.group(0).strip())
    return bad
