"""The feeds panel and the visible as-of date in a real browser (Debian's chromium through Selenium), against a
real server syncing from a real news site on 127.0.0.1. Skipped like tests/test_browser.py without chromium."""
from __future__ import annotations

from datetime import date

import pytest

from app import create_server
from qa import QA
from tests.live_server import running
from tests.news_site import LOCAL_FETCH, news_site
from tests.test_browser import (  # noqa: F401 - browser and screenshot_on_failure are fixtures; skips without chromium
    By,
    Keys,
    browser,
    open_page,
    screenshot,
    screenshot_on_failure,
    wait,
)
from web.settings import WebSettings

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site():
    with news_site() as site:
        yield site


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    qa = QA(tmp_path_factory.mktemp("browser-feeds") / "home", index={"seed_default_corpus": False},
            fetch=LOCAL_FETCH)
    with running(create_server(qa, WebSettings())) as url:
        yield url
    qa.close()


def text_of(driver, element_id: str) -> str:
    return driver.find_element(By.ID, element_id).text


def test_as_of_is_shown_with_today(browser, url):  # noqa: F811 - the fixture imported above
    open_page(browser, url)
    box = browser.find_element(By.CSS_SELECTOR, "#qa-as-of input, #qa-as-of textarea")
    assert box.is_displayed()  # not hidden in the closed filters
    assert box.get_attribute("value") == date.today().isoformat()
    screenshot(browser, "08-as-of-today")


def test_feeds_panel_adds_syncs_and_shows_errors(browser, url, site):  # noqa: F811
    open_page(browser, url)
    browser.find_element(By.XPATH, "//button[@role='tab' and normalize-space()='Articles']").click()
    for path in ("/atom.xml", "/missing.xml"):
        box = wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#qa-feed-url input, #qa-feed-url textarea"))
        box.clear()
        box.send_keys(site.url + path)
        browser.find_element(By.ID, "qa-feed-add").click()
        wait(browser, lambda d, path=path: site.url + path in text_of(d, "qa-feeds"))
    assert text_of(browser, "qa-feeds").count("never") == 2  # not synced yet

    browser.find_element(By.ID, "qa-feed-sync").click()
    wait(browser, lambda d: "Total:" in text_of(d, "qa-feed-notice"), timeout=300)
    notice = text_of(browser, "qa-feed-notice")
    assert f"{site.url}/atom.xml: 1 added, 0 updated, 0 unchanged, 0 removed, 0 skipped" in notice
    assert f"{site.url}/missing.xml: failed: HTTP 404 Not Found" in notice
    wait(browser, lambda d: "HTTP 404 Not Found" in text_of(d, "qa-feeds"))
    feeds = text_of(browser, "qa-feeds")
    assert "never" not in feeds and "atom10" in feeds and str(date.today().year) in feeds
    wait(browser, lambda d: "Orchard festival draws record crowds" in text_of(d, "qa-articles"))
    screenshot(browser, "07-feeds")

    box = browser.find_element(By.CSS_SELECTOR, "#qa-feed-url input, #qa-feed-url textarea")
    box.clear()
    box.send_keys(site.url + "/missing.xml")
    browser.find_element(By.ID, "qa-feed-remove").click()
    wait(browser, lambda d: site.url + "/missing.xml" not in text_of(d, "qa-feeds"))
    assert "its articles stay" in text_of(browser, "qa-feed-notice")

    browser.find_element(By.XPATH, "//button[@role='tab' and normalize-space()='Ask']").click()
    question = browser.find_element(By.CSS_SELECTOR, "#qa-question textarea")
    question.send_keys("How many visitors did the orchard festival draw?", Keys.ENTER)
    wait(browser, lambda d: "40,000" in text_of(d, "qa-chat"), timeout=120)
    link = browser.find_element(By.CSS_SELECTOR, "#qa-sources-panel a[target=_blank]")
    assert link.get_attribute("href") == site.url + "/news/orchard-festival.html"
