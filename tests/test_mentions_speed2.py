"""find_dates and find_times against the plain way of reading the same patterns (finditer over
the whole text, every group read through m.groupdict()): the same mentions on the corpus and
on random texts of the pieces dates, times and relative words are made of."""

from __future__ import annotations

import random
from datetime import date, timedelta

from icalfeed import regex
from icalfeed.extract import mentions
from icalfeed.extract.mentions import DateMention, TimeMention
from icalfeed.normalize import month_number
from tests.test_mentions_speed import TEXTS


def plain_find_dates(text: str) -> list[DateMention]:
    """find_dates as it was: every group of every match read through groupdict()."""
    found: list[DateMention] = []
    for m in mentions._DATE_RE.finditer(text):
        g = m.groupdict()
        try:
            if g["m1"]:
                month, day, end, year = month_number(g["m1"]), int(g["d1"]), g["e1"], g["y1"]
            elif g["m2"]:
                month, day, end, year = month_number(g["m2"]), int(g["d2"]), g["e2"], g["y2"]
            elif g["m3"]:
                month, day, end, year = int(g["m3"]), int(g["d3"]), None, g["y3"]
            elif g["m4"]:
                month, day, end, year = int(g["m4"]), int(g["d4"]), None, g["y4"]
            else:
                month, day, end, year = int(g["m5"]), int(g["d5"]), None, g["y5"]
                if len(year) == 2:
                    year = "20" + year
        except KeyError:
            continue
        if not (1 <= month <= 12 and 1 <= day <= 31):
            continue
        end_day = int(end) if end else None
        if end_day is not None and not day < end_day <= 31:
            end_day = None
        wd = g["wd"]
        weekday = mentions._WEEKDAYS.get(wd[:3].lower()) if wd else None
        found.append(
            DateMention(
                m.start(),
                m.end(),
                month,
                day,
                int(year) if year else None,
                weekday,
                end_day,
                None,
                m.group(0),
            )
        )
    for m in mentions._RELATIVE_RE.finditer(text):
        rel = m["rel"].lower()
        key = "today" if rel.startswith(("this ", "later")) else rel
        found.append(
            DateMention(m.start(), m.end(), 0, 0, None, None, relative=key, text=m.group(0))
        )
    found.sort(key=lambda d: d.start)
    return found


_RELATIVE_PIECES = [
    "today", "Today", "TODAY", "tOdAy", "tomorrow", "Tomorrow", "tonight", "TONIGHT", "this",
    "This", "THIS", "this morning", "This Afternoon", "this evening", "this  evening", "later",
    "Later", "LATER", "later today", "Later Today", "later  today", "later\ttoday", " ", "  ",
    "\n", "x", "t", "T", "l", "o", "day", "to", "xtoday", "todayx", "_", "1", "é", "–", ".",
    "thi\u017f morning", "th\u0131s morning", "TH\u0130S MORNING", "\u212a",
]  # fmt: skip


def _relative_texts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choices(_RELATIVE_PIECES, k=rng.randint(1, 12))) for _ in range(count)]


RELATIVE_TEXTS = [*TEXTS, *_relative_texts(6000, 20261123)]


def test_relative_words_are_found_where_finditer_finds_them() -> None:
    for text in RELATIVE_TEXTS:
        ours = [(m.span(), m.groups()) for m in mentions._relative_matches(text)]
        plain = [(m.span(), m.groups()) for m in mentions._RELATIVE_RE.finditer(text)]
        assert ours == plain, text


def test_find_dates_reads_every_text_as_groupdict_does() -> None:
    for text in RELATIVE_TEXTS:
        assert mentions.find_dates(text) == plain_find_dates(text), text


def test_the_date_pattern_starts_at_ascii_characters_only() -> None:
    """regex.compile gives _DATE_RE the ASCII start set of its start test, not \\d."""
    chars = regex.first_chars(mentions._DATE_RE.pattern)
    assert chars is not None
    assert all(ch.isascii() and ch.isalnum() for ch in chars)


def test_find_dates_calls_check_every_256_matches() -> None:
    calls = []
    text = "April 28, " * 600
    found = mentions.find_dates(text, check=lambda: calls.append(1))
    assert len(found) == 600
    assert len(calls) == 2
    assert found[0].value(date(2011, 4, 1)) == (date(2011, 4, 28), True)
    assert found[0].value(date(2011, 4, 1) + timedelta(days=400))[0] is not None


def test_the_ascii_time_pattern_finds_what_the_digit_one_finds_in_ascii_texts() -> None:
    """Same spans and groups in every ASCII text, also searched from every place of a short
    one; and its start set is 0-9."""
    assert regex.first_chars(mentions._ASCII_TIME_RE.pattern) == frozenset("0123456789")
    texts = [t for t in RELATIVE_TEXTS if t.isascii()]
    assert len(texts) > 5000
    for text in texts:
        ours = [(m.span(), m.groups()) for m in mentions._ASCII_TIME_RE.finditer(text)]
        plain = [(m.span(), m.groups()) for m in mentions._DIGIT_TIME_RE.finditer(text)]
        assert ours == plain, text
        if len(text) < 80:
            for pos in range(len(text) + 1):
                a = mentions._ASCII_TIME_RE.search(text, pos)
                b = mentions._DIGIT_TIME_RE.search(text, pos)
                assert (a and (a.span(), a.groups())) == (b and (b.span(), b.groups()))


def plain_find_times(text: str) -> list[TimeMention]:
    """find_times as it was: the full or digit pattern, every group read through groupdict()."""
    noon = "noon" in text or "midday" in text
    pattern = mentions._TIME_RE if noon else mentions._DIGIT_TIME_RE
    found: list[TimeMention] = []
    for m in pattern.finditer(text):
        g = m.groupdict()
        if g["h"] is not None:
            hour = int(g["h"])
            if not 1 <= hour <= 12:
                continue
            hour = mentions._hour12(hour, g["ap"])
            minute = int(g["mi"] or 0)
        elif g["h24"] is not None:
            hour, minute = int(g["h24"]), int(g["mi24"])
        elif g["hd"] is not None:
            hour, minute = int(g["hd"]), int(g["mid"])
        elif g["hc"] is not None:
            hour, minute = mentions._hour12(int(g["hc"]), g["apc"]), int(g["mc"])
        else:
            hour, minute = 12, 0
        end_hour = end_minute = None
        if g["end"]:
            em = mentions._END_RE.match(g["end"])
            if g["end"].lower() == "noon":
                end_hour, end_minute = 12, 0
            elif em:
                eh = int(em["h"])
                emi = int(em["mi"] or 0)
                ap = em["ap"] or g.get("ap") or g.get("apc")
                if ap:
                    eh = mentions._hour12(eh, ap) if 1 <= eh <= 12 else -1
                if 0 <= eh <= 23 and (eh, emi) > (hour, minute):
                    end_hour, end_minute = eh, emi
        zone = zone_end = None
        z = mentions._ZONE_AFTER.match(text, m.end())
        if z and mentions._plausible_zone(z["zone"]):
            zone, zone_end = z["zone"], z.end()
        found.append(
            TimeMention(
                m.start(),
                zone_end or m.end(),
                hour,
                minute,
                end_hour,
                end_minute,
                zone,
                zone_end,
                m.group(0),
            )
        )
    return found


def test_find_times_reads_every_text_as_groupdict_does() -> None:
    for text in RELATIVE_TEXTS:
        assert mentions.find_times(text) == plain_find_times(text), text
