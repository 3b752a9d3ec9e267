"""E-mail alerts (``.eml``): the text/plain part, else the HTML part, with its headers as hints."""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

from icalfeed.errors import UnsupportedContentError
from icalfeed.sources.decode import TEXT_HTML, TEXT_PLAIN, decode_bytes


@dataclass(frozen=True, slots=True)
class EmailDocument:
    """The readable body of one e-mail and the headers a release can use.

    ``content_type`` is ``text/plain`` or ``text/html`` and says what ``text`` is; ``date`` is the
    Date header as an aware datetime (None when missing or malformed).
    """

    text: str
    content_type: str
    message_id: str | None
    subject: str | None
    date: datetime | None


def _header(msg: EmailMessage, name: str) -> str | None:
    try:
        value = msg.get(name)
    except (ValueError, TypeError, IndexError, AttributeError):  # malformed header
        return None
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def _date(msg: EmailMessage) -> datetime | None:
    try:
        header = msg.get("Date")
        value = getattr(header, "datetime", None) if header is not None else None
    except (ValueError, TypeError, IndexError, AttributeError):
        return None
    if not isinstance(value, datetime) or value.tzinfo is None:
        return None  # "-0000" (unknown zone) gives a naive datetime: not a usable instant
    return value


def read_eml(raw: bytes) -> EmailDocument:
    """Parse an RFC 5322 message with the standard library (``policy.default``).

    The body is the first text/plain part that is not an attachment, else the HTML part;
    quoted-printable and base64 are undone and each part is decoded with its own charset (falling
    back like :func:`~icalfeed.sources.decode.decode_bytes`). A message with neither raises
    :class:`~icalfeed.errors.UnsupportedContentError`; undecodable bytes raise DecodeError.

    >>> doc = read_eml(b"Subject: Q1 call\\nMessage-ID: <a@b>\\n\\nCall on May 1.\\n")
    >>> doc.subject, doc.message_id, doc.text
    ('Q1 call', '<a@b>', 'Call on May 1.\\n')
    """
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)  # policy.default always builds EmailMessage
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        types = sorted({p.get_content_type() for p in msg.walk() if not p.is_multipart()})
        raise UnsupportedContentError(
            f"e-mail has no text/plain or text/html body (parts: {', '.join(types) or 'none'})"
        )
    payload = part.get_payload(decode=True)
    body = payload if isinstance(payload, bytes) else b""
    content_type = TEXT_HTML if part.get_content_subtype() == "html" else TEXT_PLAIN
    return EmailDocument(
        text=decode_bytes(body, part.get("Content-Type")),
        content_type=content_type,
        message_id=_header(msg, "Message-ID"),
        subject=_header(msg, "Subject"),
        date=_date(msg),
    )
