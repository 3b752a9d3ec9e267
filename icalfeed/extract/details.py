"""How to join an event: dial-ins, passcodes, webcast and registration links, replay window;
and what it is about: conference names and fiscal periods."""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from icalfeed import regex
from icalfeed.extract.mentions import DateMention
from icalfeed.extract.segments import Segments
from icalfeed.model import DialIn

__all__ = [
    "Details",
    "conference_name",
    "find_details",
    "fiscal_period",
]

_PHONE = regex.compile(
    r"(?=[+(\d])(?<![\w/.=-])(?:"
    r"\+\s?\d{1,3}(?:\s?\(0\))?[\s.\-]?\(?\d{1,4}\)?(?:[\s.\-]?\d{2,4}){1,4}"
    r"|(?:1[\s.\-])?\(?[2-9]\d{2}\)?[\s.\-]{0,2}\d{3}[\s.\-]\d{4}"
    r"|1[\s.\-]?8\d\d[\s.\-]?[A-Z0-9]{3}[\s.\-]?[A-Z0-9]{4}"
    r"|0\d{2,4}[\s\-]\d{3,4}[\s\-]?\d{3,4}"
    r"|400\d?[\s\-]\d{3}[\s\-]?\d{3,4}|1[38]00[\s\-]?\d{3}[\s\-]?\d{3}"
    r")(?![\w/=]|-\d|\.\d)"
)
# ------------------------------------------------ phone numbers: searched only near their digits
#
# _PHONE's start set holds the digits, so re enters the matcher (and its lookbehind) at every
# digit of a text: 7.8 M instructions a bench round, ~116 a character. Every match holds a "+",
# or the "1-800-ABC-DEFG" of its third alternative, or three digits followed, within 3
# characters, by three more and, within 2 more, by three more ("212) 555-1234", "0800 123 4567")
# whose first starts at most 3 characters into it ("1-(212..."). Those are looked for in the
# lower-cased text (``regex.ascii_lower_case``: a character outside ASCII, which \d and \s can
# match, is a "?"): the digits read as "0" (translated: ~0.2 M a round) by a pattern whose
# literal prefix "000" re finds without entering the matcher, and the third alternative by one
# whose literal prefix is its "1". Each place such a pattern matches at lies inside one of the
# matches finditer gives, so a number starts inside one of those (or up to 3 characters before
# it): _PHONE is searched only there (92 searches for 78 numbers in the bench corpus; its
# lookbehind still reads the text before where a search starts). 7.8 -> 3.6 M a round, of
# which the two scans take 2.7 M (re's prefix search still stops at every "0" and "1").
_PHONE_DIGITS = re.compile(rb"000[\s\S]{0,3}000[\s\S]{0,2}000")
_PHONE_DIGITS_LEAD = 3  # "1-(" before a number's first three digits
_PHONE_BYTES = bytes(ord("0") if ch in b"0123456789?" else ord(" ") for ch in range(256))
# the third alternative, lower-cased; \s as re reads it in a str ([\t-\r\x1c-\x1f ])
_PHONE_TOLL_FREE = re.compile(
    rb"1[\t-\r\x1c-\x1f .\-?]?8[0-9?]{2}[\t-\r\x1c-\x1f .\-?]?[a-z0-9]{3}"
    rb"[\t-\r\x1c-\x1f .\-?]?[a-z0-9]{4}"
)
# How far past where a match starts re can read: the longest match (the "+" alternative) and
# the 2 characters of its closing lookahead ("-1", ".1"). A search that stops this far past the
# last place a match can start finds there what a search of the whole text finds.
_PHONE_LONGEST = 36
_PHONE_READ = _PHONE_LONGEST + 2


def find_phones(text: str, low: bytes | None) -> list[re.Match[str]]:
    """``list(_PHONE.finditer(text))``, searching only where a number's shape or a "+" is.
    ``low`` is ``regex.ascii_lower_case(text)`` (read for its digits and letters: its own
    encoding of the text would cost more than the search it saves, ~1 M a round)."""
    if low is None:
        return list(_PHONE.finditer(text))
    # where matches can start: [lo, end) spans, sorted by lo
    digits = low.translate(_PHONE_BYTES)
    spans = [(m.start() - _PHONE_DIGITS_LEAD, m.end()) for m in _PHONE_DIGITS.finditer(digits)]
    spans += [m.span() for m in _PHONE_TOLL_FREE.finditer(low)]
    spans += [(plus, plus + 1) for plus in _found(low, (b"+",))]
    spans.sort()
    found: list[re.Match[str]] = []
    pos = 0  # end of the last match: finditer looks for the next from there
    search = _PHONE.search
    for lo, end in spans:
        pos = max(pos, lo)
        # a match that starts before ``end`` reads no further than ``hi``: the one the search
        # finds there is the one finditer finds (one that starts later may be cut short: left)
        hi = end + _PHONE_READ
        while pos < end and (m := search(text, pos, hi)) is not None and m.start() < end:
            found.append(m)
            pos = m.end()
    return found


