"""Golden calendars of the two seeds, byte for byte.

``tests/data/ics/NAME.events.json`` holds the seed's events as a person reviewed them (the
parser's output, corrected by hand where a reader disagrees: seed 000 has no headline, so its
events name none, where the parser takes the opening sentence). ``NAME.ics`` is what the
renderer made of them with the
default options, read through once by eye. DTSTAMP comes from each event's publication date, so
nothing in the bytes depends on the clock. When the renderer's output changes on purpose, read
the diff, then write the new file by hand or with ``render_calendar`` — and say so in the commit.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import replace
from pathlib import Path

import pytest

from icalfeed.calendar import CalendarOptions, render_calendar
from icalfeed.extract import parse_release
from icalfeed.model import Event
from icalfeed.serialize import event_from_dict
from tests.conftest import DATA, SEEDS, needs_ics_check
from tests.test_calendar_helpers import check_calendars

GOLDEN = DATA / "ics"
NAMES = sorted(p.name.removesuffix(".events.json") for p in GOLDEN.glob("*.events.json"))


def reviewed_events(name: str) -> list[Event]:
    items = json.loads((GOLDEN / f"{name}.events.json").read_text(encoding="utf-8"))
    return [event_from_dict(item) for item in items]


def assert_same_bytes(got: bytes, name: str) -> None:
    want = (GOLDEN / f"{name}.ics").read_bytes()
    if got != want:
        diff = difflib.unified_diff(
            want.decode().splitlines(), got.decode().splitlines(), "golden", "rendered", lineterm=""
        )
        pytest.fail(f"{name}.ics differs from the golden file:\n" + "\n".join(diff))


def test_both_seeds_have_golden_files() -> None:
    assert sorted(p.stem for p in SEEDS.glob("*.txt")) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_golden_calendar(name: str) -> None:
    assert_same_bytes(render_calendar(reviewed_events(name), CalendarOptions()), name)


# What the parser reads from the seeds renders to the golden bytes, once the fields where the
# reviewed events differ on purpose are set as reviewed.
@pytest.mark.parametrize(
    ("name", "reviewed"),
    [("000_d9e6328ec789a2c8", {"headline": None}), ("004_15b4eaf92a1e93e4", {})],
)
def test_parser_output_renders_to_golden(name: str, reviewed: dict[str, object]) -> None:
    events = parse_release((SEEDS / f"{name}.txt").read_text(encoding="utf-8")).events
    events = tuple(replace(e, **reviewed) for e in events)  # type: ignore[arg-type]
    assert_same_bytes(render_calendar(events, CalendarOptions()), name)


@needs_ics_check
def test_golden_files_pass_ics_check(tmp_path: Path) -> None:
    check_calendars(tmp_path, {n: (GOLDEN / f"{n}.ics").read_bytes() for n in NAMES})
