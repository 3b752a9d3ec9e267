"""``icalfeed parse``: releases in, events out (JSON, text or iCalendar); nothing stored."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from icalfeed.cli.params import iso_date_option
from icalfeed.errors import IcalfeedError
from icalfeed.model import ParsedRelease


def _read(path: str) -> tuple[str, str]:
    """The release text and its content type (an .eml through the e-mail reader)."""
    from icalfeed.sources import SUFFIX_TYPES, document_from_bytes, sniff_content_type
    from icalfeed.sources.decode import MESSAGE_RFC822, TEXT_HTML, TEXT_PLAIN
    from icalfeed.store.records import Source

    raw = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    content_type = SUFFIX_TYPES.get(Path(path).suffix.lower()) or sniff_content_type(raw, path)
    if content_type not in (TEXT_PLAIN, TEXT_HTML, MESSAGE_RFC822):
        content_type = TEXT_PLAIN  # a feed or binary: let decoding say what is wrong
    source = Source.stdin() if path == "-" else Source.file(path)
    document = document_from_bytes(raw, content_type, source)
    return document.text, document.content_type


def _text_report(source: str, parsed: ParsedRelease) -> str:
    lines = [f"== {source}"]
    if parsed.issuer:
        listings = ", ".join(f"{x.exchange}: {x.ticker}" for x in parsed.issuer.listings)
        lines.append(f"issuer: {parsed.issuer.name}" + (f" ({listings})" if listings else ""))
    lines.append(f"published: {parsed.published or 'unknown'}")
    for w in parsed.warnings:
        lines.append(f"warning: {w}")
    if not parsed.events:
        lines.append("no events")
    for e in parsed.events:
        when = e.start.isoformat() if not e.all_day else f"{e.start} (all day)"
        lines.append(f"- {e.title}")
        lines.append(f"    {e.kind.value}, {e.status.value}: {when} {e.tzid or ''}".rstrip())
        for d in e.dial_ins:
            lines.append(f"    dial-in: {d.number}" + (f" ({d.label})" if d.label else ""))
        if e.passcode:
            lines.append(f"    passcode: {e.passcode}")
        if e.webcast_url:
            lines.append(f"    webcast: {e.webcast_url}")
        for w in e.warnings:
            lines.append(f"    warning: {w}")
    return "\n".join(lines)


@click.command()
@click.argument("files", nargs=-1, required=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "text", "ics"]),
    default="text",
    show_default=True,
    help="json: one object per release (the corpus-score shape); ics: one calendar.",
)
@click.option(
    "--published",
    callback=iso_date_option,
    metavar="YYYY-MM-DD",
    help="Publication date, when the release does not say (relative dates use it).",
)
def parse(files: tuple[str, ...], fmt: str, published: date | None) -> None:
    """Parse releases (FILE... or - for stdin) and print their events. Nothing is stored.

    A file that cannot be read or parsed is reported on stderr and the exit status is 1;
    the other files are still printed.
    """
    from icalfeed.extract import parse_release
    from icalfeed.serialize import parsed_release_to_dict

    results: list[tuple[str, ParsedRelease | None]] = []
    failed = False
    for path in files:
        try:
            text, content_type = _read(path)
            result = parse_release(text, published=published, content_type=content_type)
        except (OSError, IcalfeedError) as exc:
            click.echo(f"icalfeed: error: {path}: {exc}", err=True)
            failed = True
            results.append((path, None))
            continue
        results.append((path, result))
    if fmt == "json":
        out: list[dict[str, Any]] = []
        for path, parsed in results:
            if parsed is None:
                out.append({"source": path, "error": True, "issuer": None, "events": []})
            else:
                out.append(parsed_release_to_dict(parsed, source=path))
        click.echo(json.dumps(out, indent=2, ensure_ascii=False))
    elif fmt == "ics":
        from icalfeed.calendar import options_from_config, render_calendar
        from icalfeed.config import Config

        events = [e for _, p in results if p is not None for e in p.events]
        options = options_from_config(Config.from_env())
        sys.stdout.buffer.write(render_calendar(events, options))
        sys.stdout.flush()
    else:
        click.echo("\n\n".join(_text_report(p, r) for p, r in results if r is not None))
    if failed:
        sys.exit(1)
