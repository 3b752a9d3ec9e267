"""url_document: a release behind a URL, decoded with the HTTP charset, refused when not text."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from icalfeed.config import Config
from icalfeed.errors import UnsafeURLError, UnsupportedContentError
from icalfeed.sources import url_document
from icalfeed.store.records import Source
from tests.plugins.http import LoopbackServer

DATA = Path(__file__).parent / "data" / "sources"


def test_html_with_http_charset(loopback_config: Config, http_server: LoopbackServer) -> None:
    page = "<html><body><p>Ελληνικά: call on May 1</p></body></html>"
    url = http_server.route(
        "/pr", page.encode("iso-8859-7"), content_type="text/html; charset=iso-8859-7"
    )
    doc = url_document(url, config=loopback_config)
    assert (doc.text, doc.content_type, doc.source) == (page, "text/html", Source.url(url))
    assert doc.raw == page.encode("iso-8859-7")


def test_plain_text_without_content_type(
    loopback_config: Config, http_server: LoopbackServer
) -> None:
    url = http_server.route("/pr.txt", "Call on May 1 \u2013 dial in", content_type=None)
    doc = url_document(url, config=loopback_config)
    assert (doc.text, doc.content_type) == ("Call on May 1 – dial in", "text/plain")


def test_email_behind_a_url(loopback_config: Config, http_server: LoopbackServer) -> None:
    url = http_server.route(
        "/alert.eml", (DATA / "plain.eml").read_bytes(), content_type="message/rfc822"
    )
    doc = url_document(url, config=loopback_config, published=date(2020, 1, 1))
    assert doc.content_type == "text/plain"
    assert doc.published == date(2026, 4, 14)  # the Date header beats the caller's hint
    assert doc.source.message_id == "<20260414.1@acme.example>"


def test_hints_are_kept(loopback_config: Config, http_server: LoopbackServer) -> None:
    url = http_server.route("/pr", "<p>x</p>")
    source = Source.feed("https://ir.example.com/rss", "42", url)
    doc = url_document(
        url, config=loopback_config, source=source, title="T", published=date(2026, 4, 1)
    )
    assert (doc.source, doc.title, doc.published) == (source, "T", date(2026, 4, 1))


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (b"%PDF-1.4 ...", "application/pdf", r"a PDF document \(application/pdf\), not a"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "image/png", r"a PNG image \(image/png\), not a"),
        (
            (DATA / "rss.xml").read_bytes(),
            "application/rss+xml",
            "an RSS or Atom feed",
        ),
    ],
    ids=["pdf", "png", "feed"],
)
def test_not_a_release(
    body: bytes,
    content_type: str,
    message: str,
    loopback_config: Config,
    http_server: LoopbackServer,
) -> None:
    url = http_server.route("/x", body, content_type=content_type)
    with pytest.raises(UnsupportedContentError, match=message):
        url_document(url, config=loopback_config)


def test_binary_served_as_text(loopback_config: Config, http_server: LoopbackServer) -> None:
    url = http_server.route("/x", b"text\x00" * 100, content_type="text/plain")
    with pytest.raises(UnsupportedContentError, match=r"binary data .*\(text/plain\)"):
        url_document(url, config=loopback_config)


def test_loopback_refused_by_default(fetch_config: Config, http_server: LoopbackServer) -> None:
    url = http_server.route("/x", "secret")
    with pytest.raises(UnsafeURLError):
        url_document(url, config=fetch_config)
