"""A :class:`~icalfeed.model.Release` -> its events.

The rules, in order:

1. Every clock time in the announcement (before the About / safe-harbour / contacts tail) is a
   candidate start. Times written as equivalents (``3:00 p.m. CET / 9:00 a.m. ET``) form one
   group; the first is the event's own, the others must name the same instant.
2. A candidate is dropped when the words before it say it is not a start (replay window,
   doors opening, results release, record date...), or no event word (call, webcast,
   conference, meeting, presentation...) is near it or in the headline.
3. Its date is the nearest date in the same clause, else on a neighbouring line of the same
   block, else the nearest earlier date in the last few hundred characters, else the headline's.
   A missing year is the next such date on or after publication; a weekday that disagrees with
   the date is a warning (the date wins); a date before publication is a past event, dropped.
4. Its zone is the zone written with it, else one stated for "all times", else the zone of a
   nearby time, else the venue's city, else the dateline's city (flag ``zone_assumed``); with
   none, the event is kept as an all-day event with its local time and flag ``zone_unknown``.
   A place whose zone keeps the same clock as an abbreviation (CET in Oslo) gives its own zone.
5. A date without a time is an event only when its clause announces a call, a meeting, a
   presentation or an investor day strongly, and no timed event falls on that date.
6. Details (dial-ins, passcode, webcast, replay window) come from the event's stretch of text;
   what a release says for "each" of several events applies to all of them.
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import re
import time as _time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as dtime

import pytz

from icalfeed import regex
from icalfeed.errors import ParseBudgetError
from icalfeed.extract import details as dt
from icalfeed.extract.issuer import find_issuer, short_name
from icalfeed.extract.kinds import (
    EVENT_WORDS,
    MEETING_WORDS,
    classify,
    is_not_event_time,
    is_replaced_time,
    status_of,
    strong_all_day,
    undot_ampm,
)
from icalfeed.extract.mentions import (
    DateMention,
    TimeMention,
    find_bad_times,
    find_dates,
    find_times,
)
from icalfeed.extract.segments import Segments, body_end
from icalfeed.model import (
    DialIn,
    Event,
    EventKind,
    Evidence,
    Flag,
    Issuer,
    ParsedRelease,
    Release,
    Replay,
    Status,
)
from icalfeed.timezones import ZoneContext, localize, place_zone, resolve_zone, same_clock

__all__ = ["Budget", "extract_events"]


@dataclass
class _Draft:
    anchor: int
    clause: tuple[int, int]
    kind: EventKind
    day: date
    wall: dtime | None
    end_wall: dtime | None
    tzid: str | None
    flags: set[Flag] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)
    confidence: float = 0.9
    status: Status = Status.CONFIRMED
    context: str = ""
    date_pos: int = -1
    _localized: tuple[datetime, frozenset[Flag], str | None] | None = None

    def localized(self) -> tuple[datetime, frozenset[Flag], str | None]:
        """The start as an aware datetime, with localize's flags and warning (computed once)."""
        if self._localized is None:
            assert self.wall is not None
            assert self.tzid is not None
            self._localized = localize(datetime.combine(self.day, self.wall), self.tzid)
        return self._localized

    def instant(self) -> tuple[str, date]:
        """What two drafts share when they are one event: the day of an all-day draft, the
        instant of a timed one (aware datetimes are equal when their instants are)."""
        if self.wall is None or self.tzid is None:
            return ("date", self.day)
        return ("utc", self.localized()[0])


class Budget:
    """A parse's time budget: :meth:`check` raises ParseBudgetError once it has run out."""

    def __init__(self, seconds: float | None, started: float | None = None) -> None:
        begin = _time.perf_counter() if started is None else started
        self.deadline = None if seconds is None else begin + seconds
        self.seconds = seconds

    def check(self) -> None:
        if self.deadline is not None and _time.perf_counter() > self.deadline:
            raise ParseBudgetError(f"parsing took longer than {self.seconds:g} s")


