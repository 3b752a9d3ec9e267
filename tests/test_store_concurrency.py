"""Concurrent writers: never a duplicate event, never a skipped or repeated SEQUENCE.

Threads each with their own Store (their own connections), all writing releases about the same
events at once, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import random
import threading
from datetime import date
from pathlib import Path

from icalfeed.model import Status
from icalfeed.store import EventQuery, NewRelease, ParseResult, Source, Store
from tests.store_helpers import call, open_store, parsed

WRITERS = 6
UPDATES = 4  # each writer publishes this many changes, on days no other writer uses


def test_concurrent_writers_keep_one_event_and_a_gapless_sequence(store_url: str) -> None:
    open_store(store_url).close()
    errors: list[BaseException] = []
    barrier = threading.Barrier(WRITERS)

    def writer(n: int) -> None:
        store = open_store(store_url)
        try:
            barrier.wait()
            for k in range(UPDATES):
                day = 1 + k * WRITERS + n  # a distinct publication date per release
                rid = store.add_release(
                    f"release {n}/{k}".encode(), content_type="text/plain", source=Source.stdin()
                ).id
                # every release carries a different passcode: each is a real change
                store.record_parse(
                    rid, parsed(call(passcode=f"{day:03d}"), published=date(2024, 1, day))
                )
                # the same bytes from another writer too: stored once
                store.add_release(b"shared", content_type="text/plain", source=Source.stdin())
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)
        finally:
            store.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    store = open_store(store_url)
    try:
        [ev] = store.events(EventQuery(everything=True))
        # history of WRITERS * UPDATES distinct versions: SEQUENCE counts every change once
        assert ev.sequence == WRITERS * UPDATES - 1
        assert ev.event.passcode == f"{WRITERS * UPDATES:03d}"
        assert store.counts()["releases"] == WRITERS * UPDATES + 1
    finally:
        store.close()


def _versions() -> list[tuple[bytes, ParseResult]]:
    """Releases about three events: each announced, updated twice, one cancelled."""
    out = []
    for identity in ("Q1 2024", "Q2 2024", "Q3 2024"):
        for day, passcode in ((1, "1"), (5, "2"), (9, "3")):
            status = Status.CANCELLED if identity == "Q3 2024" and day == 9 else Status.CONFIRMED
            out.append(
                (
                    f"{identity} {day}".encode(),
                    parsed(
                        call(identity=identity, passcode=passcode, status=status),
                        published=date(2024, 3, day),
                    ),
                )
            )
    return out


def _ingest_batches(store: Store, releases: list[tuple[bytes, ParseResult]]) -> None:
    for i in range(0, len(releases), 3):
        batch = releases[i : i + 3]
        added = store.add_releases(
            [NewRelease(raw, "text/plain", Source.stdin(), raw.decode()) for raw, _ in batch]
        )
        store.record_parses([(a.id, r) for a, (_, r) in zip(added, batch, strict=True)])


def _snapshot(store: Store) -> list[tuple[str, int, str]]:
    return sorted(
        (e.uid, e.sequence, e.event.status.value) for e in store.events(EventQuery(everything=True))
    )


def test_writers_ingesting_the_same_releases_in_different_orders(
    store_url: str, tmp_path: Path
) -> None:
    releases = _versions()
    reference = open_store(f"sqlite:///{tmp_path / 'reference.sqlite3'}")
    try:
        _ingest_batches(reference, releases)
        expected = _snapshot(reference)
    finally:
        reference.close()
    open_store(store_url).close()
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def writer(seed: int) -> None:
        store = open_store(store_url)
        try:
            mine = list(releases)
            random.Random(seed).shuffle(mine)
            barrier.wait()
            _ingest_batches(store, mine)
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)
        finally:
            store.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    store = open_store(store_url)
    try:
        assert _snapshot(store) == expected
        assert store.counts()["releases"] == len(releases)
        assert store.pending_releases() == []
    finally:
        store.close()
