"""Feeds: RSS 2.0 and Atom (feedparser), sitemaps and news sitemaps (defusedxml), and `sync`.

`sync` reads every feed once (a conditional request: a feed answering 304 has nothing new), then fetches
the pages of its new and changed items: an item whose date in the feed has not moved since its page was
fetched is not requested again; an undated item gets a conditional request. All fetched pages are then
ingested in one run. An item that has left a feed stays indexed (feeds roll); a page that answers 404 or
410 is removed. A feed or page that fails is reported with the reason and tried again next time; it never
stops the others.
"""
from __future__ import annotations

import gzip
import io
import logging
import time
from dataclasses import asdict, dataclass, field
from urllib.parse import urljoin

from index.feedstore import FeedStore
from index.fetch import Fetcher, FetchError, check_url
from index.ingest import IngestReport
from index.loaders.fields import parse_date
from index.pages import Item, PageIngest

log = logging.getLogger(__name__)
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS_NS = "{http://www.google.com/schemas/sitemap-news/0.9}"
MAX_CHILD_SITEMAPS = 20  # of a sitemap index, newest first


@dataclass
class ParsedFeed:
    kind: str  # "rss20", "atom10", ... (feedparser's names), "sitemap" or "sitemapindex"
    title: str
    items: list[Item]


def parse_feed(content: bytes, url: str, max_bytes: int) -> ParsedFeed:
    """A feed's items, page URLs resolved against the feed's URL; ValueError when it is not a feed."""
    if content[:2] == b"\x1f\x8b":  # a .xml.gz sitemap
        try:
            content = gzip.GzipFile(fileobj=io.BytesIO(content)).read(max_bytes + 1)
        except (OSError, EOFError) as exc:
            raise ValueError(f"not a valid gzip file: {exc}") from None
        if len(content) > max_bytes:
            raise ValueError(f"unzipped it is larger than the {max_bytes / 1e6:g} MB limit")
    head = content[:2048].lstrip().lower()
    if b"<urlset" in head or b"<sitemapindex" in head:
        return _parse_sitemap(content, url)
    import feedparser

    parsed = feedparser.parse(content, response_headers={"content-location": url})
    if not parsed.version:
        problem = getattr(parsed, "bozo_exception", None)
        raise ValueError("not a feed (RSS, Atom or sitemap)" + (f": {problem}" if problem else ""))
    items = []
    for entry in parsed.entries:
        link = entry.get("link") or (entry.get("id") if str(entry.get("id", "")).startswith("http") else "")
        if link:
            stamp = entry.get("updated") or entry.get("published") or ""
            when = entry.get("published_parsed") or entry.get("updated_parsed")
            items.append(Item(urljoin(url, link.strip()), stamp, time.strftime("%Y-%m-%d", when) if when else ""))
    return ParsedFeed(parsed.version, parsed.feed.get("title", ""), items)


def _parse_sitemap(content: bytes, url: str) -> ParsedFeed:
    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException

    try:
        root = ElementTree.fromstring(content)
    except (ElementTree.ParseError, DefusedXmlException) as exc:
        raise ValueError(f"not a valid sitemap: {exc}") from None
    kind = "sitemapindex" if root.tag.endswith("sitemapindex") else "sitemap"
    items = []
    for entry in root:
        loc = (entry.findtext(f"{SITEMAP_NS}loc") or entry.findtext("loc") or "").strip()
        if not loc:
            continue
        news = entry.find(f"{NEWS_NS}news")
        published = (news.findtext(f"{NEWS_NS}publication_date") or "").strip() if news is not None else ""
        lastmod = (entry.findtext(f"{SITEMAP_NS}lastmod") or entry.findtext("lastmod") or "").strip()
        items.append(Item(urljoin(url, loc), lastmod or published, parse_date(published or lastmod)))
    # Newest first by the stamp (ISO 8601 sorts as text), undated last.
    items.sort(key=lambda i: i.stamp, reverse=True)
    return ParsedFeed(kind, "", items)


@dataclass
class FeedReport:
    url: str
    report: IngestReport = field(default_factory=IngestReport)
    error: str = ""  # the feed itself could not be read (its items were not looked at)
    not_modified: bool = False  # the feed answered 304: nothing new since the last sync
    items: int = 0  # items the feed lists

    def to_dict(self) -> dict:
        return {"url": self.url, "error": self.error, "not_modified": self.not_modified, "items": self.items,
                **vars(self.report)}