_ALL_TIMES = regex.compile(
    r"\b(?:[Aa]ll|[Tt]he)\s+times?\s+(?:are|is|listed|given|shown|mentioned|stated|indicated|refer)?"
    r"[^.\n]{0,30}?\b(?:in\s+)?(?P<zone>[A-Z][A-Za-z]{1,30}(?:\s[A-Z][a-z]{1,30})?(?:\s+[Tt]ime)?|[A-Z]{2,5})\b"
)
_EQUIV_GAP = regex.compile(r"^\s{0,3}(?:/|\(|\[|or|\||,|;|-|–|=)?\s{0,3}(?:\(|/)?\s{0,2}$")
_HEADER_TIME_LINE = regex.compile(
    r"^\s*(?:\d{4}-\d\d-\d\d|\d{1,2}\.\d{1,2}\.\d{4}|[A-Z][a-z]{2,8}\.?\s\d{1,2},?\s\d{4})"
    r",?\s*(?:at\s+)?[\d:. apmAPM]+(?:\s*\(?[A-Z+0-9]{2,8}\)?)?\s*$"
)
_ORIGINAL = regex.compile(
    r"\b(?:originally|previously|formerly|initially|prior)\b[^.;]{0,60}$|\b(?:from|instead\s+of|"
    r"rather\s+than|replac\w+)\s+(?:the\s+)?(?:previously\s+)?(?:announced\s+)?(?:date\s+of\s+)?$",
    re.I,
)
_PAST = regex.compile(
    r"\b(?:was\s+held|were\s+held|took\s+place|presented|hosted|held|conducted)\b", re.I
)
_UNDECIDED = regex.compile(
    r"\b(?:to\s+(?:a\s+)?(?:later\s+)?date\s+to\s+be\s+(?:determined|announced|confirmed)|"
    r"until\s+further\s+notice|postpone\w*|cancel\w*)",
    re.I,
)
_RESCHEDULE = regex.compile(
    r"\b(?:reschedul\w*|new\s+date|moved\s+to|will\s+now\s+(?:be|take))", re.I
)


def _dates_in(dates: list[DateMention], start: int, end: int) -> list[DateMention]:
    """The dates (sorted by position) that start in [start, end): a binary search."""
    lo = bisect.bisect_left(dates, start, key=lambda d: d.start)
    hi = bisect.bisect_left(dates, end, lo=lo, key=lambda d: d.start)
    return dates[lo:hi]


def _is_original_date(text: str, d: DateMention, clause_start: int) -> bool:
    before = text[max(clause_start, d.start - 80) : d.start]
    return bool(_ORIGINAL.search(before))


_LABEL_DATE_LINE = regex.compile(r"^\s*(?:Date|When|Day|DATE|WHEN)\b")
_SAME_DAY = regex.compile(
    r"\b(?:the\s+same\s+(?:day|morning|afternoon|evening)|that\s+(?:same\s+)?(?:day|morning|"
    r"afternoon|evening)|on\s+that\s+date|later\s+that\s+day|the\s+day\s+of\s+the\s+"
    r"(?:results|announcement|release|publication))\b",
    re.I,
)


def _pick_date(
    text: str,
    seg: Segments,
    dates: list[DateMention],
    t: TimeMention,
    headline_dates: list[DateMention],
    body_start: int,
    *,
    keep_original: bool = False,
) -> tuple[DateMention | None, str]:
    cs, ce = seg.clause(t.start)
    near = [
        d for d in _dates_in(dates, cs, ce) if keep_original or not _is_original_date(text, d, cs)
    ]
    if near:
        # the closest date; one right after the time ("at 4:30 p.m. ET on Thursday, April 28")
        # or right before it ("April 28, 2011 at 4:30 p.m.") are equally good
        return min(near, key=lambda d: min(abs(d.start - t.end), abs(t.start - d.end))), "clause"
    body = dates[bisect.bisect_left(dates, body_start, key=lambda d: d.start) :]
    if _SAME_DAY.search(text[cs:ce]):
        earlier = [
            d
            for d in _dates_in(body, t.start - 1600, t.start)
            if d.end <= t.start and not d.relative
        ]
        if earlier:
            return earlier[-1], "earlier"
    li = seg.line_index(t.start)
    # neighbouring lines of the same block: label lines ("Date: ...", "Time: ...")
    for step in (-1, 1, -2, 2, -3, 3, -4, -5, -6):
        j = li + step
        if not 0 <= j < len(seg.lines):
            continue
        ls, le = seg.lines[j]
        lo, hi = seg.lines[min(li, j)][1], seg.lines[max(li, j)][0]
        if "\n\n" in text[lo : hi + 1] and not _LABEL_DATE_LINE.match(text[ls:le]):
            continue
        cands = [d for d in _dates_in(body, ls, le) if not _is_original_date(text, d, ls)]
        if cands:
            return (cands[-1] if step < 0 else cands[0]), "line"
    earlier = [
        d for d in _dates_in(body, t.start - 700, t.start) if d.end <= t.start and not d.relative
    ]
    for d in reversed(earlier):
        dcs, dce = seg.clause(d.start)
        if EVENT_WORDS.search(text[dcs:dce]) and not _is_original_date(text, d, dcs):
            return d, "earlier"
    if headline_dates:
        return headline_dates[0], "headline"
    return None, ""


