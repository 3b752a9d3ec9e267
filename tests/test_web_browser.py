"""Issue 5 "Done when": a real browser (headless Chromium) loads the page, follows a filter, checks
the subscribe and download links, pastes a release and sees its preview; screenshots are kept in
tests/artifacts/."""

from __future__ import annotations

import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from tests.plugins.browser import LiveApp
from tests.test_web_api import RELEASE
from tests.web_helpers import ACME_CALL, ADMIN_TOKEN

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def by_css(driver: Any, selector: str) -> Any:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, selector)


def all_css(driver: Any, selector: str) -> list[Any]:
    from selenium.webdriver.common.by import By

    return list(driver.find_elements(By.CSS_SELECTOR, selector))


def wait_for(driver: Any, selector: str) -> Any:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, 10).until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, selector))
    )


def test_page_filters_links_and_paste(browser: Any, live_app: LiveApp, artifacts: Path) -> None:
    browser.get(live_app.url("/"))
    assert "Investor events" in browser.title
    titles = [e.text for e in all_css(browser, "article.event h3.title")]
    assert any("Acme Corp. Q1 2024 earnings call" in t for t in titles)
    # The release's <script> shows as text and never ran.
    assert any('<script>alert("x")</script>' in t for t in titles)
    assert browser.execute_script("return document.querySelectorAll('script').length") == 1
    # app.js filled in the reader's own time.
    local = by_css(browser, f'article[id="{ACME_CALL}"] time.local')
    assert local.text.startswith("Your time:")
    browser.save_screenshot(str(artifacts / "web-page.png"))

    # Subscribe links for the whole feed.
    webcal = by_css(browser, ".intro a.webcal").get_attribute("href")
    assert webcal == live_app.url("/calendar.ics").replace("http://", "webcal://")
    google = by_css(browser, ".intro a.gcal").get_attribute("href")
    assert unquote(google.split("cid=", 1)[1]) == webcal
    outlook = by_css(browser, ".intro a.olcom").get_attribute("href")
    assert parse_qs(urlsplit(outlook).query)["url"] == [live_app.url("/calendar.ics")]
    assert by_css(browser, ".intro input.feed-url").get_attribute("value") == live_app.url(
        "/calendar.ics"
    )

    # The download link serves the event as an .ics attachment.
    download = by_css(browser, f'article[id="{ACME_CALL}"] a.download').get_attribute("href")
    with urllib.request.urlopen(download, timeout=10) as r:
        assert r.headers["Content-Disposition"].startswith("attachment;")
        assert ACME_CALL.encode() in r.read()

    # Follow a filter: choosing a company in the select applies it (app.js submits the form).
    from selenium.webdriver.support.ui import Select

    Select(by_css(browser, "#filter-ticker")).select_by_value("ZETA")
    wait_for(browser, "nav.quick a.clear")
    assert "ticker=ZETA" in browser.current_url
    titles = [e.text for e in all_css(browser, "article.event h3.title")]
    assert titles
    assert all("Zeta" in t for t in titles)
    webcal = by_css(browser, ".intro a.webcal").get_attribute("href")
    assert webcal.endswith("/calendar.ics?ticker=ZETA")

    # Past events on request.
    by_css(browser, "#show-past").click()
    wait_for(browser, "input[name=past][checked]")
    assert "past=1" in browser.current_url

    # Log in, paste a release, see the preview.
    browser.get(live_app.url("/admin/login"))
    by_css(browser, "#token").send_keys(ADMIN_TOKEN)
    by_css(browser, "form button[type=submit]").click()
    wait_for(browser, "#paste-form")
    by_css(browser, "#text").send_keys(RELEASE)
    by_css(browser, "#preview").click()
    preview = wait_for(browser, "#preview-result")
    assert "4:30 PM" in preview.text
    assert "IMGN" in preview.text
    browser.save_screenshot(str(artifacts / "web-paste-preview.png"))

    # A phone-sized window: nothing wider than the screen.
    browser.set_window_size(390, 844)
    browser.get(live_app.url("/"))
    overflow = browser.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    browser.save_screenshot(str(artifacts / "web-page-phone.png"))