_PHONE_CONTEXT = regex.compile(
    r"\b(?:dial|call|phone|telephone|toll|number|participant|participants|conference|"
    r"domestic|international|u\.?s\.?|canada|uk|us/canada|within|outside|from|access|"
    r"listen|join|free|local|freephone|tel|line|operator|attendees|investors?)\b",
    re.I,
)
_CONTACT = regex.compile(
    r"(?=[cCmMiIeEfF@vVdDoOtTsS])\b(?:contact|media\s+relations|investor\s+relations\s*:|inquir|e-?mail|fax|@|"
    r"vice\s+president|director|manager|officer|treasurer|spokes)",
    re.I,
)
_REPLAY = regex.compile(
    r"\b(?=[rRpPaAoO])(?:replay|re-play|playback|archive|archived|recording|rebroadcast|"
    r"on[- ]demand)\b",
    re.I,
)
_PASSCODE = regex.compile(
    r"\b(?=[pPcCaAmMeEiIrR])(?:pass\s?code|passcode|password|conference\s+(?:id|code|number)|access\s+(?:code|number|id)|"
    r"participant\s+(?:code|passcode|pin|id)|pin(?:\s+(?:code|number))?|meeting\s+(?:id|number|code)|"
    r"event\s+(?:id|code|number|passcode)|confirmation\s+(?:code|number|#)|entry\s+code|"
    r"replay\s+(?:code|id|passcode)|id\s+number|call\s+id|code)\b"
    r"(?:\s*(?:number|no\.?|#))?\s*(?:is|:|-|–|of|=)?\s*(?:#\s*)?"
    r"(?P<code>[\"“'‘][A-Za-z0-9][\w\-]{1,30}[.,]?[\"”'’]|\d[\d \-]{2,18}\d|"
    r"(?=[A-Z0-9\-]{0,20}\d)[A-Z0-9][A-Z0-9\-]{3,20}\b|(?P<word>[A-Z]{4,12})\b)",
    re.I,
)


# ------------------------------------------------ searching only where a match can start
#
# The patterns above scan every character of a region for a set of first characters (digits,
# or the first letters of their words: ~60 instructions a character, and a try of the pattern
# at each candidate), while bytes.find runs over a text at about 2 (measured with callgrind; each
# hit then costs ~2,000 in the Python loop, so the words looked for must be rare ones). So
# where every match holds a word or character that str.find can look for (in the lower-cased
# region for a case-blind pattern), the places a match can start are worked out from where
# those are, and the pattern is tried there alone (regex.matches_at).


def _is_word(ch: str) -> bool:
    """Whether re's ``\\w`` matches ``ch`` (what ``\\b`` tests)."""
    return ch.isalnum() or ch == "_"


def _at_word_start(text: str, at: int) -> bool:
    """Whether ``\\b`` holds before the word character at ``at``."""
    return at == 0 or not _is_word(text[at - 1])


def _found(text: bytes, words: Iterable[bytes]) -> list[int]:
    """Every position where one of ``words`` starts in ``text`` (unsorted)."""
    out: list[int] = []
    find = text.find
    for word in words:
        i = find(word)
        while i >= 0:
            out.append(i)
            i = find(word, i + 1)
    return out


_LEAD_LONGEST = 12  # the longest word before an anchor word: "confirmation"


def _lead_start(text: str, at: int, dash: bool = False) -> int:
    """Where the word before the word at ``at`` starts, when only whitespace (and, with
    ``dash``, "-") lies between them: the start of the run of ``\\w`` characters before that
    run, cut at ``_LEAD_LONGEST`` characters (a longer run has no word boundary there, where a
    match starts). -1 when no such word is there."""
    return _lead(text, at, dash)[0]


def _lead(text: str, at: int, dash: bool = False) -> tuple[int, int]:
    """:func:`_lead_start` and where that word ends."""
    j = at
    while j > 0 and (text[j - 1].isspace() or (dash and text[j - 1] == "-")):
        j -= 1
    if j == at:
        return -1, -1
    k = j
    while k > 0 and j - k <= _LEAD_LONGEST and _is_word(text[k - 1]):
        k -= 1
    return (k, j) if k < j else (-1, -1)


# Every match of _PASSCODE holds one of these words at a word start: its first word ("pass",
# "pin", "id", "code", "confirmation") or, after the first word and whitespace, its second
# ("conference id", "access number", "participant passcode", "call id", "entry code").
_PASSCODE_WORDS = (b"pass", b"pin", b"id", b"code", b"number", b"confirmation")


