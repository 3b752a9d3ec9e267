"""Word hints in kinds.py skip pattern searches, and give what the plain searches give.

kinds.py searches a pattern only when the lowered text holds one of the pattern's hint words
(``_found``): every match of the pattern must hold one, which the first tests check over many
texts generated from each pattern (every alternative, every case, ``ſ``/``K``/``İ``/``ı``).
The functions as they were written before are kept here, and the other tests run both ways over
the releases in the repo and over generated texts (edge cases included) and compare.
"""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from icalfeed.extract import kinds
from icalfeed.extract.details import conference_name
from icalfeed.model import EventKind, Status
from icalfeed.regex import lower_case
from tests.conftest import release_texts

_MANY = settings(max_examples=1500, deadline=None)

# (pattern, its hints): every match of the pattern holds one of the hints, lower-cased
HINTED = {
    "_HARD_NOT_EVENT": (kinds._HARD_NOT_EVENT, kinds._HARD_NOT_EVENT_HINTS),
    "_NOT_EVENT_BEFORE": (kinds._NOT_EVENT_BEFORE, kinds._NOT_EVENT_BEFORE_HINTS),
    "_STATUS_WORDS": (kinds._STATUS_WORDS, kinds._STATUS_HINTS),
    "_PRESS_CONF": (kinds._PRESS_CONF, kinds._PRESS_CONF_HINTS),
    "MEETING_WORDS": (kinds.MEETING_WORDS, kinds._MEETING_HINTS),
    "_INVESTOR_DAY": (kinds._INVESTOR_DAY, kinds._INVESTOR_DAY_HINTS),
    "_CALL": (kinds._CALL, kinds._CALL_HINTS),
    "_EARNINGS": (kinds._EARNINGS, kinds._EARNINGS_HINTS),
    "_CONFERENCE": (kinds._CONFERENCE, kinds._CONFERENCE_HINTS),
    "_WEBCAST": (kinds._WEBCAST, kinds._WEBCAST_HINTS),
    "_HOSTED": (kinds._HOSTED, kinds._HOSTED_HINTS),
    "_CONFERENCE_CALL": (kinds._CONFERENCE_CALL, kinds._CONFERENCE_CALL_HINTS),
    "_STRONG_ALL_DAY": (kinds._STRONG_ALL_DAY, kinds._STRONG_ALL_DAY_HINTS),
    "_ORIGINAL_TIME": (kinds._ORIGINAL_TIME, kinds._ORIGINAL_TIME_HINTS),
}


def _holds_hint(match: str, hints: tuple[str, ...]) -> bool:
    low = lower_case(match)
    # (a text str.lower() does not fold as re.IGNORECASE does is searched without hints)
    return low is None or any(hint in low for hint in hints)


@pytest.mark.parametrize("name", sorted(HINTED))
def test_every_match_holds_a_hint(name: str) -> None:
    pattern, hints = HINTED[name]
    plain = re.compile(pattern.pattern, pattern.flags)

    @settings(max_examples=600, deadline=None)
    @given(st.from_regex(plain, fullmatch=True))
    def check(match: str) -> None:
        assert _holds_hint(match, hints), (name, match)

    check()


@pytest.mark.parametrize("name", sorted(HINTED))
def test_every_match_in_the_releases_holds_a_hint(name: str) -> None:
    pattern, hints = HINTED[name]
    plain = re.compile(pattern.pattern, pattern.flags)
    for text in release_texts():
        for m in plain.finditer(text):
            assert _holds_hint(m.group(0), hints), (name, m.group(0))


def test_a_missing_hint_is_caught() -> None:
    """The check above can fail: without "agm" a match of MEETING_WORDS holds no hint."""
    assert not _holds_hint("AGM", ("meeting", "assembl", "egm"))
    assert _holds_hint("AGM", kinds._MEETING_HINTS)


# ------------------------------------------------------------- the functions as they were


def plain_is_not_event_time(before: str) -> bool:
    before = kinds.undot_ampm(before[-260:])
    if kinds._HARD_NOT_EVENT.search(before):
        return True
    last = None
    for m in kinds._NOT_EVENT_BEFORE.finditer(before):
        last = m
    if last is None:
        return False
    rest = before[last.end() :]
    if "." in rest.replace("a.m", "").replace("p.m", "") and len(rest) > 160:
        return False
    return not kinds._POSITIVE_AFTER.search(rest)


def plain_is_replaced_time(before: str) -> bool:
    return bool(kinds._ORIGINAL_TIME.search(kinds.undot_ampm(before[-120:])))


def plain_status_of(text: str) -> Status:
    if kinds._POSTPONED.search(text):
        return Status.POSTPONED
    if kinds._CANCELLED.search(text) and not kinds._NOT_CANCEL_CONTEXT.search(text):
        return Status.CANCELLED
    return Status.CONFIRMED


def plain_strong_all_day(clause: str) -> bool:
    return bool(kinds._STRONG_ALL_DAY.search(clause)) and not kinds._ALL_DAY_NEGATIVE.search(clause)


def _plain_is_earnings_call(text: str) -> bool:
    return bool(kinds._CONFERENCE_CALL.search(text)) and bool(kinds._EARNINGS.search(text))


