"""Event-level scoring of parser output against gold labels, as corpus-score does it.

Gold events are ``NAME.json`` items (``../shared/corpus/SCHEMA.md``); predicted events are the
``events`` items of :func:`icalfeed.serialize.parsed_release_to_dict` (``start`` as ISO 8601 with
an offset, or ``YYYY-MM-DD`` when all-day). An event is found when its UTC instant is exact, or,
for an all-day event (or a gold event with no ``utc_start``, i.e. zone unknown), its date. The
field rules are the scorer's, so a number here means what the scorer's number means.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

FIELDS = (
    "kind",
    "tz",
    "dial_in",
    "passcode",
    "webcast_url",
    "replay_until",
    "status",
    "conference_name",
)

Key = tuple[str, str]
Ev = dict[str, Any]


def gold_key(ev: Ev) -> Key:
    if ev.get("all_day") or not ev.get("utc_start"):
        return ("date", str(ev["local_start"])[:10])
    return ("utc", str(ev["utc_start"]).replace("Z", "+00:00"))


def pred_key(ev: Ev) -> Key:
    start = str(ev.get("start") or "")
    if ev.get("all_day") or len(start) == 10:
        return ("date", start[:10])
    try:
        dt = datetime.fromisoformat(start.replace("Z", "+00:00"))
    except ValueError:
        return ("bad", start)
    if dt.tzinfo is None:
        tz = ev.get("tzid")
        if not tz:
            return ("floating", start)
        try:
            dt = dt.replace(tzinfo=ZoneInfo(tz))
        except Exception:
            return ("bad", start)
    return ("utc", dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00"))


def digits(s: object) -> str:
    return re.sub(r"\D", "", str(s or ""))


def phones_match(gold: Iterable[str] | None, pred: Iterable[str] | None) -> bool:
    """Same numbers both ways, by digits; one may carry a country prefix the other lacks."""
    g = [digits(x) for x in gold or [] if len(digits(x)) >= 7]
    p = [digits(x) for x in pred or [] if len(digits(x)) >= 7]

    def same(a: str, b: str) -> bool:
        return a.endswith(b) or b.endswith(a)

    return all(any(same(a, b) for b in p) for a in g) and all(any(same(a, b) for a in g) for b in p)


def norm_code(s: object) -> str | None:
    return re.sub(r"[^0-9a-z]", "", str(s or "").lower()) or None


def norm_url(s: object) -> str | None:
    if not s:
        return None
    t = str(s).strip().lower()
    t = re.sub(r"^[a-z]+://", "", t)
    t = re.sub(r"^www\.", "", t)
    return t.rstrip("/.") or None


def tz_equivalent(gold_tz: str | None, pred_tz: str | None, key: Key) -> bool:
    """Same zone, or one with the same offset at the event and through the year (same DST rules)."""
    if not gold_tz:
        return True
    if not pred_tz:
        return False
    if gold_tz == pred_tz:
        return True
    try:
        g, p = ZoneInfo(gold_tz), ZoneInfo(pred_tz)
    except Exception:
        return False
    if key[0] == "utc":
        base = datetime.fromisoformat(key[1])
    else:
        base = datetime.fromisoformat(key[1][:10] + "T12:00:00+00:00")
    return all(
        (base + timedelta(days=d)).astimezone(g).utcoffset()
        == (base + timedelta(days=d)).astimezone(p).utcoffset()
        for d in (0, 91, 182, 273)
    )


def words(s: object) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", str(s or "").lower())) - {
        "the",
        "of",
        "and",
        "annual",
        "conference",
    }


def field_ok(name: str, g: Ev, p: Ev, key: Key) -> bool:
    if name == "kind":
        return g.get("kind") == p.get("kind")
    if name == "tz":
        return key[0] == "date" or tz_equivalent(g.get("tzid"), p.get("tzid"), key)
    if name == "dial_in":
        return phones_match(g.get("dial_in"), p.get("dial_in"))
    if name == "passcode":
        return norm_code(g.get("passcode")) == norm_code(p.get("passcode"))
    if name == "webcast_url":
        return norm_url(g.get("webcast_url")) == norm_url(p.get("webcast_url"))
    if name == "replay_until":
        return (g.get("replay_until") or "")[:10] == (p.get("replay_until") or "")[:10]
    if name == "status":
        return (g.get("status") or "confirmed") == (p.get("status") or "confirmed")
    if name == "conference_name":
        if not g.get("conference_name"):
            return True  # null in gold: not checked
        a, b = words(g["conference_name"]), words(p.get("conference_name"))
        return bool(a) and len(a & b) / len(a | b) >= 0.6
    raise KeyError(name)


def shown(name: str, ev: Ev) -> object:
    """The value a field check looked at, for messages."""
    return ev.get("tzid") if name == "tz" else ev.get(name)


@dataclass
class DocResult:
    """How one document's predicted events compare to its gold events."""

    matched: list[tuple[Ev, Ev, Key]] = field(default_factory=list)
    missed: list[Ev] = field(default_factory=list)
    spurious: list[Ev] = field(default_factory=list)
    wrong: list[tuple[Ev, str, object, object]] = field(default_factory=list)  # gold, field, g, p


