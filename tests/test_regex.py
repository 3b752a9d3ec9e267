"""icalfeed.regex: start sets worked out from a pattern, and compiled patterns that find exactly
what ``re.compile`` finds."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from icalfeed import regex
from tests.conftest import release_texts
from tests.patterns import all_patterns

FIRST_CHARS = [
    ("literal", r"abc", 0, {"a"}),
    ("word-boundary-then-words", r"\b(?:call|webcast)\b", 0, {"c", "w"}),
    ("ignore-case", r"\b(?:call|webcast)\b", re.I, {"c", "C", "w", "W"}),
    ("lookbehind-skipped", r"(?<![\w:])(?:noon|\d)", 0, {"n", "\\d"}),
    ("optional-prefix", r"(?:the\s)?day", 0, {"t", "d"}),
    ("class", r"[A-C]x", 0, {"A", "B", "C"}),
    ("digit-class", r"\d{1,2}:\d\d", 0, {"\\d"}),
    ("repeat-at-least-once", r"(?:ab)+c", 0, {"a"}),
    ("repeat-maybe-none", r"(?:ab)*c", 0, {"a", "c"}),
    ("lookahead-narrower", r"(?=[AB])\w+", 0, {"A", "B"}),
    ("lookahead-wider-than-rest", r"(?=[A-Z])X", 0, {"X"}),
    ("any-char", r".x", 0, None),
    ("word-class", r"\w+", 0, None),
    ("negated-class", r"[^a]", 0, None),
    ("can-be-empty", r"a?", 0, None),
    ("zero-width-only", r"\b", 0, None),
    ("scoped-case-flag", r"(?i:a)b", 0, None),
    ("backreference", r"(a)\1", 0, {"a"}),
]


@pytest.mark.parametrize(
    ("source", "flags", "expected"),
    [case[1:] for case in FIRST_CHARS],
    ids=[case[0] for case in FIRST_CHARS],
)
def test_first_chars(source: str, flags: int, expected: set[str] | None) -> None:
    found = regex.first_chars(source, flags)
    assert (set(found) if found is not None else None) == expected


def test_the_fast_path_is_in_use_on_this_python() -> None:
    """The start set goes into the INFO block (the lookahead is only a fallback)."""
    assert regex._INFO_WORKS
    compiled = regex.compile(r"\b(?:call|webcast)\b", re.I)
    assert compiled.pattern == r"\b(?:call|webcast)\b"  # the source is kept as written


def test_a_pattern_that_can_match_empty_still_advances() -> None:
    """A zero-width pattern keeps re's own compilation (a start set there would loop)."""
    pattern = regex.compile(r"(?<=[a-z])(?=[A-Z])")
    assert pattern.sub("\n", "aBcDe") == "a\nBc\nDe"
    assert [m.start() for m in pattern.finditer("xYzW")] == [1, 3]


def _texts() -> list[str]:
    texts = [
        "",
        "x",
        "Call us at 4:30 p.m. ET on Thursday, April 28, 2011 - webcast at www.example.com.",
        # characters re.IGNORECASE folds onto ASCII letters
        "\u017fhareholders \u212a \u0130nvestor day \u0131nvestor",
        "\n\n  \u00a0\t MEETING\u2028Replay: 1-800-555-0100 passcode 12345#",
    ]
    texts += release_texts()
    return texts


TEXTS = _texts()
PATTERNS = all_patterns()


def _found(pattern: re.Pattern[str], text: str) -> list[object]:
    return [(m.span(), m.groups()) for m in pattern.finditer(text)]


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_compiled_patterns_find_what_re_finds(name: str) -> None:
    """Every parser pattern, compiled by icalfeed.regex, against plain re.compile of the same
    source, over the seeds, our releases and the dev corpus (when present): same matches,
    same groups, same substitutions; also searching from inside the text."""
    ours = PATTERNS[name]
    theirs = re.compile(ours.pattern, ours.flags & ~re.UNICODE)
    for text in TEXTS:
        assert _found(ours, text) == _found(theirs, text), Path(name).name
        assert ours.sub("\x00", text) == theirs.sub("\x00", text)
        middle = len(text) // 2
        a, b = ours.search(text, middle), theirs.search(text, middle)
        assert (a and (a.span(), a.groups())) == (b and (b.span(), b.groups()))