def find_passcodes(text: str, low: bytes | None) -> list[re.Match[str]]:
    """``list(_PASSCODE.finditer(text))``, trying the pattern only at its words and at the
    words before them. ``low`` is ``regex.ascii_lower_case(text)``."""
    if low is None:
        return list(_PASSCODE.finditer(text))
    starts = [a for a in _found(low, _PASSCODE_WORDS) if _at_word_start(text, a)]
    starts += [_lead_start(text, a) for a in starts]
    return regex.matches_at(_PASSCODE, text, starts)


_URL = regex.compile(
    r"(?:https?://[^\s<>\"“”')\]]{2,500}|(?<![@\w./-])www\.[a-z0-9\-]{1,63}(?:\.[a-z0-9\-]{1,63}){1,4}"
    r"(?:/[^\s<>\"“”')\]]{0,400})?|(?<![@\w./-])(?:[a-z0-9\-]{2,63}+\.){1,3}(?:com|net|org|io|co|ir)"
    r"(?:/[^\s<>\"“”')\]]{1,400})?(?![\w@]))",
    re.I,
)
# Every match of _URL holds one of these anchors, at most _URL_ANCHOR_REACH characters from its
# start: "://" 4 or 5 in, the dot of "www." 3 in, or the dot before the top-level domain after at
# most 3 labels of 63. Two searches with a literal first character, which re finds several times
# quicker than a character of a set such as [.:wW].
_URL_SCHEME = re.compile("://")
_URL_DOT = regex.compile(r"\.(?:(?:com|net|org|io|co|ir)\b|(?<=www\.))", re.I)
_URL_ANCHOR_REACH = 3 * 64
# What _URL's lookbehind refuses before a "www." or a bare domain; read backwards from an anchor.
_URL_RUN = re.compile(r"[@\w./-]*")


def find_urls(text: str) -> list[re.Match[str]]:
    """``list(_URL.finditer(text))``, trying the regex only where a URL can start (the regex
    alone tries its bare-domain branch at every word of the text).

    A URL starts 4 or 5 characters before its "://", or (a "www." or a bare domain, both
    behind a lookbehind for ``[@\\w./-]``) where the run of such characters that holds its
    first anchor begins: every character from its start to that anchor is a letter, digit,
    "-" or ".". No anchor match can span such a start (an anchor's inner characters are all
    in the run's set but the ":" of "://"), so the first anchor at or after a URL's start
    names it: trying each anchor's starts in turn, from the end of the last URL, finds the
    URLs finditer finds (tests compare the two).
    """
    found: list[re.Match[str]] = []
    pos = 0  # end of the last URL: the next starts here or later
    anchors = [m.start() for m in _URL_SCHEME.finditer(text)]
    anchors += [m.start() for m in _URL_DOT.finditer(text)]
    for a in sorted(anchors):
        if a < pos:
            continue
        starts = {a - 5, a - 4} if text[a] == ":" else set()
        run = _URL_RUN.match(text[max(0, a - _URL_ANCHOR_REACH - 1) : a][::-1])
        if run is not None and run.end() <= _URL_ANCHOR_REACH:
            starts.add(a - run.end())
        for start in sorted(starts):
            if start >= pos and (m := _URL.match(text, start)) is not None:
                found.append(m)
                pos = m.end()
    return found