def _zone_for(
    text: str,
    seg: Segments,
    group: list[TimeMention],
    times: list[TimeMention],
    ctx: ZoneContext,
    all_times_zone: Callable[[], str | None],
    day: date,
) -> tuple[str | None, set[Flag], list[str]]:
    flags: set[Flag] = set()
    warnings: list[str] = []
    cs, ce = seg.clause(group[0].start)
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
        if len(first.zone or "") <= 5:  # (the venue is looked up only when it can matter)
            here = _venue(text[cs:ce]) or ctx.dateline_zone
            if here and here != tzid and _same(here, tzid, day):
                tzid = here
        if len(zoned) > 1:
            base = _utc(day, first, tzid)
            for other, other_tz in zoned[1:]:
                if base is not None and _utc(day, other, other_tz) != base:
                    flags.add(Flag.ZONE_CONFLICT)
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
    venue = _venue(text[cs:ce])
    if venue:
        return venue, {Flag.ZONE_ASSUMED}, [f"no zone written; {venue} from the venue"]
    if ctx.dateline_zone:
        return (
            ctx.dateline_zone,
            {Flag.ZONE_ASSUMED},
            [f"no zone written; {ctx.dateline_zone} from the dateline"],
        )
    return None, {Flag.ZONE_UNKNOWN}, ["no zone written and no place to take one from"]


_EXCHANGE_PLACE = regex.compile(
    r"\b(?:Euronext|Nasdaq|NASDAQ|OMX|Stock\s+Exchange|Börse|Boerse)\s+[A-Z][a-z]{1,30}|"
    r"[A-Z][a-z]{1,30}\s+(?:Stock\s+Exchange|Börse)"
)


def _venue(clause: str) -> str | None:
    """The zone of the place a clause names, but for an exchange's city ("Nasdaq Helsinki")."""
    return place_zone(_EXCHANGE_PLACE.sub(" ", clause))


def _same(a: str, b: str, day: date) -> bool:
    try:
        return same_clock(a, b, day)
    except pytz.UnknownTimeZoneError:
        return False


def _utc(day: date, t: TimeMention, tzid: str) -> datetime | None:
    try:
        aware, _, _ = localize(datetime.combine(day, dtime(t.hour, t.minute)), tzid)
    except (pytz.UnknownTimeZoneError, ValueError):
        return None
    return aware.astimezone(pytz.utc)


def _groups(text: str, times: list[TimeMention], seg: Segments) -> list[list[TimeMention]]:
    groups: list[list[TimeMention]] = []
    for t in times:
        if groups:
            last = groups[-1][-1]
            gap = text[last.end : t.start]
            if (
                last.zone
                and t.zone
                and _EQUIV_GAP.match(gap)
                and seg.clause(last.start) == seg.clause(t.start)
            ):
                groups[-1].append(t)
                continue
        groups.append([t])
    return groups


def _value(d: DateMention, published: date | None) -> tuple[date | None, set[Flag], list[str]]:
    flags: set[Flag] = set()
    warnings: list[str] = []
    value, inferred = d.value(published)
    if value is None:
        if d.relative is None and d.year is not None:
            warnings.append(f"{d.text.strip()!r} is not a date")
        return None, flags, warnings
    if inferred:
        flags.add(Flag.YEAR_INFERRED)
    if d.relative:
        flags.add(Flag.DATE_RELATIVE)
    if d.weekday is not None and value.weekday() != d.weekday:
        flags.add(Flag.WEEKDAY_MISMATCH)
        warnings.append(
            f"{d.text.strip()!r}: {value:%B} {value.day} is a {value:%A}; the date was used"
        )
    return value, flags, warnings


