"""Words that say what an event is, whether a time is an event at all, and its status."""

from __future__ import annotations

import functools
import re

from icalfeed import regex
from icalfeed.extract.details import conference_name
from icalfeed.model import EventKind, Status
from icalfeed.regex import CaseBlind, lower_case

__all__ = [
    "EVENT_WORDS",
    "MEETING_WORDS",
    "classify",
    "is_not_event_time",
    "is_replaced_time",
    "status_of",
    "strong_all_day",
    "undot_ampm",
]

_MEETING = (
    r"(?:annual|extraordinary|special|ordinary|general|extra-ordinary|extr\.)\s+(?:general\s+)?"
    r"(?:meeting|assembly)|(?:shareholders?|stockholders?|unitholders?)['’]?\s+meeting|"
    r"meeting\s+of\s+(?:the\s+)?(?:shareholders|stockholders|unitholders)|\bAGM\b|\bEGM\b|"
    r"annual\s+meetings|general\s+meeting|annual\s+general\s+(?:\S{1,30}\s{1,3}){0,4}?meeting"
)
MEETING_WORDS = regex.compile(_MEETING, re.I)
_INVESTOR_DAY = regex.compile(
    r"\b(?:investor|analyst|capital\s+markets?|r&d|research\s+(?:and|&)\s+development|"
    r"strategy|innovation|investor\s+and\s+analyst)\s+(?:day|event|update|meeting|forum)\b|"
    r"\binvestor\s+day\b",
    re.I,
)
_CONFERENCE = regex.compile(
    r"\b(?:present(?:s|ing|ations?|ed)?|fireside\s+chat|participate|panel|keynote)\b.{0,160}?"
    r"\b(?:conferences?|summits?|forums?|symposium|seminars?|rodeo|showcase|expo|meeting|day)\b|"
    r"\b(?:conferences?|summits?|forums?|seminars?|symposium|showcase)\b.{0,120}?"
    r"\b(?:present(?:s|ing|ations?)?|fireside\s+chat)\b|\bfireside\s+chat\b",
    re.I | re.S,
)
_EARNINGS = regex.compile(
    r"\b(?:results|earnings|quarter|quarterly|fiscal|full[- ]year|half[- ]year|interim|"
    r"financial\s+(?:results|performance)|Q[1-4])\b",
    re.I,
)
_CALL = regex.compile(
    r"\b(?:conference\s+call|call|webcast|teleconference|web\s*cast|audio\s+webcast|briefing|webinar|"
    r"analyst\s+presentation|investor\s+presentation|presentation)\b",
    re.I,
)
_WEBCAST = regex.compile(
    r"\b(?:webcast|webinar|web\s+cast|symposium|virtual|online\s+event|live\s*stream|"
    r"streamed\s+live)\b",
    re.I,
)
_HOSTED = regex.compile(
    r"\b(?:host|hosts|hold|holds|will\s+be\s+held)\b[^.]{0,80}\b(?:event|briefing|session)\b",
    re.I,
)
_PRESS_CONF = regex.compile(r"\b(?:press|media|news)\s+(?:conference|briefing|meet)\b", re.I)
EVENT_WORDS = regex.compile(
    r"\b(?:call|webcast|web\s+cast|webinar|conference|meeting|presentation|present|presents|"
    r"presenting|fireside|chat|symposium|summit|forum|seminar|briefing|teleconference|"
    r"investor\s+day|analyst\s+day|event|AGM|EGM|assembly|rodeo|showcase|livestream)\b",
    re.I,
)

