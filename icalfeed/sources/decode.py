"""Bytes -> text, and a guess at what kind of document the bytes are.

>>> decode_bytes(b"caf\\xe9 \\x93quoted\\x94")
'café “quoted”'
>>> decode_bytes("Grüße".encode("utf-16"))
'Grüße'
>>> sniff_content_type(b"<!DOCTYPE html><html><body>Hi</body></html>")
'text/html'
"""

from __future__ import annotations

import codecs
import re

from icalfeed.errors import DecodeError

TEXT_PLAIN = "text/plain"
TEXT_HTML = "text/html"
MESSAGE_RFC822 = "message/rfc822"
RSS = "application/rss+xml"
ATOM = "application/atom+xml"
OCTET_STREAM = "application/octet-stream"

# Longest first: the UTF-32 LE BOM starts with the UTF-16 LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# File signatures of formats that are not text: reading them as cp1252 would "succeed" and hand
# the parser garbage, so we say what they are instead.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a zip archive (or .docx/.xlsx)"),
    (b"PK\x05\x06", "an empty zip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an OLE file (.doc/.xls/.msg)"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"BZh", "bzip2-compressed data"),
    (b"\xfd7zXZ\x00", "xz-compressed data"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\x7fELF", "an executable"),
    (b"MZ", "a Windows executable"),
)

_SAMPLE = 8192  # bytes looked at for signatures, NUL ratio and <meta charset>
# More NULs than this share of the sample (outside UTF-16/32) means binary; so do more other C0
# control characters than theirs. A few strays in short text are cleaned up instead.
_MAX_NUL_RATIO, _MIN_NULS = 0.05, 4
_MAX_CONTROL_RATIO, _MIN_CONTROLS = 0.10, 8
# C0 controls other than NUL, tab, newline, carriage return and form feed.
_CONTROL_BYTES = bytes(b for b in range(1, 0x20) if b not in b"\t\n\r\x0c")

_CHARSET_PARAM_RE = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9._:+-]+)""", re.I)
_META_RE = re.compile(rb"<meta\b[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9._:+-]+)", re.I)
_XML_DECL_RE = re.compile(rb"""^<\?xml\b[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:+-]+)["']""")

# Everything below U+0020 except tab, newline, carriage return and form feed; DEL; C1 controls;
# and the non-characters U+FFFE/U+FFFF. (U+FEFF is handled separately: a BOM at the start.)
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_NEWLINE_RE = re.compile("\r\n?")

# WHATWG encoding rules: these labels mean windows-1252 on the web, and real-world "latin-1"
# text is almost always cp1252 (curly quotes at 0x93/0x94).
_AS_CP1252 = {"latin_1", "iso8859_1", "ascii", "cp1252"}


_PROBE = '<meta charset="x">'


def _codec(label: str) -> str | None:
    """The Python codec name for a declared charset, or None when we do not honour it: unknown
    labels, and codecs that are not ASCII-compatible (UTF-16/32 and EBCDIC declared in ASCII
    are wrong by construction -- a BOM or the NUL pattern finds real UTF-16) or UTF-7 (which
    browsers refuse, as it can smuggle markup past filters)."""
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
        compatible = codecs.encode(_PROBE, name) == _PROBE.encode("ascii")
    except (LookupError, ValueError, TypeError, UnicodeError):
        return None
    norm = name.replace("-", "_")
    if not compatible or norm == "utf_7":
        return None
    return "cp1252" if norm in _AS_CP1252 else name


def declared_charset(content_type: str | None) -> str | None:
    """The ``charset`` parameter of a Content-Type header, lower case, or None.

    >>> declared_charset('text/html; charset="ISO-8859-1"')
    'iso-8859-1'
    """
    if not content_type:
        return None
    m = _CHARSET_PARAM_RE.search(content_type.encode("latin-1", "replace"))
    return m.group(1).decode("ascii").lower() if m else None


def _bom(raw: bytes) -> tuple[str, int] | None:
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            return codec, len(bom)
    return None


