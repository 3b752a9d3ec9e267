"""Every route of the web app fuzzed: bad parameters, bad bodies, wrong content types, oversized
bodies, malformed UIDs and tickers, header injection — a 4xx with a reason, never a 500.

Uses the web fixtures of tests/plugins/web.py (a SQLite store with known events, one of them
with ``<script>`` in its title). Hypothesis drives the query strings and path segments; each
answer is checked by :func:`check_answer`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import TestResponse

from icalfeed.config import Config
from icalfeed.store import Store
from tests.web_helpers import ACME_CALL, ADMIN_TOKEN, csrf_from

BEARER = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

GET_ROUTES = [
    "/",
    "/calendar.ics",
    "/companies/ACME.ics",
    f"/events/{ACME_CALL}.ics",
    "/api/events",
    f"/api/events/{ACME_CALL}",
    "/healthz",
    "/admin/login",
    "/admin/",
    "/admin/paste",
    "/admin/review",
    "/static/style.css",
]
POST_ROUTES = [
    "/api/parse",
    "/api/releases",
    "/admin/login",
    "/admin/logout",
    "/admin/paste",
    "/admin/paste/add",
    "/admin/review/1",
]
PARAM_NAMES = ["ticker", "kind", "from", "to", "alarm", "past", "token", "next", "published"]

NASTY = st.one_of(
    st.text(max_size=80),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "\r\nSet-Cookie: injected=1",
            "%0d%0aX-Injected: 1",
            "2024-02-30",
            "-1",
            "99999999999999999999",
            "1e309",
            "NaN",
            "ACME,,,,",
            "ACME," * 200,
            "earnings_call,nope",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "../../etc/passwd",
            "//evil.example/",
            "javascript:alert(1)",
            "\u202eACME",
            "A" * 5000,
        ]
    ),
)


def check_answer(response: TestResponse, what: str) -> None:
    """Never a 5xx (a 503 needs a down store, which these tests do not have); a 4xx says why;
    no header value carries a line break."""
    status = response.status_code
    body = response.get_data(as_text=True)
    assert status < 500, f"{what}: {status} {body[:300]}"
    for name, value in response.headers.items():
        assert not re.search(r"[\r\n]", value), f"{what}: header {name}: {value!r}"
        assert name.lower() not in ("x-injected", "injected"), f"{what}: injected header"
    if 400 <= status < 500 and response.request.method != "HEAD":
        assert body.strip(), f"{what}: {status} with an empty body"
        if response.mimetype == "application/json":
            reason = json.loads(body).get("error", "")
            assert isinstance(reason, str), f"{what}: JSON 4xx without error"
            assert reason.strip(), f"{what}: JSON 4xx without error"


# ------------------------------------------------------------------------- query parameters


@FUZZ
@given(
    route=st.sampled_from(GET_ROUTES),
    params=st.dictionaries(st.sampled_from(PARAM_NAMES) | st.text(max_size=10), NASTY, max_size=4),
    head=st.booleans(),
)
def test_get_routes_with_fuzzed_parameters(
    client: FlaskClient, route: str, params: dict[str, str], head: bool
) -> None:
    query = urlencode(params)
    url = f"{route}?{query}" if query else route
    response = client.head(url) if head else client.get(url)
    check_answer(response, f"{'HEAD' if head else 'GET'} {url[:200]}")


@FUZZ
@given(
    route=st.sampled_from(GET_ROUTES),
    params=st.dictionaries(st.sampled_from(PARAM_NAMES), NASTY, max_size=3),
)
def test_admin_get_routes_with_fuzzed_parameters(
    admin_client: FlaskClient, route: str, params: dict[str, str]
) -> None:
    url = f"{route}?{urlencode(params)}"
    check_answer(admin_client.get(url), f"GET (admin) {url[:200]}")


BAD_FILTERS = [
    ("from", "2024-02-30"),
    ("to", "yesterday"),
    ("alarm", "-5"),
    ("alarm", "10000000"),
    ("alarm", "fifteen"),
    ("kind", "party"),
    ("ticker", "NOT A TICKER!"),
    ("ticker", "A" * 40),
    ("past", "maybe"),
]


def test_bad_filter_is_400_with_the_reason(client: FlaskClient) -> None:
    wrong = []
    for route in ["/", "/calendar.ics", "/companies/ACME.ics", "/api/events"]:
        for param, value in BAD_FILTERS:
            if route.startswith("/companies/") and param == "ticker":
                continue  # the path names the company; a ticker parameter is not read there
            response = client.get(f"{route}?{urlencode({param: value})}")
            text = response.get_data(as_text=True)
            if response.status_code != 400 or param not in text:
                wrong.append((route, param, value, response.status_code, text[:120]))
    assert not wrong, wrong


# -------------------------------------------------------------------- malformed path segments


@FUZZ
@given(
    segment=st.text(min_size=1, max_size=60) | NASTY.filter(bool),
    template=st.sampled_from(
        ["/companies/{}.ics", "/events/{}.ics", "/api/events/{}", "/admin/review/{}"]
    ),
)
def test_malformed_uids_and_tickers(admin_client: FlaskClient, segment: str, template: str) -> None:
    url = template.format(quote(segment, safe=""))
    method = admin_client.post if template.startswith("/admin/review") else admin_client.get
    data = {"decision": "accept", "csrf_token": "x"} if method == admin_client.post else None
    check_answer(method(url, data=data), f"{url[:200]}")


MALFORMED_PATHS = [
    "/companies/AC%0D%0AME.ics",
    "/companies/..%2F..%2Fetc.ics",
    "/companies/%00.ics",
    "/events/ACME_CALL%0D%0ASet-Cookie:x=1.ics",
    "/events/" + "a" * 3000 + "@icalfeed.ics",
    "/api/events/%E2%80%AEevil@icalfeed",
    "/api/events/UPPER@ICALFEED",
]


def test_malformed_path_is_4xx(client: FlaskClient) -> None:
    for url in MALFORMED_PATHS:
        response = client.get(url)
        check_answer(response, url)
        assert 400 <= response.status_code < 500, url


# ------------------------------------------------------------------- bodies and content types

BODIES: list[tuple[str, bytes | str]] = [
    ("application/json", b"{not json"),
    ("application/json", b"[]"),
    ("application/json", b'"text"'),
    ("application/json", b"null"),
    ("application/json", b'{"text": 5}'),
    ("application/json", b'{"text": ["a"]}'),
    ("application/json", b'{"text": {"nested": {"deep": 1}}}'),
    ("application/json", b'{"text": "", "url": ""}'),
    ("application/json", b'{"text": "hi", "published": "2024-02-30"}'),
    ("application/json", b'{"text": "hi", "published": 20240101}'),
    ("application/json", b'{"text": "hi", "content_type": "application/pdf"}'),
    ("application/json", b'{"text": "hi", "content_type": 7}'),
    ("application/json", b'{"url": "ftp://example.com/x"}'),
    ("application/json", b'{"url": 12}'),
    ("application/json", b'{"url": "http://' + b"a" * 3000 + b'"}'),
    ("application/json; charset=latin-1", b'{"text": "\xe9t\xe9"}'),
    ("text/plain", b""),
    ("text/plain", b"   \n  "),
    ("text/plain", b"\xff\xfe\x00garbage\x00\x00"),
    ("text/plain", b"\x00" * 1000),
    ("text/html", b"<html><body><p>" * 1000),
    ("message/rfc822", b"not: a\r\nreal\r\n\r\nmessage"),
    ("message/rfc822", b"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n--x--"),
    ("application/pdf", b"%PDF-1.4"),
    ("image/png", b"\x89PNG\r\n"),
    ("", b"text without a content type"),
    ("application/x-www-form-urlencoded", b"%%%%=%%%"),
    ("application/x-www-form-urlencoded", b"text=&url="),
    ("multipart/form-data", b"no boundary"),
    ("multipart/form-data; boundary=zz", b"--zz\r\nbroken"),
]


@pytest.mark.parametrize("route", ["/api/parse", "/api/releases"])
def test_api_bad_bodies(client: FlaskClient, route: str) -> None:
    for content_type, body in BODIES:
        headers = dict(BEARER)
        if content_type:
            headers["Content-Type"] = content_type
        response = client.post(route, data=body, headers=headers)
        check_answer(response, f"POST {route} {content_type} {str(body)[:60]}")


@pytest.mark.parametrize("route", ["/api/parse", "/api/releases"])
def test_deeply_nested_json_is_400(client: FlaskClient, route: str) -> None:
    """JSON nested 100,000 deep (a RecursionError in the decoder) is a bad body, not a crash."""
    response = client.post(
        route, data="[" * 100_000, headers={**BEARER, "Content-Type": "application/json"}
    )
    check_answer(response, f"POST {route} nested JSON")
    assert response.status_code == 400


@FUZZ
@given(
    fields=st.dictionaries(
        st.sampled_from(["text", "url", "published", "content_type", "decision", "uid"]),
        NASTY,
        max_size=4,
    ),
    route=st.sampled_from(["/admin/paste", "/admin/paste/add", "/admin/review/1"]),
)
def test_admin_forms_with_fuzzed_fields(
    admin_client: FlaskClient, fields: dict[str, str], route: str
) -> None:
    page = admin_client.get("/admin/paste").get_data(as_text=True)
    data = {**fields, "csrf_token": csrf_from(page)}
    check_answer(admin_client.post(route, data=data), f"POST {route} {fields!r:.200}")


@FUZZ
@given(body=st.binary(max_size=2000), content_type=st.sampled_from(["text/plain", "text/html"]))
def test_api_parse_with_arbitrary_bytes(
    client: FlaskClient, body: bytes, content_type: str
) -> None:
    response = client.post("/api/parse", data=body, headers={"Content-Type": content_type})
    check_answer(response, f"POST /api/parse {body[:40]!r}")


def test_upload_of_a_wrong_file_type_is_415(admin_client: FlaskClient) -> None:
    import io

    page = admin_client.get("/admin/paste").get_data(as_text=True)
    response = admin_client.post(
        "/admin/paste/add",
        data={
            "csrf_token": csrf_from(page),
            "file": (io.BytesIO(b"%PDF-1.4"), "release.pdf", "application/pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 415, response.get_data(as_text=True)[:300]


def test_wrong_method_is_405_with_a_reason(client: FlaskClient) -> None:
    for route in sorted(set(GET_ROUTES + POST_ROUTES)):
        for method in ("PUT", "DELETE", "PATCH"):
            response = client.open(route, method=method, headers=BEARER)
            check_answer(response, f"{method} {route}")
            assert response.status_code == 405, f"{method} {route}"


# ----------------------------------------------------------------------------- oversized bodies


def _post_raw(client: FlaskClient, route: str, body: bytes, content_type: str) -> TestResponse:
    return client.post(route, data=body, headers={**BEARER, "Content-Type": content_type})


@pytest.mark.parametrize("route", POST_ROUTES)
def test_oversized_body_is_413(admin_client: FlaskClient, web_config: Config, route: str) -> None:
    body = b"x" * (web_config.max_release_bytes + 70 * 1024)
    for content_type in ("text/plain", "application/json", "application/x-www-form-urlencoded"):
        response = _post_raw(admin_client, route, body, content_type)
        assert response.status_code == 413, (route, content_type, response.status_code)
        assert "limit" in response.get_data(as_text=True)


@pytest.mark.parametrize("route", ["/api/parse", "/api/releases"])
def test_release_just_over_the_cap_is_413(
    client: FlaskClient, web_config: Config, route: str
) -> None:
    """Over ICALFEED_MAX_RELEASE_BYTES but under the form slack: still refused, 413."""
    text = "y" * (web_config.max_release_bytes + 10)
    for response in (
        client.post(route, json={"text": text}, headers=BEARER),
        _post_raw(client, route, text.encode(), "text/plain"),
    ):
        assert response.status_code == 413, response.get_data(as_text=True)[:300]
        assert "limit" in response.get_data(as_text=True)


def test_oversized_multipart_upload_is_413(admin_client: FlaskClient, web_config: Config) -> None:
    import io

    page = admin_client.get("/admin/paste").get_data(as_text=True)
    response = admin_client.post(
        "/admin/paste/add",
        data={
            "csrf_token": csrf_from(page),
            "file": (io.BytesIO(b"z" * (web_config.max_release_bytes + 1)), "r.txt", "text/plain"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 413


# --------------------------------------------------------------------------- header injection


@pytest.mark.parametrize(
    "target",
    [
        "/%0d%0aSet-Cookie:%20injected=1",
        "//evil.example/",
        "/\\evil.example",
        "https://evil.example/",
        "/\tjavascript:alert(1)",
    ],
)
def test_login_next_cannot_redirect_off_site(client: FlaskClient, target: str) -> None:
    page = client.get("/admin/login?" + urlencode({"next": target})).get_data(as_text=True)
    response = client.post(
        "/admin/login",
        data={"token": ADMIN_TOKEN, "csrf_token": csrf_from(page), "next": target},
    )
    check_answer(response, f"login next={target!r}")
    location = response.headers.get("Location", "")
    assert not re.search(r"[\r\n]", location)
    assert "evil.example" not in location
    assert "set-cookie" not in location.lower() or "%" in location


def test_login_next_with_a_line_break_cannot_inject_a_header(client: FlaskClient) -> None:
    """``next=/\r\nSet-Cookie: ...``: the login still works (a redirect inside the site) or is
    refused with a 4xx — never a 500 from a Location header that cannot be sent."""
    target = "/\r\nSet-Cookie: injected=1"
    page = client.get("/admin/login").get_data(as_text=True)
    response = client.post(
        "/admin/login",
        data={"token": ADMIN_TOKEN, "csrf_token": csrf_from(page), "next": target},
    )
    check_answer(response, f"login next={target!r}")
    assert "injected" not in response.headers.get("Set-Cookie", "")


@pytest.mark.parametrize(
    "headers",
    [
        {"Host": "evil.example\r\nX-Injected: 1"},
        {"Host": "a" * 3000},
        {"X-Forwarded-Host": "evil.example"},
        {"Accept": "text/html\r\nX-Injected: 1"},
        {"Accept": "*/*;q=nope"},
        {"If-None-Match": '"' + "x" * 5000 + '"'},
        {"If-Modified-Since": "not a date"},
        {"If-Modified-Since": "Mon, 32 Foo 99999 99:99:99 GMT"},
        {"Accept-Encoding": "gzip;q=abc, br, *;q=2"},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer " + "\u00e9" * 10},
        {"Authorization": "Basic Zm9vOmJhcg=="},
        {"Cookie": "icalfeed_session=garbage.garbage.garbage"},
        {"Range": "bytes=99999999-"},
    ],
)
def test_hostile_headers(client: FlaskClient, headers: dict[str, str]) -> None:
    for route in ["/", "/calendar.ics", "/api/events", "/admin/paste"]:
        try:
            response = client.get(route, headers=headers)
        except ValueError:
            break  # the test client itself refuses a header with a line break: cannot be sent
        check_answer(response, f"GET {route} {headers!r:.80}")


def test_subscribe_links_ignore_a_forged_host_when_public_url_is_set(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app(public_url="https://cal.example.org")
    html = app.test_client().get("/", headers={"Host": "evil.example"}).get_data(as_text=True)
    assert "evil.example" not in html
    assert "cal.example.org" in html


# ---------------------------------------------------------------------- release text escaped


def test_script_in_a_title_is_shown_as_text(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert "&lt;script&gt;" in html, "the title with <script> must be on the page, escaped"
    assert '<script>alert("x")</script>' not in html
    assert not re.search(r"<script>alert", html)
    assert 'href="javascript:' not in html.lower()
    assert "<b>bold</b>" not in html


def test_script_ingested_through_the_api_is_escaped_on_the_page(
    client: FlaskClient, web_store: Store
) -> None:
    text = (
        "<script>alert('pwned')</script> Corp. (NASDAQ: ACME) will host a conference call "
        "titled <img src=x onerror=alert(2)> at 4:30 p.m. ET on Thursday, April 25, 2024. "
        "Dial 913-312-0379, passcode 8024721."
    )
    response = client.post(
        "/api/releases?published=2024-04-01",
        data=text.encode(),
        headers={**BEARER, "Content-Type": "text/plain"},
    )
    assert response.status_code in (200, 201), response.get_data(as_text=True)
    html = client.get("/?past=1").get_data(as_text=True)
    assert "<script>alert('pwned')" not in html
    assert "<img src=x" not in html
    feed = client.get("/calendar.ics").get_data(as_text=True)
    assert all(len(line.encode()) <= 75 for line in feed.split("\r\n")), "folded lines"
    assert "BEGIN:VEVENT" in feed


# ------------------------------------------------------------------ parse time on the public API


def _post_in_child(conn: Any, app: Flask, body: bytes) -> None:
    import time

    start = time.perf_counter()
    response = app.test_client().post(
        "/api/parse", data=body, headers={"Content-Type": "text/plain"}
    )
    conn.send((response.status_code, time.perf_counter() - start))


@pytest.mark.slow
@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b" " * 150_000 + b"x", id="spaces"),
        pytest.param(b"<div>" * 39_000, id="divs"),
        pytest.param(b"Conference Call Webcast Annual Meeting " * 5000, id="capitalised"),
    ],
)
def test_anonymous_parse_of_hostile_text_is_bounded(app: Flask, body: bytes) -> None:
    """``POST /api/parse`` needs no token on a public server: a hostile body under the size cap
    must answer (200 or 422) within the parse budget plus slack, not hold a worker for minutes.
    Run in a forked child so a hang fails the test instead of the suite."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_post_in_child, args=(child, app, body))
    proc.start()
    child.close()
    try:
        answered = parent.poll(8.0)
        result = parent.recv() if answered else None
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(5)
    assert result is not None, "POST /api/parse did not answer within 8 s (budget 1 s)"
    status, seconds = result
    assert status in (200, 422), status
    assert seconds < 5.0, f"answered {status} after {seconds:.1f} s"
