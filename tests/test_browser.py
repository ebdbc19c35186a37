"""The UI in a real browser: Debian's chromium, headless, driven by Selenium through chromedriver.

Screenshots go to artifacts/screenshots/ (CI keeps them); QA_UPDATE_SCREENSHOT=1 also refreshes docs/ui.png.
Skipped when chromium, chromedriver or selenium is missing (`.ci/ui-deps` installs them).
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from app import create_server

from tests.conftest import CORPUS, ROOT
from tests.live_server import copied_qa, ARTICLE, ARTICLE_QUESTION, ROBIN_LI, running
from web.settings import WebSettings

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
SHOTS = ROOT / "artifacts" / "screenshots"
AUTH = ("reader", "open-sesame")
ANSWERED = "#qa-chat .qa-answer:not(.qa-pending)"
REPLIED = f"{ANSWERED}, #qa-chat .qa-refusal, #qa-chat .qa-error"  # any finished reply
if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
    pytest.skip("needs /usr/bin/chromium and /usr/bin/chromedriver (run .ci/ui-deps)", allow_module_level=True)
webdriver = pytest.importorskip("selenium.webdriver", reason="needs selenium (pip install -e '.[test]')")
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def qa(built_home, tmp_path_factory):
    qa = copied_qa(built_home, tmp_path_factory.mktemp("browser"))
    yield qa
    qa.close()


@pytest.fixture(scope="module")
def url(qa):
    with running(create_server(qa, WebSettings())) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1400,1000", "--force-device-scale-factor=1"):
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(service=webdriver.ChromeService(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(autouse=True)
def screenshot_on_failure(request, browser):
    """A failed test leaves what the browser showed, for the CI artifacts."""
    failed = request.session.testsfailed
    yield
    if request.session.testsfailed > failed:
        screenshot(browser, f"FAILED-{request.node.name}")
        (SHOTS / f"FAILED-{request.node.name}.txt").write_text(browser.find_element(By.TAG_NAME, "body").text)


def wait(driver, condition, timeout=60):
    # Gradio re-renders components as results arrive: an element found a moment ago may be replaced.
    return WebDriverWait(driver, timeout, ignored_exceptions=(StaleElementReferenceException,)).until(condition)


def screenshot(driver, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


def open_page(driver, url):
    driver.get(url)
    box = wait(driver, EC.element_to_be_clickable((By.CSS_SELECTOR, "#qa-question textarea")))
    wait(driver, EC.text_to_be_present_in_element((By.ID, "qa-status"), "articles indexed"))
    return box


def ask(driver, box, question):
    """Type a question, press Enter, return the newest assistant message once it holds an answer."""
    before = len(driver.find_elements(By.CSS_SELECTOR, REPLIED))
    box.send_keys(question, Keys.ENTER)
    wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, REPLIED)) > before)
    return driver.find_elements(By.CSS_SELECTOR, REPLIED)[-1]


def in_view(driver, element) -> bool:
    return driver.execute_script(
        "const r = arguments[0].getBoundingClientRect();"
        "return r.top >= 0 && r.bottom <= window.innerHeight && r.height > 0;", element)


def test_robin_li_question_shows_the_cited_paragraph_highlighted(browser, url):
    box = open_page(browser, url)
    examples = browser.find_elements(By.CSS_SELECTOR, "#qa-chat button.example")
    assert ROBIN_LI in [e.text for e in examples]  # example questions on first load
    screenshot(browser, "01-first-load")
    answer = ask(browser, box, ROBIN_LI)
    assert "Robin Li" in answer.text and "[1]" in answer.text
    link = answer.find_element(By.CSS_SELECTOR, "a.qa-cite")
    link.click()
    card = browser.find_element(By.ID, link.get_attribute("href").split("#", 1)[1])
    wait(browser, lambda d: "qa-active" in card.get_attribute("class"))
    assert "Robin Li, chairman of Baidu Inc" in card.text and "paragraph 5" in card.text
    assert card.find_element(By.TAG_NAME, "mark").text.startswith("Robin Li, chairman of Baidu Inc")
    wait(browser, lambda d: in_view(d, card), timeout=5)
    path = screenshot(browser, "02-answer-with-source")
    if os.environ.get("QA_UPDATE_SCREENSHOT") == "1":
        shutil.copyfile(path, ROOT / "docs" / "ui.png")


def test_example_then_follow_up_keeps_earlier_sources(browser, url):
    box = open_page(browser, url)
    example = next(e for e in browser.find_elements(By.CSS_SELECTOR, "#qa-chat button.example")
                   if "CEO of Alibaba" in e.text)
    example.click()
    wait(browser, lambda d: any("Wu Yongming" in e.text for e in d.find_elements(By.CSS_SELECTOR, ANSWERED)))
    ask(browser, box, ROBIN_LI)
    first = browser.find_elements(By.CSS_SELECTOR, "#qa-chat .qa-answer")[0]
    first.find_element(By.CSS_SELECTOR, "a.qa-cite").click()  # a [n] of the earlier answer
    card = browser.find_element(By.ID, "qa-src-0-1")
    wait(browser, lambda d: "qa-active" in card.get_attribute("class") and card.is_displayed())
    assert "Wu Yongming" in card.text


def test_refusal_looks_like_a_refusal(browser, url):
    box = open_page(browser, url)
    reply = ask(browser, box, "What did Elon Musk say at the Wuzhen summit?")
    assert "qa-refusal" in reply.get_attribute("class") and "No answer in the indexed articles" in reply.text
    assert not reply.find_elements(By.CSS_SELECTOR, "a.qa-cite")
    screenshot(browser, "03-refusal")


def test_errors_are_messages_not_tracebacks(browser, url):
    box = open_page(browser, url)
    browser.find_element(By.CSS_SELECTOR, "#qa-filters button").click()
    as_of = wait(browser, EC.element_to_be_clickable((By.CSS_SELECTOR, "#qa-as-of input, #qa-as-of textarea")))
    as_of.clear()  # it holds today's date
    as_of.send_keys("next tuesday")
    reply = ask(browser, box, ROBIN_LI)
    assert "qa-error" in reply.get_attribute("class") and "not a date" in reply.text
    assert "Traceback" not in browser.find_element(By.TAG_NAME, "body").text
    screenshot(browser, "04-error")


def test_upload_keeps_good_files_then_answers_from_them(browser, url, tmp_path):
    good = tmp_path / "orchard-ferry.txt"
    good.write_text(ARTICLE)
    bad = CORPUS.parent / "corpus_bad" / "truncated.json"
    open_page(browser, url)
    browser.find_element(By.XPATH, "//button[@role='tab' and normalize-space()='Articles']").click()
    upload = wait(browser, EC.presence_of_element_located((By.CSS_SELECTOR, "#qa-upload input[type=file]")))
    upload.send_keys(f"{good}\n{bad}")
    wait(browser, lambda d: "truncated.json" in d.find_element(By.ID, "qa-upload-results").text, timeout=120)
    results = browser.find_element(By.ID, "qa-upload-results").text
    assert "orchard-ferry.txt" in results and "added" in results
    assert "skipped" in results and "invalid JSON" in results
    wait(browser, lambda d: "Orchard Valley opens solar-powered ferry terminal" in
         d.find_element(By.ID, "qa-articles").text)
    screenshot(browser, "05-articles-upload")

    browser.find_element(By.XPATH, "//button[@role='tab' and normalize-space()='Ask']").click()
    answer = ask(browser, browser.find_element(By.CSS_SELECTOR, "#qa-question textarea"), ARTICLE_QUESTION)
    assert "40 percent" in answer.text
    assert "Orchard Valley opens solar-powered ferry terminal" in browser.find_element(By.ID, "qa-sources-panel").text
    screenshot(browser, "06-answer-from-upload")


def test_page_works_behind_basic_auth(browser, qa):
    with running(create_server(qa, WebSettings(auth=":".join(AUTH))), auth=AUTH) as url:
        browser.get(url)
        assert not browser.find_elements(By.ID, "qa-question")  # the 401 challenge, no UI
        # A browser asks once, then sends the password with every request to the server (Gradio's too).
        browser.execute_cdp_cmd("Network.enable", {})
        token = __import__("base64").b64encode(":".join(AUTH).encode()).decode()
        browser.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {"Authorization": f"Basic {token}"}})
        try:
            answer = ask(browser, open_page(browser, url), ROBIN_LI)
            assert "Robin Li" in answer.text
        finally:
            browser.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {}})
