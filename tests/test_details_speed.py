"""The shortcuts in icalfeed.extract.details against the plain searches they stand for, on
texts made to trip them: words cut at a window's edge, case and Unicode folds, text edges."""

from __future__ import annotations

import random
from datetime import date

from icalfeed.extract.details import (
    _REPLAY,
    _REPLAY_HEADER,
    _URL,
    _replay_in,
    _replay_until,
    find_details,
    find_urls,
)
from icalfeed.extract.mentions import DateMention


def _made(tokens: list[str], seed: int, count: int = 400, longest: int = 300) -> list[str]:
    rng = random.Random(seed)
    texts = ["", " ", "\n", *tokens]
    texts += [
        "".join(rng.choice(tokens) for _ in range(rng.randint(1, longest))) for _ in range(count)
    ]
    return texts


_URL_TOKENS = [
    "www.", "WWW.", "wWw.", "www", "wwww.", "ww.", ".com", ".COM", ".co", ".io", ".ir", ".ıo",
    ".net", ".org", "http://", "https://", "HTTPS://", "httpſ://", "://", ":", "//", "@", "/",
    ".", "-", "a", "ab", "ab-c",
    "x" * 62, "y" * 63, "z" * 64, "k" * 65, "\u212a", "\u0130", "\u0131", "\u017f", "é", "7", " ",
    "\n", "(", ")", "“", "”", '"', "<", "]", "_", "=",
]  # fmt: skip


def test_find_urls_is_finditer() -> None:
    """The URLs found trying only the starts named by the anchors are finditer's, including
    labels of 62 - 65 characters either side of the anchor's reach, schemes glued to words,
    e-mail addresses and the characters re.IGNORECASE folds onto ASCII letters."""
    texts = _made(_URL_TOKENS, 1122)
    texts += _made([".com", "a" * 63 + ".", "b.", "x", " ", "www.", "://"], 1123, 200, 12)
    for text in texts:
        ours = [(m.span(), m.group(0)) for m in find_urls(text)]
        assert ours == [(m.span(), m.group(0)) for m in _URL.finditer(text)], repr(text)


_REPLAY_TOKENS = [
    "replay", "Replay", "REPLAY", "re-play", "re-playback", "playback", "play", "archive",
    "archived", "archivedx", "ARCH\u0130VE", "record\u0131ng", "recording", "rebroadcast",
    "rebroadca\u017ft", "on-demand", "on demand", "On-Demand", "xreplay", "replayx", "a", "o",
    "r", "p", " ", "\n", "\t", "  ", ".", ":", "-", "live", "Live conference call", "9",
]  # fmt: skip


def test_replay_in_is_a_finditer_start_in_the_window() -> None:
    """A replay word starts in [start, end) exactly when finditer over the whole text finds
    one starting there: windows cutting words, empty windows, windows at either end."""
    rng = random.Random(7)
    for text in _made(_REPLAY_TOKENS, 1124, 300, 40):
        starts = [m.start() for m in _REPLAY.finditer(text)]
        windows = [(0, len(text)), (len(text), len(text)), (0, 0)]
        windows += [
            sorted((rng.randint(0, len(text)), rng.randint(0, len(text)))) for _ in range(8)
        ]
        windows += [(s, s + 1) for s in starts] + [(s + 1, s + 5) for s in starts]
        for start, end in windows:
            expected = any(start <= s < end for s in starts)
            assert _replay_in(text, start, end) == expected, (text, start, end)


def test_replay_headings_are_matched_at_line_starts() -> None:
    """A heading matches at a line start exactly when finditer over the whole text finds one
    there, and finditer finds none elsewhere."""
    for text in _made([*_REPLAY_TOKENS, "\n", "\n", "\n"], 1125, 300, 40):
        found = {m.start() for m in _REPLAY_HEADER.finditer(text)}
        lines = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
        assert found <= set(lines)
        for line in lines:
            assert (_REPLAY_HEADER.match(text, line) is not None) == (line in found), text


