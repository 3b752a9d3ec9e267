"""Time a 10,000-event feed: rendered naively with icalendar, and assembled by icalfeed.

    .venv/bin/python bench/render.py [--events 10000] [--repeat 20]

Naive: one icalendar ``Calendar`` holding every VEVENT and VTIMEZONE component, serialised
with ``to_ical()`` on every request. Assembled: each event's VEVENT rendered once into a
:class:`~icalfeed.calendar.VeventCache` (cold), then feeds joined from the cached bytes (warm),
either through the cache from Event objects (a worker holding events) or straight from stored
:class:`~icalfeed.calendar.FeedEntry` rows (what the store serves). The script checks that the
naive and the assembled feeds hold byte-identical VEVENTs, and prints the times.
"""

from __future__ import annotations

import argparse
import gc
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import icalendar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from icalfeed.calendar import (
    CalendarOptions,
    VeventCache,
    build_vevent,
    build_vtimezone,
    calendar_header,
    render_feed,
)
from icalfeed.calendar.vtimezone import is_utc, vtimezone_bytes
from icalfeed.model import Event
from tests.test_calendar_helpers import synthetic_events

VEVENT = re.compile(rb"BEGIN:VEVENT\r\n.*?END:VEVENT\r\n", re.DOTALL)


def naive_feed(events: list[Event], options: CalendarOptions) -> bytes:
    """The whole calendar built as one icalendar object and serialised, nothing reused."""
    calendar = icalendar.Calendar.from_ical(calendar_header(options) + b"END:VCALENDAR\r\n")
    years: dict[str, list[int]] = {}
    for event in events:
        if event.tzid and not event.all_day and not is_utc(event.tzid):
            span = years.setdefault(event.tzid, [event.start_date.year, event.start_date.year])
            span[0] = min(span[0], event.start_date.year)
            span[1] = max(span[1], event.start_date.year)
    for tzid in sorted(years):
        calendar.add_component(build_vtimezone(tzid, years[tzid][0], years[tzid][1]))
    for event in events:
        calendar.add_component(build_vevent(event, options=options))
    data: bytes = calendar.to_ical()
    return data


def timed(fn: Callable[[], bytes]) -> tuple[float, float, bytes]:
    """Wall-clock and CPU seconds of one call (CPU time shows the cost on a busy machine)."""
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, out


def ms(seconds: float) -> str:
    return f"{seconds * 1000:9.1f} ms"


def clear_caches() -> None:
    vtimezone_bytes.cache_clear()
    calendar_header.cache_clear()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20, help="warm runs (median and best)")
    args = parser.parse_args()

    options = CalendarOptions(name="Benchmark feed")
    events = synthetic_events(args.events)
    print(f"{len(events)} events, {len({e.tzid for e in events})} zones")

    clear_caches()
    naive_s, naive_cpu, naive = timed(lambda: naive_feed(events, options))

    clear_caches()
    cache = VeventCache(maxsize=len(events) + 1)
    cold_s, cold_cpu, cold = timed(lambda: render_feed(cache.entries(events, options), options))

    warm: dict[str, list[tuple[float, float]]] = {"from Events": [], "from FeedEntry": []}
    entries = cache.entries(events, options)
    for _ in range(args.repeat):
        wall, cpu, data = timed(lambda: render_feed(cache.entries(events, options), options))
        warm["from Events"].append((wall, cpu))
        assert data == cold
        wall, cpu, data = timed(lambda: render_feed(entries, options))
        warm["from FeedEntry"].append((wall, cpu))
        assert data == cold

    naive_vevents = VEVENT.findall(naive)
    cold_vevents = VEVENT.findall(cold)
    identical = naive_vevents == cold_vevents and len(cold_vevents) == len(events)
    print(f"feed size: naive {len(naive):,} bytes, assembled {len(cold):,} bytes")
    print(f"VEVENTs byte-identical: {identical} ({len(cold_vevents)} of {len(naive_vevents)})")
    print(f"whole calendars byte-identical: {naive == cold}")
    print(f"{'':34}{'wall':>12} {'cpu':>12}")
    print(f"{'naive icalendar (every request)':34}{ms(naive_s)} {ms(naive_cpu)}")
    print(f"{'assembled, cold (empty cache)':34}{ms(cold_s)} {ms(cold_cpu)}")
    for label, runs in warm.items():
        walls, cpus = [r[0] for r in runs], [r[1] for r in runs]
        print(
            f"{'assembled, warm, ' + label:34}{ms(statistics.median(walls))} "
            f"{ms(statistics.median(cpus))}   (median of {len(runs)}; best wall "
            f"{min(walls) * 1000:.1f} ms)"
        )
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
