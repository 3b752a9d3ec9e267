"""find_phones (details._PHONE searched only near a number's shape or a "+") against the plain
finditer it stands for: on every release in the repository (whole, and cut into stretches) and
on texts made of digits, separators, capitals, case folds and characters outside ASCII (digits
of other scripts, which \\d matches, and spaces, which \\s matches)."""

from __future__ import annotations

import re

from icalfeed import regex
from icalfeed.extract import details as dt
from tests.test_details_speed2 import _FOLDS, _RELEASES, _made, _same

_PHONE_TOKENS = [
    "1", "0", "4", "8", "2", "9", "12", "212", "555", "1234", "4567", "800", "888", "400",
    "1800", "1300", "0800", "020", "12345", "2024", "10:00", "+", "+1", "+44", "+86", "(", ")",
    "(0)", "(212)", "1-", "1 ", "1.", "-", ".", " ", "  ", "\n", "\t", "/", "=", "_", "#", ":",
    ",", "?", "x", "a", "ext", "FLOWERS", "CALL", "ACME", "AB", "Dial", "tel", "www.", ".com",
    "\u0661\u0662\u0663", "\uff11\uff12\uff13", "\u0966", "\u2009", "\u3000", "\u2212",
    *_FOLDS,
]  # fmt: skip


def _found_as_finditer(text: str) -> bool:
    ours = dt.find_phones(text, regex.ascii_lower_case(text))
    return _same(ours, list(dt._PHONE.finditer(text)))


def test_find_phones_is_finditer() -> None:
    texts = _RELEASES + _made(_PHONE_TOKENS, 3301, 3000, longest=30)
    for text in texts:
        assert _found_as_finditer(text), repr(text)


def test_numbers_written_every_way_are_found_as_finditer_finds_them() -> None:
    """Each alternative of _PHONE, with the widest and the narrowest separators, alone and
    glued to what its lookarounds refuse (the first: the longest match _PHONE allows, whose
    closing lookahead reads the 2 characters after it)."""
    numbers = [
        "+ 123 (0) (1234) 1234 1234 1234 1234", "+1 (0) 212 555 1234 5678",
        "+44(0)20.7946.0000", "+1234", "+12 3456 78 90 12 34",
        "1-(212) 555-1234", "(212)  555-1234", "2125551234", "1 212.555.1234",
        "1-800-FLOWERS", "1800FLOWERS9", "18001234567", "0800 123 4567", "020-1234-5678",
        "4001-234-5678", "400 123 456", "1300 123 456", "1800-123-456",
        "2\u0661\u0662 555 1234", "212\u00a0555\u00a01234", "(212)\u2009555-1234",
        "1\u00a0800\u00a0FLO\u2009WERS", "1\x1c8\u0661\u0662\x1fABC\x0bD3FG", "1.800.555.0199",
    ]  # fmt: skip
    around = ["", " ", "x", "/", ".", "-", "=", "1", "-1", ".1", "(", "+", "\u00e9", "\n"]
    for number in numbers:
        for before in around:
            for after in around:
                for text in (before + number + after, f"Dial {before}{number}{after} or "):
                    assert _found_as_finditer(text), repr(text)


def test_phone_reach_is_the_patterns() -> None:
    """_PHONE_LONGEST is the longest match _PHONE's parse allows (a longer alternative added
    later would let a search cut at it miss a number)."""
    parsed = re._parser.parse(dt._PHONE.pattern)  # type: ignore[attr-defined]
    assert parsed.getwidth()[1] == dt._PHONE_LONGEST
