"""RSS and Atom newsrooms: poll a feed, turn its items into releases.

The bytes always come from :func:`~icalfeed.sources.fetch.fetch_url` (so the address, size and
time rules hold); feedparser only ever parses them and is never handed a URL or a path.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Final

import feedparser

from icalfeed.config import Config
from icalfeed.errors import DecodeError, UnsupportedContentError
from icalfeed.sources.decode import TEXT_HTML, TEXT_PLAIN, clean_text
from icalfeed.sources.fetch import fetch_url
from icalfeed.sources.files import Document
from icalfeed.sources.remote import url_document
from icalfeed.store.records import Source

FEED_ACCEPT: Final = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1"
)
#: An item whose content has at least this many characters of visible text is taken as the
#: full release; a shorter one (a teaser) makes :func:`item_document` fetch the item's link.
FULL_CONTENT_CHARS: Final = 800

_TAG_RE = re.compile(r"<[^>]*>")
_SPACE_RE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One entry of a feed.

    ``item_id`` is the entry's id/guid, else its link, else a hash of its title, date and content;
    ``published`` is the date as the feed writes it (in the feed's own offset), None when absent;
    ``content`` is the longest of the content and the summary, ``content_type`` says whether it
    is ``text/html`` or ``text/plain``.
    """

    feed_url: str
    item_id: str
    link: str | None
    title: str | None
    published: date | None
    content: str | None
    content_type: str

    @property
    def source(self) -> Source:
        return Source.feed(self.feed_url, self.item_id, self.link)


@dataclass(frozen=True, slots=True)
class FeedPoll:
    """The result of one poll. Keep ``etag`` and ``modified`` for the next poll's conditional GET;
    ``not_modified`` means the server said nothing changed (and ``items`` is empty)."""

    url: str
    items: list[FeedItem]
    etag: str | None
    modified: str | None
    not_modified: bool = False
    status: int = 200
    title: str | None = None


def visible_text(content: str, content_type: str) -> str:
    """The text a reader sees: tags dropped and entities undone for HTML, spaces collapsed."""
    if content_type == TEXT_HTML:
        content = html.unescape(_TAG_RE.sub(" ", content))
    return _SPACE_RE.sub(" ", content).strip()


def _date(raw: object, parsed: object) -> date | None:
    """The entry's date as written (its own offset), falling back to feedparser's UTC tuple."""
    if isinstance(raw, str) and raw.strip():
        text = raw.strip()
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
        except ValueError:
            pass
        try:
            return parsedate_to_datetime(text).date()
        except (TypeError, ValueError, IndexError):
            pass
    if isinstance(parsed, time.struct_time):
        return date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday)
    return None


def _content(entry: Mapping[str, Any]) -> tuple[str | None, str]:
    candidates: list[tuple[str, str]] = []
    for block in entry.get("content") or []:
        if isinstance(block, Mapping) and isinstance(block.get("value"), str):
            candidates.append((block["value"], str(block.get("type") or TEXT_HTML)))
    detail = entry.get("summary_detail")
    summary = entry.get("summary")
    if isinstance(summary, str):
        kind = detail.get("type") if isinstance(detail, Mapping) else None
        candidates.append((summary, str(kind or TEXT_HTML)))
    candidates = [(text, kind) for text, kind in candidates if text.strip()]
    if not candidates:
        return None, TEXT_PLAIN
    text, kind = max(candidates, key=lambda c: len(visible_text(c[0], TEXT_HTML)))
    content_type = TEXT_PLAIN if kind.lower() == TEXT_PLAIN else TEXT_HTML
    return clean_text(text), content_type


def _item(feed_url: str, entry: Mapping[str, Any]) -> FeedItem:
    link = entry.get("link") if isinstance(entry.get("link"), str) else None
    title = entry.get("title") if isinstance(entry.get("title"), str) else None
    published = _date(entry.get("published"), entry.get("published_parsed")) or _date(
        entry.get("updated"), entry.get("updated_parsed")
    )
    content, content_type = _content(entry)
    item_id = entry.get("id") if isinstance(entry.get("id"), str) else None
    if not (item_id and item_id.strip()):
        item_id = link
    if not (item_id and item_id.strip()):
        digest = hashlib.sha256(
            "\x1f".join([title or "", str(published or ""), content or ""]).encode()
        ).hexdigest()
        item_id = f"sha256:{digest[:32]}"
    return FeedItem(
        feed_url=feed_url,
        item_id=item_id.strip(),
        link=link.strip() if link else None,
        title=" ".join(title.split()) if title else None,
        published=published,
        content=content,
        content_type=content_type,
    )


def parse_feed(
    body: bytes, url: str, content_type: str | None = None, *, base: str | None = None
) -> list[FeedItem]:
    """Parse feed bytes (never fetching anything) into items of the feed ``url``; relative links
    resolve against ``base`` (where the bytes came from after redirects), default ``url``.

    Raises UnsupportedContentError when the bytes are not an RSS or Atom feed.
    """
    headers = {"content-location": base or url}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(io.BytesIO(body), response_headers=headers)
    if not parsed.get("version") and not parsed.get("entries"):
        reason = parsed.get("bozo_exception") or "no RSS or Atom elements"
        raise UnsupportedContentError(f"{url} is not an RSS or Atom feed: {reason}")
    return [_item(url, entry) for entry in parsed.get("entries", [])]


def poll_feed(
    url: str,
    *,
    config: Config,
    etag: str | None = None,
    modified: str | None = None,
) -> FeedPoll:
    """Fetch a feed conditionally and parse its items (all of them; the caller skips known ones).

    Raises what :func:`~icalfeed.sources.fetch.fetch_url` raises, and UnsupportedContentError
    for a response that is not a feed.
    """
    result = fetch_url(url, config=config, etag=etag, last_modified=modified, accept=FEED_ACCEPT)
    if result.not_modified:
        return FeedPoll(url, [], result.etag, result.last_modified, True, result.status)
    header = result.content_type
    if result.charset:
        header = f"{header or 'application/xml'}; charset={result.charset}"
    items = parse_feed(result.body, url, header, base=result.url)
    # Identity stays with the URL the caller polls, not a redirect target.
    return FeedPoll(url, items, result.etag, result.last_modified, False, result.status)


def item_document(item: FeedItem, *, config: Config) -> Document:
    """The release behind a feed item: its own content when that is a full release (at least
    :data:`FULL_CONTENT_CHARS` characters of text) or there is no link, else the linked page.

    When the linked page is not text (a PDF, say) the item's shorter content is used if it has
    any; otherwise the error propagates (UnsupportedContentError, DecodeError, or what
    :func:`~icalfeed.sources.fetch.fetch_url` raises).
    """
    content = item.content
    full = content is not None and (
        len(visible_text(content, item.content_type)) >= FULL_CONTENT_CHARS or not item.link
    )
    if content is not None and full:
        return _from_content(item, content)
    if not item.link:
        raise UnsupportedContentError(f"feed item {item.item_id} has neither content nor link")
    try:
        return _from_link(item, item.link, config)
    except (UnsupportedContentError, DecodeError):
        if content is None:
            raise
        return _from_content(item, content)


def _from_content(item: FeedItem, content: str) -> Document:
    return Document(
        raw=content.encode("utf-8"),
        text=content,
        content_type=item.content_type,
        source=item.source,
        title=item.title,
        published=item.published,
    )


def _from_link(item: FeedItem, link: str, config: Config) -> Document:
    return url_document(
        link, config=config, source=item.source, title=item.title, published=item.published
    )
