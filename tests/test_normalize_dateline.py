"""The dateline pattern, written to give back less, finds what its plain form finds."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from icalfeed import normalize

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT.parent / "shared" / "corpus" / "dev"

# the pattern as it was first written: each place word a plain greedy run
PLAIN = re.compile(
    normalize._DATELINE.pattern.replace(normalize._PLACE_WORD, r"[A-Z][A-Za-z.'\-]{0,30}")
)


def _releases() -> list[str]:
    paths = sorted((ROOT / "seeds").iterdir()) + sorted((ROOT / "tests/data/releases").iterdir())
    if DEV.is_dir():
        paths += sorted(DEV.glob("*.txt"))
    return [p.read_text(encoding="utf-8", errors="replace") for p in paths if p.suffix != ".json"]


_PLACES = [
    "NEW YORK", "Winston-Salem", "WINSTON-SALEM, N.C.", "Stratford-upon-Avon", "A-B-C-D-",
    "LONDON", "St. John's", "Mass.", "Co-op", "X" * 35, "Long-" + "a" * 33 + "-word", "O'Hare",
    "Baden-Württemberg", "Ile-de-France", "ZÜRICH", "Paris,", "PARIS ,", "Sao Paulo-", "Q",
]  # fmt: skip
_JOINS = ["--", "-", " - ", "—", " – ", ", ", " (", "/", " ", "-- ", "--(", ""]
_DATES = [
    "April 21, 2011", "15 November 2017", "Apr. 3 2020", "2021-05-04", "03.05.2021",
    "(BUSINESS WIRE) -- April 21, 2011", "/PRNewswire/ -- 4 May 2021", "today", "Q3 2021",
    "April 21, 2011 8:00 AM ET --", "May 5",
]  # fmt: skip


def _generated(count: int) -> list[str]:
    rng = random.Random(11)
    lines = []
    for _ in range(count):
        place = rng.choice([", ", " ", ","]).join(rng.sample(_PLACES, rng.randint(1, 4)))
        lines.append(place + rng.choice(_JOINS) + rng.choice(_DATES))
    return lines


def _found(pattern: re.Pattern[str], text: str) -> list[object]:
    return [(m.span(), m.groups()) for m in pattern.finditer(text)]


def test_the_plain_form_is_what_the_pattern_replaced() -> None:
    assert normalize._PLACE_WORD in normalize._DATELINE.pattern
    assert PLAIN.pattern != normalize._DATELINE.pattern


@pytest.mark.parametrize("source", ["releases", "generated"])
def test_dateline_finds_what_the_plain_pattern_finds(source: str) -> None:
    texts = _releases() if source == "releases" else ["\n".join(_generated(4000))]
    found = 0
    for text in texts:
        expected = _found(PLAIN, text)
        assert _found(normalize._DATELINE, text) == expected
        found += len(expected)
    assert found > 20  # (31 in the seeds and our releases alone, without the dev corpus)
    if source == "generated":  # every line alone too: a match at the text's first line
        for line in _generated(3000):
            a, b = normalize._DATELINE.match(line), PLAIN.match(line)
            assert (a and (a.span(), a.groups())) == (b and (b.span(), b.groups())), line
