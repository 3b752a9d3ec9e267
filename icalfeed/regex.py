"""Regular expressions compiled to skip quickly over text where they cannot start.

Python's ``re`` skips ahead to the next possible start of a match fast only when a pattern
opens with a literal or a character set (and, under ``re.IGNORECASE``, only when those
characters have no case): the compiled program then begins with an INFO block holding that set,
and the engine scans for a character in it before trying the pattern. Most of the parser's
patterns open with ``\\b``, a lookbehind, or an alternation of words under ``re.I``, so without
help ``search`` runs the whole pattern at every position of a release.

:func:`compile` works out from the parse tree the set of characters a match can begin with and,
when the pattern would get no prefix of its own, compiles it with that set in its INFO block —
a filter only: the match found is the same match, at the same place, with the same groups
(``pattern`` is the original source). If the private compiler interface it uses is missing or
behaves differently (checked once, at import), it puts the set in front as a lookahead instead
(``(?=[cCmM…])``), which filters less quickly with the same result. A pattern whose start set
cannot be known, or is too large to help, compiles unchanged.

Under ``re.IGNORECASE`` the parse tree is also rewritten to mean the same without the flag
(each letter becomes the set of characters it matches: ``c`` -> ``[cC]``, ``s`` -> ``[sSſ]``):
``re`` skips an alternative whose first set rejects the character only for case-sensitive
sets, and the engine no longer lower-cases each character it compares. ``.flags`` still says
``re.IGNORECASE``. Back-references and scoped case flags keep re's own compilation.

Alternatives that open with the same character are gathered under it (``call|conference`` ->
``c(?:all|onference)``, after spelling out alternations that open an alternative), and those
that open with ``\\b`` behind a single ``\\b``, so a position costs a test per distinct first
character; ``\\d`` in a start set becomes the ranges 0-9 and U+0660 on, which re tests without
looking each character up in the Unicode database.

A repeat of one character that what follows it can never begin with (``[\\w.]{0,40}`` before
``,``) becomes possessive, as PCRE does by itself: re would otherwise give its characters back one
at a time before failing, at every position a search tries (:func:`_possessive`). An optional
part longer than one character, ``(?:X)?``, is compiled as the choice ``(?:X|)``: re runs the
first as a repeat that copies every group's position at each try (:func:`_optionals`).

Searches that skip work the pattern cannot know about: :func:`finditer_near` (only near the
matches of a cheap anchor, from an optional ``earliest`` start), :func:`matches_at` (only at the
places a caller's cheap scan says a match can start), :func:`search_lines` (only at
line starts, for ``^`` under ``re.MULTILINE``) and :class:`CaseBlind` (a case-blind pattern with
every letter in lower case, on the lower-cased text: re tests a plain character several times
quicker than a set of two).

On the bench corpus (callgrind, instructions per parse of all 76 releases) these took the
parser from 1,130 M to about 202 M instructions, together with shortcuts in the parser's own
modules (possessive repeats alone: 331 M -> 319 M; optional parts as choices: 282 M -> 279 M).
The analysis reads ``re._parser`` and ``re._compiler`` (CPython 3.11 - 3.13).
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

__all__ = [
    "CaseBlind",
    "ascii_lower_case",
    "compile",
    "finditer_near",
    "first_chars",
    "iter_matches_at",
    "lower_case",
    "matches_at",
    "search_lines",
]

_MAX_SET = 80  # a start set larger than this is no filter worth having

_sre: Any = None
_sre_compiler: Any = None
_c: Any = None
_sre_parser: Any = None
try:  # CPython's own parser and compiler: private, stable across 3.11 - 3.13, untyped
    _sre = importlib.import_module("_sre")
    _sre_compiler = importlib.import_module("re._compiler")
    _c = importlib.import_module("re._constants")
    _sre_parser = importlib.import_module("re._parser")
except ImportError:  # pragma: no cover - another implementation: patterns compile unchanged
    _sre_parser = None

_DIGITS = frozenset("0123456789")
_FIRST_OTHER_DIGIT = 0x660  # ARABIC-INDIC DIGIT ZERO: no character below it but 0-9 is \d
_ANY_DIGIT = "\\d"  # stands for the class \d in a start set


class _UnknownError(Exception):
    """The start set cannot be known (any character, a back-reference, a category)."""


# Characters outside ASCII that re.IGNORECASE matches to an ASCII letter (tests check the list).
_FOLDS_TO_ASCII = {"i": "\u0130\u0131", "k": "\u212a", "s": "\u017f"}


def _case_variants(chars: set[str]) -> set[str]:
    """Every character ``re.IGNORECASE`` matches to one of ``chars``."""
    out = set()
    for ch in chars:
        if ch == _ANY_DIGIT:
            out.add(ch)
        else:
            out.update(chr(code) for code in _variants(ord(ch)))
    return out


def _first(items: list[tuple[Any, Any]], ignore_case: bool) -> tuple[set[str], bool]:
    """The characters a sequence of parsed items can start with, and whether it can be empty."""
    chars: set[str] = set()
    for i, (op, av) in enumerate(items):
        if op is _c.ASSERT and av[0] == 1 and not chars:
            # a lookahead here names the first character too: keep the smaller of its set and
            # the set of what follows it
            ahead, ahead_empty = _first(list(av[1]), ignore_case)
            if not ahead_empty:
                try:
                    rest, rest_empty = _first(items[i + 1 :], ignore_case)
                except _UnknownError:
                    return ahead, False
                return (ahead if rest_empty or len(ahead) <= len(rest) else rest), False
            continue
        if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
            continue  # zero width: the next item gives the first character
        if op is _c.LITERAL:
            chars.add(chr(av))
            return chars, False
        if op is _c.IN:
            chars |= _in_set(av)
            return chars, False
        if op is _c.SUBPATTERN:
            _group, add_flags, del_flags, sub = av
            if add_flags & re.IGNORECASE or del_flags & re.IGNORECASE:
                raise _UnknownError  # scoped case flags: keep it simple
            first, empty = _first(list(sub), ignore_case)
            chars |= first
            if not empty:
                return chars, False
            continue
        if op is _c.BRANCH:
            empty_any = False
            for branch in av[1]:
                first, empty = _first(list(branch), ignore_case)
                chars |= first
                empty_any = empty_any or empty
            if not empty_any:
                return chars, False
            continue
        if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
            low, _high, item = av
            first, empty = _first(list(item), ignore_case)
            chars |= first
            if low > 0 and not empty:
                return chars, False
            continue
        if op is _c.ATOMIC_GROUP:
            first, empty = _first(list(av), ignore_case)
            chars |= first
            if not empty:
                return chars, False
            continue
        raise _UnknownError  # ANY, NOT_LITERAL, GROUPREF, conditionals...
    return chars, True


def _in_set(items: list[tuple[Any, Any]]) -> set[str]:
    chars: set[str] = set()
    for op, av in items:
        if op is _c.LITERAL:
            chars.add(chr(av))
        elif op is _c.RANGE:
            lo, hi = av
            if hi - lo > _MAX_SET:
                raise _UnknownError
            chars.update(chr(n) for n in range(lo, hi + 1))
        elif op is _c.CATEGORY and av is _c.CATEGORY_DIGIT:
            chars.add(_ANY_DIGIT)  # every Unicode decimal digit, as \d means in the pattern
        else:
            raise _UnknownError  # NEGATE, \w, \s...
    return chars


def first_chars(pattern: str, flags: int = 0) -> frozenset[str] | None:
    """The characters a match of ``pattern`` can begin with, or None when any can (or when
    the pattern can match the empty string)."""
    if _sre_parser is None:  # pragma: no cover
        return None
    try:
        return _start_set(_sre_parser.parse(pattern, flags))
    except re.error:
        return None


def _start_set(parsed: Any) -> frozenset[str] | None:
    """:func:`first_chars` of a parsed pattern."""
    ignore_case = bool(parsed.state.flags & re.IGNORECASE)
    try:
        chars, empty = _first(list(parsed), ignore_case)
    except _UnknownError:
        return None
    if empty or not chars:
        return None
    if ignore_case:
        try:
            chars = _case_variants(chars)
        except _UnknownError:
            return None
    if _ANY_DIGIT in chars:
        chars -= _DIGITS  # \d covers them
    return frozenset(chars)


def _has_prefix(parsed: Any) -> bool:
    """Whether ``re`` already finds this parsed pattern's possible starts quickly."""
    flags = parsed.state.flags
    prefix, _skip, _all = _sre_compiler._get_literal_prefix(parsed, flags)
    return bool(prefix) or bool(_sre_compiler._get_charset_prefix(parsed, flags))


