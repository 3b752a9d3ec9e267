"""iter_documents (files, folders, stdin, size cap) and read_eml (plain, HTML-only, broken)."""

from __future__ import annotations

import io
import os
import shutil
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from icalfeed.config import Config
from icalfeed.errors import DecodeError, TooLargeError, UnsupportedContentError
from icalfeed.sources import Document, Skipped, iter_documents, read_eml
from icalfeed.store.records import Source

DATA = Path(__file__).parent / "data" / "sources"


def documents(*paths: str | Path, **kwargs: object) -> list[Document | Skipped]:
    kwargs.setdefault("max_bytes", 100_000)
    return list(iter_documents(paths, **kwargs))  # type: ignore[arg-type]


# --- e-mail -------------------------------------------------------------------------------------


def test_eml_prefers_the_plain_part() -> None:
    mail = read_eml((DATA / "plain.eml").read_bytes())
    assert mail.content_type == "text/plain"
    assert mail.text.startswith("Acme will host a conference call on Thursday, April 30, 2026")
    assert "4:30 p.m. ET – dial 913-312-0379" in mail.text  # soft line break, cp1252 dash
    assert "Café." in mail.text
    assert "\r" not in mail.text
    assert mail.subject == "Acme to host Q1 2026 call – April 30"
    assert mail.message_id == "<20260414.1@acme.example>"
    assert mail.date == datetime(2026, 4, 14, 16, 5, tzinfo=timezone(timedelta(hours=-4)))


def test_eml_html_only_base64_latin1() -> None:
    mail = read_eml((DATA / "html-only.eml").read_bytes())
    assert mail.content_type == "text/html"
    assert "<p>Globex wird am 5. Mai 2026 um 10:00 Uhr MESZ" in mail.text
    assert "Grüße." in mail.text
    assert mail.message_id == "<abc-123@globex.example>"


def test_eml_without_text_part() -> None:
    with pytest.raises(UnsupportedContentError, match="application/pdf"):
        read_eml((DATA / "attachment-only.eml").read_bytes())


def test_eml_single_part_without_headers_of_note() -> None:
    mail = read_eml(b"Subject: hi\n\nJust text.\n")
    assert (mail.text, mail.content_type, mail.message_id, mail.date) == (
        "Just text.\n",
        "text/plain",
        None,
        None,
    )


@pytest.mark.parametrize(
    "date_header", ["not a date", "Tue, 31 Feb 2026 25:61:00 +0000", "Tue, 14 Apr 2026 10:00 -0000"]
)
def test_eml_bad_or_zoneless_date_is_none(date_header: str) -> None:
    mail = read_eml(f"Date: {date_header}\nSubject: x\n\nbody\n".encode())
    assert mail.date is None
    assert mail.text == "body\n"


def test_eml_unknown_charset_falls_back() -> None:
    raw = b"Content-Type: text/plain; charset=x-unknown\n\ncaf\xe9 \x93call\x94\n"
    assert read_eml(raw).text == "café “call”\n"


# --- files and folders --------------------------------------------------------------------------


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "releases"
    (root / "b" / "nested").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "a.txt").write_bytes(b"Release A")
    (root / "b" / "c.HTML").write_bytes(b"<p>Release C</p>")
    (root / "b" / "nested" / "d.htm").write_bytes(b"<p>Release D</p>")
    (root / "b" / "deck.pdf").write_bytes(b"%PDF-1.4")
    (root / "b" / "notes").write_bytes(b"no suffix")
    (root / ".hidden.txt").write_bytes(b"ignored")
    (root / ".git" / "config.txt").write_bytes(b"ignored")
    shutil.copy(DATA / "plain.eml", root / "b" / "alert.eml")
    return root


def test_folder_is_walked_recursively_in_sorted_order(tree: Path) -> None:
    got = documents(tree)
    assert [(type(d).__name__, Path(_path(d)).relative_to(tree).as_posix()) for d in got] == [
        ("Document", "a.txt"),
        ("Document", "b/alert.eml"),
        ("Document", "b/c.HTML"),
        ("Skipped", "b/deck.pdf"),
        ("Document", "b/nested/d.htm"),
        ("Skipped", "b/notes"),
    ]
    assert documents(tree) == got  # deterministic


def _path(item: Document | Skipped) -> str:
    if isinstance(item, Skipped):
        return item.path
    assert item.source.location is not None
    return item.source.location


