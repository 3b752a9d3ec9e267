"""How releases get in: files, folders, stdin, e-mail, URLs and RSS/Atom feeds.

This package reads bytes and turns them into :class:`Document` values (raw bytes, decoded text,
content type, :class:`~icalfeed.store.records.Source`, optional title/date hints). It has no
database and no parser: the caller stores and parses.

The rules it keeps:

- **Files**: folders are walked recursively in sorted order; ``.txt``, ``.html``/``.htm`` and
  ``.eml`` are read, every other file gives a :class:`Skipped` with the reason; ``-`` is stdin.
  Files over ICALFEED_MAX_RELEASE_BYTES are skipped unread.
- **Text**: a BOM wins, then the declared charset (HTTP header, then XML declaration or HTML
  ``<meta>``), then UTF-8, then cp1252, then latin-1. NULs and control characters are removed,
  newlines become ``\\n``; binary content (PDF, zip, images, NUL-heavy bytes) raises DecodeError.
- **E-mail**: the stdlib parser; the text/plain part, else the HTML part; Subject and Date become
  the title and publication hints, Message-ID goes into the Source.
- **Network** (:func:`fetch_url`, used for URLs and for feeds and their links): http and https
  only; every address a host resolves to, on every redirect hop (at most 5), must be public --
  loopback, private, link-local, multicast, reserved and unspecified addresses (IPv4, IPv6,
  IPv4-in-IPv6) are refused unless ICALFEED_ALLOW_PRIVATE_URLS is set -- and the connection goes
  to the very address checked. ICALFEED_FETCH_TIMEOUT bounds the whole fetch, including slow
  drips; ICALFEED_MAX_RELEASE_BYTES bounds the body after gzip/deflate decoding (bombs stop at
  the cap). Conditional GETs (ETag, Last-Modified) report ``not_modified`` on 304.
- **URLs**: :func:`url_document` fetches one release and decodes it with the HTTP charset;
  binary content and feeds are UnsupportedContentError.
- **Feeds**: feedparser parses bytes that :func:`fetch_url` fetched; it never fetches itself.
  :func:`item_document` uses an item's own content when it is a full release, else its link.

Errors, all from :mod:`icalfeed.errors`::

    SourceError
    ├── UnsafeURLError     scheme, credentials, address, or a redirect to one
    ├── FetchError         network, timeout, too many redirects, corrupt encoding
    │   └── HTTPStatusError   4xx/5xx (has .status)        [defined in sources.fetch]
    └── TooLargeError      over the size cap, after decompression
    ReleaseError
    ├── DecodeError        binary bytes, not text
    └── UnsupportedContentError  an e-mail without a text part, a feed that is not a feed,
                                 a feed link to a PDF
"""

from icalfeed.sources.addresses import address_problem
from icalfeed.sources.decode import (
    binary_kind,
    clean_text,
    declared_charset,
    decode_bytes,
    media_type,
    sniff_content_type,
)
from icalfeed.sources.eml import EmailDocument, read_eml
from icalfeed.sources.feeds import (
    FULL_CONTENT_CHARS,
    FeedItem,
    FeedPoll,
    item_document,
    parse_feed,
    poll_feed,
)
from icalfeed.sources.fetch import (
    MAX_REDIRECTS,
    FetchResult,
    HTTPStatusError,
    check_url,
    fetch_url,
)
from icalfeed.sources.files import (
    SUFFIX_TYPES,
    Document,
    Skipped,
    document_from_bytes,
    iter_documents,
)
from icalfeed.sources.remote import fetched_document, url_document

__all__ = [
    "FULL_CONTENT_CHARS",
    "MAX_REDIRECTS",
    "SUFFIX_TYPES",
    "Document",
    "EmailDocument",
    "FeedItem",
    "FeedPoll",
    "FetchResult",
    "HTTPStatusError",
    "Skipped",
    "address_problem",
    "binary_kind",
    "check_url",
    "clean_text",
    "declared_charset",
    "decode_bytes",
    "document_from_bytes",
    "fetch_url",
    "fetched_document",
    "item_document",
    "iter_documents",
    "media_type",
    "parse_feed",
    "poll_feed",
    "read_eml",
    "sniff_content_type",
    "url_document",
]
