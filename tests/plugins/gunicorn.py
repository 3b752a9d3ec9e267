"""A real gunicorn (2 workers, the project's gunicorn config: uvicorn workers serving the ASGI
app, as the Procfile runs it) on a random loopback port, serving a temporary SQLite store filled
with the web tests' events.

Fixture ``gunicorn_server`` (module scope): a :class:`LiveServer` with ``url(path)``. The server
gets ``ICALFEED_PAST_DAYS=3650`` so the 2024 events stay in its feeds whatever today is.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from icalfeed.store import Store
from tests.web_helpers import ADMIN_TOKEN, SECRET_KEY, fill_store, web_settings

REPO = Path(__file__).resolve().parent.parent.parent
START_TIMEOUT = 30.0
APP = "icalfeed.web:create_asgi_app()"  # as the Procfile has it


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    base: str
    process: subprocess.Popen[bytes]
    log: Path

    def url(self, path: str = "/") -> str:
        return self.base + path


def gunicorn_command(port: int, workers: int = 2, app: str = APP) -> list[str]:
    exe = Path(sys.executable).with_name("gunicorn")
    return [
        str(exe) if exe.exists() else "gunicorn",
        "--config",
        "python:icalfeed.web.gunicorn_conf",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        app,
    ]


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not answer {url} in {START_TIMEOUT} s:\n{log.read_text()}")


def start_gunicorn(
    folder: Path, env_extra: dict[str, str] | None = None, app: str = APP
) -> LiveServer:
    port = free_port()
    log = folder / "gunicorn.log"
    env = {
        **os.environ,
        "ICALFEED_INSTANCE_PATH": str(folder),
        "ICALFEED_DATABASE_URL": f"sqlite:///{folder / 'icalfeed.sqlite3'}",
        "ICALFEED_ADMIN_TOKEN": ADMIN_TOKEN,
        "ICALFEED_SECRET_KEY": SECRET_KEY,
        "ICALFEED_PAST_DAYS": "3650",
        "ICALFEED_ACCESS_LOG": "",
        "PYTHONPATH": str(REPO),
        **(env_extra or {}),
    }
    with log.open("wb") as out:
        process = subprocess.Popen(
            gunicorn_command(port, app=app),
            cwd=folder,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = LiveServer(f"http://127.0.0.1:{port}", process, log)
    try:
        wait_until_up(server.url("/healthz"), process, log)
    except BaseException:
        stop_gunicorn(server)
        raise
    return server


def stop_gunicorn(server: LiveServer) -> None:
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
        try:
            server.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


@pytest.fixture(scope="module")
def gunicorn_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("gunicorn")
    config = web_settings(folder, past_days=3650)
    with Store.open(config, create=True) as store:
        fill_store(store)
    server = start_gunicorn(folder)
    yield server
    stop_gunicorn(server)
