"""The ingestion pipeline with a stand-in parser: storing before parsing, failures, duplicates,
resuming an interrupted run, the process pool, reparse, review acceptance.

The stand-in reads releases written as JSON (a list of ``event_to_dict`` dicts plus a date), so
these tests pin the pipeline, not the parser; tests/test_ingest_corpus.py runs the real one.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from icalfeed.calendar import options_from_config
from icalfeed.errors import ParseBudgetError
from icalfeed.feeds import vevent_renderer
from icalfeed.identity import event_uid
from icalfeed.ingest import (
    Incoming,
    Ingestor,
    Summary,
    accept_release,
    incoming_from_paths,
    parse_text,
)
from icalfeed.model import Event, ParsedRelease, Release, Status
from icalfeed.serialize import event_from_dict, event_to_dict
from icalfeed.store import EventQuery, NewRelease, Outcome, Source, Store
from tests.store_helpers import Clock, call, open_store

UID = "acme-earnings-call-q1-2024@icalfeed"


def fake_parse(
    text: str,
    *,
    published: date | None = None,
    content_type: str = "text/plain",
    budget_seconds: float | None = None,
) -> ParsedRelease:
    """Stand-in parser: ``{"published": ..., "events": [...]}``; ``RAISE``/``SLOW`` misbehave."""
    if text.startswith("RAISE"):
        raise RuntimeError("parser crashed on purpose")
    if text.startswith("SLOW") and budget_seconds is not None:
        raise ParseBudgetError("over budget")
    if text.startswith("SLOW"):
        text = text[4:]
    doc = json.loads(text)
    pub = date.fromisoformat(doc["published"]) if doc.get("published") else published
    events = tuple(event_from_dict(e) for e in doc["events"])
    return ParsedRelease(Release(text, pub), None, events)


def release_text(*events: Event, published: str = "2024-04-01") -> str:
    return json.dumps({"published": published, "events": [event_to_dict(e) for e in events]})


def incoming(text: str, name: str) -> Incoming:
    raw = text.encode()
    return Incoming(NewRelease(raw, "text/plain", Source.file(name), text))


@pytest.fixture
def store(store_url: str) -> Any:
    s = open_store(store_url, Clock())
    yield s
    s.close()


def run(store: Store, items: list[Incoming], workers: int = 1) -> Summary:
    with Ingestor(store, workers=workers, parse=fake_parse) as ing:
        return ing.ingest(items)


def test_a_crashing_parser_leaves_the_release_stored_as_failed(store: Store) -> None:
    summary = run(store, [incoming("RAISE please", "bad.txt")])
    assert summary.failed == [("bad.txt", "RuntimeError: parser crashed on purpose")]
    [info] = store.releases()
    assert (info.outcome, info.detail) == (
        Outcome.FAILED,
        "RuntimeError: parser crashed on purpose",
    )
    assert store.release(info.id).raw == b"RAISE please"


def test_undecodable_bytes_are_kept_and_failed(store: Store) -> None:
    item = Incoming(
        NewRelease(b"\x00\x01", "application/octet-stream", Source.file("x.txt")),
        error="DecodeError: binary",
    )
    summary = run(store, [item])
    assert summary.failed == [("x.txt", "DecodeError: binary")]


def test_summary_counts_and_reingesting_changes_nothing(store: Store) -> None:
    announce = incoming(release_text(call(passcode="1"), published="2024-04-01"), "announce.txt")
    items = [
        incoming(release_text(call(passcode="2"), published="2024-04-05"), "update.txt"),
        incoming(
            release_text(call(status=Status.CANCELLED, passcode="2"), published="2024-04-09"),
            "cancel.txt",
        ),
        incoming(release_text(call(confidence=0.2, identity="Q2 2024")), "vague.txt"),
        incoming(release_text(), "dividend.txt"),
    ]
    first = run(store, [announce])
    assert (first.new, first.added, first.parsed) == (1, 1, 1)
    # one batch: each event's net change (updated, then cancelled) counts once
    second = run(store, items)
    assert (second.new, second.added, second.updated, second.cancelled, second.held) == (
        4,
        0,
        0,
        1,
        1,
    )
    assert (second.parsed, second.no_events, second.needs_review) == (2, 1, 1)
    before = [(e.uid, e.sequence, e.last_modified) for e in store.events(EventQuery())]
    version = store.version()
    again = run(store, list(reversed([announce, *items])))
    assert (again.new, again.duplicates, again.changes) == (0, 5, [])
    assert [(e.uid, e.sequence, e.last_modified) for e in store.events(EventQuery())] == before
    assert store.version() == version
    assert store.event(UID).sequence == 2


def test_one_parse_at_a_time_reports_each_change(store: Store) -> None:
    kinds = []
    for day, passcode, status in [
        (1, "1", Status.CONFIRMED),
        (5, "2", Status.CONFIRMED),
        (9, "2", Status.CANCELLED),
    ]:
        text = release_text(call(passcode=passcode, status=status), published=f"2024-04-0{day}")
        summary = run(store, [incoming(text, f"r{day}.txt")])
        kinds += [c.change.value for c in summary.changes]
    assert kinds == ["added", "updated", "cancelled"]


def test_the_process_pool_gives_the_same_result(store: Store, store_url: str) -> None:
    items = [
        incoming(release_text(call(day=1 + n % 28, identity=f"Q{n} 2024")), f"r{n}.txt")
        for n in range(40)
    ]
    items.append(incoming("RAISE", "bad.txt"))
    summary = run(store, items, workers=2)
    assert (summary.added, len(summary.failed)) == (40, 1)
    assert len(store.events(EventQuery(everything=True))) == 40


def test_an_interrupted_run_is_resumed(store: Store) -> None:
    text = release_text(call())
    store.add_release(
        text.encode(), content_type="text/plain", source=Source.file("a.txt"), text=text
    )  # stored, never parsed: the process died here
    summary = run(store, [])
    assert (summary.resumed, summary.added) == (1, 1)
    assert store.pending_releases() == []


def test_over_budget_release_is_held_then_accepted(store: Store) -> None:
    summary = run(store, [incoming("SLOW" + release_text(call()), "slow.txt")])
    assert summary.needs_review == 1
    [item] = store.review_queue()
    assert item.uid is None
    applied = accept_release(store, item.release_id, parse=fake_parse)
    assert applied.outcome is Outcome.PARSED
    assert [e.uid for e in store.events(EventQuery())] == [UID]


def test_reparse_reports_what_changed(store: Store) -> None:
    run(store, [incoming(release_text(call()), "a.txt")])

    with Ingestor(store, workers=1, parse=fake_parse) as ing:
        same = ing.reparse()
    assert (same.seen, same.changes) == (1, [])

    with Ingestor(store, workers=1, parse=no_events_parse) as ing:
        gone = ing.reparse()
    assert (gone.withdrawn, gone.no_events) == (1, 1)
    assert store.events(EventQuery()) == []


def no_events_parse(text: str, **_: Any) -> ParsedRelease:
    return ParsedRelease(Release(text, date(2024, 4, 1)), None, ())


def test_parse_text_without_text_records_the_decode_error() -> None:
    result = parse_text(
        None,
        published=None,
        content_type="text/plain",
        budget=1.0,
        error="DecodeError: nope",
        version="t",
    )
    assert (result.error, result.parsed) == ("DecodeError: nope", None)


# -- files and folders --------------------------------------------------------------------------


def test_paths_are_read_recursively_and_other_files_skipped(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_text("Acme to host call")
    (tmp_path / "sub" / "b.html").write_text("<p>Zeta investor day</p>")
    (tmp_path / "sub" / "c.pdf").write_bytes(b"%PDF-1.4")
    summary = Summary()
    found = list(
        incoming_from_paths(
            [str(tmp_path), str(tmp_path / "missing.txt")], open_store_config(), summary
        )
    )
    assert sorted(Path(i.name).name for i in found) == ["a.txt", "b.html"]
    assert [Path(p).name for p, _ in summary.skipped] == ["c.pdf", "missing.txt"]


def open_store_config() -> Any:
    from tests.store_helpers import config

    return config()


def test_workers_default_to_the_cpu_count(store: Store) -> None:
    with Ingestor(store) as ing:
        assert ing.workers == (os.cpu_count() or 1)


# -- VEVENTs rendered at ingest ------------------------------------------------------------------


def never_render(s: object) -> bytes:
    raise AssertionError(f"{s.uid} rendered on request")  # type: ignore[attr-defined]


def feed_renderer(store: Store) -> tuple[str, Any]:
    return vevent_renderer(options_from_config(store.config), None)


@pytest.mark.parametrize("workers", [1, 2], ids=["inline", "pool"])
def test_ingest_caches_the_vevents_a_feed_serves(store: Store, workers: int) -> None:
    items = [
        incoming(release_text(call(day=1 + n % 28, identity=f"Q{n} 2024")), f"r{n}.txt")
        for n in range(40)
    ]
    run(store, items, workers=workers)
    variant, render = feed_renderer(store)
    cached = store.vevents(EventQuery(everything=True), never_render, variant)
    assert len(cached) == 40
    for c in cached:  # byte for byte what the feed would have rendered itself
        assert c.ics == render(store.event(c.uid))


@pytest.mark.parametrize("workers", [1, 2], ids=["inline", "pool"])
def test_updates_are_rendered_again_with_their_new_sequence(store: Store, workers: int) -> None:
    def releases(passcode: str, published: str) -> list[Incoming]:
        return [
            incoming(
                release_text(call(identity=f"Q{n} 2024", passcode=passcode), published=published),
                f"{passcode}-{n}.txt",
            )
            for n in range(20)
        ]

    run(store, releases("1", "2024-04-01"), workers=workers)
    summary = run(store, releases("2", "2024-04-02"), workers=workers)
    assert summary.updated == 20
    variant, render = feed_renderer(store)
    cached = store.vevents(EventQuery(everything=True), never_render, variant)
    assert {c.sequence for c in cached} == {1}
    for c in cached:
        assert c.ics == render(store.event(c.uid))
        assert b"SEQUENCE:1\r\n" in c.ics


def test_without_rendering_the_feed_renders_on_request(store: Store) -> None:
    with Ingestor(store, workers=1, parse=fake_parse, render=False) as ing:
        ing.ingest([incoming(release_text(call()), "a.txt")])
    variant, render = feed_renderer(store)
    with pytest.raises(AssertionError, match="rendered on request"):
        store.vevents(EventQuery(), never_render, variant)
    assert store.vevent(UID, render, variant).ics == render(store.event(UID))


def test_reparse_renders_what_it_changed(store: Store) -> None:
    with Ingestor(store, workers=1, parse=fake_parse, render=False) as ing:
        ing.ingest([incoming(release_text(call()), "a.txt")])
    with Ingestor(store, workers=1, parse=later_parse) as ing:
        assert ing.reparse().rescheduled == 1
    variant, render = feed_renderer(store)
    [cached] = store.vevents(EventQuery(), never_render, variant)
    assert (cached.sequence, cached.ics) == (1, render(store.event(UID)))


def later_parse(text: str, **kwargs: Any) -> ParsedRelease:
    """The stand-in parser, reading every event an hour later."""
    parsed = fake_parse(text, **kwargs)
    events = tuple(replace(e, start=e.start + timedelta(hours=1)) for e in parsed.events)
    return replace(parsed, events=events)


def test_events_before_the_feed_window_are_rendered_on_request(store: Store) -> None:
    # The store's clock says 2024-04-01: a call in 2023 is past ICALFEED_PAST_DAYS.
    old = replace(call(), identity="Q1 2023", start=call().start - timedelta(days=365))
    run(store, [incoming(release_text(old, call()), "a.txt")])
    variant, render = feed_renderer(store)
    assert [c.uid for c in store.vevents(EventQuery(), never_render, variant)] == [UID]
    [record] = store.unrendered([UID, event_uid(old)], variant, EventQuery(everything=True))
    assert record.uid == event_uid(old)
    everything = store.vevents(EventQuery(everything=True), render, variant)
    assert [c.ics for c in everything] == [render(store.event(c.uid)) for c in everything]