def test_no_character_below_the_first_other_digit_but_0_to_9_is_a_digit() -> None:
    digits = [c for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF and re.match(r"\d", chr(c))]
    assert [c for c in digits if c < regex._FIRST_OTHER_DIGIT] == list(range(48, 58))
    assert regex._FIRST_OTHER_DIGIT in digits
    # a start set with \d still finds digits of other scripts
    assert regex.compile(r"\b\d+ noon").search("at \u0661\u0662 noon")


def test_the_fold_table_lists_every_character_ignorecase_maps_to_ascii() -> None:
    everything = "".join(chr(c) for c in range(128, 0x110000) if not 0xD800 <= c <= 0xDFFF)
    found: dict[str, str] = {}
    for letter in "abcdefghijklmnopqrstuvwxyz":
        same = "".join(sorted(set(re.findall(letter, everything, re.I))))
        if same:
            found[letter] = same
    assert found == {k: "".join(sorted(v)) for k, v in regex._FOLDS_TO_ASCII.items()}


def _url_texts() -> list[str]:
    """Texts full of near-URLs: anchors without URLs, URLs without spaces between, long labels."""
    import random

    rng = random.Random(20261122)
    tokens = [
        "www.", ".com", ".co", ".io", "http://", "https://", "://", "a-b", "ab", "x" * 70,
        "@", "/", " ", "\n", ".", "example", "ir.acme", ".ir", "WWW.", ".COM", "(", ")", "-",
    ]  # fmt: skip
    return ["".join(rng.choice(tokens) for _ in range(rng.randint(1, 400))) for _ in range(300)]


def test_times_without_noon_words_are_found_by_the_digit_only_pattern() -> None:
    from icalfeed.extract.mentions import _DIGIT_TIME_RE, _TIME_RE, _time_pattern

    for text in TEXTS + [t.replace("noon", "n00n").replace("midday", "m1dday") for t in TEXTS]:
        if "noon" in text or "midday" in text:
            assert _time_pattern(text) is _TIME_RE
            continue
        assert _time_pattern(text) is _DIGIT_TIME_RE
        assert _found(_DIGIT_TIME_RE, text) == _found(_TIME_RE, text)
    # the words the shortcut looks for are the only ones the dropped alternatives match
    assert _TIME_RE.search("at noon ET")
    assert not _DIGIT_TIME_RE.search("at noon ET")
    assert _DIGIT_TIME_RE.search("12 noon")


def test_undot_ampm_is_the_substitution() -> None:
    from icalfeed.extract.kinds import _AMPM_DOTS, undot_ampm

    samples = ["4:30 p.m. ET", "8 A.M. and 5 P. M.", "a.m.", "program. A.M", "am pm", "P.m."]
    for text in TEXTS + samples:
        assert undot_ampm(text) == _AMPM_DOTS.sub(r"\1m", text)
    assert undot_ampm("8 A.M. and 5 p. m.") == "8 Am and 5 pm"


def test_clean_characters_is_the_two_substitutions() -> None:
    from icalfeed.normalize import _INVISIBLE, _SPACES, clean_characters

    every = "".join(chr(c) for c in range(0x3100)) + "\ufeff"
    samples = [every, every[:128], "a\tb\x0bc\x7fd", "caf\u00e9\u00a0\u200bx"]
    for text in TEXTS + samples:
        assert clean_characters(text) == _INVISIBLE.sub("", _SPACES.sub(" ", text))
    assert clean_characters("a\tb\u00a0c\u200bd\x00") == "a b cd"


def test_impossible_clock_times_are_reported_as_written() -> None:
    from icalfeed.extract.mentions import find_bad_times

    assert find_bad_times("at 25:00, 4:75 p.m. or 13:30 p.m. and 4:30 p.m.") == [
        "25:00",
        "4:75 p.m.",
        "13:30 p.m.",
    ]


