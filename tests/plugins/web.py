"""Fixtures for the web tests: the app on a temporary SQLite store with known events (see
tests/web_helpers.py), Flask test clients, and a client logged in with the admin token.

Fixtures: ``web_clock``, ``web_store``, ``web_config``, ``app``, ``client``, ``admin_client``,
``make_app`` (an app with other settings on the same store).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from icalfeed.config import Config
from icalfeed.store import Store
from icalfeed.web import create_app
from tests.web_helpers import WebClock, fill_store, log_in, web_settings


@pytest.fixture
def web_clock() -> WebClock:
    return WebClock()


@pytest.fixture
def web_config(tmp_path: Path) -> Config:
    return web_settings(tmp_path)


@pytest.fixture
def web_store(web_config: Config, web_clock: WebClock) -> Iterator[Store]:
    store = Store.open(web_config, create=True, clock=web_clock)
    fill_store(store)
    yield store
    store.close()


@pytest.fixture
def make_app(web_store: Store, tmp_path: Path) -> Callable[..., Flask]:
    """``make_app(private=True, ...)``: an app with other settings over the same store."""

    def make(**overrides: Any) -> Flask:
        return create_app(web_settings(tmp_path, **overrides), store=web_store, version_ttl=0)

    return make


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def admin_client(app: Flask) -> FlaskClient:
    c = app.test_client()
    response = log_in(c)
    assert response.status_code == 302, response.get_data(as_text=True)
    return c
