"""Issue 6, web fuzz: every route with bad parameters, bodies, content types, UIDs and tickers
answers 4xx with a reason — never a 500, never a stack trace."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.web_helpers import ADMIN_TOKEN

GET_ROUTES = (
    "/",
    "/calendar.ics",
    "/companies/ACME.ics",
    "/events/acme-earnings-call-q1-2024@icalfeed.ics",
    "/api/events",
    "/api/events/acme-earnings-call-q1-2024@icalfeed",
    "/healthz",
)
POST_ROUTES = ("/api/parse", "/api/releases", "/admin/paste", "/admin/login")
PARAMS = ("ticker", "kind", "from", "to", "alarm", "past", "token")
FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def check(response: object) -> None:
    from werkzeug.test import TestResponse

    assert isinstance(response, TestResponse)
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    assert b"Traceback" not in response.data
    if response.status_code >= 400:
        assert response.get_data(as_text=True).strip()


@FUZZ
@given(
    route=st.sampled_from(GET_ROUTES),
    params=st.dictionaries(st.sampled_from(PARAMS), st.text(max_size=40), max_size=4),
)
def test_get_routes_with_any_parameters(
    client: FlaskClient, route: str, params: dict[str, str]
) -> None:
    check(client.get(route, query_string=params))


@FUZZ
@given(segment=st.text(min_size=1, max_size=300))
def test_any_ticker_or_uid_in_the_path(client: FlaskClient, segment: str) -> None:
    quoted = quote(segment, safe="")
    for path in (f"/companies/{quoted}.ics", f"/events/{quoted}.ics", f"/api/events/{quoted}"):
        check(client.get(path))


@FUZZ
@given(
    route=st.sampled_from(POST_ROUTES),
    body=st.binary(max_size=2000),
    content_type=st.sampled_from(
        [
            "text/plain",
            "text/html",
            "application/json",
            "application/x-www-form-urlencoded",
            "multipart/form-data",
            "multipart/form-data; boundary=x",
            "application/octet-stream",
            "message/rfc822",
            "text/plain; charset=utf-16",
            "",
        ]
    ),
)
def test_post_routes_with_any_body(
    client: FlaskClient, route: str, body: bytes, content_type: str
) -> None:
    check(
        client.post(
            route,
            data=body,
            content_type=content_type,
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        )
    )


@pytest.mark.parametrize(
    "path",
    [
        "/companies/ACME%0d%0aSet-Cookie:%20x=1.ics",
        "/events/x%0d%0aLocation:%20http://evil/@icalfeed.ics",
        "/calendar.ics?ticker=ACME%0d%0aX-Injected:%201",
        "/calendar.ics?ticker=" + "A" * 5000,
        "/calendar.ics?kind=" + ",".join(["webcast"] * 500),
        "/?from=0001-01-01&to=9999-12-31",
        "/calendar.ics?alarm=" + "9" * 400,
        "/%00",
        "/admin/login?next=javascript:alert(1)",
    ],
)
def test_hostile_urls(client: FlaskClient, path: str) -> None:
    r = client.get(path)
    check(r)
    assert "X-Injected" not in r.headers
    assert "x=1" not in r.headers.get("Set-Cookie", "")


@pytest.mark.parametrize(
    "headers",
    [
        {"If-None-Match": "garbage"},
        {"If-None-Match": '"' + "x" * 5000 + '"'},
        {"If-Modified-Since": "not a date"},
        {"If-Modified-Since": "Mon, 99 Foo 99999 99:99:99 GMT"},
        {"Accept-Encoding": "gzip;q=nan"},
        {"Accept-Encoding": "gzip;q=abc, *;q=2"},
        {"Accept": "application/json;q=x"},
        {"Authorization": "Bearer"},
        {"Authorization": "Basic Zm9vOmJhcg=="},
        {"Authorization": "Bearer \u00e9\u00e9"},
    ],
)
def test_bad_headers(client: FlaskClient, headers: dict[str, str]) -> None:
    for route in ("/calendar.ics", "/api/events", "/", "/admin/paste"):
        check(client.get(route, headers=headers))


def test_oversized_upload_is_413_everywhere(app: Flask, client: FlaskClient) -> None:
    """With the token: without it, writing routes answer 401 before reading the body."""
    big = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    for route in POST_ROUTES:
        r = client.post(
            route,
            data=big,
            content_type="text/plain",
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        )
        assert r.status_code == 413, route
        form = client.post(
            route,
            data={"text": big.decode()},
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        )
        assert form.status_code == 413, route


def test_wrong_methods_are_405(client: FlaskClient) -> None:
    for route in GET_ROUTES:
        assert client.delete(route).status_code == 405
        assert client.put(route).status_code == 405
