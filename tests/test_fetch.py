"""The fetcher's rules against a real HTTP server on 127.0.0.1 (tests/news_site.py), and feed parsing."""
from __future__ import annotations

import gzip
import ipaddress

import httpcore
import pytest

from index import fetch
from index.feeds import parse_feed
from index.fetch import Fetcher, FetchError, HostClock
from index.pages import HTML_TYPES, canonical_url, page_id
from qa.settings import FetchSettings
from tests.news_site import news_site

OPEN = FetchSettings(allow_private_hosts=True, host_interval_s=0, max_mb=1)


@pytest.fixture(scope="module")
def site():
    with news_site() as site:
        yield site


def get(url, settings=OPEN, **kwargs):
    with Fetcher(settings) as fetcher:
        return fetcher.get(url, **kwargs)


def refused(url, settings=OPEN, **kwargs) -> FetchError:
    with pytest.raises(FetchError) as caught:
        get(url, settings, **kwargs)
    return caught.value


# -- where requests may go ------------------------------------------------------------------------------
def test_loopback_is_refused_unless_the_setting_allows_it(site):
    error = refused(f"{site.url}/feed.xml", FetchSettings(host_interval_s=0))
    assert str(error).startswith(f"{site.url}/feed.xml: ") and "non-public address (127.0.0.1)" in error.reason
    assert "fetch.allow_private_hosts" in error.reason
    assert site.requests("/feed.xml") == []  # refused before any connection
    assert get(f"{site.url}/feed.xml").status == 200


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/x", "data:text/html,<p>x</p>", "/etc/passwd",
                                 "http:///no-host", "http://[::1", "http://news.example:99999/"])
def test_only_valid_http_and_https_urls_with_a_host(url):
    error = refused(url)
    assert error.url == url
    assert error.reason.startswith(("only http and https URLs are fetched, not ", "no host", "not a valid URL: "))


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "192.168.0.10", "172.16.5.4", "169.254.169.254",
                                     "100.64.0.1", "0.0.0.0", "::1", "fe80::1", "fd00::5", "::ffff:127.0.0.1",
                                     "224.0.0.1"])
def test_non_public_addresses_are_refused(address):
    with pytest.raises(ValueError, match="non-public address"):
        fetch.public_addresses(address, 80, allow_private=False)
    assert fetch.public_addresses(address, 80, allow_private=True) == [address]


def test_a_public_address_passes():
    assert fetch.public_addresses("93.184.215.14", 443, allow_private=False) == ["93.184.215.14"]


def treat_as_public(monkeypatch, address="127.0.0.1"):
    """Make `address` count as public, to stand for a public site on the test server; returns a dict whose
    "times" (None: always) limits how many more checks see it so."""
    real, budget = fetch.is_public, {"times": None}

    def patched(ip):
        if ip == ipaddress.ip_address(address) and budget["times"] != 0:
            budget["times"] = None if budget["times"] is None else budget["times"] - 1
            return True
        return real(ip)

    monkeypatch.setattr(fetch, "is_public", patched)
    return budget


def test_a_redirect_to_a_private_address_is_refused(site, monkeypatch):
    treat_as_public(monkeypatch)
    settings = FetchSettings(host_interval_s=0)
    assert get(f"{site.url}/news/harbor-bridge.html", settings).status == 200  # the "public" site itself
    error = refused(f"{site.url}/go-internal", settings)
    assert error.url == "http://169.254.169.254/latest/meta-data/" and "non-public address" in error.reason


def test_an_address_that_turns_private_at_connect_time_is_refused(site, monkeypatch):
    """DNS rebinding: the host passes the check before the request, then resolves to a private address
    when the connection is opened; the connection is checked again and refused."""
    budget = treat_as_public(monkeypatch)
    with Fetcher(FetchSettings(host_interval_s=0)) as fetcher:
        assert fetcher.get(f"{site.url}/news/clinic-hours.html").status == 200  # robots.txt now cached
        budget["times"] = 1  # the check before the request passes; the one at connect time does not
        with pytest.raises(FetchError) as caught:
            fetcher.get(f"{site.url}/news/harbor-bridge.html")
    assert caught.value.url == f"{site.url}/news/harbor-bridge.html"
    assert caught.value.reason.startswith("ConnectError: ") and "non-public address" in caught.value.reason
    with pytest.raises(httpcore.ConnectError, match="non-public"):
        fetch._CheckedBackend(allow_private=False).connect_tcp("127.0.0.1", int(site.url.rsplit(":", 1)[1]))


# -- what is read -----------------------------------------------------------------------------------
def test_the_size_cap_stops_reading_and_names_url_and_size(site):
    error = refused(f"{site.url}/news/huge.html", accept=HTML_TYPES)
    assert error.url == f"{site.url}/news/huge.html"
    assert error.reason.startswith("larger than the 1 MB limit (stopped reading at ") and "bytes)" in error.reason
    declared = refused(f"{site.url}/news/harbor-bridge.html", FetchSettings(allow_private_hosts=True, max_mb=0.001))
    assert declared.reason.startswith("is ") and "bytes, over the 0.001 MB limit" in declared.reason


def test_a_page_that_is_not_html_is_reported(site):
    error = refused(f"{site.url}/files/schedule.pdf", accept=HTML_TYPES)
    assert error.reason == "not an HTML page (content type application/pdf)"


def test_robots_txt_is_respected(site):
    error = refused(f"{site.url}/private/memo.html")
    assert error.reason.startswith("disallowed by robots.txt for news-qa/")
    assert site.requests("/private/memo.html") == []