def _headline_dates(release: Release, dates: list[DateMention]) -> list[DateMention]:
    if not release.headline:
        return []
    start = release.text.find(release.headline)
    if start < 0:
        return []
    return _dates_in(dates, start, start + len(release.headline))


def _all_times_zone(text: str, ctx: ZoneContext) -> str | None:
    for m in _ALL_TIMES.finditer(text):
        tzid = resolve_zone(m["zone"], ctx)
        if tzid:
            return tzid
    return None


def _timed_drafts(
    release: Release,
    text: str,
    seg: Segments,
    dates: list[DateMention],
    times: list[TimeMention],
    ctx: ZoneContext,
    budget: Budget,
    warnings: list[str],
) -> list[_Draft]:
    published = release.published
    headline = release.headline or ""
    headline_dates = _headline_dates(release, dates)
    # "All times are Eastern": looked for once, and only when a time has no zone of its own
    all_zone = functools.cache(lambda: _all_times_zone(text, ctx))
    # timestamps of the release itself sit above its first paragraph of prose
    first_prose = next((s for s, e in seg.lines if e - s >= 150), len(text))
    drafts: list[_Draft] = []
    for group in _groups(text, times, seg):
        budget.check()
        t = group[0]
        cs, ce = seg.clause(t.start)
        ls, le = seg.line(t.start)
        line = text[ls : min(le, ls + 200)]
        if t.start < release.body_start - 1 or (ls < first_prose and _HEADER_TIME_LINE.match(line)):
            continue  # the dateline's or a portal's timestamp, not an event
        if is_not_event_time(text[cs : t.start]):
            continue
        # a replaced time is no event, unless nothing replaces it (postponed to a date TBD)
        undecided = bool(_UNDECIDED.search(text[cs:ce]))
        if is_replaced_time(text[cs : t.start]) and not undecided:
            continue
        d, how = _pick_date(
            text, seg, dates, t, headline_dates, release.body_start, keep_original=undecided
        )
        if d is None:
            continue
        day, flags, warns = _value(d, published)
        if day is None:
            warnings.extend(warns)
            continue
        dcs, dce = seg.clause(d.start)
        # "results will be released on March 3. The time is 12:00 noon GMT."
        if (
            how != "clause"
            and not EVENT_WORDS.search(text[cs:ce])
            and is_not_event_time(text[dcs : d.start])
        ):
            continue
        if published is not None and day < published:
            continue
        # what kind of event: this clause, then the surrounding text, then the headline
        near = text[cs:ce]
        if (dcs, dce) != (cs, ce):
            near = text[dcs:dce] + " " + near
        ps, pe = seg.paragraph(t.start)
        # the words around the time: its paragraph, at most a few hundred characters either side
        wide = text[max(ps - 200, cs - 400, 0) : min(max(pe, ce), ce + 400)]
        if not (
            EVENT_WORDS.search(near) or EVENT_WORDS.search(wide) or EVENT_WORDS.search(headline)
        ):
            continue
        ls0 = seg.lines[max(0, seg.line_index(t.start) - 2)][0]
        kind = classify(near, wide, headline, lines=text[ls0:ce], intro=text[: min(ps, 1500)])
        if kind is None:
            continue
        # (a date before publication was dropped above: only the publication day is left)
        if published is not None and day <= published and _PAST.search(text[cs : t.start]):
            continue
        zone, zflags, zwarns = _zone_for(text, seg, group, times, ctx, all_zone, day)
        wall = dtime(t.hour, t.minute)
        end_wall = dtime(t.end_hour, t.end_minute or 0) if t.end_hour is not None else None
        draft = _Draft(
            anchor=t.start,
            clause=(min(cs, dcs), max(ce, dce)),
            kind=kind,
            day=day,
            wall=wall,
            end_wall=end_wall,
            tzid=zone,
            flags=flags | zflags,
            warnings=warns + zwarns,
            context=near,
            date_pos=d.start,
        )
        draft.confidence = _confidence(draft, how)
        draft.status = _status(near, headline, text[ps:pe])
        drafts.append(draft)
    return drafts


