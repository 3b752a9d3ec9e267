"""The store's tables (SQLAlchemy Core). The migrations in ``migrations/versions`` create them;
a test checks that the migrated schema and this module agree.

::

    releases ──< descriptions >── events ──< vevents
       │                                        (uid, sequence, variant) -> bytes
       └──< feed_items >── feeds
    store_state: one row, the version counter that feed ETags are made from
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime stored as a naive one, the same way on SQLite and PostgreSQL."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime) or value.utcoffset() is None:
            raise ValueError(f"naive or non-datetime value {value!r} for a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC)


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

releases = Table(
    "releases",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("content_hash", String(64), nullable=False, unique=True),
    Column("raw", LargeBinary, nullable=False),
    Column("text", Text),  # NULL when the bytes could not be decoded
    Column("content_type", String(100), nullable=False),
    Column("size", Integer, nullable=False),
    Column("source_kind", String(16), nullable=False),
    Column("source", Text),  # file path or URL
    Column("feed_url", Text),
    Column("feed_item_id", Text),
    Column("message_id", Text),
    Column("received_at", UTCDateTime, nullable=False),
    Column("published", Date),  # given by the caller, else what the parser read
    Column("parser_version", String(40)),
    Column("outcome", String(16), nullable=False),
    Column("detail", Text),  # review reason or error
    Column("parsed_at", UTCDateTime),
    Column("parse_seconds", Float),
    Column("events", Integer, nullable=False),
    Column("held", Boolean, nullable=False),  # the whole release waits for review
)
Index(None, releases.c.outcome)

# One event as one release describes it. The event row is derived from these.
descriptions = Table(
    "descriptions",
    metadata,
    Column("release_id", Integer, ForeignKey("releases.id"), primary_key=True),
    Column("uid", String(255), primary_key=True),
    Column("data", Text, nullable=False),  # event_to_dict JSON
    Column("version_hash", String(64), nullable=False),  # hash of what the calendar shows
    Column("published", Date, nullable=False),  # the release's date: orders the history
    Column("status_rank", Integer, nullable=False),
    Column("confidence", Float, nullable=False),
    Column("review", String(10), nullable=False),
    Column("reason", Text),
)
Index(None, descriptions.c.uid)
Index(None, descriptions.c.review)

events = Table(
    "events",
    metadata,
    Column("uid", String(255), primary_key=True),
    Column("sequence", Integer, nullable=False),
    Column("state", String(10), nullable=False),
    Column("data", Text, nullable=False),  # the current description's event_to_dict JSON
    Column("version_hash", String(64), nullable=False),
    Column("release_id", Integer, ForeignKey("releases.id"), nullable=False),
    Column("ticker", String(32)),  # upper case
    Column("issuer_name", Text),
    Column("kind", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("title", Text, nullable=False),
    Column("all_day", Boolean, nullable=False),
    Column("tzid", String(64)),
    Column("start_utc", UTCDateTime),  # NULL for all-day events
    Column("start_date", Date, nullable=False),  # the local date
    Column("sort_at", UTCDateTime, nullable=False),  # UTC start, or the date's midnight UTC
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_modified", UTCDateTime, nullable=False),
    Column("cancelled_at", UTCDateTime),
)
Index(None, events.c.state, events.c.start_date)
Index(None, events.c.ticker)

vevents = Table(
    "vevents",
    metadata,
    Column("uid", String(255), ForeignKey("events.uid"), primary_key=True),
    Column("sequence", Integer, primary_key=True),
    Column("variant", String(64), primary_key=True),
    Column("ics", LargeBinary, nullable=False),
)

feeds = Table(
    "feeds",
    metadata,
    Column("url", Text, primary_key=True),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("checked_at", UTCDateTime),
    Column("status", Integer),
    Column("error", Text),
)

feed_items = Table(
    "feed_items",
    metadata,
    # sha256 of feed URL and item id: both can be long, and a key must stay small
    Column("key", String(64), primary_key=True),
    Column("feed_url", Text, nullable=False),
    Column("item_id", Text, nullable=False),
    Column("release_id", Integer, ForeignKey("releases.id")),
    Column("seen_at", UTCDateTime, nullable=False),
)
Index(None, feed_items.c.release_id)

store_state = Table(
    "store_state",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("version", Integer, nullable=False),
    Column("last_modified", UTCDateTime, nullable=False),
)

__all__ = [
    "descriptions",
    "events",
    "feed_items",
    "feeds",
    "metadata",
    "releases",
    "store_state",
    "vevents",
]