@pytest.mark.parametrize(
    "name", ["icalfeed.normalize._DATELINE", "icalfeed.extract.segments._TAIL"]
)
def test_searching_line_starts_finds_what_search_finds(name: str) -> None:
    pattern = PATTERNS[name]
    assert pattern.flags & re.MULTILINE
    assert pattern.pattern.startswith("(?m)^")  # it can match only where a line starts
    assert regex._after_newline(pattern) is not None  # (searched as "\n…", not line by line)
    for text in [*TEXTS, "", "\n", "x\n\nAbout Acme\n", "About Acme"]:
        for pos in sorted({0, 1, 2, len(text) // 3, len(text) // 2, len(text)}):
            if pos > len(text):
                continue
            a, b = regex.search_lines(pattern, text, pos), pattern.search(text, pos)
            assert (a and (a.span(), a.groups())) == (b and (b.span(), b.groups()))


FOLDED = sorted(n for n, p in PATTERNS.items() if regex._lower_case(p) is not None)


def _lower(groups: tuple[str | None, ...]) -> tuple[str | None, ...]:
    return tuple(g.lower() if g is not None else None for g in groups)


@pytest.mark.parametrize("name", FOLDED)
def test_case_blind_search_on_lower_case_finds_what_re_finds(name: str) -> None:
    """CaseBlind's search and finditer against re's, for every case-blind
    parser pattern: same spans, the same groups in lower case; over the corpus, stretches of
    it, upper-cased text and the characters str.lower() does not fold as re.I does."""
    pattern = PATTERNS[name]
    folds = ["\u0131nvestor day", "\u017fhareholders meeting", "\u0130nvestor Day", "\u212aeynote"]
    for text in TEXTS + [t.upper() for t in TEXTS[:12]] + folds:
        step = max(1, len(text) // 5)
        for window in [text] + [text[i : i + 300] for i in range(0, len(text), step)]:
            expected = [(m.span(), _lower(m.groups())) for m in pattern.finditer(window)]
            found = [
                (m.span(), _lower(m.groups())) for m in regex.CaseBlind(window).finditer(pattern)
            ]
            assert found == expected
            a, b = regex.CaseBlind(window).search(pattern), pattern.search(window)
            assert (a and a.span()) == (b and b.span())


def test_only_the_listed_characters_lower_case_differently_from_re_ignorecase() -> None:
    """Outside ASCII, only "İ" and the Kelvin sign lower-case to ASCII; re.I also matches "ı"
    and "ſ" to ASCII letters: lower_case refuses texts with "İ", "ı" or "ſ"."""
    to_ascii = {
        chr(c)
        for c in range(128, 0x110000)
        if not 0xD800 <= c <= 0xDFFF and any(x.isascii() and x.isalpha() for x in chr(c).lower())
    }
    assert to_ascii == {"\u0130", "\u212a"}
    assert set(regex._UNLOWERED) | {"\u212a"} == {
        ch for chars in regex._FOLDS_TO_ASCII.values() for ch in chars
    }
    assert regex.lower_case("K \u212a") == "k k"
    assert regex.lower_case("\u0130stanbul") is None


def test_a_zone_glued_to_a_label_is_split() -> None:
    from icalfeed.normalize import _GLUED, clean_text

    zones = ["EST", "EDT", "ET", "CST", "CDT", "CT", "PST", "PDT", "PT", "GMT", "BST", "CET"]
    labels = ["LINK", "TIME", "DATE", "Link", "Time", "Date", "Webcast", "Dial"]
    glued = [f"at 4:30 p.m. {z}{lab}: www.x.com" for z in [*zones, "CEST", "UTC"] for lab in labels]
    assert all((m := _GLUED.search(t)) and m["zone"] for t in glued)
    assert clean_text("4:30 p.m. ESTLINK: www.x.com") == "4:30 p.m. EST\nLINK: www.x.com"


def test_exchange_places_are_found() -> None:
    from icalfeed.extract.events import _EXCHANGE_PLACE

    made = [
        "Nasdaq Stockholm",
        "Euronext Paris",
        "OMX Helsinki",
        "London Stock  Exchange",
        "Frankfurter Börse",
        "NASDAQ Copenhagen",
        "Boerse Stuttgart",
        "Oslo Stock\nExchange",
    ]
    assert all(_EXCHANGE_PLACE.search(t) for t in made)


def test_find_urls_finds_what_finditer_finds() -> None:
    from icalfeed.extract.details import _URL, find_urls

    for text in TEXTS + _url_texts():
        assert [m.span() for m in find_urls(text)] == [m.span() for m in _URL.finditer(text)]


def test_conference_names_are_found_as_finditer_finds_them() -> None:
    from icalfeed.extract.details import (
        _CONF_NAME,
        _CONF_NAME_LONGEST,
        _CONF_NAME_REACH,
        _CONF_WORD_RE,
        find_names,
    )

    long_name = " ".join(["Abcdefghij" * 4] * 14)
    extra = [
        f"The {long_name} Healthcare Conference 2024 and the Other Summit",
        "Day Day Day " * 50 + "Jefferies 2017 London Healthcare Conference",
        "the of and on the for in de du – - @ X Forum",
    ]
    for text in TEXTS + extra + _name_texts():
        expected = [m.span() for m in _CONF_NAME.finditer(text)]
        found = regex.finditer_near(
            _CONF_NAME, _CONF_WORD_RE, text, reach=_CONF_NAME_REACH, longest=_CONF_NAME_LONGEST
        )
        assert [m.span() for m in found] == expected
        assert [m.span() for m in find_names(text)] == expected


def _name_texts() -> list[str]:
    """Word soup of name parts, conference words, breaks and near-parts, in runs long and short."""
    import random

    rng = random.Random(20261122)
    words = [
        "Conference", "Day", "Days", "Forum", "Summit", "The", "the", "Jefferies", "2017", "1st",
        "&", "–", "-", "@", "of", "and", "in", "(Annual", "xGlobal", "GLOBAL", "Health,",
        "A" + "b" * 45, "B" + "c" * 70, "Q4", "at", "annual", "2024", "’s", "J.P.", "Co/Op",
    ]  # fmt: skip
    spaces = [" "] * 12 + ["  ", "\n", "\t", "\u00a0", " \n"]
    texts = []
    for _ in range(400):
        n = rng.randint(1, 60)
        texts.append("".join(rng.choice(words) + rng.choice(spaces) for _ in range(n)))
    return texts


CASE_BLIND = [
    ("words", r"\b(?:call|webcast|Meeting)\b"),
    ("negated-class", r"[^a-c\s]+"),
    ("not-literal", r"x[^s]y"),
    ("range", r"[A-F0-9]{2,}"),
    ("folds", r"\b(?:sk|is|ik)\w*"),
    ("lazy-and-lookaround", r"(?<=q)u.{0,3}?(?=k)"),
    ("backreference-left-to-re", r"(ab)\1"),
    ("scoped-flag-left-to-re", r"a(?-i:B)c"),
]
CASE_TEXTS = [
    "Call WEBCAST meeting MEETING calls",
    "ABC abc xSy xsy x\u017fy XsY aBc DEF 0F 0f",
    "\u017fk \u212a \u0130s \u0131k SK sk Is IK ab AB aB Ab abab ABab",
    "QUIRK quirk QuiK q\u0130k",
]


@pytest.mark.parametrize("source", [c[1] for c in CASE_BLIND], ids=[c[0] for c in CASE_BLIND])
def test_case_blind_patterns_compile_to_the_same_matches(source: str) -> None:
    ours, theirs = regex.compile(source, re.I), re.compile(source, re.I)
    assert ours.flags == theirs.flags
    for text in CASE_TEXTS:
        assert _found(ours, text) == _found(theirs, text)
        assert ours.sub("-", text) == theirs.sub("-", text)


GROUPED = [  # alternations gathered by first character: the order of trial must not change
    ("prefix-order", r"(?:ab|a|abc)d"),
    ("backtrack-into-later", r"(?:a|ab)(?:c|bcd)"),
    ("captures", r"(?:(a)b|(a)c|(b)d)+"),
    ("nested", r"(?:call|conference|c(?:o|a)ll|webcast|web|w)\w?"),
    ("overlapping-sets-left-alone", r"(?:[ab]x|ay|bz)"),
    ("empty-rest", r"(?:a|ab|)c"),
    ("lazy", r"(?:ab??|abb)+?c"),
    ("distributed", r"(?:(?:a|ab)(?:c|bc)|ad|(?:b|a)d)"),
    ("distributed-captures", r"(?:(?:a|b)(c)|(a)d|bd)"),
    ("distributed-nested", r"(?:(?:(?:a|b)c|ac)d|abd|bcd)"),
    ("boundary-gathered", r"(?:\bab|\bbc|x|\bac|b|\bad)"),
    ("boundary-distributed", r"\b(?:ab|bc)\b|(?:ac|bd)\s+c|\bbd"),
    ("boundary-and-not", r"(?:\Bab|\bac|\Bad|a|\bab)"),
    ("boundary-captures", r"(?:\b(a)b|\b(b)c|(a)c|\bad)"),
]
GROUPED_TEXTS = [
    "abcd ad abd abc acd",
    "aabbccdd abab acac bdbd",
    "call coll conference webcastx w",
    "ax ay bz bx",
    "ac abc c",
    "abbc abc ac abbbc",
    "abc abbc ad bd bc acd bcd abd",
    "ab bc xab aab bab ac bd c ac  c bdx abad",
]


@pytest.mark.parametrize("source", [c[1] for c in GROUPED], ids=[c[0] for c in GROUPED])
@pytest.mark.parametrize("flags", [0, re.I])
def test_grouped_alternatives_match_as_re_does(source: str, flags: int) -> None:
    ours, theirs = regex.compile(source, flags), re.compile(source, flags)
    for text in GROUPED_TEXTS + [t.upper() for t in GROUPED_TEXTS]:
        assert _found(ours, text) == _found(theirs, text), text
        for start in range(len(text)):
            a, b = ours.match(text, start), theirs.match(text, start)
            assert (a and (a.span(), a.groups())) == (b and (b.span(), b.groups()))


def test_alternatives_are_grouped_by_first_character() -> None:
    from re import _parser as parser  # type: ignore[attr-defined]

    parsed = parser.parse(r"(?:call|conference|webcast|web)")
    [(_op, (_, alternatives))] = regex._rewritten(list(parsed), alternatives=regex._grouped)
    assert [regex._one_char(list(a)) for a in alternatives] == [
        frozenset([ord("c")]),
        frozenset([ord("w")]),
    ]


def test_alternatives_opening_with_a_boundary_are_gathered_behind_one() -> None:
    from re import _parser as parser  # type: ignore[attr-defined]

    parsed = parser.parse(r"\bcall|\bconference|x|\bwebcast")
    [(_op, (_, alternatives))] = regex._rewritten(list(parsed), alternatives=regex._grouped)
    assert [str(next(iter(a))) for a in alternatives] == ["(LITERAL, 120)", "(AT, AT_BOUNDARY)"]
    [(_sub, (_g, _a, _d, inner))] = list(alternatives[1])[1:]
    [(_op, (_, behind))] = list(inner)
    assert [regex._one_char(list(a)) for a in behind] == [
        frozenset([ord("c")]),
        frozenset([ord("w")]),
    ]


def test_an_alternative_does_not_move_past_one_that_can_start_alike() -> None:
    from re import _parser as parser  # type: ignore[attr-defined]

    parsed = parser.parse(r"\bab|a|\bac")  # "a" may match where "\bac" does: order kept
    [(_op, (_, alternatives))] = regex._rewritten(list(parsed), alternatives=regex._grouped)
    assert len(alternatives) == 3


POSSESSIVE = [  # (id, pattern, flags, whether a repeat in it becomes possessive)
    ("run-then-colon", r"[a-z]+:", 0, True),
    ("digits-then-dot", r"\d{1,2}[:.]\d\d", 0, True),
    ("word-then-space", r"\w+\s+\w", 0, True),
    ("lazy-then-stop", r"[a-z ]{0,9}?\.", 0, True),
    ("in-group-then-outside", r"(?:x([A-Z][a-z]{0,5}))[ ,]", 0, True),
    ("branch-tails", r"(?:[a-z]+|\d+)-", 0, True),
    ("lookahead-body", r"(?=[a-z]+;)\w", 0, True),
    ("end-of-line", r"[a-z\n]+$", re.M, False),  # $ may pass where a character was given back
    ("word-boundary", r"[a-z.]+\b", 0, False),
    ("rest-can-be-empty", r"[a-z]+(?:;)?", 0, False),
    ("overlapping", r"[a-z]+[a-c]", 0, False),
    ("negated-overlap", r"[^\n]{0,40}?[:\-]", 0, False),
    ("repeated-group-body", r"(?:[a-z]+)+:", 0, False),
    ("any-follows", r"[a-z]+.", 0, False),
    ("case-blind", r"[a-z]+\d", re.I, True),
    ("digit-then-word", r"\d+\w", 0, False),
    ("space-then-not-space", r"\s+\S", 0, True),
]


def _has_possessive(source: str, flags: int) -> bool:
    from re import _constants as c  # type: ignore[attr-defined]
    from re import _parser as parser  # type: ignore[attr-defined]

    parsed = parser.parse(source, flags)
    data = regex._possessive(list(parsed.data), [], parsed.state.flags)
    return f"{c.POSSESSIVE_REPEAT}" in str(data)


@pytest.mark.parametrize(
    ("source", "flags", "possessive"),
    [c[1:] for c in POSSESSIVE],
    ids=[c[0] for c in POSSESSIVE],
)
def test_repeats_made_possessive_match_as_re_does(
    source: str, flags: int, possessive: bool
) -> None:
    if not flags & re.I:  # (case-blind sets are spelt out before this rewrite)
        assert _has_possessive(source, flags) is possessive
    ours, theirs = regex.compile(source, flags), re.compile(source, flags)
    rng = random.Random(source)
    alphabet = ["a", "b", "c", "z", "A", "Q", "1", "9", ":", ";", ".", "-", " ", "\n", "x", "_"]
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        assert _found(ours, text) == _found(theirs, text), text
        for start in range(len(text)):
            a, b = ours.match(text, start), theirs.match(text, start)
            assert (a and (a.span(), a.groups())) == (b and (b.span(), b.groups())), text


OPTIONALS = [  # optional parts written as choices: the same trials in the same order
    ("groups", r"(?:(a)(b))?(a)?b"),
    ("failed-capture-forgotten", r"(?:(a)c)?a(b)?"),
    ("lazy", r"x(?:(a)b)??(ab)?"),
    ("nested", r"(?:a(?:(b)c)?d)?\w"),
    ("in-a-repeat", r"(?:(a)(?:(b)c)?)+"),
    ("can-match-empty", r"(?:(a)*)?b"),
    ("in-a-lookahead", r"(?=(?:ab)?c)\w+"),
    ("after-a-choice", r"(?:a|ab)(?:(b)c)?c"),
]


@pytest.mark.parametrize("source", [c[1] for c in OPTIONALS], ids=[c[0] for c in OPTIONALS])
def test_optional_parts_as_choices_match_as_re_does(source: str) -> None:
    from re import _constants as c  # type: ignore[attr-defined]
    from re import _parser as parser  # type: ignore[attr-defined]

    rewritten = regex._optionals(list(parser.parse(source).data))
    assert f"{c.BRANCH}" in str(rewritten)
    ours, theirs = regex.compile(source), re.compile(source)
    rng = random.Random(source)
    for _ in range(400):
        text = "".join(rng.choice("abcdx") for _ in range(rng.randint(0, 10)))
        assert _found(ours, text) == _found(theirs, text), text
        for start in range(len(text)):
            a, b = ours.match(text, start), theirs.match(text, start)
            assert (a and (a.span(), a.groups())) == (b and (b.span(), b.groups())), text


def test_matches_at_finds_what_finditer_finds_given_every_start() -> None:
    pattern = regex.compile(r"\b(?:call|cal|webcast)s?\b", re.I)
    text = "Calls, a call; webcasts and a CAL webcast. recall"
    every = range(len(text))
    assert [m.span() for m in regex.matches_at(pattern, text, reversed(every))] == [
        m.span() for m in pattern.finditer(text)
    ]
    starts = [m.start() for m in pattern.finditer(text)]
    # only the starts of its matches, with others and repeats: the same matches
    assert [m.start() for m in regex.matches_at(pattern, text, [*starts, 3, 3, 9])] == starts
