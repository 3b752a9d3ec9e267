"""Ingestion: releases in, events out — every release committed before anything parses it.

The pipeline, for files, folders, standard input, URLs, feed items and the web API alike::

    documents ──> store.add_releases (committed: raw bytes, text, source)
              ──> parse (in a process pool for bulk input; in-process for a few releases)
              ──> store.record_parses (outcome + event descriptions, one transaction per batch)
              ──> render the VEVENTs of the events it published (in the pool) and cache them

A process killed between the two steps leaves releases ``pending``; the next run parses them
first (:meth:`Ingestor.resume`). Parsing happens in worker processes that never touch the
database; only this process writes, in batches, so a bulk ingest costs two transactions per
:data:`BATCH` releases.

>>> from icalfeed.store.records import ParseResult
>>> parse_text("", published=None, content_type="text/plain", budget=None,
...            parse=_raise_value_error).error
'ValueError: no'
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Protocol

from icalfeed import __version__
from icalfeed.calendar import CalendarOptions, options_from_config
from icalfeed.config import Config
from icalfeed.errors import IcalfeedError, ParseBudgetError
from icalfeed.feeds import vevent_renderer, vevent_variant
from icalfeed.model import ParsedRelease, Release
from icalfeed.store import (
    AddedRelease,
    Applied,
    Change,
    EventChange,
    EventRecord,
    FeedState,
    NewRelease,
    Outcome,
    ParseResult,
    Source,
    Store,
    StoredEvent,
)
from icalfeed.store.history import prepare_events

BATCH = 256  # releases per transaction in bulk ingestion
# changes after which an event is in feeds with a new SEQUENCE or new stamps: render its VEVENT
_PUBLISHED = frozenset({Change.ADDED, Change.UPDATED, Change.RESCHEDULED, Change.CANCELLED})
POOL_MIN = 16  # fewer releases than this to parse: no process pool
SKIPPED_SHOWN = 3  # skipped files listed by name per reason in a summary


class ParseFunction(Protocol):
    def __call__(
        self,
        text: str,
        *,
        published: date | None = ...,
        content_type: str = ...,
        budget_seconds: float | None = ...,
    ) -> ParsedRelease: ...


def parser_version() -> str:
    """The version recorded with each parse: the parser's own when it declares one."""
    try:
        import icalfeed.extract as extract
    except ImportError:  # pragma: no cover - the parser is part of the package
        return __version__
    return str(getattr(extract, "PARSER_VERSION", __version__))


def default_parse(
    text: str,
    *,
    published: date | None = None,
    content_type: str = "text/plain",
    budget_seconds: float | None = None,
) -> ParsedRelease:
    from icalfeed.extract import parse_release

    return parse_release(
        text, published=published, content_type=content_type, budget_seconds=budget_seconds
    )


def _raise_value_error(text: str, **_: Any) -> ParsedRelease:
    raise ValueError("no")


def parse_text(
    text: str | None,
    *,
    published: date | None,
    content_type: str,
    budget: float | None,
    parse: Callable[..., ParsedRelease] = default_parse,
    version: str | None = None,
    error: str | None = None,
) -> ParseResult:
    """Run the parser over one release and say what happened; never raises for the release's
    sake (a parser exception becomes ``error``, so the release is recorded ``failed``)."""
    version = version or parser_version()
    if text is None:
        return ParseResult(version, error=error or "DecodeError: the bytes are not text")
    started = time.perf_counter()
    try:
        result = parse(text, published=published, content_type=content_type, budget_seconds=budget)
    except ParseBudgetError:
        return ParseResult(version, over_budget=time.perf_counter() - started)
    except Exception as e:  # the parser must never take the pipeline down with it
        detail = str(e).strip().splitlines()[0] if str(e).strip() else ""
        return ParseResult(
            version, error=f"{type(e).__name__}: {detail}"[:2000], seconds=_since(started)
        )
    return ParseResult(version, parsed=result, seconds=_since(started))


