"""The issuer's name before its listing: the possessive word run finds what plain re finds."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from icalfeed.extract.issuer import _NAME_BEFORE

_PLAIN = re.compile(_NAME_BEFORE.pattern.replace("{0,40}+", "{0,40}"))

_PIECES = st.sampled_from(
    ["ImmunoGen", "Inc.", ",", " ", "  ", "and", "&", "de", "of", "the", "The", "Acme-X",
     "O’Brien", "3M", "(", "--", "today", "x" * 41, "A" * 45, "Ltd", "é", "\n"]
)  # fmt: skip


def test_the_word_run_is_possessive() -> None:
    assert _PLAIN.pattern != _NAME_BEFORE.pattern


@settings(max_examples=1500, deadline=None)
@given(st.lists(_PIECES, max_size=25))
def test_generated_names_match_as_plain_re_finds_them(pieces: list[str]) -> None:
    text = "".join(pieces)
    a, b = _NAME_BEFORE.search(text), _PLAIN.search(text)
    assert (a and (a.span(), a.groups())) == (b and (b.span(), b.groups()))
