"""issuer's quicker name search finds what the plain search finds."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from icalfeed.extract import issuer

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT.parent / "shared" / "corpus" / "dev"


def _releases() -> list[str]:
    paths = sorted((ROOT / "seeds").iterdir()) + sorted((ROOT / "tests/data/releases").iterdir())
    if DEV.is_dir():
        paths += sorted(DEV.glob("*.txt"))
    return [p.read_text(encoding="utf-8", errors="replace") for p in paths if p.suffix != ".json"]


def _befores() -> list[str]:
    """The text before every "(" of the releases, on its line, as find_issuer cuts it, and
    its tails."""
    out = []
    for text in _releases():
        start = text.find("(")
        while start != -1:
            before = text[max(0, start - 160) : start].split("\n")[-1]
            out += [before[k:] for k in range(0, len(before), 5)]
            start = text.find("(", start + 1)
    return out


# words of every kind the pattern treats apart: capitalised, its small words, "the", small
# words as parts of others, marks that are and are not word characters, a word too long
_WORDS = [
    "Acme", "ACME", "Widgets", "Inc.", "Co.,", "S.A.", "O'Neil", "Smith’s", "3M", "&", "and",
    "de", "of", "the", "The", "andrew", "often", "delta", "a", "today", "--", "-", "—", "/",
    "Ltd", "Group", "ÉCO", "Énergie", "x" * 45, "A" + "b" * 45, "_x", "&Co", ".com", "'s",
]  # fmt: skip
_GAPS = [" ", " ", " ", ", ", ",", "  ", "   ", " ,", "\t", " , "]


def _generated(count: int) -> list[str]:
    rng = random.Random(5)
    out = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(1, 14)):
            parts += [rng.choice(_WORDS), rng.choice(_GAPS)]
        out.append("".join(parts[: rng.choice([-1, len(parts)])]))
    return out


def _found(m: object) -> object:
    return m and (m.span(), m.groups())  # type: ignore[attr-defined]


@pytest.mark.parametrize("source", ["releases", "generated"])
def test_name_before_finds_what_the_plain_search_finds(source: str) -> None:
    texts = _befores() if source == "releases" else _generated(20000)
    assert len(texts) > 1000
    matched = 0
    for before in texts:
        expected = issuer._NAME_BEFORE.search(before)
        assert _found(issuer._name_before(before)) == _found(expected), before
        matched += expected is not None
    assert matched > 100  # the texts exercise matches, not only misses