def test_replay_window_is_read_from_the_first_replay_clause_that_gives_one() -> None:
    """find_details skips a clause without numbers or links unless a date starts in it; the
    replay window is still the one the first clause with a replay word and an ending date
    gives (the plain way: every clause asked)."""
    rng = random.Random(11)
    words = ["replay", "archived", "available", "until", "through", "call", "the", "webcast"]
    published = date(2026, 1, 5)
    for _ in range(300):
        parts: list[str] = []
        dates: list[DateMention] = []
        offset = rng.randint(0, 50)
        for _ in range(rng.randint(1, 12)):
            sentence = " ".join(rng.choice(words) for _ in range(rng.randint(0, 5)))
            if rng.random() < 0.5:
                start = len("".join(parts)) + len(sentence) + 1
                day = rng.randint(1, 28)
                stamp = f"March {day}"
                relative = rng.choice([None, None, None, "tomorrow"])
                at = offset + start
                dates.append(DateMention(at, at + len(stamp), 3, day, 2026, None, None, relative))
                sentence += " " + stamp
            parts.append(sentence + rng.choice([".\n", ". ", "\n", "\n\n"]))
        region = "".join(parts)
        rng.shuffle(dates)  # (no order is promised)
        details = find_details(region, dates, offset, published)
        expected = None
        for s, e in _clauses(region):
            if any(s <= m.start() < e for m in _REPLAY.finditer(region)):
                expected = _replay_until(region[s:e], s + offset, dates, published)
                if expected is not None:
                    break
        assert details.replay_until == expected, region


def _clauses(region: str) -> list[tuple[int, int]]:
    from icalfeed.extract.details import _clauses as clauses

    return clauses(region)


def _name_start_plain(text: str, anchor: int) -> int:
    """details._name_start as first written: each word walked back character by character."""
    from icalfeed.extract.details import _NAME_PART_RE, _NAME_WORDS

    pos = anchor
    for _ in range(_NAME_WORDS):
        if pos < 2 or not text[pos - 1].isspace() or text[pos - 2].isspace():
            return pos
        end = pos - 1
        start = end - 1
        floor = max(0, end - 64)
        while start > floor and not text[start - 1].isspace():
            start -= 1
        if not _NAME_PART_RE.fullmatch(text, start, end):
            return start
        pos = start
    return pos


def test_name_start_is_the_walk_back_word_by_word() -> None:
    """The earliest start of a conference name read from the reversed text is the one the
    character-by-character walk gives: at every position of word soups with words of 40 to 70
    characters, runs of 16 and more name parts, Unicode spaces and the text's start."""
    from icalfeed.extract.details import _name_start

    words = [
        "Conference", "Day", "The", "the", "Jefferies", "2017", "1st", "&", "–", "of", "x",
        "A" + "b" * 40, "A" + "b" * 41, "A" + "b" * 45, "B" + "c" * 62, "B" + "c" * 63,
        "B" + "c" * 64, "B" + "c" * 70, "Q4", "at", "J.P.", "\u00e9t\u00e9",
    ]  # fmt: skip
    spaces = [" "] * 12 + ["  ", "\n", "\t", "\u00a0", " \n", "\u2028", "\u3000"]
    rng = random.Random(1126)
    texts = ["", " ", "x", " x", "  Day", "Jefferies Day", "A " * 40 + "Day"]
    for _ in range(300):
        texts.append(
            "".join(rng.choice(words) + rng.choice(spaces) for _ in range(rng.randint(1, 40)))
        )
    for text in texts:
        for anchor in range(len(text) + 1):
            assert _name_start(text, anchor) == _name_start_plain(text, anchor), (text, anchor)


def test_remembered_names_and_periods_are_the_functions_own() -> None:
    """conference_name and fiscal_period remember their answers: asked again, in any order and
    with other arguments, they answer as the functions do."""
    from icalfeed.extract.details import conference_name, fiscal_period

    texts = [
        "", "Q3", "the Jefferies 2017 London Healthcare Conference", "first quarter 2024 results",
        "Annual General Meeting", "second half", "at the Cowen Summit and the UBS Forum 2024",
        "fiscal 2025 and Q2 FY26", "\u0130nvestor Day",
    ]  # fmt: skip
    rng = random.Random(1127)
    for _ in range(400):
        text = rng.choice(texts)
        last = rng.random() < 0.5
        assert conference_name(text, last=last) == conference_name.__wrapped__(text, last=last)
        year = rng.choice([None, 2024, 2025])
        assert fiscal_period(text, year) == fiscal_period.__wrapped__(text, year)
        assert fiscal_period(text) == fiscal_period.__wrapped__(text)