_TO_BE_DECIDED = regex.compile(r"to\s+be\s+(?:determined|announced|confirmed)|postpon", re.I)


def _status(near: str, headline: str, paragraph: str) -> Status:
    status = status_of(near)
    if status is Status.CONFIRMED:
        status = status_of(paragraph)
    if status is Status.CONFIRMED:
        status = status_of(headline)
    if status is not Status.CONFIRMED:
        moved = _RESCHEDULE.search(near) or _RESCHEDULE.search(paragraph)
        undecided = _TO_BE_DECIDED.search(near + paragraph)
        if moved and not undecided:
            return Status.CONFIRMED
    return status


def _confidence(draft: _Draft, how: str) -> float:
    score = {"clause": 0.95, "line": 0.9, "earlier": 0.75, "headline": 0.7}.get(how, 0.6)
    if Flag.ZONE_ASSUMED in draft.flags:
        score -= 0.15
    if Flag.ZONE_UNKNOWN in draft.flags:
        score = min(score, 0.3)
    if Flag.ZONE_CONFLICT in draft.flags:
        score -= 0.3
    if Flag.WEEKDAY_MISMATCH in draft.flags:
        score -= 0.1
    return max(0.05, min(1.0, score))


_RESULTS_BEFORE = regex.compile(
    r"(?:announc\w*|releas\w*|report\w*|publish\w*|issu\w*|results|earnings)\s+"
    r"(?:(?:on|at|by|for)\s+)?(?:or\s+about\s+)?$",
    re.I,
)
_AFTER_STOP = regex.compile(r"[.!?](?:\s|$)")
_MEETING_WORD = regex.compile(r"\bmeeting\b", re.I)
_NOT_ALL_DAY_BEFORE = regex.compile(
    r"\b(?:replay|archive|record\s+date|dated|until|through|after|following|from|since|"
    r"beginning|starting|available)\b[^.]{0,60}$",
    re.I,
)
_CALL_OR_WEBCAST = regex.compile(r"\b(?:call|webcast)\b", re.I)
_AND = regex.compile(r"\band\b|&")


def _all_day_drafts(
    release: Release,
    text: str,
    seg: Segments,
    dates: list[DateMention],
    timed_days: set[date],
    used: set[int],
    budget: Budget,
) -> list[_Draft]:
    published = release.published
    drafts: list[_Draft] = []
    for i, d in enumerate(dates):
        budget.check()
        if d.start in used or d.relative or d.start < release.body_start:
            continue
        # the cheap tests first: a date that is past, impossible or already timed is no event
        day, flags, warns = _value(d, published)
        if day is None or (published is not None and day <= published) or day in timed_days:
            continue
        cs, ce = seg.clause(d.start)
        ps, pe = seg.paragraph(d.start)
        prev_end = dates[i - 1].end if i > 0 else 0
        next_start = dates[i + 1].start if i + 1 < len(dates) else len(text)
        before = text[max(prev_end, cs, d.start - 100) : d.start]
        if not text[seg.line(d.start)[0] : d.start].strip():
            before = ""  # a calendar row starts with its date
        after = text[d.end : min(next_start, d.end + 150)]
        stop = _AFTER_STOP.search(after)
        if stop:
            after = after[: stop.start()]
        window = before + " " + d.text + " " + after
        if not strong_all_day(window) and not (
            _MEETING_WORD.search(before) and strong_all_day(text[cs:ce])
        ):
            continue
        if _RESULTS_BEFORE.search(before):
            continue
        if _NOT_ALL_DAY_BEFORE.search(undot_ampm(before)):
            continue
        kind = classify(window, window, "")
        if kind is None:
            continue
        if kind is EventKind.EARNINGS_CALL and not _CALL_OR_WEBCAST.search(window):
            continue
        paragraph = text[ps:pe]
        status = _status(window, release.headline or "", paragraph)
        if _is_original_date(text, d, cs) and status is not Status.POSTPONED:
            continue
        days = [day]
        if d.end_day and _AND.search(d.text) and MEETING_WORDS.search(window):
            with contextlib.suppress(ValueError):
                days.append(day.replace(day=d.end_day))
        for one in days:
            draft = _Draft(
                anchor=d.start,
                clause=(cs, ce),
                kind=kind,
                day=one,
                wall=None,
                end_wall=None,
                tzid=None,
                flags=set(flags),
                warnings=list(warns),
                confidence=0.8 if kind is EventKind.SHAREHOLDER_MEETING else 0.6,
                status=status,
                context=window,
            )
            drafts.append(draft)
    return drafts


