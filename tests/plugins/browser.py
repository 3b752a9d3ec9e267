"""Headless Debian Chromium driven by Selenium, and the web app on a loopback server for it.

Fixtures:

- ``browser`` — a ``selenium.webdriver.Chrome`` using ``/usr/bin/chromedriver`` with a throwaway
  profile; the test skips with the reason when Chromium, the driver or Selenium is missing
  (``scripts/bootstrap --test`` installs them).
- ``live_app`` — the test ``app`` (tests/plugins/web.py) served by a threaded werkzeug server on
  127.0.0.1 and a random port: ``live_app.url("/")``.
- ``artifacts`` — tests/artifacts/, where screenshots are kept (git-ignored; CI keeps them).
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

REPO = Path(__file__).resolve().parent.parent.parent
ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROME_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1280,1000",
)


@dataclass
class LiveApp:
    base: str
    server: BaseWSGIServer

    def url(self, path: str = "/") -> str:
        return self.base + path


@pytest.fixture
def live_app(app: Flask) -> Iterator[LiveApp]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveApp(f"http://127.0.0.1:{server.server_port}", server)
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        pytest.skip(f"needs {CHROMIUM} and {CHROMEDRIVER} (apt-get install chromium-driver)")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.skip("needs selenium (pip install -e '.[test]')")
    profile = tempfile.mkdtemp(prefix="icalfeed-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
