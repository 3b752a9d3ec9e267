"""Schema migrations with Alembic: the revision this code needs, checking it, upgrading to it.

The migration scripts ship inside the package (``icalfeed/store/migrations``); no alembic.ini is
needed. :data:`SCHEMA_REVISION` is the head revision; a test keeps the two in step, so checking a
database on open is one small query and never has to read the scripts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, inspect, text

from icalfeed.errors import SchemaVersionError
from icalfeed.store.engine import WRITE, describe_url, mapped_errors

SCHEMA_REVISION = "0001"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
UPGRADE_COMMAND = "icalfeed db upgrade"
MIGRATION_LOCK = 0x1CA1FEED  # advisory lock key held while migrating a PostgreSQL database


def _alembic_config(connection: Connection) -> Any:
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def known_revisions() -> list[str]:
    """Every revision the shipped scripts know, oldest first."""
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(cfg)
    return [s.revision for s in reversed(list(script.walk_revisions()))]


def current_revision(connection: Connection) -> str | None:
    """The database's schema revision, None for a database without icalfeed's tables."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    row = connection.execute(text("SELECT version_num FROM alembic_version")).first()
    return None if row is None else str(row[0])


def is_empty(connection: Connection) -> bool:
    """No tables at all: a database icalfeed may create its schema in."""
    return not inspect(connection).get_table_names()


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str | None]:
    """Migrate the database to ``revision``; returns (revision before, revision after)."""
    from alembic import command

    url = engine.url.render_as_string(hide_password=False)
    with mapped_errors(url), engine.connect() as plain:
        conn = plain.execution_options(**{WRITE: True})
        before = current_revision(conn)
        conn.commit()
        # one transaction for every step: DDL is transactional on SQLite and PostgreSQL alike.
        # Two processes upgrading at once (web workers and a poller starting together) queue:
        # SQLite on BEGIN IMMEDIATE, PostgreSQL on an advisory lock; the second finds the
        # schema at head and does nothing.
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK})
            command.upgrade(_alembic_config(conn), revision)
        after = current_revision(conn)
        conn.commit()
    return before, after


def check(engine: Engine) -> None:
    """Raise SchemaVersionError unless the database is at :data:`SCHEMA_REVISION`."""
    url = engine.url.render_as_string(hide_password=False)
    with mapped_errors(url), engine.connect() as conn:
        found = current_revision(conn)
        empty = found is None and is_empty(conn)
        conn.rollback()
    if found == SCHEMA_REVISION:
        return
    where = describe_url(url)
    if found is None:
        what = "is empty" if empty else "has tables but no icalfeed schema revision"
        raise SchemaVersionError(
            f"database {where} {what}: run `{UPGRADE_COMMAND}` to create the schema"
        )
    if found in known_revisions():
        raise SchemaVersionError(
            f"database {where} has schema revision {found}, this icalfeed needs "
            f"{SCHEMA_REVISION}: run `{UPGRADE_COMMAND}`"
        )
    raise SchemaVersionError(
        f"database {where} has schema revision {found}, unknown to this icalfeed (it needs "
        f"{SCHEMA_REVISION}): it was written by a newer icalfeed; upgrade icalfeed"
    )


__all__ = ["SCHEMA_REVISION", "check", "current_revision", "is_empty", "known_revisions", "upgrade"]
