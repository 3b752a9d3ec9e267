"""Concurrent writers and readers against real gunicorn (2 workers), on SQLite and PostgreSQL.

Twelve clients post the same release at one instant; then several client threads ingest
distinct releases, another release several times at once, and a run of reschedules of one
event, while others poll the feed (conditional GETs too) and the API. After:
no 5xx and no "database is locked" reached a client, every acknowledged release is in the store,
identical bytes were stored once, no UID appears twice in any feed, and the rescheduled event's
SEQUENCE numbers were handed out once each, without gaps.

The helpers here (:func:`live_gunicorn`, :func:`send`, :func:`release_text`) are also used by
tests/test_hardening_faults.py.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.client import HTTPConnection
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from icalfeed.store import Store
from icalfeed.web.app import VERSION_TTL
from tests.plugins.gunicorn import LiveServer, start_gunicorn, stop_gunicorn
from tests.web_helpers import ADMIN_TOKEN, web_settings

pytestmark = pytest.mark.slow

BEARER = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
LOCKED = re.compile(rb"database is locked|deadlock|could not serialize", re.I)
ZETA_UID = "zeta-earnings-call-q4-2026@icalfeed"
STALE_OK = VERSION_TTL + 0.5  # how long a worker may serve the feed as it was (see app.py)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def send(
    base: str,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 60.0,
) -> Answer:
    """One request on a fresh connection (raises OSError/HTTPException when the server drops
    it)."""
    parts = urlsplit(base)
    conn = HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, data)
    finally:
        conn.close()


def release_text(company: str, ticker: str, when: str, day: int, pad: int = 0) -> str:
    """A release announcing the company's Q4 2026 call at ``when`` p.m. ET on January ``day``."""
    text = (
        f"{company} (NASDAQ: {ticker}) will host a conference call to discuss its fourth "
        f"quarter 2026 results at {when} p.m. ET on Thursday, January {day}, 2027. To "
        f"participate, dial 913-312-0379, passcode 8024721.\n"
    )
    filler = f"About {company}: {company} makes things people need in many markets.\n"
    return text + filler * pad


def ingest(base: str, text: str, published: str) -> Answer:
    return send(
        base,
        "POST",
        f"/api/releases?published={published}",
        text.encode(),
        {**BEARER, "Content-Type": "text/plain"},
    )


@contextmanager
def live_gunicorn(folder: Path, url: str) -> Iterator[LiveServer]:
    """gunicorn (2 workers) over a fresh store at ``url`` (schema created, no events)."""
    config = web_settings(folder, database_url=url, past_days=3650)
    Store.open(config, create=True).close()
    server = start_gunicorn(folder, {"ICALFEED_DATABASE_URL": url})
    try:
        yield server
    finally:
        stop_gunicorn(server)


def open_store(folder: Path, url: str) -> Store:
    return Store.open(web_settings(folder, database_url=url, past_days=3650))


def vevent_uids_and_sequences(ics: bytes) -> list[tuple[str, int]]:
    text = ics.decode().replace("\r\n ", "")
    out = []
    for block in text.split("BEGIN:VEVENT")[1:]:
        uid = re.search(r"^UID:(.+?)\r?$", block, re.M)
        seq = re.search(r"^SEQUENCE:(\d+)\r?$", block, re.M)
        assert uid, block[:200]
        out.append((uid.group(1), int(seq.group(1)) if seq else 0))
    return out