def compile(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(pattern, flags)``, told which characters a match can start with when
    ``re`` would not work that out itself. The pattern is parsed once for all of it."""
    if _sre_parser is None:  # pragma: no cover
        return re.compile(pattern, flags)
    try:
        parsed = _sre_parser.parse(pattern, flags)
    except re.error:
        return re.compile(pattern, flags)  # raises re's own error
    chars = _start_set(parsed)
    if chars is None or len(chars) > _MAX_SET:
        return re.compile(pattern, flags)
    try:
        if _has_prefix(parsed):
            return re.compile(pattern, flags)
        if _INFO_WORKS and parsed.getwidth()[0] > 0:
            # (a pattern that can match empty keeps re's own INFO: the engine's rule that an
            # empty match must advance lives on the path without a start set)
            return _compile_with_start_set(pattern, flags, chars, parsed)
    except (AttributeError, TypeError, ValueError, re.error):  # pragma: no cover - API changed
        return re.compile(pattern, flags)
    return _compile_with_lookahead(pattern, flags, chars)  # pragma: no cover - other CPython


def _compile_with_start_set(
    pattern: str, flags: int, chars: frozenset[str], parsed: Any
) -> re.Pattern[str]:
    """The parsed pattern compiled as ``re`` would, with ``chars`` as the INFO block's start
    set."""
    all_flags = parsed.state.flags | flags
    lo, hi = parsed.getwidth()
    code: list[int] = [
        _c.INFO,
        0,
        _c.SRE_INFO_CHARSET,
        min(lo, _sre_compiler.MAXCODE),
        min(hi, _sre_compiler.MAXCODE),
    ]
    items: list[tuple[Any, Any]] = [(_c.LITERAL, ord(ch)) for ch in chars if ch != _ANY_DIGIT]
    if _ANY_DIGIT in chars:
        # \d as a start set: 0-9 and everything from the first other decimal digit on (a
        # filter may let more through). re tests the category of every character against the
        # Unicode database, which cost as much as the rest of a scan.
        items += [(_c.RANGE, (ord("0"), ord("9"))), (_c.RANGE, (_FIRST_OTHER_DIGIT, 0x10FFFF))]
    charset, _hascased = _sre_compiler._optimize_charset(items)
    _sre_compiler._compile_charset(charset, all_flags, code)
    code[1] = len(code) - 1
    data, code_flags = parsed.data, all_flags
    if all_flags & re.IGNORECASE and not all_flags & (re.ASCII | re.LOCALE):
        try:
            data = _uncased(list(data))
        except _UnknownError:  # a construct the rewrite does not know: compile as re would
            pass
        else:
            code_flags = all_flags & ~re.IGNORECASE
    if not code_flags & re.IGNORECASE:  # (under the flag a literal's case is the engine's)
        data = _rewritten(list(data), alternatives=_grouped)
        data = _optionals(list(data))
        if not code_flags & (re.ASCII | re.LOCALE):
            with contextlib.suppress(_UnknownError):
                data = _possessive(list(data), [], code_flags)
    with _charsets_shared():
        _sre_compiler._compile(code, data, code_flags)
    code.append(_c.SUCCESS)
    groupindex = parsed.state.groupdict
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    compiled: re.Pattern[str] = _sre.compile(
        pattern, all_flags, code, parsed.state.groups - 1, groupindex, tuple(indexgroup)
    )
    return compiled


_CHARSETS_LOCK = threading.Lock()
_CHARSET_MEMO: dict[Any, Any] = {}  # the sets a rewrite makes: about a hundred, shared


@contextlib.contextmanager
def _charsets_shared() -> Iterator[None]:
    """Let re's compiler optimise each distinct character set once while compiling a pattern.

    A case-blind pattern rewritten by :func:`_uncased` has one small set per letter
    (``[mM][eE][eE]…``), and re's compiler optimises every set from scratch: thousands of
    identical calls at import, most of the rewrite's start-up cost. The optimisation is a pure
    function of its arguments, so its results are memoised across patterns (the compiler only
    reads them). The function is put back once the pattern is compiled; the lock keeps two
    threads from swapping it at once.
    """
    original = _sre_compiler._optimize_charset
    memo = _CHARSET_MEMO

    def optimize(charset: Any, iscased: Any = None, fixup: Any = None, fixes: Any = None) -> Any:
        if fixes is not None:
            return original(charset, iscased, fixup, fixes)
        try:
            key = (tuple(charset), iscased, fixup)
            found = memo.get(key)
        except TypeError:  # an unhashable set (a bitmap already built): no memo
            return original(charset, iscased, fixup, fixes)
        if found is None:
            found = memo[key] = original(charset, iscased, fixup, fixes)
        out, hascased = found
        return list(out), hascased

    with _CHARSETS_LOCK:
        _sre_compiler._optimize_charset = optimize
        try:
            yield
        finally:
            _sre_compiler._optimize_charset = original


@functools.cache
def _variants(code: int) -> tuple[int, ...]:
    """The characters re.IGNORECASE takes as ``chr(code)`` (ASCII letters and caseless only)."""
    ch = chr(code)
    if ch.lower() == ch.upper() and ch not in "\u0130\u0131\u017f\u212a":
        return (code,)
    if not ch.isascii():
        raise _UnknownError  # case folding outside ASCII: leave the pattern to re
    folds = {ord(f) for f in _FOLDS_TO_ASCII.get(ch.lower(), "")}
    return tuple(sorted({ord(ch.lower()), ord(ch.upper())} | folds))


def _uncased(items: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """A parse tree under re.IGNORECASE rewritten to mean the same without it: each letter
    becomes the set of the characters it matches. Compiled so, an alternation of words can
    skip a branch on its first character (re only does that for case-sensitive sets) and no
    character is lower-cased while matching."""
    return _rewritten(items, character=_uncased_item)


def _uncased_item(op: Any, av: Any) -> tuple[Any, Any]:
    if op is _c.IN:
        return (op, _uncased_set(av))
    codes = _variants(av)
    if len(codes) == 1:
        return (op, av)
    if op is _c.LITERAL:
        return (_c.IN, [(_c.LITERAL, c) for c in codes])
    return (_c.IN, [(_c.NEGATE, None)] + [(_c.LITERAL, c) for c in codes])  # NOT_LITERAL


def _rewritten(
    items: list[tuple[Any, Any]],
    *,
    character: Callable[[Any, Any], tuple[Any, Any]] | None = None,
    alternatives: Callable[[list[Any]], list[Any]] | None = None,
    repeat: Callable[[Any, int, int, Any], tuple[Any, Any]] | None = None,
) -> list[tuple[Any, Any]]:
    """The parse tree with each LITERAL, NOT_LITERAL and IN item replaced by ``character(op,
    av)``, the (rewritten) alternatives of each alternation by ``alternatives(them)`` and each
    repeat by ``repeat(op, low, high, its rewritten body)``, through groups, repeats and
    lookarounds. With a ``character`` rewrite, scoped case flags,
    back-references and conditionals raise _UnknownError (they compare text by re's own rules
    of case); without one, every construct is kept."""
    strict = character is not None

    def inner(sub: Any) -> Any:
        return _subpattern(
            sub,
            _rewritten(list(sub), character=character, alternatives=alternatives, repeat=repeat),
        )

    out: list[tuple[Any, Any]] = []
    for op, av in items:
        if op in (_c.LITERAL, _c.NOT_LITERAL, _c.IN) and character is not None:
            out.append(character(op, av))
        elif op is _c.SUBPATTERN:
            group, add_flags, del_flags, sub = av
            if strict and (add_flags | del_flags) & re.IGNORECASE:
                raise _UnknownError
            out.append((op, (group, add_flags, del_flags, inner(sub))))
        elif op is _c.BRANCH:
            branches = [inner(b) for b in av[1]]
            out.append((op, (av[0], alternatives(branches) if alternatives else branches)))
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
            low, high, item = av
            item = inner(item)
            out.append(repeat(op, low, high, item) if repeat else (op, (low, high, item)))
        elif op in (_c.ASSERT, _c.ASSERT_NOT):
            direction, sub = av
            out.append((op, (direction, inner(sub))))
        elif op is _c.ATOMIC_GROUP:
            out.append((op, inner(av)))
        elif op in (_c.AT, _c.ANY, _c.CATEGORY) or not strict:
            out.append((op, av))
        else:
            raise _UnknownError
    return out


def _uncased_set(items: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    out: list[tuple[Any, Any]] = []
    for op, av in items:
        if op is _c.LITERAL:
            out += [(_c.LITERAL, c) for c in _variants(av)]
        elif op is _c.RANGE:
            lo, hi = av
            out.append((op, av))
            if hi - lo > 256:
                if hi - lo > 0x3000 or any(
                    chr(c).lower() != chr(c).upper() for c in range(lo, hi + 1)
                ):
                    raise _UnknownError  # a wide range with letters in it: leave it to re
                continue
            for c in range(lo, hi + 1):
                out += [(_c.LITERAL, v) for v in _variants(c) if v != c]
        elif op in (_c.NEGATE, _c.CATEGORY):
            out.append((op, av))
        else:
            raise _UnknownError
    return out


def _one_char(alternative: list[tuple[Any, Any]]) -> frozenset[int] | None:
    """The characters an alternative's first item matches, when it is a literal or a set of
    literals (what re's alternation tests before trying the alternative); else None."""
    if not alternative:
        return None
    op, av = alternative[0]
    if op is _c.LITERAL:
        return frozenset([av])
    if op is _c.IN and all(o is _c.LITERAL for o, _a in av):
        return frozenset(a for _o, a in av)
    return None


_MAX_ALTERNATIVES = 100
_OPENING_TESTS = (_c.AT_BOUNDARY, _c.AT_NON_BOUNDARY)  # tests an alternative is grouped with


def _opening_test(alternative: list[tuple[Any, Any]]) -> int:
    """How many items of an alternative are a word-boundary test before its first character
    (``\\b`` or ``\\B``): 1 or 0."""
    if len(alternative) > 1 and alternative[0][0] is _c.AT and alternative[0][1] in _OPENING_TESTS:
        return 1
    return 0


def _distributed(alternatives: list[Any]) -> list[Any]:
    """Alternatives that open with an alternation of their own (after a ``\\b``, if any),
    spelled out: ``(?:(?:results|report)s?\\s|dividend)`` -> ``(?:resultss?\\s|reports?\\s|
    dividend)``, ``\\b(?:call|webcast)\\b`` -> ``\\bcall\\b|\\bwebcast\\b``. The same paths are
    tried in the same order (each inner alternative with what follows it, then the next); the
    outer alternation can then be grouped by first character. Left as it is when that would
    make more than ``_MAX_ALTERNATIVES`` alternatives."""
    out: list[Any] = []
    for alternative in alternatives:
        items = list(alternative)
        lead = _opening_test(items)
        if len(items) > lead and items[lead][0] is _c.BRANCH:
            head, rest = items[:lead], items[lead + 1 :]
            inner = [_subpattern(alternative, head + list(b) + rest) for b in items[lead][1][1]]
            out.extend(_distributed(inner))
        else:
            out.append(alternative)
        if len(out) > _MAX_ALTERNATIVES:
            return alternatives
    return out


_Key = tuple[Any, frozenset[int]]


def _key(alternative: list[tuple[Any, Any]]) -> _Key | None:
    """What an alternative is grouped by: its opening word-boundary test (or None) and the
    characters of its first character (:func:`_one_char`); None when it opens otherwise."""
    lead = _opening_test(alternative)
    chars = _one_char(alternative[lead:])
    return None if chars is None else (alternative[0] if lead else None, chars)


def _grouped(alternatives: list[Any]) -> list[Any]:
    """An alternation's alternatives with those that open with the same character gathered
    under it (``(?:call|conference|webcast)`` -> ``(?:c(?:all|onference)|webcast)``), and those
    that open with ``\\b`` behind one ``\\b`` (``\\bcall|\\bweb|x`` -> ``x|\\b(?:call|web)``): re
    tests an alternative's first character before trying it, so a position then costs a test
    per distinct first character, not one per alternative (an alternative opening with ``\\b``
    is entered to test it).

    An alternative moves only past alternatives whose first characters are known and disjoint
    from its own: at any position at most one of two such alternatives can match, so their
    order does not matter, and alternatives that can match at the same position are tried in
    their own order. The match is the same.
    """
    like = alternatives[0]  # any node of the tree: they share the parser's state
    alternatives = _distributed(alternatives)
    groups: list[tuple[_Key | None, list[list[tuple[Any, Any]]]]] = []
    for alternative in alternatives:
        items = list(alternative)
        key = _key(items)
        for group_key, members in reversed(groups) if key is not None else ():
            if group_key == key:
                members.append(items)
                break
            if group_key is None or group_key[1] & key[1]:  # type: ignore[index]
                groups.append((key, [items]))
                break
        else:
            groups.append((key, [items]))
    if len(groups) == len(alternatives) and not any(k and k[0] for k, _m in groups):
        return alternatives
    # gather the groups behind \b at the end, each that can move past the groups after it
    staying: list[int] = []
    behind_test: list[int] = []
    for i in reversed(range(len(groups))):
        key = groups[i][0]
        if (
            key is not None
            and key[0] is not None
            and key[0][1] is _c.AT_BOUNDARY
            and all((k := groups[j][0]) is not None and not k[1] & key[1] for j in staying)
        ):
            behind_test.insert(0, i)
        else:
            staying.insert(0, i)
    if len(behind_test) < 2:
        staying, behind_test = list(range(len(groups))), []
    out = [_subpattern(like, _gathered(like, *groups[i])) for i in staying]
    if behind_test:
        test = groups[behind_test[0]][1][0][0]  # the \\b they all open with
        inner = [_subpattern(like, _gathered(like, *groups[i], lead=1)) for i in behind_test]
        branch = _subpattern(like, [(_c.BRANCH, (None, inner))])
        out.append(_subpattern(like, [test, (_c.SUBPATTERN, (None, 0, 0, branch))]))
    return out


def _gathered(
    like: Any, key: _Key | None, members: list[list[tuple[Any, Any]]], lead: int = 0
) -> list[tuple[Any, Any]]:
    """One alternative for a group of alternatives that open alike: what they open with, then
    the alternation of their rests (``lead`` items of each left out: an opening test said
    once for several groups)."""
    if len(members) == 1 or key is None:
        return members[0][lead:]
    n = 2 if key[0] is not None else 1
    rests = _grouped([_subpattern(like, m[n:]) for m in members])
    inner = _subpattern(like, [(_c.BRANCH, (None, rests))])
    return [*members[0][lead:n], (_c.SUBPATTERN, (None, 0, 0, inner))]


# ------------------------------------------------------------------ optional parts as choices


def _optionals(items: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """The parse tree with each optional part longer than one character, ``(?:X)?``, written
    as the choice ``(?:X|)`` (a lazy ``(?:X)??`` as ``(?:|X)``): the same trials in the same
    order. re runs such a ``?`` as a repeat, which copies the position of every group at each
    try (the date pattern has 17 groups); outside a repeat, a choice copies none."""
    return _rewritten(items, repeat=_optional_as_choice)


def _optional_as_choice(op: Any, low: int, high: int, body: Any) -> tuple[Any, Any]:
    # (a ? over one character re runs quickly itself)
    if op is not _c.POSSESSIVE_REPEAT and (low, high) == (0, 1) and not _sre_compiler._simple(body):
        empty = _subpattern(body, [])
        choices = [body, empty] if op is _c.MAX_REPEAT else [empty, body]
        return (_c.BRANCH, (None, choices))
    return (op, (low, high, body))


# ------------------------------------------------------------ repeats that never give back

_ONE_CHARACTER = (_c.LITERAL, _c.NOT_LITERAL, _c.IN)
_ENUMERABLE = 2000  # a set of at most this many characters is compared character by character
# Categories that share no character, known without enumerating them: \w and \d characters
# are never white space, and no character is both in a category and outside it.
_DISJOINT_CATEGORIES = (
    {
        frozenset(pair)
        for pair in [
            (_c.CATEGORY_WORD, _c.CATEGORY_SPACE),
            (_c.CATEGORY_DIGIT, _c.CATEGORY_SPACE),
            (_c.CATEGORY_WORD, _c.CATEGORY_NOT_WORD),
            (_c.CATEGORY_DIGIT, _c.CATEGORY_NOT_DIGIT),
            (_c.CATEGORY_SPACE, _c.CATEGORY_NOT_SPACE),
        ]
    }
    if _c is not None
    else set()
)


def _possessive(
    items: list[tuple[Any, Any]], tail: list[tuple[Any, Any]] | None, flags: int
) -> list[tuple[Any, Any]]:
    """The parse tree with each greedy or lazy repeat of one character made possessive where
    what must come next can never begin with a character the repeat takes (``[\\w.]{0,40}``
    before ``,`` or ``\\s``; ``\\d+`` before ``:``). Giving such a character back cannot let
    the rest match, so re's backtracking one character at a time before it fails (at each
    position a search tries) is work the possessive repeat skips; a lazy repeat can only stop
    where the possessive one stops. PCRE does this itself ("auto-possessification").

    ``tail`` is what follows ``items`` in the pattern ([] at the end of the pattern or of a
    lookahead, after which nothing backtracks into it), or None when unknown (the end of a
    repeated group, which its own start may follow). A repeat whose rest could match empty is
    left alone: zero-width tests there (``$``, ``\\b``) may pass at an earlier position.
    """
    out: list[tuple[Any, Any]] = []
    for i, (op, av) in enumerate(items):
        if op in (_c.LITERAL, _c.NOT_LITERAL, _c.IN, _c.AT, _c.ANY, _c.CATEGORY):
            out.append((op, av))
            continue
        rest = items[i + 1 :]
        after = None if tail is None else rest + tail
        if op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
            low, high, body = av
            if (
                len(body) == 1
                and body[0][0] in _ONE_CHARACTER
                and _never_follows(body[0], rest if after is None else after, flags)
            ):
                out.append((_c.POSSESSIVE_REPEAT, (low, high, body)))
            else:
                out.append(
                    (op, (low, high, _subpattern(body, _possessive(list(body), None, flags))))
                )
        elif op is _c.SUBPATTERN:
            group, add_flags, del_flags, sub = av
            if add_flags or del_flags:
                out.append((op, av))  # scoped flags: left as they are
            else:
                sub = _subpattern(sub, _possessive(list(sub), after, flags))
                out.append((op, (group, add_flags, del_flags, sub)))
        elif op is _c.BRANCH:
            branches = [_subpattern(b, _possessive(list(b), after, flags)) for b in av[1]]
            out.append((op, (av[0], branches)))
        elif op in (_c.ASSERT, _c.ASSERT_NOT) and av[0] == 1:
            out.append((op, (1, _subpattern(av[1], _possessive(list(av[1]), [], flags)))))
        elif op is _c.ATOMIC_GROUP:
            out.append((op, _subpattern(av, _possessive(list(av), [], flags))))
        else:
            out.append((op, av))
    return out


def _never_follows(repeated: tuple[Any, Any], rest: list[tuple[Any, Any]], flags: int) -> bool:
    """Whether ``rest`` must begin with a character and never with one ``repeated`` matches."""
    try:
        sets, empty = _next_sets(rest, flags)
    except _UnknownError:
        return False
    return not empty and not any(_overlap(repeated, other, flags) for other in sets)


def _next_sets(items: list[tuple[Any, Any]], flags: int) -> tuple[list[tuple[Any, Any]], bool]:
    """The one-character items (or ANY) the next character must match for ``items`` to match,
    and whether ``items`` can match empty. Zero-width items are passed over: whatever they
    test, the next character is still the next item's."""
    sets: list[tuple[Any, Any]] = []
    for op, av in items:
        if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
            continue
        if op in _ONE_CHARACTER or op is _c.ANY:
            sets.append((op, av))
            return sets, False
        if op is _c.SUBPATTERN:
            if av[1] or av[2]:
                raise _UnknownError  # scoped flags
            inner, empty = _next_sets(list(av[3]), flags)
        elif op is _c.BRANCH:
            inner, empty = [], False
            for branch in av[1]:
                found, branch_empty = _next_sets(list(branch), flags)
                inner += found
                empty = empty or branch_empty
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
            inner, empty = _next_sets(list(av[2]), flags)
            empty = empty or av[0] == 0
        elif op is _c.ATOMIC_GROUP:
            inner, empty = _next_sets(list(av), flags)
        else:
            raise _UnknownError  # back-references, conditionals
        sets += inner
        if not empty:
            return sets, False
    return sets, True


def _overlap(a: tuple[Any, Any], b: tuple[Any, Any], flags: int) -> bool:
    """Whether some character matches both one-character items (True when unsure)."""
    for one, other in ((a, b), (b, a)):
        chars = _enumerated(one)
        if chars is not None:
            return any(_matches(other, ch, flags) for ch in chars)
    categories = {_category(a), _category(b)}
    return categories not in _DISJOINT_CATEGORIES


def _enumerated(item: tuple[Any, Any]) -> list[str] | None:
    """Every character a LITERAL or a small set without categories matches, else None."""
    op, av = item
    if op is _c.LITERAL:
        return [chr(av)]
    if op is not _c.IN:
        return None
    chars: list[str] = []
    for sub_op, sub_av in av:
        if sub_op is _c.LITERAL:
            chars.append(chr(sub_av))
        elif sub_op is _c.RANGE and sub_av[1] - sub_av[0] < _ENUMERABLE - len(chars):
            chars.extend(chr(c) for c in range(sub_av[0], sub_av[1] + 1))
        else:
            return None  # NEGATE, CATEGORY, a wide range
    return chars


def _category(item: tuple[Any, Any]) -> Any:
    """The category a set is made of alone (``[\\s]``, ``\\w``), else None."""
    op, av = item
    if op is _c.IN and len(av) == 1 and av[0][0] is _c.CATEGORY:
        return av[0][1]
    return None


_CATEGORY_TESTS: dict[Any, Callable[[str], bool]] = (
    {
        _c.CATEGORY_DIGIT: str.isdecimal,
        _c.CATEGORY_NOT_DIGIT: lambda ch: not ch.isdecimal(),
        _c.CATEGORY_SPACE: str.isspace,
        _c.CATEGORY_NOT_SPACE: lambda ch: not ch.isspace(),
        _c.CATEGORY_WORD: lambda ch: ch.isalnum() or ch == "_",
        _c.CATEGORY_NOT_WORD: lambda ch: not (ch.isalnum() or ch == "_"),
    }
    if _c is not None
    else {}
)  # re's meaning of \d, \s and \w in a str pattern without re.ASCII


def _matches(item: tuple[Any, Any], ch: str, flags: int) -> bool:
    """Whether ``ch`` matches a one-character item (True when unsure)."""
    op, av = item
    if op is _c.LITERAL:
        return ch == chr(av)
    if op is _c.NOT_LITERAL:
        return ch != chr(av)
    if op is _c.ANY:
        return bool(flags & re.DOTALL) or ch != "\n"
    hit, negate = False, False
    for sub_op, sub_av in av:
        if sub_op is _c.NEGATE:
            negate = True
        elif sub_op is _c.LITERAL:
            hit = hit or ch == chr(sub_av)
        elif sub_op is _c.RANGE:
            hit = hit or sub_av[0] <= ord(ch) <= sub_av[1]
        elif sub_op is _c.CATEGORY and sub_av in _CATEGORY_TESTS:
            hit = hit or _CATEGORY_TESTS[sub_av](ch)
        else:
            return True
    return hit != negate


def _subpattern(like: Any, data: list[tuple[Any, Any]]) -> Any:
    """A parser SubPattern holding ``data`` (the compiler reads ``.data`` and widths)."""
    return _sre_parser.SubPattern(like.state, data)


def _compile_with_lookahead(pattern: str, flags: int, chars: frozenset[str]) -> re.Pattern[str]:
    """The pattern behind a lookahead for ``chars``: the same matches, filtered less quickly."""
    cls = "".join(
        sorted(ch if ch == _ANY_DIGIT or ch in _DIGITS else re.escape(ch) for ch in chars)
    )
    # inline flags must stay at the very start of a pattern
    lead = re.match(r"\(\?[aiLmsux]+\)", pattern)
    head, body = (pattern[: lead.end()], pattern[lead.end() :]) if lead else ("", pattern)
    verbose = flags & re.VERBOSE or (lead is not None and "x" in lead.group(0))
    return re.compile(f"{head}(?=[{cls}])(?:{body}{chr(10) if verbose else ''})", flags)


def _info_works() -> bool:
    """Whether start-set compilation gives the same matches as ``re`` here (checked once)."""
    sample = "Call us: the Annual Meeting, 4:30 p.m. ET; tomorrow at 9 a.m. (NYSE: XYZ) call."
    cases = [(r"\b(?P<w>call|meeting)\b", re.I), (r"(?<![\w:])(\d{1,2}):(\d\d)", 0)]
    try:
        for source, fl in cases:
            chars = first_chars(source, fl)
            if chars is None:
                return False
            ours = _compile_with_start_set(source, fl, chars, _sre_parser.parse(source, fl))
            theirs = re.compile(source, fl)
            if [m.span() + m.groups() for m in ours.finditer(sample)] != [
                m.span() + m.groups() for m in theirs.finditer(sample)
            ]:
                return False
    except Exception:
        return False
    return True


_INFO_WORKS = _sre_parser is not None and _info_works()


def matches_at(pattern: re.Pattern[str], text: str, starts: Iterable[int]) -> list[re.Match[str]]:
    """``list(pattern.finditer(text))`` for a pattern that matches no empty string, given every
    position where it can match (and any others): tried at each in order, from the end of the
    last match, the first that matches is where finditer finds its next match. For callers that
    know from a cheap scan where a match can start (re would try every character of its start
    set, ~60 instructions each, and enter its matcher at each candidate)."""
    return list(iter_matches_at(pattern, text, starts))


def iter_matches_at(
    pattern: re.Pattern[str], text: str, starts: Iterable[int]
) -> Iterator[re.Match[str]]:
    """:func:`matches_at` one match at a time, as finditer gives them."""
    pos = 0
    match = pattern.match
    for p in sorted(set(starts)):
        if p >= pos and (m := match(text, p)) is not None:
            yield m
            pos = m.end()


def finditer_near(
    pattern: re.Pattern[str],
    anchor: re.Pattern[str],
    text: str,
    *,
    reach: int,
    longest: int,
    earliest: Callable[[str, int], int] | None = None,
) -> list[re.Match[str]]:
    """``list(pattern.finditer(text))``, found by searching only near the matches of ``anchor``.

    For a pattern that is rare in a text but slow to rule out everywhere (a bare domain name
    can start at any word), when every match of ``pattern`` contains a match of ``anchor``
    (cheap to find: ``://``, a conference word) starting at most ``reach`` characters after its
    own start, and no match is longer than ``longest`` characters.

    Each search starts no earlier than ``reach`` before an anchor and after the last match, so
    the first match it finds that starts at or before the anchor is the one ``finditer`` would
    give next; it ends ``2 * longest`` after the anchor, so it never cuts such a match short.
    A search that finds nothing there (or only a later match) marks the stretch as searched,
    so a text of anchors and no matches costs a bounded scan per anchor, not a quadratic one.

    ``earliest(text, a)``, when given, is a tighter bound: no match that holds the anchor found
    at ``a`` (or spans ``a``) starts before it. A search then starts there instead.
    """
    found: list[re.Match[str]] = []
    pos = 0  # end of the last match: finditer's next match starts here or later
    searched = 0  # no match starts in [pos, searched)
    for hit in anchor.finditer(text):
        a = hit.start()
        if a < pos:
            continue
        start = max(pos, searched, a - reach)
        if earliest is not None:
            start = max(start, earliest(text, a))
        endpos = a + 2 * longest
        m = pattern.search(text, start, endpos)
        if m is not None and m.start() <= a:
            found.append(m)
            pos = searched = m.end() if m.end() > m.start() else m.end() + 1
        else:
            searched = m.start() if m is not None else max(start, endpos - longest)
    return found


def search_lines(pattern: re.Pattern[str], text: str, pos: int = 0) -> re.Match[str] | None:
    """``pattern.search(text, pos)`` for a pattern that can match only where a line starts (it
    opens with ``^`` under ``re.MULTILINE``).

    re's search would test every character against the pattern's first set. This tries the
    pattern where ``pos``'s line starts, then lets the pattern with its ``^`` spelt as a newline
    find the next line where it matches: re skips to a single character several times quicker
    than to one of a set. The match returned is ``pattern``'s own, made again at that line.
    """
    if pos > 0 and text[pos - 1] != "\n":
        pos = text.find("\n", pos) + 1
        if pos == 0:
            return None
    m = pattern.match(text, pos)
    if m is not None:
        return m
    after_newline = _after_newline(pattern)
    if after_newline is not None:
        found = after_newline.search(text, pos)
        return pattern.match(text, found.start() + 1) if found is not None else None
    match, find = pattern.match, text.find  # pragma: no cover - a pattern not rewritten
    while True:  # pragma: no cover
        pos = find("\n", pos) + 1
        if pos == 0:
            return None
        m = match(text, pos)
        if m is not None:
            return m


# id(pattern) -> (pattern, the pattern with its "^" as a newline), as for _LOWER_CASE below
_AFTER_NEWLINE: dict[int, tuple[re.Pattern[str], re.Pattern[str] | None]] = {}


def _after_newline(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """``pattern`` (``^…`` under re.MULTILINE) compiled as ``\\n…``: a match of it at a newline
    is a match of ``pattern`` at the line after. None when the pattern does not open so."""
    known = _AFTER_NEWLINE.get(id(pattern))
    if known is not None and known[0] is pattern:
        return known[1]
    rewritten = None
    if _sre_parser is not None and pattern.flags & re.MULTILINE:
        with contextlib.suppress(AttributeError, TypeError, ValueError, re.error):
            parsed = _sre_parser.parse(pattern.pattern, pattern.flags)
            if parsed.data and parsed.data[0] == (_c.AT, _c.AT_BEGINNING):
                parsed.data[0] = (_c.LITERAL, ord("\n"))
                rewritten = _sre_compiler.compile(parsed, pattern.flags)
    if len(_AFTER_NEWLINE) < 1024:
        _AFTER_NEWLINE[id(pattern)] = (pattern, rewritten)
    return rewritten


# ------------------------------------------------------------- case-blind search on lower case

# What str.lower() does not do as re.IGNORECASE does: "İ" lower-cases to two characters, and
# "ı" and "ſ" match i and s under re.IGNORECASE without lower-casing to them. ("K", the Kelvin
# sign, lower-cases to "k" as re.IGNORECASE matches it.)
_UNLOWERED = ("\u0130", "\u0131", "\u017f")
_UPPER_ASCII = range(ord("A"), ord("Z") + 1)


def _lowered(items: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """A case-blind parse tree (ASCII letters only) as the case-sensitive tree that matches the
    lower-cased text where it matched the text: every letter in lower case."""
    return _rewritten(items, character=_lowered_item)


def _lowered_item(op: Any, av: Any) -> tuple[Any, Any]:
    if op is _c.IN:
        return (op, _lowered_set(av))
    return (op, _lower_code(av))  # LITERAL, NOT_LITERAL


def _lower_code(code: int) -> int:
    ch = chr(code)
    if ch.lower() == ch.upper():
        return code
    if not ch.isascii():
        raise _UnknownError  # a letter outside ASCII: its folds are re's business
    return ord(ch.lower())


def _lowered_set(items: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    out: list[tuple[Any, Any]] = []
    for op, av in items:
        if op is _c.LITERAL:
            out.append((op, _lower_code(av)))
        elif op is _c.RANGE:
            lo, hi = av
            if any(chr(c).lower() != chr(c).upper() for c in range(max(lo, 128), hi + 1)):
                raise _UnknownError  # letters outside ASCII in the range
            out.append((op, av))
            upper = [c for c in range(lo, min(hi, 127) + 1) if c in _UPPER_ASCII]
            if upper:
                out.append((op, (upper[0] + 32, upper[-1] + 32)))
        elif op in (_c.NEGATE, _c.CATEGORY):
            out.append((op, av))
        else:
            raise _UnknownError
    return out


# id(pattern) -> (pattern, its lower-case form): hashing a compiled pattern hashes its whole
# program, which would cost more than the search saves; the pattern is kept so its id stays its.
_LOWER_CASE: dict[int, tuple[re.Pattern[str], re.Pattern[str] | None]] = {}


def _lower_case(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """``pattern`` (case-blind) compiled to match the lower-cased text, or None when it cannot
    be (scoped flags, back-references, letters outside ASCII). Compiled once per pattern."""
    known = _LOWER_CASE.get(id(pattern))
    if known is not None and known[0] is pattern:
        return known[1]
    lowered = _compile_lower_case(pattern)
    if len(_LOWER_CASE) < 1024:
        _LOWER_CASE[id(pattern)] = (pattern, lowered)
    return lowered


def _compile_lower_case(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    if _sre_parser is None or not pattern.flags & re.IGNORECASE or not _INFO_WORKS:
        return None
    flags = pattern.flags & ~re.IGNORECASE & ~re.UNICODE
    try:
        parsed = _sre_parser.parse(pattern.pattern, pattern.flags)
        if parsed.state.flags & (re.ASCII | re.LOCALE):
            return None
        parsed.data = _lowered(list(parsed.data))
        parsed.state.flags &= ~re.IGNORECASE
        chars = _start_set(parsed)
        if chars is None or len(chars) > _MAX_SET or parsed.getwidth()[0] == 0:
            return None
        return _compile_with_start_set(pattern.pattern, flags, chars, parsed)
    except (_UnknownError, AttributeError, TypeError, ValueError, re.error):
        return None


def lower_case(text: str) -> str | None:
    """``text.lower()`` when re.IGNORECASE matches it as it matches the lower-cased text (no
    "İ", "ı" or "ſ"), else None."""
    if "\u0130" in text or "\u0131" in text or "\u017f" in text:  # _UNLOWERED
        return None
    return text.lower()


def ascii_lower_case(text: str) -> bytes | None:
    """``text`` as lower-case ASCII bytes, a "?" for each character outside ASCII: a word of
    ASCII letters is found in it at the positions re.IGNORECASE finds it in ``text``. None when
    the text holds a character re.IGNORECASE matches to an ASCII letter (ſ, ı, İ, the Kelvin
    sign). (bytes.lower() is several times quicker than str.lower() on a text with a curly
    quote.)"""
    if text.isascii():
        return text.encode("ascii").lower()
    if any(ch in text for ch in _FOLDS_TO_ASCII_CHARS):
        return None
    return text.encode("ascii", "replace").lower()


_FOLDS_TO_ASCII_CHARS = "".join(_FOLDS_TO_ASCII.values())


class CaseBlind:
    """A text lower-cased once for several case-blind searches: each pattern runs with every
    letter in lower case on the lower-cased text, where re tests a plain character instead of
    a set of two (``[cC]``), two to three times quicker for long alternations of words. The
    matches' positions are the text's; their groups are lower case. When str.lower() would not
    fold the text as re.IGNORECASE does (:func:`lower_case`), the patterns run on the text.

    Lower-casing a text that is not ASCII costs about what a quick pattern's scan costs, so
    this pays for the slow patterns and for several searches of one text.
    """

    __slots__ = ("low", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.low = lower_case(text)

    def search(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        if self.low is not None and (lowered := _lower_case(pattern)) is not None:
            return lowered.search(self.low)
        return pattern.search(self.text)

    def finditer(self, pattern: re.Pattern[str]) -> list[re.Match[str]]:
        if self.low is not None and (lowered := _lower_case(pattern)) is not None:
            return list(lowered.finditer(self.low))
        return list(pattern.finditer(self.text))
