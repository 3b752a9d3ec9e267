"""Who may do what (issue 6, "Access"): every writing route answers 401 without the admin token
and 403 with a wrong one; cross-site and token-less form posts are refused; no GET writes;
``ICALFEED_PRIVATE=1`` asks for the read token, which is also accepted as ``?token=``.

Each test checks the store afterwards: a refused request must also have written nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient

from icalfeed.store import Store
from tests.web_helpers import ACME_CALL, ADMIN_TOKEN, READ_TOKEN, csrf_from, log_in

RELEASE = (
    "ACME Corp. (NASDAQ: ACME) will host a conference call at 4:30 p.m. ET on Thursday, "
    "April 25, 2024. Dial 913-312-0379, passcode 8024721."
)
# Every route that writes, with a body that would write if it were allowed.
WRITES: list[tuple[str, dict[str, str]]] = [
    ("/api/releases", {"text": RELEASE}),
    ("/admin/paste", {"text": RELEASE}),
    ("/admin/paste/add", {"text": RELEASE}),
    ("/admin/review/4", {"decision": "accept"}),
    ("/admin/review/4", {"decision": "reject"}),
]
ADMIN_PAGES = ["/admin/", "/admin/paste", "/admin/review"]


def snapshot(store: Store) -> tuple[dict[str, int], int]:
    return store.counts(), store.version().counter


def held_release(store: Store) -> int:
    queue = store.review_queue()
    assert queue, "the web fixtures hold one release for review"
    release_id: int = queue[0].release_id
    return release_id


def _writes(store: Store) -> list[tuple[str, dict[str, str]]]:
    rid = held_release(store)
    return [(path.replace("/4", f"/{rid}"), data) for path, data in WRITES]


# --------------------------------------------------------------------------- 401 / 403 / CSRF


def test_every_write_without_a_token_is_401(client: FlaskClient, web_store: Store) -> None:
    before = snapshot(web_store)
    for path, data in _writes(web_store):
        for send in ({"data": data}, {"json": data}):
            response = client.post(path, **send)  # type: ignore[arg-type]
            assert response.status_code == 401, (path, response.status_code)
            assert "token" in response.get_data(as_text=True).lower()
            assert response.headers.get("WWW-Authenticate", "").startswith("Bearer")
    for path in ADMIN_PAGES:
        assert client.get(path).status_code == 401, path
    assert snapshot(web_store) == before


@pytest.mark.parametrize(
    "header",
    [
        "Bearer wrong-token",
        f"Bearer {ADMIN_TOKEN}x",
        f"Bearer {ADMIN_TOKEN[:-1]}",
        f"Bearer {ADMIN_TOKEN.upper()}",
        "Bearer \u00e9\u00e9\u00e9",
        f"bearer {ADMIN_TOKEN[::-1]}",
    ],
)
def test_every_write_with_a_wrong_token_is_403(
    client: FlaskClient, web_store: Store, header: str
) -> None:
    before = snapshot(web_store)
    for path, data in _writes(web_store):
        response = client.post(path, data=data, headers={"Authorization": header})
        assert response.status_code == 403, (path, header, response.status_code)
        assert "wrong" in response.get_data(as_text=True).lower()
    for path in ADMIN_PAGES:
        assert client.get(path, headers={"Authorization": header}).status_code == 403
    assert snapshot(web_store) == before


def test_read_token_cannot_write(make_app: Callable[..., Flask], web_store: Store) -> None:
    client = make_app(private=True, read_token=READ_TOKEN).test_client()
    before = snapshot(web_store)
    for path, data in _writes(web_store):
        response = client.post(path, data=data, headers={"Authorization": f"Bearer {READ_TOKEN}"})
        assert response.status_code == 403, path
    assert snapshot(web_store) == before


def test_writing_disabled_without_an_admin_token(
    make_app: Callable[..., Flask], web_store: Store
) -> None:
    client = make_app(admin_token="").test_client()
    before = snapshot(web_store)
    for path, data in _writes(web_store):
        for headers in ({}, {"Authorization": "Bearer "}, {"Authorization": "Bearer x"}):
            response = client.post(path, data=data, headers=headers)
            assert response.status_code in (401, 403), (path, headers)
    page = client.get("/admin/login").get_data(as_text=True)
    response = client.post("/admin/login", data={"token": "", "csrf_token": csrf_from(page)})
    assert response.status_code in (400, 403)
    assert snapshot(web_store) == before


def test_session_form_posts_need_the_csrf_token(
    admin_client: FlaskClient, web_store: Store
) -> None:
    before = snapshot(web_store)
    for path, data in _writes(web_store):
        for token in (None, "", "forged-token"):
            body = dict(data) if token is None else {**data, "csrf_token": token}
            response = admin_client.post(path, data=body)
            assert response.status_code == 403, (path, token, response.status_code)
            assert "CSRF" in response.get_data(as_text=True)
    assert snapshot(web_store) == before


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": "http://localhost.evil.example", "Sec-Fetch-Site": "same-site"},
    ],
)
def test_cross_site_form_post_is_refused_with_a_valid_csrf_token(
    admin_client: FlaskClient, web_store: Store, headers: dict[str, str]
) -> None:
    """A browser on another site posting the admin's forms (cookies attached, even with a
    stolen CSRF token) is refused: 403, nothing written."""
    page = admin_client.get("/admin/paste").get_data(as_text=True)
    csrf = csrf_from(page)
    before = snapshot(web_store)
    for path, data in _writes(web_store):
        response = admin_client.post(path, data={**data, "csrf_token": csrf}, headers=headers)
        assert response.status_code == 403, (path, headers, response.status_code)
        assert "cross-site" in response.get_data(as_text=True)
    assert snapshot(web_store) == before


def test_same_site_form_post_with_the_csrf_token_writes(
    admin_client: FlaskClient, web_store: Store
) -> None:
    """The control for the refusals above: the same post from the site itself is accepted."""
    page = admin_client.get("/admin/paste").get_data(as_text=True)
    before = snapshot(web_store)
    response = admin_client.post(
        "/admin/paste/add",
        data={"text": RELEASE, "published": "2024-04-01", "csrf_token": csrf_from(page)},
        headers={"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    assert snapshot(web_store) != before


def test_login_from_another_site_is_refused(client: FlaskClient) -> None:
    page = client.get("/admin/login").get_data(as_text=True)
    response = client.post(
        "/admin/login",
        data={"token": ADMIN_TOKEN, "csrf_token": csrf_from(page)},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403
    assert client.get("/admin/paste").status_code == 401, "no session was opened"


# -------------------------------------------------------------------------------- no GET writes


def test_no_write_by_get(admin_client: FlaskClient, web_store: Store) -> None:
    """Every route, GET and HEAD, with the admin session and the write parameters in the query
    string: the store's version does not move."""
    rid = held_release(web_store)
    before = snapshot(web_store)
    query = f"?text={quote(RELEASE)}&decision=accept&uid=x&published=2024-04-01"
    paths = [
        "/",
        "/calendar.ics",
        "/companies/ACME.ics",
        f"/events/{ACME_CALL}.ics",
        "/api/events",
        f"/api/events/{ACME_CALL}",
        "/api/parse",
        "/api/releases",
        "/healthz",
        "/admin/",
        "/admin/paste",
        "/admin/paste/add",
        "/admin/review",
        f"/admin/review/{rid}",
        "/admin/logout",
        "/admin/login",
    ]
    for path in paths:
        for method in ("GET", "HEAD"):
            response = admin_client.open(
                path + query,
                method=method,
                headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
            )
            assert response.status_code < 500, (method, path, response.status_code)
            if path in ("/api/parse", "/api/releases", "/admin/paste/add", f"/admin/review/{rid}"):
                assert response.status_code == 405, (method, path)
    assert snapshot(web_store) == before
    assert admin_client.get("/admin/paste").status_code == 200, "GET /admin/logout logged out"