@dataclass
class Log:
    """What the clients saw; appended to from many threads (list.append is atomic)."""

    answers: list[tuple[str, Answer]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    acked: list[tuple[int, bytes]] = field(default_factory=list)

    def note(self, what: str, answer: Answer) -> Answer:
        self.answers.append((what, answer))
        if answer.status >= 500 or LOCKED.search(answer.body):
            self.failures.append(f"{what}: {answer.status} {answer.body[:200]!r}")
        return answer


def test_concurrent_ingest_and_polling(store_url: str, tmp_path: Path) -> None:
    log = Log()
    writers_done = threading.Event()
    companies = [(f"Company{i} Inc.", f"CO{i}") for i in range(12)]
    same = release_text("Same Corp.", "SAME", "4:00", 21)
    # Reschedules of one event: (time, day, published) — each a distinct release.
    moves = [(f"{h}:{m:02d}", d, f"2026-11-{n + 1:02d}") for n, (h, m, d) in enumerate(
        [(h, m, d) for d in (21, 28) for h in (3, 4, 5) for m in (0, 30)]
    )]  # fmt: skip
    burst = release_text("Burst Corp.", "BRST", "4:30", 28, pad=20)
    barrier = threading.Barrier(12)
    with live_gunicorn(tmp_path, store_url) as server:
        base = server.base

        # First, 12 clients post the same bytes at the same instant: one 201, eleven 200s.
        def post_burst() -> None:
            barrier.wait(30)
            a = log.note("burst", ingest(base, burst, "2026-11-01"))
            if a.status in (200, 201):
                log.acked.append((a.json()["release_id"], burst.encode()))

        bursts = [threading.Thread(target=post_burst) for _ in range(12)]
        for t in bursts:
            t.start()
        for t in bursts:
            t.join(120)

        def distinct(chunk: list[tuple[str, str]]) -> None:
            for company, ticker in chunk:
                text = release_text(company, ticker, "4:30", 28)
                a = log.note(f"distinct {ticker}", ingest(base, text, "2026-11-01"))
                if a.status in (200, 201):
                    log.acked.append((a.json()["release_id"], text.encode()))

        def identical() -> None:
            for _ in range(4):
                a = log.note("identical", ingest(base, same, "2026-11-01"))
                if a.status in (200, 201):
                    log.acked.append((a.json()["release_id"], same.encode()))

        def reschedule(chunk: list[tuple[str, int, str]]) -> None:
            for when, day, published in chunk:
                text = release_text("Zeta Corp.", "ZETA", when, day)
                a = log.note(f"move {when} {day}", ingest(base, text, published))
                if a.status in (200, 201):
                    log.acked.append((a.json()["release_id"], text.encode()))

        def poll() -> None:
            etag = None
            first_seen: dict[int, float] = {}  # SEQUENCE -> when this poller first saw it
            while not writers_done.is_set():
                headers = {"If-None-Match": etag} if etag else {}
                a = log.note("feed", send(base, "GET", "/calendar.ics", headers=headers))
                now = time.monotonic()
                if a.status == 200:
                    etag = a.headers.get("etag")
                    pairs = vevent_uids_and_sequences(a.body)
                    dup = [u for u, n in Counter(u for u, _ in pairs).items() if n > 1]
                    if dup:
                        log.failures.append(f"duplicate UIDs in a feed: {dup}")
                    seq = dict(pairs).get(ZETA_UID, -1)
                    first_seen.setdefault(seq, now)
                    # Each worker may reuse a feed's version for VERSION_TTL (1 s): the other
                    # worker can answer with the previous SEQUENCE for that long, not longer.
                    newer = [n for n, t in first_seen.items() if n > seq and now - t > STALE_OK]
                    if newer:
                        log.failures.append(
                            f"SEQUENCE {seq} served {now - first_seen[max(newer)]:.1f} s after "
                            f"{max(newer)} was"
                        )
                elif a.status != 304:
                    log.failures.append(f"feed poll: {a.status}")
                log.note("api", send(base, "GET", "/api/events?ticker=ZETA,SAME"))

        threads = [threading.Thread(target=distinct, args=(companies[i::3],)) for i in range(3)]
        threads += [threading.Thread(target=identical) for _ in range(3)]
        threads += [threading.Thread(target=reschedule, args=(moves[i::3],)) for i in range(3)]
        pollers = [threading.Thread(target=poll) for _ in range(3)]
        for t in threads + pollers:
            t.start()
        for t in threads:
            t.join(120)
        writers_done.set()
        for t in pollers:
            t.join(60)
        time.sleep(STALE_OK)  # past the workers' version reuse: the final reads are current
        final = send(base, "GET", "/calendar.ics")
        zeta = send(base, "GET", f"/api/events/{ZETA_UID}")

    assert not log.failures, log.failures[:10]
    writes = [a for what, a in log.answers if what not in ("feed", "api")]
    assert len(writes) == 12 + len(companies) + 12 + len(moves)
    assert all(a.status in (200, 201) for a in writes), [a.status for a in writes]

    # Identical bytes: one release, created once (posted at one instant, and spread out).
    for kind in ("burst", "identical"):
        same_answers = [a for what, a in log.answers if what == kind]
        assert len({a.json()["release_id"] for a in same_answers}) == 1, kind
        assert sum(a.status == 201 for a in same_answers) == 1, kind

    # Every acknowledged release is stored, with its bytes; distinct bytes, distinct ids.
    by_id: dict[int, bytes] = dict(log.acked)
    assert len(by_id) == 1 + len(companies) + 1 + len(moves)
    store = open_store(tmp_path, store_url)
    try:
        for release_id, raw in by_id.items():
            assert store.release(release_id).raw == raw
        assert store.pending_releases() == []
        stored_zeta = store.event(ZETA_UID)
    finally:
        store.close()

    # One event per company, once each, in the final feed.
    pairs = vevent_uids_and_sequences(final.body)
    uids = [u for u, _ in pairs]
    assert len(uids) == len(set(uids)), Counter(uids).most_common(3)
    for _, ticker in [*companies, ("", "SAME"), ("", "ZETA"), ("", "BRST")]:
        assert sum(u.startswith(ticker.lower() + "-") for u in uids) == 1, ticker

    # SEQUENCE: each change to the rescheduled event got its own number, none skipped.
    sequences = [
        c["sequence"]
        for what, a in log.answers
        if what.startswith("move")
        for c in a.json()["changes"]
        if c["uid"] == ZETA_UID and c["change"] not in ("unchanged", "held")
    ]
    assert sorted(sequences) == list(range(len(sequences))), sorted(sequences)
    assert stored_zeta.sequence == max(sequences)
    assert dict(pairs)[ZETA_UID] == stored_zeta.sequence
    assert zeta.json()["sequence"] == stored_zeta.sequence
