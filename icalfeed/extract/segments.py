"""The shape of a release's text: clauses, lines, paragraphs, and where the boilerplate starts."""

from __future__ import annotations

import bisect
import re

from icalfeed import regex

__all__ = ["Segments", "body_end"]

_TAIL = regex.compile(
    r"(?m)^[ \t]*(?:About\s+(?!the\s+(?:call|webcast|conference|event|meeting|presentation))"
    r"[A-Z0-9]|ABOUT\s+[A-Z]|Forward[- ]Looking\s+Statements?|FORWARD[- ]LOOKING|Safe\s+Harbou?r|"
    r"SAFE\s+HARBOU?R|Cautionary\s+(?:Note|Statement|Language)|CAUTIONARY|"
    r"(?:Investor|Media|Press)\s+(?:and\s+Media\s+)?Contacts?\b|Contacts?\s*:?\s*$|CONTACTS?\s*:?\s*$|"
    r"SOURCE[: ]|Source:\s|Notes?\s+to\s+Editors?|NOTES?\s+TO\s+EDITORS?|For\s+(?:further|more)\s+"
    r"information,?\s+(?:please\s+)?contact)"
)


_MAX_CLAUSE = 800
_CONTINUES = frozenset("abcdefghijklmnopqrstuvwxyz0123456789(")  # how a wrapped line goes on
_MAX_PARAGRAPH = 2000


def body_end(text: str, start: int) -> int:
    """Where the release's own announcement ends and the About/safe-harbour/contacts begin."""
    m = regex.search_lines(_TAIL, text, start + 120 if len(text) > start + 400 else start)
    return m.start() if m else len(text)


_ABBREVIATIONS = frozenset(
    {
        "a.m",
        "p.m",
        "am",
        "pm",
        "no",
        "inc",
        "corp",
        "co",
        "ltd",
        "u.s",
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "vs",
        "e.g",
        "i.e",
        "etc",
        "n.v",
        "s.a",
        "approx",
        "www",
    }
)


def _is_abbreviation(before: str) -> bool:
    """Whether the word before a full stop is an abbreviation (``p.m.``, ``Inc.``, ``J.``)."""
    words = before.split()
    if not words:
        return False
    word = words[-1].lstrip('("“')
    if len(word) == 1 and word.isalpha() and word.isupper():
        return True  # an initial: "J. M. Smucker"
    return word.lower() in _ABBREVIATIONS or word.lower().endswith(("a.m", "p.m", "u.s"))


# A full stop, "!" or "?" before a space and a capital or digit; the group is the lookahead's
# span, so that a match found over the whole text can be checked against a line's end. One
# pattern per mark: re skips to a single character several times quicker than to one of a set.
_AFTER_SENTENCE = r"(?=(\s+[\"“(]?[A-Z0-9]))"
_SENTENCE_ENDS = {mark: regex.compile(re.escape(mark) + _AFTER_SENTENCE) for mark in ".!?"}


class Segments:
    """Clause, line and paragraph spans of one text, for position lookups."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines: list[tuple[int, int]] = []
        pos = 0
        for line in text.split("\n"):
            self.lines.append((pos, pos + len(line)))
            pos += len(line) + 1
        self.line_starts = [s for s, _ in self.lines]
        self.clauses: list[tuple[int, int]] = []
        # every sentence end of the text in one scan, as (position, end of what follows it)
        ends = [
            (m.start(), m.end(1))
            for mark, pattern in _SENTENCE_ENDS.items()
            if mark in text
            for m in pattern.finditer(text)
        ]
        ends.sort()
        i, n = 0, len(ends)
        for s, e in self._logical_lines():
            while i < n and ends[i][0] < s:
                i += 1
            pos_ = s
            # a sentence end inside the line whose following capital is inside it too: the
            # matches a search of the line alone would find
            while i < n and ends[i][0] < e:
                at, ahead = ends[i]
                i += 1
                if ahead > e or _is_abbreviation(text[max(pos_, at - 12) : at]):
                    continue
                self.clauses.append((pos_, at + 1))
                pos_ = at + 2
            if pos_ < e or pos_ == s:
                self.clauses.append((pos_, e))
        if any(e - s > _MAX_CLAUSE for s, e in self.clauses):
            self.clauses = [piece for span in self.clauses for piece in self._chunks(*span)]
        self.clause_starts = [s for s, _ in self.clauses]
        self.paragraphs: list[tuple[int, int]] = []
        para: int | None = None
        prev_end = 0
        for s, e in self.lines:
            blank = s == e or not text[s:e].strip()
            if blank:
                if para is not None:
                    self.paragraphs.append((para, prev_end))
                para = None
            else:
                if para is None:
                    para = s
                prev_end = e
        if para is not None:
            self.paragraphs.append((para, prev_end))
        self.paragraph_starts = [s for s, _ in self.paragraphs]

    def _chunks(self, start: int, end: int) -> list[tuple[int, int]]:
        """A clause longer than any real sentence (a flattened table, hostile input) in pieces
        of at most ``_MAX_CLAUSE`` characters, cut at a space: every rule then reads a bounded
        stretch of text and the parser's time stays linear in the release's size."""
        if end - start <= _MAX_CLAUSE:
            return [(start, end)]
        pieces = []
        while end - start > _MAX_CLAUSE:
            cut = self.text.rfind(" ", start + _MAX_CLAUSE // 2, start + _MAX_CLAUSE)
            cut = cut if cut > start else start + _MAX_CLAUSE
            pieces.append((start, cut))
            start = cut
        pieces.append((start, end))
        return pieces

    def _logical_lines(self) -> list[tuple[int, int]]:
        """Lines with hard-wrapped continuations joined: a line that does not end a sentence,
        followed by one that starts in lower case or with a digit, is one line."""
        text = self.text
        joined: list[tuple[int, int]] = []
        prev_len = 0  # the length of the physical line before this one
        for s, e in self.lines:
            if (
                joined
                and e > s
                and (prev_len >= 60 or (prev_len >= 40 and text[s] in _CONTINUES))
                and text[s - 2 : s - 1] not in (".", ":", ";", "!", "?", "")
            ):
                joined[-1] = (joined[-1][0], e)
            else:
                joined.append((s, e))
            prev_len = e - s
        return joined

    def _find(self, starts: list[int], spans: list[tuple[int, int]], pos: int) -> tuple[int, int]:
        i = bisect.bisect_right(starts, pos) - 1
        if i < 0:
            return (0, 0)
        return spans[i]

    def clause(self, pos: int) -> tuple[int, int]:
        return self._find(self.clause_starts, self.clauses, pos)

    def clause_index(self, pos: int) -> int:
        return max(0, bisect.bisect_right(self.clause_starts, pos) - 1)

    def line(self, pos: int) -> tuple[int, int]:
        return self._find(self.line_starts, self.lines, pos)

    def line_index(self, pos: int) -> int:
        return max(0, bisect.bisect_right(self.line_starts, pos) - 1)

    def paragraph(self, pos: int) -> tuple[int, int]:
        span = self._find(self.paragraph_starts, self.paragraphs, pos)
        if span[1] < pos:  # a blank line: its own empty paragraph
            return (pos, pos)
        return (max(span[0], pos - _MAX_PARAGRAPH), min(span[1], pos + _MAX_PARAGRAPH))