_HARD_NOT_EVENT = regex.compile(
    r"(?:\breplay|re-play|playback|archive[ds]?|\brecording|rebroadcast|on[- ]demand|"
    r"doors?\b[^.]{0,40}\bopen|reception|registration\s+(?:will\s+)?(?:begin|open|commence|start)|"
    r"record\s+date|close\s+of\s+business|dividend|deadline|no\s+later\s+than|"
    r"available\s+(?:from|after|beginning|starting)|was\s+held|took\s+place|were\s+held)"
    r"[^;]{0,220}$",
    re.I,
)
_ORIGINAL_TIME = regex.compile(
    r"\b(?:instead\s+of|rather\s+than|previously\s+(?:announced|scheduled|planned)|"
    r"originally\s+(?:announced|scheduled|planned)|formerly|moved\s+from|changed\s+from)"
    r"[^.;]{0,40}$",
    re.I,
)
_ORIGINAL_TIME_HINTS = (
    "instead", "rather", "previously", "originally", "formerly", "moved", "changed",
)  # fmt: skip
_NOT_EVENT_BEFORE = regex.compile(
    r"(?:(?:results|earnings|report|press\s+release|release|statement)s?\s+(?:will\s+be\s+|to\s+be\s+)?"
    r"(?:released|issued|published|announced|distributed|disseminated)|"
    r"(?:will|to|plans\s+to|expects\s+to)\s+(?:be\s+)?(?:release|report|announc|publish|issu)\w*|"
    r"record\s+date|close\s+of\s+business|dividend|deadline|no\s+later\s+than|by\s+no\s+later|"
    r"market\s+(?:open|close)|trading\s+(?:hours|day|session)|"
    r"available\s+(?:from|after|beginning|starting)|"
    r"(?:last|prior)\s+(?:day|date)|was\s+held|took\s+place|were\s+held)",
    re.I,
)
_POSITIVE_AFTER = regex.compile(
    r"\b(?:call|webcast|web\s+cast|host|hold|meeting|conference|presentation|present|chat|"
    r"webinar|live)\b",
    re.I,
)
_AMPM_DOTS = regex.compile(r"\b([ap])\.\s?m\.", re.I)

# Words of which every match of a pattern holds one, in lower case (tests check each alternative
# of each pattern): most texts hold none, and ``in`` on the lowered text costs ~5 instructions a
# character per word, against 140-400 for the pattern's search (its first letters are common ones).
_HARD_NOT_EVENT_HINTS = (
    "play", "archive", "record", "broadcast", "demand", "door", "reception", "registration",
    "close", "dividend", "deadline", "later", "available", "held", "took",
)  # fmt: skip
_NOT_EVENT_BEFORE_HINTS = (
    "release", "issu", "publish", "announc", "report", "distribut", "disseminat", "record",
    "close", "dividend", "deadline", "later", "market", "trading", "available", "last", "prior",
    "held", "took",
)  # fmt: skip


def _holds_any(low: str | None, hints: tuple[str, ...]) -> bool:
    """Whether the lowered text ``low`` holds one of ``hints``; True when it is unknown (None).
    (A loop: any() over a generator costs half as much again per word.)"""
    if low is None:
        return True
    for hint in hints:  # noqa: SIM110 - (the loop: see the docstring)
        if hint in low:
            return True
    return False


def _found(words: CaseBlind, pattern: re.Pattern[str], hints: tuple[str, ...]) -> bool:
    """Whether ``pattern`` matches the text, when every match of it holds one of ``hints``
    (lower case): the search is made only when the lowered text holds one."""
    return _holds_any(words.low, hints) and words.search(pattern) is not None


def undot_ampm(text: str) -> str:
    """``4:30 p.m.`` -> ``4:30 pm``: the dots of a.m. and p.m. end no sentence."""
    if "m." not in text and "M." not in text:  # every match ends so: nothing to replace
        return text
    return _AMPM_DOTS.sub(_undotted, text)


def _undotted(m: re.Match[str]) -> str:
    return m.group(1) + "m"


def is_replaced_time(before: str) -> bool:
    """Whether the words before a time say it was replaced ("instead of the previously
    announced 8:30 a.m.", "originally scheduled for")."""
    before = undot_ampm(before[-120:])
    return _holds_any(lower_case(before), _ORIGINAL_TIME_HINTS) and bool(
        _ORIGINAL_TIME.search(before)
    )


def is_not_event_time(before: str) -> bool:
    """Whether the words before a time (in its sentence) say it is not an event's start.

    A negative ("replay", "will release results") counts only when no event word follows it
    before the time: "will release results and host a call at 5 p.m." is a call.
    """
    before = undot_ampm(before[-260:])
    words = CaseBlind(before)
    if _found(words, _HARD_NOT_EVENT, _HARD_NOT_EVENT_HINTS):
        return True
    if not _holds_any(words.low, _NOT_EVENT_BEFORE_HINTS):
        return False  # no match to find
    last = None
    for m in words.finditer(_NOT_EVENT_BEFORE):
        last = m
    if last is None:
        return False
    rest = before[last.end() :]
    if "." in rest.replace("a.m", "").replace("p.m", "") and len(rest) > 160:
        return False
    return not _POSITIVE_AFTER.search(rest)


