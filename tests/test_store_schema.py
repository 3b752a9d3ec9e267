"""The schema: migrations agree with tables.py, and opening a database checks its revision."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from icalfeed.errors import SchemaVersionError
from icalfeed.store import Store, migrate
from icalfeed.store.engine import make_engine
from icalfeed.store.tables import metadata
from tests.store_helpers import config, open_store


def test_schema_revision_is_the_head_of_the_migrations() -> None:
    assert migrate.known_revisions()[-1] == migrate.SCHEMA_REVISION


def test_migrated_schema_matches_the_tables(store_url: str) -> None:
    engine = make_engine(store_url)
    try:
        migrate.upgrade(engine)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), metadata)
        assert diff == []
    finally:
        engine.dispose()


def test_an_empty_database_names_the_upgrade_command(store_url: str) -> None:
    with pytest.raises(SchemaVersionError, match="is empty: run `icalfeed db upgrade`"):
        Store.open(config(), store_url)


def test_upgrade_then_open(store_url: str) -> None:
    engine = make_engine(store_url)
    try:
        assert migrate.upgrade(engine) == (None, migrate.SCHEMA_REVISION)
        assert migrate.upgrade(engine) == (migrate.SCHEMA_REVISION, migrate.SCHEMA_REVISION)
    finally:
        engine.dispose()
    Store.open(config(), store_url).close()


@pytest.mark.parametrize(
    ("revision", "message"),
    [
        ("0000", "unknown to this icalfeed"),
        ("9999", "unknown to this icalfeed"),
    ],
    ids=["unknown-old", "newer"],
)
def test_a_foreign_revision_is_refused(store_url: str, revision: str, message: str) -> None:
    open_store(store_url).close()
    engine = make_engine(store_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": revision})
    finally:
        engine.dispose()
    with pytest.raises(SchemaVersionError, match=message):
        Store.open(config(), store_url)


def test_create_never_touches_a_foreign_database(store_url: str) -> None:
    engine = make_engine(store_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE something_else (x INTEGER)"))
    finally:
        engine.dispose()
    with pytest.raises(SchemaVersionError, match="has tables but no icalfeed schema revision"):
        Store.open(config(), store_url, create=True)


def test_password_is_not_in_messages() -> None:
    from icalfeed.store.engine import describe_url

    assert "secret" not in describe_url("postgresql://u:secret@h/db")


def test_processes_creating_the_schema_at_once_all_succeed(store_url: str) -> None:
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def opener() -> None:
        try:
            barrier.wait()
            open_store(store_url).close()
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=opener) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    Store.open(config(), store_url).close()


def test_connections_opening_a_new_sqlite_file_at_once_all_succeed(tmp_path: Path) -> None:
    """Four openers of one new SQLite file at a time, thirty times: the switch to WAL races,
    and SQLite tells the losers "database is locked" without waiting (before the retry, about
    one open in fifty failed so)."""
    errors: list[BaseException] = []

    def opener(url: str, barrier: threading.Barrier) -> None:
        try:
            barrier.wait()
            open_store(url).close()
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    for i in range(30):
        url = f"sqlite:///{tmp_path / f'race-{i}.sqlite3'}"
        barrier = threading.Barrier(4)
        threads = [threading.Thread(target=opener, args=(url, barrier)) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
