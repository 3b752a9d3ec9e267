"""Fixtures every test module can use. Store, web and browser fixtures live beside their tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "tests" / "data"
SEEDS = REPO / "seeds"
# ../shared holds the labelled dev corpus and the checking tools while developing; CI may not
# have it, so tests that need it skip (the tests on our own data in tests/data/ always run).
SHARED = Path(os.environ.get("ICALFEED_SHARED", REPO.parent / "shared")).resolve()
DEV_CORPUS = SHARED / "corpus" / "dev"
ICS_CHECK = SHARED / "tools" / "ics-check"


@pytest.fixture
def data_dir() -> Path:
    return DATA


def dev_corpus_names() -> list[str]:
    if not DEV_CORPUS.is_dir():
        return []
    return sorted(p.stem for p in DEV_CORPUS.glob("*.txt") if p.with_suffix(".json").exists())


def release_paths() -> list[Path]:
    """Every release file of the seeds, our data and the dev corpus (when present), in order."""
    return [
        path
        for folder in (SEEDS, DATA / "releases", DEV_CORPUS)
        if folder.is_dir()
        for path in sorted(folder.iterdir())
        if path.suffix in (".txt", ".html", ".eml", ".xml")
    ]


def release_texts() -> list[str]:
    """The texts of :func:`release_paths`, as the pattern and shortcut tests read them."""
    return [p.read_text(encoding="utf-8", errors="replace") for p in release_paths()]


# Fixture plugins: every module in tests/plugins/ (PostgreSQL server, loopback HTTP, browser...).
pytest_plugins = sorted(
    f"tests.plugins.{p.stem}"
    for p in (REPO / "tests" / "plugins").glob("*.py")
    if p.stem != "__init__"
)

needs_dev_corpus = pytest.mark.skipif(
    not DEV_CORPUS.is_dir(), reason=f"dev corpus not present at {DEV_CORPUS}"
)
needs_ics_check = pytest.mark.skipif(
    not ICS_CHECK.exists(), reason=f"ics-check not present at {ICS_CHECK}"
)
