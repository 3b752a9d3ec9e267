"""Faults: a gunicorn worker killed (SIGKILL) in the middle of ingests, the feed poller killed in
the middle of a feed, and PostgreSQL stopped and restarted under a running app.

- Kill -9: every release acknowledged with a 2xx before, during or after the kill is in the
  store with its bytes; sending the unacknowledged ones again stores and parses them, and no
  release stays ``pending``.
- Poller kill -9: the items it committed stay; the next poll stores every other item once and
  fetches nothing already stored; no release stays ``pending``.
- PostgreSQL down: reads and writes answer 503 with a reason and ``Retry-After`` (never a 500,
  never a hang); once the server is back the same app answers 200 again, without a restart.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.client import HTTPException
from pathlib import Path

import pytest

from icalfeed.store import Store
from tests.plugins.gunicorn import LiveServer, start_gunicorn, stop_gunicorn
from tests.plugins.http import LoopbackServer
from tests.plugins.postgres import PG_BIN, PostgresServer, _as_user, serve_postgres
from tests.test_hardening_concurrency import (
    LOCKED,
    ingest,
    live_gunicorn,
    open_store,
    release_text,
    send,
)
from tests.web_helpers import web_settings

pytestmark = pytest.mark.slow


def worker_pids(server: LiveServer) -> list[int]:
    master = server.process.pid
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def wait_healthy(server: LiveServer, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if send(server.base, "GET", "/healthz", timeout=5).status == 200:
                return
        except (OSError, HTTPException):
            pass
        time.sleep(0.2)
    raise AssertionError(f"the app did not answer /healthz 200 within {seconds} s")


def test_kill_9_of_a_worker_mid_ingest_loses_no_acknowledged_release(
    store_url: str,
    tmp_path: Path,
) -> None:
    acked: dict[int, bytes] = {}
    unacked: list[str] = []
    problems: list[str] = []
    stop = threading.Event()
    counter = iter(range(10_000))
    lock = threading.Lock()
    killed: list[int] = []

    with live_gunicorn(tmp_path, store_url) as server:

        def client() -> None:
            while not stop.is_set():
                with lock:
                    n = next(counter)
                # Long releases so that a parse is in progress when the worker dies.
                text = release_text(f"Kill{n} Corp.", f"K{n}", "4:30", 28, pad=100)
                try:
                    a = ingest(server.base, text, "2026-11-01")
                except (OSError, HTTPException):
                    unacked.append(text)  # the connection died with the worker
                    continue
                if a.status in (200, 201):
                    acked[a.json()["release_id"]] = text.encode()
                elif a.status == 502 or a.status == 503:
                    unacked.append(text)
                else:
                    problems.append(f"{a.status} {a.body[:200]!r}")
                if LOCKED.search(a.body):
                    problems.append(f"locked: {a.body[:200]!r}")

        threads = [threading.Thread(target=client) for _ in range(4)]
        for t in threads:
            t.start()
        try:
            for _ in range(3):  # three kills, a second apart, each of a busy worker
                time.sleep(1.0)
                pids = worker_pids(server)
                assert pids, "no gunicorn workers"
                os.kill(pids[0], signal.SIGKILL)
                killed.append(pids[0])
            time.sleep(2.0)
        finally:
            stop.set()
            for t in threads:
                t.join(120)
        assert server.process.poll() is None, "the gunicorn master died"
        wait_healthy(server)
        # A re-send of what was not acknowledged: stored once, parsed, acknowledged now.
        for text in unacked:
            a = ingest(server.base, text, "2026-11-01")
            assert a.status in (200, 201), (a.status, a.body[:200])
            acked[a.json()["release_id"]] = text.encode()
        assert set(worker_pids(server)).isdisjoint(killed), "killed workers were not replaced"

    assert not problems, problems[:5]
    assert len(acked) >= 8, f"too few ingests to say anything: {len(acked)}"
    store = open_store(tmp_path, store_url)
    try:
        for release_id, raw in acked.items():
            assert store.release(release_id).raw == raw, release_id
        assert store.pending_releases() == [], "a release stayed pending after it was re-sent"
    finally:
        store.close()


# ------------------------------------------------------------------------ PostgreSQL restarted


def stop_postgres(server: PostgresServer) -> None:
    """Fast shutdown (SIGINT to the postmaster: sessions are cut, as when a database server
    restarts under an app) and wait until it is gone (no postmaster.pid, the port closed).
    SIGTERM would be a "smart" shutdown that waits for the app's pooled connections."""
    pid_file = server.folder / "data" / "postmaster.pid"
    os.kill(int(pid_file.read_text().split()[0]), signal.SIGINT)
    server.process.wait(30)
    deadline = time.monotonic() + 30
    while pid_file.exists() or _port_open(server.port):
        assert time.monotonic() < deadline, "PostgreSQL did not stop"
        time.sleep(0.1)


