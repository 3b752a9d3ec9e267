"""A real PostgreSQL 15 server for the tests: started once per session on loopback, in a
temporary folder, with a fresh database per test.

``initdb`` refuses to run as root, so under root the server runs as the ``postgres`` user (the
folder is handed to it). Without the binaries the fixtures skip with the reason.

Fixtures: ``postgres_server`` (session: a :class:`PostgresServer`), ``postgres_url`` (a new
empty database for one test, dropped afterwards).
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PG_BIN = Path(os.environ.get("ICALFEED_PG_BIN", "/usr/lib/postgresql/15/bin"))
PG_USER = "postgres"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PostgresServer:
    """A running server: ``url(dbname)`` gives a psycopg 3 SQLAlchemy URL for one database."""

    port: int
    user: str
    folder: Path
    process: subprocess.Popen[bytes]

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{dbname}"

    def admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=self.port, user=self.user, dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _as_user() -> list[str]:
    if os.geteuid() != 0:
        return []
    return ["runuser", "-u", PG_USER, "--"]


def start_server() -> PostgresServer:
    """Start a throw-away server (also used by bench/ingest.py). Raises RuntimeError on failure."""
    if not (PG_BIN / "initdb").exists():
        raise FileNotFoundError(f"PostgreSQL binaries not found in {PG_BIN}")
    root = os.geteuid() == 0
    if root:
        try:
            pw = pwd.getpwnam(PG_USER)
        except KeyError:
            raise FileNotFoundError(f"running as root and there is no {PG_USER!r} user") from None
    folder = Path(tempfile.mkdtemp(prefix="icalfeed-pg-"))
    data = folder / "data"
    if root:
        os.chown(folder, pw.pw_uid, pw.pw_gid)
    user = PG_USER if root else pwd.getpwuid(os.geteuid()).pw_name
    subprocess.run(
        [
            *_as_user(),
            str(PG_BIN / "initdb"),
            "-D",
            str(data),
            "-U",
            user,
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
        ],
        check=True,
        capture_output=True,
    )
    port = _free_port()
    log = open(folder / "server.log", "wb")  # noqa: SIM115 - lives as long as the server
    process = subprocess.Popen(
        [
            *_as_user(),
            str(PG_BIN / "postgres"),
            "-D",
            str(data),
            "-p",
            str(port),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            f"unix_socket_directories={folder}",
            "-c",
            "fsync=off",
            "-c",
            "synchronous_commit=off",
            "-c",
            "full_page_writes=off",
            "-c",
            "max_connections=100",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = PostgresServer(port, user, folder, process)
    deadline = time.monotonic() + 30
    while True:
        try:
            server.admin("SELECT 1")
            return server
        except Exception as e:
            if process.poll() is not None or time.monotonic() > deadline:
                server.stop()
                text = (folder / "server.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"PostgreSQL did not start: {e}\n{text}") from e
            time.sleep(0.1)


def remove_server(server: PostgresServer) -> None:
    server.stop()
    shutil.rmtree(server.folder, ignore_errors=True)


def serve_postgres() -> Iterator[PostgresServer]:
    """A new server for a fixture to yield, removed afterwards; skips the test when psycopg
    or the PostgreSQL binaries are missing."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip("psycopg is not installed (pip install -e .[test])")
    try:
        server = start_server()
    except FileNotFoundError as e:
        pytest.skip(str(e))
    yield server
    remove_server(server)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    yield from serve_postgres()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    name = "t_" + uuid.uuid4().hex[:12]
    postgres_server.admin(f"CREATE DATABASE {name}")
    yield postgres_server.url(name)
    postgres_server.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database URL for the store tests: a SQLite file, then a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'icalfeed.sqlite3'}"
    url: str = request.getfixturevalue("postgres_url")
    return url