def _plain_urls(region: str) -> tuple[str | None, str | None]:
    """The webcast and registration links as find_details first chose them: every scoring word
    looked for in each link's context (the replay block read as find_details reads it)."""
    from icalfeed.extract import details as dt

    clauses = dt._clauses(region)
    starts, ends = [c[0] for c in clauses], [c[1] for c in clauses]
    urls = dt._in_clauses(_URL.finditer(region), starts, ends)
    replays = [m.start() for m in _REPLAY.finditer(region)]
    headers = {m.start() for m in _REPLAY_HEADER.finditer(region)}
    best: tuple[int, int, str] | None = None
    registration = None
    replay_block = False
    for index, (s, e) in enumerate(clauses):
        line_start = region.rfind("\n", 0, s) + 1
        line_end = region.find("\n", s)
        line_end = len(region) if line_end < 0 else line_end
        if line_start in headers:
            replay_block = True
        elif (
            replay_block
            and dt._LIVE_LINE.search(region, line_start, line_end)
            and not any(line_start <= r < line_end for r in replays)
        ):
            replay_block = False
        clause = region[s:e]
        clause_replay = any(s <= r < e for r in replays)
        is_replay = clause_replay or (replay_block and not dt._LIVE_WORD.search(clause))
        for m in urls.get(index, ()):
            url = m.group(0).rstrip(".,;:")
            if "@" in region[max(0, m.start() - 1) : m.start()]:
                continue
            context = clause
            if len(clause.strip()) - len(url) < 12:
                prev_end = line_start - 1
                prev_start = region.rfind("\n", 0, max(0, prev_end)) + 1
                context = region[prev_start:prev_end] + " " + clause
            labelled = dt._URL_LABEL.search(context[: max(0, context.find(url))][-40:])
            if dt._REGISTER.search(context) and registration is None:
                registration = url
            score = 0
            if labelled:
                score += 4
            if dt._WEBCAST_WORD.search(context):
                score += 3
            if dt._LIVE.search(context):
                score += 1
            if (is_replay or _REPLAY.search(context)) and not dt._SIMULCAST.search(context):
                score -= 4
            if dt._URL_NEGATIVE.search(context) and not dt._WEBCAST_WORD.search(context):
                score -= 3
            if score >= 3 and (best is None or score > best[0]):
                best = (score, -s, url)
    return (best[2] if best else registration), registration


def test_links_are_chosen_as_when_every_word_was_looked_for() -> None:
    """find_details stops scoring a link once the words left can only take points away from
    a score that could not win; the links it picks are those the full scoring picks."""
    pieces = [
        "Webcast:", "URL:", "Event link:", "webcast", "live", "via", "at", "replay", "Replay:",
        "simultaneous", "register", "Registration:", "learn more", "follow us", "photo",
        "the call", "and", "https://ir.acme.com/events", "www.acme.com", "acme.co/live",
        "https://x.io/r?id=1", "http://webcast.example.net/a", "ir@acme.com", ".", ",", ":",
        "\n", "\n", " ", " ", "Live conference call", "Access the webcast",
    ]  # fmt: skip
    links = [p for p in pieces if "." in p and len(p) > 3]
    rng = random.Random(1128)
    # a labelled link (4) and one labelled with a live word (5): the second wins by one point
    regions = ["Slides.\nURL: https://a.com/x\nSee.\nvia URL: https://b.com/y"]
    for _ in range(1500):
        lines = []
        for _ in range(rng.randint(1, 6)):  # lines of a few words and a link, to compete
            words = [rng.choice(pieces) for _ in range(rng.randint(0, 6))]
            words.insert(rng.randint(0, len(words)), rng.choice(links))
            lines.append(" ".join(words))
        regions.append(rng.choice(["\n", ". ", "\n\n"]).join(lines))
    for region in regions:
        details = find_details(region, [], 0, None)
        assert (details.webcast_url, details.registration_url) == _plain_urls(region), region
