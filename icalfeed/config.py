"""Settings: one table drives parsing, validation, ``icalfeed settings`` and the README.

Every setting is an ``ICALFEED_*`` environment variable. :data:`SETTINGS` lists them with their
default and help; :class:`Config` holds the parsed values (one field per setting, named after it
in lower case). Only the edges (CLI, web app, store) build a Config; the parsing core takes its
inputs as arguments.

>>> Config.from_env({"ICALFEED_PAST_DAYS": "30"}).past_days
30
>>> Config.from_env({"ICALFEED_PAST_DAYS": "soon"})
Traceback (most recent call last):
...
icalfeed.errors.ConfigError: ICALFEED_PAST_DAYS='soon': expected a whole number
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from icalfeed.errors import ConfigError

PREFIX = "ICALFEED_"


def _int(value: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise ValueError("expected a whole number") from None


def _non_negative_int(value: str) -> int:
    n = _int(value)
    if n < 0:
        raise ValueError("expected a number >= 0")
    return n


def _positive_int(value: str) -> int:
    n = _int(value)
    if n <= 0:
        raise ValueError("expected a number > 0")
    return n


def _float01(value: str) -> float:
    try:
        x = float(value)
    except ValueError:
        raise ValueError("expected a number between 0 and 1") from None
    if not 0.0 <= x <= 1.0:
        raise ValueError("expected a number between 0 and 1")
    return x


def _positive_float(value: str) -> float:
    try:
        x = float(value)
    except ValueError:
        raise ValueError("expected a number of seconds") from None
    if x <= 0:
        raise ValueError("expected a number > 0")
    return x


def _bool(value: str) -> bool:
    v = value.strip().lower()
    if v in {"1", "true", "yes", "on"}:
        return True
    if v in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError("expected 1/0, true/false, yes/no or on/off")


def _log_level(value: str) -> str:
    level = value.strip().lower()
    if level not in ("debug", "info", "warning", "error", "critical"):
        raise ValueError("one of debug, info, warning, error, critical")
    return level


def _str(value: str) -> str:
    return value.strip()


def _list(value: str) -> tuple[str, ...]:
    return tuple(x for x in re.split(r"[\s,]+", value.strip()) if x)


_DURATION_RE = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$")


def parse_duration(value: str) -> int:
    """``"15m"`` -> 900: a number of seconds, minutes, hours or days (bare numbers are seconds)."""
    m = _DURATION_RE.match(value)
    if not m:
        raise ValueError("expected a duration such as 90s, 15m, 4h or 1d")
    n, unit = int(m.group(1)), m.group(2) or "s"
    seconds = n * {"s": 1, "m": 60, "h": 3600, "d": 86400}[unit]
    if seconds <= 0:
        raise ValueError("expected a duration > 0")
    return seconds


KINDS = (
    "earnings_call",
    "conference_presentation",
    "investor_day",
    "shareholder_meeting",
    "webcast",
    "other",
)


def _durations(value: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for part in _list(value):
        kind, sep, minutes = part.partition("=")
        if not sep or kind not in KINDS:
            raise ValueError(f"expected kind=minutes pairs with kinds from {', '.join(KINDS)}")
        out[kind] = _positive_int(minutes)
    return out


@dataclass(frozen=True)
class Setting:
    """One row of the settings table."""

    name: str
    default: str
    parse: Callable[[str], Any]
    help: str

    @property
    def env(self) -> str:
        return PREFIX + self.name


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "INSTANCE_PATH",
        "instance",
        _str,
        "Folder for the default SQLite database and other local state.",
    ),
    Setting(
        "DATABASE_URL",
        "",
        _str,
        "SQLAlchemy URL of the store, e.g. postgresql+psycopg://user@host/db. "
        "Empty: a SQLite file icalfeed.sqlite3 in ICALFEED_INSTANCE_PATH.",
    ),
    Setting("PAST_DAYS", "90", _non_negative_int, "Days of past events that feeds keep."),
    Setting(
        "CANCELLED_KEEP_DAYS",
        "30",
        _non_negative_int,
        "Days a cancelled event stays in feeds (as STATUS:CANCELLED) so subscribers drop it.",
    ),
    Setting(
        "CONFIDENCE_THRESHOLD",
        "0.5",
        _float01,
        "Events the parser is less sure of than this are held for review, not published.",
    ),
    Setting(
        "PARSE_BUDGET_SECONDS",
        "1.0",
        _positive_float,
        "Time budget for parsing one release; a release over it is held for review.",
    ),
    Setting("CALENDAR_NAME", "Investor events", _str, "Name calendar apps show for the feed."),
    Setting(
        "REFRESH_MINUTES",
        "240",
        _positive_int,
        "How often calendar apps should refetch a feed (REFRESH-INTERVAL, X-PUBLISHED-TTL).",
    ),
    Setting(
        "DURATIONS",
        "earnings_call=60,conference_presentation=30,investor_day=240,"
        "shareholder_meeting=120,webcast=60,other=60",
        _durations,
        "Default length in minutes per kind, used when the release gives no end time.",
    ),
    Setting(
        "TRANSPARENT",
        "1",
        _bool,
        "Publish events as TRANSP:TRANSPARENT so they do not mark subscribers busy.",
    ),
    Setting(
        "PUBLIC_URL",
        "",
        _str,
        "Base URL of the site as subscribers reach it (for webcal:// links); "
        "empty: taken from each request.",
    ),
    Setting(
        "ADMIN_TOKEN",
        "",
        _str,
        "Bearer token for writing (ingest, review, paste page). Empty: writing is disabled.",
    ),
    Setting(
        "PRIVATE",
        "0",
        _bool,
        "Require ICALFEED_READ_TOKEN for feeds and the read API (also as ?token= in feed URLs).",
    ),
    Setting("READ_TOKEN", "", _str, "Token for reading when ICALFEED_PRIVATE is on."),
    Setting(
        "SECRET_KEY",
        "",
        _str,
        "Key that signs CSRF tokens. Empty: a random key kept in the instance folder.",
    ),
    Setting(
        "MAX_RELEASE_BYTES",
        "5000000",
        _positive_int,
        "Largest release accepted from an upload, a URL or a feed item.",
    ),
    Setting(
        "ALLOW_PRIVATE_URLS",
        "0",
        _bool,
        "Allow fetching URLs on loopback, private and link-local addresses.",
    ),
    Setting("FETCH_TIMEOUT", "10", _positive_float, "Seconds allowed for one HTTP fetch."),
    Setting("FEEDS", "", _list, "RSS/Atom feed URLs that `icalfeed poll` reads, space-separated."),
    Setting("POLL_EVERY", "15m", parse_duration, "Interval of `icalfeed poll --every` by default."),
    Setting(
        "WORKERS",
        "0",
        _non_negative_int,
        "Parser processes for bulk ingestion; 0 means one per CPU.",
    ),
    Setting(
        "WEB_THREADS",
        "4",
        _positive_int,
        "Threads per web worker for the requests Flask answers (the Procfile runs 2 workers).",
    ),
    Setting(
        "ACCESS_LOG",
        "-",
        _str,
        "Where gunicorn writes its access log: - for stdout, empty for none, or a file path.",
    ),
    Setting(
        "LOG_LEVEL",
        "info",
        _log_level,
        "Log level of the web server and the commands: debug, info, warning or error.",
    ),
)


@dataclass(frozen=True)
class Config:
    """Parsed settings; build one with :meth:`from_env`."""

    instance_path: str
    database_url: str
    past_days: int
    cancelled_keep_days: int
    confidence_threshold: float
    parse_budget_seconds: float
    calendar_name: str
    refresh_minutes: int
    durations: dict[str, int]
    transparent: bool
    public_url: str
    admin_token: str
    private: bool
    read_token: str
    secret_key: str
    max_release_bytes: int
    allow_private_urls: bool
    fetch_timeout: float
    feeds: tuple[str, ...]
    poll_every: int
    workers: int
    web_threads: int
    access_log: str
    log_level: str

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Config:
        """Read every setting from ``environ`` (default: the process environment).

        ``overrides`` take already-parsed values by field name (for tests and CLI flags).
        """
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for s in SETTINGS:
            key = s.name.lower()
            if key in overrides:
                values[key] = overrides.pop(key)
                continue
            raw = env.get(s.env, s.default)
            try:
                values[key] = s.parse(raw)
            except ValueError as e:
                raise ConfigError(f"{s.env}={raw!r}: {e}") from None
        if overrides:
            raise ConfigError(f"unknown settings: {', '.join(sorted(overrides))}")
        if key_durations := values.get("durations"):
            defaults = _durations(next(s.default for s in SETTINGS if s.name == "DURATIONS"))
            values["durations"] = {**defaults, **key_durations}
        return cls(**values)

    @property
    def resolved_database_url(self) -> str:
        """The store's URL: ICALFEED_DATABASE_URL, else the SQLite file in the instance folder."""
        if self.database_url:
            return self.database_url
        path = Path(self.instance_path).resolve() / "icalfeed.sqlite3"
        return f"sqlite:///{path}"


def _check_table() -> None:
    names = {f.name for f in fields(Config)}
    rows = {s.name.lower() for s in SETTINGS}
    if names != rows:  # pragma: no cover - a programming error caught at import
        raise RuntimeError(f"settings table and Config disagree: {sorted(names ^ rows)}")


_check_table()