def _utf16_without_bom(sample: bytes) -> str | None:
    """``utf-16-le``/``-be`` when every other byte is NUL (ASCII text saved as UTF-16, no BOM)."""
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    n = len(sample) // 2
    if odd.count(0) >= 0.9 * n and even.count(0) <= 0.1 * n:
        return "utf-16-le"
    if even.count(0) >= 0.9 * n and odd.count(0) <= 0.1 * n:
        return "utf-16-be"
    return None


def binary_kind(raw: bytes) -> str | None:
    """What non-text format ``raw`` looks like (``"a PDF document"``), or None for text.

    >>> binary_kind(b"%PDF-1.7 ...")
    'a PDF document'
    >>> binary_kind(b"Results call on May 1") is None
    True
    """
    if _bom(raw) is not None:
        return None
    for magic, kind in _MAGIC:
        if raw.startswith(magic):
            # "MZ" and "BZh" are also how a few English words start; demand binary company.
            if len(magic) < 4 and _looks_textual(raw[:_SAMPLE]):
                continue
            return kind
    sample = raw[:_SAMPLE]
    if not sample or _utf16_without_bom(sample):
        return None
    if sample.count(0) > max(_MIN_NULS, _MAX_NUL_RATIO * len(sample)):
        return f"binary data ({sample.count(0)} NUL bytes in the first {len(sample)})"
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if controls > max(_MIN_CONTROLS, _MAX_CONTROL_RATIO * len(sample)):
        return f"binary data ({controls} control bytes in the first {len(sample)})"
    return None


def _looks_textual(sample: bytes) -> bool:
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return b"\x00" not in sample and controls < 4


def _in_document_charset(head: bytes) -> str | None:
    """A charset declared by an XML declaration or an HTML ``<meta>`` in the first bytes."""
    head = head.lstrip()
    m = _XML_DECL_RE.match(head) or _META_RE.search(head)
    return m.group(1).decode("ascii") if m else None


def clean_text(text: str) -> str:
    """Drop NULs and other control characters; newlines become ``\\n``.

    >>> clean_text("a\\x00b\\r\\nc\\x85d\\x1be")
    'ab\\ncde'
    """
    text = text.removeprefix("\ufeff")
    return _CONTROL_RE.sub("", _NEWLINE_RE.sub("\n", text))


def decode_bytes(raw: bytes, content_type: str | None = None) -> str:
    """Decode a release to text, trying in order: a byte-order mark, the charset the HTTP header
    (``content_type``) declares, one an XML declaration or HTML ``<meta>`` declares, UTF-8, then
    cp1252 and finally latin-1 (which cannot fail).

    A declared charset whose decoding fails is ignored rather than trusted. Control characters and
    NUL bytes are removed and newlines normalised to ``\\n``. Binary content (a PDF, a zip, an
    image, or many NUL/control bytes) raises :class:`~icalfeed.errors.DecodeError` naming it.

    >>> decode_bytes(b'<meta charset="windows-1252"><p>\\x96 Q1</p>')
    '<meta charset="windows-1252"><p>– Q1</p>'
    >>> decode_bytes(b"%PDF-1.4 ...")
    Traceback (most recent call last):
    ...
    icalfeed.errors.DecodeError: cannot read the release as text: it is a PDF document
    """
    if not raw:
        return ""
    if kind := binary_kind(raw):
        raise DecodeError(f"cannot read the release as text: it is {kind}")
    candidates: list[tuple[str, int]] = []
    if bom := _bom(raw):
        candidates.append(bom)
    if utf16 := _utf16_without_bom(raw[:_SAMPLE]):
        candidates.append((utf16, 0))
    for label in (declared_charset(content_type), _in_document_charset(raw[:_SAMPLE])):
        if label and (codec := _codec(label)):
            candidates.append((codec, 0))
    candidates += [("utf-8", 0), ("cp1252", 0)]
    for codec, skip in candidates:
        try:
            return clean_text(raw[skip:].decode(codec))
        except (UnicodeDecodeError, LookupError):
            continue
    return clean_text(raw.decode("latin-1"))


# --- content type -----------------------------------------------------------------------------

