"""decode_bytes and sniff_content_type: encodings, control characters, binary, content types."""

from __future__ import annotations

import codecs
import doctest
import gzip
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import icalfeed.sources
from icalfeed.errors import DecodeError
from icalfeed.sources import decode, decode_bytes, sniff_content_type

DATA = Path(__file__).parent / "data" / "sources"
RSS = "application/rss+xml"
ATOM = "application/atom+xml"


@pytest.mark.parametrize(
    ("raw", "content_type", "expected"),
    [
        (b"plain ascii", None, "plain ascii"),
        ("Grüße – “quoted”".encode(), None, "Grüße – “quoted”"),
        (b"caf\xe9 \x93quoted\x94 \x96 \x80", None, "café “quoted” – €"),
        (b"caf\xe9", "text/plain; charset=iso-8859-1", "café"),
        (b"\x81\x8d\xe9", None, "é"),  # undefined in cp1252 -> latin-1, C1 controls dropped
        ("Grüße".encode("utf-16"), None, "Grüße"),
        ("Grüße".encode("utf-16-be"), "text/plain; charset=utf-16-be", "Grüße"),
        (codecs.BOM_UTF16_BE + "Grüße".encode("utf-16-be"), None, "Grüße"),
        (codecs.BOM_UTF32_LE + "Grüße".encode("utf-32-le"), None, "Grüße"),
        ("Plain ASCII as UTF-16".encode("utf-16-le"), None, "Plain ASCII as UTF-16"),
        (codecs.BOM_UTF8 + "café".encode(), None, "café"),
        # The BOM beats a wrong declaration:
        (codecs.BOM_UTF8 + "café".encode(), "text/plain; charset=iso-8859-1", "café"),
        # A declaration that does not decode is ignored rather than trusted:
        (b"caf\xe9", "text/plain; charset=utf-8", "café"),
        (b"caf\xe9", "text/plain; charset=no-such-charset", "café"),
        ("日本語".encode("shift_jis"), "text/plain; charset=Shift_JIS", "日本語"),
        ("Ελληνικά".encode("iso-8859-7"), 'text/html; charset="iso-8859-7"', "Ελληνικά"),
        (b"a\x00b\x07c\x1bd\x7fe", None, "abcde"),
        (b"one\r\ntwo\rthree\n", None, "one\ntwo\nthree\n"),
        (b"tab\tand\x0cform feed", None, "tab\tand\x0cform feed"),
        (b"", None, ""),
    ],
    ids=[
        "ascii",
        "utf-8",
        "cp1252-fallback",
        "declared-latin1-as-cp1252",
        "latin1-last-resort",
        "utf-16-bom",
        "utf-16-be-declared",
        "utf-16-be-bom",
        "utf-32-le-bom",
        "utf-16-le-no-bom",
        "utf-8-bom",
        "bom-beats-header",
        "bad-declared-utf8",
        "unknown-charset",
        "shift-jis",
        "greek",
        "control-chars",
        "newlines",
        "tab-and-form-feed-kept",
        "empty",
    ],
)
def test_decode(raw: bytes, content_type: str | None, expected: str) -> None:
    assert decode_bytes(raw, content_type) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b'<html><head><meta charset="windows-1251"></head>\xcf\xf0\xe8', "При"),
        (
            b'<meta http-equiv="Content-Type" content="text/html; charset=koi8-r">\xf0\xd2\xc9',
            "При",
        ),
        (b"<?xml version='1.0' encoding='iso-8859-7'?><a>\xc1</a>", "Α"),
    ],
    ids=["meta-charset", "meta-http-equiv", "xml-declaration"],
)
def test_decode_in_document_charset(raw: bytes, expected: str) -> None:
    assert expected in decode_bytes(raw)


@pytest.mark.parametrize(
    "declared",
    ["utf-16", "utf-16le", "utf-32", "cp037", "utf-7", "rot13", "base64", "x-user-defined"],
)
def test_declarations_we_do_not_honour(declared: str) -> None:
    raw = f'<meta charset="{declared}"><p>caf\u00e9 +ADw-script+AD4-</p>'.encode()
    assert decode_bytes(raw) == raw.decode("utf-8")
    assert decode_bytes(raw, f"text/html; charset={declared}") == raw.decode("utf-8")


def test_http_header_beats_meta() -> None:
    raw = b'<meta charset="koi8-r"><p>caf\xc3\xa9</p>'
    assert "café" in decode_bytes(raw, "text/html; charset=utf-8")


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "a PDF document"),
        (b"PK\x03\x04\x14\x00\x06\x00", "a zip archive"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a PNG image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "a JPEG image"),
        (gzip.compress(b"hello"), "gzip-compressed data"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", "an OLE file"),
        (bytes(range(256)) * 4, "binary data"),
        (b"text\x00" * 100, "binary data"),
    ],
    ids=["pdf", "zip", "png", "jpeg", "gzip", "ole", "all-bytes", "nul-heavy"],
)
def test_binary_is_a_decode_error(raw: bytes, kind: str) -> None:
    with pytest.raises(DecodeError, match=f"cannot read the release as text: it is {kind}"):
        decode_bytes(raw)
    assert sniff_content_type(raw) == "application/octet-stream"


