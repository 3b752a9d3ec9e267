"""poll_feed and item_document against a real loopback server: RSS, Atom, 304s, links."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from icalfeed.config import Config
from icalfeed.errors import TooLargeError, UnsafeURLError, UnsupportedContentError
from icalfeed.sources import FULL_CONTENT_CHARS, FeedItem, item_document, parse_feed, poll_feed
from icalfeed.store.records import Source
from tests.plugins.http import FakeDNS, LoopbackServer

DATA = Path(__file__).parent / "data" / "sources"
RSS = (DATA / "rss.xml").read_bytes()
ATOM = (DATA / "atom.xml").read_bytes()
PUBLIC = "93.184.216.34"


def test_rss(loopback_config: Config, http_server: LoopbackServer) -> None:
    url = http_server.route("/rss", RSS, content_type="application/rss+xml")
    poll = poll_feed(url, config=loopback_config)
    assert (poll.url, poll.not_modified, poll.status) == (url, False, 200)
    first, second, third = poll.items
    assert first == FeedItem(
        feed_url=url,
        item_id="acme-2026-017",
        link=http_server.url("/news/q1-call"),  # relative link resolved against the feed URL
        title="Acme to Host First Quarter 2026 Conference Call",
        published=date(2026, 4, 14),  # the feed's own day, not UTC's April 15
        content="Acme will host a call on April 30.",
        content_type="text/html",
    )
    assert second.item_id == "https://ir.acme.example/news/dividend"  # no guid: the link
    assert second.content == "<p>The board declared a dividend of <b>$0.25</b>.</p>"
    assert second.published == date(2026, 4, 13)
    assert third.item_id.startswith("sha256:")  # neither guid nor link: a stable hash
    assert third.link is None
    assert poll_feed(url, config=loopback_config).items[2].item_id == third.item_id
    assert "application/rss+xml" in http_server.requests[0].headers["accept"]


def test_atom(loopback_config: Config, http_server: LoopbackServer) -> None:
    url = http_server.route("/atom", ATOM, content_type="application/atom+xml")
    (item,) = poll_feed(url, config=loopback_config).items
    assert item.item_id == "tag:globex.example,2026:pr-42"
    assert item.link == "https://ir.globex.example/pr/42"
    assert item.title == "Globex lädt zur Telefonkonferenz"
    assert item.published == date(2026, 4, 15)  # 00:30 +02:00 is still April 14 in UTC
    assert item.content_type == "text/html"
    assert item.content is not None
    assert "Telefonkonferenz abhalten" in item.content  # content beats the shorter summary
    assert item.source == Source.feed(url, item.item_id, item.link)


def test_relative_links_resolve_against_the_redirect_target(
    loopback_config: Config, http_server: LoopbackServer
) -> None:
    http_server.route("/old/rss", redirect="/newsroom/feed/rss.xml", status=301)
    feed = RSS.replace(b"<link>/news/q1-call</link>", b"<link>q1-call.html</link>")
    http_server.route("/newsroom/feed/rss.xml", feed, content_type="application/rss+xml")
    poll = poll_feed(http_server.url("/old/rss"), config=loopback_config)
    assert poll.url == http_server.url("/old/rss")  # identity stays with the polled URL
    assert poll.items[0].feed_url == http_server.url("/old/rss")
    assert poll.items[0].link == http_server.url("/newsroom/feed/q1-call.html")


@given(st.binary(max_size=600))
@settings(max_examples=60, deadline=None)
def test_parse_feed_on_arbitrary_bytes(raw: bytes) -> None:
    try:
        items = parse_feed(raw, "https://ir.example.com/rss")
    except UnsupportedContentError:
        return
    assert all(item.item_id for item in items)


def test_feed_served_as_generic_xml(loopback_config: Config, http_server: LoopbackServer) -> None:
    url = http_server.route("/feed", RSS, content_type="text/xml")
    assert len(poll_feed(url, config=loopback_config).items) == 3


def test_etag_then_304(loopback_config: Config, http_server: LoopbackServer) -> None:
    url = http_server.route("/rss", RSS, content_type="application/rss+xml", etag='"v1"')
    first = poll_feed(url, config=loopback_config)
    assert first.etag == '"v1"'
    second = poll_feed(url, config=loopback_config, etag=first.etag, modified=first.modified)
    assert (second.not_modified, second.items, second.status, second.etag) == (
        True,
        [],
        304,
        '"v1"',
    )


def test_last_modified_then_304(loopback_config: Config, http_server: LoopbackServer) -> None:
    stamp = "Tue, 14 Apr 2026 20:05:00 GMT"
    url = http_server.route("/rss", RSS, content_type="application/rss+xml", last_modified=stamp)
    first = poll_feed(url, config=loopback_config)
    assert first.modified == stamp
    assert poll_feed(url, config=loopback_config, modified=first.modified).not_modified


def test_not_a_feed(loopback_config: Config, http_server: LoopbackServer) -> None:
    url = http_server.route("/page", "<html><body><p>Investor news</p></body></html>")
    with pytest.raises(UnsupportedContentError, match="not an RSS or Atom feed"):
        poll_feed(url, config=loopback_config)


def test_feed_over_the_size_cap(http_server: LoopbackServer) -> None:
    url = http_server.route("/rss", RSS, content_type="application/rss+xml", gzip=True)
    config = Config.from_env({}, allow_private_urls=True, max_release_bytes=100)
    with pytest.raises(TooLargeError):
        poll_feed(url, config=config)


def test_feed_on_loopback_is_refused_by_default(
    fetch_config: Config, http_server: LoopbackServer
) -> None:
    url = http_server.route("/rss", RSS)
    with pytest.raises(UnsafeURLError):
        poll_feed(url, config=fetch_config)
    assert http_server.requests == []


def test_parse_feed_never_reads_a_path(tmp_path: Path) -> None:
    # feedparser treats a str or bytes that names a file as that file; we hand it a stream.
    secret = tmp_path / "secret.xml"
    secret.write_bytes(RSS)
    with pytest.raises(UnsupportedContentError):
        parse_feed(str(secret).encode(), "https://ir.example.com/rss")


def test_feed_with_external_entity_is_not_expanded(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    body = f"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">]>
<rss version="2.0"><channel><title>t</title>
<item><title>&xxe;</title><guid>1</guid><description>d</description></item>
</channel></rss>""".encode()
    items = parse_feed(body, "https://ir.example.com/rss")
    assert all("TOP SECRET" not in (i.title or "") + (i.content or "") for i in items)


