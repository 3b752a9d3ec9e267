"""The store's commands end to end with the real parser: ingest, export, review, reparse, db,
poll (against the loopback HTTP server), and a bulk ingest killed with SIGKILL then resumed.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from icalendar import Calendar

from icalfeed.cli import cli
from icalfeed.store import EventQuery, Store
from tests.conftest import DEV_CORPUS, REPO, SEEDS
from tests.store_helpers import config

pytest.importorskip("icalfeed.extract")

RELEASE = """date 2024-04-10

Acme Corp. to Host First Quarter 2024 Earnings Conference Call

NEW YORK, April 10, 2024 -- Acme Corp. (NASDAQ: ACME) will host a conference call to discuss
its first quarter 2024 financial results on Thursday, April 25, 2024 at 4:30 p.m. Eastern Time.
Participants may dial 1-800-555-0100, passcode 8024721.
"""


@pytest.fixture
def db(store_url: str) -> str:
    return store_url


def icalfeed(*args: str, input: bytes | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def events_of(url: str) -> list[tuple[str, int, str]]:
    store = Store.open(config(), url)
    try:
        return sorted(
            (e.uid, e.sequence, e.event.status.value)
            for e in store.events(EventQuery(everything=True))
        )
    finally:
        store.close()


def test_ingest_creates_the_schema_and_prints_a_summary(db: str, tmp_path: Path) -> None:
    (tmp_path / "acme.txt").write_text(RELEASE)
    (tmp_path / "logo.png").write_bytes(b"\x89PNG")
    result = icalfeed("ingest", "--database", db, str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "2 releases read" not in result.output
    assert "1 releases read" in result.output
    assert "1 added" in result.output
    assert "logo.png: not a release file" in result.output
    again = icalfeed("ingest", "--database", db, str(tmp_path))
    assert "0 new, 1 already stored" in again.output


def test_ingest_reads_stdin(db: str) -> None:
    result = icalfeed("ingest", "--database", db, "-", input=RELEASE.encode())
    assert result.exit_code == 0, result.output
    assert [uid for uid, _, _ in events_of(db)] == ["acme-earnings-call-q1-2024@icalfeed"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((), 1),
        (("--ticker", "acme"), 1),
        (("--ticker", "ZZZZ"), 0),
        (("--kind", "investor_day"), 0),
        (("--from", "2024-04-26"), 0),
        (("--to", "2024-04-25"), 1),
    ],
    ids=["default", "ticker", "other-ticker", "kind", "from", "to"],
)
def test_export(db: str, tmp_path: Path, args: tuple[str, ...], expected: int) -> None:
    icalfeed("ingest", "--database", db, "-", input=RELEASE.encode())
    out = tmp_path / "feed.ics"
    result = icalfeed("export", "--database", db, "--all", "-o", str(out), *args)
    assert result.exit_code == 0, result.output
    cal = Calendar.from_ical(out.read_bytes())
    assert len(cal.walk("VEVENT")) == expected


def test_export_window_drops_old_events(db: str) -> None:
    icalfeed("ingest", "--database", db, "-", input=RELEASE.encode())
    result = icalfeed("export", "--database", db)  # 2024 is long past ICALFEED_PAST_DAYS
    assert result.exit_code == 0
    assert b"BEGIN:VEVENT" not in result.stdout_bytes
    assert b"BEGIN:VCALENDAR" in result.stdout_bytes


def test_a_database_at_another_revision_names_the_upgrade(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    result = CliRunner().invoke(cli, ["export", "--database", url])
    assert result.exit_code == 1
    assert "icalfeed db upgrade" in result.output
    assert icalfeed("db", "current", "--database", url).exit_code == 1
    up = icalfeed("db", "upgrade", "--database", url)
    assert "upgraded from (empty) to 0001" in up.output
    assert icalfeed("db", "current", "--database", url).exit_code == 0
    assert "already at revision 0001" in icalfeed("db", "upgrade", "--database", url).output


VAGUE = """date 2024-04-10

