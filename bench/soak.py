"""A bounded soak on loopback: gunicorn (2 workers) under mixed feed polls, conditional GETs and
ingests; prints what it served and whether anything was lost.

Usage::

    .venv/bin/python bench/soak.py                 # 60 s, SQLite in a temporary folder
    .venv/bin/python bench/soak.py --seconds 300 --clients 8
    .venv/bin/python bench/soak.py --database-url postgresql+psycopg://user@127.0.0.1/db

The store starts with a few hundred events (so feeds have real bodies). Client threads each
pick, per request: a full feed poll (``/calendar.ics``, a company feed, ``/api/events``), a
conditional GET with the ETag they last saw (expects 304 or 200), or an ingest of a new release
(``POST /api/releases`` with the admin token; one in ten re-sends a release already sent).

Printed: requests served by status, errors (5xx, connection failures, "database is locked" —
must be 0), p50/p99/max latency per kind, and releases acknowledged vs found in the store after
the run (must be equal). Exit status 1 when errors > 0 or a release is missing.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from icalfeed.config import Config  # noqa: E402
from icalfeed.model import Event, EventKind, Issuer, Listing, ParsedRelease, Release  # noqa: E402
from icalfeed.store import ParseResult, Source, Store  # noqa: E402

ADMIN_TOKEN = "soak-admin-token-0123456789"  # noqa: S105 - a throw-away server
LOCKED = re.compile(rb"database is locked|deadlock", re.I)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def seed(config: Config, n: int) -> None:
    import pytz

    zone = pytz.timezone("America/New_York")
    today = datetime.now(UTC).date()
    with Store.open(config, create=True) as store:
        for i in range(n):
            day = today + timedelta(days=1 + i % 120)
            issuer = Issuer(f"Seed{i % 50} Inc.", (Listing("NASDAQ", f"S{i % 50}"),))
            event = Event(
                kind=EventKind.EARNINGS_CALL,
                title=f"Seed{i % 50} event {i}",
                start=zone.localize(datetime(day.year, day.month, day.day, 8 + i % 9, 30)),
                tzid="America/New_York",
                issuer=issuer,
                identity=f"event {i}",
                published=today,
                confidence=0.9,
            )
            added = store.add_release(
                f"seed {i}".encode(), content_type="text/plain", source=Source.file(f"seed{i}")
            )
            rel = Release(text=f"seed {i}", published=today, published_from="caller")
            store.record_parse(added.id, ParseResult("seed", ParsedRelease(rel, issuer, (event,))))


def release_text(n: int) -> str:
    day = datetime.now(UTC).date() + timedelta(days=10 + n % 200)
    return (
        f"Soak{n} Corp. (NASDAQ: SK{n}) will host a conference call to discuss its results at "
        f"{1 + n % 11}:30 p.m. ET on {day:%A, %B} {day.day}, {day.year}. To participate, dial "
        f"913-312-0379, passcode {8000000 + n}.\n"
    )


@dataclass
class Stats:
    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter[int] = field(default_factory=Counter)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    acked: dict[int, bytes] = field(default_factory=dict)

    def record(self, kind: str, status: int, seconds: float, body: bytes) -> None:
        with self.lock:
            self.statuses[status] += 1
            self.latencies[kind].append(seconds)
            if status >= 500 or LOCKED.search(body):
                self.errors.append(f"{kind}: {status} {body[:160]!r}")


class Counter1:
    """A thread-safe counter for release numbers."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._n = 0

    def next(self) -> int:
        with self._lock:
            self._n += 1
            return self._n


def client(base: str, stats: Stats, stop: threading.Event, ids: Counter1) -> None:
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    rng = random.Random(threading.get_ident())
    etags: dict[str, str] = {}
    sent: list[str] = []
    while not stop.is_set():
        roll = rng.random()
        headers: dict[str, str] = {}
        body: bytes | None = None
        method = "GET"
        if roll < 0.35:
            kind, path = (
                "feed",
                rng.choice(
                    [
                        "/calendar.ics",
                        f"/companies/S{rng.randrange(50)}.ics",
                        "/api/events?ticker=S1",
                    ]
                ),
            )
        elif roll < 0.75:
            kind, path = "conditional", rng.choice(["/calendar.ics", "/companies/S3.ics"])
            if path in etags:
                headers["If-None-Match"] = etags[path]
        else:
            kind, path, method = "ingest", "/api/releases", "POST"
            if sent and rng.random() < 0.1:
                text = rng.choice(sent)  # a re-send: must answer 200, not store twice
            else:
                text = release_text(ids.next())
                sent.append(text)
            body = text.encode()
            headers = {"Authorization": f"Bearer {ADMIN_TOKEN}", "Content-Type": "text/plain"}
        start = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as e:
            with stats.lock:
                stats.errors.append(f"{kind} {path}: {type(e).__name__}: {e}")
            conn.close()
            conn = http.client.HTTPConnection(host, int(port), timeout=60)
            continue
        stats.record(kind, response.status, time.perf_counter() - start, data)
        if kind == "conditional" and response.status == 200:
            etag = response.getheader("ETag")
            if etag:
                etags[path] = etag
        if kind == "ingest" and response.status in (200, 201):
            release_id = json.loads(data)["release_id"]
            with stats.lock:
                stats.acked[release_id] = body or b""
    conn.close()