# ---------------------------------------------------------------------------- private servers


READS = [
    "/calendar.ics",
    "/companies/ACME.ics",
    f"/events/{ACME_CALL}.ics",
    "/api/events",
    f"/api/events/{ACME_CALL}",
    "/",
]


@pytest.fixture
def private_client(make_app: Callable[..., Flask]) -> FlaskClient:
    return make_app(private=True, read_token=READ_TOKEN).test_client()


def test_private_reads_without_a_token_are_401(private_client: FlaskClient) -> None:
    for path in READS:
        response = private_client.get(path)
        assert response.status_code == 401, path
        assert "token" in response.get_data(as_text=True).lower()
    response = private_client.post("/api/parse", json={"text": RELEASE})
    assert response.status_code == 401


def test_private_reads_with_a_wrong_token_are_403(private_client: FlaskClient) -> None:
    for path in READS:
        sep = "&" if "?" in path else "?"
        assert private_client.get(f"{path}{sep}token=nope").status_code == 403, path
        response = private_client.get(path, headers={"Authorization": "Bearer nope"})
        assert response.status_code == 403, path


def test_private_read_token_as_query_parameter(private_client: FlaskClient) -> None:
    """Calendar apps cannot send headers: ``?token=`` works on every feed and read route."""
    for path in READS:
        response = private_client.get(f"{path}?token={READ_TOKEN}")
        assert response.status_code == 200, (path, response.get_data(as_text=True)[:200])
        response = private_client.get(path, headers={"Authorization": f"Bearer {READ_TOKEN}"})
        assert response.status_code == 200, path
    feed = private_client.get(f"/calendar.ics?token={READ_TOKEN}")
    assert "private" in feed.headers.get("Cache-Control", ""), "a private feed is not shared-cached"


def test_private_page_links_carry_the_token(private_client: FlaskClient) -> None:
    html = private_client.get(f"/?token={READ_TOKEN}").get_data(as_text=True)
    assert f"token={READ_TOKEN}" in html, "subscribe links must work in calendar apps"


def test_private_conditional_get_needs_the_token_too(private_client: FlaskClient) -> None:
    first = private_client.get(f"/calendar.ics?token={READ_TOKEN}")
    etag = first.headers["ETag"]
    response = private_client.get("/calendar.ics", headers={"If-None-Match": etag})
    assert response.status_code == 401, "a 304 would confirm the feed's contents to anyone"


def test_admin_token_reads_a_private_server(private_client: FlaskClient) -> None:
    assert private_client.get(f"/calendar.ics?token={ADMIN_TOKEN}").status_code == 200
    log_in(private_client)
    assert private_client.get("/api/events").status_code == 200


def test_public_server_needs_no_token(client: FlaskClient) -> None:
    for path in READS:
        assert client.get(path).status_code == 200, path


def test_tokens_are_compared_in_constant_time() -> None:
    """The comparison goes through hmac.compare_digest (a timing test would be flaky)."""
    import hmac
    from unittest import mock

    from icalfeed.web import security

    with mock.patch.object(security.hmac, "compare_digest", wraps=hmac.compare_digest) as spy:
        assert security.same_token("abc", "abc")
        assert not security.same_token("abd", "abc")
        assert not security.same_token("", "abc")
        assert not security.same_token("abc", "")
    assert spy.call_count >= 2