def _dedupe(drafts: list[_Draft]) -> list[_Draft]:
    if len(drafts) <= 1:
        return drafts  # nothing to merge (most releases): one draft is in order as it is
    zoned = {(d.day, d.wall) for d in drafts if d.tzid is not None}
    drafts = [d for d in drafts if d.tzid is not None or (d.day, d.wall) not in zoned]
    best: dict[tuple[str, date], _Draft] = {}
    order: list[tuple[str, date]] = []
    for draft in drafts:
        key = draft.instant()
        if key not in best:
            best[key] = draft
            order.append(key)
        elif draft.confidence > best[key].confidence:
            best[key] = draft
    return sorted((best[k] for k in order), key=lambda d: d.anchor)


_MEETING_TYPES = (
    (regex.compile(r"extraordinary|extr\.|\bEGM\b", re.I), "Extraordinary General Meeting"),
    (regex.compile(r"special\s+meeting", re.I), "Special Meeting of Shareholders"),
    (regex.compile(r"annual\s+general|\bAGM\b", re.I), "Annual General Meeting"),
    (regex.compile(r"annual\s+meeting", re.I), "Annual Meeting of Shareholders"),
)
_INVESTOR_DAY_NAME = regex.compile(
    r"\b(?:Investor|Analyst|Capital\s+Markets?|R&D|Research\s+(?:and|&)\s+Development|Strategy|"
    r"Innovation)\s+(?:Day|Event|Update|Meeting|Forum)\b",
    re.I,
)


_WEBCAST_NAME = regex.compile(r"\b(webinar|symposium|webcast|fireside chat)\b", re.I)
_PRESS_NAME = regex.compile(r"\b(press|media|news)\s+(conference|briefing)\b", re.I)


def _titles(
    draft: _Draft, who: str, region: str, headline: str, n_conf: int, above: str
) -> tuple[str, str, str | None, str | None]:
    """Title, identity, conference name and fiscal period of one event of ``who``'s (the
    issuer's short name)."""
    year = draft.day.year
    period = dt.fiscal_period(draft.context) or dt.fiscal_period(region[:1500])
    period = period or dt.fiscal_period(headline)
    conference = None
    if draft.kind is EventKind.CONFERENCE_PRESENTATION:
        local = dt.conference_name(draft.context)
        if local is None:  # a list item under its conference's name
            local = dt.conference_name(above, last=True)
        head = dt.conference_name(headline)
        if local is None and n_conf == 1:
            local = head or dt.conference_name(region)
        if local and head and (local.lower() in head.lower() or _overlap(local, head)):
            local = head if len(head) > len(local) else local
        conference = local
    kind = draft.kind
    if kind is EventKind.EARNINGS_CALL:
        title = f"{who} {period} earnings call" if period else f"{who} earnings call"
        identity = period or f"{draft.day:%Y-%m}"
    elif kind is EventKind.CONFERENCE_PRESENTATION:
        if conference:
            title = f"{who} at {conference}"
            identity = conference if str(year) in conference else f"{conference} {year}"
        else:
            title = f"{who} presentation"
            identity = f"presentation {draft.day:%Y-%m}"
    elif kind is EventKind.SHAREHOLDER_MEETING:
        name = next((n for p, n in _MEETING_TYPES if p.search(draft.context)), None)
        name = name or next((n for p, n in _MEETING_TYPES if p.search(headline)), "General Meeting")
        title = f"{who} {name} {year}"
        identity = f"{name} {year}"
    elif kind is EventKind.INVESTOR_DAY:
        m = _INVESTOR_DAY_NAME.search(draft.context) or _INVESTOR_DAY_NAME.search(headline)
        name = " ".join(m.group(0).split()).title().replace("R&D", "R&D") if m else "Investor Day"
        title = f"{who} {name} {year}"
        identity = f"{name} {year}"
    elif kind is EventKind.WEBCAST:
        m = _WEBCAST_NAME.search(draft.context + " " + headline)
        word = m.group(1).lower() if m else "webcast"
        title = f"{who} {period + ' ' if period else ''}{word}"
        identity = f"{word} {period or f'{draft.day:%Y-%m-%d}'}"
    else:
        m = _PRESS_NAME.search(draft.context)
        word = " ".join(m.group(0).lower().split()) if m else "event"
        title = f"{who} {period + ' ' if period else ''}{word}"
        identity = f"{word} {period or f'{draft.day:%Y-%m-%d}'}"
    title = " ".join(title.split()) or "Investor event"
    return title, identity, conference, period


