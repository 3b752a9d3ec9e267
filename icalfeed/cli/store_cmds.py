"""The store's commands: ``ingest``, ``poll``, ``export``, ``review``, ``reparse``, ``db``.

Each takes ``--database URL`` (else ICALFEED_DATABASE_URL, else the SQLite file in the instance
folder). ``ingest`` and ``poll`` create the schema in an empty database; every command refuses a
database at another schema revision with a message naming ``icalfeed db upgrade``.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from icalfeed.cli.params import iso_date
from icalfeed.config import KINDS, Config, parse_duration

F = TypeVar("F", bound=Callable[..., Any])


def database_option(f: F) -> F:
    return click.option(
        "--database",
        "database",
        metavar="URL",
        envvar="ICALFEED_DATABASE_URL",
        show_envvar=True,
        help="SQLAlchemy URL of the store (sqlite:///file or postgresql://...). "
        "Default: the SQLite file in ICALFEED_INSTANCE_PATH.",
    )(f)


def workers_option(f: F) -> F:
    return click.option(
        "--workers",
        type=click.IntRange(min=0),
        default=None,
        help="Parser processes (default ICALFEED_WORKERS; 0: one per CPU; 1: no pool).",
    )(f)


def open_store(database: str | None, *, create: bool = False) -> Any:
    from icalfeed.store import Store

    config = Config.from_env()
    return Store.open(config, database or None, create=create)


def count_releases(paths: tuple[str, ...]) -> int:
    """How many releases ``paths`` name (files with a release suffix; a URL or - counts one)."""
    from icalfeed.sources.files import SUFFIX_TYPES

    n = 0
    for p in paths:
        path = Path(p)
        if path.is_dir():
            for _root, dirs, files in os.walk(path):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                n += sum(
                    1
                    for f in files
                    if not f.startswith(".") and Path(f).suffix.lower() in SUFFIX_TYPES
                )
        else:
            n += 1
    return n


class _Progress:
    """A progress bar on standard error while a bulk run goes (only on a terminal)."""

    WIDTH = 30

    def __init__(self, enabled: bool, total: int | None = None) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.total = total
        self.started = time.perf_counter()

    def __call__(self, summary: Any) -> None:
        if not self.enabled:
            return
        n = summary.seen + summary.resumed
        rate = n / max(time.perf_counter() - self.started, 1e-9)
        bar = ""
        if self.total:
            filled = min(self.WIDTH, self.WIDTH * n // self.total)
            bar = f"[{'#' * filled}{'-' * (self.WIDTH - filled)}] {n}/{self.total} "
        else:
            bar = f"{n} releases "
        click.echo(
            f"\r{bar}{summary.added} events added, {len(summary.failed)} failed ({rate:.0f}/s)",
            err=True,
            nl=False,
        )

    def done(self) -> None:
        if self.enabled:
            click.echo("", err=True)


def _print_summary(summary: Any) -> None:
    for line in summary.lines():
        click.echo(line)


# -- ingest -------------------------------------------------------------------------------------


@click.command()
@click.argument("paths", nargs=-1, required=True)
@database_option
@workers_option
@click.option("--quiet", "-q", is_flag=True, help="Print only failures, no progress.")
def ingest(paths: tuple[str, ...], database: str | None, workers: int | None, quiet: bool) -> None:
    """Store and parse releases from files, folders (recursive), - (stdin) and http(s) URLs.

    Files ending in .txt, .html, .htm and .eml are read; others are skipped and counted. Every
    release is committed before it is parsed; one the parser cannot read is stored as failed.
    Ingesting the same release again changes nothing.
    """
    from icalfeed.ingest import Ingestor, Summary, incoming_from_paths

    store = open_store(database, create=True)
    progress = _Progress(not quiet, count_releases(paths) if sys.stderr.isatty() else None)
    try:
        summary = Summary()
        with Ingestor(store, workers=workers, progress=progress) as ingestor:
            ingestor.ingest(incoming_from_paths(paths, store.config, summary), summary)
    finally:
        progress.done()
        store.close()
    if quiet:
        for name, why in summary.failed:
            click.echo(f"failed: {name}: {why}")
    else:
        _print_summary(summary)


# -- poll ---------------------------------------------------------------------------------------


def _duration(value: str) -> int:
    try:
        return parse_duration(value)
    except ValueError as e:
        raise click.BadParameter(str(e)) from None


@click.command()
@click.argument("feeds", nargs=-1)
@database_option
@workers_option
@click.option(
    "--every",
    metavar="DURATION",
    is_flag=False,
    flag_value="",
    default=None,
    help="Keep polling at this interval (90s, 15m, 4h); `--every` alone: ICALFEED_POLL_EVERY. "
    "Without it, poll once and exit.",
)
def poll(
    feeds: tuple[str, ...], database: str | None, workers: int | None, every: str | None
) -> None:
    """Poll RSS/Atom newsrooms (FEEDS, else ICALFEED_FEEDS) and ingest new items.

    Conditional GET (ETag / Last-Modified): a poll that finds nothing new costs one small
    request. Suitable for cron, or a worker process with --every 15m.
    """
    from icalfeed.ingest import Ingestor, poll_feeds

    store = open_store(database, create=True)
    urls = list(feeds) or list(store.config.feeds)
    if not urls:
        store.close()
        raise click.UsageError("no feeds: name them, or set ICALFEED_FEEDS")
    interval = None if every is None else _duration(every) if every else store.config.poll_every
    try:
        with Ingestor(store, workers=workers) as ingestor:
            while True:
                reports, summary = poll_feeds(ingestor, urls)
                for r in reports:
                    if r.error:
                        click.echo(f"{r.url}: error: {r.error}", err=True)
                    elif r.not_modified:
                        click.echo(f"{r.url}: not modified")
                    else:
                        click.echo(f"{r.url}: {r.items} items, {r.new_items} new")
                if summary.seen or summary.skipped:
                    _print_summary(summary)
                if interval is None:
                    break
                time.sleep(interval)
    finally:
        store.close()
    if all(r.error for r in reports):
        sys.exit(1)


# -- export -------------------------------------------------------------------------------------


@click.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    default="-",
    help="File to write (default: standard output).",
)
@click.option("--ticker", "tickers", multiple=True, help="Only this company (repeatable).")
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice(KINDS),
    help="Only this kind of event (repeatable).",
)
@click.option("--from", "start", metavar="DATE", help="Events from this date (YYYY-MM-DD).")
@click.option("--to", "end", metavar="DATE", help="Events up to this date, inclusive.")
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="Every published event, whatever its date (and cancelled ones of any age).",
)
@database_option
def export(
    output: str,
    tickers: tuple[str, ...],
    kinds: tuple[str, ...],
    start: str | None,
    end: str | None,
    everything: bool,
    database: str | None,
) -> None:
    """Write a feed as a static .ics file, for any static host or CDN.

    Like the served feeds it holds every future event and the past ICALFEED_PAST_DAYS, unless
    --from or --all says otherwise.
    """
    from icalfeed.store import EventQuery

    query = EventQuery(
        tickers=tuple(t.upper() for t in tickers),
        kinds=kinds,
        start=iso_date(start),
        end=iso_date(end),
        everything=everything,
    )
    store = open_store(database)
    try:
        data = render_export(store, query)
    finally:
        store.close()
    if output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        Path(output).write_bytes(data)
        click.echo(f"wrote {output}", err=True)


def render_export(store: Any, query: Any) -> bytes:
    """The feed for ``query`` from the store's cached VEVENT bytes (as the web app serves it)."""
    from icalfeed.calendar import options_from_config, render_feed
    from icalfeed.feeds import feed_entry, vevent_renderer

    options = options_from_config(store.config)
    if query.tickers:
        options = options.replace(name=f"{options.name}: {', '.join(query.tickers)}")
    variant, render = vevent_renderer(options, None)
    entries = [feed_entry(c) for c in store.vevents(query, render, variant)]
    data: bytes = render_feed(entries, options)
    return data


