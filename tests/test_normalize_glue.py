"""Glued labels ("ESTLINK:", "2025Time:") are split in one pass, as two passes would split them.

The reference splits a zone glued to a label first, then a label glued to a value in the text
that first split made; clean_text does both at once on the original text. They must agree on any
text, including a label whose colon lies beyond a zone split.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from icalfeed.normalize import _GLUED, _GLUED_ZONES, _unglued

_ZONE_THEN_LABEL = re.compile(
    rf"\b(?=[A-Z]{{2}})({'|'.join(_GLUED_ZONES)})(LINK|TIME|DATE|Link|Time|Date|Webcast|Dial)\b"
)
_LABEL = re.compile(
    r"(?<=[0-9a-z)])(?=(?:Time|Date|Link|LINK|TIME|DATE|Webcast|WEBCAST|Dial|DIAL|Toll|TOLL|"
    r"Conference ID|Passcode|PASSCODE|Access|Participant|International|Domestic|Replay|"
    r"Location|Venue|Register|Registration|Event|U\.S\.|US Dial|Canada|UK)\b[^\n]{0,40}?[:\-–])"
    r"[A-Z]"
)


def _two_passes(text: str) -> str:
    return _LABEL.sub("\n\\g<0>", _ZONE_THEN_LABEL.sub(r"\1\n\2", text))


@pytest.mark.parametrize(
    "text",
    [
        "4:30 p.m. ESTLINK: www.x.com",
        "March 3, 2026Time: 10:00 ETDial-in: 555",
        "2026Date April 1 ETLink: www.x.com",  # the colon lies past the zone split
        "2026Date April 1 ET Link: www.x.com",
        "0062International 1-800",
        "(ET)Webcast: here",
        "ETLinkTime: x",
        "x)Replay until May 5 - 555",
        "UTCTime: 14:00",
        "aU.S. Toll-Free: 1-800",
    ],
)
def test_examples_split_as_two_passes_would(text: str) -> None:
    assert _GLUED.sub(_unglued, text) == _two_passes(text)


def test_a_zone_and_a_label_are_both_split() -> None:
    assert _GLUED.sub(_unglued, "ESTLINK: a 2025Time: b") == "EST\nLINK: a 2025\nTime: b"


_PIECES = st.sampled_from(
    ["ET", "EST", "CEST", "UTC", "PT", "LINK", "Link", "Time", "TIME", "Dial", "Date",
     "Webcast", "Replay", "U.S.", "UK", "Event", ":", "-", "–", "\n", " ", "2025", "a", ")",
     "x" * 12, "Passcode", "Conference ID", "E", "T"]
)  # fmt: skip


@settings(max_examples=1500, deadline=None)
@given(st.lists(_PIECES, max_size=30))
def test_generated_texts_split_as_two_passes_would(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert _GLUED.sub(_unglued, text) == _two_passes(text)
