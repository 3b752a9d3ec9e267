"""Raw release text or HTML -> :class:`~icalfeed.model.Release`: clean text, date, headline.

Pure: no I/O, no clock. The text that comes out keeps the release's block structure as line
breaks (HTML block elements become lines), drops invisible characters (NBSP becomes a space;
zero-width, bidi and control characters go) and un-glues labels that lost their line break when a
page was flattened (``2025Time:``, ``ESTLINK:``). Character offsets of the cleaned text are what
evidence spans refer to.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from html.parser import HTMLParser

from icalfeed import regex
from icalfeed.errors import UnsupportedContentError
from icalfeed.model import Release

__all__ = [
    "MONTH_PATTERN",
    "clean_text",
    "html_to_text",
    "looks_like_html",
    "month_number",
    "read_release",
]

_BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "title",
        "tr",
        "ul",
    ]
)
_SKIP_TAGS = frozenset({"script", "style", "head", "noscript", "template", "svg"})


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.href_stack: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")
        if tag in ("td", "th"):
            self.parts.append(" ")
        if tag == "a":
            self.href_stack.append(dict(attrs).get("href"))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")
        if tag == "a" and self.href_stack:
            href = self.href_stack.pop()
            # A link whose text is not its address: keep the address, a webcast may hide there.
            if href and href.startswith(("http://", "https://")):
                tail = "".join(self.parts[-3:])
                if href not in tail:
                    self.parts.append(f" <{href}>")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


_HTML_CHUNK = 64 * 1024
_HTML_HINT = regex.compile(r"<(?:html|body|p|div|br|table|span|a\s|h[1-6]|li)\b[^>]{0,200}>", re.I)


def looks_like_html(text: str) -> bool:
    """Whether ``text`` is HTML rather than plain text that mentions a tag."""
    return len(_HTML_HINT.findall(text[:20000])) >= 2


def html_to_text(markup: str, check: Callable[[], None] | None = None) -> str:
    """HTML -> plain text with block elements on their own lines.

    ``check`` is called between chunks of the markup (the parser's time budget raises there).
    """
    parser = _TextExtractor()
    try:
        for start in range(0, len(markup), _HTML_CHUNK):
            parser.feed(markup[start : start + _HTML_CHUNK])
            if check is not None:
                check()
        parser.close()
    except (AssertionError, ValueError) as exc:  # pragma: no cover - html.parser is lenient
        raise UnsupportedContentError(f"cannot read this HTML: {exc}") from exc
    return "".join(parser.parts)


# Characters dropped (zero-width, bidi marks, soft hyphen, controls) and those read as a space.
_INVISIBLE_CLASS = (
    "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad"
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
)
_SPACE_CLASS = "\u00a0\u2000-\u200a\u202f\u205f\u3000\t"
_INVISIBLE = regex.compile(f"[{_INVISIBLE_CLASS}]")
_SPACES = regex.compile(f"[{_SPACE_CLASS}]")
_INVISIBLE_OR_SPACE = regex.compile(f"[{_INVISIBLE_CLASS}{_SPACE_CLASS}]")


def _expanded(char_class: str) -> str:
    """The characters of a class body written with literal characters (``a-z`` ranges)."""
    chars: list[str] = []
    i = 0
    while i < len(char_class):
        if char_class[i + 1 : i + 2] == "-" and i + 2 < len(char_class):
            chars.extend(map(chr, range(ord(char_class[i]), ord(char_class[i + 2]) + 1)))
            i += 3
        else:
            chars.append(char_class[i])
            i += 1
    return "".join(chars)


# Every character of the two classes -> what it becomes.
_CLEANED = dict.fromkeys(_expanded(_INVISIBLE_CLASS), "") | dict.fromkeys(
    _expanded(_SPACE_CLASS), " "
)
_ASCII_CLEANED = "".join(ch for ch in _CLEANED if ch.isascii())


def _space_or_nothing(m: re.Match[str]) -> str:
    return "" if _INVISIBLE.match(m.group()) else " "


def clean_characters(text: str) -> str:
    """Spaces of every width as " ", invisible characters dropped."""
    return _cleaned_characters(text, _classes(text))


def _cleaned_characters(text: str, classes: bytes) -> str:
    """``_INVISIBLE_OR_SPACE.sub(_space_or_nothing, text)`` without a regex scan of every
    character (~60 instructions each): ``classes`` (:func:`_classes`) says whether any ASCII
    character of the classes is there (``in`` over bytes is a memchr) and where the characters
    beyond ASCII are, which are looked at one by one. Each character found is then replaced
    throughout with ``str.replace``."""
    present = [ch for ch in _ASCII_CLEANED if ch in text] if b"c" in classes else []
    if not text.isascii():
        # a look at a character costs ~2,500 instructions, the regex ~60 a character: a text
        # with many beyond ASCII (CJK) is left to the regex
        budget = len(text) // 32 + 16
        find, i = classes.find, classes.find(b"q")
        while i >= 0:
            ch = text[i]
            if ch in _CLEANED and ch not in present:
                present.append(ch)
            budget -= 1
            if budget < 0:
                return _INVISIBLE_OR_SPACE.sub(_space_or_nothing, text)
            i = find(b"q", i + 1)
    for ch in present:
        text = text.replace(ch, _CLEANED[ch])
    return text


_MD_LINK = regex.compile(r"\[([^\]\n]{1,300})\]\((?:#|[^)\s]{0,500})\)")
_ANGLE_URL = regex.compile(r"<((?:https?://|www\.)[^<>\s]{1,500})>")
# Labels glued to the end of the previous value when a page was flattened: "2025Time:",
# "ESTLINK:", "0062International". Both kinds are split in one pass over the text.
# - A zone glued to a label ("ESTLINK"): the match is the zone and the label.
_GLUED_ZONES = ("EST", "EDT", "ET", "CST", "CDT", "CT", "PST", "PDT", "PT", "GMT", "BST", "CET",
                "CEST", "UTC")  # fmt: skip
_ZONE_LABELS = r"(?:LINK|TIME|DATE|Link|Time|Date|Webcast|Dial)"
_GLUED_ZONE_LABEL = (
    rf"\b(?=[A-Z]{{2}})(?P<zone>{'|'.join(_GLUED_ZONES)})(?P<zone_label>{_ZONE_LABELS})\b"
)
# Where such a split falls: the label's start, right after a glued zone.
_ZONE_SPLIT = "(?:" + "|".join(rf"(?<=\b{zone})" for zone in _GLUED_ZONES) + rf"){_ZONE_LABELS}\b"
# - Otherwise only capitalised label words followed by a colon or a dial-in word, after a digit
#   or a lower-case letter: the match is the label's capital. The colon must come before any
#   zone split, as it would once that split is made (a pattern that can match empty gets no
#   start set).
_GLUED_LABEL_WORDS = ("Time", "Date", "Link", "LINK", "TIME", "DATE", "Webcast", "WEBCAST",
                      "Dial", "DIAL", "Toll", "TOLL", "Conference ID", "Passcode", "PASSCODE",
                      "Access", "Participant", "International", "Domestic", "Replay",
                      "Location", "Venue", "Register", "Registration", "Event", "U.S.",
                      "US Dial", "Canada", "UK")  # fmt: skip
_GLUED_LABEL = (
    rf"(?<=[0-9a-z)])(?=(?:{'|'.join(map(re.escape, _GLUED_LABEL_WORDS))})\b"
    rf"(?:(?!{_ZONE_SPLIT})[^\n]){{0,40}}?[:\-–])"
    r"[A-Z]"
)
_GLUED = regex.compile(f"{_GLUED_ZONE_LABEL}|{_GLUED_LABEL}")
# The labels of _GLUED_LABEL by their first letter.
_LABELS_BY_LETTER = {
    letter: tuple(w for w in _GLUED_LABEL_WORDS if w[0] == letter)
    for letter in {w[0] for w in _GLUED_LABEL_WORDS}
}
# A zone glued to a label holds a T, the zone's last letter (or UTC's T), right before the label.
_ZONE_T = regex.compile(rf"TC?(?={_ZONE_LABELS}\b)")
_LONGEST_ZONE = max(map(len, _GLUED_ZONES))

# A text's bytes (one a character, "?" for any beyond ASCII) -> one class each, for clean_text's
# scans: "c" an ASCII character clean_characters replaces, "q" a "?" (a character beyond ASCII,
# or "?"), "a" what may come before a glued label ([0-9a-z)]), "A" a capital a label starts with.
_CLASS_OF = (
    dict.fromkeys(_ASCII_CLEANED, "c")
    | {"?": "q"}
    | dict.fromkeys("0123456789abcdefghijklmnopqrstuvwxyz)", "a")
    | dict.fromkeys(_LABELS_BY_LETTER, "A")
)
_CLASSES = bytes(ord(_CLASS_OF.get(chr(c), " ")) for c in range(256))


def _classes(text: str) -> bytes:
    return text.encode("ascii", "replace").translate(_CLASSES)


def _unglued(m: re.Match[str]) -> str:
    if m["zone"]:
        return f"{m['zone']}\n{m['zone_label']}"
    return "\n" + m.group()


def _unglue(text: str, classes: bytes) -> str:
    """``_GLUED.sub(_unglued, text)``, with the pattern tried only near where a label may be glued.

    A match's label starts right after a zone's T (``_ZONE_T``, a quick scan for one letter:
    the match starts at most ``_LONGEST_ZONE`` before the label) or at a capital after
    [0-9a-z)] (a glued label, where the match starts: "aA" in ``classes``). The pattern is
    tried, in order, at each position from which a match could hold one of those labels.
    """
    labels = [m.end() for m in _ZONE_T.finditer(text)]
    i = classes.find(b"aA")
    while i >= 0:
        i += 1
        if text.startswith(_LABELS_BY_LETTER[text[i]], i):
            labels.append(i)
        i = classes.find(b"aA", i)
    if not labels:
        return text
    labels.sort()
    pieces = []
    done = 0  # the text before this is in pieces
    tried = 0  # no match starts in [done, tried)
    match = _GLUED.match
    for label in labels:
        for start in range(max(done, tried, label - _LONGEST_ZONE), label + 1):
            m = match(text, start)
            if m is not None:
                pieces.append(text[done:start])
                pieces.append(_unglued(m))
                done = m.end()
                break
        tried = label + 1
    pieces.append(text[done:])
    return "".join(pieces)


# Blank lines (spaces only) between paragraphs: one is kept.
_MANY_BLANKS = regex.compile(r"\n[ ]*\n(?:[ ]*\n)+")
# _MANY_BLANKS once no line ends in a space: runs of three newlines or more.
_NEWLINES = regex.compile(r"\n\n\n+")


def clean_text(text: str) -> str:
    """Normalise characters and line structure; the result is what the extractors read."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n")
    classes = _classes(text)
    cleaned = _cleaned_characters(text, classes)
    if "](" in cleaned:
        cleaned = _MD_LINK.sub(r"\1", cleaned)
    if "<" in cleaned:
        cleaned = _ANGLE_URL.sub(r"\1", cleaned)
    if len(cleaned) != len(text):  # (else only spaces replaced spaces, "q" or "c": no "a" or "A")
        classes = _classes(cleaned)
    text = _unglue(cleaned, classes)
    if " \n" in text:  # (the last line's trailing spaces go with the final strip)
        text = "\n".join(line.rstrip(" ") for line in text.split("\n"))
    if "\n\n\n" in text:  # (_MANY_BLANKS, now that no line ends in a space)
        text = _NEWLINES.sub("\n\n", text)
    return text.strip("\n ")


