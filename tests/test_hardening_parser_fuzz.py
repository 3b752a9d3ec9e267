"""Hostile input to the parser: it returns events or raises an IcalfeedError, and never hangs.

Every call here runs in a forked child process with a wall-clock limit, so a parser that loops
or backtracks for minutes fails the test in seconds instead of hanging the suite (issue 6:
"never hangs (a budget per release) and never crashes the process").

Budget contract checked: with ``budget_seconds=B`` a call returns or raises
:class:`~icalfeed.errors.ParseBudgetError` within ``B + SLACK`` seconds of wall time, whatever
the input (``SLACK`` covers one step between budget checks on a slow CI machine).
"""

from __future__ import annotations

import multiprocessing
import time
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from icalfeed.errors import IcalfeedError
from icalfeed.extract import parse_release
from icalfeed.model import ParsedRelease

BUDGET = 1.0
SLACK = 4.0  # the bound: the whole call stays under BUDGET + SLACK = 5 s
HARD_LIMIT = BUDGET + SLACK + 2.0  # the child is killed then: a hang fails, it does not stall
NO_BUDGET_LIMIT = 10.0

RELEASE = (
    "WALTHAM, Mass., April 21, 2011 /PRNewswire/ -- ACME Corp. (NASDAQ: ACME) will host a "
    "conference call to discuss its first quarter 2011 results at 4:30 p.m. ET on Thursday, "
    "April 28, 2011. To participate, dial 913-312-0379, passcode 8024721. A webcast will be "
    "available at https://ir.acme.example/webcast.\n"
)


def _child(conn: Any, text: str, budget: float | None, content_type: str) -> None:
    start = time.perf_counter()
    try:
        parsed = parse_release(
            text, published=date(2011, 4, 21), content_type=content_type, budget_seconds=budget
        )
        outcome: tuple[str, Any] = ("events", len(parsed.events))
    except IcalfeedError as e:
        outcome = ("error", f"{type(e).__name__}: {str(e)[:200]}")
    except BaseException as e:  # the test reports any other exception as a failure
        outcome = ("crash", f"{type(e).__name__}: {str(e)[:200]}")
    conn.send((outcome, time.perf_counter() - start))


def bounded_parse(
    text: str,
    *,
    budget: float | None = BUDGET,
    content_type: str = "text/plain",
    limit: float = HARD_LIMIT,
) -> tuple[tuple[str, Any], float]:
    """Parse in a forked child: ((kind, detail), seconds); ("hang", ...) past HARD_LIMIT."""
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, text, budget, content_type))
    start = time.perf_counter()
    proc.start()
    child.close()
    try:
        if parent.poll(limit):
            result: tuple[tuple[str, Any], float] = parent.recv()
            return result
        return ("hang", f"no answer after {limit} s"), time.perf_counter() - start
    except EOFError:
        return ("crash", f"child died with exit code {proc.exitcode}"), 0.0
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(5)
        parent.close()


def assert_bounded(text: str, *, content_type: str = "text/plain") -> tuple[str, Any]:
    (kind, detail), seconds = bounded_parse(text, content_type=content_type)
    assert kind in ("events", "error"), f"{kind}: {detail}"
    assert seconds < BUDGET + SLACK, (
        f"parse_release(budget_seconds={BUDGET}) took {seconds:.1f} s on {len(text)} chars "
        f"({kind}: {detail})"
    )
    return kind, detail


# ------------------------------------------------------------------ property tests, in-process


def _parse_in_process(text: str, content_type: str = "text/plain") -> ParsedRelease | None:
    start = time.perf_counter()
    try:
        parsed = parse_release(
            text, published=date(2011, 4, 21), content_type=content_type, budget_seconds=BUDGET
        )
    except IcalfeedError:
        parsed = None
    assert time.perf_counter() - start < BUDGET + SLACK
    return parsed


def _check_events(parsed: ParsedRelease | None) -> None:
    if parsed is None:
        return
    for event in parsed.events:
        assert 0.0 <= event.confidence <= 1.0
        if not event.all_day:
            assert event.start.tzinfo is not None, "a timed event must be an aware instant"
            assert event.tzid