_LIVE = regex.compile(
    r"\b(?:webcast|web\s+cast|live|listen|broadcast|stream|streamed|access(?:ed)?|link|"
    r"investors?\s+(?:section|page|relations)|online|via|at|website|webinar|watch|join)\b",
    re.I,
)
_URL_NEGATIVE = regex.compile(
    r"\b(?:replay|archive|archived|learn\s+more|more\s+information|photo|image|logo|"
    r"about\s+us|visit\s+(?:us|our)|follow|twitter|linkedin|facebook|download\s+the\s+(?:full|pdf)|"
    r"report\s+is\s+available|results\s+(?:will\s+be\s+)?(?:available|posted))\b",
    re.I,
)
_WEBCAST_WORD = regex.compile(
    r"\b(?:webcast|web\s+cast|webinar|live|listen|stream|streamed|broadcast|accessed|"
    r"access\s+the\s+(?:call|webcast|event|presentation))\b",
    re.I,
)
_SIMULCAST = regex.compile(
    r"\b(?:simultaneous\w*|live\s+webcast|webcast\s+live|broadcast\s+live|live\s+broadcast|"
    r"live\s+(?:audio\s+)?webcast|live\s+and\s+(?:archived|on-demand|on\s+demand))\b",
    re.I,
)
_URL_LABEL = regex.compile(
    r"\b(?:webcast(?:\s+(?:url|link))?|link|url|registration|register\s+here|event\s+link|"
    r"live\s+webcast|webinar)\s*:\s*$",
    re.I,
)
_REGISTER = regex.compile(r"\b(?:regist(?:er|ration)|sign\s+up|pre-?register|rsvp)\b", re.I)
_UNTIL = regex.compile(
    r"\b(?:through|thru|until|till|to|ending|ends|expires?|up\s+to|and\s+will\s+remain[^.]{0,40}until)"
    r"(?:\s+(?:\d{1,2}(?::\d\d)?\s*[ap]\.?m\.?(?:\s+[A-Z]{2,4})?|midnight|noon)(?:\s*(?:\(?[A-Z]{2,4}\)?))?)?"
    r"(?:\s+on)?(?:\s+the\s+end\s+of)?\s*,?\s*$",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Details:
    dial_ins: tuple[DialIn, ...] = ()
    passcode: str | None = None
    webcast_url: str | None = None
    registration_url: str | None = None
    replay_dial_ins: tuple[DialIn, ...] = ()
    replay_passcode: str | None = None
    replay_until: date | None = None


def _clauses(region: str) -> list[tuple[int, int]]:
    """Sentence-ish spans of a region (lines, split further at sentence ends)."""
    return [(s, e) for s, e in Segments(region).clauses if region[s:e].strip()]


_LABEL_WORDS = regex.compile(
    r"\b(?:toll|free|domestic|international|intl|u\.?s\.?|usa|canada|uk|united|participant|"
    r"dial|phone|number|local|outside|within|north\s+america|europe|australia|hong\s+kong|"
    r"china|germany|france|switzerland|sweden|norway|denmark|finland|singapore|japan|india|"
    r"passcode|live|replay)\b",
    re.I,
)


_LABEL_END = regex.compile(r"[:=]\s*$|\bis\s+$")


def _label_before(region: str, start: int) -> str | None:
    line_start = region.rfind("\n", 0, start) + 1
    before = region[max(line_start, start - 200) : start]
    before = _LABEL_SPLIT.split(before)[-1]
    # quadratic in a long run of spaces: kept to the 200 characters above, not a module pattern
    before = re.sub(
        r"(?:please\s+)?(?:dial(?:-|\s)?in|dial|call|at|by\s+dialing|number|numbers?\s+is|:|-|–|\s)+$",
        "",
        before,
        flags=re.I,
    )
    label = before.strip(" :–-,(")
    if 2 <= len(label) <= 45 and _LABEL_WORDS.search(label):
        return label
    after = region[start : start + 80].split("\n")[0]
    paren = _NUMBER_THEN_PAREN.match(after)
    if paren and _LABEL_WORDS.search(paren.group(1)):
        return paren.group(1)
    return None


_DIGIT = regex.compile(r"\d")
_NON_DIGIT = regex.compile(r"\D")
_SPACE_OR_DASH = regex.compile(r"[\s-]")
_REPLAY_WORD = regex.compile(r"\breplay\b", re.I)
_LABEL_SPLIT = regex.compile(r"[.;]\s|,\s|\bor\b|\band\b")
_NUMBER_THEN_PAREN = regex.compile(r"[\d\s().+\-]{7,25}\(([^)]{2,40})\)")


def _clean_code(code: str) -> str:
    return code.strip("\"“”'‘’ ").rstrip("-.,")


_REPLAY_HEADER = regex.compile(r"(?mi)^[ \t]*(?:replay|playback|archive)\b[^.\n]{0,40}$")
_LIVE_LINE = regex.compile(r"(?i)\b(?:live|conference call|participate)\b")
_LIVE_WORD = regex.compile(r"(?i)\blive\b")


# A replay word is at most 11 characters ("rebroadcast") and ends at a word boundary, so a
# search that stops this far past a clause sees every word starting in it as a full search does.
_REPLAY_LONGEST = 16


def _replay_in(region: str, start: int, end: int) -> bool:
    """Whether a match of ``_REPLAY`` starts in ``[start, end)`` of ``region`` (as one of the
    matches of ``_REPLAY.finditer(region)``: the words cannot overlap, so finditer finds every
    position the pattern matches at)."""
    m = _REPLAY.search(region, start, min(len(region), end + _REPLAY_LONGEST))
    return m is not None and m.start() < end


# Where the words of _REPLAY can start, found from shorter parts of them: "play" (replay,
# re-play, playback), "archive" (archived), "record" (recording), "broadcast" (rebroadcast)
# and "demand" (on-demand, on demand), each with the offsets of the words' starts from it.
_REPLAY_PARTS = (
    (b"play", (-2, -3, 0)),
    (b"archive", (0,)),
    (b"record", (0,)),
    (b"broadcast", (-2,)),
    (b"demand", (-3,)),
)


def _replay_hits(low: bytes) -> tuple[list[int], list[int]]:
    """Where a word of _REPLAY can start in a text (``low``: ``regex.ascii_lower_case`` of it),
    and where the parts of the words a replay heading opens with (replay, playback, archive) are:
    a line holds the heading's word only if it holds one of these."""
    starts: list[int] = []
    headings: list[int] = []
    for part, offsets in _REPLAY_PARTS:
        found = _found(low, (part,))
        starts += [a + o for a in found for o in offsets]
        if part in (b"play", b"archive"):
            headings += found
    return starts, sorted(headings)


def _replay_starts(region: str, hits: list[int]) -> list[int]:
    """Where the matches of ``_REPLAY.finditer(region)`` start (sorted), given where their
    words can start (:func:`_replay_hits`): the places the pattern matches at (the words
    cannot overlap, so finditer finds a match at each such place)."""
    match = _REPLAY.match
    return sorted({a for a in hits if a >= 0 and match(region, a) is not None})


def _in_clauses(
    matches: Iterable[re.Match[str]], starts: list[int], ends: list[int]
) -> dict[int, list[re.Match[str]]]:
    found: dict[int, list[re.Match[str]]] = {}
    for m in matches:
        i = bisect.bisect_right(starts, m.start()) - 1
        if i >= 0 and m.end() <= ends[i]:
            found.setdefault(i, []).append(m)
    return found


def _starts_in(starts: list[int], start: int, end: int) -> bool:
    """Whether one of the sorted ``starts`` lies in ``[start, end)``."""
    i = bisect.bisect_left(starts, start)
    return i < len(starts) and starts[i] < end


def find_details(
    region: str,
    dates: list[DateMention],
    region_offset: int,
    published: date | None,
    clauses: list[tuple[int, int]] | None = None,
) -> Details:
    """Dial-ins, passcodes, links and the replay window in one event's stretch of text.

    Each pattern runs once over the region; the clauses are then walked in order (a "Replay"
    heading makes the numbers under it replay numbers until a line about the live call).
    """
    dial_ins: list[DialIn] = []
    replay_dial_ins: list[DialIn] = []
    passcode = replay_passcode = None
    replay_until: date | None = None
    best_url: tuple[int, int, str] | None = None
    registration = None
    seen_numbers: set[str] = set()
    replay_block = False
    if clauses is None:
        clauses = _clauses(region)
    starts = [c[0] for c in clauses]
    ends = [c[1] for c in clauses]
    low = regex.ascii_lower_case(region)
    phones = _in_clauses(find_phones(region, low), starts, ends)
    codes = _in_clauses(find_passcodes(region, low), starts, ends)
    # where the replay words start, and where the words a replay heading needs are (None: not
    # known, the patterns are asked)
    replays = headings = None
    if low is not None:
        replay_hits, headings = _replay_hits(low)
        replays = _replay_starts(region, replay_hits)
    urls = _in_clauses(find_urls(region), starts, ends)
    # where the dates that can end the replay window start: a clause without numbers or links
    # and without one of these has nothing to give (no need to look for a replay word in it)
    dated = sorted(d.start - region_offset for d in dates if not d.relative)
    header_line, header = -1, False
    for index, (s, e) in enumerate(clauses):
        line_start = region.rfind("\n", 0, s) + 1
        line_end = region.find("\n", s)
        line_end = len(region) if line_end < 0 else line_end
        if line_start != header_line:
            # a heading matches only at a line start, within its line: tried at the lines
            # clauses start on, the same as the line starts where finditer over the region
            # would find it (a scan of the region tests every space against the pattern)
            # (and only at a line that holds a part of its word)
            header_line = line_start
            header = (
                headings is None or _starts_in(headings, line_start, line_end)
            ) and _REPLAY_HEADER.match(region, line_start) is not None
        if header:
            replay_block = True
        elif (
            replay_block
            and _LIVE_LINE.search(region, line_start, line_end)
            and not (
                _starts_in(replays, line_start, line_end)
                if replays is not None
                else _replay_in(region, line_start, line_end)
            )
        ):
            replay_block = False
        hits = index in phones or index in codes or index in urls
        if not hits and (replay_until is not None or not _starts_in(dated, s, e)):
            continue
        clause_replay = (
            _starts_in(replays, s, e) if replays is not None else _replay_in(region, s, e)
        )
        if not hits and not clause_replay:
            continue
        clause = region[s:e]
        is_replay = clause_replay or (replay_block and not _LIVE_WORD.search(clause))
        # a number in a contact line ("Media relations: +1 ...") is no dial-in; asked only of a
        # clause with numbers in it (a word may run a little past the clause's end)
        contact = False
        if index in phones:
            hit = _CONTACT.search(region, s, min(len(region), e + 40))
            contact = hit is not None and hit.start() < e
        for m in phones.get(index, ()):
            number = m.group(0).strip()
            digits = _NON_DIGIT.sub("", number)
            if len(digits) < 7 or digits in seen_numbers or contact:
                continue
            context = clause + " " + region[max(0, s - 120) : s]
            if not _PHONE_CONTEXT.search(context):
                continue
            seen_numbers.add(digits)
            item = DialIn(number, _label_before(region, m.start()))
            (replay_dial_ins if is_replay else dial_ins).append(item)
        for m in codes.get(index, ()):
            if m["word"] and not (
                m["word"].isupper() and _LABEL_END.search(m.group(0)[: m.start("code") - m.start()])
            ):
                continue  # a word in capitals is a code only right after "Passcode:"
            code = _clean_code(m["code"])
            if not _DIGIT.search(code) and m["code"][0] not in "\"“'‘":
                continue
            if len(_NON_DIGIT.sub("", code)) >= 10 and _SPACE_OR_DASH.search(code):
                continue  # a phone number, not a code
            if is_replay or _REPLAY_WORD.search(m.group(0)):
                replay_passcode = replay_passcode or code
            else:
                passcode = passcode or code
        for m in urls.get(index, ()):
            url = m.group(0).rstrip(".,;:")
            if "@" in region[max(0, m.start() - 1) : m.start()]:
                continue
            context = clause
            if len(clause.strip()) - len(url) < 12:  # a URL on its own line: read the line above
                prev_end = line_start - 1
                prev_start = region.rfind("\n", 0, max(0, prev_end)) + 1
                context = region[prev_start:prev_end] + " " + clause
            labelled = _URL_LABEL.search(context[: max(0, context.find(url))][-40:])
            if registration is None and _REGISTER.search(context):
                registration = url
            webcast = _WEBCAST_WORD.search(context) is not None
            score = (4 if labelled else 0) + (3 if webcast else 0) + 1  # 1: the most _LIVE adds
            if score < 3 or (best_url is not None and score <= best_url[0]):
                continue  # the other words can only take points away: no search for them
            if not _LIVE.search(context):
                score -= 1
            if (is_replay or _REPLAY.search(context)) and not _SIMULCAST.search(context):
                score -= 4
            if not webcast and _URL_NEGATIVE.search(context):
                score -= 3
            if score >= 3 and (best_url is None or score > best_url[0]):
                best_url = (score, -s, url)
        if clause_replay and replay_until is None:
            replay_until = _replay_until(clause, s + region_offset, dates, published)
    return Details(
        dial_ins=tuple(dial_ins),
        passcode=passcode,
        webcast_url=best_url[2] if best_url else registration,
        registration_url=registration,
        replay_dial_ins=tuple(replay_dial_ins),
        replay_passcode=replay_passcode,
        replay_until=replay_until,
    )


def _replay_until(
    clause: str, offset: int, dates: list[DateMention], published: date | None
) -> date | None:
    for d in dates:
        if not offset <= d.start < offset + len(clause) or d.relative:
            continue
        before = clause[: d.start - offset]
        if _UNTIL.search(before[-80:]):
            value, _ = d.value(published)
            if value is not None and d.end_day is None:
                return value
    return None


# ------------------------------------------------------------------- conference names, periods

_CONF_WORD = (
    r"(?:Conference|Summit|Forum|Symposium|Seminar|Rodeo|Showcase|Expo|Congress|Meeting|"
    r"Day|Days|Series|Roadshow|Week|Event)"
)
_CONF_WORD_RE = regex.compile(rf"\b{_CONF_WORD}\b")
# Possessive runs ({0,40}+): a word is always followed by a space, which no run can give back.
_NAME_PART = (
    r"(?:[A-Z][\w&.’'/\-]{0,40}+|\d{1,4}+(?:st|nd|rd|th)?|&|of|and|on|the|for|in|de|du|–|-|@)"
)
_CONF_NAME = regex.compile(
    rf"(?:(?:The|the)\s)?(?:{_NAME_PART}\s){{0,10}}?"
    rf"(?:[A-Z][\w&.’'/\-]{{0,40}}+|\d{{1,4}}+(?:st|nd|rd|th)?)\s"
    rf"(?:{_NAME_PART}\s){{0,4}}?"
    rf"{_CONF_WORD}\b(?:\s(?:20\d\d|\d{{4}}))?"
    rf"|(?:(?:The|the)\s)?[A-Z][\w&.’'/\-]{{0,40}}+\s{_CONF_WORD}\b(?:\s20\d\d)?"
)
# A name ends with its conference word: at most "The " and 15 words of 42 characters before it.
_CONF_NAME_REACH = 4 + 15 * 42
_CONF_NAME_LONGEST = _CONF_NAME_REACH + 10 + 5 + 20
_NAME_PART_RE = regex.compile(_NAME_PART)
_NAME_WORDS = 16  # "The", 10 parts, 1, 4 parts: the most words a name has before its last word


_WORD_LONGEST = 64  # how far back a word is read: longer than any name part (42)
_WORD_RUN = re.compile(rf"\S{{0,{_WORD_LONGEST}}}")


def _name_start(text: str, anchor: int) -> int:
    """The earliest a conference name holding the word at ``anchor`` can start: back over the
    words before it that are name parts, each followed by one whitespace character, at most
    ``_NAME_WORDS`` of them; a word that is not a whole name part is where the search starts
    (a name can begin inside it). A name's words are all whole name parts but its first."""
    # the words are read in the text before the anchor reversed, where a word's length is a
    # run of non-space characters from the space after it (re's \s is str.isspace)
    back = text[max(0, anchor - _NAME_WORDS * (_WORD_LONGEST + 2)) : anchor][::-1]
    pos = anchor
    for _ in range(_NAME_WORDS):
        if pos < 2 or not text[pos - 1].isspace() or text[pos - 2].isspace():
            return pos
        end = pos - 1
        run = _WORD_RUN.match(back, anchor - end)
        start = end - (run.end() - (anchor - end) if run is not None else 0)
        if not _NAME_PART_RE.fullmatch(text, start, end):
            return start
        pos = start
    return pos


_WEAK_LEAD = regex.compile(
    r"^(?:(?:the|at|in|and|of|on|for|a|an|its|our|upcoming|will|to|tomorrow['’]s|today['’]s|"
    r"next\s+week['’]s|this\s+year['’]s|virtual)\s+)+",
    re.I,
)
_GENERIC = regex.compile(
    r"^(?:the\s+)?(?:annual\s+)?(?:conference|meeting|event|day|forum|summit|seminar|symposium|"
    r"general\s+meeting|annual\s+general\s+meeting|extraordinary\s+general\s+meeting|"
    r"investor\s+conference|healthcare\s+conference|company|calendar\s+day)(?:\s+20\d\d)?$",
    re.I,
)


_RELATIVE_LEAD = regex.compile(r"^(?:Tomorrow|Today|Next\s+Week|This\s+Year)['’]s\s+")
_SPEAKER_LEAD = regex.compile(
    r"^(?:The\s+)?(?:Company|Management|CEO|CFO)\s+.*?\b(?:at|in)\s+(?:the\s+)?"
)
_MEETING_NAME = regex.compile(
    r"\b(?:General|Annual|Shareholders?|Stockholders?|Extraordinary)\s+Meeting"
)
_CALL_NAME = regex.compile(r"\b(?:Conference\s+Call|Call)\b")
_LEADING_NOISE = regex.compile(
    r"^(?:(?:GMT|UTC|BST|CET|CEST|EET|ET|EST|EDT|CT|CST|CDT|MT|PT|PST|PDT|AM|PM|IST|JST|HKT|SGT)\s+)+"
)


def find_names(text: str) -> list[re.Match[str]]:
    """``list(_CONF_NAME.finditer(text))``, searching only the words before each conference
    word (tests compare the two)."""
    return regex.finditer_near(
        _CONF_NAME,
        _CONF_WORD_RE,
        text,
        reach=_CONF_NAME_REACH,
        longest=_CONF_NAME_LONGEST,
        earliest=_name_start,
    )


# events.py asks the same text several times (a headline for each event): pure, so remembered
@functools.lru_cache(maxsize=64)
def conference_name(text: str, *, last: bool = False) -> str | None:
    """The most specific conference name written in ``text`` (``Jefferies 2017 London
    Healthcare Conference``), or None; with ``last``, the last one written."""
    best: str | None = None
    for m in find_names(text):  # (a text without a conference word has no anchor to search)
        name = _LEADING_NOISE.sub("", m.group(0).strip(" ,.-–"))
        name = _WEAK_LEAD.sub("", name) if not name.startswith("The ") else name
        name = _RELATIVE_LEAD.sub("", name)
        name = _SPEAKER_LEAD.sub("", name)
        if _MEETING_NAME.search(name):
            continue
        if _GENERIC.match(name) or len(name.split()) < 2 or name.lower().endswith(("call day",)):
            continue
        if _CALL_NAME.search(name):
            continue
        if best is None or last or len(name) > len(best):
            best = name
    return best


_ORDINAL_Q = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "1st": 1,
    "2nd": 2,
    "3rd": 3,
    "4th": 4,
}
_PERIOD = regex.compile(
    r"\b(?:(?P<qw>first|second|third|fourth|1st|2nd|3rd|4th)[\s-]{1,3}quarter(?:\s+(?:of\s+)?(?:the\s+)?"
    r"(?P<fy1>fiscal(?:\s+year)?\s+)?(?P<y1>(?:19|20)\d\d)|\s+(?:of\s+)?(?:fiscal\s+year\s+|fiscal\s+|FY\s?)"
    r"(?P<y1b>(?:19|20)?\d\d))?"
    r"|Q(?P<qn>[1-4])\s?(?P<fy2>FY\s?|F)?(?P<y2>(?:19|20)?\d\d)?"
    r"|(?P<fy3>fiscal(?:\s+year)?|full[\s-]{1,3}year|FY|annual)\s?(?P<y3>(?:19|20)\d\d)"
    r"|(?P<y4>(?:19|20)\d\d)\s+(?:full[\s-]{1,3}year|annual|final|fourth[\s-]{1,3}quarter\s+and\s+full[\s-]{1,3}year)\s+results"
    r"|(?P<h>first|second)[\s-]{1,3}half(?:\s+(?:of\s+)?(?P<y5>(?:19|20)\d\d))?)",
    re.I,
)