def classify(
    near: str, wide: str, headline: str, *, lines: str = "", intro: str = ""
) -> EventKind | None:
    """The kind of event words near a time describe; None when they describe no event.

    ``near`` is the time's clause (and its date's), ``wide`` the text around it, ``lines``
    the time's line and the two above it (a conference name heading a list item), ``intro``
    the release's opening.
    """
    # the cheap test first: a call about results (most events) needs no conference name
    near_words: CaseBlind | None = None
    results_call: bool | None = None  # whether ``near`` is a call about results, once asked
    if lines:
        near_words = CaseBlind(near)
        results_call = _earnings_call_in(near_words)
        if (
            not results_call
            and conference_name(lines)
            and (
                _CONFERENCE.search(intro)
                or _CONFERENCE.search(headline)
                or _CONFERENCE.search(wide)
            )
        ):
            return EventKind.CONFERENCE_PRESENTATION
    for text in (near, wide, headline):
        if text:
            if text is near:
                words = near_words or CaseBlind(text)
                kind = _kind_in(words, wide, headline, results_call)
            else:
                kind = _kind_in(CaseBlind(text), wide, headline, None)
            if kind is not None:
                return kind
    return None


# Hints (see _found) for the patterns _kind_in looks for; all of them are searched in one text,
# lowered once.
_PRESS_CONF_HINTS = ("conference", "briefing", "meet")
_MEETING_HINTS = ("meeting", "assembl", "agm", "egm")
_INVESTOR_DAY_HINTS = ("day", "event", "update", "meeting", "forum")
_CALL_HINTS = ("call", "web", "teleconference", "briefing", "presentation")
_EARNINGS_HINTS = ("q", "result", "earning", "fiscal", "year", "interim", "financial")
_CONFERENCE_HINTS = ("present", "fireside", "participate", "panel", "keynote")
_WEBCAST_HINTS = ("web", "symposium", "virtual", "online", "live")
_HOSTED_HINTS = ("event", "briefing", "session")
_CONFERENCE_CALL_HINTS = ("call",)


def _kind_in(
    words: CaseBlind, wide: str, headline: str, results_call: bool | None
) -> EventKind | None:
    """classify's rules for one of its texts (``words.text``); ``results_call`` is
    ``_earnings_call_in(words)`` when already known (then the searches it answers are not made
    again)."""
    if results_call is None:
        if _found(words, _PRESS_CONF, _PRESS_CONF_HINTS) and not _earnings_call_in(words):
            return EventKind.OTHER
    elif not results_call and _found(words, _PRESS_CONF, _PRESS_CONF_HINTS):
        return EventKind.OTHER
    if _found(words, MEETING_WORDS, _MEETING_HINTS):
        return EventKind.SHAREHOLDER_MEETING
    if _found(words, _INVESTOR_DAY, _INVESTOR_DAY_HINTS):
        return EventKind.INVESTOR_DAY
    if results_call:
        # "conference call" or "earnings call" is a call word, and the results words are there
        return EventKind.EARNINGS_CALL
    call = _found(words, _CALL, _CALL_HINTS)  # (asked once: a call of no known kind needs it too)
    if (
        call
        and _found(words, _EARNINGS, _EARNINGS_HINTS)
        # with the results words found, _is_earnings_call(text) is this search
        and (
            _found(words, _CONFERENCE_CALL, _CONFERENCE_CALL_HINTS)
            or not _CONFERENCE_NAMED.search(words.text)
        )
    ):
        return EventKind.EARNINGS_CALL
    if _found(words, _CONFERENCE, _CONFERENCE_HINTS):
        return EventKind.CONFERENCE_PRESENTATION
    if _found(words, _WEBCAST, _WEBCAST_HINTS):
        return EventKind.WEBCAST
    if call:
        if _EARNINGS.search(wide) or _EARNINGS.search(headline):
            return EventKind.EARNINGS_CALL
        return EventKind.WEBCAST
    if _found(words, _HOSTED, _HOSTED_HINTS):
        return EventKind.OTHER
    return None


_CONFERENCE_NAMED = regex.compile(
    r"\b[A-Z][\w&]{0,40}\s+(?:[A-Z][\w&]{0,40}\s+){0,5}(?:Conference|Summit|Forum|Symposium|Seminar)\b"
)