def _port_open(port: int) -> bool:
    import socket

    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def restart_postgres(server: PostgresServer) -> None:
    """Start the stopped server again on the same folder and port (as tests/plugins does)."""
    log_path = server.folder / "server.log"
    log = open(log_path, "ab")  # noqa: SIM115 - lives as long as the server
    server.process = subprocess.Popen(
        [
            *_as_user(),
            str(PG_BIN / "postgres"),
            "-D",
            str(server.folder / "data"),
            "-p",
            str(server.port),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            f"unix_socket_directories={server.folder}",
            "-c",
            "fsync=off",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            server.admin("SELECT 1")
            return
        except Exception as e:
            if time.monotonic() > deadline or server.process.poll() is not None:
                tail = log_path.read_text(errors="replace")[-1500:]
                raise AssertionError(f"PostgreSQL did not restart: {e}\n{tail}") from e
            time.sleep(0.2)


@pytest.fixture
def own_postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server of this test's own (the session one is shared: not ours to stop)."""
    yield from serve_postgres()


@pytest.mark.postgres
def test_postgres_restart_gives_503_then_recovers(
    own_postgres: PostgresServer, tmp_path: Path
) -> None:
    own_postgres.admin("CREATE DATABASE restart_test")
    url = own_postgres.url("restart_test")
    config = web_settings(tmp_path, database_url=url, past_days=3650)
    with Store.open(config, create=True):
        pass
    server = start_gunicorn(tmp_path, {"ICALFEED_DATABASE_URL": url})
    try:
        first = ingest(server.base, release_text("Up Corp.", "UP", "4:30", 28), "2026-11-01")
        assert first.status == 201, first.body[:300]
        assert send(server.base, "GET", "/calendar.ics").status == 200

        stop_postgres(own_postgres)
        time.sleep(1.5)  # past the per-worker validator reuse (1 s)
        down: dict[str, int] = {}
        for method, path, body in [
            ("GET", "/healthz", None),
            ("GET", "/calendar.ics", None),
            ("GET", "/companies/UP.ics", None),
            ("GET", "/api/events", None),
            ("GET", "/", None),
            ("POST", "/api/releases", release_text("Down Corp.", "DOWN", "4:30", 28).encode()),
        ]:
            for _ in range(2):  # both workers, whichever answers
                start = time.monotonic()
                headers = {"Authorization": "Bearer " + config.admin_token}
                if body is not None:
                    headers["Content-Type"] = "text/plain"
                a = send(server.base, method, path, body, headers, timeout=60)
                elapsed = time.monotonic() - start
                down[path] = a.status
                assert a.status == 503, (path, a.status, a.body[:300])
                assert a.body.strip(), path
                assert b"Traceback" not in a.body
                assert a.headers.get("retry-after"), path
                assert elapsed < 30, f"{path} took {elapsed:.1f} s to fail"

        restart_postgres(own_postgres)
        deadline = time.monotonic() + 30
        while send(server.base, "GET", "/healthz").status != 200:
            assert time.monotonic() < deadline, "the app did not recover after PostgreSQL"
            time.sleep(0.5)
        for _ in range(4):  # every worker recovered, not just one
            assert send(server.base, "GET", "/calendar.ics").status == 200
            assert send(server.base, "GET", "/api/events").status == 200
        again = ingest(server.base, release_text("Back Corp.", "BACK", "4:30", 28), "2026-11-01")
        assert again.status == 201, again.body[:300]
        assert server.process.poll() is None, "gunicorn was restarted or died"
    finally:
        stop_gunicorn(server)


# ------------------------------------------------------------------- the poller killed mid-feed


def rss(base: str, n: int) -> str:
    items = "".join(
        f"<item><title>Release {i}</title><link>{base}/pr/{i}</link><guid>pr-{i}</guid>"
        f"<pubDate>Mon, 02 Nov 2026 12:00:00 GMT</pubDate></item>"
        for i in range(n)
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>IR</title>'
        f"<link>{base}/</link>{items}</channel></rss>"
    )


def test_kill_9_of_the_poller_mid_feed_then_a_re_poll_gets_the_rest(
    tmp_path: Path, http_server: LoopbackServer
) -> None:
    """``icalfeed poll`` killed while it fetches a feed's items: what it committed stays, and
    the next poll stores every other item once — nothing lost, nothing twice, nothing pending."""
    n = 24
    feed = http_server.route(
        "/rss", rss(http_server.url("").rstrip("/"), n), content_type="application/rss+xml"
    )
    for i in range(n):
        text = release_text(f"Feed{i} Corp.", f"FD{i}", "4:30", 28, pad=150)
        http_server.route(f"/pr/{i}", text, content_type="text/plain")
    url = f"sqlite:///{tmp_path / 'icalfeed.sqlite3'}"
    Store.open(web_settings(tmp_path, database_url=url), create=True).close()
    env = {
        **os.environ,
        "ICALFEED_INSTANCE_PATH": str(tmp_path),
        "ICALFEED_ALLOW_PRIVATE_URLS": "1",
        "ICALFEED_FETCH_TIMEOUT": "5",
    }
    command = [str(Path(sys.executable).with_name("icalfeed")), "poll", "--database", url]
    command += ["--workers", "1", feed]
    poller = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    # The poller fetches the items, then stores and parses them: kill it once the first is in.
    deadline = time.monotonic() + 90
    stored = 0
    with open_store(tmp_path, url) as store:
        while stored == 0 and poller.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
            stored = len(store.release_ids())
    os.kill(poller.pid, signal.SIGKILL)
    assert poller.wait(10) == -signal.SIGKILL, "the poller finished before it could be killed"
    with open_store(tmp_path, url) as store:
        assert store.release_ids(), "the kill should land after the first release was stored"
        left_pending = store.pending_releases()

    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    fetched = sum(r.path.startswith("/pr/") for r in http_server.requests)
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stdout + again.stderr
    assert sum(r.path.startswith("/pr/") for r in http_server.requests) == fetched, (
        "a poll after everything was stored fetched items again"
    )
    with open_store(tmp_path, url) as store:
        infos = store.releases()
        assert store.pending_releases() == [], f"pending after the kill: {left_pending}"
    items = sorted(str(info.source.item_id).rsplit("/", 1)[-1] for info in infos)
    assert len(infos) == n, f"{len(infos)} releases for {n} items"
    assert items == sorted(f"pr-{i}" for i in range(n))
    hits = Counter(r.path for r in http_server.requests if r.path.startswith("/pr/"))
    assert max(hits.values()) <= 2, f"an item was fetched again after it was stored: {hits}"
    assert "Traceback" not in done.stdout + done.stderr
