"""The date and time patterns of icalfeed.extract.mentions, written for speed, against the plain
patterns they replace: the same matches with the same groups on the corpus and on random texts
made of the pieces dates and times are made of (digits of other scripts, names in every case,
the separators, text boundaries)."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest

from icalfeed.extract import mentions
from icalfeed.normalize import MONTH_PATTERN
from tests.conftest import release_texts

# ------------------------------------------------------------------- the patterns as they were

_MONTH_CAPS = (
    r"(?:JANUARY|FEBRUARY|MARCH|APRIL|MAY|JUNE|JULY|AUGUST|SEPTEMBER|OCTOBER|NOVEMBER|DECEMBER)"
)
_WEEKDAY = (
    r"(?:Mon(?:day)?|Tue(?:s(?:day)?)?|Wed(?:nesday)?|Thu(?:r(?:s(?:day)?)?)?|Fri(?:day)?|"
    r"Sat(?:urday)?|Sun(?:day)?|MONDAY|TUESDAY|WEDNESDAY|THURSDAY|FRIDAY|SATURDAY|SUNDAY)"
)
_ORD = r"(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d\d"
_M = MONTH_PATTERN
PLAIN_DATE = re.compile(
    r"\b(?=[0-9JFMASONDTWjfmasondtw])"
    rf"(?:(?P<wd>{_WEEKDAY})\.?,?\s{{1,3}}(?:the\s)?)?(?:"
    rf"(?P<m1>{_M}|{_MONTH_CAPS})\.?\s{{1,3}}(?P<d1>\d{{1,2}}){_ORD}"
    rf"(?:\s{{0,2}}(?:-|–|—|to|and|&)\s{{0,2}}(?P<e1>\d{{1,2}}){_ORD})?(?!\d|:\d|\.\d)"
    rf"(?:,?\s{{1,3}}(?P<y1>{_YEAR})(?!\d))?"
    rf"|(?P<d2>\d{{1,2}}){_ORD}(?:\s{{0,2}}(?:-|–|—|to|and|&)\s{{0,2}}(?P<e2>\d{{1,2}}){_ORD})?"
    rf"\s{{1,3}}(?:of\s)?(?P<m2>{_M}|{_MONTH_CAPS})\b\.?(?:,?\s{{1,3}}(?P<y2>{_YEAR})(?!\d))?"
    rf"|(?P<d3>\d{{1,2}})\.(?P<m3>\d{{1,2}})\.(?P<y3>{_YEAR})(?!\d)"
    rf"|(?<![\d-])(?P<y4>{_YEAR})-(?P<m4>\d{{2}})-(?P<d4>\d{{2}})(?![\d:])"
    rf"|(?<![\d/])(?P<m5>\d{{1,2}})/(?P<d5>\d{{1,2}})/(?P<y5>{_YEAR}|\d\d)(?![\d/])"
    r")"
)
_CLOCK = (
    r"(?:(?P<h>\d{1,2})(?:(?P<sep>[:.])(?P<mi>[0-5]\d))?\s{0,2}(?P<ap>[aApP])\.?\s?[mM]\b\.?"
    r"|(?P<h24>[01]?\d|2[0-3])[:h](?P<mi24>[0-5]\d)(?:\s?(?:hrs|hours|h)\b\.?)?(?![\d:])"
    r"|(?P<noon>12(?::00)?\s{0,2}noon|noon|midday)"
    r"|(?P<hc>1[0-2]|[1-9])(?P<mc>[0-5]\d)\s?(?P<apc>[aApP])(?:\.?[mM]\.?)?(?![\w])"
    r"|(?<![\d.,$])(?P<hd>[01]?\d|2[0-3])\.(?P<mid>[0-5]\d)(?=\s{0,2}(?:hrs|hours|h\b|CET|CEST|"
    r"EET|EEST|GMT|BST|UTC|WET|WEST|MSK|SGT|HKT|JST|KST|AEST|AEDT|IST|local time|\(|\))))"
)
_PLAIN_TIME_SOURCE = (
    rf"(?<![\w:$£€])(?:{_CLOCK})"
    rf"(?:\s{{0,2}}(?:-|–|—|to|until)\s{{0,2}}(?P<end>\d{{1,2}}(?:[:.][0-5]\d)?\s{{0,2}}"
    r"(?:[ap]\.?\s?m\b\.?)?|noon))?"
)
PLAIN_TIME = re.compile(_PLAIN_TIME_SOURCE)
PLAIN_DIGIT_TIME = re.compile(
    _PLAIN_TIME_SOURCE.replace("|noon|midday)", ")").replace("?)?|noon))?", "?)?))?")
)

# ------------------------------------------------------------------------------------ texts

_PIECES = [
    # names in every case, whole and cut short
    "April", "Apr.", "APRIL", "april", "Apri", "May", "MAY", "Sept.", "Sep", "SEPT", "June",
    "Jun", "JUN", "Thursday", "Thu", "Thurs", "THURSDAY", "THU", "Tues.", "Mon", "Monday",
    "MONDAY", "Mond", "Wed", "Sat", "Sun", "Fri", "The", "This", "Jan", "December", "Marc",
    # digits, also of other scripts (\d and int() take them) and the fullwidth forms
    "1", "2", "4", "9", "10", "12", "13", "23", "24", "28", "30", "31", "45", "60", "75", "99",
    "00", "05", "2011", "1999", "2030", "123", "930", "1030", "12345",
    "\u0661", "\u0662\u0668", "\u0968", "\uff11\uff12", "\u0663\u0660",
    # what comes between the parts
    " ", "  ", "   ", "\t", "\n", "\u00a0", "\u2009", ",", ", ", ".", ". ", ":", "/", "-", "–",
    "—", "&", " to ", "to", " and ", " of ", "of ", "the ", "st", "nd", "rd", "th", "h", "hrs",
    " hours", "a.m.", "p.m.", "am", "pm", "AM", "P.M.", "a. m.", "A", "p", "m", "M", "noon",
    " noon", "midday", " until ", "$", "£", "€", "(", ")", "ET", " CET", " GMT", " local time",
    "x", "a", "n", "r", "s", "t", "_", "é",
]  # fmt: skip


_DAY = ["1", "4", "28", "31", "32", "00", "123", "\u0662\u0668", "\uff11"]
_SPACE = ["", " ", "  ", "    ", "\u00a0", "\n", ", ", ","]
# the parts of a date and of a time in the order they are written, each maybe left out
_DATE_SLOTS = [
    ["", "Thursday", "Thu.", "THURSDAY", "Tues", "Mon", "thursday"],
    ["", ",", ", the ", " the", "."],
    _SPACE,
    ["", "April", "Apr.", "APRIL", "Sept", "May", "june", "Junes"],
    _SPACE,
    _DAY,
    ["", "st", "th", "rd", ".", "/", ":"],
    ["", "-", " - ", "–", " to ", "and", " & ", "to"],
    _DAY,
    ["", "th", "."],
    _SPACE,
    ["", "of ", "April", "DECEMBER", "Dec.", "Decembers", "04", "4"],
    ["", ".", "/", "-", ", ", " "],
    ["", "2011", "1999", "11", "2011-04-28", "28.04.2011", "4/28/2011", "20111", "2011:"],
    ["", "0", ":", "/", ".5"],
]
_TIME_SLOTS = [
    ["", "$", "(", ":", "x", "at ", "1.", "-"],
    ["4", "10", "12", "13", "24", "930", "1030", "123", "\u0664", "\u0661\u0660"],
    ["", ":", ".", "h", ": "],
    ["", "00", "30", "59", "60", "75", "5"],
    ["", " ", "  ", "   "],
    ["", "a.m.", "p.m.", "am", "PM", "P. M.", "a", "noon", "hrs", "h", "CET", "local time"],
    ["", " - ", "-", " to ", "until", "–"],
    ["", "5", "11:30", "13", "noon", "5.30"],
    ["", " p.m.", "am", "pm.", " ET", " (CEST)"],
    ["", "0", ":", "x", "."],
]


def _built(rng: random.Random, slots: list[list[str]]) -> str:
    parts = []
    for options in slots:
        roll = rng.random()
        parts.append(
            rng.choice(_PIECES) if roll < 0.05 else "" if roll < 0.25 else rng.choice(options)
        )
    return "".join(parts)


def _random_texts(count: int, seed: int) -> list[str]:
    """Random pieces; and dates and times built part by part, some parts left out or changed."""
    rng = random.Random(seed)
    texts = ["".join(rng.choices(_PIECES, k=rng.randint(1, 40))) for _ in range(count)]
    for _ in range(count):
        lead, tail = rng.choice(["", "on ", "x", "1", "-", "/"]), rng.choice(["", ".", "x", "1"])
        made = [
            _built(rng, rng.choice([_DATE_SLOTS, _TIME_SLOTS])) for _ in range(rng.randint(1, 3))
        ]
        texts.append(lead + rng.choice(["", " ", ", "]).join(made) + tail)
    return texts


# every character a date or a time can go on with after its first digits, right after them
_EDGES = [
    f"{lead}{day}{joint}{tail}"
    for lead in ("", "x", "Tue ", "(", "$")
    for day in ("4", "28", "\u0662\u0668", "2011", "930")
    for joint in ("st", "nd", "rd", "th", "-", "–", "—", "to", "and", "&", " ", "\u00a0", ".", "/",
                  ":", "h", "a", "p", "n", "am", "P.M.", "noon")
    for tail in ("", "29 April", "29th of April", " April", "04.2011", "28/2011", "30", "30 CET")
]  # fmt: skip
TEXTS = [
    "",
    "1",
    "April 28",
    "28 April",
    "Thursday, April 28, 2011 at 4:30 p.m. ET",
    "on 2011-04-28, 28.04.2011 or 4/28/11; 9:00-10:30 a.m.; 930am; 16h30; 12noon; 16.30 CET",
    *_EDGES,
    *release_texts(),
    *_random_texts(4000, 20261122),
]


def _found(pattern: re.Pattern[str], text: str) -> list[tuple[Any, ...]]:
    return [(m.span(), m.groupdict()) for m in pattern.finditer(text)]


def _searched(pattern: re.Pattern[str], text: str, pos: int) -> tuple[Any, ...] | None:
    m = pattern.search(text, pos)
    return (m.span(), m.groupdict()) if m else None


@pytest.mark.parametrize(
    ("ours", "plain"),
    [
        (mentions._DATE_RE, PLAIN_DATE),
        (mentions._TIME_RE, PLAIN_TIME),
        (mentions._DIGIT_TIME_RE, PLAIN_DIGIT_TIME),
    ],
    ids=["date", "time", "digit-time"],
)
def test_the_fast_pattern_finds_what_the_plain_one_finds(
    ours: re.Pattern[str], plain: re.Pattern[str]
) -> None:
    """Same spans, same groups; also searching from every place in a short text (a lookbehind
    or a word boundary then looks at what comes before the start)."""
    for text in TEXTS:
        assert _found(ours, text) == _found(plain, text), text
        if len(text) < 200:
            for pos in range(len(text) + 1):
                assert _searched(ours, text, pos) == _searched(plain, text, pos), (text, pos)


def _language(items: list[tuple[Any, Any]]) -> set[str]:
    """Every string a pattern of literals, groups, alternations and ``?`` matches."""
    words = {""}
    for op, av in items:
        name = str(op)
        if name == "LITERAL":
            options = {chr(av)}
        elif name == "SUBPATTERN":
            options = _language(list(av[3]))
        elif name == "BRANCH":
            options = set().union(*(_language(list(b)) for b in av[1]))
        elif name == "MAX_REPEAT" and (av[0], av[1]) == (0, 1):
            options = {""} | _language(list(av[2]))
        else:
            raise AssertionError(f"not a finite word list: {op}")
        words = {w + o for w in words for o in options}
    return words


def _words(source: str) -> set[str]:
    parser: Any = __import__("re._parser", fromlist=["parse"])
    return _language(list(parser.parse(source)))


def test_every_name_a_date_opens_with_passes_the_start_test() -> None:
    """The test at a date's start lets through every month and weekday the pattern accepts
    (they open with one of its three-letter words), and the names are what they were."""
    names = _words(MONTH_PATTERN) | _words(_MONTH_CAPS) | _words(_WEEKDAY)
    assert {"Sept", "SEPTEMBER", "Thurs", "Tues", "MONDAY", "May"} <= names
    start = re.compile(mentions._DATE_START)
    assert all(start.match(name) for name in names)
    assert _words(mentions._MONTH_CAPS) == _words(_MONTH_CAPS)
    assert _words(mentions._WEEKDAY) == _words(_WEEKDAY)


@pytest.mark.parametrize(
    "text",
    [
        "April 28-29, 2011",
        "Thu., the 28th of April",
        "Tue 28 APRIL 2011",
        "28 to 30 June",
        "Tue \u0662\u0668 April",
        "on 28.04.2011",
        "2011-04-28",
        "4/28/11",
    ],
)
def test_dates_the_start_test_lets_through(text: str) -> None:
    assert mentions.find_dates(text), text


def test_impossible_times_are_found_where_finditer_finds_them() -> None:
    """Impossible clock times are tried only next to their separators: the same matches as
    searching the whole text, on the corpus and on random texts of digits, separators and
    am/pm letters (Arabic-Indic digits too)."""
    rng = random.Random(20261122)
    pieces = ["1", "2", "9", "0", "\u0664", ":", ".", "a", "p", "m", "M", "A", " ", "x", "$", "\n"]
    texts = release_texts() + [
        "".join(rng.choice(pieces) for _ in range(rng.randint(0, 16))) for _ in range(20000)
    ]
    for text in texts:
        ours = [(m.span(), m.groups()) for m in mentions._bad_time_matches(text)]
        plain = [(m.span(), m.groups()) for m in mentions._BAD_TIME_RE.finditer(text)]
        assert ours == plain, text