_CONFERENCE_CALL = regex.compile(r"\b(?:conference\s+call|earnings\s+call)\b", re.I)


def _is_earnings_call(text: str) -> bool:
    """A conference or earnings call about results ("conference call to discuss Q3 results")."""
    return _earnings_call_in(CaseBlind(text))


def _earnings_call_in(words: CaseBlind) -> bool:
    """:func:`_is_earnings_call` of ``words.text``, lowered once for other searches too."""
    return _found(words, _CONFERENCE_CALL, _CONFERENCE_CALL_HINTS) and _found(
        words, _EARNINGS, _EARNINGS_HINTS
    )


_POSTPONED = regex.compile(
    r"\b(?:postpon\w*|adjourn\w*|deferred|to\s+a\s+(?:later\s+)?date\s+to\s+be\s+"
    r"(?:determined|announced)|delay(?:ed|s)?\s+(?:the|its|until)|"
    r"will\s+not\s+(?:be\s+held|take\s+place)\s+as\s+scheduled)\b",
    re.I,
)
_CANCELLED = regex.compile(
    r"\b(?:cancel(?:s|led|ed|ling|lation)?|called\s+off|will\s+not\s+(?:host|hold))\b"
    r"(?!\s+(?:the\s+)?(?:notice|previous\s+notice|invitation))",
    re.I,
)
_NOT_CANCEL_CONTEXT = regex.compile(
    r"\b(?:replaces\s+and\s+cancels|cancell?ation\s+of\s+(?:the\s+)?"
    r"(?:shares|notice|treasury))\b",
    re.I,
)


# Every match of _POSTPONED or _CANCELLED is a match of this: one scan tells the usual text,
# which says neither, from the rest.
_STATUS_WORDS = regex.compile(f"{_POSTPONED.pattern}|{_CANCELLED.pattern}", re.I)
_STATUS_HINTS = ("postpon", "adjourn", "deferred", "date", "delay", "not", "cancel", "called")


# (events ask for the headline's status once per event, and for a paragraph's once per time in
# it: a fifth of the characters status_of was given had been given before)
@functools.lru_cache(maxsize=64)
def status_of(text: str) -> Status:
    """Postponed or cancelled when the sentence about the event says so."""
    # (36 K instructions for the search of the usual text, 10 K for the words and lowering)
    if not _found(CaseBlind(text), _STATUS_WORDS, _STATUS_HINTS):
        return Status.CONFIRMED
    if _POSTPONED.search(text):
        return Status.POSTPONED
    if _CANCELLED.search(text) and not _NOT_CANCEL_CONTEXT.search(text):
        return Status.CANCELLED
    return Status.CONFIRMED


_STRONG_ALL_DAY = regex.compile(
    rf"{_MEETING}|\binvestor\s+day\b|\bcapital\s+markets?\s+day\b|\banalyst\s+day\b|"
    r"\br&d\s+day\b|\bconference\s+call\b|\bwebcast\b|\bfireside\s+chat\b|"
    r"\bwill\s+(?:present|host|hold)\b[^.]{0,80}\b(?:conference|meeting|call|webcast|day)\b|"
    r"\bto\s+present\s+at\b",
    re.I,
)
_STRONG_ALL_DAY_HINTS = (
    *_MEETING_HINTS, "investor", "capital", "analyst", "r&d", "conference", "webcast", "fireside",
    "present", "host", "hold",
)  # fmt: skip
_ALL_DAY_NEGATIVE = regex.compile(
    r"\b(?:record\s+date|of\s+record|dated|notice\s+(?:was|is)\s+(?:dated|published)|"
    r"deadline|no\s+later\s+than|on\s+or\s+before|by\s+(?:the\s+)?close|registered\s+by|"
    r"payable|paid|dividend|"
    r"held\s+on|was\s+held|took\s+place|ended|ending|period\s+ended|entitled\s+to\s+vote|"
    r"as\s+of|effective)\b",
    re.I,
)


def strong_all_day(clause: str) -> bool:
    """Whether a clause with a date but no time announces an event strongly enough."""
    words = CaseBlind(clause)
    return _found(words, _STRONG_ALL_DAY, _STRONG_ALL_DAY_HINTS) and not words.search(
        _ALL_DAY_NEGATIVE
    )