def pct(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the soak")
    parser.add_argument("--clients", type=int, default=6, help="client threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--seed-events", type=int, default=300, help="events stored first")
    parser.add_argument("--database-url", default="", help="default: SQLite in a temp folder")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="icalfeed-soak-"))
    url = args.database_url or f"sqlite:///{folder / 'icalfeed.sqlite3'}"
    config = Config.from_env(
        {}, instance_path=str(folder), database_url=url, admin_token=ADMIN_TOKEN
    )
    seed(config, args.seed_events)
    port = free_port()
    exe = Path(sys.executable).with_name("gunicorn")
    env = {
        **os.environ,
        "ICALFEED_INSTANCE_PATH": str(folder),
        "ICALFEED_DATABASE_URL": url,
        "ICALFEED_ADMIN_TOKEN": ADMIN_TOKEN,
        "ICALFEED_SECRET_KEY": "soak",
        "ICALFEED_ACCESS_LOG": "",
        "ICALFEED_LOG_LEVEL": "warning",
        "PYTHONPATH": str(REPO),
    }
    log = folder / "gunicorn.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [
                str(exe) if exe.exists() else "gunicorn",
                "--config",
                "python:icalfeed.web.gunicorn_conf",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
                "icalfeed.web:create_asgi_app()",
            ],
            cwd=folder,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                print(log.read_text(), file=sys.stderr)
                return 2
            time.sleep(0.1)

        stats = Stats()
        stop = threading.Event()
        ids = Counter1()
        threads = [
            threading.Thread(target=client, args=(base, stats, stop, ids))
            for _ in range(args.clients)
        ]
        started = time.perf_counter()
        for t in threads:
            t.start()
        time.sleep(args.seconds)
        stop.set()
        for t in threads:
            t.join(120)
        elapsed = time.perf_counter() - started
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()

    with Store.open(config) as store:
        missing = [i for i, raw in stats.acked.items() if _raw(store, i) != raw]
        stored_soak = sum(1 for info in store.releases() if info.source.kind == "api")

    served = sum(stats.statuses.values())
    non_4xx_errors = len(stats.errors)  # every 5xx is in stats.errors, with its reason
    print(f"soak: {elapsed:.0f} s, {args.clients} clients, {args.workers} gunicorn workers, {url}")
    print(f"requests served: {served} ({served / elapsed:.0f}/s)")
    print("by status: " + ", ".join(f"{s}: {n}" for s, n in sorted(stats.statuses.items())))
    print(f"errors (5xx, connection failures, database locked): {non_4xx_errors}")
    for line in stats.errors[:10]:
        print(f"  {line}")
    every = [x for xs in stats.latencies.values() for x in xs]
    print(
        f"latency all: p50 {pct(every, 50) * 1000:.1f} ms, p99 {pct(every, 99) * 1000:.1f} ms, "
        f"max {max(every, default=0) * 1000:.1f} ms"
    )
    for kind, xs in sorted(stats.latencies.items()):
        print(
            f"  {kind:<11} n={len(xs):<6} p50 {pct(xs, 50) * 1000:.1f} ms, "
            f"p99 {pct(xs, 99) * 1000:.1f} ms"
        )
    print(
        f"releases acknowledged: {len(stats.acked)}, stored: {stored_soak}, "
        f"acknowledged but missing or different: {len(missing)}"
    )
    ok = non_4xx_errors == 0 and not missing and stored_soak == len(stats.acked)
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


def _raw(store: Store, release_id: int) -> bytes | None:
    try:
        return store.release(release_id).raw
    except Exception:
        return None


if __name__ == "__main__":
    sys.exit(main())
