"""Shortcuts in text cleaning (normalize.py) give what the plain way gives.

clean_text finds the characters to clean and the labels to un-glue from one byte class per
character (``_classes``) instead of regex scans of every character; the plain way is kept here
as it was written before, and each test runs both over the releases in the repo and over many
generated texts (edge cases included) and compares.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from icalfeed import normalize
from icalfeed.normalize import (
    _ANGLE_URL,
    _CLEANED,
    _GLUED,
    _INVISIBLE,
    _INVISIBLE_OR_SPACE,
    _MANY_BLANKS,
    _MD_LINK,
    _classes,
    _space_or_nothing,
    _unglue,
    _unglued,
    clean_characters,
    clean_text,
)
from tests.conftest import release_texts

_MANY = settings(max_examples=1500, deadline=None)


def _plain_clean_characters(text: str) -> str:
    return _INVISIBLE_OR_SPACE.sub(_space_or_nothing, text)


def _plain_unglue(text: str) -> str:
    return _GLUED.sub(_unglued, text)


def _plain_clean_text(text: str) -> str:
    """clean_text as it was written before the shortcuts."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n")
    text = _plain_clean_characters(text)
    if "](" in text:
        text = _MD_LINK.sub(r"\1", text)
    if "<" in text:
        text = _ANGLE_URL.sub(r"\1", text)
    text = _GLUED.sub(_unglued, text)
    if " \n" in text:
        text = "\n".join(line.rstrip(" ") for line in text.split("\n"))
    text = _MANY_BLANKS.sub("\n\n", text)
    return text.strip("\n ")


_TEXTS = release_texts()
_HTML_TEXTS = [normalize.html_to_text(t) for t in _TEXTS if normalize.looks_like_html(t)]


def test_the_cleaned_characters_are_the_classes() -> None:
    for c in [*range(0x10000), 0x1F600, 0xE0001, 0x10FFFF]:
        ch = chr(c)
        expected = (
            None if not _INVISIBLE_OR_SPACE.match(ch) else "" if _INVISIBLE.match(ch) else " "
        )
        assert _CLEANED.get(ch) == expected, hex(c)


@pytest.mark.parametrize("text", [*_TEXTS, *_HTML_TEXTS])
def test_releases_clean_as_the_plain_way_cleans_them(text: str) -> None:
    assert clean_characters(text) == _plain_clean_characters(text)
    assert _unglue(text, _classes(text)) == _plain_unglue(text)
    assert clean_text(text) == _plain_clean_text(text)


_CHARACTERS = st.sampled_from(
    ["a", "Z", "?", " ", "\n", "\t", "\x00", "\x0b", "\x1f", "\x7f", "\x85", "\xa0", "\xad",
     "é", "“", "’", "—", "\u2000", "\u2009", "\u200b", "\u200f", "\u2028", "\u2029", "\u202f",
     "\u2060", "\u2066", "\u3000", "\ufeff", "\U0001f600", "中", "\r", "\r\n", "]("]
)  # fmt: skip


@_MANY
@given(st.lists(_CHARACTERS, max_size=40))
def test_generated_characters_clean_as_the_plain_way(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert clean_characters(text) == _plain_clean_characters(text)
    assert clean_text(text) == _plain_clean_text(text)


def test_a_text_mostly_beyond_ascii_is_cleaned_too() -> None:
    for text in ["中文\u00a0" * 50, "中\u200b" * 3 + "a" * 20, "?" * 100 + "\xa0", "“" * 9 + "a"]:
        assert clean_characters(text) == _plain_clean_characters(text)


_GLUE_PIECES = st.sampled_from(
    ["ET", "EST", "CEST", "UTC", "PT", "GMT", "CT", "LINK", "Link", "Time", "TIME", "Dial",
     "Date", "Webcast", "Replay", "U.S.", "UK", "Event", "Toll", "Canada", "Conference ID",
     "US Dial", "Registration", ":", "-", "–", "\n", " ", "2025", "a", "z", ")", "(", "x" * 12,
     "Passcode", "E", "T", "C", "U", "é", "“", "\u00a0", "\u200b", "\t", "?", "McDonald"]
)  # fmt: skip


@_MANY
@given(st.lists(_GLUE_PIECES, max_size=30))
def test_generated_glued_labels_split_as_the_plain_way(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert _unglue(text, _classes(text)) == _plain_unglue(text)
    assert clean_text(text) == _plain_clean_text(text)


@_MANY
@given(st.lists(st.sampled_from([" ", "  ", "\n", "\n\n", "\n \n", "x", "[a](b)", "<www.x>", "\t"]),
                max_size=30))  # fmt: skip
def test_generated_blank_lines_go_as_the_plain_way(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert clean_text(text) == _plain_clean_text(text)


def test_classes_mark_one_byte_a_character() -> None:
    text = "a\tL?é\U0001f600T)"
    assert _classes(text) == b"acAqqqAa"
    assert len(_classes(text)) == len(text)
    assert re.fullmatch(rb"[acqA ]*", _classes("".join(map(chr, range(0x300)))))
