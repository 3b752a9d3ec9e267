"""The store against SQLite and a real PostgreSQL: releases, identity, SEQUENCE, feeds, caching.

Every test here takes ``store_url`` (tests/plugins/postgres.py): it runs once on a SQLite file
and once on a fresh PostgreSQL database.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from sqlalchemy import text

from icalfeed.errors import NotFoundError
from icalfeed.model import EventKind, Status
from icalfeed.store import (
    Change,
    EventQuery,
    EventState,
    FeedState,
    Outcome,
    ParseResult,
    Source,
    Store,
)
from tests.store_helpers import ZETA, Clock, call, ingest, open_store, parsed

UID = "acme-earnings-call-q1-2024@icalfeed"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(store_url: str, clock: Clock) -> Store:
    s = open_store(store_url, clock)
    yield s  # type: ignore[misc]
    s.close()


# -- releases -----------------------------------------------------------------------------------


def test_release_is_committed_before_parsing(store: Store, store_url: str) -> None:
    added = store.add_release(b"raw \xff bytes", content_type="text/plain", source=Source.stdin())
    assert added.new
    assert added.outcome is Outcome.PENDING
    other = Store.open(store.config, store_url)  # a second process would see it
    try:
        assert other.pending_releases() == [added.id]
        assert other.release(added.id).raw == b"raw \xff bytes"
    finally:
        other.close()


def test_same_bytes_are_stored_once(store: Store) -> None:
    a = store.add_release(b"x", content_type="text/plain", source=Source.file("/a.txt"))
    b = store.add_release(b"x", content_type="text/html", source=Source.file("/b.txt"))
    assert (b.id, b.new) == (a.id, False)
    assert store.release(a.id).info.source.location == "/a.txt"
    assert store.counts()["releases"] == 1


def test_a_failed_parse_is_recorded_with_its_error(store: Store) -> None:
    added = store.add_release(b"boom", content_type="text/plain", source=Source.stdin())
    applied = store.record_parse(added.id, ParseResult("p1", error="ValueError: bad date"))
    assert applied.outcome is Outcome.FAILED
    info = store.release(added.id).info
    assert (info.outcome, info.detail, info.parser_version) == (
        Outcome.FAILED,
        "ValueError: bad date",
        "p1",
    )
    assert store.pending_releases() == []


def test_no_events_is_an_outcome_not_an_error(store: Store) -> None:
    rid = ingest(store, "dividend", parsed())
    assert store.release(rid).info.outcome is Outcome.NO_EVENTS


def test_text_with_nul_and_surrogates_is_stored(store: Store) -> None:
    added = store.add_release(
        b"a\x00b", content_type="text/plain", source=Source.stdin(), text="a\x00b\udcff"
    )
    assert store.release(added.id).text == "a\ufffdb?"


def test_unknown_release_is_not_found(store: Store) -> None:
    with pytest.raises(NotFoundError):
        store.release(999)
    with pytest.raises(NotFoundError):
        store.record_parse(999, parsed())


# -- identity and SEQUENCE ----------------------------------------------------------------------


def test_an_update_bumps_sequence(store: Store, clock: Clock) -> None:
    ingest(store, "announce", parsed(call(passcode="111"), published=date(2024, 4, 1)))
    clock.advance(days=1)
    rid = store.add_release(b"update", content_type="text/plain", source=Source.stdin()).id
    applied = store.record_parse(rid, parsed(call(passcode="222"), published=date(2024, 4, 2)))
    assert [(c.uid, c.change, c.sequence) for c in applied.changes] == [(UID, Change.UPDATED, 1)]
    ev = store.event(UID)
    assert (ev.sequence, ev.event.passcode, ev.release_id) == (1, "222", rid)
    assert ev.last_modified > ev.created


def test_a_reschedule_moves_the_event(store: Store) -> None:
    ingest(store, "announce", parsed(call(28), published=date(2024, 4, 1)))
    rid = store.add_release(b"moved", content_type="text/plain", source=Source.stdin()).id
    applied = store.record_parse(rid, parsed(call(30), published=date(2024, 4, 3)))
    assert applied.changes[0].change is Change.RESCHEDULED
    assert store.event(UID).event.start_date == date(2024, 4, 30)
    assert store.counts()["events"] == 1


def test_a_cancellation_keeps_the_uid_and_sets_the_status(store: Store, clock: Clock) -> None:
    ingest(store, "announce", parsed(call(), published=date(2024, 4, 1)))
    rid = store.add_release(b"cancel", content_type="text/plain", source=Source.stdin()).id
    applied = store.record_parse(
        rid, parsed(call(status=Status.CANCELLED), published=date(2024, 4, 2))
    )
    assert [(c.uid, c.change, c.sequence) for c in applied.changes] == [(UID, Change.CANCELLED, 1)]
    ev = store.event(UID)
    assert ev.event.status is Status.CANCELLED
    assert ev.cancelled_at == clock.now
    assert [e.uid for e in store.events(EventQuery())] == [UID]
    clock.advance(days=31)  # past ICALFEED_CANCELLED_KEEP_DAYS: subscribers had time to drop it
    assert store.events(EventQuery()) == []
    assert [e.uid for e in store.events(EventQuery(everything=True))] == [UID]


def test_recording_the_same_release_again_changes_nothing(store: Store) -> None:
    rid = ingest(store, "announce", parsed(call()))
    before = store.version()
    again = store.record_parse(rid, parsed(call(passcode="999")))
    assert again.changes == ()
    assert again.outcome is Outcome.PARSED
    assert store.event(UID).event.passcode == "8024721"
    assert store.version() == before


def test_a_reminder_repeating_the_details_changes_nothing(store: Store) -> None:
    ingest(
        store, "announce", parsed(call(headline="Acme to host call"), published=date(2024, 4, 1))
    )
    rid = store.add_release(b"reminder", content_type="text/plain", source=Source.stdin()).id
    applied = store.record_parse(
        rid,
        parsed(call(headline="Reminder: Acme call", confidence=0.8), published=date(2024, 4, 20)),
    )
    assert applied.changes == ()
    assert store.event(UID).sequence == 0


VERSIONS = [  # (release name, published day, passcode, status)
    ("announce", 1, "111", Status.CONFIRMED),
    ("update", 5, "222", Status.CONFIRMED),
    ("reminder", 9, "222", Status.CONFIRMED),
    ("cancel", 12, "222", Status.CANCELLED),
]


@pytest.mark.parametrize(
    "order",
    list(itertools.permutations(range(len(VERSIONS)))),
    ids=lambda o: "-".join(VERSIONS[i][0] for i in o),
)
def test_arrival_order_never_changes_the_result(store_url: str, order: tuple[int, ...]) -> None:
    store = open_store(store_url)
    try:
        for i in order:
            name, day, passcode, status = VERSIONS[i]
            ingest(
                store,
                name,
                parsed(call(passcode=passcode, status=status), published=date(2024, 4, day)),
            )
        ev = store.event(UID)
        assert (ev.sequence, ev.event.status, ev.event.passcode) == (2, Status.CANCELLED, "222")
    finally:
        store.close()


# -- review -------------------------------------------------------------------------------------


def test_a_doubtful_event_is_held_until_accepted(store: Store) -> None:
    rid = ingest(store, "vague", parsed(call(confidence=0.3)))
    assert store.release(rid).info.outcome is Outcome.NEEDS_REVIEW
    assert store.event(UID).state is EventState.HELD
    assert store.events(EventQuery()) == []
    [item] = store.review_queue()
    assert (item.release_id, item.uid) == (rid, UID)
    assert "0.30" in item.reason
    applied = store.accept(rid, UID)
    assert [c.change for c in applied.changes] == [Change.ADDED]
    assert [e.uid for e in store.events(EventQuery())] == [UID]
    assert store.review_queue() == []
    assert store.release(rid).info.outcome is Outcome.PARSED


def test_rejecting_a_held_event_keeps_it_out_of_feeds(store: Store) -> None:
    rid = ingest(store, "vague", parsed(call(confidence=0.3)))
    store.reject(rid)
    assert store.event(UID).state is EventState.REJECTED
    assert store.review_queue() == []
    assert store.events(EventQuery()) == []
    assert store.release(rid).info.outcome is Outcome.REJECTED


def test_a_release_over_the_budget_is_held_as_a_whole(store: Store) -> None:
    added = store.add_release(b"slow", content_type="text/plain", source=Source.stdin())
    store.record_parse(added.id, ParseResult("p1", over_budget=3.2))
    [item] = store.review_queue()
    assert (item.release_id, item.uid) == (added.id, None)
    assert "3.20 s" in item.reason
    assert store.held_release(added.id)
    store.reject(added.id)
    assert store.review_queue() == []
    assert store.release(added.id).info.outcome is Outcome.REJECTED


def test_a_reparse_with_replace_reports_changes_and_withdraws(store: Store) -> None:
    rid = ingest(store, "announce", parsed(call(), call(identity="Q2 2024", month=7)))
    applied = store.record_parse(rid, parsed(call(passcode="000")), replace=True)
    assert {(c.change, c.sequence) for c in applied.changes} == {
        (Change.UPDATED, 1),
        (Change.WITHDRAWN, 0),
    }
    assert [e.uid for e in store.events(EventQuery())] == [UID]


# -- reading feeds ------------------------------------------------------------------------------


@pytest.fixture
def feed_store(store: Store) -> Store:
    ingest(store, "a", parsed(call(28)))
    ingest(store, "b", parsed(call(2, identity="Q4 2023", month=1)))  # 90 days before 2024-04-01
    ingest(store, "c", parsed(call(5, issuer=ZETA, kind=EventKind.INVESTOR_DAY, month=5)))
    ingest(store, "d", parsed(call(1, identity="Q3 2023", month=1)))  # outside the window
    return store


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (EventQuery(), ["acme-q4-2023", "acme-q1-2024", "zeta"]),
        (EventQuery(tickers=("acme",)), ["acme-q4-2023", "acme-q1-2024"]),
        (EventQuery(kinds=("investor_day",)), ["zeta"]),
        (EventQuery(start=date(2024, 4, 28)), ["acme-q1-2024", "zeta"]),
        (EventQuery(end=date(2024, 4, 28)), ["acme-q4-2023", "acme-q1-2024"]),
        (EventQuery(everything=True), ["acme-q3-2023", "acme-q4-2023", "acme-q1-2024", "zeta"]),
    ],
    ids=["window", "ticker", "kind", "from", "to-inclusive", "all"],
)
def test_feed_queries(feed_store: Store, query: EventQuery, expected: list[str]) -> None:
    short = {
        "acme-earnings-call-q1-2024@icalfeed": "acme-q1-2024",
        "acme-earnings-call-q4-2023@icalfeed": "acme-q4-2023",
        "acme-earnings-call-q3-2023@icalfeed": "acme-q3-2023",
        "zeta-investor-day-q1-2024@icalfeed": "zeta",
    }
    assert [short[e.uid] for e in feed_store.events(query)] == expected


def test_companies(feed_store: Store) -> None:
    assert [(c.ticker, c.name, c.events) for c in feed_store.companies()] == [
        ("ACME", "Acme Corp.", 3),
        ("ZETA", "Zeta plc", 1),
    ]


def test_vevent_bytes_are_cached_per_sequence(store: Store) -> None:
    ingest(store, "a", parsed(call(passcode="1"), published=date(2024, 4, 1)))
    calls: list[tuple[str, int]] = []

    def render(s: object) -> bytes:
        calls.append((s.uid, s.sequence))  # type: ignore[attr-defined]
        return f"VEVENT {len(calls)}".encode()

    first = store.vevents(EventQuery(), render)
    assert [v.ics for v in first] == [b"VEVENT 1"]
    assert store.vevents(EventQuery(), render)[0].ics == b"VEVENT 1"
    assert store.vevent(UID, render, "alarm=15").ics == b"VEVENT 2"  # another variant
    ingest(store, "b", parsed(call(passcode="2"), published=date(2024, 4, 2)))
    assert store.vevents(EventQuery(), render)[0].ics == b"VEVENT 3"
    assert calls == [(UID, 0), (UID, 0), (UID, 1)]


def test_feed_version_moves_with_changes_and_the_day(store: Store, clock: Clock) -> None:
    v0 = store.feed_version(EventQuery())
    assert store.feed_version(EventQuery()) == v0
    assert store.feed_version(EventQuery(tickers=("ACME",))).etag != v0.etag
    ingest(store, "a", parsed(call()))
    v1 = store.feed_version(EventQuery())
    assert v1.etag != v0.etag
    assert v1.last_modified == clock.now
    clock.advance(days=1)
    assert store.feed_version(EventQuery()).etag != v1.etag


# -- feed polling state -------------------------------------------------------------------------


def test_feed_state_and_seen_items(store: Store) -> None:
    url = "https://ir.example.com/rss"
    assert store.feed_state(url) is None
    store.save_feed_state(FeedState(url, etag='"abc"', last_modified="Mon", status=200))
    store.save_feed_state(FeedState(url, etag='"def"', last_modified="Tue", status=200))
    rid = store.add_release(b"item", content_type="text/html", source=Source.feed(url, "1")).id
    assert store.unseen_items(url, ["1", "2", "3"]) == ["1", "2", "3"]
    store.mark_item_seen(url, "1", rid)
    store.mark_item_seen(url, "1", rid)
    store.mark_item_seen(url, "3", None)
    assert store.unseen_items(url, ["1", "2", "3"]) == ["2"]
    state = store.feed_state(url)
    assert state is not None
    assert (state.etag, state.last_modified, state.items_seen) == ('"def"', "Tue", 2)


# -- the database itself ------------------------------------------------------------------------


def test_sqlite_runs_in_wal_mode(tmp_path: object) -> None:
    store = open_store(f"sqlite:///{tmp_path}/w.sqlite3")
    try:
        with store.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    finally:
        store.close()


def test_counts_cover_every_outcome_and_state(store: Store) -> None:
    ingest(store, "a", parsed(call()))
    counts = store.counts()
    assert counts["releases_parsed"] == 1
    assert counts["events_published"] == 1
    assert {f"releases_{o.value}" for o in Outcome} <= set(counts)
    assert {f"events_{s.value}" for s in EventState} <= set(counts)


def test_releases_are_listed_newest_first(store: Store) -> None:
    first = ingest(store, "a", parsed(call()))
    second = ingest(store, "b", parsed())
    assert [r.id for r in store.releases()] == [second, first]
    assert [r.id for r in store.releases(Outcome.NO_EVENTS)] == [second]
    assert [r.id for r in store.releases(limit=1)] == [second]


def test_the_window_default_uses_past_days(store_url: str) -> None:
    store = open_store(store_url, past_days=0)
    try:
        ingest(store, "a", parsed(call(28, month=3)))
        assert store.events(EventQuery()) == []
        assert len(store.events(EventQuery(start=date(2024, 4, 1) - timedelta(days=40)))) == 1
    finally:
        store.close()


def test_an_older_current_description_is_read_when_its_sequence_moves(store: Store) -> None:
    # A release published between two others changes the history's count while the current
    # description stays the latest one, which this batch did not prepare: it is read back.
    ingest(store, "jan", parsed(call(passcode="1"), published=date(2024, 1, 5)))
    ingest(store, "mar", parsed(call(passcode="2"), published=date(2024, 3, 5)))
    assert store.event(UID).sequence == 1
    ingest(store, "feb", parsed(call(passcode="3"), published=date(2024, 2, 5)))
    event = store.event(UID)
    assert (event.sequence, event.event.passcode) == (2, "2")


def test_a_republished_event_gets_fresh_vevent_bytes(store: Store, clock: Clock) -> None:
    # Rejected, then accepted again: the same SEQUENCE, but a new LAST-MODIFIED, so the bytes
    # cached before are stale.
    rid = ingest(store, "a", parsed(call()))
    render_calls: list[object] = []

    def render(s: object) -> bytes:
        render_calls.append(s)
        return f"VEVENT {s.last_modified:%d %H}".encode()  # type: ignore[attr-defined]

    assert store.vevent(UID, render).ics == b"VEVENT 01 12"
    store.reject(rid, UID)
    clock.advance(days=1)
    store.accept(rid, UID)
    assert store.event(UID).sequence == 0
    assert store.vevent(UID, render).ics == b"VEVENT 02 12"


def test_cached_vevents_are_kept_only_for_the_current_sequence(store: Store) -> None:
    ingest(store, "a", parsed(call(passcode="1"), published=date(2024, 4, 1)))
    ingest(store, "b", parsed(call(passcode="2"), published=date(2024, 4, 2)))
    store.cache_vevents("v", [(UID, 0, b"stale"), (UID, 1, b"current")])
    store.cache_vevents("v", [(UID, 1, b"again")])  # what is cached stays

    def never(s: object) -> bytes:
        raise AssertionError("rendered on request")

    assert store.vevent(UID, never, "v").ics == b"current"
    assert [(v.uid, v.sequence, v.ics) for v in store.vevents(EventQuery(), never, "v")] == [
        (UID, 1, b"current")
    ]
    with pytest.raises(AssertionError):
        store.vevent(UID, never, "other")


def test_unrendered_lists_published_events_without_bytes(store: Store) -> None:
    ingest(store, "a", parsed(call(identity="Q1 2024")))
    ingest(store, "b", parsed(call(identity="Q2 2024", confidence=0.1)))  # held
    q2 = "acme-earnings-call-q2-2024@icalfeed"
    [record] = store.unrendered([UID, q2, "nope@icalfeed"], "v")
    assert (record.uid, record.sequence) == (UID, 0)
    assert record.stored() == store.event(UID)
    store.cache_vevents("v", [(UID, 0, b"x")])
    assert store.unrendered([UID, q2], "v") == []
    assert [r.uid for r in store.unrendered([UID], "w")] == [UID]
