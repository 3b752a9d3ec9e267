"""Who announces: company name and its listings, from ``ImmunoGen, Inc. (Nasdaq: IMGN)``."""

from __future__ import annotations

import re

from icalfeed import regex
from icalfeed.model import Issuer, Listing

__all__ = ["find_issuer", "short_name"]

_EXCHANGES = {
    "nasdaq": "NASDAQ", "nasdaqgs": "NASDAQ", "nasdaqgm": "NASDAQ", "nasdaqcm": "NASDAQ",
    "nasdaq global select market": "NASDAQ", "nasdaq global market": "NASDAQ",
    "nasdaq capital market": "NASDAQ", "nyse": "NYSE", "new york stock exchange": "NYSE",
    "nyse american": "NYSE American", "nyse mkt": "NYSE American", "nyse amex": "NYSE American",
    "amex": "NYSE American", "nyse arca": "NYSE Arca", "lse": "LSE", "aim": "AIM",
    "london stock exchange": "LSE", "tsx": "TSX", "tsx-v": "TSXV", "tsxv": "TSXV",
    "tsx venture": "TSXV", "cse": "CSE",
    "asx": "ASX", "nzx": "NZX", "euronext paris": "Euronext Paris",
    "euronext amsterdam": "Euronext Amsterdam", "euronext brussels": "Euronext Brussels",
    "euronext": "Euronext", "otcqx": "OTCQX", "otcqb": "OTCQB", "otc": "OTC", "otcbb": "OTCBB",
    "otc pink": "OTC Pink", "otc markets": "OTC", "pink sheets": "OTC Pink", "hkex": "HKEX",
    "sehk": "HKEX", "hk": "HKEX", "sgx": "SGX", "six": "SIX", "xetra": "XETRA", "fse": "FSE",
    "frankfurt": "FSE", "bse": "BSE", "nse": "NSE", "tse": "TSE", "tyo": "TSE", "jasdaq": "JASDAQ",
    "kosdaq": "KOSDAQ", "krx": "KRX",
    "oslo": "Oslo Børs", "ose": "Oslo Børs", "oslo børs": "Oslo Børs",
    "omx": "Nasdaq Nordic",
    "nasdaq helsinki": "Nasdaq Helsinki", "nasdaq stockholm": "Nasdaq Stockholm",
    "nasdaq copenhagen": "Nasdaq Copenhagen", "nasdaq omx": "Nasdaq Nordic", "ssx": "SSE",
    "sse": "SSE", "szse": "SZSE", "star": "SSE STAR", "tase": "TASE", "jse": "JSE", "b3": "B3",
    "bmv": "BMV", "wse": "WSE", "bit": "Borsa Italiana", "bme": "BME", "vse": "Wiener Börse",
    "wiener börse": "Wiener Börse", "aim:": "AIM",
}  # fmt: skip

_LISTING = regex.compile(
    r"(?P<ex>[A-Z][A-Za-zø ]{0,35}?(?:-[A-Z]+)?)\s*:\s*"
    r"(?P<tk>[A-Z0-9][A-Z0-9.\-]{0,9}[a-z]?)(?![a-z0-9])"
)
_PARENS = regex.compile(r"\(([^()\n]{3,160})\)")
_SUFFIX = regex.compile(
    r"(?<![,\s])[,\s]{1,5}(?:Inc|Incorporated|Corp|Corporation|Co|Company|Ltd|Limited|plc|PLC|AG|SE|SA|S\.A|N\.V|NV|"
    r"ASA|AB|A/S|Oyj|Oy|LLC|L\.P|LP|Holdings?|Group|Holding|Bancshares|GmbH|KGaA|S\.p\.A|SpA|"
    r"Co\.,?\s+Ltd)\.?$"
)


_LISTING_SPLIT = regex.compile(r"[;,]|\band\b|/(?=\s?[A-Z][A-Za-z ]+:)")
_EXCHANGE_WORD_AT_END = regex.compile(r"\b(?:Stock\s+Exchange|Exchange|Börse|Bourse|Borsa|Bolsa)$")
# from the first space of a run only (the match is the same), so a run of spaces is scanned once
_STOCK_EXCHANGE_AT_END = regex.compile(r"(?<!\s)\s+Stock\s+Exchange$")


