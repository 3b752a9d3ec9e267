"""Releases coming in over HTTP: the request body (or a URL) -> a document -> a parse or the store.

Three ways in, one shape out (:class:`Submission`): a JSON object ``{"text": ..., "url": ...,
"published": "YYYY-MM-DD", "content_type": ...}``, a form with the same fields (the paste page),
or a raw body whose Content-Type says what it is (``text/plain``, ``text/html``,
``message/rfc822``). Parsing and ingesting are the parser's and the pipeline's; this module only
hands them what came in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Request

from icalfeed.config import Config
from icalfeed.errors import TooLargeError, UnsupportedContentError
from icalfeed.ingest import accept_release, default_parse, parse_text
from icalfeed.model import ParsedRelease
from icalfeed.sources.files import Document, document_from_bytes
from icalfeed.store import AddedRelease, Applied, Outcome, Source, Store
from icalfeed.web.dryrun import hard_limit, run_bounded
from icalfeed.web.filters import FilterError

TEXT_TYPES = ("text/plain", "text/html", "message/rfc822")
MAX_URL = 2000


@dataclass(frozen=True, slots=True)
class Submission:
    """A release as submitted: text or bytes, or a URL to fetch, and what the sender knows."""

    raw: bytes | None
    content_type: str
    url: str | None = None
    published: date | None = None


def _published(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise FilterError("published: expected a date as YYYY-MM-DD")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise FilterError(f"published={value[:40]!r}: expected a date as YYYY-MM-DD") from None


def _content_type(value: Any, default: str = "text/plain") -> str:
    if value in (None, ""):
        return default
    if not isinstance(value, str) or value.split(";")[0].strip().lower() not in TEXT_TYPES:
        raise UnsupportedContentError(
            f"content_type {str(value)[:60]!r}: expected one of {', '.join(TEXT_TYPES)}"
        )
    return value.split(";")[0].strip().lower()


def _url(value: Any) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) > MAX_URL:
        raise FilterError(f"url: expected a URL of at most {MAX_URL} characters")
    url = value.strip()
    if not url.lower().startswith(("http://", "https://")):
        raise FilterError("url: only http:// and https:// URLs can be fetched")
    return url


def _from_fields(fields: dict[str, Any], config: Config) -> Submission:
    text = fields.get("text")
    url = _url(fields.get("url"))
    if text is not None and not isinstance(text, str):
        raise FilterError("text: expected a string")
    if text and text.strip():
        raw = text.encode("utf-8")
        if len(raw) > config.max_release_bytes:
            raise TooLargeError(
                f"the release is over the limit of {config.max_release_bytes} bytes"
            )
        return Submission(
            raw,
            _content_type(fields.get("content_type")),
            published=_published(fields.get("published")),
        )
    if url:
        return Submission(
            None, "text/plain", url=url, published=_published(fields.get("published"))
        )
    raise FilterError("nothing to read: send the release as text, or a url to fetch")


def read_submission(req: Request, config: Config) -> Submission:
    """What the request submits; FilterError (400), UnsupportedContentError (415) otherwise."""
    mimetype = (req.mimetype or "").lower()
    if mimetype == "application/json":
        try:
            data = req.get_json(silent=True)
        except RecursionError:  # "[[[[…" nested deeper than the decoder's stack
            raise FilterError("the body is JSON nested too deep") from None
        if not isinstance(data, dict):
            raise FilterError("the body is not a JSON object")
        return _from_fields(data, config)
    if mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        fields: dict[str, Any] = dict(req.form.items())
        upload = req.files.get("file")
        if upload is not None and upload.filename:
            raw = upload.read(config.max_release_bytes + 1)
            if len(raw) > config.max_release_bytes:
                raise TooLargeError(
                    f"the file is over the limit of {config.max_release_bytes} bytes"
                )
            ctype = _content_type(upload.mimetype, "text/plain")
            return Submission(raw, ctype, published=_published(fields.get("published")))
        return _from_fields(fields, config)
    if mimetype in TEXT_TYPES:
        raw = req.get_data(cache=False)
        if len(raw) > config.max_release_bytes:
            raise TooLargeError(
                f"the release is over the limit of {config.max_release_bytes} bytes"
            )
        if not raw.strip():
            raise FilterError("the body is empty")
        return Submission(raw, mimetype, published=_published(req.args.get("published")))
    raise UnsupportedContentError(
        f"Content-Type {mimetype or '(none)'!r}: send application/json, a form, "
        f"or the release as {', '.join(TEXT_TYPES)}"
    )


def fetch_submission(sub: Submission, config: Config) -> Submission:
    """Fetch ``sub.url`` with the sources' safety rules (schemes, private addresses, size and
    time caps); a no-op for text."""
    if sub.url is None or sub.raw is not None:
        return sub
    from icalfeed.sources.decode import sniff_content_type
    from icalfeed.sources.fetch import fetch_url

    fetched = fetch_url(sub.url, config=config)
    kind = sniff_content_type(fetched.body, declared=fetched.content_type)
    return Submission(fetched.body, kind, url=sub.url, published=sub.published)


def source_of(sub: Submission, who: str) -> Source:
    """A URL's source, else ``api`` (with who sent it) or ``paste``."""
    if sub.url:
        return Source.url(sub.url)
    return Source("paste") if who == "paste" else Source.api(who)


def _document(sub: Submission, who: str) -> Document:
    if sub.raw is None:
        raise FilterError("nothing to read: send the release as text, or a url to fetch")
    return document_from_bytes(sub.raw, sub.content_type, source_of(sub, who))


def parse_submission(sub: Submission, config: Config) -> ParsedRelease:
    """A dry run: the parser's reading of the release, stored nowhere.

    Runs in a child process (:mod:`icalfeed.web.dryrun`): ParseBudgetError when it runs past
    ICALFEED_PARSE_BUDGET_SECONDS (the parser's own check) or twice that (the hard stop).
    """
    doc = _document(sub, "api")
    budget = config.parse_budget_seconds
    published = sub.published or doc.published

    def parse() -> ParsedRelease:
        return default_parse(
            doc.text, published=published, content_type=doc.content_type, budget_seconds=budget
        )

    return run_bounded(parse, limit=hard_limit(budget))


def ingest_submission(
    store: Store, sub: Submission, config: Config, who: str
) -> tuple[AddedRelease, Applied | None]:
    """Store the release (committed first), then parse it and record the parse.

    The same bytes twice are stored once; a release already parsed is not parsed again
    (``Applied`` is None then). Parser failures are recorded on the release, not raised.
    """
    doc = _document(sub, who)
    added = store.add_release(
        doc.raw,
        content_type=doc.content_type,
        source=doc.source,
        text=doc.text,
        published=sub.published or doc.published,
    )
    if not added.new and added.outcome is not Outcome.PENDING:
        return added, None
    result = parse_text(
        doc.text,
        published=sub.published or doc.published,
        content_type=doc.content_type,
        budget=config.parse_budget_seconds,
    )
    return added, store.record_parse(added.id, result)


def accept_review(store: Store, release_id: int, uid: str | None) -> Applied:
    """Accept a held event, or a whole held release (parsed again without the budget)."""
    return accept_release(store, release_id, uid)


__all__ = [
    "Submission",
    "accept_review",
    "fetch_submission",
    "ingest_submission",
    "parse_submission",
    "read_submission",
    "source_of",
]
