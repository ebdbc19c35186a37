"""The "also in" outlets of a syndicated paragraph, in a real browser (Debian's chromium through Selenium, as
tests/test_browser.py): a wire story and two reprints are ingested for real; the answer cites the paragraph once
and its source card lists the other outlets with their dates and links. Skipped without chromium/chromedriver
(`.ci/ui-deps` installs them)."""
from __future__ import annotations

import pytest

from app import create_server
from tests.conftest import ROOT
from tests.live_server import running
from web.settings import WebSettings

pytest.importorskip("selenium.webdriver", reason="needs selenium (pip install -e '.[ui]')")
from tests.test_browser import ANSWERED, ask, browser, open_page, screenshot, wait  # noqa: E402,F401

pytestmark = pytest.mark.browser
SHELTER = "How many residents were moved to a shelter after the Millbrook dam spillway failed?"


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    from qa import QA

    qa = QA(tmp_path_factory.mktemp("also-in") / "home")
    assert len(qa.ingest([ROOT / "tests" / "corpus_wire"]).added) == 4
    with running(create_server(qa, WebSettings())) as url:
        yield url
    qa.close()


def test_also_in_outlets_are_shown_on_the_source_card(browser, url):  # noqa: F811
    from selenium.webdriver.common.by import By

    answer = ask(browser, open_page(browser, url), SHELTER)
    assert "340 residents" in answer.text
    panel = browser.find_element(By.ID, "qa-sources-panel")
    wait(browser, lambda d: panel.find_elements(By.CSS_SELECTOR, ".qa-also-in"))
    cards = [c for c in panel.find_elements(By.CSS_SELECTOR, "article.qa-source") if "340 residents" in c.text]
    assert len(cards) == 1  # three outlets print the paragraph; it is cited once
    also = cards[0].find_element(By.CSS_SELECTOR, ".qa-also-in")
    assert also.is_displayed()
    assert "3 outlets carry this paragraph" in also.text
    assert "Valley Ledger · 2024-03-05" in also.text and "Coastal Herald · 2024-03-06" in also.text
    links = {a.text: a.get_attribute("href") for a in also.find_elements(By.TAG_NAME, "a")}
    assert links["Valley Ledger"].startswith("https://valleyledger.example/")
    screenshot(browser, "07-also-in")
