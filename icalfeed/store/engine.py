"""Engines for the two databases the store runs on, and the one place database errors are mapped.

SQLite: the driver's own transaction handling is switched off and the store emits ``BEGIN``
itself — ``BEGIN IMMEDIATE`` for writers, so two writers queue on the busy timeout instead of
failing half-way when a read lock cannot be upgraded. WAL lets readers run beside the writer.
PostgreSQL: psycopg 3, ``pool_pre_ping`` so a restarted server costs one failed check, not a
failed request.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    InterfaceError,
    NoSuchModuleError,
    OperationalError,
    SQLAlchemyError,
)

from icalfeed.errors import StoreError, StoreUnavailableError

SQLITE_BUSY_TIMEOUT_MS = 30_000
WRITE = "icalfeed_write"  # execution option: this transaction writes


def is_sqlite(engine: Engine | Connection) -> bool:
    return engine.dialect.name == "sqlite"


def describe_url(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(invalid URL)"


def make_engine(url: str) -> Engine:
    """An Engine for a SQLite or PostgreSQL URL (``postgresql://`` means psycopg 3)."""
    try:
        parsed = make_url(url)
    except ArgumentError as e:
        raise StoreError(f"not a database URL: {url!r}") from e
    backend = parsed.get_backend_name()
    if backend == "postgresql" and parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        return _sqlite_engine(parsed.render_as_string(hide_password=False), parsed.database)
    if backend != "postgresql":
        raise StoreError(f"unsupported database {backend!r}: use sqlite:/// or postgresql://")
    try:
        return create_engine(parsed, pool_pre_ping=True, pool_size=5, max_overflow=10)
    except (ArgumentError, NoSuchModuleError) as e:
        raise StoreError(f"cannot use {describe_url(url)}: {e}") from e


def _sqlite_engine(url: str, database: str | None) -> Engine:
    if not database or database == ":memory:" or database.startswith("file:"):
        raise StoreError("the store needs a SQLite file (sqlite:///path/to/file.sqlite3)")
    Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (see _on_begin)
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        _use_wal(cursor)
        cursor.execute("PRAGMA synchronous = NORMAL")  # durable at checkpoints; safe in WAL mode
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        write = conn.get_execution_options().get(WRITE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def _use_wal(cursor: Any) -> None:
    """Put the database in WAL mode (it stays so; later connections find it already is).

    Connections opening a new database at the same moment (web workers and a poller starting
    together) race to switch it, and SQLite answers the losers "database is locked" at once,
    without waiting out the busy timeout: they try again, up to that timeout.
    """
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    pause = 0.005
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.1)


def _is_retryable(e: DBAPIError) -> bool:
    """A PostgreSQL deadlock or serialization failure: the whole transaction may be retried."""
    code = getattr(e.orig, "sqlstate", None)
    return code in {"40001", "40P01"}


@contextlib.contextmanager
def mapped_errors(url: str) -> Iterator[None]:
    """Turn SQLAlchemy errors into the store's: unreachable or locked -> StoreUnavailableError."""
    try:
        yield
    except (OperationalError, InterfaceError) as e:
        if isinstance(e, DBAPIError) and _is_retryable(e):
            raise
        reason = str(e.orig).strip().splitlines()[0] if e.orig else str(e)
        raise StoreUnavailableError(f"database {describe_url(url)} unavailable: {reason}") from e
    except DBAPIError as e:
        if _is_retryable(e):
            raise
        reason = str(e.orig).strip().splitlines()[0] if e.orig else str(e)
        raise StoreError(f"database error: {reason}") from e
    except SQLAlchemyError as e:
        raise StoreError(f"database error: {e}") from e


__all__ = ["WRITE", "describe_url", "is_sqlite", "make_engine", "mapped_errors"]