def _since(started: float) -> float:
    return time.perf_counter() - started


@dataclass(frozen=True, slots=True)
class _Job:
    release_id: int
    text: str | None
    content_type: str
    published: date | None
    error: str | None = None


def _parse_jobs(
    jobs: Sequence[_Job], budget: float | None, parse: Callable[..., ParsedRelease], version: str
) -> list[tuple[int, ParseResult]]:
    """What a worker process runs: a chunk of jobs, so one pickle carries many releases.

    The events are prepared for the store here too (serialised, hashed), so the one process
    that writes only writes; what goes back is only what it records.
    """
    out: list[tuple[int, ParseResult]] = []
    for j in jobs:
        result = parse_text(
            j.text,
            published=j.published,
            content_type=j.content_type,
            budget=budget,
            parse=parse,
            version=version,
            error=j.error,
        )
        parsed = result.parsed
        if parsed is not None:
            try:
                prepared = prepare_events(parsed.events)
            except Exception as e:  # an event the store cannot serialise: a parser bug
                result = ParseResult(version, error=f"{type(e).__name__}: {e}"[:2000])
            else:
                # the writer needs the prepared events and the publication date, not the text
                # and the Event objects: they need not be pickled back to it
                slim = ParsedRelease(Release("", published=parsed.published), None, ())
                result = replace(result, parsed=slim, prepared=prepared)
        out.append((j.release_id, result))
    return out


# What a VEVENT's bytes depend on besides the event (CalendarOptions.vevent_key): the default
# durations and the transparency. CalendarOptions itself does not pickle (a mappingproxy).
VeventKey = tuple[tuple[tuple[str, int], ...], bool]


def _vevent_key(options: CalendarOptions) -> VeventKey:
    return tuple(sorted(options.durations.items())), options.transparent


@functools.lru_cache(maxsize=8)
def _renderer_for(key: VeventKey) -> tuple[str, Callable[[StoredEvent], bytes]]:
    durations, transparent = key
    return vevent_renderer(
        CalendarOptions(durations=dict(durations), transparent=transparent), None
    )


def _render_jobs(records: Sequence[EventRecord], key: VeventKey) -> list[tuple[str, int, bytes]]:
    """What a worker process runs to render published events' VEVENTs, exactly as a feed
    request would (an event the calendar refuses is left to that request, which says why)."""
    _, render = _renderer_for(key)
    out: list[tuple[str, int, bytes]] = []
    for record in records:
        try:
            out.append((record.uid, record.sequence, render(record.stored())))
        except Exception:  # noqa: S112 - rendered again, and refused visibly, on request
            continue
    return out


# -- what a run did -----------------------------------------------------------------------------


