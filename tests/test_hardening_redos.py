"""Catastrophic backtracking: every compiled pattern of the parser against adversarial text.

Each module-level ``re.Pattern`` of :mod:`icalfeed.normalize`, :mod:`icalfeed.timezones` and
every :mod:`icalfeed.extract` module (also inside module-level lists, tuples and dicts) is run
with ``finditer`` and ``sub`` — what the parser does — over 20 KB strings built to make regular
expressions backtrack: runs of digits, spaces, ``a.m.``, capitalised words, month names,
punctuation. A linear pattern scans 20 KB in milliseconds (a huge alternation in a few hundred);
one that backtracks quadratically needs seconds, and four times as long for twice the text.
Each pattern runs in a forked child that is killed when one string takes over KILL_AFTER.
"""

from __future__ import annotations

import multiprocessing
import re
import time
from typing import Any

import pytest

from tests.patterns import all_patterns

PER_STRING_SECONDS = 0.3  # above this for one 20 KB string, check how the time grows
MAX_GROWTH = 3.0  # time(20 KB) / time(10 KB): about 2 when linear, about 4 when quadratic
PATTERN_SECONDS = 4.0  # a linear but slow pattern (huge alternation) stops here
KILL_AFTER = 6.0  # wall seconds for one scan of 20 KB: a pattern still running then has hung

PATTERNS = all_patterns()


def _unit_repeat(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


N = 20_000
ADVERSARIAL: dict[str, str] = {
    "digits": "1" * N,
    "digits then letter": "9" * N + "x",
    "spaces": " " * N + "x",
    "newlines": "\n" * N,
    "spaces between newlines": _unit_repeat(" \n ", N),
    "a.m. sequence": _unit_repeat("a.m. ", N),
    "p.m. with digits": _unit_repeat("4:30 p.m. ", N),
    "times glued": _unit_repeat("4:30", N),
    "capitalised words": _unit_repeat("Conference Call Webcast Annual Meeting ", N),
    "upper case": "A" * N,
    "upper case words": _unit_repeat("ACME CORP ", N),
    "month and day": _unit_repeat("April 28, ", N),
    "weekday dates": _unit_repeat("Thursday, April 28, 2011 ", N),
    "phone digits": _unit_repeat("913-312-", N),
    "dots": "." * N,
    "dashes": "-" * N,
    "parentheses": "(" * N,
    "colons": _unit_repeat("Time: ", N),
    "url-ish": _unit_repeat("http://a.b/", N),
    "angle brackets": _unit_repeat("<a ", N),
    "markdown brackets": _unit_repeat("[x](", N),
    "zone words": _unit_repeat("Eastern Time ", N),
    "place words": _unit_repeat("New York, N.Y., ", N),
    "dial-in words": _unit_repeat("dial-in passcode conference ID ", N),
    "digits and spaces": _unit_repeat("1 ", N),
}


def _scan(pattern: re.Pattern[str], text: str) -> float:
    """CPU seconds (not wall time: a busy machine must not look like backtracking)."""
    start = time.process_time()
    for _ in pattern.finditer(text):
        pass
    pattern.sub("", text)
    return time.process_time() - start


def _run_one(conn: Any, pattern: re.Pattern[str]) -> None:
    spent = 0.0
    for label, text in ADVERSARIAL.items():
        conn.send(("start", label))
        elapsed = _scan(pattern, text)
        growth = 0.0
        if elapsed > PER_STRING_SECONDS:
            # Slow: is it superlinear? Twice the text should take about twice the time. Best of
            # two runs each, so a busy machine does not look like backtracking. Each scan tells
            # the parent it finished, so KILL_AFTER bounds one scan, not the four.
            conn.send(("progress",))
            elapsed = min(elapsed, _scan(pattern, text))
            conn.send(("progress",))
            halves = []
            for _ in range(2):
                halves.append(_scan(pattern, text[: len(text) // 2]))
                conn.send(("progress",))
            growth = elapsed / max(min(halves), 1e-6)
        spent += elapsed
        conn.send(("done", label, elapsed, growth))
        if growth > MAX_GROWTH or spent > PATTERN_SECONDS:
            break  # one backtracking string is enough to fail; a slow linear one has had its go
    conn.send(("end",))


def time_pattern(
    pattern: re.Pattern[str],
) -> tuple[dict[str, tuple[float, float]], str | None]:
    """(seconds, growth) per adversarial string; the label it was stuck on past KILL_AFTER."""
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_run_one, args=(child, pattern))
    proc.start()
    child.close()
    times: dict[str, tuple[float, float]] = {}
    current: str | None = None
    try:
        while True:
            if not parent.poll(KILL_AFTER):
                return times, current
            msg = parent.recv()
            if msg[0] == "start":
                current = msg[1]
            elif msg[0] == "progress":
                continue
            elif msg[0] == "done":
                times[msg[1]] = (msg[2], msg[3])
                current = None
            else:
                return times, None
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(5)
        parent.close()


def test_patterns_are_found() -> None:
    """The collector sees the parser's patterns (guards against testing nothing)."""
    assert len(PATTERNS) >= 50
    assert any(name.startswith("icalfeed.extract.mentions.") for name in PATTERNS)
    assert any(name.startswith("icalfeed.normalize.") for name in PATTERNS)
    assert any(name.startswith("icalfeed.timezones.") for name in PATTERNS)


def test_adversarial_strings_are_20_to_50_kb() -> None:
    assert all(20_000 <= len(s) <= N + 1 for s in ADVERSARIAL.values())


# Patterns known to backtrack quadratically; each is a bug report (see the reason).
KNOWN_SLOW: dict[str, str] = {}


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_no_catastrophic_backtracking(name: str) -> None:
    if name in KNOWN_SLOW:
        pytest.xfail(KNOWN_SLOW[name])
    times, stuck = time_pattern(PATTERNS[name])
    assert stuck is None, (
        f"{name} ({PATTERNS[name].pattern[:120]!r}) ran over {KILL_AFTER} s on {stuck!r} (killed)"
    )
    slow = {
        label: f"{t:.2f} s, x{growth:.1f} for twice the text"
        for label, (t, growth) in times.items()
        if growth > MAX_GROWTH
    }
    assert not slow, f"{name} ({PATTERNS[name].pattern[:120]!r}) backtracks: {slow}"
