"""Which module holds each subcommand: ``name -> (module, attribute)``.

Kept as data so that listing commands (``icalfeed --help``) imports nothing heavy.
"""

from __future__ import annotations

COMMAND_INDEX: dict[str, tuple[str, str]] = {
    "parse": ("icalfeed.cli.parse_cmd", "parse"),
    "serve": ("icalfeed.cli.serve_cmd", "serve"),
    "settings": ("icalfeed.cli.settings_cmd", "settings"),
    "db": ("icalfeed.cli.store_cmds", "db"),
    "export": ("icalfeed.cli.store_cmds", "export"),
    "ingest": ("icalfeed.cli.store_cmds", "ingest"),
    "poll": ("icalfeed.cli.store_cmds", "poll"),
    "reparse": ("icalfeed.cli.store_cmds", "reparse"),
    "review": ("icalfeed.cli.store_cmds", "review"),
}