@pytest.mark.parametrize(
    "raw",
    [b"MZ Corp. will host a call", b"BZh... the ticker is BZH", b"GIF87a is not a word but ok?"],
    ids=["MZ-word", "BZh-word", "gif-ish"],
)
def test_short_magic_in_real_text(raw: bytes) -> None:
    if raw.startswith(b"GIF"):
        with pytest.raises(DecodeError):
            decode_bytes(raw)  # six-byte signatures are trusted
    else:
        assert decode_bytes(raw) == raw.decode()


@pytest.mark.parametrize(
    "name",
    ["cp1252.txt", "latin1-meta.html", "utf16-bom.txt", "utf8-bom.htm"],
)
def test_fixture_files_decode_to_clean_text(name: str) -> None:
    text = decode_bytes((DATA / name).read_bytes())
    assert "\ufffd" not in text
    assert "\ufeff" not in text
    assert "\r" not in text
    expected = {
        "cp1252.txt": "“Q1 2026” results – conference call",
        "latin1-meta.html": "Société Générale tiendra une conférence téléphonique",
        "utf16-bom.txt": "Grüße aus München",
        "utf8-bom.htm": "Naïve café call — May 1",
    }[name]
    assert expected in text


@given(st.binary(max_size=2000))
def test_decode_never_fails_except_with_decode_error(raw: bytes) -> None:
    try:
        text = decode_bytes(raw)
    except DecodeError:
        return
    assert "\x00" not in text
    assert "\r" not in text


@given(st.text(max_size=500))
def test_utf8_text_round_trips_apart_from_controls(text: str) -> None:
    raw = text.encode("utf-8")
    try:
        decoded = decode_bytes(raw)
    except DecodeError:
        return  # e.g. text made of NULs
    assert decoded == decode.clean_text(text)


# --- content type -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "filename", "declared", "expected"),
    [
        (b"Call on May 1", None, None, "text/plain"),
        (b"<!DOCTYPE html><html><body>x</body></html>", None, None, "text/html"),
        (b"  <!-- c --><html lang=en>", None, None, "text/html"),
        (b"<p>Short fragment</p>", None, None, "text/html"),
        (b"<b>bold</b> but no block element", None, None, "text/plain"),
        (b"<p>Hi</p>", "release.txt", None, "text/plain"),
        (b"Hi", "release.HTM", None, "text/html"),
        (b"anything", "alert.eml", None, "message/rfc822"),
        (b"From: a@b\r\nMessage-ID: <1@b>\r\nSubject: x\r\n\r\nbody", None, None, "message/rfc822"),
        (b"Note: this is a release\n\nbody", None, None, "text/plain"),
        (b"<?xml version='1.0'?>\n<rss version='2.0'><channel/></rss>", None, None, RSS),
        (b"<rdf:RDF xmlns:rdf='x'><channel/></rdf:RDF>", None, None, RSS),
        (b"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'/>", None, None, ATOM),
        (b"<?xml version='1.0'?><rss/>", None, "application/xml", RSS),
        (b"<?xml version='1.0'?><rss/>", "feed.xml", None, RSS),
        (b"<html>", None, "text/plain; charset=utf-8", "text/plain"),
        (b"Hi", None, "application/xhtml+xml", "text/html"),
        (b"<p>x</p>", None, "application/octet-stream", "text/html"),
        ("<html>".encode("utf-16"), None, None, "text/html"),
        (b"%PDF-1.4", "release.txt", "text/plain", "application/octet-stream"),
    ],
    ids=[
        "plain",
        "doctype",
        "comment-then-html",
        "fragment",
        "inline-tags-are-text",
        "suffix-txt-wins",
        "suffix-htm-any-case",
        "suffix-eml",
        "email-headers",
        "one-header-like-line",
        "rss",
        "rss-1.0-rdf",
        "atom",
        "generic-xml-declared",
        "xml-suffix",
        "declared-plain",
        "xhtml",
        "octet-stream-declared",
        "utf-16-html",
        "pdf-whatever-the-name",
    ],
)
def test_sniff_content_type(
    raw: bytes, filename: str | None, declared: str | None, expected: str
) -> None:
    assert sniff_content_type(raw, filename, declared) == expected


@given(st.binary(max_size=2000), st.sampled_from([None, "x.txt", "x.eml", "x.xml", "x"]))
def test_sniff_always_answers_one_of_the_known_types(raw: bytes, filename: str | None) -> None:
    assert sniff_content_type(raw, filename) in {
        "text/plain",
        "text/html",
        "message/rfc822",
        RSS,
        ATOM,
        "application/octet-stream",
    }


# --- package ------------------------------------------------------------------------------------


def test_all_names_exist_and_are_unique() -> None:
    names = icalfeed.sources.__all__
    assert len(names) == len(set(names))
    for name in names:
        assert getattr(icalfeed.sources, name) is not None


@pytest.mark.parametrize(
    "module", ["addresses", "bodies", "decode", "eml", "feeds", "fetch", "files", "remote"]
)
def test_doctests(module: str) -> None:
    mod = __import__(f"icalfeed.sources.{module}", fromlist=["_"])
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