_SUFFIX_TYPES = {
    ".txt": TEXT_PLAIN,
    ".text": TEXT_PLAIN,
    ".html": TEXT_HTML,
    ".htm": TEXT_HTML,
    ".xhtml": TEXT_HTML,
    ".eml": MESSAGE_RFC822,
    ".rss": RSS,
    ".atom": ATOM,
}
_DECLARED_TYPES = {
    "text/plain": TEXT_PLAIN,
    "text/html": TEXT_HTML,
    "application/xhtml+xml": TEXT_HTML,
    "message/rfc822": MESSAGE_RFC822,
    "application/rss+xml": RSS,
    "application/rdf+xml": RSS,
    "application/atom+xml": ATOM,
}
_HTML_START_RE = re.compile(
    rb"^(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|title|meta|p|div|table|h[1-6])\b",
    re.I | re.S,
)
_HTML_ANYWHERE_RE = re.compile(rb"<(?:html|body|p|div|br|table)\b[^>]*>", re.I)
_RSS_RE = re.compile(rb"<(?:rss|rdf:RDF)\b", re.I)
_ATOM_RE = re.compile(rb"<feed\b[^>]*\bxmlns\s*=\s*[\"']http://www\.w3\.org/2005/Atom", re.I)
_HEADER_LINE_RE = re.compile(rb"^[A-Za-z][A-Za-z0-9-]*:[ \t]", re.M)
_MAIL_HEADERS = (b"from:", b"message-id:", b"received:", b"mime-version:", b"return-path:")


def media_type(content_type: str | None) -> str | None:
    """``"Text/HTML; charset=utf-8"`` -> ``"text/html"``; None for None or empty."""
    if not content_type:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None


def _sniff_head(raw: bytes) -> bytes:
    head = raw[:_SAMPLE]
    if bom := _bom(head):
        head = head[bom[1] :]
    # Dropping NULs turns UTF-16/32 ASCII into ASCII, which is all the sniffing looks at.
    return head.replace(b"\x00", b"").lstrip()


def _looks_like_email(head: bytes) -> bool:
    headers, sep, _ = head.replace(b"\r\n", b"\n").partition(b"\n\n")
    if not sep:
        return False
    lines = [ln for ln in headers.split(b"\n") if ln and not ln[:1].isspace()]
    if not lines or not all(_HEADER_LINE_RE.match(ln) for ln in lines):
        return False
    names = {ln.split(b":", 1)[0].lower() + b":" for ln in lines}
    return bool(names & set(_MAIL_HEADERS)) and len(lines) >= 2


def sniff_content_type(raw: bytes, filename: str | None = None, declared: str | None = None) -> str:
    """What ``raw`` is: ``text/plain``, ``text/html``, ``message/rfc822``,
    ``application/rss+xml``, ``application/atom+xml``, or ``application/octet-stream`` for
    binary content (see :func:`binary_kind`).

    A specific ``declared`` type (an HTTP Content-Type) wins, then the ``filename``'s suffix, then
    the bytes themselves. Generic declarations (``application/xml``, ``application/octet-stream``)
    and ``.xml`` files are sniffed.

    >>> sniff_content_type(b"<?xml version='1.0'?><rss version='2.0'></rss>", declared="text/xml")
    'application/rss+xml'
    >>> sniff_content_type(b"From: ir@example.com\\nMessage-ID: <1@x>\\n\\nHello")
    'message/rfc822'
    >>> sniff_content_type(b"<p>Hi</p>", filename="release.txt")
    'text/plain'
    """
    if binary_kind(raw):
        return OCTET_STREAM
    if (mt := media_type(declared)) in _DECLARED_TYPES:
        return _DECLARED_TYPES[mt]
    if filename:
        suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        if suffix in _SUFFIX_TYPES:
            return _SUFFIX_TYPES[suffix]
    head = _sniff_head(raw)
    if head.startswith(b"<?xml") or head[:1] == b"<":
        if _RSS_RE.search(head):
            return RSS
        if _ATOM_RE.search(head):
            return ATOM
    if _HTML_START_RE.match(head):
        return TEXT_HTML
    if _looks_like_email(head):
        return MESSAGE_RFC822
    if head.startswith(b"<") and _HTML_ANYWHERE_RE.search(head):
        return TEXT_HTML
    return TEXT_PLAIN
