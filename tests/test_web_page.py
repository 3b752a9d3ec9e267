"""Issue 5, the page: events with filters, past events on request, subscribe and per-event links;
issue 6: release text is escaped, security headers, no inline script."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from flask import Flask, Response
from flask.testing import FlaskClient

from icalfeed.web.security import SECURITY_HEADERS
from tests.web_helpers import ACME_CALL

TEMPLATES = Path(__file__).resolve().parent.parent / "icalfeed" / "web" / "templates"


def hrefs(html: str, css_class: str) -> list[str]:
    pattern = rf'<a class="button {css_class}" href="([^"]+)"'
    return [h.replace("&amp;", "&") for h in re.findall(pattern, html)]


@pytest.fixture
def page(client: FlaskClient) -> str:
    r = client.get("/")
    assert r.status_code == 200
    assert r.mimetype == "text/html"
    return r.get_data(as_text=True)


def test_page_lists_upcoming_events_in_their_zone(page: str) -> None:
    assert "Acme Corp. Q1 2024 earnings call" in page
    assert "4:30 PM – 5:30 PM EDT" in page
    assert "America/New_York" in page
    assert '<time class="local" datetime="2024-04-28T20:30:00Z"' in page
    assert "+1 913-312-0379" in page
    assert "8024721" in page
    assert 'href="https://ir.acme.example/webcast/q1-2024"' in page
    assert "All day" in page  # the AGM
    assert "Q4 2023" not in page  # past: only on request
    assert "Zeta plc Q1 2024 results call" not in page  # held for review


def test_past_events_on_request(client: FlaskClient) -> None:
    html = client.get("/?past=1").get_data(as_text=True)
    assert "Acme Corp. Q4 2023 earnings call" in html


@pytest.mark.parametrize(
    ("query", "present", "absent"),
    [
        ("ticker=ZETA", "Healthcare Conference", "Acme Corp. Q1 2024"),
        ("kind=shareholder_meeting", "annual general meeting", "Q1 2024 earnings call"),
        ("ticker=&kind=", "Acme Corp. Q1 2024", "Q4 2023"),
    ],
)
def test_filters(client: FlaskClient, query: str, present: str, absent: str) -> None:
    html = client.get(f"/?{query}").get_data(as_text=True)
    assert present in html
    assert absent not in html


def test_bad_filter_is_an_html_400_for_browsers(client: FlaskClient) -> None:
    r = client.get("/?kind=<b>x</b>", headers={"Accept": "text/html"})
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    assert "<b>x</b>" not in html


def test_subscribe_links_for_the_whole_feed(page: str) -> None:
    assert hrefs(page, "webcal")[0] == "webcal://localhost/calendar.ics"
    google = hrefs(page, "gcal")[0]
    assert google.startswith("https://calendar.google.com/calendar/r?cid=")
    assert unquote(google.split("cid=", 1)[1]) == "webcal://localhost/calendar.ics"
    outlook = urlsplit(hrefs(page, "olcom")[0])
    assert outlook.netloc == "outlook.live.com"
    assert outlook.path == "/calendar/0/addfromweb"
    q = parse_qs(outlook.query)
    assert q["url"] == ["http://localhost/calendar.ics"]
    assert q["name"] == ["Investor events"]
    assert 'value="http://localhost/calendar.ics"' in page  # the plain URL to copy


def test_subscribe_links_follow_filters_and_public_url(make_app) -> None:  # type: ignore[no-untyped-def]
    c = make_app(public_url="https://ir.example.com/").test_client()
    html = c.get("/?ticker=ACME&kind=earnings_call").get_data(as_text=True)
    assert hrefs(html, "webcal")[0] == (
        "webcal://ir.example.com/calendar.ics?ticker=ACME&kind=earnings_call"
    )
    assert "webcal://ir.example.com/companies/ACME.ics" in hrefs(html, "webcal")


def test_per_event_links(page: str) -> None:
    assert f'href="/events/{ACME_CALL}.ics" download' in page
    google = next(h for h in hrefs(page, "google") if "Q1%202024%20earnings" in h)
    q = parse_qs(urlsplit(google).query)
    assert urlsplit(google).path == "/calendar/render"
    assert q["action"] == ["TEMPLATE"]
    assert q["dates"] == ["20240428T163000/20240428T173000"]
    assert q["ctz"] == ["America/New_York"]
    assert "Passcode: 8024721" in q["details"][0]
    outlook = next(h for h in hrefs(page, "outlook") if "Q1%202024%20earnings" in h)
    q = parse_qs(urlsplit(outlook).query)
    assert q["startdt"] == ["2024-04-28T20:30:00Z"]
    assert q["enddt"] == ["2024-04-28T21:30:00Z"]
    assert q["rru"] == ["addevent"]


def test_all_day_links(page: str) -> None:
    google = next(h for h in hrefs(page, "google") if "general%20meeting" in h)
    assert parse_qs(urlsplit(google).query)["dates"] == ["20240515/20240516"]
    outlook = next(h for h in hrefs(page, "outlook") if "general%20meeting" in h)
    assert parse_qs(urlsplit(outlook).query)["allday"] == ["true"]


def test_release_text_is_escaped(page: str) -> None:
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "<b>bold</b>" not in page
    assert "javascript:" not in page  # a webcast URL that is not http(s) is not a link


def test_security_headers(client: FlaskClient) -> None:
    for path in ("/", "/calendar.ics", "/api/events", "/nope"):
        r = client.get(path)
        csp = r.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize(
    "base_url", ["http://localhost", "https://localhost"], ids=["http", "https"]
)
def test_security_headers_once_each_on_every_response(client: FlaskClient, base_url: str) -> None:
    etag = client.get("/calendar.ics").headers["ETag"]
    responses = [
        client.get("/", base_url=base_url),
        client.head("/calendar.ics", base_url=base_url),
        client.get("/calendar.ics", base_url=base_url, headers={"If-None-Match": etag}),
        client.get("/calendar.ics?from=yesterday", base_url=base_url),
        client.post("/calendar.ics", base_url=base_url),
    ]
    assert [r.status_code for r in responses] == [200, 200, 304, 400, 405]
    for r in responses:
        for name in SECURITY_HEADERS:
            assert r.headers.getlist(name) == [SECURITY_HEADERS[name]], (r.status, name)
        hsts = r.headers.getlist("Strict-Transport-Security")
        assert hsts == (["max-age=31536000"] if base_url.startswith("https") else []), r.status


def test_a_header_a_view_sets_itself_is_kept(app: Flask) -> None:
    @app.get("/own-frame-policy")
    def own() -> Response:
        return Response("x", headers={"X-Frame-Options": "SAMEORIGIN"})

    r = app.test_client().get("/own-frame-policy")
    assert r.headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_templates_have_no_inline_script_or_cdn() -> None:
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), template.name
        assert not re.search(r"\son[a-z]+=", text), template.name  # onclick= etc.
        assert "//cdn" not in text, template.name
        assert "googleapis" not in text, template.name


def test_static_files_are_served(client: FlaskClient) -> None:
    assert client.get("/static/app.js").status_code == 200
    assert client.get("/static/style.css").status_code == 200


def test_unknown_page_is_404_html(client: FlaskClient) -> None:
    r = client.get("/nope", headers={"Accept": "text/html"})
    assert r.status_code == 404
    assert "<h1>404" in r.get_data(as_text=True)