def test_documents_carry_type_source_and_bytes(tree: Path) -> None:
    by_name = {Path(_path(d)).name: d for d in documents(tree)}
    a = by_name["a.txt"]
    assert isinstance(a, Document)
    assert (a.raw, a.text, a.content_type) == (b"Release A", "Release A", "text/plain")
    assert a.source == Source.file(str(tree / "a.txt"))
    c = by_name["c.HTML"]
    assert isinstance(c, Document)
    assert c.content_type == "text/html"
    mail = by_name["alert.eml"]
    assert isinstance(mail, Document)
    assert mail.source == Source.email(str(tree / "b" / "alert.eml"), "<20260414.1@acme.example>")
    assert mail.raw == (DATA / "plain.eml").read_bytes()
    assert mail.content_type == "text/plain"
    assert mail.title == "Acme to host Q1 2026 call – April 30"
    assert mail.published == date(2026, 4, 14)
    skipped = by_name["deck.pdf"]
    assert isinstance(skipped, Skipped)
    assert skipped.reason == "not a release file (.pdf)"


def test_symlinked_folders_are_not_followed(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"A")
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "link.txt").symlink_to(tmp_path / "a.txt")
    got = documents(tmp_path)
    assert [Path(_path(d)).name for d in got] == ["a.txt", "link.txt", "loop"]
    assert isinstance(got[1], Document)  # a link to a file is read
    assert isinstance(got[2], Skipped)  # a link to a folder is a "file" without a suffix


def test_explicit_files_keep_their_order(tree: Path) -> None:
    got = documents(tree / "b" / "c.HTML", tree / "a.txt")
    assert [Path(_path(d)).name for d in got] == ["c.HTML", "a.txt"]


def test_missing_path(tmp_path: Path) -> None:
    (item,) = documents(tmp_path / "nope.txt")
    assert item == Skipped(str(tmp_path / "nope.txt"), "no such file or folder")


def test_size_cap(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_bytes(b"x" * 1001)
    (tmp_path / "ok.txt").write_bytes(b"x" * 1000)
    big, ok = documents(tmp_path, max_bytes=1000)
    assert isinstance(big, Skipped)
    assert isinstance(big.error, TooLargeError)
    assert "over the size cap of 1000 bytes" in big.reason
    assert isinstance(ok, Document)


def test_size_cap_from_config(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_bytes(b"x" * 11)
    config = Config.from_env({}, max_release_bytes=10)
    (item,) = iter_documents([tmp_path], config=config)
    assert isinstance(item, Skipped)
    assert isinstance(item.error, TooLargeError)


def test_binary_file_with_text_suffix_is_skipped_with_its_bytes(tmp_path: Path) -> None:
    (tmp_path / "release.txt").write_bytes(b"%PDF-1.4 binary")
    (item,) = documents(tmp_path)
    assert isinstance(item, Skipped)
    assert isinstance(item.error, DecodeError)
    assert item.reason == "cannot read the release as text: it is a PDF document"
    assert item.raw == b"%PDF-1.4 binary"


def test_eml_without_text_is_skipped(tmp_path: Path) -> None:
    shutil.copy(DATA / "attachment-only.eml", tmp_path / "deck.eml")
    (item,) = documents(tmp_path)
    assert isinstance(item, Skipped)
    assert isinstance(item.error, UnsupportedContentError)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("cp1252.txt", "Acme Corp. “Q1 2026” results – conference call"),
        ("latin1-meta.html", "Société Générale"),
        ("utf16-bom.txt", "Konferenzschaltung am 30. April 2026"),
        ("utf8-bom.htm", "Naïve café"),
    ],
)
def test_encoded_files(name: str, expected: str) -> None:
    (item,) = documents(DATA / name)
    assert isinstance(item, Document)
    assert expected in item.text


@pytest.mark.skipif(os.geteuid() == 0, reason="file permissions do not apply to root")
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "locked.txt"
    path.write_bytes(b"secret")
    path.chmod(0)
    try:
        (item,) = documents(path)
    finally:
        path.chmod(0o600)
    assert isinstance(item, Skipped)
    assert item.reason.startswith("cannot read")


# --- stdin --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "content_type"),
    [
        (b"Call on May 1", "text/plain"),
        (b"<!doctype html><p>Call</p>", "text/html"),
    ],
)
def test_stdin(raw: bytes, content_type: str) -> None:
    (item,) = documents("-", stdin=io.BytesIO(raw))
    assert isinstance(item, Document)
    assert (item.raw, item.content_type, item.source) == (raw, content_type, Source.stdin())


def test_stdin_email() -> None:
    (item,) = documents("-", stdin=io.BytesIO((DATA / "plain.eml").read_bytes()))
    assert isinstance(item, Document)
    assert item.source == Source.email(None, "<20260414.1@acme.example>")
    assert item.content_type == "text/plain"


def test_stdin_over_the_cap() -> None:
    (item,) = documents("-", stdin=io.BytesIO(b"x" * 11), max_bytes=10)
    assert isinstance(item, Skipped)
    assert item.path == "-"
    assert isinstance(item.error, TooLargeError)
