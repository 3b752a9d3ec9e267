"""The README documents every setting and every command (datasette's habit)."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from icalfeed.cli import cli
from icalfeed.cli.registry import COMMAND_INDEX
from icalfeed.config import SETTINGS
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def _section(name: str) -> str:
    m = re.search(rf"<!-- section:{name} -->(.*?)<!-- /section:{name} -->", README, re.S)
    assert m, f"README has no section {name}"
    return m.group(1)


@pytest.mark.parametrize("setting", [s.name for s in SETTINGS])
def test_every_setting_is_in_the_config_table(setting: str) -> None:
    assert f"`ICALFEED_{setting}`" in _section("config")


def test_config_table_matches_the_settings_table() -> None:
    result = CliRunner().invoke(cli, ["settings", "--markdown"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() in _section("config")


@pytest.mark.parametrize("command", sorted(COMMAND_INDEX))
def test_every_command_is_documented(command: str) -> None:
    assert re.search(rf"\bicalfeed {command}\b", README), f"README never shows `icalfeed {command}`"


@pytest.mark.parametrize("command", sorted(COMMAND_INDEX))
def test_every_command_has_help(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
