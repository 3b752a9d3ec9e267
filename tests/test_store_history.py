"""The pure rules that turn an event's descriptions into the event and its SEQUENCE.

Each history is written as ``published-day:version[:status][:review]`` items; the expected
result is the release (by position) whose description is current and the number of changes.
"""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from icalfeed.store.history import (
    Description,
    Resolution,
    next_sequence,
    resolve,
    version_hash,
)
from icalfeed.store.records import Review

STATUS = {"confirmed": 0, "postponed": 1, "cancelled": 2}


def history(spec: str) -> list[Description]:
    out = []
    for i, item in enumerate(spec.split()):
        day, version, *rest = item.split(":")
        status = next((r for r in rest if r in STATUS), "confirmed")
        review = next((Review(r) for r in rest if r in {x.value for x in Review}), Review.AUTO)
        out.append(Description(i, date(2024, 4, int(day)), STATUS[status], version, review))
    return out


@pytest.mark.parametrize(
    ("spec", "current", "changes"),
    [
        ("1:a", 0, 0),
        ("1:a 5:b", 1, 1),
        ("1:a 5:a", 0, 0),  # a reminder repeats the details: the first stays current
        ("1:a 5:b 9:a", 2, 2),  # changed back: still two changes
        ("1:a 1:b:cancelled", 1, 1),  # same day: the cancellation is the later news
        ("1:a 5:b:held", 0, 0),  # held descriptions do not count
        ("1:a 5:b:accepted", 1, 1),
        ("1:a 5:b:rejected", 0, 0),
        ("1:a 5:b 9:c:postponed 12:d:cancelled", 3, 3),
    ],
    ids=[
        "one",
        "update",
        "reminder",
        "changed-back",
        "same-day-cancel",
        "held-ignored",
        "accepted-counts",
        "rejected-ignored",
        "update-postpone-cancel",
    ],
)
def test_resolve(spec: str, current: int, changes: int) -> None:
    descs = history(spec)
    for order in itertools.permutations(descs):
        r = resolve(order)
        assert r is not None
        assert (r.current.release_id, r.changes) == (current, changes)


def test_nothing_counted_resolves_to_none() -> None:
    assert resolve(history("1:a:held 2:b:rejected")) is None


def _res(changes: int, version: str = "v") -> Resolution:
    return Resolution(Description(0, date(2024, 4, 1), 0, version, Review.AUTO), changes)


@pytest.mark.parametrize(
    ("old_sequence", "old_hash", "was_published", "new", "expected"),
    [
        (None, None, False, _res(0), 0),
        (None, None, False, _res(2), 2),
        (0, "v", True, _res(0), 0),
        (0, "u", True, _res(1), 1),
        (3, "u", True, _res(1), 4),  # a reparse shortened the history: still goes up
        (3, "v", True, _res(1), 3),  # same version: never down
        (0, "u", False, _res(0), 0),  # held before: subscribers never saw it
    ],
    ids=["new", "new-with-history", "same", "change", "shortened", "never-down", "was-held"],
)
def test_next_sequence(
    old_sequence: int | None,
    old_hash: str | None,
    was_published: bool,
    new: Resolution,
    expected: int,
) -> None:
    assert (
        next_sequence(
            old_sequence=old_sequence, old_hash=old_hash, was_published=was_published, new=new
        )
        == expected
    )


@pytest.mark.parametrize(
    "field",
    ["headline", "published", "confidence", "evidence", "evidence_span", "flags", "warnings"],
)
def test_release_details_are_not_part_of_the_version(field: str) -> None:
    base = {"title": "Acme call", "start": "2024-04-25T16:30:00-04:00", field: "x"}
    assert version_hash(base) == version_hash({**base, field: "y"})


@pytest.mark.parametrize("field", ["title", "start", "passcode", "status", "dial_in"])
def test_what_a_calendar_shows_is_part_of_the_version(field: str) -> None:
    base = {"title": "Acme call", "start": "2024-04-25T16:30:00-04:00", field: "x"}
    assert version_hash(base) != version_hash({**base, field: "y"})