@dataclass
class SyncReport:
    feeds: list[FeedReport] = field(default_factory=list)
    total: IngestReport = field(default_factory=IngestReport)

    @property
    def failed(self) -> list[FeedReport]:
        return [f for f in self.feeds if f.error]

    def summary(self) -> str:
        return (f"{len(self.feeds)} feeds ({len(self.failed)} failed): {self.total.summary()}")

    def to_dict(self) -> dict:
        return {"feeds": [f.to_dict() for f in self.feeds], "total": asdict(self.total)}


def add_feed(feeds: FeedStore, url: str) -> bool:
    """Follow `url` (read at the next sync); ValueError for a URL that will never be fetched."""
    url = url.strip()
    try:
        check_url(url)
    except FetchError as exc:
        raise ValueError(str(exc)) from None
    return feeds.add_feed(url)


def sync(store, feeds: FeedStore, fetcher: Fetcher, max_items: int, progress: bool = False) -> SyncReport:
    """Fetch every feed once and ingest its new and changed pages (see the module's docstring)."""
    result = SyncReport()
    pages = PageIngest(store, feeds, fetcher)
    owner: dict[str, FeedReport] = {}  # page URL -> the feed it was fetched for
    validators: dict[str, tuple] = {}  # feed URL -> what to record once its pages are in
    waiting: set[str] = set()  # feeds with items left for the next round
    for row in feeds.feeds():
        feed = FeedReport(row["url"])
        result.feeds.append(feed)
        try:
            items, validators[feed.url] = _read_feed(fetcher, row, feed)
        except (FetchError, ValueError) as exc:
            feed.error = exc.reason if isinstance(exc, FetchError) else str(exc)
        except Exception as exc:
            log.exception("reading feed %s failed", row["url"])
            feed.error = f"unexpected error: {type(exc).__name__}: {exc}"
        if feed.error:
            feeds.feed_synced(row["url"], error=feed.error)
            continue
        requests = 0  # at most `max_items` page requests a feed a round; the rest wait for the next
        for item in items:
            if requests == max_items:
                waiting.add(feed.url)
                break
            if item.url not in owner:  # a page listed by two feeds is fetched once, for the first
                owner[item.url] = feed
                requests += pages.fetch(item, feed.report)
    urls = {article_id: item.url for article_id, item, _, _ in pages.pending.values()}
    done = pages.ingest(IngestReport(), progress=progress)
    for name in ("added", "updated", "unchanged"):
        for article_id in getattr(done, name):
            getattr(owner[urls[article_id]].report, name).append(article_id)
    for skipped in done.skipped:  # named by page URL (see PageIngest.ingest)
        owner.get(skipped["path"], result.feeds[0]).report.skipped.append(skipped)
    n_paragraphs = {r["article_id"]: r["n_paragraphs"] for r in store.manifest.articles()}
    for feed in result.feeds:
        feed.report.paragraphs = sum(n_paragraphs.get(a, 0) for a in feed.report.added + feed.report.updated)
        for name in ("added", "updated", "unchanged", "removed", "skipped"):
            getattr(result.total, name).extend(getattr(feed.report, name))
        if feed.url in validators:
            # The feed's ETag is kept only when all its pages came in: a 304 next time would hide the rest.
            kind, title, etag, modified = validators[feed.url]
            clean = not feed.report.skipped and feed.url not in waiting
            feeds.feed_synced(feed.url, error=None, kind=kind, title=title, items=feed.items,
                              etag=etag if clean else None, last_modified=modified if clean else None)
    result.total.paragraphs = done.paragraphs
    result.total.repaired, result.total.doctor = done.repaired, done.doctor
    return result


def _read_feed(fetcher: Fetcher, row: dict, feed: FeedReport) -> tuple[list[Item], tuple]:
    """The feed's items (none when it answered 304) and (kind, title, etag, last_modified) to record."""
    fetched = fetcher.get(row["url"], row["etag"], row["last_modified"])
    if fetched.not_modified:
        feed.not_modified, feed.items = True, row["items"] or 0
        return [], (row["kind"], row["title"], row["etag"], row["last_modified"])
    parsed = parse_feed(fetched.content, fetched.url, fetcher.max_bytes)
    items = parsed.items
    if parsed.kind == "sitemapindex":
        items = []
        for child in parsed.items[:MAX_CHILD_SITEMAPS]:
            try:
                sub = fetcher.get(child.url)
                items += parse_feed(sub.content, sub.url, fetcher.max_bytes).items
            except (FetchError, ValueError) as exc:
                feed.report.skipped.append({"path": child.url, "reason": getattr(exc, "reason", str(exc))})
    feed.items = len(items)
    return items, (parsed.kind, parsed.title, fetched.etag, fetched.last_modified)
