"""Every compiled pattern of the parser's modules, by dotted name (for the pattern tests)."""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterator
from typing import Any

import icalfeed.extract

MODULES = ["icalfeed.normalize", "icalfeed.timezones"] + [
    f"icalfeed.extract.{m.name}" for m in pkgutil.iter_modules(icalfeed.extract.__path__)
]


def _patterns_in(value: Any, name: str) -> Iterator[tuple[str, re.Pattern[str]]]:
    if isinstance(value, re.Pattern):
        if isinstance(value.pattern, str):
            yield name, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _patterns_in(v, f"{name}[{k!r}]")
    elif isinstance(value, list | tuple | set | frozenset):
        for i, v in enumerate(value):
            yield from _patterns_in(v, f"{name}[{i}]")


def all_patterns() -> dict[str, re.Pattern[str]]:
    found: dict[str, re.Pattern[str]] = {}
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        for attr, value in vars(module).items():
            for name, pattern in _patterns_in(value, f"{module_name}.{attr}"):
                found.setdefault(name, pattern)
    return found
