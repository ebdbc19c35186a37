"""Feeds end to end: a real HTTP server on 127.0.0.1 (tests/news_site.py) serving an RSS feed, an Atom feed,
a news sitemap and article pages; `QA.sync` and the `qa` CLI (Click's runner) over a real index."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from index.pages import page_id
from qa import QA
from qa.cli import main
from tests.news_site import LOCAL_FETCH, news_site

FEEDS = ("/feed.xml", "/atom.xml", "/sitemap.xml")
SKIPPED = [("/news/huge.html", "larger than the 1 MB limit (stopped reading at "),
           ("/files/schedule.pdf", "not an HTML page (content type application/pdf)"),
           ("/private/memo.html", "disallowed by robots.txt for news-qa/")]
LOCAL = LOCAL_FETCH  # the test server is on 127.0.0.1


@pytest.fixture
def site():
    with news_site() as site:
        yield site


@pytest.fixture
def qa(qa_home):
    qa = QA(qa_home, fetch=LOCAL, index={"seed_default_corpus": False})
    yield qa
    qa.close()


def ids(site, *paths) -> list[str]:
    return [page_id(site.url + path) for path in paths]


def counts(report) -> dict:
    return {name: sorted(getattr(report, name)) for name in ("added", "updated", "unchanged", "removed")}


def skipped(site, report) -> list[tuple[str, str]]:
    return [(s["path"].removeprefix(site.url), s["reason"]) for s in report.skipped]


def assert_skipped(site, report, expected):
    got = skipped(site, report)
    assert [path for path, _ in got] == [path for path, _ in expected]
    assert all(reason.startswith(prefix) for (_, reason), (_, prefix) in zip(got, expected)), got


def test_two_syncs_report_exactly_what_changed(qa, site):
    for path in FEEDS:
        assert qa.add_feed(site.url + path)
    first = qa.sync()
    rss, atom, sitemap = first.feeds
    assert counts(rss.report) == {"added": sorted(ids(site, "/news/harbor-bridge.html", "/news/library-budget.html",
                                                      "/news/tram-line.html")),
                                  "updated": [], "unchanged": [], "removed": []}
    assert_skipped(site, rss.report, SKIPPED)
    assert counts(atom.report)["added"] == ids(site, "/news/orchard-festival.html") and not atom.report.skipped
    assert counts(sitemap.report)["added"] == sorted(ids(site, "/news/school-garden.html", "/news/ferry-schedule.html",
                                                         "/news/clinic-hours.html"))
    assert (len(first.total.added), len(first.total.skipped), first.total.paragraphs) == (7, 3, 21)
    assert [f.error for f in first.feeds] == ["", "", ""] and (rss.items, atom.items, sitemap.items) == (6, 1, 3)

    site.version = 2  # the library article changes, the ferry article is taken down, the garden leaves the sitemap
    site.log.clear()
    second = qa.sync()
    rss, atom, sitemap = second.feeds
    library, = ids(site, "/news/library-budget.html")
    assert counts(rss.report) == {"added": [], "updated": [library], "removed": [],
                                  "unchanged": sorted(ids(site, "/news/harbor-bridge.html", "/news/tram-line.html"))}
    assert_skipped(site, rss.report, SKIPPED)  # failed items are tried again, and fail again
    assert atom.not_modified and counts(atom.report) == {"added": [], "updated": [], "unchanged": [], "removed": []}
    assert counts(sitemap.report) == {"added": [], "updated": [], "unchanged": ids(site, "/news/clinic-hours.html"),
                                      "removed": ids(site, "/news/ferry-schedule.html")}
    assert (second.total.updated, second.total.paragraphs) == ([library], 3)
    # Only the changed item was fetched in full: dated items whose date did not move were not requested,
    # the undated clinic page was asked conditionally (304), the gone ferry page answered 404.
    assert site.requests("/news/harbor-bridge.html") == [] and site.requests("/news/tram-line.html") == []
    assert site.requests("/news/library-budget.html") == [200] and site.requests("/atom.xml") == [304]
    assert site.requests("/news/clinic-hours.html") == [304] and site.requests("/news/ferry-schedule.html") == [404]

    indexed = {a["article_id"]: a for a in qa.articles()}
    assert ids(site, "/news/ferry-schedule.html")[0] not in indexed  # its page is gone: removed
    assert ids(site, "/news/school-garden.html")[0] in indexed  # only left the feed: kept
    assert indexed[library]["url"] == site.url + "/news/library-budget.html"
    answer = qa.ask("How large is the library budget next year?")
    assert "2.4 million" in answer.text and answer.citations[0].url == site.url + "/news/library-budget.html"
    rows = {f["url"].removeprefix(site.url): f for f in qa.feeds()}
    assert {path: (r["kind"], r["last_error"], r["last_sync"] is not None) for path, r in rows.items()} == {
        "/feed.xml": ("rss20", None, True), "/atom.xml": ("atom10", None, True), "/sitemap.xml": ("sitemap", None, True)}
    assert rows["/atom.xml"]["etag"] and rows["/feed.xml"]["etag"] is None  # pages of the RSS feed still failing


def test_a_failing_feed_is_reported_retried_and_never_stops_the_others(qa, site):
    for path in ("/missing.xml", "/news/harbor-bridge.html", "/atom.xml"):
        qa.add_feed(site.url + path)
    for _ in range(2):
        report = qa.sync()
        missing, not_a_feed, atom = report.feeds
        assert missing.error == "HTTP 404 Not Found" and not_a_feed.error.startswith("not a feed (RSS, Atom or sitemap)")
        assert not atom.error
    assert site.requests("/missing.xml") == [404, 404]  # tried again the next time
    assert [f["last_error"] for f in qa.feeds()] == ["HTTP 404 Not Found", not_a_feed.error, None]
    assert [a["title"] for a in qa.articles()] == ["Orchard festival draws record crowds"]


def test_private_hosts_are_refused_without_the_setting(site, qa_home):
    qa = QA(qa_home, index={"seed_default_corpus": False})
    try:
        qa.add_feed(site.url + "/atom.xml")
        feed, = qa.sync().feeds
        assert "non-public address (127.0.0.1)" in feed.error and qa.articles() == []
        assert site.log == []
        report = qa.ingest([site.url + "/news/clinic-hours.html", "file:///etc/passwd"])
        assert [s["path"] for s in report.skipped] == [site.url + "/news/clinic-hours.html", "file:///etc/passwd"]
        assert "non-public address" in report.skipped[0]["reason"]
        assert report.skipped[1]["reason"] == "only http and https URLs are fetched, not file:"
    finally:
        qa.close()
    with pytest.raises(ValueError, match="only http and https"):
        QA(qa_home).add_feed("file:///etc/passwd")


def test_ingest_url_uses_the_canonical_url_and_updates_the_same_article(qa, site, tmp_path):
    report = qa.ingest(site.url + "/old/tram-line.html")  # redirects to the canonical /news/tram-line.html
    tram, = ids(site, "/news/tram-line.html")
    assert report.added == [tram] and qa.articles()[0]["url"] == site.url + "/news/tram-line.html"
    library = site.url + "/news/library-budget.html"
    assert qa.ingest(library).added == ids(site, "/news/library-budget.html")
    assert qa.ingest(library).unchanged == ids(site, "/news/library-budget.html")
    assert site.requests("/news/library-budget.html") == [200, 304]
    site.version = 2
    assert qa.ingest(library).updated == ids(site, "/news/library-budget.html")
    (tmp_path / "empty").mkdir()
    assert qa.ingest([tmp_path / "empty"], prune=True).removed == []  # fetched pages are not pruned
    assert len(qa.articles()) == 2 and qa.doctor().ok


def run(*args, home, code=0):
    result = CliRunner().invoke(main, ["--home", str(home), *args], catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.output


@pytest.fixture
def local_fetch(monkeypatch):
    for key, value in {"ALLOW_PRIVATE_HOSTS": "1", "HOST_INTERVAL_S": "0", "MAX_MB": "1"}.items():
        monkeypatch.setenv(f"QA_FETCH__{key}", value)
    monkeypatch.setenv("QA_INDEX__SEED_DEFAULT_CORPUS", "false")


def test_cli_feeds_sync_and_ask(site, qa_home, local_fetch):
    for path in FEEDS:
        assert run("feed", "add", site.url + path, home=qa_home).strip() == f"following {site.url}{path}"
    assert "already following" in run("feed", "add", site.url + "/atom.xml", home=qa_home)
    assert "only http and https" in run("feed", "add", "file:///etc/passwd", home=qa_home, code=1)
    assert [f["last_sync"] for f in json.loads(run("feed", "list", "--json", home=qa_home))] == [None] * 3

    report = json.loads(run("sync", "--json", home=qa_home))
    assert [len(f["added"]) for f in report["feeds"]] == [3, 1, 3] and len(report["total"]["skipped"]) == 3
    listing = run("feed", "list", home=qa_home)
    assert f"{site.url}/feed.xml  rss20  6 items  " in listing and "ERROR" not in listing
    site.version = 2
    text = run("sync", home=qa_home)
    assert f"{site.url}/atom.xml: not modified" in text
    assert "total: 0 added, 1 updated, 3 unchanged, 1 removed, 3 skipped, 3 paragraphs written" in text

    answer = json.loads(run("ask", "How many stops does the tram line have?", "--json", home=qa_home))
    assert "eleven stops" in answer["text"] and answer["citations"][0]["url"] == site.url + "/news/tram-line.html"
    assert f"    {site.url}/news/tram-line.html" in run("ask", "How many stops does the tram line have?", home=qa_home)

    assert run("feed", "remove", site.url + "/atom.xml", home=qa_home).strip() == f"removed {site.url}/atom.xml"
    assert "not following" in run("feed", "remove", site.url + "/atom.xml", home=qa_home, code=1)
    assert len(json.loads(run("feed", "list", "--json", home=qa_home))) == 2


def test_cli_ingest_url_reports_like_files(site, qa_home, local_fetch):
    report = json.loads(run("ingest", site.url + "/news/clinic-hours.html", site.url + "/files/schedule.pdf",
                            "file:///etc/passwd", "--json", home=qa_home))
    assert report["added"] == ids(site, "/news/clinic-hours.html")
    assert [(s["path"].removeprefix(site.url), s["reason"]) for s in report["skipped"]] == [
        ("/files/schedule.pdf", "not an HTML page (content type application/pdf)"),
        ("file:///etc/passwd", "only http and https URLs are fetched, not file:")]


def test_sync_every_logs_each_round_and_stops_on_ctrl_c(site, qa_home, local_fetch, monkeypatch):
    naps = []

    def sleep(seconds):
        naps.append(seconds)
        if len(naps) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr("qa.cli._pause", sleep)
    run("feed", "add", site.url + "/atom.xml", home=qa_home)
    result = CliRunner().invoke(main, ["--home", str(qa_home), "sync", "--every", "15m"], catch_exceptions=False)
    assert result.exit_code == 0 and naps == [900, 900]
    assert "sync round 1 done at " in result.output and "1 added" in result.output.split("sync round 1")[1]
    assert "sync round 2 done at " in result.output and "stopped after 2 rounds" in result.output
    assert "not an interval" in run("sync", "--every", "soon", home=qa_home, code=1)


def test_odd_item_links_are_skipped_with_reasons(qa, site):
    qa.add_feed(site.url + "/odd.xml")
    feed, = qa.sync().feeds
    assert feed.report.added == ids(site, "/news/orchard-festival.html")
    assert [(s["path"], s["reason"].split(":")[0]) for s in feed.report.skipped] == [
        ("http://127.0.0.1:99999/x", "not a valid URL"),  # (feedparser itself drops "http://[::1")
        ("javascript:alert(1)", "only http and https URLs are fetched, not javascript"),
        ("mailto:desk@ledger.example", "only http and https URLs are fetched, not mailto"),
        ("file://etc/passwd", "only http and https URLs are fetched, not file")]  # as feedparser gives it


def test_a_sitemap_index_is_followed_to_its_sitemaps(qa, site):
    qa.add_feed(site.url + "/sitemap-index.xml")
    feed, = qa.sync().feeds
    assert sorted(feed.report.added) == sorted(ids(site, "/news/school-garden.html", "/news/ferry-schedule.html",
                                                   "/news/clinic-hours.html"))
    assert (qa.feeds()[0]["kind"], qa.feeds()[0]["items"]) == ("sitemapindex", 3)


def test_max_items_limits_requests_a_round_and_the_rest_come_next(site, qa_home):
    qa = QA(qa_home, fetch={**LOCAL, "max_items": 2}, index={"seed_default_corpus": False})
    try:
        qa.add_feed(site.url + "/feed.xml")
        first = qa.sync().total
        assert (first.added, first.skipped) == (ids(site, "/news/harbor-bridge.html", "/news/library-budget.html"), [])
        second = qa.sync().total  # the two known pages cost no request: the next two are fetched
        assert second.unchanged == ids(site, "/news/harbor-bridge.html", "/news/library-budget.html")
        assert second.added == ids(site, "/news/tram-line.html")
        assert [s["path"] for s in second.skipped] == [site.url + "/news/huge.html"]
    finally:
        qa.close()
