"""How calendars are rendered: one frozen value class with named defaults.

The core never reads settings or the environment; the edges build a :class:`CalendarOptions`
from their :class:`~icalfeed.config.Config` with :func:`options_from_config` and pass it in.

>>> options = CalendarOptions(name="Investor events — IMGN", durations={"earnings_call": 45})
>>> options.duration_for(EventKind.EARNINGS_CALL), options.duration_for("investor_day")
(datetime.timedelta(seconds=2700), datetime.timedelta(seconds=14400))
>>> options.refresh_interval
datetime.timedelta(seconds=14400)
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from icalfeed.errors import CalendarError
from icalfeed.model import EventKind

if TYPE_CHECKING:
    from icalfeed.config import Config

DEFAULT_NAME = "Investor events"
DEFAULT_REFRESH_MINUTES = 240
# Minutes an event lasts when its release gives no end: the same table as ICALFEED_DURATIONS.
DEFAULT_DURATIONS: Mapping[str, int] = MappingProxyType(
    {
        EventKind.EARNINGS_CALL.value: 60,
        EventKind.CONFERENCE_PRESENTATION.value: 30,
        EventKind.INVESTOR_DAY.value: 240,
        EventKind.SHAREHOLDER_MEETING.value: 120,
        EventKind.WEBCAST.value: 60,
        EventKind.OTHER.value: 60,
    }
)
PRODUCT_ID = "-//icalfeed//icalfeed//EN"
# RFC 7986 asks clients to refetch no more often than this; ics-check's feed/refresh agrees.
MIN_REFRESH_MINUTES = 15
MAX_ALARM_MINUTES = 7 * 24 * 60


def check_alarm_minutes(minutes: int | None) -> int | None:
    """Return ``minutes`` if it is a usable reminder lead time, else raise CalendarError."""
    if minutes is None:
        return None
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise CalendarError(f"alarm minutes must be a whole number, not {minutes!r}")
    if not 0 <= minutes <= MAX_ALARM_MINUTES:
        raise CalendarError(f"alarm minutes must be between 0 and {MAX_ALARM_MINUTES}: {minutes}")
    return minutes


@dataclass(frozen=True, slots=True)
class CalendarOptions:
    """Everything that shapes a rendered calendar besides the events themselves.

    ``durations`` maps an :class:`EventKind` (or its value) to minutes and is merged over
    :data:`DEFAULT_DURATIONS`, so naming one kind keeps the others' defaults. ``description``
    defaults to a sentence built from ``name``. ``alarm_minutes`` adds a reminder that many
    minutes before every timed event; a feed URL's ``alarm=`` overrides it per request.
    """

    name: str = DEFAULT_NAME
    description: str | None = None
    refresh_minutes: int = DEFAULT_REFRESH_MINUTES
    durations: Mapping[str, int] = field(default_factory=lambda: DEFAULT_DURATIONS)
    transparent: bool = True
    alarm_minutes: int | None = None
    product_id: str = PRODUCT_ID
    # Derived once in __post_init__: feeds of 10,000 events look them up per event.
    _vevent_key: tuple[Any, ...] = field(init=False, repr=False, compare=False, default=())
    _fingerprint: str = field(init=False, repr=False, compare=False, default="")

    def __post_init__(self) -> None:
        merged = dict(DEFAULT_DURATIONS)
        for kind, minutes in self.durations.items():
            try:
                key = EventKind(kind).value
            except ValueError:
                raise CalendarError(f"no event kind {kind!r} for a default duration") from None
            if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes <= 0:
                raise CalendarError(f"default duration for {key} must be minutes > 0: {minutes!r}")
            merged[key] = minutes
        object.__setattr__(self, "durations", MappingProxyType(merged))
        if not self.name.strip():
            raise CalendarError("a calendar needs a name")
        if self.refresh_minutes < MIN_REFRESH_MINUTES:
            raise CalendarError(
                f"refresh interval must be at least {MIN_REFRESH_MINUTES} minutes: "
                f"{self.refresh_minutes}"
            )
        check_alarm_minutes(self.alarm_minutes)
        if not self.product_id.strip():
            raise CalendarError("a calendar needs a product id")
        vevent_key = (tuple(sorted(merged.items())), self.transparent)
        object.__setattr__(self, "_vevent_key", vevent_key)
        digest = hashlib.sha256(repr(vevent_key).encode()).hexdigest()[:16]
        object.__setattr__(self, "_fingerprint", digest)

    def __hash__(self) -> int:
        return hash((self.calendar_key, self.vevent_key))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CalendarOptions):
            return NotImplemented
        return (self.calendar_key, self.vevent_key) == (other.calendar_key, other.vevent_key)

    def duration_for(self, kind: EventKind | str) -> timedelta:
        """The default length of an event of this kind."""
        return timedelta(minutes=self.durations[EventKind(kind).value])

    @property
    def refresh_interval(self) -> timedelta:
        return timedelta(minutes=self.refresh_minutes)

    @property
    def calendar_description(self) -> str:
        if self.description:
            return self.description
        return f"{self.name}: earnings calls, conference presentations and other investor events."

    @property
    def vevent_key(self) -> tuple[Any, ...]:
        """The options a VEVENT's bytes depend on (part of the render cache's key)."""
        return self._vevent_key

    @property
    def calendar_key(self) -> tuple[Any, ...]:
        return (
            self.name,
            self.description,
            self.refresh_minutes,
            self.alarm_minutes,
            self.product_id,
        )

    @property
    def fingerprint(self) -> str:
        """A short stable digest of :attr:`vevent_key`, for a store to tell stale VEVENT bytes."""
        return self._fingerprint

    def replace(self, **changes: Any) -> CalendarOptions:
        """A copy with some options changed (e.g. a company feed's name)."""
        return dataclasses.replace(self, **changes)


def options_from_config(config: Config, **overrides: Any) -> CalendarOptions:
    """The options the settings table describes (for the edges: CLI, store, web)."""
    values: dict[str, Any] = {
        "name": config.calendar_name,
        "refresh_minutes": config.refresh_minutes,
        "durations": config.durations,
        "transparent": config.transparent,
    }
    values.update(overrides)
    return CalendarOptions(**values)


__all__ = [
    "DEFAULT_DURATIONS",
    "DEFAULT_NAME",
    "DEFAULT_REFRESH_MINUTES",
    "PRODUCT_ID",
    "CalendarOptions",
    "check_alarm_minutes",
    "options_from_config",
]