# Every match of _PERIOD holds one of these words, case aside, at a word start: a quarter ("first
# quarter 2011", "Q3 FY2011"), "fiscal", "FY", "full-year", "annual", "final" ("2023 final
# results"), "fourth" ("2021 fourth quarter and full year results") or "half". The match starts at
# the word, or at the word before it (a quarter's or a half's ordinal, a year), with only
# whitespace and "-" between. _PERIOD tries a long alternation at nearly every word (s, t, f, a,
# digits...), the costliest scan per character in the parser (~150 instructions a character).
# Here the lower-cased text is searched for "q" (rare: quarter, Q1 - Q4) with bytes.find, the
# f-words with a pattern that opens with the one literal "f" (re skips to it and tests the rest
# there, without a Python loop over every "f") and "annual" and "half" with bytes.find, and
# _PERIOD is tried only where one of its alternatives can start.
_ORDINALS = frozenset((b"first", b"second", b"third", b"fourth", b"1st", b"2nd", b"3rd", b"4th"))
_HALVES = frozenset((b"first", b"second"))
# the f-words: where a match starts at the word (1), at the year before it (3), at either (2)
_PERIOD_F_WORDS = re.compile(rb"f(?:(iscal|y)|(ull|ourth)|(inal))")


def _period_starts(text: str, low: bytes) -> list[int]:
    """Where a match of _PERIOD can start in ``text`` (``low`` its ``regex.ascii_lower_case``)."""
    starts: list[int] = []

    def lead(at: int, dash: bool, words: frozenset[bytes] | None) -> None:
        # the word before the one at ``at``: one of ``words``, or (None) a year's 4 characters
        k, j = _lead(text, at, dash)
        if k >= 0 and (low[k:j] in words if words is not None else j - k == 4):
            starts.append(k)

    for a in _found(low, (b"q",)):
        if _at_word_start(text, a):
            if low.startswith(b"uarter", a + 1):
                lead(a, True, _ORDINALS)
            elif low[a + 1 : a + 2] in (b"1", b"2", b"3", b"4"):
                starts.append(a)
    for m in _PERIOD_F_WORDS.finditer(low):
        a = m.start()
        if _at_word_start(text, a):
            if m.lastindex != 3:
                starts.append(a)
            if m.lastindex != 1:
                lead(a, False, None)
    for a in _found(low, (b"annual",)):
        if _at_word_start(text, a):
            starts.append(a)
            lead(a, False, None)
    for a in _found(low, (b"half",)):
        if _at_word_start(text, a):
            lead(a, True, _HALVES)
    return starts