_WORD3 = regex.compile(r"[A-Za-z0-9]{3,}")


def _overlap(a: str, b: str) -> bool:
    wa = {w.lower() for w in _WORD3.findall(a)} - {"conference", "annual", "the"}
    wb = {w.lower() for w in _WORD3.findall(b)} - {"conference", "annual", "the"}
    return bool(wa) and len(wa & wb) >= max(1, min(len(wa), len(wb)) - 1)


_SHARED = regex.compile(
    r"\b(?:each|all|both|these|the\s+(?:presentations|events|calls|webcasts))\b", re.I
)


def _regions(
    drafts: list[_Draft], seg: Segments, start: int, end: int
) -> tuple[list[tuple[int, int]], tuple[int, int]]:
    """Each event's stretch of text, and the shared intro before the first."""
    if len(drafts) <= 1:
        return [(start, end)] * len(drafts), (start, start)
    firsts = [seg.paragraph(d.clause[0])[0] for d in drafts]
    # list items on consecutive lines: a line-level split is finer than paragraphs
    if len(set(firsts)) < len(firsts):
        firsts = [seg.line(d.clause[0])[0] for d in drafts]
        for i in range(1, len(firsts)):
            li = seg.line_index(firsts[i])
            # a heading line right above (the conference name) belongs to the event
            if li > 0:
                ps, pe = seg.lines[li - 1]
                if (
                    ps >= firsts[i - 1]
                    and ps > drafts[i - 1].anchor
                    and not any(c.isdigit() for c in seg.text[ps:pe][-4:])
                ):
                    firsts[i] = ps
    regions = []
    for i, s in enumerate(firsts):
        e = firsts[i + 1] if i + 1 < len(firsts) else end
        regions.append((s, max(s, e)))
    return regions, (start, firsts[0])


def extract_events(
    release: Release, *, budget_seconds: float | None = None, started: float | None = None
) -> ParsedRelease:
    """Every event the release announces, in the order the release names them.

    ``budget_seconds`` counts from ``started`` (a ``time.perf_counter()`` value; default now).
    """
    budget = Budget(budget_seconds, started)
    budget.check()
    text = release.text
    end = body_end(text, release.body_start)
    body = text[:end]
    issuer = find_issuer(text, release.headline)
    ctx = ZoneContext.for_release(release.dateline_place, text)
    seg = Segments(body)
    budget.check()
    dates = find_dates(body, check=budget.check)
    times = find_times(body, check=budget.check)
    budget.check()
    warnings: list[str] = [
        f"{bad!r} is not a time of day; no event was timed by it" for bad in find_bad_times(body)
    ][:20]
    if release.published is None:
        warnings.append("no publication date found; years and relative dates may be wrong")
    timed = _timed_drafts(release, body, seg, dates, times, ctx, budget, warnings)
    used = {t.date_pos for t in timed}
    all_day = _all_day_drafts(release, body, seg, dates, {t.day for t in timed}, used, budget)
    drafts = _dedupe(timed + all_day)
    regions, intro = _regions(drafts, seg, release.body_start, end)
    details = [
        dt.find_details(body[rs:re_], dates, rs, release.published, _clauses_in(seg, rs, re_))
        for rs, re_ in regions
    ]
    if len(drafts) > 1:
        # what the intro says, and what the last stretch says of "each" / "all" events, is shared
        shared = dt.find_details(body[intro[0] : intro[1]], dates, intro[0], release.published)
        last = regions[-1]
        tail_shared = details[-1] if _SHARED.search(body[last[0] : last[1]]) else dt.Details()
        details = [_fill(found, shared, tail_shared) for found in details]
    headline = release.headline or ""
    n_conf = sum(1 for d in drafts if d.kind is EventKind.CONFERENCE_PRESENTATION)
    events: list[Event] = []
    identities: dict[str, int] = {}
    who = short_name(issuer)  # (the same for every event: its suffixes are taken off once)
    for draft, (rs, re_), found in zip(drafts, regions, details, strict=True):
        budget.check()
        region = body[rs:re_]
        above = body[max(0, draft.clause[0] - 300) : draft.clause[0]]
        title, identity, conference, period = _titles(draft, who, region, headline, n_conf, above)
        n = identities.get(identity, 0) + 1
        identities[identity] = n
        if n > 1:
            identity = f"{identity} #{n}"
        events.append(
            _event(draft, release, issuer, found, title, identity, conference, period, body)
        )
    return ParsedRelease(
        release=release, issuer=issuer, events=tuple(events), warnings=tuple(warnings)
    )