# ---------------------------------------------------------------- publication date and dateline

_HEADER = regex.compile(r"\A\s*date[ \t]+(\d{4})-(\d{2})-(\d{2})[ \t]*\n?")
_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
# Month names as releases write them (the date finders in icalfeed.extract use this too).
MONTH_PATTERN = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_MONTH_RE = MONTH_PATTERN + r"\.?"
_DL_DATE = (
    rf"(?:(?P<m1>{_MONTH_RE})\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y1>(?:19|20)\d\d)"
    rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m2>{_MONTH_RE}),?\s+(?P<y2>(?:19|20)\d\d)"
    r"|(?P<d3>\d{1,2})\.(?P<m3>\d{1,2})\.(?P<y3>(?:19|20)\d\d)"
    r"|(?P<y4>(?:19|20)\d\d)-(?P<m4>\d\d)-(?P<d4>\d\d))"
)
_WIRE = (
    r"(?:/\s*(?:PRNewswire|PR\s?Newswire|CNW|Canada NewsWire|PRNewswire-FirstCall|"
    r"PRNewswire-Asia|Marketwire|Marketwired|GLOBE NEWSWIRE|EQS-News|Accesswire|ACCESSWIRE)"
    r"[^/\n]{0,30}/"
    r"|\(\s*(?:BUSINESS WIRE|Business Wire|GLOBE NEWSWIRE|GlobeNewswire|NewMediaWire|"
    r"ACCESSWIRE|Accesswire|MARKETWIRE|Marketwire|PRNewswire|PR Newswire|EQS|Reuters|"
    r"Newsfile Corp\.?|NEWSWIRE|Nasdaq)[^)\n]{0,30}\))"
)
# A word of a dateline's place, ``[A-Z][A-Za-z.'\-]{0,30}``, written so that re gives back its
# letters only where a hyphen follows (and only in a word that has one): what comes after a
# word starts with a space, a comma, "(" or a dash, and of the word's characters only "-" can
# be one. The same ends are tried in the same order. (Giving back the letters one at a time on
# every capitalised line cost ~2.3 M instructions a bench round, almost half the search.)
_PLACE_WORD = r"[A-Z](?:[A-Za-z.'\-]{0,30}+|(?=[A-Za-z.']*+-)[A-Za-z.'\-]{0,30}(?=-))"
# PLACE, [Region,] DATE [WIRE] -- : the place is a run of capitalised words before the date.
_DATELINE = regex.compile(
    rf"(?m)^(?P<place>{_PLACE_WORD}(?:[ ,]{{1,3}}{_PLACE_WORD}){{0,6}})"
    rf"\s*(?:[,(]|--|—|–|-)\s*(?:{_WIRE}\s*(?:--|—|–|-)?\s*)?{_DL_DATE}"
    r"(?:,?\s*\d{1,2}:\d\d(?:\s*[AaPp]\.?[Mm]\.?)?(?:\s*[A-Z]{2,5})?)?"
    rf"\s*(?:{_WIRE})?\s*(?:--|—|–|-|:|/)?"
)
_DATE_ONLY_LINE = regex.compile(rf"(?m)^[ \t]*{_DL_DATE}[ \t]*$")


