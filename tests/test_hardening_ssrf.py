"""URL ingestion through the web app's entry points refuses what the fetcher refuses.

tests/test_sources_fetch.py covers :func:`fetch_url` itself (schemes, private addresses after
DNS and after each redirect, size and time caps, decompression bombs) and test_web_api.py two
URLs on ``/api/parse``. This module checks the same rules hold end to end on every route that
takes a ``url`` — ``/api/parse``, ``/api/releases`` (admin), the paste page's preview and
"Add" — with the answer a 4xx with a reason, no request reaching the target, nothing stored.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from icalfeed.store import Store
from tests.plugins.http import FakeDNS, LoopbackServer
from tests.web_helpers import ADMIN_TOKEN, csrf_from, log_in

BEARER = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
PUBLIC = "93.184.216.34"
RELEASE = (
    "ACME Corp. (NASDAQ: ACME) will host a conference call at 4:30 p.m. ET on Thursday, "
    "April 25, 2024. Dial 913-312-0379, passcode 8024721."
)

REFUSED_URLS = [
    "file:///etc/passwd",
    "gopher://127.0.0.1:70/_GET",
    "ftp://ir.example.com/release.txt",
    "data:text/plain,hello",
    "javascript:alert(1)",
    "dict://127.0.0.1:11211/stat",
    "http://127.0.0.1/",
    "http://localhost/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://0.0.0.0/",
    "http://2130706433/",
    "http://0x7f.0.0.1/",
    "http://10.0.0.7/",
    "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fe80::1]/",
    "http://intranet.example.com/",
    "http://ir.example.com@127.0.0.1/",
]


@pytest.fixture
def web(make_app: Callable[..., Flask], fake_dns: FakeDNS, http_server: LoopbackServer) -> Any:
    """The app with the default (refusing) URL rules, a fake DNS and a server behind it."""
    fake_dns.add("ir.example.com", PUBLIC).serve(PUBLIC, http_server)
    fake_dns.add("intranet.example.com", "10.0.0.7")
    fake_dns.add("localhost", "127.0.0.1")
    app = make_app(fetch_timeout=2.0, allow_private_urls=False)
    client = app.test_client()
    log_in(client)
    return client


def _post(client: FlaskClient, route: str, url: str) -> Any:
    if route.startswith("/api/"):
        return client.post(route, json={"url": url}, headers=BEARER)
    page = client.get("/admin/paste").get_data(as_text=True)
    return client.post(route, data={"url": url, "csrf_token": csrf_from(page)})


ROUTES = ["/api/parse", "/api/releases", "/admin/paste/add"]


@pytest.mark.parametrize("route", ROUTES)
def test_refused_urls_on_every_route(
    web: FlaskClient, web_store: Store, http_server: LoopbackServer, route: str
) -> None:
    before = web_store.counts()
    for url in REFUSED_URLS:
        response = _post(web, route, url)
        assert 400 <= response.status_code < 500, (route, url, response.status_code)
        assert response.get_data(as_text=True).strip(), (route, url)
    assert http_server.requests == [], "a refused URL reached the server"
    assert web_store.counts() == before


def test_paste_preview_shows_the_refusal_on_the_page(
    web: FlaskClient, http_server: LoopbackServer
) -> None:
    page = web.get("/admin/paste").get_data(as_text=True)
    response = web.post(
        "/admin/paste", data={"url": "http://169.254.169.254/", "csrf_token": csrf_from(page)}
    )
    assert response.status_code < 500
    assert "169.254.169.254" in response.get_data(as_text=True)
    assert http_server.requests == []


@pytest.mark.parametrize("route", ROUTES)
def test_redirect_to_a_private_address_is_refused(
    web: FlaskClient, web_store: Store, http_server: LoopbackServer, route: str
) -> None:
    http_server.route("/pr", redirect="http://intranet.example.com/secret")
    http_server.route("/pr2", redirect="http://127.0.0.1/admin")
    http_server.route("/pr3", redirect="file:///etc/passwd")
    before = web_store.counts()
    for path in ("/pr", "/pr2", "/pr3"):
        response = _post(web, route, f"http://ir.example.com{path}")
        assert response.status_code == 400, (route, path, response.status_code)
    assert web_store.counts() == before


def test_a_public_url_is_fetched_and_stored(
    web: FlaskClient, web_store: Store, http_server: LoopbackServer
) -> None:
    """The control: the same route with a public name is fetched (so refusals are not blanket)."""
    http_server.route("/release", RELEASE, content_type="text/plain")
    response = web.post(
        "/api/releases", json={"url": "http://ir.example.com/release"}, headers=BEARER
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    assert http_server.hits("/release") == 1


@pytest.mark.parametrize("route", ["/api/parse", "/api/releases"])
def test_decompression_bomb_is_413(
    web: FlaskClient, web_store: Store, http_server: LoopbackServer, route: str
) -> None:
    bomb = b"\n" * 50_000_000
    http_server.route("/bomb", bomb, content_type="text/plain", gzip=True)
    assert len(gzip.compress(bomb)) < 100_000
    before = web_store.counts()
    response = _post(web, route, "http://ir.example.com/bomb")
    assert response.status_code == 413, response.get_data(as_text=True)[:200]
    assert web_store.counts() == before


@pytest.mark.parametrize("route", ["/api/parse", "/api/releases"])
def test_oversized_remote_body_is_413(
    web: FlaskClient, http_server: LoopbackServer, route: str
) -> None:
    http_server.route("/big", b"x" * 300_000, content_type="text/plain")
    response = _post(web, route, "http://ir.example.com/big")
    assert response.status_code == 413


def test_slow_remote_is_cut_at_the_time_cap(web: FlaskClient, http_server: LoopbackServer) -> None:
    import time

    http_server.route("/slow", RELEASE, content_type="text/plain", drip=0.2, drip_size=2)
    start = time.monotonic()
    response = _post(web, "/api/parse", "http://ir.example.com/slow")
    assert response.status_code == 422, response.get_data(as_text=True)[:200]
    assert time.monotonic() - start < 6.0, "the 2 s fetch timeout covers the whole body"