HOSTILE_CHARS = st.sampled_from(
    ["\x00", "\x01", "\x1b", "\x7f", "\x85", "\u200b", "\u200e", "\u200f", "\u202e", "\u2066",
     "\u2028", "\u2029", "\ufeff", "\ufffd", "\r", "\n", "\t", "\u00a0", "\ud7ff", "\U0001f4c5",
     "a.m.", "p.m.", " ET", " EST", "April 28, 2011", "4:30", "<p>", "</div>", "&amp;", "&#0;",
     "Thursday,", "conference call", "webcast", "dial", "passcode", ":", "-", "—", "(", ")"]
)  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=2000))
def test_arbitrary_text_returns_or_raises_a_typed_error(text: str) -> None:
    _check_events(_parse_in_process(text))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(HOSTILE_CHARS, max_size=300), st.integers(0, len(RELEASE)))
def test_release_with_hostile_characters_spliced_in(parts: list[str], at: int) -> None:
    text = RELEASE[:at] + "".join(parts) + RELEASE[at:]
    _check_events(_parse_in_process(text))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=1500), st.sampled_from(["text/html", "text/plain; charset=utf-8"]))
def test_arbitrary_html_returns_or_raises(text: str, content_type: str) -> None:
    _check_events(_parse_in_process("<html><body><p>" + text + RELEASE, content_type))


@settings(max_examples=30, deadline=None)
@given(st.binary(max_size=1000))
def test_mixed_encodings_decoded_leniently(raw: bytes) -> None:
    """Bytes decoded as latin-1 / utf-8 with replacement (mixed encodings) parse or raise."""
    for text in (raw.decode("latin-1"), raw.decode("utf-8", "replace")):
        _check_events(_parse_in_process(RELEASE + text + RELEASE))


def test_invisible_characters_do_not_change_the_reading() -> None:
    """NUL, bidi marks and zero-width spaces are dropped, not read as text."""
    clean = parse_release(RELEASE, published=date(2011, 4, 21))
    noisy = "".join(c + ("\u200f" if i % 7 == 0 else "\x00" if i % 11 == 0 else "") for i, c in
                    enumerate(RELEASE))  # fmt: skip
    dirty = parse_release(noisy, published=date(2011, 4, 21))
    assert [e.start for e in clean.events] == [e.start for e in dirty.events]
    assert clean.events, "the plain release must give its call"


# ------------------------------------------------------- big inputs, each in a bounded child


BIG_INPUTS = {
    "5 MB release": lambda: RELEASE * (5_000_000 // len(RELEASE)),
    "10,000 dates": lambda: (
        RELEASE
        + " ".join(
            f"Thursday, April {1 + i % 28}, 2011 at {1 + i % 12}:{i % 60:02d} p.m. ET;"
            for i in range(10_000)
        )
    ),
    "1 MB line of digits": lambda: "1" * 1_000_000,
    "1 MB of spaces then a word": lambda: " " * 1_000_000 + "x",
    "200,000 'a.m.'": lambda: "a.m. " * 200_000,
    "capitalised words": lambda: "Conference Call Webcast Annual Meeting " * 50_000,
    "NUL bytes": lambda: "\x00" * 1_000_000 + RELEASE,
    "right-to-left marks": lambda: ("\u202e\u200f" + RELEASE) * 2000,
    "one 2 MB line of a release": lambda: RELEASE.replace("\n", " ") * 5000,
    "control characters": lambda: "".join(chr(i % 32) for i in range(500_000)) + RELEASE,
}
BIG_HTML = {
    "1,000,000 <div>": lambda: "<div>" * 1_000_000,
    "deeply nested links": lambda: "<p><a href='http://x.example/'>" * 200_000,
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(BIG_INPUTS))
def test_big_input_stays_within_the_budget(name: str) -> None:
    assert_bounded(BIG_INPUTS[name]())


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(BIG_HTML))
def test_big_html_stays_within_the_budget(name: str) -> None:
    assert_bounded(BIG_HTML[name](), content_type="text/html")


def test_ten_thousand_dates_without_budget_still_finish() -> None:
    """No budget: a release with 1,000 dates still finishes (returns events) within the limit."""
    text = RELEASE + "\n".join(
        f"Event {i}: Thursday, April {1 + i % 28}, 2011 at 4:30 p.m. ET." for i in range(1000)
    )
    (kind, detail), seconds = bounded_parse(text, budget=None, limit=NO_BUDGET_LIMIT)
    assert kind == "events", f"{kind}: {detail} (a 60 KB release with 1,000 dates, no budget)"
    assert seconds < NO_BUDGET_LIMIT


def test_budget_error_is_typed() -> None:
    """A tiny budget on a long release raises ParseBudgetError, an IcalfeedError."""
    (kind, detail), _ = bounded_parse(RELEASE * 3000, budget=0.001)
    assert kind == "error"
    assert detail.startswith("ParseBudgetError"), detail