def _dl_date(m: re.Match[str]) -> date | None:
    g = m.groupdict()
    try:
        if g.get("y1"):
            return date(int(g["y1"]), month_number(g["m1"]), int(g["d1"]))
        if g.get("y2"):
            return date(int(g["y2"]), month_number(g["m2"]), int(g["d2"]))
        if g.get("y3"):
            return date(int(g["y3"]), int(g["m3"]), int(g["d3"]))
        if g.get("y4"):
            return date(int(g["y4"]), int(g["m4"]), int(g["d4"]))
    except (ValueError, KeyError):
        return None
    return None


_NOT_HEADLINE = regex.compile(
    r"^(?:exhibit\b|for immediate release|press release|news release|regulated information|"
    r"stock exchange release|company announcement|media release|\d{4}-\d\d-\d\d[ \d:]*|"
    r"english\b|page \d|source:|contact|investor relations$|ir$|news$)",
    re.I,
)


_THREE_LETTERS = regex.compile(r"[A-Za-z]{3}")


def _headline(lines: list[str]) -> str | None:
    for line in lines:
        s = line.strip()
        if not s or len(s) < 12 or len(s) > 250 or _NOT_HEADLINE.match(s):
            continue
        if not _THREE_LETTERS.search(s):
            continue
        return s
    return None