def _plain_kind_in(text: str, wide: str, headline: str) -> EventKind | None:
    if kinds._PRESS_CONF.search(text) and not _plain_is_earnings_call(text):
        return EventKind.OTHER
    if kinds.MEETING_WORDS.search(text):
        return EventKind.SHAREHOLDER_MEETING
    if kinds._INVESTOR_DAY.search(text):
        return EventKind.INVESTOR_DAY
    if kinds._CALL.search(text) and _plain_is_earnings_call(text):
        return EventKind.EARNINGS_CALL
    if (
        kinds._CALL.search(text)
        and kinds._EARNINGS.search(text)
        and not kinds._CONFERENCE_NAMED.search(text)
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


def plain_classify(
    near: str, wide: str, headline: str, *, lines: str = "", intro: str = ""
) -> EventKind | None:
    if (
        lines
        and not _plain_is_earnings_call(near)
        and conference_name(lines)
        and (
            kinds._CONFERENCE.search(intro)
            or kinds._CONFERENCE.search(headline)
            or kinds._CONFERENCE.search(wide)
        )
    ):
        return EventKind.CONFERENCE_PRESENTATION
    for text in (near, wide, headline):
        if text:
            kind = _plain_kind_in(text, wide, headline)
            if kind is not None:
                return kind
    return None


# ------------------------------------------------------------------------------ the texts

_PIECES = [
    "postponed", "Postponed", "POSTPONED", "po\u017ftponed", "adjourned", "deferred",
    "to a later date to be determined", "delayed the", "will not be held as scheduled",
    "cancelled", "CANCELED", "called off", "will not host", "cancellation of the shares",
    "replays", "re-play", "archived", "recording", "on-demand", "doors will open",
    "registration will begin", "record date", "close of business", "dividend", "no later than",
    "available from", "was held", "took place", "results will be released", "will report",
    "plans to announce", "market close", "trading day", "prior day", "Annual General Meeting",
    "annual general and special meeting", "shareholders\u2019 meeting", "AGM", "EGM", "agm",
    "investor day", "Capital Markets Day", "R&D Day", "conference call", "earnings call",
    "webcast", "Web Cast", "webinar", "briefing", "presentation", "press conference",
    "media briefing", "fourth quarter", "Q3", "q4", "fiscal", "full-year", "interim",
    "financial results", "results", "presenting at the", "fireside chat", "Healthcare Conference",
    "Jefferies Summit", "keynote", "panel", "virtual", "live stream", "will host", "an event",
    "will present at", "to present at", "ended", "as of", " ", "  ", "\n", "; ", ". ", ", ",
    "\u00a0", "\u2019", "\u201c", "\u201d", "\u212a", "\u0130", "\u0131", "\u017f", "at 4:30 p.m.",
    "10 a.m.", "the", "Company", "MEETING", "Meet", "x", "Q", "r", "day", "\u0131nvestor day",
    "ANNUAL GENERAL MEET\u0130NG", "\u212aeynote", "we\u017fcast", "will", "instead of",
    "Rather than the", "previously announced", "ORIGINALLY SCHEDULED", "formerly", "moved from",
    "changed from", "\u0131nstead of",
]  # fmt: skip


def _generated(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choices(_PIECES, k=rng.randint(1, 14))) for _ in range(count)]


def _corpus_pieces() -> list[str]:
    """Sentences and windows of the releases, about as long as the texts kinds.py is given."""
    out: list[str] = []
    for text in release_texts():
        for start in range(0, len(text), 97):
            out.append(text[start : start + 260])
        out.extend(s for s in re.split(r"(?<=[.;])\s+", text) if s)
    return out


TEXTS = _corpus_pieces() + _generated(3000, 7)


def test_status_of_as_before() -> None:
    for text in TEXTS:
        assert kinds.status_of(text) is plain_status_of(text), text


def test_is_not_event_time_as_before() -> None:
    for text in TEXTS:
        assert kinds.is_not_event_time(text) is plain_is_not_event_time(text), text


def test_is_replaced_time_as_before() -> None:
    for text in TEXTS:
        assert kinds.is_replaced_time(text) is plain_is_replaced_time(text), text


def test_strong_all_day_as_before() -> None:
    for text in TEXTS:
        assert kinds.strong_all_day(text) is plain_strong_all_day(text), text


def test_is_earnings_call_as_before() -> None:
    for text in TEXTS:
        assert kinds._is_earnings_call(text) is _plain_is_earnings_call(text), text


def test_classify_as_before() -> None:
    rng = random.Random(3)
    for i, near in enumerate(TEXTS):
        wide = TEXTS[(i * 7 + 1) % len(TEXTS)] + " " + near
        headline = TEXTS[(i * 13 + 5) % len(TEXTS)] if i % 3 else ""
        lines = near if i % 4 == 0 else ""
        intro = rng.choice(TEXTS)
        assert kinds.classify(near, wide, headline, lines=lines, intro=intro) is plain_classify(
            near, wide, headline, lines=lines, intro=intro
        ), (near, wide, headline)
        assert kinds.classify(near, near, "") is plain_classify(near, near, ""), near


@_MANY
@given(st.lists(st.sampled_from(_PIECES), max_size=12).map("".join))
def test_functions_as_before_on_generated_texts(text: str) -> None:
    assert kinds.status_of(text) is plain_status_of(text)
    assert kinds.is_not_event_time(text) is plain_is_not_event_time(text)
    assert kinds.is_replaced_time(text) is plain_is_replaced_time(text)
    assert kinds.strong_all_day(text) is plain_strong_all_day(text)
    assert kinds.classify(text, text + " results", "Q3") is plain_classify(
        text, text + " results", "Q3"
    )