def test_redirects_are_followed_up_to_the_limit(site):
    fetched = get(f"{site.url}/old/tram-line.html")
    assert fetched.url == f"{site.url}/news/tram-line.html" and b"Tram line" in fetched.content
    error = refused(f"{site.url}/old/tram-line.html", FetchSettings(allow_private_hosts=True, max_redirects=0))
    assert error.reason == "more than 0 redirects"


def test_conditional_requests_get_304(site):
    first = get(f"{site.url}/news/clinic-hours.html")
    assert first.status == 200 and first.etag
    again = get(f"{site.url}/news/clinic-hours.html", etag=first.etag)
    assert again.not_modified and again.content == b""
    assert site.requests("/news/clinic-hours.html")[-2:] == [200, 304]
    dated = get(f"{site.url}/sitemap.xml")
    assert get(f"{site.url}/sitemap.xml", last_modified=dated.last_modified).not_modified


def test_http_errors_carry_the_status(site):
    error = refused(f"{site.url}/no-such-page.html")
    assert error.status == 404 and error.reason == "HTTP 404 Not Found"


def test_host_clock_spaces_requests_to_one_host():
    now, slept = [100.0], []
    clock = HostClock(2.0, clock=lambda: now[0], sleep=slept.append)
    clock.wait("a.example")
    clock.wait("b.example")  # another host: no wait
    clock.wait("a.example")
    now[0] += 0.5
    clock.wait("a.example")
    assert slept == [2.0, 3.5]


def test_the_fetcher_waits_its_turn_per_host(site):
    slept = []
    hosts = HostClock(5.0, clock=lambda: 0.0, sleep=slept.append)  # a clock that stands still
    with Fetcher(OPEN, hosts=hosts) as fetcher:
        fetcher.get(f"{site.url}/news/clinic-hours.html")  # robots.txt, then the page
        fetcher.get(f"{site.url}/news/harbor-bridge.html")
    assert slept == [5.0, 10.0]


# -- feeds and pages ------------------------------------------------------------------------------
def test_rss_atom_and_news_sitemap_items(site):
    rss = parse_feed(site.rss().encode(), f"{site.url}/feed.xml", 10**6)
    assert rss.kind == "rss20" and rss.title == "Lakeport Ledger"
    assert [i.url for i in rss.items][:3] == [f"{site.url}/news/harbor-bridge.html",
                                              f"{site.url}/news/library-budget.html", f"{site.url}/old/tram-line.html"]
    assert rss.items[0].stamp == "Mon, 02 Nov 2026 09:00:00 GMT" and rss.items[0].published == "2026-11-02"
    atom = parse_feed(site.atom().encode(), f"{site.url}/atom.xml", 10**6)
    assert atom.kind == "atom10" and [(i.url, i.stamp) for i in atom.items] == [
        (f"{site.url}/news/orchard-festival.html", "2026-10-21T08:00:00Z")]
    sitemap = parse_feed(gzip.compress(site.sitemap().encode()), f"{site.url}/sitemap.xml.gz", 10**6)
    assert sitemap.kind == "sitemap"
    assert [(i.url.rsplit("/", 1)[1], i.stamp, i.published) for i in sitemap.items] == [
        ("school-garden.html", "2026-11-03T07:00:00Z", "2026-11-03"), ("ferry-schedule.html", "", ""),
        ("clinic-hours.html", "", "")]


@pytest.mark.parametrize("content", [b"<html><body>hello</body></html>", b"just text", b"<?xml version='1.0'?><x/>"])
def test_not_a_feed_is_an_error(content):
    with pytest.raises(ValueError, match="not a feed"):
        parse_feed(content, "http://news.example/feed.xml", 10**6)


def test_sitemap_entities_are_not_expanded():
    bomb = (b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
            b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&b;</loc></url></urlset>')
    with pytest.raises(ValueError, match="not a valid sitemap"):
        parse_feed(bomb, "http://news.example/sitemap.xml", 10**6)


def test_canonical_url_only_on_the_same_host():
    page = '<html><head><link rel="canonical" href="{}"></head><body></body></html>'
    served = "https://www.ledger.example/news/a.html?utm_source=rss#top"
    assert canonical_url(page.format("/news/a.html"), served) == "https://www.ledger.example/news/a.html"
    assert canonical_url(page.format("https://ledger.example/a"), served) == "https://ledger.example/a"
    assert canonical_url(page.format("https://other.example/a"), served) == served.split("#")[0]  # not another site's
    og = '<html><head><meta property="og:url" content="https://www.ledger.example/b"></head></html>'
    assert canonical_url(og, served) == "https://www.ledger.example/b"
    assert page_id("https://ledger.example/news/a-story.html") == page_id("https://ledger.example/news/a-story.html")
    assert page_id("https://ledger.example/news/a-story.html").startswith("a-story-")
    assert page_id("https://ledger.example/news/a-story.html") != page_id("https://ledger.example/x/a-story.html")


def test_page_text_uses_the_charset_the_server_names():
    from index.fetch import Fetched
    from index.pages import _text

    body = "<p>Привет, Лейкпорт</p>".encode("koi8-r")
    assert _text(Fetched("http://news.example/a", 200, body, "text/html", "koi8-r")) == "<p>Привет, Лейкпорт</p>"
    assert _text(Fetched("http://news.example/a", 200, "<p>Malmö</p>".encode(), "text/html")) == "<p>Malmö</p>"