def read_release(
    text: str,
    *,
    published: date | None = None,
    content_type: str = "text/plain",
    check: Callable[[], None] | None = None,
) -> Release:
    """Read the publication date, dateline and headline of a release (text or HTML)."""
    if "html" in content_type or (content_type == "text/plain" and looks_like_html(text)):
        text = html_to_text(text, check)
    text = clean_text(text)
    published_from = "caller" if published else None
    header = _HEADER.match(text)
    if header:
        try:
            found = date(int(header[1]), int(header[2]), int(header[3]))
        except ValueError:
            found = None
        if found and published is None:
            published, published_from = found, "header"
        text = text[header.end() :].lstrip("\n ")
    window = text[:3000]
    place = None
    body_start = 0
    dateline = regex.search_lines(_DATELINE, window)
    if dateline:
        found = _dl_date(dateline)
        if found:
            place = dateline["place"].strip(" ,")
            body_start = dateline.end()
            if published is None:
                published, published_from = found, "dateline"
    headline_area = text[: dateline.start()] if dateline else text[:800]
    headline = _headline(headline_area.split("\n"))
    if published is None:
        only = _DATE_ONLY_LINE.search(window)
        if only and (found := _dl_date(only)):
            published, published_from = found, "dateline"
    return Release(
        text=text,
        published=published,
        published_from=published_from,
        headline=headline,
        dateline_place=place,
        body_start=body_start,
    )


def month_number(name: str) -> int:
    """``"Sept."`` -> 9."""
    key = name.rstrip(".").lower()
    return _MONTHS[key[:4] if key.startswith("sept") else key[:3]]
