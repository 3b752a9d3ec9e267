"""Concurrent writers: never a duplicate event, never a skipped or repeated SEQUENCE.

Threads each with their own Store (their own connections), all writing releases about the same
events at once, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import threading
from datetime import date

from icalfeed.store import EventQuery, Source
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