def compare_events(gold_events: Sequence[Ev], pred_events: Sequence[Ev]) -> DocResult:
    res = DocResult()
    unmatched = list(pred_events)
    for g in gold_events:
        k = gold_key(g)
        hit = next((p for p in unmatched if pred_key(p) == k), None)
        if hit is None:
            res.missed.append(g)
            continue
        unmatched.remove(hit)
        res.matched.append((g, hit, k))
        for f in FIELDS:
            if not field_ok(f, g, hit, k):
                res.wrong.append((g, f, shown(f, g), shown(f, hit)))
    res.spurious = unmatched
    return res


@dataclass
class Score:
    docs: int
    tp: int
    fp: int
    fn: int
    fields: dict[str, float | None]
    errors: list[str]

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def summary(self) -> str:
        fa = " ".join(f"{f}={v:.2f}" for f, v in self.fields.items() if v is not None)
        return (
            f"docs={self.docs} tp={self.tp} fp={self.fp} fn={self.fn} "
            f"precision={self.precision:.3f} recall={self.recall:.3f} event_f1={self.f1:.3f}\n"
            f"fields on found events: {fa}"
        )


def score(docs: Sequence[tuple[str, Sequence[Ev], Sequence[Ev]]]) -> Score:
    """Score ``(name, gold_events, predicted_events)`` triples."""
    tp = fp = fn = 0
    counts = {f: [0, 0] for f in FIELDS}
    errors: list[str] = []
    for name, gold_events, pred_events in docs:
        res = compare_events(gold_events, pred_events)
        tp += len(res.matched)
        fn += len(res.missed)
        fp += len(res.spurious)
        for f in FIELDS:
            counts[f][1] += len(res.matched)
            counts[f][0] += len(res.matched) - sum(1 for w in res.wrong if w[1] == f)
        for g in res.missed:
            errors.append(f"{name}: MISSED {g.get('kind')} {g.get('local_start')} {g.get('tzid')}")
        for p in res.spurious:
            errors.append(f"{name}: SPURIOUS {p.get('kind')} {p.get('start')} {p.get('tzid')}")
        for g, f, gv, pv in res.wrong:
            errors.append(f"{name}: {g.get('local_start')} field {f}: gold={gv!r} got={pv!r}")
    fields = {f: (ok / n if n else None) for f, (ok, n) in counts.items()}
    return Score(len(docs), tp, fp, fn, fields, errors)


__all__ = [
    "FIELDS",
    "DocResult",
    "Score",
    "compare_events",
    "field_ok",
    "gold_key",
    "norm_code",
    "norm_url",
    "phones_match",
    "pred_key",
    "score",
    "tz_equivalent",
]
