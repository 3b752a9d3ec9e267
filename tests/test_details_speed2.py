"""The str.find shortcuts of icalfeed.extract.details against the plain finditer they stand for:
on every release in the repository (whole, and cut into stretches) and on texts made of the
patterns' words, digits, separators, case folds and characters outside ASCII."""

from __future__ import annotations

import random
import re

from icalfeed import regex
from icalfeed.extract import details as dt
from tests.conftest import release_texts

_FOLDS = ["\u017f", "\u0131", "\u0130", "\u212a", "\u00e9", "\u201c", "\u2013", "\u00a0"]


def _made(tokens: list[str], seed: int, count: int = 400, longest: int = 40) -> list[str]:
    rng = random.Random(seed)
    texts = ["", " ", "\n", *tokens]
    texts += [
        "".join(rng.choice(tokens) for _ in range(rng.randint(1, longest))) for _ in range(count)
    ]
    return texts


def _stretches(texts: list[str], seed: int, size: int = 600) -> list[str]:
    """The texts, and stretches of them cut at random places (words cut at either end)."""
    rng = random.Random(seed)
    out = list(texts)
    for text in texts:
        for _ in range(3):
            start = rng.randint(0, max(0, len(text) - 1))
            out.append(text[start : start + rng.randint(1, size)])
    return out


def _same(ours: list[re.Match[str]], plain: list[re.Match[str]]) -> bool:
    def seen(ms: list[re.Match[str]]) -> list[tuple[tuple[int, int], tuple[str | None, ...]]]:
        return [(m.span(), m.groups()) for m in ms]

    return seen(ours) == seen(plain)


_RELEASES = _stretches(release_texts(), 2201)


_PASSCODE_TOKENS = [
    "pass", "Pass", "PASS", "passcode", "Passcode:", "pass code", "password", "code", "CODE",
    "Code:", "pin", "PIN", "pin number", "id", "ID", "id number", "number", "No.", "#",
    "conference", "Conference ID", "access", "Access Code", "participant", "meeting",
    "event", "confirmation", "Confirmation #", "entry", "Entry code", "replay", "call",
    "Call ID", "is", ":", "-", "=", "of", " ", "  ", "\n", "\t", "1234", "12345678",
    "123 456 789", "\"AB12\"", "“ACME”", "ACME", "X9Y8", "participants", "spin", "said",
    "_id", "1pass", *_FOLDS,
]  # fmt: skip


def test_find_passcodes_is_finditer() -> None:
    texts = _RELEASES + _made(_PASSCODE_TOKENS, 2202, 1500)
    for text in texts:
        ours = dt.find_passcodes(text, regex.ascii_lower_case(text))
        assert _same(ours, list(dt._PASSCODE.finditer(text))), repr(text)


_REPLAY_TOKENS = [
    "replay", "Replay", "REPLAY", "re-play", "re-playback", "playback", "play", "display",
    "archive", "archived", "Archive:", "recording", "record", "rebroadcast", "broadcast",
    "on-demand", "on demand", "On Demand", "demand", "xreplay", "replayx", " ", "\n", "\t",
    ".", ":", "live", "Live conference call", "9", *_FOLDS,
]  # fmt: skip


def test_replay_starts_are_finditer_starts_and_headings_hold_a_part() -> None:
    """The replay words found from their parts start where finditer finds them; a line where a
    replay heading matches holds one of the parts the heading test asks for."""
    for text in _RELEASES + _made(_REPLAY_TOKENS, 2204, 1500):
        low = regex.ascii_lower_case(text)
        if low is None:
            continue
        hits, headings = dt._replay_hits(low)
        expected = [m.start() for m in dt._REPLAY.finditer(text)]
        assert dt._replay_starts(text, hits) == expected, repr(text)
        line = 0
        while True:
            end = text.find("\n", line)
            end = len(text) if end < 0 else end
            if dt._REPLAY_HEADER.match(text, line):
                assert dt._starts_in(headings, line, end), repr(text)
            if end == len(text):
                break
            line = end + 1


_PERIOD_TOKENS = [
    "first", "second", "third", "fourth", "Fourth", "1st", "2nd", "3rd", "4th", "quarter",
    "Quarter", "QUARTER", "quarterly", "half", "behalf", "Half", "-", " - ", "--", "of",
    "the", "fiscal", "Fiscal", "year", "fiscal year", "full", "Full-Year", "fully", "FY",
    "fy", "FY2024", "annual", "final", "results", "and", "Q", "Q1", "q2", "Q3", "Q4", "Q5",
    "Q3FY", "F", "2011", "2024", "1999", "24", "11", "\u0662\u0660\u0661\u0661", "20", " ",
    "  ", "\n", "\t", ".", "_", "x", "acquisition", *_FOLDS,
]  # fmt: skip


def test_period_starts_hold_every_match() -> None:
    """Tried only where _period_starts says a match can start, _PERIOD gives every match
    finditer gives; and fiscal_period answers as the plain scan does, with a fallback year
    or without."""
    texts = _stretches(release_texts(), 2205, 1500) + _made(_PERIOD_TOKENS, 2206, 2500, 30)
    for text in texts:
        low = regex.ascii_lower_case(text)
        if low is not None:
            ours = list(regex.iter_matches_at(dt._PERIOD, text, dt._period_starts(text, low)))
            assert _same(ours, list(dt._PERIOD.finditer(text))), repr(text)
        for year in (None, 2025):
            expected = dt._scanned_period(text, year)
            assert dt.fiscal_period.__wrapped__(text, year) == expected, repr(text)


def test_ascii_lowered_finds_words_where_ignorecase_does() -> None:
    """A word of ASCII letters is in the lowered bytes exactly where re.IGNORECASE finds it
    in the text (or the text holds a fold and there are no lowered bytes)."""
    words = ["pass", "code", "replay", "quarter", "fiscal", "ks", "is"]
    tokens = [*words, *(w.upper() for w in words), "PaSs", "x", " ", *_FOLDS, "\u00c9", "ß"]
    for text in _made(tokens, 2207, 800, 12):
        low = regex.ascii_lower_case(text)
        if low is None:
            assert any(ch in text for ch in regex._FOLDS_TO_ASCII_CHARS)
            continue
        assert len(low) == len(text)
        for word in words:
            found = sorted(dt._found(low, (word.encode(),)))
            pattern = re.compile(f"(?=({re.escape(word)}))", re.I)
            assert found == [m.start() for m in pattern.finditer(text)], (text, word)