@dataclass
class Summary:
    """Counts for the end-of-run summary; ``failed`` and ``skipped`` name the releases."""

    seen: int = 0
    new: int = 0
    duplicates: int = 0
    resumed: int = 0
    parsed: int = 0
    no_events: int = 0
    needs_review: int = 0
    added: int = 0
    updated: int = 0
    rescheduled: int = 0
    cancelled: int = 0
    held: int = 0
    withdrawn: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    changes: list[EventChange] = field(default_factory=list)
    release_ids: list[int] = field(default_factory=list)  # per item read, in order
    seconds: float = 0.0

    def count(self, applied: Applied, name: str) -> None:
        if applied.outcome is Outcome.PARSED:
            self.parsed += 1
        elif applied.outcome is Outcome.NO_EVENTS:
            self.no_events += 1
        elif applied.outcome is Outcome.NEEDS_REVIEW:
            self.needs_review += 1
        for c in applied.changes:
            self.changes.append(c)
            attr = {
                Change.ADDED: "added",
                Change.UPDATED: "updated",
                Change.RESCHEDULED: "rescheduled",
                Change.CANCELLED: "cancelled",
                Change.HELD: "held",
                Change.WITHDRAWN: "withdrawn",
            }.get(c.change)
            if attr:
                setattr(self, attr, getattr(self, attr) + 1)

    def lines(self) -> list[str]:
        """The summary as printed at the end of ``icalfeed ingest``."""
        rate = f" in {self.seconds:.1f} s" if self.seconds else ""
        out = [
            f"{self.seen} releases read{rate}: {self.new} new, {self.duplicates} already stored"
            + (f", {self.resumed} resumed from an interrupted run" if self.resumed else ""),
            f"events: {self.added} added, {self.updated} updated, {self.rescheduled} rescheduled, "
            f"{self.cancelled} cancelled, {self.held} held for review"
            + (f", {self.withdrawn} withdrawn" if self.withdrawn else ""),
            f"releases: {self.parsed} parsed, {self.no_events} without events, "
            f"{self.needs_review} need review, {len(self.failed)} failed, "
            f"{len(self.skipped)} skipped",
        ]
        out += [f"failed: {name}: {why}" for name, why in self.failed]
        by_reason: dict[str, list[str]] = {}
        for name, why in self.skipped:
            by_reason.setdefault(why, []).append(name)
        for why, names in by_reason.items():
            if len(names) <= SKIPPED_SHOWN:
                out += [f"skipped: {name}: {why}" for name in names]
            else:
                shown = ", ".join(names[:SKIPPED_SHOWN])
                out.append(f"skipped {len(names)}: {why}: {shown}, ...")
        return out


# -- the pipeline -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Incoming:
    """A release to ingest: a NewRelease plus, when it could not be decoded, why."""

    release: NewRelease
    error: str | None = None

    @property
    def name(self) -> str:
        return self.release.source.describe()


Progress = Callable[[Summary], None]