# -- review -------------------------------------------------------------------------------------


@click.group(invoke_without_command=True)
@database_option
@click.pass_context
def review(ctx: click.Context, database: str | None) -> None:
    """List what waits for review; `review accept` / `review reject` decide.

    Events the parser is less sure of than ICALFEED_CONFIDENCE_THRESHOLD, and releases whose
    parse ran over ICALFEED_PARSE_BUDGET_SECONDS, wait here and are not in feeds.
    """
    ctx.obj = database
    if ctx.invoked_subcommand is not None:
        return
    store = open_store(database)
    try:
        items = store.review_queue()
    finally:
        store.close()
    if not items:
        click.echo("nothing to review")
    for item in items:
        if item.event is None:
            click.echo(f"release {item.release_id} (whole release): {item.reason}")
            continue
        ev = item.event
        when = ev.start.isoformat()
        click.echo(f"release {item.release_id} {item.uid}: {ev.title} at {when} — {item.reason}")


def _decide(database: str | None, release_id: int, uid: str | None, accept: bool) -> None:
    from icalfeed.ingest import accept_release

    store = open_store(database)
    try:
        applied = (
            accept_release(store, release_id, uid) if accept else store.reject(release_id, uid)
        )
    finally:
        store.close()
    verb = "accepted" if accept else "rejected"
    click.echo(f"release {release_id}: {verb}; now {applied.outcome}")
    for c in applied.changes:
        click.echo(f"  {c.change}: {c.uid} (SEQUENCE {c.sequence}) {c.title}")