# --- item_document ------------------------------------------------------------------------------


def _item(url: str, content: str | None, link: str | None) -> FeedItem:
    return FeedItem(
        feed_url=url,
        item_id="pr-1",
        link=link,
        title="Acme call",
        published=date(2026, 4, 14),
        content=content,
        content_type="text/html",
    )


def test_full_content_is_used_without_fetching(
    loopback_config: Config, http_server: LoopbackServer
) -> None:
    content = "<p>" + "Acme will host a conference call. " * 40 + "</p>"
    assert len(content) > FULL_CONTENT_CHARS
    link = http_server.route("/pr/1", "<p>page</p>")
    doc = item_document(_item(http_server.url("/rss"), content, link), config=loopback_config)
    assert (doc.text, doc.raw, doc.content_type) == (content, content.encode(), "text/html")
    assert (doc.title, doc.published) == ("Acme call", date(2026, 4, 14))
    assert doc.source == Source.feed(http_server.url("/rss"), "pr-1", link)
    assert http_server.requests == []


def test_teaser_makes_it_fetch_the_link(
    loopback_config: Config, http_server: LoopbackServer
) -> None:
    page = "<html><body><p>Acme will host a call on April 30, 2026 – caf\xe9</p></body></html>"
    link = http_server.route(
        "/pr/1", page.encode("cp1252"), content_type="text/html; charset=windows-1252"
    )
    doc = item_document(_item("https://x/rss", "Short teaser.", link), config=loopback_config)
    assert doc.raw == page.encode("cp1252")
    assert doc.text == page
    assert doc.content_type == "text/html"
    assert doc.source == Source.feed("https://x/rss", "pr-1", link)
    assert doc.published == date(2026, 4, 14)


def test_no_content_fetches_the_link(loopback_config: Config, http_server: LoopbackServer) -> None:
    link = http_server.route("/pr/1", "Plain release", content_type="text/plain")
    doc = item_document(_item("https://x/rss", None, link), config=loopback_config)
    assert (doc.text, doc.content_type) == ("Plain release", "text/plain")


def test_short_content_without_link_is_used(loopback_config: Config) -> None:
    doc = item_document(_item("https://x/rss", "Only a teaser", None), config=loopback_config)
    assert doc.text == "Only a teaser"


def test_neither_content_nor_link(loopback_config: Config) -> None:
    with pytest.raises(UnsupportedContentError, match="neither content nor link"):
        item_document(_item("https://x/rss", None, None), config=loopback_config)


def test_pdf_link_falls_back_to_the_teaser(
    loopback_config: Config, http_server: LoopbackServer
) -> None:
    link = http_server.route("/pr/1.pdf", b"%PDF-1.4 ...", content_type="application/pdf")
    item = _item("https://x/rss", "Teaser: call on April 30.", link)
    assert item_document(item, config=loopback_config).text == "Teaser: call on April 30."
    with pytest.raises(UnsupportedContentError, match="application/pdf"):
        item_document(replace(item, content=None), config=loopback_config)


def test_link_to_a_private_address_is_refused(
    fetch_config: Config, fake_dns: FakeDNS, http_server: LoopbackServer
) -> None:
    fake_dns.add("ir.example.com", PUBLIC).serve(PUBLIC, http_server)
    http_server.route("/rss", RSS, content_type="application/rss+xml")
    poll = poll_feed("http://ir.example.com/rss", config=fetch_config)
    evil = replace(poll.items[0], content=None, link="http://169.254.169.254/latest/meta-data/")
    with pytest.raises(UnsafeURLError, match="link-local"):
        item_document(evil, config=fetch_config)
    assert fake_dns.connections == [(PUBLIC, 80)]
