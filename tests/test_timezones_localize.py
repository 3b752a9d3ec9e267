"""``timezones.localize`` and ``same_clock`` read pytz's transition table directly when no
transition lies within a day: the results must be exactly pytz's own, for every zone the parser
can name, on the days around each of their transitions and on ordinary days."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import pytz

from icalfeed import timezones
from icalfeed.model import Flag

RELEASES = Path(__file__).parent / "data" / "releases"
ZONES = sorted(set(timezones._ZONES.values()) | set(timezones._PLACES.values()) | {"UTC"})


def _pytz(wall: datetime, tzid: str) -> tuple[datetime, frozenset[Flag]]:
    tz = pytz.timezone(tzid)
    try:
        return tz.localize(wall, is_dst=None), frozenset()
    except pytz.NonExistentTimeError:
        return tz.normalize(tz.localize(wall, is_dst=False)), frozenset({Flag.TIME_NONEXISTENT})
    except pytz.AmbiguousTimeError:
        return tz.localize(wall, is_dst=True), frozenset({Flag.TIME_AMBIGUOUS})


def _walls(tzid: str) -> list[datetime]:
    """Every half hour of the two days around each transition of 2019-2026, and noon on the
    first of each month of 2009-2031."""
    tz = pytz.timezone(tzid)
    walls = [datetime(y, m, 1, 12) for y in range(2009, 2032) for m in range(1, 13)]
    for utc in getattr(tz, "_utc_transition_times", []):
        if 2019 <= utc.year <= 2026:
            start = utc.replace(minute=0, second=0) - timedelta(days=1)
            walls += [start + timedelta(minutes=30 * k) for k in range(4 * 24 + 1)]
    return walls


@pytest.mark.parametrize("tzid", ZONES)
def test_localize_is_pytz_localize(tzid: str) -> None:
    for wall in _walls(tzid):
        aware, flags, warning = timezones.localize(wall, tzid)
        expected, expected_flags = _pytz(wall, tzid)
        assert aware == expected, wall
        assert aware.tzinfo is expected.tzinfo, wall  # the same offset, name and dst
        assert flags == expected_flags, wall
        assert (warning is None) == (not expected_flags), wall


def test_the_fast_path_is_taken_away_from_transitions_and_not_near_them() -> None:
    tz = pytz.timezone("America/New_York")
    assert timezones._unique(tz, datetime(2011, 4, 28, 16, 30)) is not None
    assert timezones._unique(tz, datetime(2011, 3, 13, 12)) is None  # spring-forward day
    assert timezones._unique(tz, datetime(2011, 3, 12, 12)) is None  # within a day of it
    assert timezones._unique(pytz.utc, datetime(2011, 3, 13, 12)) is None  # no table: pytz's


@pytest.mark.parametrize(
    ("a", "b", "on", "same"),
    [
        ("Europe/Stockholm", "Europe/Paris", date(2024, 7, 1), True),
        ("Europe/London", "Europe/Paris", date(2024, 7, 1), False),
        ("America/New_York", "America/Toronto", date(2024, 3, 10), True),  # transition day
        ("America/New_York", "Europe/London", date(2024, 3, 20), False),
        ("Asia/Kolkata", "UTC", date(2024, 1, 1), False),
    ],
)
def test_same_clock(a: str, b: str, on: date, same: bool) -> None:
    assert timezones.same_clock(a, b, on) is same


def _place_zone_every_run(place: str) -> str | None:
    """place_zone without its first-word filter: every sub-run looked up."""
    for m in timezones._CAPITALISED_RUN.finditer(place):
        words = m.group(0).split(" ")
        for i in range(len(words)):
            for j in range(min(len(words), i + timezones._PLACE_MAX_WORDS), i, -1):
                name = " ".join(words[i:j]).lower()
                zone = timezones._PLACES.get(name) or timezones._PLACES.get(name.rstrip(".,"))
                if zone:
                    return zone
    return None


def test_place_zone_skips_only_runs_no_place_starts_with() -> None:
    places = [p.title() for p in timezones._PLACES] + [p.upper() for p in timezones._PLACES]
    texts = [f"held at The {p}, Marriott Hotel Ballroom" for p in places]
    texts += [f"{p}. Mr. Smith" for p in places] + [f"{p}, " for p in places]
    for path in sorted(RELEASES.glob("*.txt")):  # our own releases: on any machine
        texts += path.read_text(encoding="utf-8", errors="replace").splitlines()
    assert sum(timezones.place_zone(t) is not None for t in texts) > len(places)
    for text in texts:
        assert timezones.place_zone(text) == _place_zone_every_run(text), text
