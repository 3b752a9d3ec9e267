"""Release text -> events. The pure core of icalfeed: no I/O, no clock, no environment.

::

    from icalfeed.extract import parse_release
    parsed = parse_release(text, published=date(2011, 4, 21))
    for event in parsed.events: ...

Modules: :mod:`~icalfeed.extract.mentions` (dates and times as written),
:mod:`~icalfeed.extract.kinds` (event words, negatives, status), :mod:`~icalfeed.extract.details`
(dial-ins, passcodes, links, replay, conference names, fiscal periods),
:mod:`~icalfeed.extract.issuer` (company and listings), :mod:`~icalfeed.extract.segments`
(clauses, lines, paragraphs, boilerplate) and :mod:`~icalfeed.extract.events` (the rules that
put them together, documented there).

Errors: :class:`~icalfeed.errors.ParseBudgetError` when ``budget_seconds`` runs out;
:class:`~icalfeed.errors.UnsupportedContentError` for content that is not a release.
"""

from __future__ import annotations

import time
from datetime import date

from icalfeed.errors import UnsupportedContentError
from icalfeed.extract.events import Budget, extract_events
from icalfeed.model import ParsedRelease
from icalfeed.normalize import read_release

__all__ = ["extract_events", "parse_release"]

_TEXT_TYPES = (
    "text/plain",
    "text/html",
    "application/xhtml+xml",
    "text/markdown",
    "text/x-markdown",
)


def parse_release(
    text: str,
    *,
    published: date | None = None,
    content_type: str = "text/plain",
    budget_seconds: float | None = None,
) -> ParsedRelease:
    """Read one release (plain text or HTML) and return its issuer and events.

    ``published`` overrides the date found in the text; relative dates ("tomorrow") and
    missing years are resolved against it. ``budget_seconds`` bounds the time spent.
    """
    base = content_type.split(";")[0].strip().lower() or "text/plain"
    if base not in _TEXT_TYPES:
        raise UnsupportedContentError(f"cannot parse {base!r}: give text/plain or text/html")
    started = time.perf_counter()
    budget = Budget(budget_seconds, started)
    release = read_release(text, published=published, content_type=base, check=budget.check)
    return extract_events(release, budget_seconds=budget_seconds, started=started)
