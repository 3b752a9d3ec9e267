"""Ingestion with the real parser: an event's life over several releases, and the corpus.

Every test runs on SQLite and PostgreSQL (``store_url``).
"""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from icalfeed.ingest import Incoming, Ingestor, Summary, incoming_from_paths
from icalfeed.model import Status
from icalfeed.store import EventQuery, NewRelease, Source, Store
from tests.conftest import DEV_CORPUS, SEEDS, needs_dev_corpus
from tests.store_helpers import open_store

pytest.importorskip("icalfeed.extract")

UID = "acme-earnings-call-q1-2024@icalfeed"

ANNOUNCE = """date 2024-04-10

Acme Corp. to Host First Quarter 2024 Earnings Conference Call

NEW YORK, April 10, 2024 -- Acme Corp. (NASDAQ: ACME) will host a conference call to discuss
its first quarter 2024 financial results on Thursday, April 25, 2024 at 4:30 p.m. Eastern Time.
Participants may dial 1-800-555-0100, passcode 8024721.
"""

RESCHEDULE = """date 2024-04-15

Acme Corp. Reschedules First Quarter 2024 Earnings Conference Call

NEW YORK, April 15, 2024 -- Acme Corp. (NASDAQ: ACME) has rescheduled its conference call to
discuss its first quarter 2024 financial results to Friday, April 26, 2024 at 5:00 p.m. Eastern
Time. Participants may dial 1-800-555-0100, passcode 8024721.
"""

CANCEL = """date 2024-04-20

Acme Corp. Cancels First Quarter 2024 Earnings Conference Call

NEW YORK, April 20, 2024 -- Acme Corp. (NASDAQ: ACME) today announced that its conference call
to discuss its first quarter 2024 financial results, scheduled for Friday, April 26, 2024 at
5:00 p.m. Eastern Time, has been cancelled.
"""


def incoming(text: str, name: str) -> Incoming:
    return Incoming(NewRelease(text.encode(), "text/plain", Source.file(name), text))


@pytest.fixture
def store(store_url: str) -> Any:
    s = open_store(store_url)
    yield s
    s.close()


def ingest(store: Store, *items: Incoming) -> Summary:
    with Ingestor(store, workers=1) as ing:
        return ing.ingest(list(items))


def test_a_reschedule_keeps_the_uid_and_bumps_the_sequence(store: Store) -> None:
    ingest(store, incoming(ANNOUNCE, "announce.txt"))
    first = store.event(UID)
    summary = ingest(store, incoming(RESCHEDULE, "reschedule.txt"))
    assert summary.rescheduled == 1
    later = store.event(UID)
    assert (first.sequence, later.sequence) == (0, 1)
    assert later.event.start_date == date(2024, 4, 26)
    assert len(store.events(EventQuery(everything=True))) == 1


@pytest.mark.parametrize(
    "order",
    list(itertools.permutations(["announce", "reschedule"])),
    ids=lambda o: "-".join(o),
)
def test_arrival_order_does_not_matter(store: Store, order: tuple[str, ...]) -> None:
    texts = {"announce": ANNOUNCE, "reschedule": RESCHEDULE}
    for name in order:
        ingest(store, incoming(texts[name], f"{name}.txt"))
    ev = store.event(UID)
    assert (ev.sequence, ev.event.start_date) == (1, date(2024, 4, 26))


def test_a_cancellation_keeps_the_uid_and_sets_the_status(store: Store) -> None:
    ingest(store, incoming(ANNOUNCE, "announce.txt"), incoming(RESCHEDULE, "reschedule.txt"))
    ingest(store, incoming(CANCEL, "cancel.txt"))
    ev = store.event(UID)
    assert ev.event.status is Status.CANCELLED
    assert ev.sequence == 2


def _read(store: Store, *paths: Path) -> list[Incoming]:
    return list(incoming_from_paths([str(p) for p in paths], store.config, Summary()))


def _events(store: Store) -> list[tuple[str, int, str, str]]:
    return sorted(
        (e.uid, e.sequence, e.state.value, e.event.status.value)
        for e in store.events(EventQuery(everything=True))
    )


@needs_dev_corpus
def test_the_corpus_twice_in_any_order_gives_the_same_events(
    store_url: str, tmp_path: Path
) -> None:
    once = open_store(store_url)
    try:
        items = _read(once, SEEDS, DEV_CORPUS)
        ingest(once, *items)
        expected = _events(once)
        assert expected
        ingest(once, *reversed(items))
        assert _events(once) == expected
    finally:
        once.close()
    shuffled = open_store(f"sqlite:///{tmp_path / 'shuffled.sqlite3'}")
    try:
        # every other release first, then all of them again in reverse
        ingest(shuffled, *items[1::2])
        ingest(shuffled, *reversed(items))
        assert _events(shuffled) == expected
    finally:
        shuffled.close()
