"""Bulk ingestion speed: releases per second into SQLite and PostgreSQL, with the process pool.

Generates N releases (default 10,000) from the seeds and the dev corpus — each copy gets its
own ticker, so they are distinct releases about distinct events — writes them to a temporary
folder, and times ``icalfeed ingest``'s pipeline (read files, store, parse in the pool, record)
into a fresh SQLite file and a fresh database on a throw-away PostgreSQL server (skipped when the
binaries are missing). Then times re-ingesting the same folder (every release a duplicate).

    .venv/bin/python bench/ingest.py [--releases 10000] [--workers 0] [--no-postgres] [--memo]

``--memo`` runs again with the parser memoised (each original parsed once per process), which
measures what reading, storing, the pool and recording cost on top of the parser.

Wall-clock rates depend on what else the machine runs (the load average is printed beside them);
the CPU figures do not as much: the writer's CPU (this process, with its pool threads) and the
workers' (read from /proc), per release, and the rate those would give on idle CPUs. Last, the
time the first default feed takes after the ingest (its VEVENTs rendered at ingest or not).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from icalfeed.calendar import options_from_config  # noqa: E402
from icalfeed.config import Config  # noqa: E402
from icalfeed.feeds import vevent_renderer  # noqa: E402
from icalfeed.ingest import Ingestor, Summary, default_parse, incoming_from_paths  # noqa: E402
from icalfeed.model import Event, ParsedRelease  # noqa: E402
from icalfeed.store import EventQuery, Store  # noqa: E402

SHARED = Path(os.environ.get("ICALFEED_SHARED", REPO.parent / "shared"))
TICKER = re.compile(r"\(((?:NASDAQ|Nasdaq|NYSE|TSX|LSE|OTC)[^:)]*):\s*([A-Z][A-Z.]*)\)")


_MEMO: dict[str, ParsedRelease] = {}
_REF = re.compile(r"\(NASDAQ: (B\d{5})\)")


def memo_parse(text: str, **kwargs: Any) -> ParsedRelease:
    """The real parser, run once per original per process; a copy gets its own ticker back.

    Takes the parser's cost out of the measurement, leaving reading, storing, the pool's
    pickling and recording: what the pipeline costs on top of the parser.
    """
    m = _REF.search(text)
    ticker = m.group(1) if m else None
    key = _REF.sub("(NASDAQ: XXXXX)", text.rsplit("\n\nreference ", 1)[0])
    if key not in _MEMO:
        _MEMO[key] = default_parse(key, **kwargs)
    parsed = _MEMO[key]
    if ticker is None:
        return parsed

    def retick(ev: Event) -> Event:
        if ev.issuer is None or not ev.issuer.listings:
            return ev
        listings = tuple(replace(li, ticker=ticker) for li in ev.issuer.listings)
        return replace(ev, issuer=replace(ev.issuer, listings=listings))

    return replace(parsed, events=tuple(retick(e) for e in parsed.events))


def sources() -> list[str]:
    dirs = [REPO / "seeds", SHARED / "corpus" / "dev"]
    return [p.read_text() for d in dirs if d.is_dir() for p in sorted(d.glob("*.txt"))]


def generate(folder: Path, n: int) -> None:
    texts = sources()
    for i in range(n):
        text = texts[i % len(texts)]
        ticker = f"B{i:05d}"
        text = TICKER.sub(f"(NASDAQ: {ticker})", text)
        (folder / f"{i:05d}.txt").write_text(f"{text}\n\nreference {i}\n")


@dataclass
class Measured:
    """One bulk ingest and what followed it: wall and CPU seconds, and the summary."""

    first: float  # wall seconds of the first ingest
    cpu_main: float  # CPU seconds of this process (the writer, with its pool threads)
    cpu_workers: float  # CPU seconds of the pool's worker processes (Linux /proc; else 0)
    again: float  # wall seconds of re-ingesting the same folder
    feed: float  # wall seconds of the first default feed after the ingest (rendering included)
    feed_events: int
    summary: Summary


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (0 where /proc is missing)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(url: str, folder: Path, workers: int, parse: Any = default_parse) -> Measured:
    config = Config.from_env()
    store = Store.open(config, url, create=True)
    try:
        with Ingestor(store, workers=workers, parse=parse) as ingestor:
            started, cpu = time.perf_counter(), time.process_time()
            summary = Summary()
            ingestor.ingest(incoming_from_paths([str(folder)], config, summary), summary)
            first, cpu_main = time.perf_counter() - started, time.process_time() - cpu
            pool = getattr(ingestor, "_pool", None)
            pids = list(getattr(pool, "_processes", None) or {})
            cpu_workers = sum(_cpu_seconds(pid) for pid in pids)
            started = time.perf_counter()
            again = Summary()
            ingestor.ingest(incoming_from_paths([str(folder)], config, again), again)
            second = time.perf_counter() - started
        variant, render = vevent_renderer(options_from_config(config), None)
        started = time.perf_counter()
        feed = store.vevents(EventQuery(), render, variant)
        feed_seconds = time.perf_counter() - started
    finally:
        store.close()
    return Measured(first, cpu_main, cpu_workers, second, feed_seconds, len(feed), summary)


def report(name: str, n: int, m: Measured) -> None:
    cpu = m.cpu_main + m.cpu_workers
    cpu_rate = f"{n / cpu * (os.cpu_count() or 1):.0f}/s on idle CPUs" if m.cpu_workers else "?"
    print(
        f"{name:<11} {n / m.first:6.0f} releases/s ({m.first:.1f} s wall, load "
        f"{os.getloadavg()[0]:.1f}; CPU {m.cpu_main:.1f} s writer + {m.cpu_workers:.1f} s "
        f"workers = {1000 * cpu / n:.2f} ms per release, {cpu_rate}; "
        f"{m.summary.added} events added, {len(m.summary.failed)} failed)\n"
        f"{'':<11} re-ingest {n / m.again:6.0f} releases/s; first default feed after it: "
        f"{m.feed_events} events in {m.feed:.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--releases", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=0, help="0: one per CPU")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument(
        "--memo", action="store_true", help="also run with the parser memoised (store cost only)"
    )
    args = parser.parse_args()
    workers = args.workers or os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="icalfeed-bench-") as tmp:
        folder = Path(tmp) / "releases"
        folder.mkdir()
        generate(folder, args.releases)
        print(
            f"{args.releases} releases from {len(sources())} originals, {workers} workers, "
            f"{os.cpu_count()} CPUs"
        )
        targets: list[tuple[str, str]] = [("sqlite", f"sqlite:///{tmp}/bench.sqlite3")]
        server = None
        if not args.no_postgres:
            from tests.plugins.postgres import start_server

            try:
                server = start_server()
                server.admin("CREATE DATABASE bench")
                server.admin("CREATE DATABASE bench_memo")
                targets.append(("postgresql", server.url("bench")))
            except FileNotFoundError as e:
                print(f"postgresql  skipped: {e}")
        try:
            for name, url in targets:
                report(name, args.releases, run(url, folder, workers))
            if args.memo:
                print("parser memoised (what the pipeline and the store cost on their own):")
                memo_targets = [("sqlite", f"sqlite:///{tmp}/memo.sqlite3")]
                if server is not None:
                    memo_targets.append(("postgresql", server.url("bench_memo")))
                for name, url in memo_targets:
                    report(name, args.releases, run(url, folder, workers, memo_parse))
        finally:
            if server is not None:
                from tests.plugins.postgres import remove_server

                remove_server(server)


if __name__ == "__main__":
    main()
