"""Parser speed and memory: icalfeed's parse_release beside naive dateparser.search_dates.

Reads every release in seeds/, tests/data/releases/ and (when present) the dev corpus, parses
them in-process several times, and prints documents per second and peak memory for both.

    .venv/bin/python bench/extract.py [--rounds 10] [--no-dateparser]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import tracemalloc
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from icalfeed.extract import parse_release  # noqa: E402


def corpus() -> list[tuple[str, str]]:
    shared = Path(os.environ.get("ICALFEED_SHARED", REPO.parent / "shared"))
    folders = [REPO / "seeds", REPO / "tests" / "data" / "releases", shared / "corpus" / "dev"]
    docs = []
    for folder in folders:
        if folder.is_dir():
            for path in sorted(folder.iterdir()):
                if path.suffix in (".txt", ".html"):
                    ctype = "text/html" if path.suffix == ".html" else "text/plain"
                    docs.append((path.read_text(encoding="utf-8", errors="replace"), ctype))
    return docs


def run_icalfeed(docs: list[tuple[str, str]], rounds: int) -> tuple[float, int, int]:
    events = 0
    for text, ctype in docs:  # warm up: zone files, compiled patterns
        parse_release(text, content_type=ctype)
    start, cpu = time.perf_counter(), time.process_time()
    per_round = []  # CPU seconds of each round: a shared VM's speed moves from one to the next
    for _ in range(rounds):
        round_cpu = time.process_time()
        for text, ctype in docs:
            events += len(parse_release(text, content_type=ctype).events)
        per_round.append(time.process_time() - round_cpu)
    elapsed = time.perf_counter() - start
    cpu_rate = len(docs) * rounds / (time.process_time() - cpu)
    rates = sorted(len(docs) / max(t, 1e-9) for t in per_round)
    print(
        f"icalfeed.parse_release : {cpu_rate:8.1f} docs/s of CPU time (one core; rounds: "
        f"median {statistics.median(rates):.0f}, slowest {rates[0]:.0f}, fastest {rates[-1]:.0f})"
    )
    tracemalloc.start()
    for text, ctype in docs:
        parse_release(text, content_type=ctype)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return len(docs) * rounds / elapsed, peak, events // rounds


def run_dateparser(docs: list[tuple[str, str]], rounds: int) -> tuple[float, int]:
    from dateparser.search import search_dates

    settings = {"RELATIVE_BASE": datetime(2020, 1, 1), "RETURN_AS_TIMEZONE_AWARE": True}
    search_dates("warm up on May 5, 2020 at 4 p.m.", settings=settings)
    start = time.perf_counter()
    for _ in range(rounds):
        for text, _ctype in docs:
            search_dates(text, settings=settings)
    elapsed = time.perf_counter() - start
    tracemalloc.start()
    for text, _ctype in docs:
        search_dates(text, settings=settings)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return len(docs) * rounds / elapsed, peak


def big_release() -> str:
    line = "The Company will host a conference call at 4:30 p.m. ET on Thursday, April 28, 2011. "
    return "date 2011-04-21\n\n" + line * (5_000_000 // len(line))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--no-dateparser", action="store_true")
    args = parser.parse_args()
    docs = corpus()
    size = sum(len(t) for t, _ in docs)
    print(f"corpus: {len(docs)} releases, {size / 1024:.0f} KiB")
    rate, peak, events = run_icalfeed(docs, args.rounds)
    print(
        f"icalfeed.parse_release : {rate:8.1f} docs/s  peak {peak / 1e6:6.1f} MB  events {events}"
    )
    if not args.no_dateparser:
        drate, dpeak = run_dateparser(docs, max(1, args.rounds // 10))
        print(f"dateparser.search_dates: {drate:8.1f} docs/s  peak {dpeak / 1e6:6.1f} MB")
        print(f"speed-up: {rate / drate:.1f}x")
    text = big_release()
    start = time.perf_counter()
    try:
        parsed = parse_release(text, budget_seconds=30)
        outcome = f"{len(parsed.events)} events"
    except Exception as exc:
        outcome = f"{type(exc).__name__}: {exc}"
    print(f"5 MB release: {time.perf_counter() - start:.2f} s ({outcome})")


if __name__ == "__main__":
    main()
