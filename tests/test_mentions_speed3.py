"""The shortcuts of icalfeed.extract.mentions that try a pattern only where a cheap scan of the
text's bytes says a match can start, against the plain finditer over the whole text: the same
spans and groups on the releases and on generated texts (every ASCII character before and
after the digits of a time, the pieces dates and times are made of)."""

from __future__ import annotations

import random
import re
import string

from icalfeed.extract import mentions
from tests.test_mentions_speed2 import RELATIVE_TEXTS, plain_find_times

Found = list[tuple[tuple[int, int], tuple[str | None, ...]]]


def _found(matches: list[re.Match[str]]) -> Found:
    return [(m.span(), m.groups()) for m in matches]


_TIME_ENDS = ["", ":30", ".30", "h30", ":00", ":3", " pm", "pm", "  am", "p", "n", " noon", " CET"]


def _around_digits() -> list[str]:
    """Each ASCII character right before and right after one to five digits, with the rest of
    a time after that."""
    texts = []
    for ch in string.printable + "\x1c\x1d\x1e\x1f\x00\x7f":
        for digits in ("4", "12", "930", "1030", "12345"):
            texts += [ch + digits + end for end in _TIME_ENDS]
            texts += [digits + ch + end for end in ("", "30", "pm", "m", " pm")]
            texts.append(f"x {ch}{digits} {ch}{ch}{digits}{ch}")
    return texts


def _random_ascii(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    alphabet = "0123456789" * 4 + ":.hapAPnm $_x\t\n-" + "\x1f"
    return ["".join(rng.choices(alphabet, k=rng.randint(1, 30))) for _ in range(count)]


ASCII_TEXTS = [
    t for t in [*RELATIVE_TEXTS, *_around_digits(), *_random_ascii(20000, 11)] if t.isascii()
]


def test_ascii_time_matches_are_finditers_matches() -> None:
    assert len(ASCII_TEXTS) > 30000
    found = 0
    for text in ASCII_TEXTS:
        ours = _found(mentions._ascii_time_matches(text))
        assert ours == _found(list(mentions._ASCII_TIME_RE.finditer(text))), text
        found += len(ours)
    assert found > 1500  # the texts hold times of every form


def test_the_time_filter_accepts_every_place_a_time_starts() -> None:
    """Each place _ASCII_TIME_RE matches at, searched from there, is one the filter finds."""
    for text in ASCII_TEXTS[::7]:
        starts = {
            m.start()
            for m in mentions._ASCII_TIME_STARTS.finditer(
                b" " + text.encode("ascii").translate(mentions._TIME_CLASSES)
            )
        }
        for at in range(len(text)):
            if mentions._ASCII_TIME_RE.match(text, at) is not None:
                assert at in starts, (text, at)


def test_find_times_is_unchanged_on_ascii_and_other_texts() -> None:
    """find_times takes the shortcut only in ASCII texts without "noon" or "midday"."""
    extra = ["at 4 pm and 12 noon", "at 4\u00a0pm", "\u0664:30 pm", "\u017f 4 pm", "\u212a 10:30"]
    for text in [*ASCII_TEXTS[::5], *extra]:
        assert mentions.find_times(text) == plain_find_times(text), text


def test_mentions_are_made_as_their_classes_make_them() -> None:
    """find_dates and find_times build their NamedTuples with tuple.__new__: the same class,
    fields and defaults as the class's own constructor gives."""
    text = "Thursday, April 28, 2011 at 4:30 p.m. ET, today and tomorrow at 10:00-11:00 CET"
    dates = mentions.find_dates(text)
    times = mentions.find_times(text)
    assert len(dates) == 3
    assert len(times) == 2
    for mention in [*dates, *times]:
        cls = type(mention)
        assert cls in (mentions.DateMention, mentions.TimeMention)
        assert mention == cls(*mention)
        assert mention._asdict() == cls(**mention._asdict())._asdict()
    assert dates[0] == mentions.DateMention(0, 24, 4, 28, 2011, 3, text="Thursday, April 28, 2011")
    assert dates[1].relative == "today"
    assert dates[1].text == "today"
    assert dates[1].year is None
    assert [d.start for d in dates] == sorted(d.start for d in dates)
    assert times[1].zone == "CET"
    assert times[1].end_hour == 11