@review.command("accept")
@click.argument("release_id", type=int)
@click.argument("uid", required=False)
@database_option
@click.pass_obj
def review_accept(
    parent: str | None, release_id: int, uid: str | None, database: str | None
) -> None:
    """Publish a held event (UID), or every held event of a release."""
    _decide(database or parent, release_id, uid, True)


@review.command("reject")
@click.argument("release_id", type=int)
@click.argument("uid", required=False)
@database_option
@click.pass_obj
def review_reject(
    parent: str | None, release_id: int, uid: str | None, database: str | None
) -> None:
    """Keep a held event (UID), or every held event of a release, out of feeds."""
    _decide(database or parent, release_id, uid, False)


# -- reparse ------------------------------------------------------------------------------------


@click.command()
@database_option
@workers_option
def reparse(database: str | None, workers: int | None) -> None:
    """Run the current parser over every stored release again and report what changed."""
    from icalfeed.ingest import Ingestor

    store = open_store(database)
    progress = _Progress(True)
    try:
        with Ingestor(store, workers=workers, progress=progress) as ingestor:
            summary = ingestor.reparse()
    finally:
        progress.done()
        store.close()
    click.echo(f"{summary.seen} releases parsed again in {summary.seconds:.1f} s")
    click.echo(
        f"events: {summary.added} added, {summary.updated} updated, {summary.rescheduled} "
        f"rescheduled, {summary.cancelled} cancelled, {summary.held} held, "
        f"{summary.withdrawn} withdrawn"
    )
    for c in summary.changes:
        click.echo(f"  {c.change}: {c.uid} (SEQUENCE {c.sequence}) {c.title}")
    for name, why in summary.failed:
        click.echo(f"failed: {name}: {why}")


# -- db -----------------------------------------------------------------------------------------


@click.group()
def db() -> None:
    """The database schema: `db upgrade` migrates it, `db current` shows its revision."""


def _engine(database: str | None) -> Any:
    from icalfeed.store.engine import make_engine

    return make_engine(database or Config.from_env().resolved_database_url)


@db.command("upgrade")
@database_option
def db_upgrade(database: str | None) -> None:
    """Create the schema, or migrate it to the revision this icalfeed needs."""
    from icalfeed.store import migrate

    engine = _engine(database)
    try:
        before, after = migrate.upgrade(engine)
    finally:
        engine.dispose()
    if before == after:
        click.echo(f"schema already at revision {after}")
    else:
        click.echo(f"schema upgraded from {before or '(empty)'} to {after}")


@db.command("current")
@database_option
def db_current(database: str | None) -> None:
    """Print the database's schema revision and the one this icalfeed needs."""
    from icalfeed.store import migrate
    from icalfeed.store.engine import describe_url, mapped_errors

    engine = _engine(database)
    url = engine.url.render_as_string(hide_password=False)
    try:
        with mapped_errors(url), engine.connect() as conn:
            found = migrate.current_revision(conn)
    finally:
        engine.dispose()
    click.echo(f"database: {describe_url(url)}")
    click.echo(f"revision: {found or '(none)'}")
    click.echo(f"needed:   {migrate.SCHEMA_REVISION}")
    if found != migrate.SCHEMA_REVISION:
        click.echo("run `icalfeed db upgrade`")
        sys.exit(1)