@functools.lru_cache(maxsize=64)  # (as conference_name)
def fiscal_period(text: str, fallback_year: int | None = None) -> str | None:
    """``Q3 FY2011``, ``Q4 2024``, ``FY2017``, ``H1 2020`` from the first period ``text`` names."""
    low = regex.ascii_lower_case(text)  # (None when lower-casing would not match as re.I does)
    if low is None:
        return _scanned_period(text, fallback_year)
    starts = _period_starts(text, low)
    if not starts:
        return None
    return _period_of(regex.iter_matches_at(_PERIOD, text, starts), fallback_year)


def _scanned_period(text: str, fallback_year: int | None) -> str | None:
    """fiscal_period the plain way: every match of _PERIOD in the text."""
    return _period_of(_PERIOD.finditer(text), fallback_year)


def _period_of(matches: Iterable[re.Match[str]], fallback_year: int | None) -> str | None:
    """The period the first of ``matches`` that names one with its year names."""
    for m in matches:
        qw, fy1, y1, y1b, qn, fy2, y2, _fy3, y3, y4, h, y5 = m.groups()
        if qw or qn:
            q = _ORDINAL_Q[qw.lower()] if qw else int(qn)
            year = y1 or y1b or y2
            fiscal = bool(fy1 or y1b or fy2)
            if not year:
                if fallback_year is None:
                    continue
                year = str(fallback_year)
            if len(year) == 2:
                year = "20" + year
            return f"Q{q} FY{year}" if fiscal else f"Q{q} {year}"
        if y3:
            return f"FY{y3}"
        if y4:
            return f"FY{y4}"
        if h:
            year = y5 or (str(fallback_year) if fallback_year else None)
            if year:
                return f"H{1 if h.lower() == 'first' else 2} {year}"
    return None
