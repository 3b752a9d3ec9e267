"""Shortcuts in event assembly (events.py, kinds.py) give what the plain way gives.

Each shortcut skips work whose answer is known or cannot matter: a search of a text that has
none of the words a match needs, a lookup asked before the test that makes it useless. The
plain way is kept here as it was written before the shortcut, and each test runs both over many
generated inputs (edge cases included) and compares.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from datetime import date, time

from hypothesis import given, settings
from hypothesis import strategies as st

from icalfeed.extract import details, events, kinds
from icalfeed.extract.kinds import CaseBlind
from icalfeed.extract.mentions import TimeMention, find_times
from icalfeed.extract.segments import Segments
from icalfeed.model import EventKind
from icalfeed.timezones import ZoneContext, place_zone, resolve_zone

_MANY = settings(max_examples=400, deadline=None)


def _texts(fragments: list[str], most: int = 8) -> st.SearchStrategy[str]:
    """Texts made of fragments joined by a space, a newline or nothing."""
    glue = st.sampled_from([" ", " ", "\n", "", ". ", "\n\n"])
    parts = st.lists(st.tuples(st.sampled_from(fragments), glue), max_size=most)
    return parts.map(lambda ps: "".join(f + g for f, g in ps))


# ----------------------------------------------------------------------------- fiscal periods

_PERIOD_WORDS = [
    "first quarter 2011",
    "Fourth-Quarter of fiscal 2024",
    "third quarter of the fiscal year 2019",
    "2nd quarter FY23",
    "FIRST QUARTER",
    "Q3 2011",
    "q4 fy2011",
    "Q1",
    "Q2F24",
    "Q5 2011",
    "fiscal 2017",
    "Fiscal Year 2018",
    "FY2020",
    "fy 21",
    "full-year 2024",
    "Full Year 2023",
    "annual 2022",
    "2023 final results",
    "2022 annual results",
    "2021 fourth quarter and full year results",
    "first half 2020",
    "second half",
    "Second-Half of 2019",
    "fiſcal 2017",  # ſ: re.IGNORECASE takes it for s, str.lower() keeps it
    "FİSCAL 2017",  # İ lower-cases to two characters
    "fıscal 2017",
    "Q\u0663 2011",  # an Arabic-Indic digit: not [1-4]
    "fiscal \u0662\u0660\u0661\u0661",
    "results",
    "quarterly",
    "half-day",
    "the call",
    "April 28, 2011",
    "4:30 p.m. ET",
    "ACME Corp.",
    "2011",
    "11",
    "year",
    "quarter",
    "–",
    "’s",
]


@_MANY
@given(_texts(_PERIOD_WORDS))
def test_fiscal_period_shortcut_is_fiscal_period(text: str) -> None:
    assert details.fiscal_period(text) == details._scanned_period(text, None)


def test_fiscal_period_shortcut_on_each_word() -> None:
    for word in _PERIOD_WORDS:
        for text in (word, word.upper(), word.lower(), word.title(), f"x {word} y"):
            assert details.fiscal_period(text) == details._scanned_period(text, None), text


# ---------------------------------------------------------------------------------- classify


def _plain_classify(
    near: str, wide: str, headline: str, *, lines: str = "", intro: str = ""
) -> EventKind | None:
    """kinds.classify as it was written before its shortcuts."""
    if (
        lines
        and details.conference_name(lines)
        and (
            kinds._CONFERENCE.search(intro)
            or kinds._CONFERENCE.search(headline)
            or kinds._CONFERENCE.search(wide)
        )
    ) and not kinds._is_earnings_call(near):
        return EventKind.CONFERENCE_PRESENTATION
    for text in (near, wide, headline):
        if not text:
            continue
        if kinds._PRESS_CONF.search(text) and not kinds._is_earnings_call(text):
            return EventKind.OTHER
        if CaseBlind(text).search(kinds.MEETING_WORDS):
            return EventKind.SHAREHOLDER_MEETING
        if kinds._INVESTOR_DAY.search(text):
            return EventKind.INVESTOR_DAY
        if (
            kinds._CALL.search(text)
            and kinds._EARNINGS.search(text)
            and (kinds._is_earnings_call(text) or not kinds._CONFERENCE_NAMED.search(text))
        ):
            return EventKind.EARNINGS_CALL
        if kinds._CONFERENCE.search(text):
            return EventKind.CONFERENCE_PRESENTATION
        if kinds._WEBCAST.search(text):
            return EventKind.WEBCAST
        if kinds._CALL.search(text):
            if kinds._EARNINGS.search(wide) or kinds._EARNINGS.search(headline):
                return EventKind.EARNINGS_CALL
            return EventKind.WEBCAST
        if kinds._HOSTED.search(text):
            return EventKind.OTHER
    return None


_KIND_WORDS = [
    "conference call",
    "Conference Call",
    "earnings call",
    "call",
    "calls",
    "webcast",
    "web cast",
    "webinar",
    "briefing",
    "press conference",
    "media briefing",
    "news meet",
    "Annual General Meeting",
    "annual meeting",
    "shareholders' meeting",
    "AGM",
    "Investor Day",
    "capital markets day",
    "R&D day",
    "strategy update",
    "results",
    "first quarter 2011",
    "Q3",
    "earnings",
    "fiscal",
    "will present at the",
    "presentation",
    "presenting",
    "fireside chat",
    "panel",
    "participate in",
    "Jefferies 2011 Global Healthcare Conference",
    "J.P. Morgan Healthcare Conference",
    "Annual Growth Summit",
    "Investor Forum",
    "symposium",
    "host",
    "will be held",
    "event",
    "session",
    "live stream",
    "ACME Corp.",
    "at 4:30 p.m. ET",
    "on April 28, 2011",
    "the",
    ".",
]


@_MANY
@given(
    _texts(_KIND_WORDS, 6),
    _texts(_KIND_WORDS, 10),
    _texts(_KIND_WORDS, 5),
    _texts(_KIND_WORDS, 4),
    _texts(_KIND_WORDS, 6),
    st.booleans(),
)
def test_classify_is_plain_classify(
    near: str, more: str, headline: str, lines: str, intro: str, near_in_wide: bool
) -> None:
    wide = f"{more} {near} {more}" if near_in_wide else more
    for args in ((near, wide, headline), (near, near, ""), (near, wide, "")):
        for kw in ({"lines": lines, "intro": intro}, {"lines": "", "intro": intro}, {}):
            assert kinds.classify(*args, **kw) == _plain_classify(*args, **kw), (args, kw)


# -------------------------------------------------------------------------------------- zones

_RELEASE_PARTS = [
    "ACME Corp (NYSE: ACM) will host a conference call",
    "The Annual General Meeting will be held",
    "ACME will present at the Nordic Healthcare Conference",
    "at 4:30 p.m. ET",
    "at 10:00 CET",
    "at 10:00 a.m. CEST",
    "at 9:00 a.m. Eastern Time",
    "at 14:00 Central European Time",
    "at 14:00 local time",
    "at 8:00 a.m.",
    "at 3:00 p.m. CET / 9:00 a.m. ET",
    "at 15:00 CET (9:00 a.m. EST)",
    "at 10:00 IST",
    "at 9:30 CST",
    "in Oslo",
    "in Toronto, Ontario",
    "in Helsinki",
    "at Nasdaq Helsinki",
    "at the London Stock Exchange",
    "at Euronext Paris",
    "at the Frankfurter Börse",
    "in New York",
    "on Thursday, April 28, 2011",
    "on May 5, 2011",
    "May 12",
    "April 30, 2011",
    "originally scheduled for April 30, 2011",
    "instead of the previously announced May 3, 2011",
    "instead of 11:00 a.m.",
    "previously scheduled for",
    "has been postponed to a date to be determined",
    "is postponed until further notice",
    "has been cancelled",
    "All times are Eastern",
    "All times stated are CET",
    "the same day",
    "Date: May 4, 2011",
    "Time: 10:00 CET",
    "to discuss its first quarter 2011 results",
    "A replay will be available",
]
_DATELINES = [None, "OSLO, Norway", "TORONTO", "NEW YORK", "Shanghai, China", "Dublin"]


def _plain_zone_for(
    text: str,
    seg: Segments,
    group: list[TimeMention],
    times: list[TimeMention],
    ctx: ZoneContext,
    all_times_zone: Callable[[], str | None],
    day: date,
) -> tuple[str | None, set[events.Flag], list[str]]:
    """events._zone_for as it was written before its shortcut (the venue looked up first)."""
    flags: set[events.Flag] = set()
    warnings: list[str] = []
    cs, ce = seg.clause(group[0].start)
    venue = place_zone(events._EXCHANGE_PLACE.sub(" ", text[cs:ce]))
    local_word = False
    zoned = []
    for member in group:
        if member.zone is None:
            continue
        if member.zone.lower() == "local time":
            local_word = True
            continue
        tzid = resolve_zone(member.zone, ctx)
        if tzid:
            zoned.append((member, tzid))
    if zoned:
        first, tzid = zoned[0]
        here = venue or ctx.dateline_zone
        if here and here != tzid and len(first.zone or "") <= 5 and events._same(here, tzid, day):
            tzid = here
        if len(zoned) > 1:
            base = events._utc(day, first, tzid)
            for other, other_tz in zoned[1:]:
                if base is not None and events._utc(day, other, other_tz) != base:
                    flags.add(events.Flag.ZONE_CONFLICT)
                    warnings.append(
                        f"{first.text.strip()} {first.zone} and {other.text.strip()} {other.zone}"
                        " name different instants; the first was used"
                    )
                    break
        return tzid, flags, warnings
    if not local_word and (stated := all_times_zone()):
        return stated, flags, warnings
    if not local_word:
        here_pos = group[0].start
        lo = bisect.bisect_left(times, here_pos - 400, key=lambda o: o.start)
        hi = bisect.bisect_right(times, here_pos + 400, key=lambda o: o.start)
        for other in sorted(times[lo:hi], key=lambda o: abs(o.start - here_pos)):
            if other.zone and other.zone.lower() != "local time":
                tzid = resolve_zone(other.zone, ctx)
                if tzid:
                    return tzid, flags, warnings
    if venue:
        return venue, {events.Flag.ZONE_ASSUMED}, [f"no zone written; {venue} from the venue"]
    if ctx.dateline_zone:
        return (
            ctx.dateline_zone,
            {events.Flag.ZONE_ASSUMED},
            [f"no zone written; {ctx.dateline_zone} from the dateline"],
        )
    return None, {events.Flag.ZONE_UNKNOWN}, ["no zone written and no place to take one from"]


@_MANY
@given(_texts(_RELEASE_PARTS, 12), st.sampled_from(_DATELINES))
def test_zones_are_the_plain_ones(text: str, dateline: str | None) -> None:
    seg = Segments(text)
    times = find_times(text)
    ctx = ZoneContext.for_release(dateline, text)
    stated = events._all_times_zone(text, ctx)
    for group in events._groups(text, times, seg):
        for day in (date(2011, 4, 28), date(2011, 3, 27), date(2011, 10, 30)):
            got = events._zone_for(text, seg, group, times, ctx, lambda: stated, day)
            assert got == _plain_zone_for(text, seg, group, times, ctx, lambda: stated, day)


# -------------------------------------------------------------------------------------- status


def _plain_status_of(text: str) -> kinds.Status:
    """kinds.status_of as it was written before its one-scan test."""
    if kinds._POSTPONED.search(text):
        return kinds.Status.POSTPONED
    if kinds._CANCELLED.search(text) and not kinds._NOT_CANCEL_CONTEXT.search(text):
        return kinds.Status.CANCELLED
    return kinds.Status.CONFIRMED


_STATUS_PARTS = [
    "postponed",
    "Postponement",
    "POSTPONE",
    "poſtponed",  # ſ: re.IGNORECASE takes it for s
    "adjourned",
    "deferred",
    "deferral",
    "to a later date to be determined",
    "to a date to be announced",
    "to a\nlater date to be confirmed",
    "delayed until",
    "delays the",
    "delay its",
    "delayed",
    "will not be held as scheduled",
    "will not take place as scheduled",
    "will not be held",
    "cancelled",
    "Canceled",
    "CANCELLATION",
    "cancelling",
    "cancel",
    "cancels the notice",
    "cancelled the previous notice",
    "cancelled invitation",
    "called off",
    "will not host",
    "will not hold",
    "replaces and cancels",
    "cancellation of the shares",
    "cancellation of treasury",
    "İ",
    "the call",
    "is scheduled",
    "the date",
    "x",
    "4:30 p.m. ET",
]


@_MANY
@given(_texts(_STATUS_PARTS, 6))
def test_status_of_is_plain_status_of(text: str) -> None:
    assert kinds.status_of(text) == _plain_status_of(text)


def test_status_of_on_each_part() -> None:
    for part in _STATUS_PARTS:
        for text in (part, part.upper(), f"The AGM {part}.", f"{part}d the"):
            assert kinds.status_of(text) == _plain_status_of(text), text


# ------------------------------------------------------------------------------------- dedupe


def _plain_dedupe(drafts: list[events._Draft]) -> list[events._Draft]:
    """events._dedupe as it was written before its shortcut for a single draft."""
    zoned = {(d.day, d.wall) for d in drafts if d.tzid is not None}
    drafts = [d for d in drafts if d.tzid is not None or (d.day, d.wall) not in zoned]
    best: dict[tuple[str, date], events._Draft] = {}
    order: list[tuple[str, date]] = []
    for draft in drafts:
        key = draft.instant()
        if key not in best:
            best[key] = draft
            order.append(key)
        elif draft.confidence > best[key].confidence:
            best[key] = draft
    return sorted((best[k] for k in order), key=lambda d: d.anchor)


def test_dedupe_of_one_draft_is_the_plain_one() -> None:
    day = date(2011, 3, 13)  # the spring-forward day in New York: 2:30 does not exist
    for wall, tzid in (
        (time(16, 30), "America/New_York"),
        (time(2, 30), "America/New_York"),
        (time(9), None),
        (None, None),
        (None, "Europe/Oslo"),
    ):
        draft = events._Draft(
            anchor=7,
            clause=(0, 20),
            kind=EventKind.WEBCAST,
            day=day,
            wall=wall,
            end_wall=None,
            tzid=tzid,
        )
        assert [id(d) for d in events._dedupe([draft])] == [id(d) for d in _plain_dedupe([draft])]
    assert events._dedupe([]) == _plain_dedupe([]) == []
