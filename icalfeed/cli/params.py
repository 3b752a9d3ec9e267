"""Option values shared by several commands."""

from __future__ import annotations

from datetime import date

import click


def iso_date(value: str | None) -> date | None:
    """``YYYY-MM-DD`` -> date (None stays None); a usage error naming the value otherwise."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r}: expected YYYY-MM-DD") from None


def iso_date_option(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    """:func:`iso_date` as a click callback."""
    return iso_date(value)
