"""``icalfeed serve``: registered in the command index, and ``serve --get /path`` runs one request
through the app and prints it (the CLI is testable without a server)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from icalfeed.cli import cli
from icalfeed.cli.registry import COMMAND_INDEX
from icalfeed.cli.serve_cmd import subscribe_url
from icalfeed.store import Store
from tests.web_helpers import ACME_CALL, fill_store, web_settings


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    config = web_settings(tmp_path, past_days=3650)
    with Store.open(config, create=True) as store:
        fill_store(store)
    return {
        "ICALFEED_INSTANCE_PATH": str(tmp_path),
        "ICALFEED_DATABASE_URL": config.database_url,
        "ICALFEED_PAST_DAYS": "3650",
    }


def test_serve_is_registered() -> None:
    assert COMMAND_INDEX["serve"] == ("icalfeed.cli.serve_cmd", "serve")


def test_get_prints_the_feed(env: dict[str, str]) -> None:
    result = CliRunner().invoke(cli, ["serve", "--get", "/calendar.ics"], env=env)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("BEGIN:VCALENDAR")
    assert ACME_CALL in result.output


def test_get_with_headers(env: dict[str, str]) -> None:
    result = CliRunner().invoke(
        cli, ["serve", "--get", "/api/events?ticker=ACME", "--headers"], env=env
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("HTTP/1.1 200 OK")
    assert "Content-Type: application/json" in result.output


def test_get_sends_request_headers(env: dict[str, str]) -> None:
    first = CliRunner().invoke(cli, ["serve", "--get", "/calendar.ics", "--headers"], env=env)
    etag = next(
        line.split(": ", 1)[1] for line in first.output.splitlines() if line.startswith("ETag:")
    )
    result = CliRunner().invoke(
        cli,
        ["serve", "--get", "/calendar.ics", "--headers", "--header", f"If-None-Match: {etag}"],
        env=env,
    )
    assert result.output.startswith("HTTP/1.1 304")


def test_get_error_exits_1_with_the_reason(env: dict[str, str]) -> None:
    result = CliRunner().invoke(cli, ["serve", "--get", "/calendar.ics?kind=nope"], env=env)
    assert result.exit_code == 1
    assert "kind='nope'" in result.output


def test_get_needs_a_path(env: dict[str, str]) -> None:
    result = CliRunner().invoke(cli, ["serve", "--get", "calendar.ics"], env=env)
    assert result.exit_code == 2


@pytest.mark.parametrize(
    ("host", "port", "public", "expected"),
    [
        ("127.0.0.1", 8000, "", "webcal://127.0.0.1:8000/calendar.ics"),
        ("0.0.0.0", 80, "https://ir.example.com/", "webcal://ir.example.com/calendar.ics"),
    ],
)
def test_subscribe_url(host: str, port: int, public: str, expected: str) -> None:
    assert subscribe_url(host, port, public) == expected


def test_workers_share_the_generated_secret_key(tmp_path: Path) -> None:
    from icalfeed.web import create_app

    config = web_settings(tmp_path, secret_key="")
    first, second = create_app(config), create_app(config)
    assert first.secret_key == second.secret_key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_post_fork_disposes_the_store_pool(env: dict[str, str], tmp_path: Path) -> None:
    from icalfeed.web import create_app, dispose_stores_after_fork

    config = web_settings(tmp_path, past_days=3650)
    app = create_app(config)
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    dispose_stores_after_fork()
    assert client.get("/healthz").status_code == 200  # a new connection after disposal


def test_serve_falls_back_to_flasks_server_with_a_warning(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from flask import Flask

    from icalfeed.cli import serve_cmd

    ran: list[dict[str, object]] = []
    monkeypatch.setattr(serve_cmd, "missing_server_packages", lambda: ["uvicorn"])
    monkeypatch.setattr(Flask, "run", lambda self, **kw: ran.append(kw))
    result = CliRunner().invoke(cli, ["serve", "--port", "8765"], env=env)
    assert result.exit_code == 0, result.output
    assert "warning: uvicorn not installed; using Flask's server" in result.output
    assert ran == [{"host": "127.0.0.1", "port": 8765, "debug": False, "threaded": True}]


def test_the_server_stack_is_installed() -> None:
    from icalfeed.cli.serve_cmd import missing_server_packages

    assert missing_server_packages() == []


@pytest.mark.slow
def test_serve_runs_gunicorn_with_the_uvicorn_worker(env: dict[str, str], tmp_path: Path) -> None:
    import subprocess
    import sys
    import time

    from tests.plugins.gunicorn import free_port
    from tests.test_web_gunicorn import fetch

    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "icalfeed", "serve", "--port", str(port), "--workers", "1"],
            env={**os.environ, **env, "ICALFEED_ACCESS_LOG": ""},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, headers, _ = fetch(f"http://127.0.0.1:{port}/calendar.ics")
                break
            except OSError:
                assert process.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        assert status == 200
        again = fetch(f"http://127.0.0.1:{port}/calendar.ics", {"If-None-Match": headers["ETag"]})
        assert again[0] == 304
    finally:
        process.terminate()
        process.wait(20)
    assert "Using worker: icalfeed.web.worker.Worker" in log.read_text()
