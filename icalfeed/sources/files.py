"""Releases from files, folders and standard input.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "b.txt").write_bytes(b"Call on May 1")
>>> _ = (folder / "a.pdf").write_bytes(b"%PDF-1.4")
>>> [type(d).__name__ for d in iter_documents([folder], max_bytes=1000)]
['Skipped', 'Document']
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import BinaryIO

from icalfeed.config import Config
from icalfeed.errors import ReleaseError, TooLargeError
from icalfeed.sources.decode import (
    MESSAGE_RFC822,
    TEXT_HTML,
    TEXT_PLAIN,
    decode_bytes,
    sniff_content_type,
)
from icalfeed.sources.eml import read_eml
from icalfeed.store.records import Source

#: File suffixes read as releases (case-insensitive); every other file is skipped.
SUFFIX_TYPES: dict[str, str] = {
    ".txt": TEXT_PLAIN,
    ".html": TEXT_HTML,
    ".htm": TEXT_HTML,
    ".eml": MESSAGE_RFC822,
}

STDIN = "-"


@dataclass(frozen=True, slots=True)
class Document:
    """One release ready to store: its bytes exactly as received and the text decoded from them.

    ``content_type`` says what ``text`` is (``text/plain`` or ``text/html``; for an e-mail, the
    type of the body part used, while ``raw`` is the whole message). ``title`` and ``published``
    are hints from the container (an e-mail's Subject and Date, a feed item's title and date).
    """

    raw: bytes
    text: str
    content_type: str
    source: Source
    title: str | None = None
    published: date | None = None


@dataclass(frozen=True, slots=True)
class Skipped:
    """A path that gave no document, and why (in words for a summary line).

    ``raw`` holds the bytes when the file was read but could not be turned into text (binary
    content, an e-mail without a text part): a caller that keeps every release can store them
    with ``text=None`` and ``error`` as the reason.
    """

    path: str
    reason: str
    error: Exception | None = None
    raw: bytes | None = None


def read_capped(stream: BinaryIO, max_bytes: int, name: str) -> bytes:
    """Read at most ``max_bytes`` from ``stream``; raise TooLargeError when there is more."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise TooLargeError(f"{name} is over the size cap of {max_bytes} bytes")
    return data


def document_from_bytes(
    raw: bytes,
    content_type: str,
    source: Source,
    *,
    title: str | None = None,
    declared: str | None = None,
) -> Document:
    """Decode ``raw`` (an .eml when ``content_type`` is ``message/rfc822``) into a Document.

    ``declared`` is a Content-Type header whose charset the decoder should try (an HTTP
    response's). Raises DecodeError or UnsupportedContentError when there is no text to be had.
    """
    if content_type == MESSAGE_RFC822:
        mail = read_eml(raw)
        return Document(
            raw=raw,
            text=mail.text,
            content_type=mail.content_type,
            source=Source.email(source.location, mail.message_id),
            title=mail.subject or title,
            published=mail.date.date() if mail.date else None,
        )
    return Document(raw, decode_bytes(raw, declared), content_type, source, title=title)


def _walk(folder: Path) -> Iterator[Path]:
    """Every file under ``folder`` in sorted order, skipping hidden entries and not following
    symbolic links to folders (no cycles)."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = Path(entry.path)
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(path)
        else:
            yield path


def _read_file(path: Path, max_bytes: int) -> Document | Skipped:
    name = str(path)
    content_type = SUFFIX_TYPES.get(path.suffix.lower())
    if content_type is None:
        return Skipped(name, f"not a release file ({path.suffix or 'no suffix'})")
    try:
        if (size := path.stat().st_size) > max_bytes:
            error = TooLargeError(f"{size} bytes is over the size cap of {max_bytes} bytes")
            return Skipped(name, str(error), error)
        with path.open("rb") as f:
            raw = read_capped(f, max_bytes, name)
    except TooLargeError as e:
        return Skipped(name, str(e), e)
    except OSError as e:
        return Skipped(name, f"cannot read: {e.strerror or e}", e)
    try:
        return document_from_bytes(raw, content_type, Source.file(name))
    except ReleaseError as e:
        return Skipped(name, str(e), e, raw)


def _read_stdin(stream: BinaryIO, max_bytes: int) -> Document | Skipped:
    try:
        raw = read_capped(stream, max_bytes, "standard input")
    except TooLargeError as e:
        return Skipped(STDIN, str(e), e)
    content_type = sniff_content_type(raw)
    if content_type not in (TEXT_PLAIN, TEXT_HTML, MESSAGE_RFC822):
        content_type = TEXT_PLAIN  # a feed or binary: let decoding say what is wrong
    try:
        return document_from_bytes(raw, content_type, Source.stdin())
    except ReleaseError as e:
        return Skipped(STDIN, str(e), e, raw)


def iter_documents(
    paths: Iterable[str | Path],
    *,
    config: Config | None = None,
    max_bytes: int | None = None,
    stdin: BinaryIO | None = None,
) -> Iterator[Document | Skipped]:
    """A Document or a Skipped for every file named or found in a folder named, in order.

    Folders are walked recursively in sorted order (hidden entries ignored); files with a suffix
    in :data:`SUFFIX_TYPES` are read, others give Skipped. ``-`` reads standard input (``stdin``,
    default ``sys.stdin.buffer``) and sniffs its type. The size cap is ``max_bytes``, else
    ``config.max_release_bytes``, else ICALFEED_MAX_RELEASE_BYTES from the environment.
    """
    if max_bytes is None:
        max_bytes = (config or Config.from_env()).max_release_bytes
    for p in paths:
        if str(p) == STDIN:
            yield _read_stdin(stdin if stdin is not None else sys.stdin.buffer, max_bytes)
            continue
        path = Path(p)
        if path.is_dir():
            for child in _walk(path):
                yield _read_file(child, max_bytes)
        elif path.exists():
            yield _read_file(path, max_bytes)
        else:
            yield Skipped(str(p), "no such file or folder")
