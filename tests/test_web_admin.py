"""Issue 5's writing pages (paste → preview → add; review) and issue 6's access rules for them:
401 without the token, 403 with a wrong one, CSRF on every form, no write by GET."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from icalfeed.store import Store
from tests.test_web_api import RELEASE
from tests.web_helpers import ADMIN_TOKEN, ZETA_HELD, csrf_from, log_in

ADMIN_PAGES = ("/admin/paste", "/admin/review", "/admin/")


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_need_the_token(client: FlaskClient, path: str) -> None:
    r = client.get(path, headers={"Accept": "text/html"})
    assert r.status_code == 401
    assert "/admin/login" in r.get_data(as_text=True)


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_wrong_bearer_token_is_403(client: FlaskClient, path: str) -> None:
    r = client.get(path, headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 403


def test_wrong_token_at_login_is_403(client: FlaskClient) -> None:
    r = log_in(client, "wrong-token")
    assert r.status_code == 403
    assert client.get("/admin/paste").status_code == 401


def test_login_needs_csrf(client: FlaskClient) -> None:
    r = client.post("/admin/login", data={"token": ADMIN_TOKEN})
    assert r.status_code == 403
    assert "CSRF" in r.get_data(as_text=True)


def test_login_redirects_only_inside_the_site(client: FlaskClient) -> None:
    page = client.get("/admin/login").get_data(as_text=True)
    r = client.post(
        "/admin/login",
        data={"token": ADMIN_TOKEN, "csrf_token": csrf_from(page), "next": "//evil.example/x"},
    )
    assert r.status_code == 302
    assert r.headers["Location"] == "/admin/paste"


def test_session_cookie_is_strict_and_httponly(client: FlaskClient) -> None:
    r = log_in(client)
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie


def test_paste_preview_stores_nothing(admin_client: FlaskClient, web_store: Store) -> None:
    before = web_store.version()
    page = admin_client.get("/admin/paste").get_data(as_text=True)
    r = admin_client.post("/admin/paste", data={"text": RELEASE, "csrf_token": csrf_from(page)})
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert 'id="preview-result"' in html
    assert "4:30 PM" in html
    assert "IMGN" in html
    assert web_store.version() == before


def test_paste_add_stores_and_redirects(admin_client: FlaskClient, web_store: Store) -> None:
    page = admin_client.get("/admin/paste").get_data(as_text=True)
    token = csrf_from(page)
    r = admin_client.post("/admin/paste/add", data={"text": RELEASE, "csrf_token": token})
    assert r.status_code == 302
    assert any(c.ticker == "IMGN" for c in web_store.companies()) or web_store.review_queue()
    follow = admin_client.get(r.headers["Location"])
    assert "Release" in follow.get_data(as_text=True)


def test_paste_shows_parse_errors_on_the_page(admin_client: FlaskClient) -> None:
    page = admin_client.get("/admin/paste").get_data(as_text=True)
    r = admin_client.post(
        "/admin/paste", data={"url": "file:///etc/passwd", "csrf_token": csrf_from(page)}
    )
    assert r.status_code == 200
    assert 'class="error"' in r.get_data(as_text=True)


@pytest.mark.parametrize(
    "path", ["/admin/paste", "/admin/paste/add", "/admin/review/1", "/admin/logout"]
)
def test_every_form_post_needs_csrf(admin_client: FlaskClient, path: str) -> None:
    r = admin_client.post(path, data={"text": RELEASE, "decision": "accept"})
    assert r.status_code == 403
    r = admin_client.post(path, data={"text": RELEASE, "decision": "accept", "csrf_token": "x"})
    assert r.status_code == 403


def test_cross_site_post_is_refused_even_with_the_token(admin_client: FlaskClient) -> None:
    token = csrf_from(admin_client.get("/admin/paste").get_data(as_text=True))
    for headers in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
        r = admin_client.post(
            "/admin/paste/add", data={"text": RELEASE, "csrf_token": token}, headers=headers
        )
        assert r.status_code == 403
        assert "cross-site" in r.get_data(as_text=True)


@pytest.mark.parametrize(
    "path", ["/admin/paste/add", "/admin/review/1", "/admin/logout", "/api/releases"]
)
def test_no_write_by_get(admin_client: FlaskClient, path: str) -> None:
    assert admin_client.get(path).status_code == 405


def test_review_accept(admin_client: FlaskClient, web_store: Store) -> None:
    html = admin_client.get("/admin/review").get_data(as_text=True)
    assert "Zeta plc Q1 2024 results call" in html
    item = next(i for i in web_store.review_queue() if i.uid == ZETA_HELD)
    r = admin_client.post(
        f"/admin/review/{item.release_id}",
        data={"decision": "accept", "uid": ZETA_HELD, "csrf_token": csrf_from(html)},
    )
    assert r.status_code == 302
    assert web_store.event(ZETA_HELD).state.value == "published"
    assert ZETA_HELD.encode() in admin_client.get("/calendar.ics").data


def test_review_reject(admin_client: FlaskClient, web_store: Store) -> None:
    html = admin_client.get("/admin/review").get_data(as_text=True)
    item = next(i for i in web_store.review_queue() if i.uid == ZETA_HELD)
    r = admin_client.post(
        f"/admin/review/{item.release_id}",
        data={"decision": "reject", "uid": ZETA_HELD, "csrf_token": csrf_from(html)},
    )
    assert r.status_code == 302
    assert not [i for i in web_store.review_queue() if i.uid == ZETA_HELD]
    assert ZETA_HELD.encode() not in admin_client.get("/calendar.ics").data


@pytest.mark.parametrize(
    ("path", "data", "status"),
    [
        ("/admin/review/999999", {"decision": "accept"}, 404),
        ("/admin/review/1", {"decision": "maybe"}, 400),
        ("/admin/review/abc", {"decision": "accept"}, 404),
    ],
)
def test_review_errors(
    admin_client: FlaskClient, path: str, data: dict[str, str], status: int
) -> None:
    token = csrf_from(admin_client.get("/admin/review").get_data(as_text=True))
    r = admin_client.post(path, data={**data, "csrf_token": token})
    assert r.status_code == status


def test_logout(admin_client: FlaskClient) -> None:
    token = csrf_from(admin_client.get("/admin/review").get_data(as_text=True))
    assert admin_client.post("/admin/logout", data={"csrf_token": token}).status_code == 302
    assert admin_client.get("/admin/review").status_code == 401


def test_changing_the_admin_token_ends_sessions(
    admin_client: FlaskClient, make_app: Callable[..., Flask]
) -> None:
    other = make_app(admin_token="a-new-token-0000000000")
    with admin_client.session_transaction() as session:
        cookie = dict(session)
    c = other.test_client()
    with c.session_transaction() as session:
        session.update(cookie)
    assert c.get("/admin/review").status_code == 401


def test_private_server_read_login(make_app: Callable[..., Flask]) -> None:
    from tests.web_helpers import READ_TOKEN

    c = make_app(private=True, read_token=READ_TOKEN).test_client()
    assert c.get("/").status_code == 401
    assert log_in(c, READ_TOKEN).status_code == 302
    assert c.get("/").status_code == 200
    assert c.get("/admin/paste").status_code == 401  # reading is not writing


def test_paste_a_url_preview_then_add(
    make_app: Callable[..., Flask], http_server: Any, web_store: Store
) -> None:
    url = http_server.route("/pr/imgn", RELEASE.encode(), content_type="text/plain")
    c = make_app(allow_private_urls=True).test_client()
    log_in(c)
    token = csrf_from(c.get("/admin/paste").get_data(as_text=True))
    r = c.post("/admin/paste", data={"url": url, "csrf_token": token})
    html = r.get_data(as_text=True)
    assert 'id="preview-result"' in html
    assert "IMGN" in html
    assert f'name="url" value="{url}"' in html
    r = c.post("/admin/paste/add", data={"url": url, "text": "", "csrf_token": token})
    assert r.status_code == 302
    releases = web_store.releases(limit=1)
    assert releases[0].source.kind == "url"
    assert releases[0].source.location == url


@pytest.mark.parametrize("target", ["/\r\nSet-Cookie: x=1", "/\x00", "//evil.example", "\\\\evil"])
def test_login_next_must_be_a_plain_local_path(client: FlaskClient, target: str) -> None:
    page = client.get("/admin/login").get_data(as_text=True)
    r = client.post(
        "/admin/login", data={"token": ADMIN_TOKEN, "csrf_token": csrf_from(page), "next": target}
    )
    assert r.status_code == 302
    assert r.headers["Location"] == "/admin/paste"