def _listings(inner: str) -> tuple[Listing, ...]:
    if ":" not in inner:  # every listing is "Exchange: TICKER"
        return ()
    found: list[Listing] = []
    for part in _LISTING_SPLIT.split(inner):
        m = _LISTING.search(part.strip())
        if not m:
            continue
        name = " ".join(m["ex"].split())
        exchange = _EXCHANGES.get(name.lower())
        if exchange is None and _EXCHANGE_WORD_AT_END.search(name):
            exchange = _EXCHANGES.get(_STOCK_EXCHANGE_AT_END.sub("", name).lower(), name)
        if (
            exchange is None
            and name.isupper()
            and 2 <= len(name) <= 6
            and name not in ("CEO", "CFO", "ID", "PIN")
        ):
            exchange = name  # an exchange code we do not know by name: DFM, MOEX...
        if exchange is None:
            continue
        found.append(Listing(exchange, m["tk"].upper().rstrip(".")))
    return tuple(dict.fromkeys(found))


# (possessive: what may follow a word is a comma, a space or the end, none of which the word's
# characters are, so giving characters back never helps; re would try each before failing)
_NAME_WORD = r"[A-Z0-9][\w&.'’\-]{0,40}+"
_NAME_BEFORE = regex.compile(
    rf"(?<![\w&.'’\-])((?:{_NAME_WORD}|&|and|de|of|the)"
    rf"(?:,?[ ](?:{_NAME_WORD}|&|and|de|of)){{0,8}})"
    r"[ ]{0,3},?[ ]{0,3}$"
)

# The last place in a text before which _NAME_BEFORE cannot start a match: a character no match
# holds (a match is words, commas and spaces), or the start of a word that can only open a match
# (its later words are capitalised words, "&", "and", "de" or "of"; "the" may come first). re
# tries _NAME_BEFORE at every capitalised word of the text and runs each try to the end, which
# cost ~45 K instructions a release; from here it tries the last few. (\A: a search of a text
# with no such place tries once, not at every character.)
_NAME_BEFORE_FROM = regex.compile(
    r"\A.*(?:[^\w&.'’\-, ]"
    r"|(?<![\w&.'’\-])(?![A-Z0-9]|(?:&|and|de|of)(?![\w&.'’\-]))(?=[\w&.'’\-]))",
    re.S,
)


def _name_before(before: str) -> re.Match[str] | None:
    """``_NAME_BEFORE.search(before)``, quicker: a search from where a match can start."""
    m = _NAME_BEFORE_FROM.match(before)
    return _NAME_BEFORE.search(before, m.end() if m else 0)


_LEADING_FILLER = regex.compile(r"^(?:(?:The|the|and|today|Today|--|—)\s+)+")
_VERB_LEAD = regex.compile(r"^.*\b(?:Announces|Reports|announced|--)\s+")


def find_issuer(text: str, headline: str | None = None) -> Issuer | None:
    """The company whose listing the release names first, else the headline's subject."""
    for m in _PARENS.finditer(text[:20000]):
        listings = _listings(m.group(1))
        if not listings:
            continue
        before = text[max(0, m.start() - 160) : m.start()]
        before = before.split("\n")[-1]
        nm = _name_before(before)
        name = nm.group(1).strip(" ,") if nm else None
        if name:
            name = _LEADING_FILLER.sub("", name)
            name = _VERB_LEAD.sub("", name)
        if not name:
            name = _headline_subject(headline) or listings[0].ticker
        return Issuer(name, listings)
    subject = _headline_subject(headline)
    if subject:
        return Issuer(subject)
    return None


_HEADLINE_VERB = regex.compile(
    r"(?<!\s)\s{1,5}(?:to|will|announces?|reports?|schedules?|sets|declares?|hosts?|invites?|presents?|"
    r"postpones?|reschedules?|cancels?|provides?|confirms?|issues?|updates?|holds?|convenes?|"
    r"notice|calls?|plans?|and)\b|(?<!\s)\s{0,5}[:\-–—|]\s",
    re.I,
)


def _headline_subject(headline: str | None) -> str | None:
    if not headline:
        return None
    m = _HEADLINE_VERB.search(headline)
    subject = headline[: m.start()].strip() if m else ""
    if 2 <= len(subject) <= 60 and subject[0].isupper():
        return subject
    return None


def short_name(issuer: Issuer | None) -> str:
    """``ImmunoGen, Inc.`` -> ``ImmunoGen``; for titles a person would write."""
    if issuer is None or not issuer.name:
        return issuer.ticker or "" if issuer else ""
    name: str = issuer.name
    for _ in range(3):
        shorter = _SUFFIX.sub("", name).strip(" ,")
        if shorter == name or not shorter:
            break
        name = shorter
    return name