Acme Corp. to Host Annual Meeting

Acme Corp. (NASDAQ: ACME) will hold its annual general meeting on Thursday, April 25, 2024
at 10:00.
"""  # a time with no zone anywhere: held for review


@pytest.mark.parametrize("decision", ["accept", "reject"])
def test_review_lists_and_decides(db: str, decision: str) -> None:
    icalfeed("ingest", "--database", db, "-", input=VAGUE.encode())
    listing = icalfeed("review", "--database", db)
    m = re.search(r"release (\d+) (\S+@icalfeed)", listing.output)
    assert m is not None, listing.output
    assert "below 0.50" in listing.output
    assert events_of(db) == []
    decided = icalfeed("review", "--database", db, decision, m.group(1), m.group(2))
    assert decided.exit_code == 0, decided.output
    assert icalfeed("review", "--database", db).output.strip() == "nothing to review"
    assert len(events_of(db)) == (1 if decision == "accept" else 0)


def test_review_of_an_unknown_release_fails(db: str) -> None:
    icalfeed("db", "upgrade", "--database", db)
    result = CliRunner().invoke(cli, ["review", "--database", db, "accept", "42"])
    assert result.exit_code == 1
    assert "no release 42" in result.output


def test_reparse_reports_nothing_changed(db: str) -> None:
    icalfeed("ingest", "--database", db, "-", input=RELEASE.encode())
    result = icalfeed("reparse", "--database", db)
    assert result.exit_code == 0, result.output
    assert "1 releases parsed again" in result.output
    assert "0 added, 0 updated" in result.output


def test_database_url_from_the_environment(tmp_path: Path, monkeypatch: Any) -> None:
    url = f"sqlite:///{tmp_path / 'env.sqlite3'}"
    monkeypatch.setenv("ICALFEED_DATABASE_URL", url)
    icalfeed("ingest", "-", input=RELEASE.encode())
    assert len(events_of(url)) == 1


# -- poll ---------------------------------------------------------------------------------------


def rss(*items: tuple[str, str]) -> bytes:
    body = "".join(
        f"<item><guid>{guid}</guid><title>Acme</title><link>https://ir.example.com/{guid}</link>"
        f"<description><![CDATA[{text}]]></description>"
        "<pubDate>Wed, 10 Apr 2024 12:00:00 GMT</pubDate></item>"
        for guid, text in items
    )
    head = '<?xml version="1.0"?><rss version="2.0"><channel><title>IR</title>'
    return f"{head}{body}</channel></rss>".encode()


def test_poll_ingests_new_items_and_sends_validators(
    db: str, http_server: Any, monkeypatch: Any
) -> None:
    monkeypatch.setenv("ICALFEED_ALLOW_PRIVATE_URLS", "1")
    long_release = RELEASE + "\n" + "About Acme. Acme makes things. " * 40
    url = http_server.route(
        "/rss", rss(("pr-1", long_release)), content_type="application/rss+xml", etag='"v1"'
    )
    first = icalfeed("poll", "--database", db, url)
    assert first.exit_code == 0, first.output
    assert "1 items, 1 new" in first.output
    assert len(events_of(db)) == 1
    second = icalfeed("poll", "--database", db, url)
    assert "not modified" in second.output
    assert http_server.requests[-1].headers.get("if-none-match") == '"v1"'


def test_poll_without_feeds_is_a_usage_error(db: str) -> None:
    result = CliRunner().invoke(cli, ["poll", "--database", db])
    assert result.exit_code == 2
    assert "ICALFEED_FEEDS" in result.output


# -- the corpus, and a killed bulk ingest --------------------------------------------------------


def _corpus_dirs() -> list[str]:
    dirs = [str(SEEDS)]
    if DEV_CORPUS.is_dir():
        dirs.append(str(DEV_CORPUS))
    return dirs


def test_ingesting_twice_in_any_order_gives_the_same_events(store_url: str, tmp_path: Path) -> None:
    other = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    dirs = _corpus_dirs()
    icalfeed("ingest", "-q", "--database", store_url, *dirs)
    once = events_of(store_url)
    assert once
    icalfeed("ingest", "-q", "--database", store_url, *reversed(dirs))
    files = sorted(p for d in dirs for p in Path(d).rglob("*") if p.suffix in {".txt", ".eml"})
    icalfeed("ingest", "-q", "--workers", "1", "--database", other, *map(str, reversed(files)))
    icalfeed("ingest", "-q", "--database", other, *dirs)
    assert events_of(store_url) == once
    assert events_of(other) == once


@pytest.fixture
def bulk_folder(tmp_path: Path) -> Path:
    """~600 releases made from the seeds and the dev corpus, each with its own ticker."""
    folder = tmp_path / "bulk"
    folder.mkdir()
    sources = [p.read_text() for d in _corpus_dirs() for p in sorted(Path(d).glob("*.txt"))]
    n = 0
    while n < 600:
        for text in sources:
            new = re.sub(
                r"\((NASDAQ|NYSE|Nasdaq)[^:)]*:\s*([A-Z.]+)\)", f"(NASDAQ: K{n:04d})", text
            )
            (folder / f"r{n:04d}.txt").write_text(new + f"\n\nref {n}\n")
            n += 1
    return folder


@pytest.mark.slow
def test_a_killed_bulk_ingest_loses_nothing(tmp_path: Path, bulk_folder: Path) -> None:
    killed = f"sqlite:///{tmp_path / 'killed.sqlite3'}"
    clean = f"sqlite:///{tmp_path / 'clean.sqlite3'}"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "icalfeed", "ingest", "-q", "--workers", "2", str(bulk_folder)]
    proc = subprocess.Popen([*cmd, "--database", killed], env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    db_file = tmp_path / "killed.sqlite3"
    while time.monotonic() < deadline and proc.poll() is None:
        if db_file.exists() and _releases(killed) >= 100:
            break
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    subprocess.run([*cmd, "--database", killed], env=env, check=True, capture_output=True)
    subprocess.run([*cmd, "--database", clean], env=env, check=True, capture_output=True)
    assert events_of(killed) == events_of(clean)
    assert _releases(killed) == _releases(clean) == len(list(bulk_folder.iterdir()))


def _releases(url: str) -> int:
    try:
        store = Store.open(config(), url)
    except Exception:
        return 0
    try:
        return store.counts()["releases"]
    finally:
        store.close()


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: Any) -> None:
    monkeypatch.delenv("ICALFEED_DATABASE_URL", raising=False)
    monkeypatch.delenv("ICALFEED_FEEDS", raising=False)


def test_the_progress_bar_counts_release_files(tmp_path: Path) -> None:
    from icalfeed.cli.store_cmds import count_releases

    (tmp_path / "sub").mkdir()
    (tmp_path / ".hidden").mkdir()
    for name in ["a.txt", "sub/b.HTML", "sub/c.eml", "d.pdf", ".e.txt", ".hidden/f.txt"]:
        (tmp_path / name).write_text("x")
    assert count_releases((str(tmp_path), "-", "https://ir.example.com/pr")) == 5


def test_ingest_fetches_urls_and_refuses_private_ones(
    db: str, http_server: Any, monkeypatch: Any
) -> None:
    url = http_server.route("/pr/1", RELEASE.encode(), content_type="text/plain; charset=utf-8")
    refused = icalfeed("ingest", "--database", db, url)
    assert "skipped" in refused.output
    assert events_of(db) == []
    monkeypatch.setenv("ICALFEED_ALLOW_PRIVATE_URLS", "1")
    fetched = icalfeed("ingest", "--database", db, url)
    assert fetched.exit_code == 0, fetched.output
    assert [uid for uid, _, _ in events_of(db)] == ["acme-earnings-call-q1-2024@icalfeed"]