class Ingestor:
    """Stores and parses releases in batches, with a process pool for bulk input.

    ``workers``: parser processes (default ICALFEED_WORKERS; 0 = one per CPU; 1 = no pool).
    ``parse``: the parser (a module-level function, so worker processes can import it).
    ``render``: render the VEVENT of each event a parse publishes into the default feeds' window
    (ICALFEED_PAST_DAYS ago on) in the pool's workers and cache it, so the first feed request
    after a bulk ingest only joins bytes. Older events (an archive's) are rendered when a feed
    asks for them (``from=``, ``export --all``): most never are, and rendering costs more than
    parsing.
    """

    def __init__(
        self,
        store: Store,
        *,
        workers: int | None = None,
        parse: Callable[..., ParsedRelease] = default_parse,
        budget: float | None = None,
        progress: Progress | None = None,
        render: bool = True,
    ) -> None:
        self.store = store
        cfg: Config = store.config
        n = cfg.workers if workers is None else workers
        self.workers = n or os.cpu_count() or 1
        self.parse = parse
        self.budget = cfg.parse_budget_seconds if budget is None else budget
        self.progress = progress
        self.version = parser_version()
        options = options_from_config(cfg)
        self._render_key = _vevent_key(options) if render else None
        self._variant = vevent_variant(options)
        self._rendering: deque[Future[list[tuple[str, int, bytes]]]] = deque()
        self._pool: Executor | None = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def __enter__(self) -> Ingestor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _executor(self) -> Executor:
        if self._pool is None:
            # forkserver: workers start from a clean process, never from one holding database
            # connections or threads
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(["icalfeed.ingest", "icalfeed.extract", "icalfeed.feeds"])
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx)
        return self._pool

    # -- parsing ------------------------------------------------------------------------------

    def _parse_many(self, jobs: list[_Job]) -> Iterator[tuple[int, ParseResult]]:
        if self.workers <= 1 or len(jobs) < POOL_MIN:
            yield from _parse_jobs(jobs, self.budget, self.parse, self.version)
            return
        chunk = max(1, min(32, len(jobs) // (self.workers * 4) or 1))
        pool = self._executor()
        futures = [
            pool.submit(_parse_jobs, jobs[i : i + chunk], self.budget, self.parse, self.version)
            for i in range(0, len(jobs), chunk)
        ]
        for f in futures:
            yield from f.result()

    def _submit(self, jobs: list[_Job]) -> Future[list[tuple[int, ParseResult]]] | None:
        """Start parsing a batch in the pool without waiting (None: parse it inline later)."""
        if self.workers <= 1 or len(jobs) < POOL_MIN:
            return None
        pool = self._executor()
        chunk = max(1, min(32, len(jobs) // (self.workers * 2) or 1))
        parts = [
            pool.submit(_parse_jobs, jobs[i : i + chunk], self.budget, self.parse, self.version)
            for i in range(0, len(jobs), chunk)
        ]
        done: Future[list[tuple[int, ParseResult]]] = Future()

        def collect(_: object) -> None:
            if all(p.done() for p in parts) and not done.done():
                try:
                    done.set_result([r for p in parts for r in p.result()])
                except BaseException as e:
                    done.set_exception(e)

        for p in parts:
            p.add_done_callback(collect)
        return done

    # -- rendering ----------------------------------------------------------------------------

    def _render(self, applied: Sequence[Applied]) -> None:
        """Render the VEVENTs of the events these parses published: in the pool when there is
        one (cached by a later :meth:`_cache_rendered`), else here and now."""
        key = self._render_key
        uids = [c.uid for a in applied for c in a.changes if c.change in _PUBLISHED]
        if key is None or not uids:
            return
        records = self.store.unrendered(uids, self._variant)
        if self.workers <= 1 or len(records) < POOL_MIN:
            self.store.cache_vevents(self._variant, _render_jobs(records, key))
            return
        pool = self._executor()
        chunk = max(1, min(32, len(records) // (self.workers * 2) or 1))
        for i in range(0, len(records), chunk):
            self._rendering.append(pool.submit(_render_jobs, records[i : i + chunk], key))

    def _cache_rendered(self, *, wait: bool) -> None:
        """Cache what the pool has rendered so far (``wait``: all of it), in one transaction."""
        rendered: list[tuple[str, int, bytes]] = []
        while self._rendering and (wait or self._rendering[0].done()):
            rendered += self._rendering.popleft().result()
        self.store.cache_vevents(self._variant, rendered)

    # -- ingesting ----------------------------------------------------------------------------

    def ingest(self, items: Iterable[Incoming], summary: Summary | None = None) -> Summary:
        """Store and parse every item; parse releases left pending by an earlier run first."""
        summary = summary or Summary()
        started = time.perf_counter()
        self.resume(summary)
        # Two batches in flight: the pool parses batch k+1 while this process records batch k.
        in_flight: deque[tuple[list[_Job], dict[int, str], Any]] = deque()
        for batch in _batches(items, BATCH):
            jobs, names = self._store_batch(batch, summary)
            in_flight.append((jobs, names, self._submit(jobs)))
            if len(in_flight) > 1:
                self._record(*in_flight.popleft(), summary)
        while in_flight:
            self._record(*in_flight.popleft(), summary)
        self._cache_rendered(wait=True)
        summary.seconds = time.perf_counter() - started
        return summary

    def _store_batch(
        self, batch: list[Incoming], summary: Summary
    ) -> tuple[list[_Job], dict[int, str]]:
        added: list[AddedRelease] = self.store.add_releases([i.release for i in batch])
        jobs: list[_Job] = []
        names: dict[int, str] = {}
        for item, a in zip(batch, added, strict=True):
            summary.seen += 1
            summary.release_ids.append(a.id)
            if not a.new and a.outcome is not Outcome.PENDING:
                summary.duplicates += 1
                continue
            if a.id in names:  # the same bytes twice in one batch
                summary.duplicates += 1
                continue
            summary.new += a.new
            rel = item.release
            names[a.id] = item.name
            jobs.append(_Job(a.id, rel.text, rel.content_type, rel.published, item.error))
        return jobs, names

    def _record(
        self,
        jobs: list[_Job],
        names: dict[int, str],
        future: Future[list[tuple[int, ParseResult]]] | None,
        summary: Summary,
    ) -> None:
        results = future.result() if future is not None else list(self._parse_many(jobs))
        recorded = self.store.record_parses(results)
        self._cache_rendered(wait=False)
        self._render(recorded)
        for applied in recorded:
            assert applied.release_id is not None
            name = names.get(applied.release_id, f"release {applied.release_id}")
            if applied.outcome is Outcome.FAILED:
                detail = self.store.release(applied.release_id).info.detail or "failed"
                summary.failed.append((name, detail))
            summary.count(applied, name)
        if self.progress:
            self.progress(summary)

    def resume(self, summary: Summary) -> None:
        """Parse releases an interrupted run stored but never parsed."""
        pending = self.store.pending_releases()
        for i in range(0, len(pending), BATCH):
            jobs: list[_Job] = []
            names: dict[int, str] = {}
            for rid in pending[i : i + BATCH]:
                rel = self.store.release(rid)
                names[rid] = rel.info.source.describe()
                jobs.append(_Job(rid, rel.text, rel.info.content_type, rel.info.published))
            summary.resumed += len(jobs)
            self._record(jobs, names, self._submit(jobs), summary)

    def reparse(self, release_ids: Iterable[int] | None = None) -> Summary:
        """Run the current parser over stored releases again; update events by identity."""
        summary = Summary()
        started = time.perf_counter()
        ids = list(self.store.release_ids() if release_ids is None else release_ids)
        for i in range(0, len(ids), BATCH):
            jobs: list[_Job] = []
            names: dict[int, str] = {}
            for rid in ids[i : i + BATCH]:
                rel = self.store.release(rid)
                if rel.info.outcome is Outcome.REJECTED:
                    continue
                names[rid] = rel.info.source.describe()
                jobs.append(_Job(rid, rel.text, rel.info.content_type, rel.info.published))
            summary.seen += len(jobs)
            results = list(self._parse_many(jobs))
            recorded = self.store.record_parses(results, replace=True)
            self._cache_rendered(wait=False)
            self._render(recorded)
            for applied in recorded:
                assert applied.release_id is not None
                if applied.outcome is Outcome.FAILED:
                    detail = self.store.release(applied.release_id).info.detail or "failed"
                    summary.failed.append((names[applied.release_id], detail))
                summary.count(applied, names[applied.release_id])
            if self.progress:
                self.progress(summary)
        self._cache_rendered(wait=True)
        summary.seconds = time.perf_counter() - started
        return summary


def _batches(items: Iterable[Incoming], size: int) -> Iterator[list[Incoming]]:
    batch: list[Incoming] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# -- from sources to Incoming -------------------------------------------------------------------


def incoming_from_paths(
    paths: Iterable[str], config: Config, summary: Summary, *, stdin: Any = None
) -> Iterator[Incoming]:
    """Files, folders, ``-`` and http(s) URLs as releases; skipped files go to the summary."""
    from icalfeed.sources.files import Document, Skipped, iter_documents

    local: list[str] = []

    def flush() -> Iterator[Incoming]:
        for doc in iter_documents(local, config=config, stdin=stdin):
            if isinstance(doc, Document):
                yield from_document(doc)
            elif isinstance(doc, Skipped):
                if doc.raw is not None:  # read but not text: keep it, recorded as failed
                    yield Incoming(
                        NewRelease(doc.raw, "application/octet-stream", Source.file(doc.path)),
                        error=f"{type(doc.error).__name__}: {doc.reason}",
                    )
                else:
                    summary.skipped.append((doc.path, doc.reason))
        local.clear()

    for p in paths:
        if p.startswith(("http://", "https://")):
            yield from flush()
            item = incoming_from_url(p, config, summary)
            if item is not None:
                yield item
        else:
            local.append(p)
    yield from flush()


def from_document(doc: Any) -> Incoming:
    """A :class:`icalfeed.sources.files.Document` as an Incoming release."""
    return Incoming(NewRelease(doc.raw, doc.content_type, doc.source, doc.text, doc.published))


def incoming_from_url(url: str, config: Config, summary: Summary) -> Incoming | None:
    """Fetch one release over http(s) under the fetcher's rules; a refusal goes to ``skipped``."""
    from icalfeed.sources.decode import sniff_content_type
    from icalfeed.sources.fetch import fetch_url
    from icalfeed.sources.files import document_from_bytes

    try:
        fetched = fetch_url(url, config=config)
        header = fetched.content_type
        if fetched.charset:
            header = f"{header or 'text/plain'}; charset={fetched.charset}"
        kind = sniff_content_type(fetched.body, declared=header)
        doc = document_from_bytes(fetched.body, kind, Source.url(url))
    except IcalfeedError as e:
        summary.skipped.append((url, str(e)))
        return None
    return from_document(doc)


# -- feeds --------------------------------------------------------------------------------------


@dataclass
class FeedReport:
    """What one poll of one feed did."""

    url: str
    status: int | None = None
    not_modified: bool = False
    items: int = 0
    new_items: int = 0
    error: str | None = None


def poll_feeds(
    ingestor: Ingestor, urls: Sequence[str], summary: Summary | None = None
) -> tuple[list[FeedReport], Summary]:
    """Poll each feed once (conditional GET) and ingest the items not seen before.

    An item is marked seen only after its release is committed, so a run killed in between
    fetches it again next time (and the content hash stores it once). An item whose page cannot
    be fetched stays unseen and is tried again on the next poll.
    """
    from icalfeed.sources.feeds import item_document, poll_feed

    store = ingestor.store
    config = store.config
    summary = summary or Summary()
    reports: list[FeedReport] = []
    for url in urls:
        report = FeedReport(url)
        reports.append(report)
        state = store.feed_state(url)
        try:
            polled = poll_feed(
                url,
                config=config,
                etag=state.etag if state else None,
                modified=state.last_modified if state else None,
            )
        except IcalfeedError as e:
            report.error = str(e)
            store.save_feed_state(
                FeedState(
                    url,
                    etag=state.etag if state else None,
                    last_modified=state.last_modified if state else None,
                    error=str(e),
                )
            )
            continue
        report.status, report.not_modified = polled.status, polled.not_modified
        report.items = len(polled.items)
        by_id = {item.item_id: item for item in polled.items}
        unseen = store.unseen_items(url, list(by_id))
        report.new_items = len(unseen)
        fetched: list[tuple[str, Incoming]] = []
        for item_id in unseen:
            try:
                doc = item_document(by_id[item_id], config=config)
            except IcalfeedError as e:
                summary.skipped.append((f"{url} item {item_id}", str(e)))
                continue
            fetched.append((item_id, from_document(doc)))
        first = len(summary.release_ids)
        ingestor.ingest([inc for _, inc in fetched], summary)
        for (item_id, _), release_id in zip(fetched, summary.release_ids[first:], strict=True):
            store.mark_item_seen(url, item_id, release_id)
        store.save_feed_state(
            FeedState(url, etag=polled.etag, last_modified=polled.modified, status=polled.status)
        )
    return reports, summary


def accept_release(
    store: Store,
    release_id: int,
    uid: str | None = None,
    *,
    parse: Callable[..., ParsedRelease] = default_parse,
) -> Applied:
    """Accept a held event, or a release: one held as a whole is parsed again without a budget."""
    if uid is None and store.held_release(release_id):
        rel = store.release(release_id)
        result = parse_text(
            rel.text,
            published=rel.info.published,
            content_type=rel.info.content_type,
            budget=None,
            parse=parse,
        )
        store.record_parse(release_id, result, replace=True)
    return store.accept(release_id, uid)


__all__ = [
    "BATCH",
    "FeedReport",
    "Incoming",
    "Ingestor",
    "Summary",
    "accept_release",
    "default_parse",
    "from_document",
    "incoming_from_paths",
    "incoming_from_url",
    "parse_text",
    "parser_version",
    "poll_feeds",
]
