"""The ``icalfeed`` command: a click group whose subcommands live in one module per concern.

Each subcommand lives in the module :data:`icalfeed.cli.registry.COMMAND_INDEX` names; errors
from icalfeed become a one-line message and a non-zero exit here, in one place.
"""

from __future__ import annotations

import importlib
import sys

import click

from icalfeed import __version__
from icalfeed.errors import IcalfeedError


class _Group(click.Group):
    """Loads subcommands lazily so ``icalfeed parse`` never imports flask or sqlalchemy."""

    def _modules(self) -> dict[str, tuple[str, str]]:
        from icalfeed.cli.registry import COMMAND_INDEX

        return COMMAND_INDEX

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self._modules())

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = self._modules().get(cmd_name)
        if entry is None:
            return None
        module, attr = entry
        command: click.Command = getattr(importlib.import_module(module), attr)
        return command

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except IcalfeedError as e:
            click.echo(f"icalfeed: error: {e}", err=True)
            sys.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="icalfeed")
def cli() -> None:
    """Turn investor-relations announcements into calendar events people can subscribe to."""


def main() -> None:
    cli(prog_name="icalfeed")
