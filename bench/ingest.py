"""Bulk ingestion speed: releases per second into SQLite and PostgreSQL, with the process pool.

Generates N releases (default 10,000) from the seeds and the dev corpus — each copy gets its
own ticker, so they are distinct releases about distinct events — writes them to a temporary
folder, and times ``icalfeed ingest``'s pipeline (read files, store, parse in the pool, record)
into a fresh SQLite file and a fresh database on a throw-away PostgreSQL server (skipped when the
binaries are missing). Then times re-ingesting the same folder (every release a duplicate).

    .venv/bin/python bench/ingest.py [--releases 10000] [--workers 0] [--no-postgres]
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from icalfeed.config import Config  # noqa: E402
from icalfeed.ingest import Ingestor, Summary, incoming_from_paths  # noqa: E402
from icalfeed.store import Store  # noqa: E402

SHARED = Path(os.environ.get("ICALFEED_SHARED", REPO.parent / "shared"))
TICKER = re.compile(r"\(((?:NASDAQ|Nasdaq|NYSE|TSX|LSE|OTC)[^:)]*):\s*([A-Z][A-Z.]*)\)")


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


def run(url: str, folder: Path, workers: int) -> tuple[float, float, Summary]:
    config = Config.from_env()
    store = Store.open(config, url, create=True)
    try:
        with Ingestor(store, workers=workers) as ingestor:
            started = time.perf_counter()
            summary = Summary()
            ingestor.ingest(incoming_from_paths([str(folder)], config, summary), summary)
            first = time.perf_counter() - started
            started = time.perf_counter()
            again = Summary()
            ingestor.ingest(incoming_from_paths([str(folder)], config, again), again)
            second = time.perf_counter() - started
    finally:
        store.close()
    return first, second, summary


def report(name: str, n: int, first: float, second: float, summary: Summary) -> None:
    print(
        f"{name:<11} {n / first:8.0f} releases/s ({first:.1f} s; "
        f"{summary.added} events added, {len(summary.failed)} failed)   "
        f"re-ingest: {n / second:8.0f} releases/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--releases", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=0, help="0: one per CPU")
    parser.add_argument("--no-postgres", action="store_true")
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
        first, second, summary = run(f"sqlite:///{tmp}/bench.sqlite3", folder, workers)
        report("sqlite", args.releases, first, second, summary)
        if args.no_postgres:
            return
        from tests.plugins.postgres import remove_server, start_server

        try:
            server = start_server()
        except FileNotFoundError as e:
            print(f"postgresql  skipped: {e}")
            return
        try:
            server.admin("CREATE DATABASE bench")
            first, second, summary = run(server.url("bench"), folder, workers)
            report("postgresql", args.releases, first, second, summary)
        finally:
            remove_server(server)


if __name__ == "__main__":
    main()
