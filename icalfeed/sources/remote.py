"""A release behind a URL: fetch it under :mod:`~icalfeed.sources.fetch`'s rules, then decode it.

This is what ``icalfeed ingest https://...``, the web API's ``url`` field and a feed item's link
all need; the HTTP charset reaches the decoder and the content type is sniffed from the bytes.
"""

from __future__ import annotations

from datetime import date

from icalfeed.config import Config
from icalfeed.errors import UnsupportedContentError
from icalfeed.sources.decode import (
    MESSAGE_RFC822,
    TEXT_HTML,
    TEXT_PLAIN,
    binary_kind,
    sniff_content_type,
)
from icalfeed.sources.fetch import FetchResult, fetch_url
from icalfeed.sources.files import Document, document_from_bytes
from icalfeed.store.records import Source

READABLE = (TEXT_PLAIN, TEXT_HTML, MESSAGE_RFC822)


def content_type_header(result: FetchResult) -> str | None:
    """The response's Content-Type as a header again (media type and charset), or None."""
    if result.charset:
        return f"{result.content_type or TEXT_PLAIN}; charset={result.charset}"
    return result.content_type


def fetched_document(
    result: FetchResult,
    source: Source,
    *,
    title: str | None = None,
    published: date | None = None,
) -> Document:
    """Turn a :class:`FetchResult` into a Document.

    Raises UnsupportedContentError for anything but text, HTML and e-mail: binary content (a
    PDF, an image, NUL-heavy bytes, whatever the server calls it) or an RSS/Atom feed.
    """
    header = content_type_header(result)
    kind = sniff_content_type(result.body, declared=header)
    if kind not in READABLE:
        if kind.endswith("+xml"):
            what = "an RSS or Atom feed (poll it instead)"
        else:
            what = f"{binary_kind(result.body) or 'binary data'} ({result.content_type or kind})"
        raise UnsupportedContentError(f"{result.url} is {what}, not a text or HTML release")
    doc = document_from_bytes(result.body, kind, source, title=title, declared=header)
    if published is not None and doc.published is None:
        return Document(doc.raw, doc.text, doc.content_type, doc.source, doc.title, published)
    return doc


def url_document(
    url: str,
    *,
    config: Config,
    source: Source | None = None,
    title: str | None = None,
    published: date | None = None,
) -> Document:
    """Fetch ``url`` and decode it into a Document (``source`` defaults to ``Source.url(url)``).

    Raises what :func:`~icalfeed.sources.fetch.fetch_url` raises, UnsupportedContentError for
    content that is not a release, and DecodeError.
    """
    result = fetch_url(url, config=config)
    return fetched_document(result, source or Source.url(url), title=title, published=published)
