"""``icalfeed settings``: every ICALFEED_* setting with its default, value and help."""

from __future__ import annotations

import os

import click

from icalfeed.config import SETTINGS, Config


@click.command()
@click.option("--markdown", is_flag=True, help="Print the table as Markdown (for the README).")
def settings(markdown: bool) -> None:
    """List every ICALFEED_* setting, its default and what it does; check the current values."""
    Config.from_env()  # fails loudly on a bad value before listing anything
    secret = {"ADMIN_TOKEN", "READ_TOKEN", "SECRET_KEY"}
    if markdown:
        click.echo("| Variable | Default | What it does |")
        click.echo("|---|---|---|")
        for s in SETTINGS:
            default = f"`{s.default}`" if s.default else "(empty)"
            click.echo(f"| `{s.env}` | {default} | {s.help} |")
        return
    for s in SETTINGS:
        value = os.environ.get(s.env)
        shown = "(set)" if value and s.name in secret else value
        click.echo(f"{s.env}")
        click.echo(f"    default: {s.default or '(empty)'}")
        if value is not None:
            click.echo(f"    current: {shown}")
        click.echo(f"    {s.help}")