def _clauses_in(seg: Segments, start: int, end: int) -> list[tuple[int, int]]:
    """The body's clauses inside [start, end), relative to ``start``."""
    lo = max(0, bisect.bisect_right(seg.clause_starts, start) - 1)
    hi = bisect.bisect_left(seg.clause_starts, end)
    spans = []
    text = seg.text
    for s, e in seg.clauses[lo:hi]:
        s, e = max(s, start), min(e, end)
        # not blank: most clauses show it by their first character, without a copy
        if s < e and (not text[s].isspace() or text[s:e].strip()):
            spans.append((s - start, e - start))
    return spans


def _fill(own: dt.Details, *shared: dt.Details) -> dt.Details:
    dial_ins, passcode, url = own.dial_ins, own.passcode, own.webcast_url
    replay_until, reg = own.replay_until, own.registration_url
    for s in shared:
        if not dial_ins and s.dial_ins:
            dial_ins, passcode = s.dial_ins, passcode or s.passcode
        url = url or s.webcast_url
        replay_until = replay_until or s.replay_until
        reg = reg or s.registration_url
    return dt.Details(
        dial_ins, passcode, url, reg, own.replay_dial_ins, own.replay_passcode, replay_until
    )


def _event(
    draft: _Draft,
    release: Release,
    issuer: Issuer | None,
    found: dt.Details,
    title: str,
    identity: str,
    conference: str | None,
    period: str | None,
    text: str,
) -> Event:
    flags = set(draft.flags)
    warnings = list(draft.warnings)
    start: datetime | date
    end: datetime | date | None = None
    all_day = draft.wall is None or draft.tzid is None
    local_time = None
    if all_day:
        start = draft.day
        local_time = draft.wall
    else:
        assert draft.wall is not None
        assert draft.tzid is not None
        start, lflags, warning = draft.localized()
        flags |= lflags
        if warning:
            warnings.append(warning)
        if draft.end_wall is not None:
            end_dt, _, _ = localize(datetime.combine(draft.day, draft.end_wall), draft.tzid)
            end = end_dt if end_dt > start else None
    replay = None
    if found.replay_until or found.replay_dial_ins or found.replay_passcode:
        replay = Replay(found.replay_until, found.replay_dial_ins, found.replay_passcode)
    confidence = draft.confidence
    if Flag.ZONE_UNKNOWN in flags:
        confidence = min(confidence, 0.3)
    return Event(
        kind=draft.kind,
        title=title,
        start=start,
        tzid=None if all_day else draft.tzid,
        all_day=all_day,
        end=end,
        status=draft.status,
        issuer=issuer,
        identity=identity,
        conference_name=conference,
        fiscal_period=period,
        dial_ins=tuple(DialIn(d.number, d.label) for d in found.dial_ins),
        passcode=found.passcode,
        webcast_url=found.webcast_url,
        registration_url=found.registration_url,
        replay=replay,
        headline=release.headline,
        published=release.published,
        local_time=local_time,
        confidence=round(confidence, 3),
        evidence=Evidence(
            draft.clause[0], draft.clause[1], text[draft.clause[0] : draft.clause[1]].strip()[:500]
        ),
        flags=frozenset(flags),
        warnings=tuple(warnings),
    )
