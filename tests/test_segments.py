"""Segments: clauses, lines and paragraphs, checked against the plain way of finding them.

Segments finds sentence ends with one scan of the text per mark and joins wrapped lines with
running counts; the reference below searches each logical line on its own and measures each line
again, as the first version did. Both must give the same spans for any text.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from icalfeed.extract.segments import _MAX_CLAUSE, Segments, _is_abbreviation
from icalfeed.normalize import read_release
from tests.conftest import release_paths

_PLAIN_SENTENCE_END = re.compile(r"[.!?](?=\s+[\"“(]?[A-Z0-9])")


def _plain_logical_lines(text: str, lines: list[tuple[int, int]]) -> list[tuple[int, int]]:
    joined: list[tuple[int, int]] = []
    for s, e in lines:
        prev_len = (joined[-1][1] - text.rfind("\n", 0, joined[-1][1]) - 1) if joined else 0
        if (
            joined
            and joined[-1][1] == s - 1
            and e > s
            and text[joined[-1][1] - 1 : joined[-1][1]] not in (".", ":", ";", "!", "?", "")
            and (
                (text[s] in "abcdefghijklmnopqrstuvwxyz0123456789(" and prev_len >= 40)
                or prev_len >= 60
            )
        ):
            joined[-1] = (joined[-1][0], e)
        else:
            joined.append((s, e))
    return joined


def _plain_chunks(text: str, start: int, end: int) -> list[tuple[int, int]]:
    pieces = []
    while end - start > _MAX_CLAUSE:
        cut = text.rfind(" ", start + _MAX_CLAUSE // 2, start + _MAX_CLAUSE)
        cut = cut if cut > start else start + _MAX_CLAUSE
        pieces.append((start, cut))
        start = cut
    pieces.append((start, end))
    return pieces


def _plain_segments(text: str) -> tuple[list[tuple[int, int]], ...]:
    lines = []
    pos = 0
    for line in text.split("\n"):
        lines.append((pos, pos + len(line)))
        pos += len(line) + 1
    clauses: list[tuple[int, int]] = []
    for s, e in _plain_logical_lines(text, lines):
        pos = s
        for m in _PLAIN_SENTENCE_END.finditer(text, s, e):
            if _is_abbreviation(text[max(pos, m.start() - 12) : m.start()]):
                continue
            clauses.append((pos, m.end()))
            pos = m.end() + 1
        if pos < e or pos == s:
            clauses.append((pos, e))
    clauses = [piece for span in clauses for piece in _plain_chunks(text, *span)]
    paragraphs = []
    para = None
    prev_end = 0
    for s, e in lines:
        if not text[s:e].strip():
            if para is not None:
                paragraphs.append((para, prev_end))
            para = None
        else:
            para = s if para is None else para
            prev_end = e
    if para is not None:
        paragraphs.append((para, prev_end))
    return lines, clauses, paragraphs


def _assert_same(text: str) -> None:
    seg = Segments(text)
    lines, clauses, paragraphs = _plain_segments(text)
    assert seg.lines == lines
    assert seg.clauses == clauses
    assert seg.paragraphs == paragraphs


def _releases() -> list[Path]:
    return [p for p in release_paths() if p.suffix == ".txt"]


@pytest.mark.parametrize("path", _releases(), ids=lambda p: p.name)
def test_release_segments_match_the_plain_way(path: Path) -> None:
    text = read_release(path.read_text(encoding="utf-8", errors="replace")).text
    _assert_same(text)
    for start in range(0, len(text), 997):  # regions cut anywhere, as details.py cuts them
        _assert_same(text[start : start + 1500])


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n",
        "One. Two",
        "Ends with a mark.",
        "Call at 4 p.m. Eastern. Dial 555.",
        "A wrapped line that runs on and on past forty characters\nand goes on here. Next.",
        "A line that ends a sentence and is long enough to be joined here.\nnext line.",
        "Is it? Yes! No. (Maybe) “Quoted.” 2026 starts.",
        "First line ends.\n  \nSecond paragraph. With two.\n\n\nThird.",
        "Mark at the line end.\nCapital on the next line.",
        "J. M. Smucker Co. reports. Inc. Next. U.S. markets. a.m. Then.",
        "x" * 2000 + ". Tail " + "word " * 400,
        ".!?\n!\n?\n.",
    ],
)
def test_edge_texts_match_the_plain_way(text: str) -> None:
    _assert_same(text)


_PIECES = st.sampled_from(
    [". ", "! ", "? ", ".", "\n", "\n\n", " ", "  ", "A", "a", "7", "(", "“", '"', "p.m. ",
     "Inc. ", "J. ", "word ", "Word ", "x" * 45, "y" * 65, "\t", "\u1680"]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=60))
def test_generated_texts_match_the_plain_way(pieces: list[str]) -> None:
    _assert_same("".join(pieces))
